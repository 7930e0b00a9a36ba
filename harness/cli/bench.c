/* soupbench bench: how fast the harness is on this machine (SPEC section 6,
 * "Cost"). Speed figures live here, printed side by side in one run, never
 * in timed unit tests.
 *
 * One table: the machine's DGEMM peak; for each shape preset (the config's
 * problem, a width-256 network, many states) one training step per trainer
 * and form, the exact solver and the peak memory; a lam refit (logistic
 * regression, K = 30, 1,000 answers); the whole quickstart run. Beside
 * each training step, the same step in PyTorch (tests/bench/torch_step.py,
 * float64, same threads), run in the same invocation once both are shown
 * to compute the same loss and gradient on the same exported inputs.
 * `--scaling` measures time and peak memory against states, width,
 * horizon, K and users and fits log-log exponents (bench_scaling.c). Every
 * figure is a median over repeats, with the min and max. */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "commands.h"
#include "config.h"
#include "logreg.h"
#include "mlp.h"
#include "policy.h"
#include "sb.h"
#include "solver.h"
#include "stats.h"
#include "synthetic.h"
#include "vmath.h"
#include "train.h"

static const char usage[] =
    "usage: soupbench bench [CONFIG.json] [--repeats N] [--threads N] [--presets LIST]\n"
    "                       [--no-torch] [--no-run] [--scaling] [--outdir DIR]\n"
    "\n"
    "Print one table: the machine's DGEMM peak; for each shape preset the time\n"
    "of one training step (forward over every state, loss gradient, backward)\n"
    "per trainer and form with its share of the DGEMM peak and, beside it, the\n"
    "same step in PyTorch (float64, same threads) and the C/PyTorch ratio; the\n"
    "exact solver; the peak memory; a lam refit (K = 30, 1,000 answers); the\n"
    "whole run of CONFIG.json (default paper/experiments/quickstart.json) with\n"
    "its system time, at --threads and at 2 threads. Every figure is the median\n"
    "of the repeats, with the min and max.\n"
    "\n"
    "  --repeats N     timed repeats per figure (default 7, at least 3; whole runs: 3)\n"
    "  --threads N     OpenBLAS (and PyTorch) threads (default 1)\n"
    "  --presets LIST  comma-separated from quickstart (the config's own shapes),\n"
    "                  width256, states (default all three)\n"
    "  --no-torch      skip the PyTorch column\n"
    "  --no-run        skip the whole-run rows\n"
    "  --scaling       instead: time and peak memory against states, width,\n"
    "                  horizon, K and users, log-log fits and a figure\n"
    "  --outdir DIR    where --scaling writes its figure and table (default plots/bench)\n"
    "  --help          this text\n"
    "\n"
    "PyTorch: Debian's python3-torch under /usr/bin/python3 (SB_PYTHON overrides);\n"
    "without it the C figures are printed and the table says why the ratio is missing.\n"
    "\n"
    "Exit status: 0 success, 1 a C/PyTorch mismatch or failed measurement, 2 bad usage.\n";

/* ------------------------------------------------------------------ */
/* timing                                                             */

/* A repeat runs the call enough times to last this long, so that short
 * calls are not lost in the clock's and the scheduler's noise. */
#define BENCH_MIN_SECONDS 0.02

/* Seconds per call of `inner` back-to-back calls. */
static double time_calls(void (*fn)(void *), void *arg, long inner)
{
    double start = sb_now();
    for (long i = 0; i < inner; i++)
        fn(arg);
    return (sb_now() - start) / (double)inner;
}

SbTiming sb_bench_summary(double *s, int n)
{
    double median = sb_median(s, n); /* s is sorted now */
    return (SbTiming){median, s[0], s[n - 1]};
}

/* Median, min and max over `repeats` of the seconds per call. The
 * calibration calls come first and double as the warm-up (page faults,
 * OpenBLAS thread start-up). */
SbTiming sb_bench_median(void (*fn)(void *), void *arg, int repeats)
{
    long inner = 1;
    double t = time_calls(fn, arg, inner);
    while (t * (double)inner < BENCH_MIN_SECONDS) {
        inner *= 2;
        t = time_calls(fn, arg, inner);
    }
    double *s = sb_zeros(repeats);
    for (int i = 0; i < repeats; i++)
        s[i] = time_calls(fn, arg, inner);
    SbTiming out = sb_bench_summary(s, repeats);
    free(s);
    return out;
}

/* "12.3 us", "4.56 ms", "7.89 s" in a field of the given width. */
static const char *fmt_seconds(double s, char *buf, size_t n)
{
    if (!isfinite(s))
        snprintf(buf, n, "-");
    else if (s < 1e-3)
        snprintf(buf, n, "%.1f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, n, "%.2f ms", s * 1e3);
    else
        snprintf(buf, n, "%.2f s", s);
    return buf;
}

static const char *fmt_timing(SbTiming t, char *buf, size_t n)
{
    char a[32], b[32], c[32];
    snprintf(buf, n, "%s (%s-%s)", fmt_seconds(t.median, a, sizeof a), fmt_seconds(t.lo, b, sizeof b),
             fmt_seconds(t.hi, c, sizeof c));
    return buf;
}

/* The table: preset, item, C median (min-max), GEMM share of peak,
 * PyTorch median (min-max), C/PyTorch; a free-text note may follow. */
#define ROW_FMT "  %-10s %-22s %-30s %8s  %-30s %9s\n"

static void table_row(const char *preset, const char *item, const char *c, const char *peak, const char *torch,
                      const char *ratio)
{
    printf(ROW_FMT, preset, item, c, peak, torch, ratio);
    fflush(stdout);
}

double sb_bench_dgemm_peak_cached;
const char *sb_bench_config_path;

/* ------------------------------------------------------------------ */
/* DGEMM peak                                                         */

typedef struct {
    int n;
    double *A, *B, *C;
} Gemm;

static void gemm_call(void *arg)
{
    Gemm *g = arg;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->n, g->n, g->n, 1.0, g->A, g->n, g->B, g->n, 0.0, g->C,
                g->n);
}

/* The best GFLOP/s of square DGEMMs: the yardstick of the step figures. */
double sb_bench_dgemm_peak(int repeats, int verbose)
{
    static const int sizes[] = {128, 256, 512, 1024};
    double peak = 0;
    int peak_n = 0;
    SbRng rng;
    sb_rng_seed(&rng, 1);
    char line[256] = "";
    size_t at = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int n = sizes[i];
        size_t nn = (size_t)n * n;
        Gemm g = {n, sb_zeros(nn), sb_zeros(nn), sb_zeros(nn)};
        for (size_t j = 0; j < nn; j++) {
            g.A[j] = sb_rng_normal(&rng);
            g.B[j] = sb_rng_normal(&rng);
        }
        SbTiming t = sb_bench_median(gemm_call, &g, repeats);
        double gflops = 2.0 * n * n * (double)n / t.median * 1e-9;
        at += (size_t)snprintf(line + at, sizeof line - at, "%s%d: %.1f", i ? ", " : "", n, gflops);
        if (gflops > peak)
            peak = gflops, peak_n = n;
        free(g.A);
        free(g.B);
        free(g.C);
    }
    if (verbose)
        printf("DGEMM peak (cblas_dgemm, square n x n, median GFLOP/s; %s): %.2f GFLOP/s at n = %d\n\n", line, peak,
               peak_n);
    return peak;
}

/* ------------------------------------------------------------------ */
/* one training step                                                  */

/* GEMM floating-point operations of one step (harness/mlp.c,
 * harness/policy.c): the yardstick against the DGEMM peak. */
double sb_bench_step_gemm_flops(const SbProblem *p, SbPolicyForm form, int rank)
{
    const SbRefNet *ref = p->ref_net;
    double n = p->n_states, w = ref->width, V = ref->n_out, f = 0;
    for (int l = 0; l < ref->layers; l++) {
        double fan_in = l == 0 ? ref->n_in : ref->width;
        f += 2 * n * w * fan_in; /* forward */
        if (l > 0)
            f += 2 * n * w * w; /* backward dh */
        if (form == SB_POLICY_FULL)
            f += 2 * n * w * fan_in; /* backward dW */
        else if (sb_mlp_lora_direct(p->n_states, ref->width, (int)fan_in, rank))
            f += 2 * w * fan_in * rank + 4 * n * rank * (w + fan_in); /* merge B A; dA, dB directly */
        else
            f += 2 * n * w * fan_in + 6 * w * fan_in * rank; /* dW; merge B A, dA, dB from dW */
    }
    f += 2 * n * w * V * (form == SB_POLICY_FULL ? 3 : 2); /* head forward, dh (and dW_out) */
    return f;
}

SbBenchStep *sb_bench_step_new(const SbProblem *p, SbTrainer trainer, SbPolicyForm form, const SbConfig *cfg)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbBenchStep *st = sb_calloc(1, sizeof *st);
    st->p = p;
    st->trainer = trainer;
    st->r = sb_zeros(n_sa);
    /* the reward of aspect 0; any reward costs the same */
    double *w = sb_zeros(p->m);
    w[0] = 1;
    sb_problem_user_reward(p, w, st->r);
    free(w);
    SbRng rng;
    sb_rng_seed(&rng, cfg->seed);
    st->pol = sb_policy_new(p->ref_net, form, cfg->lora.rank, cfg->lora.alpha, &rng);
    if (form == SB_POLICY_LORA) {
        /* B != 0, so that the gradient of A is not zero and the check below
         * compares every number */
        SbPolicyViews v = sb_policy_views(st->pol, st->pol->theta);
        for (int l = 0; l < st->pol->ref->layers; l++)
            for (int i = 0; i < st->pol->ref->width * st->pol->rank; i++)
                v.B[l][i] = 0.3 * sb_rng_normal(&rng) / sqrt((double)st->pol->rank);
        sb_policy_views_free(&v);
    }
    if (trainer == SB_TRAINER_DPO) {
        SbPairLabels labels = {SB_LABELS_NOISE_FREE, 1.0, 1};
        st->pairs = sb_pairs_sample(p, st->r, cfg->train.pairs, 0, p->n_prompts, &labels, &rng);
    }
    st->work = sb_train_work_new(p, st->pol, trainer == SB_TRAINER_DPO ? &st->pairs : NULL);
    st->grad = sb_zeros(st->pol->n_params);
    return st;
}

void sb_bench_step_free(SbBenchStep *st)
{
    if (!st)
        return;
    sb_train_work_free(st->work);
    if (st->trainer == SB_TRAINER_DPO)
        sb_pairs_free(&st->pairs);
    sb_policy_free(st->pol);
    free(st->grad);
    free(st->r);
    free(st);
}

/* Forward over every state, the training loss and its gradient, backward:
 * the work of one sb_train step without the optimiser update and the
 * held-out loss. The weights do not move, so every call does the same
 * work. */
void sb_bench_step_call(void *arg)
{
    SbBenchStep *st = arg;
    st->loss = sb_train_work_step(st->work, st->r, st->grad);
}

/* ------------------------------------------------------------------ */
/* the export read by tests/bench/torch_step.py                       */

static void put(FILE *f, const char *name, int kind, int rank, const int64_t *dims, const void *data)
{
    char head[16] = {0};
    snprintf(head, sizeof head, "%s", name);
    int32_t k = kind, r = rank;
    int64_t count = 1;
    for (int i = 0; i < rank; i++)
        count *= dims[i];
    fwrite(head, 1, 16, f);
    fwrite(&k, 4, 1, f);
    fwrite(&r, 4, 1, f);
    fwrite(dims, 8, (size_t)rank, f);
    fwrite(data, kind == 0 ? 8 : 4, (size_t)count, f);
}

static void put_f64(FILE *f, const char *name, const double *v, int64_t rows, int64_t cols)
{
    int64_t dims[2] = {rows, cols};
    put(f, name, 0, cols ? 2 : 1, dims, v);
}

static void put_i32(FILE *f, const char *name, const int *v, int64_t rows, int64_t cols)
{
    int64_t dims[2] = {rows, cols};
    put(f, name, 1, cols ? 2 : 1, dims, v);
}

/* Everything the PyTorch step needs, and the C loss and gradient. */
static int export_step(const SbBenchStep *st, const SbConfig *cfg, const char *path)
{
    const SbProblem *p = st->p;
    const SbRefNet *ref = p->ref_net;
    const SbPolicy *pol = st->pol;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite("SBBENCH1", 1, 8, f);
    int meta[6] = {ref->layers, pol->form == SB_POLICY_LORA ? 0 : 1, st->trainer == SB_TRAINER_DPO, p->H, p->V,
                   p->n_prompts};
    put_i32(f, "meta", meta, 6, 0);
    double scalars[3] = {ref->temperature, p->beta, pol->form == SB_POLICY_LORA ? pol->alpha / pol->rank : 0};
    put_f64(f, "scalars", scalars, 3, 0);
    put_f64(f, "inputs", p->inputs, p->n_states, p->n_in);
    SbPolicyViews v = sb_policy_views(pol, pol->theta);
    for (int l = 0; l < ref->layers; l++) {
        int fan_in = l == 0 ? ref->n_in : ref->width;
        char name[16];
        snprintf(name, sizeof name, "W%d", l);
        put_f64(f, name, pol->form == SB_POLICY_FULL ? v.W[l] : ref->W[l], ref->width, fan_in);
        snprintf(name, sizeof name, "b%d", l);
        put_f64(f, name, pol->form == SB_POLICY_FULL ? v.b[l] : ref->b[l], ref->width, 0);
        if (pol->form == SB_POLICY_LORA) {
            snprintf(name, sizeof name, "A%d", l);
            put_f64(f, name, v.A[l], pol->rank, fan_in);
            snprintf(name, sizeof name, "B%d", l);
            put_f64(f, name, v.B[l], ref->width, pol->rank);
        }
    }
    put_f64(f, "W_out", pol->form == SB_POLICY_FULL ? v.W_out : ref->W_out, ref->n_out, ref->width);
    put_f64(f, "b_out", pol->form == SB_POLICY_FULL ? v.b_out : ref->b_out, ref->n_out, 0);
    sb_policy_views_free(&v);
    if (p->logit_offset)
        put_f64(f, "logit_offset", p->logit_offset, p->n_states, p->V);
    put_f64(f, "ref_logits", p->ref_logits, p->n_states, p->V);
    if (st->trainer == SB_TRAINER_DPO) {
        put_i32(f, "pair_s", st->pairs.s, st->pairs.n, 2 * st->pairs.H);
        put_i32(f, "pair_a", st->pairs.a, st->pairs.n, 2 * st->pairs.H);
        put_f64(f, "pair_y", st->pairs.y, st->pairs.n, 0);
    } else {
        put_f64(f, "reward", st->r, p->n_states, p->V);
        put_f64(f, "init", p->init, p->n_prompts, 0);
        put_i32(f, "layer_offset", p->layer_offset, p->H + 1, 0);
        put_i32(f, "next_state", p->next_state, p->n_states, p->V);
    }
    put_f64(f, "loss", &st->loss, 1, 0);
    put_f64(f, "grad", st->grad, pol->n_params, 0);
    (void)cfg;
    return fclose(f);
}

/* The Python interpreter that has Debian's python3-torch. */
static const char *python_path(void)
{
    const char *env = getenv("SB_PYTHON");
    if (env && *env)
        return env;
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

/* tests/bench/torch_step.py from the working folder, else next to the
 * binary. */
static int script_path(char *buf, size_t n)
{
    const char *rel = "tests/bench/torch_step.py";
    if (access(rel, R_OK) == 0) {
        snprintf(buf, n, "%s", rel);
        return 0;
    }
    char exe[1024];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    if ((size_t)snprintf(buf, n, "%s/%s", exe, rel) >= n)
        return -1;
    return access(buf, R_OK) == 0 ? 0 : -1;
}

/* Tolerances of the C/PyTorch check: the two sum in different orders. */
#define CHECK_LOSS_REL 1e-12
#define CHECK_GRAD_REL 1e-10

/* Run the PyTorch step on the export: 0 and *t on success; -1 with a
 * reason in why when PyTorch is missing; -2 on a mismatch or failure. */
static int torch_step(const char *export_path, int threads, int repeats, SbTiming *t, double *grad_rel,
                      char *why, size_t why_n)
{
    char script[2048];
    if (script_path(script, sizeof script) != 0) {
        snprintf(why, why_n, "tests/bench/torch_step.py not found (run from the source folder)");
        return -1;
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' --threads %d --repeats %d --min-seconds %g 2>&1", python_path(), script,
             export_path, threads, repeats, BENCH_MIN_SECONDS);
    FILE *pipe = popen(cmd, "r");
    if (!pipe) {
        snprintf(why, why_n, "cannot start %s: %s", python_path(), strerror(errno));
        return -1;
    }
    char line[400], last[400] = "";
    int checked = 0, timed = 0, unavailable = 0;
    double loss_t = NAN, loss_rel = NAN;
    *grad_rel = NAN;
    while (fgets(line, sizeof line, pipe)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "unavailable ", 12) == 0) {
            snprintf(why, why_n, "%s", line + 12);
            unavailable = 1;
        } else if (sscanf(line, "check %lf %lf %lf", &loss_t, &loss_rel, grad_rel) == 3) {
            checked = 1;
        } else if (sscanf(line, "time %lf %lf %lf", &t->median, &t->lo, &t->hi) == 3) {
            timed = 1;
        } else if (*line) {
            snprintf(last, sizeof last, "%s", line);
        }
    }
    int status = pclose(pipe);
    if (unavailable)
        return -1;
    if (!checked || !timed || status != 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(why, why_n, "%s not found", python_path());
        else
            snprintf(why, why_n, "torch_step.py failed (status %d): %s", status, last);
        return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -1 : -2;
    }
    if (!(loss_rel <= CHECK_LOSS_REL && *grad_rel <= CHECK_GRAD_REL)) {
        snprintf(why, why_n, "PyTorch disagrees: loss rel. diff %.2e, gradient rel. diff %.2e", loss_rel, *grad_rel);
        return -2;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the exact solver and the lam refit                                 */

typedef struct {
    const SbProblem *p;
    const double *r;
} Solve;

static void solve_call(void *arg)
{
    Solve *s = arg;
    SbSoftSolution sol;
    sb_solve_soft(s->p, s->r, s->p->ref_logits, &sol);
    sb_soft_solution_free(&sol);
}

void sb_bench_refit_call(void *arg)
{
    SbBenchRefit *f = arg;
    memset(f->lam, 0, sizeof(double) * (size_t)f->K);
    sb_logreg_fit(f->X, f->y, NULL, f->n, f->K, 1.0, f->lam, NULL, NULL);
}

/* Spectral Souping's refit at paper scale: K = 30 implicit-reward
 * differences, 1,000 sampled answers, from lam = 0. */
static void bench_refit(int repeats)
{
    SbBenchRefit f = {1000, 30, NULL, NULL, NULL};
    f.X = sb_zeros((size_t)f.n * f.K);
    f.y = sb_zeros(f.n);
    f.lam = sb_zeros(f.K);
    SbRng rng;
    sb_rng_seed(&rng, 7);
    double *truth = sb_zeros(f.K);
    for (int k = 0; k < f.K; k++)
        truth[k] = sb_rng_normal(&rng) / sqrt((double)f.K);
    for (int i = 0; i < f.n; i++) {
        double z = 0;
        for (int k = 0; k < f.K; k++)
            z += (f.X[(size_t)i * f.K + k] = sb_rng_normal(&rng)) * truth[k];
        f.y[i] = sb_rng_uniform(&rng) < 1.0 / (1.0 + exp(-z));
    }
    SbTiming t = sb_bench_median(sb_bench_refit_call, &f, repeats);
    char c[96];
    table_row("-", "lam refit K=30 n=1000", fmt_timing(t, c, sizeof c), "", "", "");
    free(truth);
    free(f.lam);
    free(f.y);
    free(f.X);
}

/* ------------------------------------------------------------------ */
/* presets                                                            */

/* The config's problem resized to a preset; 0, or -1 for an unknown name. */
int sb_bench_preset(const char *name, SbConfig *cfg)
{
    if (strcmp(name, "quickstart") == 0)
        return 0; /* the config's own shapes */
    if (strcmp(name, "width256") == 0) {
        /* 64 prompts x (1 + 8 + 64) = 4,672 states, input 35 */
        cfg->dataset.prompts = 64, cfg->dataset.vocab = 8, cfg->dataset.horizon = 3;
        cfg->reference.width = 256, cfg->lora.rank = 16;
        return 0;
    }
    if (strcmp(name, "states") == 0) {
        /* 512 prompts x 73 = 37,376 states */
        cfg->dataset.prompts = 512, cfg->dataset.vocab = 8, cfg->dataset.horizon = 3;
        cfg->reference.width = 64, cfg->lora.rank = 8;
        return 0;
    }
    return -1;
}

typedef struct {
    int repeats, threads, torch;
    int mismatches; /* C/PyTorch checks that failed */
    char torch_missing[512];
} Options;

/* The rows of one preset (run in a child process, so that its peak memory
 * is its own). Returns the number of failed C/PyTorch checks. */
static int bench_preset(const char *preset, const SbConfig *cfg, Options *o)
{
    SbProblem *p = sb_synthetic_build(cfg);
    const SbRefNet *ref = p->ref_net;
    printf("  %-10s %d states, input %d, %d tanh layers of width %d, %d actions, horizon %d, LoRA rank %d, %d "
           "pairs\n",
           preset, p->n_states, ref->n_in, ref->layers, ref->width, ref->n_out, p->H, cfg->lora.rank,
           cfg->train.pairs);
    fflush(stdout);
    int failures = 0;
    double peak = o->threads > 0 ? sb_bench_dgemm_peak_cached : 0;
    for (SbTrainer t = 0; t < SB_TRAINERS; t++)
        for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
            SbBenchStep *st = sb_bench_step_new(p, t, f, cfg);
            sb_bench_step_call(st);
            SbTiming tc = sb_bench_median(sb_bench_step_call, st, o->repeats);
            double gf = sb_bench_step_gemm_flops(p, f, cfg->lora.rank) / tc.median * 1e-9;
            char item[64], c[96], share[32], tt[96] = "", ratio[32] = "";
            snprintf(item, sizeof item, "%s step %s", sb_trainer_name(t), sb_policy_form_name(f));
            snprintf(share, sizeof share, "%.1f%%", 100 * gf / peak);
            fmt_timing(tc, c, sizeof c);
            if (o->torch && p->transition == SB_TRANSITION_TREE && !o->torch_missing[0]) {
                char path[64], why[512] = "";
                snprintf(path, sizeof path, "/tmp/soupbench-bench-%ld.bin", (long)getpid());
                SbTiming tp;
                double grad_rel;
                int rc = export_step(st, cfg, path) == 0 ? torch_step(path, o->threads, o->repeats, &tp, &grad_rel,
                                                                      why, sizeof why)
                                                         : (snprintf(why, sizeof why, "cannot write %s", path), -2);
                unlink(path);
                if (rc == 0) {
                    fmt_timing(tp, tt, sizeof tt);
                    snprintf(ratio, sizeof ratio, "%.2f", tc.median / tp.median);
                } else if (rc == -1) {
                    snprintf(o->torch_missing, sizeof o->torch_missing, "%s", why);
                } else {
                    snprintf(tt, sizeof tt, "MISMATCH");
                    fprintf(stderr, "soupbench bench: %s %s: %s\n", preset, item, why);
                    failures++;
                }
            } else if (o->torch && p->transition != SB_TRANSITION_TREE) {
                snprintf(tt, sizeof tt, "(tree MDPs only)");
            }
            table_row(preset, item, c, share, tt, ratio);
            sb_bench_step_free(st);
        }
    double *r = sb_zeros((size_t)p->n_states * p->V), *w = sb_zeros(p->m);
    w[0] = 1;
    sb_problem_user_reward(p, w, r);
    Solve s = {p, r};
    char c[96];
    table_row(preset, "exact solver", fmt_timing(sb_bench_median(solve_call, &s, o->repeats), c, sizeof c), "", "",
              "");
    free(w);
    free(r);
    sb_problem_free(p);
    return failures;
}

/* Peak resident memory of a child, from wait4. */
static long wait_child(pid_t pid, int *status, double *user, double *sys)
{
    struct rusage ru;
    if (wait4(pid, status, 0, &ru) < 0)
        return -1;
    if (user)
        *user = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
    if (sys)
        *sys = (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return ru.ru_maxrss; /* KiB */
}

/* One preset in a child process: its rows, then its peak memory. */
static int preset_in_child(const char *preset, const SbConfig *cfg, Options *o)
{
    fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(fds[0]);
        int failures = bench_preset(preset, cfg, o);
        fflush(stdout);
        /* this process's own peak (not the Python children's), and why
         * PyTorch is missing, so that the parent asks only once */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        dprintf(fds[1], "%d %ld %s", failures, ru.ru_maxrss, o->torch_missing);
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    char msg[600] = "";
    ssize_t got = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    msg[got > 0 ? got : 0] = '\0';
    int status, failures = 0, used = 0;
    long kib = -1;
    wait_child(pid, &status, NULL, NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "soupbench bench: preset %s: the measuring process failed (status %d)\n", preset, status);
        return 1;
    }
    if (sscanf(msg, "%d %ld %n", &failures, &kib, &used) >= 2 && msg[used] && !o->torch_missing[0])
        snprintf(o->torch_missing, sizeof o->torch_missing, "%s", msg + used);
    char mem[64];
    snprintf(mem, sizeof mem, "%.1f MiB", kib / 1024.0);
    table_row(preset, "peak memory (C, RSS)", mem, "", "", "");
    return failures;
}

/* ------------------------------------------------------------------ */
/* whole runs                                                         */

/* `soupbench run CONFIG --quiet --threads N` in a child: wall, user and
 * system seconds and peak memory; 0 on success. */
int sb_bench_run_child(const char *config, int threads, const char *out, double *wall, double *user, double *sys,
                       long *kib)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    fflush(stdout);
    double start = sb_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(exe, exe, "run", config, "--out", out, "--quiet", "--threads", th, (char *)NULL);
        _exit(127);
    }
    int status;
    *kib = wait_child(pid, &status, user, sys);
    *wall = sb_now() - start;
    unlink(out);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

#define RUN_REPEATS 3

/* Median wall time of RUN_REPEATS runs; the rest from the median run. */
static int bench_run(const char *config, int threads, SbTiming *t, double *user, double *sys, long *kib)
{
    double wall[RUN_REPEATS], u[RUN_REPEATS], s[RUN_REPEATS];
    long k[RUN_REPEATS];
    char out[64];
    snprintf(out, sizeof out, "/tmp/soupbench-bench-run-%ld.h5", (long)getpid());
    for (int i = 0; i < RUN_REPEATS; i++)
        if (sb_bench_run_child(config, threads, out, &wall[i], &u[i], &s[i], &k[i]) != 0)
            return -1;
    double sorted[RUN_REPEATS];
    memcpy(sorted, wall, sizeof wall);
    *t = sb_bench_summary(sorted, RUN_REPEATS);
    int mid = 0;
    for (int i = 0; i < RUN_REPEATS; i++)
        if (wall[i] == t->median)
            mid = i;
    *user = u[mid], *sys = s[mid], *kib = k[mid];
    return 0;
}

static int bench_runs(const char *config, const Options *o)
{
    int threads[2] = {o->threads, 2}, n = o->threads == 2 ? 1 : 2;
    SbTiming t[2];
    for (int i = 0; i < n; i++) {
        double user, sys;
        long kib;
        char item[64], c[96], note[160];
        snprintf(item, sizeof item, "whole run, %d thread%s", threads[i], threads[i] == 1 ? "" : "s");
        if (bench_run(config, threads[i], &t[i], &user, &sys, &kib) != 0) {
            fprintf(stderr, "soupbench bench: soupbench run %s failed\n", config);
            return 1;
        }
        snprintf(note, sizeof note, "user %.2f s, system %.2f s (%.1f%% of CPU time), peak %.1f MiB", user, sys,
                 100 * sys / (user + sys), kib / 1024.0);
        table_row("run", item, fmt_timing(t[i], c, sizeof c), "", note, "");
    }
    if (n == 2) {
        char sp[32];
        snprintf(sp, sizeof sp, "%.2fx", t[0].median / t[1].median);
        table_row("run", "speed-up, 2 threads", sp, "", "(target 1.8x)", "");
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the command                                                        */

/* A positive integer option value; -1 when it is not one. */
static long parse_positive(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || end == s || *end || v < 1 ? -1 : v;
}

int sb_cmd_bench(int argc, char **argv)
{
    const char *config_path = NULL, *outdir = "plots/bench";
    char presets[256] = "quickstart,width256,states";
    long repeats = 7, threads = 1;
    int torch = 1, runs = 1, scaling = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(a, "--no-torch") == 0) {
            torch = 0;
        } else if (strcmp(a, "--no-run") == 0) {
            runs = 0;
        } else if (strcmp(a, "--scaling") == 0) {
            scaling = 1;
        } else if (strcmp(a, "--repeats") == 0 || strcmp(a, "--threads") == 0 || strcmp(a, "--presets") == 0 ||
                   strcmp(a, "--outdir") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench bench: %s needs a value\n%s", a, usage);
                return SB_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--presets") == 0) {
                snprintf(presets, sizeof presets, "%s", v);
                continue;
            }
            if (strcmp(a, "--outdir") == 0) {
                outdir = v;
                continue;
            }
            int is_repeats = strcmp(a, "--repeats") == 0;
            long x = parse_positive(v);
            if (is_repeats ? x < 3 || x > 1000 : x < 1 || x > 256) {
                fprintf(stderr, "soupbench bench: %s: expected an integer in [%d, %d], found \"%s\"\n", a,
                        is_repeats ? 3 : 1, is_repeats ? 1000 : 256, v);
                return SB_EXIT_USAGE;
            }
            *(is_repeats ? &repeats : &threads) = x;
        } else if (a[0] == '-') {
            fprintf(stderr, "soupbench bench: unknown option %s\n%s", a, usage);
            return SB_EXIT_USAGE;
        } else if (config_path) {
            fprintf(stderr, "soupbench bench: one config at a time (got %s and %s)\n", config_path, a);
            return SB_EXIT_USAGE;
        } else {
            config_path = a;
        }
    }
    if (!config_path)
        config_path = "paper/experiments/quickstart.json";
    SbConfig cfg;
    if (sb_config_load(config_path, &cfg) != 0)
        return SB_EXIT_USAGE;
    if (strcmp(cfg.dataset.kind, "synthetic") != 0) {
        fprintf(stderr, "soupbench bench: %s: $.dataset.kind: expected \"synthetic\" (the bench builds its shapes "
                        "from it), found \"%s\"\n",
                config_path, cfg.dataset.kind);
        return SB_EXIT_USAGE;
    }
    char list[256];
    snprintf(list, sizeof list, "%s", presets);
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        SbConfig c = cfg;
        if (sb_bench_preset(name, &c) != 0) {
            fprintf(stderr, "soupbench bench: --presets: unknown preset \"%s\" (quickstart, width256, states)\n",
                    name);
            return SB_EXIT_USAGE;
        }
    }
    openblas_set_num_threads((int)threads);

    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", localtime(&now));
    printf("soupbench bench %s (%s)\n", config_path, today);
    printf("OpenBLAS %s; %d thread%s (%ld CPUs online); %s\n", openblas_get_config(), openblas_get_num_threads(),
           openblas_get_num_threads() == 1 ? "" : "s", sysconf(_SC_NPROCESSORS_ONLN), sb_vmath_describe());
    printf("every figure: median (min-max) of %ld repeats, each repeat at least %.0f ms of calls; whole runs: %d "
           "runs\n\n",
           repeats, BENCH_MIN_SECONDS * 1e3, RUN_REPEATS);
    fflush(stdout);
    sb_bench_config_path = config_path;
    if (scaling)
        return sb_bench_scaling(&cfg, (int)repeats, (int)threads, outdir);

    sb_bench_dgemm_peak_cached = sb_bench_dgemm_peak((int)repeats, 1);
    printf("step = forward over every state + training loss and its gradient + backward (no optimiser update);\n"
           "\"GEMM peak\" = the step's GEMM FLOPs per second as a share of the DGEMM peak\n\n");
    printf(ROW_FMT, "preset", "item", "C median (min-max)", "GEMM", "PyTorch f64 median (min-max)", "C/PyTorch");
    printf(ROW_FMT, "", "", "", "peak", "", "");
    Options o = {(int)repeats, (int)threads, torch, 0, ""};
    int failures = 0;
    snprintf(list, sizeof list, "%s", presets);
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        SbConfig c = cfg;
        sb_bench_preset(name, &c);
        failures += preset_in_child(name, &c, &o);
    }
    bench_refit((int)repeats);
    if (runs && bench_runs(config_path, &o) != 0)
        failures++;
    printf("\n");
    if (!torch)
        printf("PyTorch column: skipped (--no-torch)\n");
    else if (o.torch_missing[0])
        printf("PyTorch column missing: %s (make bench installs Debian's python3-torch: sh harness/ensure_deps.sh "
               "--bench)\n",
               o.torch_missing);
    else
        printf("PyTorch: same inputs, weights and pairs exported from C; loss within %.0e and gradient within %.0e "
               "(relative) of C's before timing\n",
               CHECK_LOSS_REL, CHECK_GRAD_REL);
    return failures ? SB_EXIT_FAIL : SB_EXIT_OK;
}
