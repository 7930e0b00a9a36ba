/* soupbench: the estimators the adaptive methods share (SPEC section 2,
 * "Information").
 *
 * The population prior: every adaptive method starts from the training
 * users' mean weights w_bar, and every logistic fit to a user's feedback
 * shrinks towards its prior, (l2/2) ||theta - theta_prior||^2, so with
 * few answers each method falls back to the population, not to zero.
 *
 * The weight-based baselines (rewarded soups, LoRA soups, MOD, PAD) turn
 * the feedback into w_hat by logistic regression of the answers on the
 * differences of the *learned* aspect scores, sum_t rhat_j(first) -
 * sum_t rhat_j(second) (harness/train/learned.h), starting and shrinking
 * at w_bar. */
#ifndef SB_ESTIMATE_H
#define SB_ESTIMATE_H

#include "method.h"

/* w_bar [m]: the mean of the training users' weights. */
void sb_population_weights(const SbProblem *p, double *w_bar);

/* w_hat [m] from the user's feedback, warm-started from the w_hat passed in
 * and shrunk towards w_bar with the user's l2. */
void sb_weights_estimate(const SbContext *ctx, const SbUser *user, double *w_hat);

/* The weight-based baselines' warm numbers: m (w_hat), their prior w_bar. */
int sb_weights_warm_size(const SbContext *ctx, void *state);
void sb_weights_prior(const SbContext *ctx, void *state, double *w_hat);

/* The weights a weight-based baseline serves with: the user's true w when
 * it is handed (an oracle-information variant), else w_hat estimated from
 * the feedback into warm. Returns a pointer to m numbers. */
const double *sb_weights_for(const SbContext *ctx, const SbUser *user, double *warm);

#endif
