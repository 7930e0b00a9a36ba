/* soupbench bench: how fast the harness is on this machine (SPEC section 6,
 * "Cost"). Speed figures live here, printed side by side in one run, never
 * in timed unit tests: the machine's DGEMM peak, one training step of the
 * config's problem against that peak, and the time to train the whole
 * basis. Every figure is a median over repeats. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basis.h"
#include "commands.h"
#include "config.h"
#include "cost.h"
#include "mlp.h"
#include "policy.h"
#include "sb.h"
#include "solver.h"
#include "synthetic.h"
#include "train.h"

static const char usage[] =
    "usage: soupbench bench [CONFIG.json] [--repeats N] [--threads N]\n"
    "\n"
    "Print, for the problem of CONFIG.json (default\n"
    "paper/experiments/quickstart.json): the machine's DGEMM GFLOP/s, the time\n"
    "and GFLOP/s of one training step (forward, loss gradient, backward) for\n"
    "each trainer and form, as a fraction of that DGEMM peak, and the time to\n"
    "train the whole basis. Every figure is the median of the repeats.\n"
    "\n"
    "  --repeats N     timed repeats per figure (default 7, at least 3)\n"
    "  --threads N     OpenBLAS threads (default 1)\n"
    "  --help          this text\n"
    "\n"
    "Exit status: 0 success, 2 bad usage or bad input.\n";

/* ------------------------------------------------------------------ */
/* timing                                                             */

/* A repeat runs the call enough times to last this long, so that short
 * calls are not lost in the clock's and the scheduler's noise. */
#define BENCH_MIN_SECONDS 0.02

typedef struct {
    double median, lo, hi; /* seconds per call */
} Timing;

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Seconds per call of `inner` back-to-back calls. */
static double time_calls(void (*fn)(void *), void *arg, long inner)
{
    double start = sb_now();
    for (long i = 0; i < inner; i++)
        fn(arg);
    return (sb_now() - start) / (double)inner;
}

/* Median, min and max over `repeats` of the seconds per call. The
 * calibration calls come first and double as the warm-up (page faults,
 * OpenBLAS thread start-up). */
static Timing bench_median(void (*fn)(void *), void *arg, int repeats)
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
    qsort(s, (size_t)repeats, sizeof *s, compare_doubles);
    Timing out = {repeats % 2 ? s[repeats / 2] : 0.5 * (s[repeats / 2 - 1] + s[repeats / 2]), s[0],
                  s[repeats - 1]};
    free(s);
    return out;
}

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
static double bench_dgemm(int repeats)
{
    static const int sizes[] = {128, 256, 512, 1024};
    double peak = 0;
    int peak_n = 0;
    SbRng rng;
    sb_rng_seed(&rng, 1);
    printf("DGEMM (cblas_dgemm, square n x n, C = A B):\n");
    printf("  %6s  %12s  %9s  %8s\n", "n", "ms/call", "GFLOP/s", "spread");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int n = sizes[i];
        size_t nn = (size_t)n * n;
        Gemm g = {n, sb_zeros(nn), sb_zeros(nn), sb_zeros(nn)};
        for (size_t j = 0; j < nn; j++) {
            g.A[j] = sb_rng_normal(&rng);
            g.B[j] = sb_rng_normal(&rng);
        }
        Timing t = bench_median(gemm_call, &g, repeats);
        double gflops = 2.0 * n * n * (double)n / t.median * 1e-9;
        printf("  %6d  %12.3f  %9.2f  %7.1f%%\n", n, t.median * 1e3, gflops, 100 * (t.hi - t.lo) / t.median);
        if (gflops > peak)
            peak = gflops, peak_n = n;
        free(g.A);
        free(g.B);
        free(g.C);
    }
    printf("  peak: %.2f GFLOP/s (n = %d)\n\n", peak, peak_n);
    return peak;
}

/* ------------------------------------------------------------------ */
/* one training step                                                  */

typedef struct {
    const SbProblem *p;
    SbPolicy *pol;
    const double *r; /* the reward trained on (pg) */
    SbPairs pairs;   /* the training pairs (dpo); n = 0 for pg */
    double *logits, *dlogits, *grad;
    double loss_seconds, step_seconds; /* accumulated over every call */
} Step;

/* Forward over every state, the loss gradient, backward: the work of one
 * sb_train step without the optimiser update and the held-out loss. The
 * weights do not move, so every call does the same work. */
static void step_call(void *arg)
{
    Step *st = arg;
    double t0 = sb_now();
    SbPolicyCache cache;
    sb_policy_logits_cached(st->p, st->pol, st->logits, &cache);
    double t1 = sb_now();
    if (st->pairs.n)
        sb_dpo_loss(st->p, &st->pairs, st->logits, st->dlogits, NULL);
    else
        sb_policy_objective(st->p, st->r, st->logits, st->dlogits); /* the sign does not change the work */
    double t2 = sb_now();
    sb_policy_backward(st->pol, &cache, st->dlogits, st->grad);
    sb_policy_cache_free(&cache);
    st->loss_seconds += t2 - t1;
    st->step_seconds += sb_now() - t0;
}

static void print_gemm(const char *what, int M, int K, int N)
{
    printf("      %-24s %5d x %-5d * %5d x %-5d\n", what, M, K, K, N);
}

/* The GEMMs of one step (harness/mlp.c, harness/policy.c), so a reader
 * sees how small they are next to the DGEMM table above. */
static void print_step_shapes(const SbProblem *p, const SbConfig *cfg)
{
    const SbRefNet *ref = p->ref_net;
    int n = p->n_states, w = ref->width, V = ref->n_out, L = ref->layers, r = cfg->lora.rank;
    char what[64];
    printf("  GEMMs of one step (M x K * K x N; M = %d states in the forward pass):\n", n);
    for (int l = 0; l < L; l++) {
        snprintf(what, sizeof what, "forward layer %d", l);
        print_gemm(what, n, l == 0 ? ref->n_in : w, w);
    }
    print_gemm("forward head", n, w, V);
    print_gemm("backward head dW (full)", V, n, w);
    print_gemm("backward head dh", n, V, w);
    for (int l = L - 1; l >= 0; l--) {
        snprintf(what, sizeof what, "backward layer %d dW", l);
        print_gemm(what, w, n, l == 0 ? ref->n_in : w);
        if (l > 0) {
            snprintf(what, sizeof what, "backward layer %d dh", l);
            print_gemm(what, n, w, w);
        }
    }
    for (int l = 0; l < L; l++) {
        int fan_in = l == 0 ? ref->n_in : w;
        snprintf(what, sizeof what, "lora layer %d merge B A", l);
        print_gemm(what, w, r, fan_in);
        snprintf(what, sizeof what, "lora layer %d dA", l);
        print_gemm(what, r, w, fan_in);
        snprintf(what, sizeof what, "lora layer %d dB", l);
        print_gemm(what, w, fan_in, r);
    }
}

static void bench_steps(const SbProblem *p, const SbConfig *cfg, double peak, int repeats)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    /* the reward of aspect 0; any reward costs the same */
    double *w = sb_zeros(p->m), *r = sb_zeros(n_sa);
    w[0] = 1;
    sb_problem_user_reward(p, w, r);

    print_step_shapes(p, cfg);
    printf("  step = forward over all %d states + loss gradient + backward (no optimiser update);\n"
           "  FLOPs as counted by sb_mlp_flops (the MLP GEMMs and elementwise work)\n",
           p->n_states);
    printf("  %-7s %-5s %9s %9s %11s %9s %8s %10s\n", "trainer", "form", "us/step", "spread", "kFLOP/step",
           "GFLOP/s", "of peak", "loss time");
    for (SbTrainer t = 0; t < SB_TRAINERS; t++)
        for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
            SbRng rng;
            sb_rng_seed(&rng, cfg->seed);
            Step st = {.p = p, .r = r, .logits = sb_zeros(n_sa), .dlogits = sb_zeros(n_sa)};
            st.pol = sb_policy_new(p->ref_net, f, cfg->lora.rank, cfg->lora.alpha, &rng);
            st.grad = sb_zeros(st.pol->n_params);
            if (t == SB_TRAINER_DPO) {
                SbPairLabels labels = {SB_LABELS_NOISE_FREE, 1.0, 1};
                st.pairs = sb_pairs_sample(p, r, cfg->train.pairs, 0, p->n_prompts, &labels, &rng);
            }
            double f0 = sb_mlp_flops();
            step_call(&st);
            double flops = sb_mlp_flops() - f0;
            Timing tm = bench_median(step_call, &st, repeats);
            double gflops = flops / tm.median * 1e-9;
            printf("  %-7s %-5s %9.1f %8.1f%% %11.1f %9.3f %7.2f%% %9.0f%%\n", sb_trainer_name(t),
                   sb_policy_form_name(f), tm.median * 1e6, 100 * (tm.hi - tm.lo) / tm.median, flops * 1e-3, gflops,
                   100 * gflops / peak, 100 * st.loss_seconds / st.step_seconds);
            if (st.pairs.n)
                sb_pairs_free(&st.pairs);
            sb_policy_free(st.pol);
            free(st.grad);
            free(st.dlogits);
            free(st.logits);
        }
    printf("\n");
    free(r);
    free(w);
}

/* ------------------------------------------------------------------ */
/* the whole basis                                                    */

typedef struct {
    const SbProblem *p;
    const SbConfig *cfg;
    int K;
    long steps; /* Adam steps run by the last build, every policy */
} Basis;

static void basis_call(void *arg)
{
    Basis *b = arg;
    SbProgress pg;
    sb_progress_start(&pg, "basis", 0, 1);
    SbBasis *basis = sb_basis_build(b->p, b->cfg, &pg);
    b->steps = 0;
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
        for (int k = 0; k < basis->K; k++)
            b->steps += basis->stats[f][k].steps;
    b->K = basis->K;
    sb_basis_free(basis);
    sb_cost_reset(); /* the ledger would grow with every repeat */
}

static void bench_basis(const SbProblem *p, const SbConfig *cfg, int repeats)
{
    SbConfig c = *cfg;
    c.basis.load[0] = '\0'; /* time the training, never a reload */
    if (sb_basis_size(&c, p->m) == 0) {
        printf("basis: kind \"none\", nothing to train\n");
        return;
    }
    Basis b = {p, &c, 0, 0};
    Timing t = bench_median(basis_call, &b, repeats);
    printf("basis (sb_basis_build): kind %s, K = %d, %d policies (K x {lora, full}), trainer %s,\n"
           "  budget %d steps, patience %d\n",
           sb_basis_kind_name(c.basis.kind), b.K, b.K * SB_POLICY_FORMS, sb_trainer_name(c.train.trainer), c.train.steps,
           c.train.patience);
    printf("  median %.2f ms  (min %.2f, max %.2f)\n", t.median * 1e3, t.lo * 1e3, t.hi * 1e3);
    printf("  %ld Adam steps run in all: %.1f us per step with the optimiser and held-out loss\n", b.steps,
           t.median / (double)b.steps * 1e6);
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
    const char *config_path = NULL;
    long repeats = 7, threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(a, "--repeats") == 0 || strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench bench: %s needs a value\n%s", a, usage);
                return SB_EXIT_USAGE;
            }
            const char *v = argv[++i];
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
    openblas_set_num_threads((int)threads);

    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", localtime(&now));
    printf("soupbench bench %s (%s)\n", config_path, today);
    printf("OpenBLAS %s; %d thread%s (%ld CPUs online)\n", openblas_get_config(), openblas_get_num_threads(),
           openblas_get_num_threads() == 1 ? "" : "s", sysconf(_SC_NPROCESSORS_ONLN));
    printf("every figure: median of %ld repeats, each repeat at least %.0f ms of calls\n\n", repeats,
           BENCH_MIN_SECONDS * 1e3);
    fflush(stdout);

    double peak = bench_dgemm((int)repeats);
    SbProblem *p = sb_synthetic_build(&cfg);
    char desc[256];
    sb_synthetic_describe(p, desc, sizeof desc);
    const SbRefNet *ref = p->ref_net;
    printf("training step on %s: %s\n  network: input %d, %d tanh layers of width %d, %d outputs; LoRA rank %d\n",
           cfg.name, desc, ref->n_in, ref->layers, ref->width, ref->n_out, cfg.lora.rank);
    bench_steps(p, &cfg, peak, (int)repeats);
    fflush(stdout);
    bench_basis(p, &cfg, (int)repeats);
    sb_problem_free(p);
    return SB_EXIT_OK;
}
