/* soupbench methods `lora_soup` and `lora_soup_psoups`: one LoRA adapter
 * per aspect, merged with the user's weights projected on the simplex.
 *  - lora_soup: the exact product merge Delta W = sum_j w_j (alpha/r) B_j A_j;
 *  - lora_soup_psoups: the factors averaged separately, A = sum_j w_j A_j and
 *    B = sum_j w_j B_j, as the released P-Soups code does (not the product
 *    merge: cross terms B_i A_j appear).
 * Both estimate w_hat from the user's feedback on learned aspect scores
 * (methods/estimate.h). */
#include <stdlib.h>

#include "estimate.h"
#include "method.h"
#include "sb.h"
#include "stats.h"
#include "train.h"

static void serve_merged(const SbContext *ctx, const SbUser *user, double *warm, double *logits, int product)
{
    const SbBasis *e = ctx->experts;
    double *c = sb_zeros(e->K);
    sb_project_simplex(sb_weights_for(ctx, user, warm), e->K, c);
    const SbPolicy *const *adapters = (const SbPolicy *const *)e->policies[SB_POLICY_LORA];
    SbPolicy *merged =
        product ? sb_policy_lora_product_merge(adapters, c, e->K) : sb_policy_combine(adapters, c, e->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
    free(c);
}

static void lora_soup_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state;
    serve_merged(ctx, user, warm, logits, 1);
}

static void psoups_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state;
    serve_merged(ctx, user, warm, logits, 0);
}

const SbMethod sb_method_lora_soup = {
    .name = "lora_soup",
    .description = "LoRA soup: aspect adapters merged exactly, Delta W = sum_j w_j B_j A_j (simplex weights w_hat from the feedback)",
    .needs = SB_NEEDS_EXPERTS | SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .serve = lora_soup_serve,
    .style = {.rgb = 0x9467bd, .point = 7},
};

const SbMethod sb_method_lora_soup_psoups = {
    .name = "lora_soup_psoups",
    .description = "P-Soups merge: aspect adapters' A and B factors averaged separately with simplex weights w_hat from the feedback",
    .needs = SB_NEEDS_EXPERTS | SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .serve = psoups_serve,
    .style = {.rgb = 0xc49cde, .point = 11},
};
