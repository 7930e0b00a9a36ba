/* soupbench methods `rewarded_soup` (Rame et al. 2023) and
 * `rewarded_soup_truew`: full-parameter fine-tuned experts, one per aspect,
 * merged as theta = sum_j w_j theta_j with weights on the simplex;
 * w_hat estimated from the user's feedback on learned aspect scores
 * (methods/estimate.h), or the true w for the oracle-information variant. */
#include <stdlib.h>

#include "estimate.h"
#include "method.h"
#include "sb.h"
#include "stats.h"
#include "train.h"

static void rewarded_soup_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm,
                                double *logits)
{
    (void)state;
    const SbBasis *e = ctx->experts;
    double *c = sb_zeros(e->K);
    sb_project_simplex(sb_weights_for(ctx, user, warm), e->K, c);
    SbPolicy *merged = sb_policy_combine((const SbPolicy *const *)e->policies[SB_POLICY_FULL], c, e->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
    free(c);
}

const SbMethod sb_method_rewarded_soup = {
    .name = "rewarded_soup",
    .description = "rewarded soups: full fine-tuned aspect experts merged in parameters with simplex weights "
                   "w_hat estimated from the user's feedback on learned aspect scores",
    .needs = SB_NEEDS_EXPERTS | SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .serve = rewarded_soup_serve,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .style = {.rgb = 0x1f77b4, .point = 9},
};

const SbMethod sb_method_rewarded_soup_truew = {
    .name = "rewarded_soup_truew",
    .description = "rewarded soups with the user's true weights (oracle information)",
    .needs = SB_NEEDS_EXPERTS,
    .information = SB_INFO_TRUE_WEIGHTS,
    .online = SB_ONLINE_FIXED,
    .serve = rewarded_soup_serve,
    .style = {.rgb = 0xaec7e8, .point = 13},
};
