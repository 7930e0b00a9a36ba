/* soupbench method `rewarded_soup` (Rame et al. 2023): full-parameter
 * fine-tuned experts, one per aspect, merged as theta = sum_j w_j theta_j
 * with w the user's weights projected on the simplex. */
#include <stdlib.h>

#include "method.h"
#include "sb.h"
#include "stats.h"
#include "train.h"

static void rewarded_soup_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    (void)state;
    const SbBasis *e = ctx->experts;
    double *c = sb_zeros(e->K);
    sb_project_simplex(w, e->K, c);
    SbPolicy *merged = sb_policy_combine((const SbPolicy *const *)e->policies[SB_POLICY_FULL], c, e->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
    free(c);
}

const SbMethod sb_method_rewarded_soup = {
    .name = "rewarded_soup",
    .description = "rewarded soups: full fine-tuned aspect experts merged in parameters with the user's simplex weights",
    .needs = SB_NEEDS_EXPERTS,
    .online = SB_ONLINE_WEIGHTS,
    .serve = rewarded_soup_serve,
    .style = {.rgb = 0x1f77b4, .point = 9},
};
