/* soupbench: lora_soup_cat's loss, exposed for its gradient test. */
#ifndef SB_LORA_SOUP_CAT_H
#define SB_LORA_SOUP_CAT_H

#include "method.h"
#include "pairs.h"

/* The soft-label DPO loss of the merge with coefficients coef [L x m] on
 * the pairs, and its gradient (nullable); state is the method's prepared
 * state (needs ctx->experts). */
double sb_cat_loss(const SbContext *ctx, const void *state, const SbPairs *pairs, const double *coef,
                   double *grad);

#endif
