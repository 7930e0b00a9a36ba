/* soupbench: a user's preference feedback in the offline protocol: the
 * same pairs for every method that adapts to the user (the soups' lam, the
 * weight-based baselines' w_hat, lora_soup_cat's coefficients; SPEC section
 * 2 "Information"), drawn from pi_ref on the training
 * prompts (the first soup.train_prompts share) and answered under the
 * user's utility r_u with soup.labels / soup.temperature. The stream depends
 * on the seed and the user's weights only. */
#ifndef SB_FEEDBACK_H
#define SB_FEEDBACK_H

#include "method.h"
#include "pairs.h"

SbPairs sb_user_feedback(const SbContext *ctx, const double *w);
/* The population prior's data: the same budget of pairs answered with the
 * expected answers (Bradley-Terry probabilities) of the mean training user
 * w_bar; the soups' lam_bar is fitted to it (methods/spectral.h). */
SbPairs sb_population_feedback(const SbContext *ctx, const double *w_bar);
/* Number of training prompts (at least one). */
int sb_train_prompts(const SbContext *ctx);

#endif
