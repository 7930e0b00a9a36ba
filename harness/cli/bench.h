/* soupbench bench: the measuring helpers shared by the table (bench.c)
 * and the scaling study (bench_scaling.c). */
#ifndef SB_BENCH_H
#define SB_BENCH_H

#include "config.h"
#include "pairs.h"
#include "policy.h"
#include "problem.h"
#include "train.h"

typedef struct {
    double median, lo, hi; /* seconds per call */
} SbTiming;

/* Median, min and max of n numbers (sorts s). */
SbTiming sb_bench_summary(double *s, int n);
/* Seconds per call of fn(arg) over `repeats` repeats, each repeat long
 * enough to be measured (the calibration doubles as the warm-up). */
SbTiming sb_bench_median(void (*fn)(void *), void *arg, int repeats);

/* One lam refit from zero: n answers on K implicit-reward differences X
 * [n x K] with labels y, L2 strength 1 (the online protocol's). */
typedef struct {
    int n, K;
    double *X, *y, *lam;
} SbBenchRefit;
void sb_bench_refit_call(void *arg);
/* The best GFLOP/s of square cblas_dgemm calls (printed when verbose). */
double sb_bench_dgemm_peak(int repeats, int verbose);
extern double sb_bench_dgemm_peak_cached;
/* The config file the bench was given (the users sweep runs it). */
extern const char *sb_bench_config_path;

/* One training step of a trainer and form on a problem, with its own
 * policy (LoRA: B != 0), reward and pairs, and the trainer's workspace. */
typedef struct {
    const SbProblem *p;
    SbTrainer trainer;
    SbPolicy *pol;
    double *r;      /* the reward trained on (pg) */
    SbPairs pairs;  /* the training pairs (dpo) */
    SbTrainWork *work;
    double *grad;   /* [n_params] of the last step */
    double loss;    /* of the last step */
} SbBenchStep;

SbBenchStep *sb_bench_step_new(const SbProblem *p, SbTrainer trainer, SbPolicyForm form, const SbConfig *cfg);
void sb_bench_step_call(void *step);
void sb_bench_step_free(SbBenchStep *st);
/* GEMM floating-point operations of one step. */
double sb_bench_step_gemm_flops(const SbProblem *p, SbPolicyForm form, int rank);

/* The config resized to a named preset (quickstart: unchanged, width256,
 * states); -1 for an unknown name. */
int sb_bench_preset(const char *name, SbConfig *cfg);
/* `soupbench run CONFIG --out OUT --quiet --threads N` in a child process:
 * wall, user and system seconds, peak memory (KiB); 0 on success. */
int sb_bench_run_child(const char *config, int threads, const char *out, double *wall, double *user, double *sys,
                       long *kib);

/* `soupbench bench --scaling`: time and peak memory against states, width,
 * horizon, K and users; exit status. */
int sb_bench_scaling(const SbConfig *cfg, int repeats, int threads, const char *outdir);

#endif
