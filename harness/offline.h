/* soupbench: the offline protocol. Every method serves every held-out user
 * with the user's true weights; each served policy is evaluated exactly
 * (J_u, KL, expected aspect rewards) and against pi_ref (win-rate), and
 * each aspect pair's weight grid traces the method's Pareto front. */
#ifndef SB_OFFLINE_H
#define SB_OFFLINE_H

#include "config.h"
#include "method.h"
#include "problem.h"
#include "progress.h"
#include "results.h"

#define SB_PARETO_COLS 7 /* w_i, w_j, r_i, r_j, J, KL, nondominated */

typedef struct {
    const SbMethod *method;
    int n_users, user_cols;
    double *users;        /* [n_users x user_cols]: J, KL, reward_total, r_1..r_m, winrate_ref, lo, hi */
    int n_pairs, grid;
    double *pareto;       /* [n_pairs x grid x SB_PARETO_COLS] */
    double *hypervolume;  /* [n_pairs] */
    double J_mean, J_lo, J_hi, KL_mean, win_mean, win_lo, win_hi;
} SbMethodResult;

/* Expected aspect rewards of pi_ref: the reference point of every front. */
void sb_offline_reference_point(const SbProblem *p, double *aspects);

/* Run one method; advances pg by n_users + n_pairs * grid. */
void sb_offline_run_method(const SbProblem *p, const SbConfig *cfg, const SbMethod *m, void *state,
                           const double *ref_point, SbProgress *pg, SbMethodResult *out);
void sb_offline_write(SbResults *r, const SbProblem *p, const SbMethodResult *res, const double *ref_point);
/* /summary: one row per method. */
void sb_offline_write_summary(SbResults *r, const SbMethodResult *res, int n);
/* The summary table on stdout. */
void sb_offline_print_summary(const SbProblem *p, const SbMethodResult *res, int n);
void sb_method_result_free(SbMethodResult *res);

/* Number of unordered aspect pairs (i < j) and the k-th one. */
int sb_aspect_pairs(int m);
void sb_aspect_pair(int m, int k, int *i, int *j);

#endif
