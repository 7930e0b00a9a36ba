/* soupbench: a user's preference feedback in the offline protocol: the
 * same pairs for every method that learns from feedback (Spectral Souping's
 * lam, lora_soup_cat's coefficients), drawn from pi_ref on the training
 * prompts (the first soup.train_prompts share) and answered under the
 * user's utility r_u with soup.labels / soup.temperature. The stream depends
 * on the seed and the user's weights only. */
#ifndef SB_FEEDBACK_H
#define SB_FEEDBACK_H

#include "method.h"
#include "pairs.h"

SbPairs sb_user_feedback(const SbContext *ctx, const double *w);
/* Number of training prompts (at least one). */
int sb_train_prompts(const SbContext *ctx);

#endif
