/* soupbench: the learned inputs of the weight-based baselines (SPEC
 * section 2, "Information").
 *
 * Nobody is handed the exact aspect rewards r_j or the exact Q^{pi_ref}_j.
 * Both are estimated once per experiment from `samples` trajectories of
 * pi_ref on the training prompts (p->init), with the aspect rewards
 * r_j(s_t, a_t) observed along them:
 *  - the reward model rhat_j(s, a) = [phi(s, a), 1] . theta_j, a ridge
 *    regression of the observed r_j on the state-action features phi
 *    (on candidate sets phi are the text features, so this regresses the
 *    training candidates' aspect scores on their text);
 *  - the successor features psihat_j(s, a) = [phi(s, a), 1] . theta_{t,j},
 *    a Monte Carlo regression, per step t, of the observed return-to-go
 *    sum_{t' >= t} r_j(s_t', a_t') on phi(s_t, a_t). In a linear MDP
 *    Q^{pi_ref}_j is linear in phi at every step, so the regression is
 *    consistent there; at H = 1 psihat = rhat.
 * The sample count is part of the information these methods receive and
 * is stored with them. Their held-out error is measured against the truth
 * on the evaluation prompts (p->eval_init), weighted by pi_ref's visits. */
#ifndef SB_LEARNED_H
#define SB_LEARNED_H

#include <stdint.h>

#include "config.h"
#include "problem.h"
#include "results.h"

typedef struct {
    int m, d, H;
    int samples;           /* pi_ref trajectories drawn on the training prompts */
    double l2;             /* ridge strength of every regression */
    double *rhat;          /* [m x n_sa]: rhat_j on every state-action pair */
    double *psihat;        /* [m x n_sa]: psihat_j on every pair */
    double *reward_theta;  /* [m x (d + 1)]: theta_j, the intercept last */
    double *sf_theta;      /* [H x m x (d + 1)] */
    double *reward_rmse;   /* [m]: held-out RMSE of rhat_j against r_j */
    double *sf_rmse;       /* [m]: held-out RMSE of psihat_j against the exact Q^{pi_ref}_j */
    double *reward_scale;  /* [m]: held-out RMS of r_j itself (the RMSE's yardstick) */
    double *sf_scale;      /* [m]: held-out RMS of Q^{pi_ref}_j */
} SbLearnedAspects;

/* Ridge regression of y [n] on the rows of X [n x d] plus an intercept:
 * theta [d + 1] minimises sum_i (y_i - [x_i, 1] . theta)^2 + l2 ||theta_{0..d-1}||^2
 * (the intercept is not penalised), by a Cholesky solve of the normal
 * equations. Plain loops in a fixed order: bit-identical for any thread count. */
void sb_ridge_fit(const double *X, const double *y, int n, int d, double l2, double *theta);

SbLearnedAspects *sb_learned_aspects_fit(const SbProblem *p, int samples, double l2, uint64_t seed);
/* The experiment's learned inputs: $.learned.samples and $.learned.l2,
 * rollouts from the seed's "learned" stream. */
SbLearnedAspects *sb_learned_for(const SbProblem *p, const SbConfig *cfg);
/* <group>/reward_theta, sf_theta, heldout (per aspect: the two RMSEs and
 * their yardsticks) and the attributes samples, l2. */
void sb_learned_aspects_write(const SbLearnedAspects *la, SbResults *r, const char *group);
void sb_learned_aspects_free(SbLearnedAspects *la);

#endif
