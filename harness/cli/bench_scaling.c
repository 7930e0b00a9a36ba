/* soupbench bench --scaling: how time and memory grow, so that a user can
 * predict a paper-scale run from a laptop-scale one.
 *
 * Five sweeps, each varying one size from the config and holding the rest:
 *   states  the pg training step (LoRA) against the number of states (tree,
 *           8 actions, horizon 3, prompts 8..512);
 *   width   the same step against the hidden width (4,672 states);
 *   horizon the same step against H (linear transitions, 64 prompts and
 *           512 states per later step: states grow linearly with H, as
 *           they do not in a tree, where they grow as V^H);
 *   K       the basis build (2K policies) and the lam refit (1,000 answers)
 *           against the basis size K;
 *   users   the whole offline run (online protocol off) against the number
 *           of held-out users.
 * Each point runs in a child process, so its peak memory (RSS) is its own;
 * the memory figure is the peak less the child's RSS when it started (for
 * whole runs, the run's own peak). A
 * least-squares line through log(time) against log(size) gives the
 * exponent; for the run against users, where a fixed part (basis, Pareto
 * fronts) dominates small sizes, the linear fit time = a + b * users is
 * printed too. Output: the table on standard output, <outdir>/scaling.tsv
 * and the figure <outdir>/scaling.{png,svg}. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basis.h"
#include "bench.h"
#include "cost.h"
#include "figure.h"
#include "logreg.h"
#include "progress.h"
#include "sb.h"
#include "synthetic.h"

#define MAX_POINTS 8

typedef struct {
    const char *name, *axis, *what;
    int n;
    double x[MAX_POINTS];
    double seconds[MAX_POINTS], mib[MAX_POINTS];
} Sweep;

/* ------------------------------------------------------------------ */
/* measuring one point in a child                                     */

/* Resident memory now, in KiB (from /proc/self/statm). */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef double (*PointFn)(const SbConfig *cfg, double x, int repeats);

/* fn in a child: its seconds and its peak memory above its start. */
static int point_in_child(PointFn fn, const SbConfig *cfg, double x, int repeats, double *seconds, double *mib)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        long start = rss_kib();
        double s = fn(cfg, x, repeats);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        dprintf(fds[1], "%.9e %ld", s, ru.ru_maxrss - start);
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    char msg[128] = "";
    ssize_t got = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    msg[got > 0 ? got : 0] = '\0';
    int status;
    waitpid(pid, &status, 0);
    long kib;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || sscanf(msg, "%lf %ld", seconds, &kib) != 2)
        return -1;
    *mib = kib / 1024.0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* the points                                                         */

static double step_seconds(const SbConfig *cfg, int repeats)
{
    SbProblem *p = sb_synthetic_build(cfg);
    SbBenchStep *st = sb_bench_step_new(p, SB_TRAINER_PG, SB_POLICY_LORA, cfg);
    sb_bench_step_call(st);
    SbTiming t = sb_bench_median(sb_bench_step_call, st, repeats);
    sb_bench_step_free(st);
    sb_problem_free(p);
    return t.median;
}

static double point_states(const SbConfig *base, double x, int repeats)
{
    SbConfig c = *base;
    c.dataset.transition = SB_TRANSITION_TREE;
    c.dataset.prompts = (int)x / 73, c.dataset.vocab = 8, c.dataset.horizon = 3; /* 73 states per prompt */
    c.reference.width = 64, c.lora.rank = 8;
    return step_seconds(&c, repeats);
}

static double point_width(const SbConfig *base, double x, int repeats)
{
    SbConfig c = *base;
    c.dataset.transition = SB_TRANSITION_TREE;
    c.dataset.prompts = 64, c.dataset.vocab = 8, c.dataset.horizon = 3;
    c.reference.width = (int)x, c.lora.rank = 8;
    return step_seconds(&c, repeats);
}

static double point_horizon(const SbConfig *base, double x, int repeats)
{
    SbConfig c = *base;
    c.dataset.transition = SB_TRANSITION_LINEAR;
    c.dataset.prompts = 64, c.dataset.vocab = 8, c.dataset.states = 512, c.dataset.horizon = (int)x;
    c.reference.width = 64, c.lora.rank = 8;
    return step_seconds(&c, repeats);
}

static double point_basis(const SbConfig *base, double x, int repeats)
{
    (void)repeats; /* seconds long: one build */
    SbConfig c = *base;
    c.basis.kind = SB_BASIS_RANDOM, c.basis.size = (int)x;
    c.basis.load[0] = '\0';
    SbProblem *p = sb_synthetic_build(&c);
    SbProgress pg;
    sb_progress_start(&pg, "basis", 0, 1);
    double start = sb_now();
    SbBasis *b = sb_basis_build(p, &c, &pg);
    double s = sb_now() - start;
    sb_basis_free(b);
    sb_cost_reset();
    sb_problem_free(p);
    return s;
}


static double point_refit(const SbConfig *base, double x, int repeats)
{
    (void)base;
    SbBenchRefit f = {1000, (int)x, NULL, NULL, NULL};
    f.X = sb_zeros((size_t)f.n * f.K), f.y = sb_zeros(f.n), f.lam = sb_zeros(f.K);
    SbRng rng;
    sb_rng_seed(&rng, 7);
    for (int i = 0; i < f.n; i++) {
        double z = 0;
        for (int k = 0; k < f.K; k++)
            z += (f.X[(size_t)i * f.K + k] = sb_rng_normal(&rng)) / sqrt((double)f.K);
        f.y[i] = sb_rng_uniform(&rng) < 1.0 / (1.0 + exp(-z));
    }
    SbTiming t = sb_bench_median(sb_bench_refit_call, &f, repeats);
    free(f.X), free(f.y), free(f.lam);
    return t.median;
}

/* The config file with $.users.test = users and the online protocol off,
 * written to path; 0 on success. */
static int write_users_config(const char *config, int users, const char *path)
{
    FILE *f = fopen(config, "r");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = sb_calloc((size_t)n + 1, 1);
    size_t got = fread(text, 1, (size_t)n, f);
    fclose(f);
    text[got] = '\0';
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        return -1;
    cJSON *u = cJSON_GetObjectItem(root, "users");
    if (!u)
        cJSON_AddItemToObject(root, "users", u = cJSON_CreateObject());
    cJSON_DeleteItemFromObject(u, "test");
    cJSON_AddNumberToObject(u, "test", users);
    cJSON *o = cJSON_GetObjectItem(root, "online");
    if (!o)
        cJSON_AddItemToObject(root, "online", o = cJSON_CreateObject());
    cJSON_DeleteItemFromObject(o, "rounds");
    cJSON_AddNumberToObject(o, "rounds", 0);
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *w = fopen(path, "w");
    int rc = w && fputs(out, w) >= 0 ? 0 : -1;
    if (w && fclose(w) != 0)
        rc = -1;
    free(out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* fits                                                               */

/* Least squares y = a + b x; returns b, *a the intercept. */
static double line_fit(const double *x, const double *y, int n, double *a)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++)
        mx += x[i] / n, my += y[i] / n;
    for (int i = 0; i < n; i++)
        sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    double b = sxx > 0 ? sxy / sxx : NAN;
    *a = my - b * mx;
    return b;
}

/* Exponent of y ~ c x^b (log-log least squares), *c the prefactor. */
static double power_fit(const double *x, const double *y, int n, double *c)
{
    double lx[MAX_POINTS], ly[MAX_POINTS], a;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (x[i] > 0 && y[i] > 0)
            lx[m] = log(x[i]), ly[m] = log(y[i]), m++;
    double b = m >= 2 ? line_fit(lx, ly, m, &a) : NAN;
    *c = exp(a);
    return b;
}

/* ------------------------------------------------------------------ */
/* output                                                             */

static void print_sweep(const Sweep *s, FILE *tsv)
{
    double c, cm;
    double b = power_fit(s->x, s->seconds, s->n, &c);
    double bm = power_fit(s->x, s->mib, s->n, &cm);
    printf("  %-8s %-44s time ~ %.3g * %s^%.2f   peak memory ~ %.3g MiB * %s^%.2f\n", s->name, s->what, c, s->axis,
           b, cm, s->axis, bm);
    for (int i = 0; i < s->n; i++) {
        printf("           %s = %-8g %12.6f s %10.1f MiB\n", s->axis, s->x[i], s->seconds[i], s->mib[i]);
        fprintf(tsv, "%s\t%g\t%.9e\t%.3f\n", s->name, s->x[i], s->seconds[i], s->mib[i]);
    }
}

static void plot_sweeps(const Sweep *sweeps, int n, const char *outdir)
{
    SbFigure *fig = sb_figure_begin();
    /* six panels want a larger canvas than plots/common.gp's */
    sb_figure_command(fig, "if (fmt eq 'png') { set terminal pngcairo size 1500,950 noenhanced font 'Sans,11' "
                           "linewidth 1.5; set output out }");
    sb_figure_command(fig, "if (fmt eq 'svg') { set terminal svg size 1500,950 dynamic noenhanced font 'Sans,11' "
                           "linewidth 1.5 background '#ffffff'; set output out }");
    sb_figure_command(fig, "set multiplot layout 2,3 title 'soupbench bench --scaling: time (left, points and "
                           "fit) and peak memory (right, dashed)'");
    sb_figure_command(fig, "set logscale xy");
    sb_figure_command(fig, "set logscale y2");
    sb_figure_command(fig, "set y2tics");
    sb_figure_command(fig, "set key bottom right font ',9'");
    for (int k = 0; k < n; k++) {
        const Sweep *s = &sweeps[k];
        double data[MAX_POINTS * 4], c, cm;
        double b = power_fit(s->x, s->seconds, s->n, &c);
        power_fit(s->x, s->mib, s->n, &cm);
        for (int i = 0; i < s->n; i++) {
            data[i * 4 + 0] = s->x[i];
            data[i * 4 + 1] = s->seconds[i];
            data[i * 4 + 2] = c * pow(s->x[i], b);
            data[i * 4 + 3] = s->mib[i] > 0.05 ? s->mib[i] : NAN;
        }
        char block[16], title[96];
        snprintf(block, sizeof block, "S%d", k);
        sb_figure_block(fig, block, s->n, 4, data, NULL);
        char *what = sb_figure_quote(s->what);
        sb_figure_command(fig, "set title '%s' font ',10'", what);
        sb_figure_command(fig, "set xlabel '%s'", s->axis);
        sb_figure_command(fig, "set ylabel 'seconds'");
        sb_figure_command(fig, "set y2label 'MiB'");
        free(what);
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .style = "points pt 7", .rgb = 0x1f77b4,
                                          .title = "time"});
        snprintf(title, sizeof title, "fit: exponent %.2f", b);
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 3, .style = "lines lw 2", .rgb = 0x1f77b4,
                                          .title = title});
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 4, .right_axis = 1,
                                          .style = "linespoints dt 2 pt 6", .rgb = 0xd62728, .title = "memory"});
        sb_figure_plot(fig);
    }
    sb_figure_command(fig, "unset multiplot");
    SbFigureOutput out = {outdir, {"png", "svg"}, 2};
    sb_figure_draw(fig, &out, "scaling");
    sb_figure_free(fig);
}

int sb_bench_scaling(const SbConfig *cfg, int repeats, int threads, const char *outdir)
{
    (void)threads; /* set by the caller for this process and its children */
    static const struct {
        const char *name, *axis, *what;
        PointFn fn;
        int n;
        double x[MAX_POINTS];
    } plan[] = {
        {"states", "states", "pg step (LoRA r 8, width 64, tree V 8 H 3)", point_states, 4, {584, 2336, 9344, 37376}},
        {"width", "width", "pg step (LoRA r 8, 4,672 states)", point_width, 5, {16, 32, 64, 128, 256}},
        {"horizon", "H", "pg step (linear MDP, 512 states per step)", point_horizon, 5, {2, 3, 4, 6, 8}},
        {"K", "K", "basis build (2K policies, the config's problem)", point_basis, 4, {2, 4, 8, 16}},
        {"K_refit", "K", "lam refit (1,000 answers)", point_refit, 5, {4, 8, 16, 32, 64}},
    };
    enum { N_PLAN = sizeof plan / sizeof plan[0] };
    Sweep sweeps[N_PLAN + 1];
    memset(sweeps, 0, sizeof sweeps);
    printf("scaling: each point in its own process; time = median of %d repeats (basis builds: one; "
           "runs: the faster of two);\nmemory = peak RSS above the process's start (runs: the whole process's)\n\n",
           repeats);
    for (int k = 0; k < (int)N_PLAN; k++) {
        Sweep *s = &sweeps[k];
        s->name = plan[k].name, s->axis = plan[k].axis, s->what = plan[k].what, s->n = plan[k].n;
        for (int i = 0; i < s->n; i++) {
            s->x[i] = plan[k].x[i];
            if (point_in_child(plan[k].fn, cfg, s->x[i], repeats, &s->seconds[i], &s->mib[i]) != 0) {
                fprintf(stderr, "soupbench bench --scaling: %s = %g failed\n", s->axis, s->x[i]);
                return SB_EXIT_FAIL;
            }
        }
    }
    /* users: the whole offline run */
    Sweep *s = &sweeps[N_PLAN];
    static const double users[] = {4, 8, 16, 32, 64};
    *s = (Sweep){"users", "users", "whole run, offline protocol (online off)", 5, {0}, {0}, {0}};
    char config[64], out[64];
    snprintf(config, sizeof config, "/tmp/soupbench-scaling-%ld.json", (long)getpid());
    snprintf(out, sizeof out, "/tmp/soupbench-scaling-%ld.h5", (long)getpid());
    for (int i = 0; i < s->n; i++) {
        s->x[i] = users[i];
        s->seconds[i] = INFINITY;
        for (int run = 0; run < 2; run++) { /* the faster of two runs */
            double wall, user, sys;
            long kib;
            if (write_users_config(sb_bench_config_path, (int)users[i], config) != 0 ||
                sb_bench_run_child(config, threads, out, &wall, &user, &sys, &kib) != 0) {
                fprintf(stderr, "soupbench bench --scaling: the run with %g users failed\n", users[i]);
                unlink(config);
                return SB_EXIT_FAIL;
            }
            if (wall < s->seconds[i])
                s->seconds[i] = wall, s->mib[i] = kib / 1024.0;
        }
    }
    unlink(config);

    mkdir(outdir, 0777);
    char path[1024];
    snprintf(path, sizeof path, "%s/scaling.tsv", outdir);
    FILE *tsv = fopen(path, "w");
    if (!tsv) {
        fprintf(stderr, "soupbench bench --scaling: cannot write %s\n", path);
        return SB_EXIT_FAIL;
    }
    fprintf(tsv, "sweep\tsize\tseconds\tpeak_mib\n");
    for (int k = 0; k <= (int)N_PLAN; k++)
        print_sweep(&sweeps[k], tsv);
    fclose(tsv);
    double a;
    double b = line_fit(s->x, s->seconds, s->n, &a);
    printf("  users, linear fit: time = %.3f s + %.4f s per user (whole run; the fixed part is the basis and the "
           "Pareto fronts)\n",
           a, b);
    printf("\ntable: %s\n", path);
    plot_sweeps(sweeps, N_PLAN + 1, outdir);
    return SB_EXIT_OK;
}
