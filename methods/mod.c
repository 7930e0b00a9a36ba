/* soupbench methods `mod` (Shi et al. 2024) and `mod_truew`: output merging
 * of the aspect experts, softmax(sum_j w_j l_j), with weights on the
 * simplex. The experts are of the output-merge form $.soup.form (the
 * soup's, so the two output mergers compare merging rules, not basis
 * forms). `mod` estimates w_hat from the user's feedback on learned aspect
 * scores (methods/estimate.h); `mod_truew` is handed the true w, an
 * oracle-information variant. */
#include <stdlib.h>

#include "estimate.h"
#include "method.h"
#include "sb.h"
#include "stats.h"

static void mod_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state;
    const SbBasis *e = ctx->experts;
    size_t n_sa = (size_t)ctx->p->n_states * ctx->p->V;
    const double *experts = e->logits[ctx->cfg->soup.form];
    double *c = sb_zeros(e->K);
    sb_project_simplex(sb_weights_for(ctx, user, warm), e->K, c);
    for (size_t i = 0; i < n_sa; i++) {
        double acc = 0;
        for (int j = 0; j < e->K; j++)
            acc += c[j] * experts[(size_t)j * n_sa + i];
        logits[i] = acc;
    }
    free(c);
}

const SbMethod sb_method_mod = {
    .name = "mod",
    .description = "MOD: the aspect experts' logits mixed with simplex weights w_hat estimated from the user's "
                   "feedback on learned aspect scores",
    .needs = SB_NEEDS_EXPERTS | SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .serve = mod_serve,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .style = {.rgb = 0x17becf, .point = 5},
};

const SbMethod sb_method_mod_truew = {
    .name = "mod_truew",
    .description = "MOD with the user's true weights (oracle information)",
    .needs = SB_NEEDS_EXPERTS,
    .information = SB_INFO_TRUE_WEIGHTS,
    .online = SB_ONLINE_FIXED,
    .serve = mod_serve,
    .style = {.rgb = 0x9edae5, .point = 13},
};
