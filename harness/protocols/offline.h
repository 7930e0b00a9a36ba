/* soupbench: the offline protocol (SPEC sections 2 and 6). Every method
 * serves every held-out user with the user's true weights; each served
 * policy is evaluated exactly (J_u, KL, expected aspect rewards), against
 * pi_ref and against the population baseline (win-rates; SB_ROLE_POPULATION,
 * rlhf_avg), and normalised against the normaliser (SB_ROLE_NORMALISER,
 * bespoke_rlhf) when these are run; each aspect pair's weight grid traces
 * the method's Pareto front. */
#ifndef SB_OFFLINE_H
#define SB_OFFLINE_H

#include "config.h"
#include "method.h"
#include "problem.h"
#include "progress.h"
#include "results.h"

#define SB_PARETO_COLS 8 /* w_i, w_j, r_i, r_j, J, KL, winrate_ref, nondominated */
#define SB_SUMMARY_COLS 16

typedef struct {
    const SbMethod *method;
    void *state;
    int n_users, user_cols;
    /* [n_users x user_cols]: J, KL, reward_total, r_1..r_m, winrate_ref, lo, hi,
     * winrate_avg, lo, hi, normalized (NaN where the comparison is absent) */
    double *users;
    int n_pairs, grid;
    double *pareto;       /* [n_pairs x grid x SB_PARETO_COLS] */
    double *hypervolume;  /* [n_pairs] */
    double summary[SB_SUMMARY_COLS];
    int guarded; /* held-out users left out of the per-user normalised mean (-1: no normaliser run) */
} SbMethodResult;

/* Column of the users table. */
enum {
    SB_U_J = 0,
    SB_U_KL = 1,
    SB_U_REWARD = 2,
    SB_U_ASPECTS = 3, /* m columns */
};
static inline int sb_user_col_winref(int m) { return 3 + m; }
static inline int sb_user_col_winavg(int m) { return 6 + m; }
static inline int sb_user_col_norm(int m) { return 9 + m; }

/* Serves per method: the held-out users and the distinct weights of the
 * Pareto sweeps. */
long sb_offline_serves(const SbContext *ctx);
/* Prepare, serve and evaluate every method, each serve an independent unit
 * (harness/base/units.h); advances pg by n_methods * sb_offline_serves. */
void sb_offline_run(const SbContext *ctx, const SbMethod *const *methods, int n, SbProgress *pg,
                    SbMethodResult *res);
/* /methods/<name>/{users,pareto/...} and the methods' own outputs, then /summary. */
void sb_offline_write(SbResults *r, const SbContext *ctx, SbMethodResult *res, int n);
/* The summary table on stdout: the default comparison, then the
 * oracle-information variants in a block of their own, each row with what
 * the method received. */
void sb_offline_print_summary(const SbContext *ctx, const SbMethodResult *res, int n);

/* The normalised-score guard: 1 when the user's bespoke policy gains less
 * than `guard` of the oracle's gain over pi_ref (span = J_bespoke - J_ref,
 * J_ref the reference's J), so the per-user ratio would divide by (almost)
 * nothing; such users are left out of the per-user mean and counted, the
 * pooled score keeps them. */
int sb_normalized_guarded(const SbProblem *p, const double *w, double J_ref, double span, double guard);
/* The guard's rule itself, given the oracle's gain J_oracle - J_ref. */
static inline int sb_guard_applies(double span, double oracle_gain, double guard)
{
    return !(span > 0) || span < guard * oracle_gain;
}
/* How much personalisation can matter, printed under the summary and
 * stored as /summary attributes. The mean over pairs u < v of the n users
 * [n x m] of (1/H) sum_s d_ref(s) TV(pi*_u(.|s), pi*_v(.|s)), d_ref
 * pi_ref's visits from p->eval_init (summing to 1 within each step): in
 * [0, 1], 0 when every user has the same optimal policy. */
double sb_users_policy_tv(const SbProblem *p, const double *users, int n);
/* 100 sum_u (J_u(pi*_wbar) - J_u(pi_ref)) / sum_u (J_u(pi*_u) - J_u(pi_ref))
 * over the n users: the share of the oracle's gain that the exact optimum
 * of the population's mean weights w_bar [m] reaches (the best any one
 * policy served to everyone on r_wbar can do); NaN when the oracle gains
 * nothing in total. */
double sb_population_optimum_share(const SbProblem *p, const double *w_bar, const double *users, int n);

/* The methods' names joined with commas (malloc'd): the `rows` attribute
 * of per-method tables. */
char *sb_method_result_names(const SbMethodResult *res, int n);
/* Releases the methods' states too. */
void sb_method_result_free(SbMethodResult *res);

/* Number of unordered aspect pairs (i < j) and the k-th one. */
int sb_aspect_pairs(int m);
void sb_aspect_pair(int m, int k, int *i, int *j);

#endif
