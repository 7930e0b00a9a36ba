/* soupbench method `mod` (Shi et al. 2024): output merging of the aspect
 * experts with the user's weights on the simplex, softmax(sum_j w_j l_j). */
#include <stdlib.h>

#include "method.h"
#include "sb.h"
#include "stats.h"

static void mod_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    (void)state;
    const SbBasis *e = ctx->experts;
    size_t n_sa = (size_t)ctx->p->n_states * ctx->p->V;
    double *c = sb_zeros(e->K);
    sb_project_simplex(w, e->K, c);
    for (size_t i = 0; i < n_sa; i++) {
        double acc = 0;
        for (int j = 0; j < e->K; j++)
            acc += c[j] * e->logits[SB_POLICY_FULL][(size_t)j * n_sa + i];
        logits[i] = acc;
    }
    free(c);
}

const SbMethod sb_method_mod = {
    .name = "mod",
    .description = "MOD: the full fine-tuned aspect experts' logits mixed with the user's simplex weights",
    .needs = SB_NEEDS_EXPERTS,
    .online = SB_ONLINE_WEIGHTS,
    .serve = mod_serve,
    .style = {.rgb = 0x17becf, .point = 5},
};
