/* soupbench methods `pad` and `pad_sf`: reward-guided decoding with the
 * user's weights, l_ref + (1/beta) sum_j w_j g_j(s, a).
 *  - pad: g_j = the per-aspect token-level reward r_j(s, a) (myopic, not Q);
 *  - pad_sf: g_j = psi_j = Q^{pi_ref} of r_j, the successor features of
 *    pi_ref, computed exactly by backward induction. */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sb.h"
#include "solver.h"

/* g: [m x n_sa], g[j] on every pair */
static void guided(const SbProblem *p, const double *g, const double *w, double *logits)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    for (size_t i = 0; i < n_sa; i++) {
        double acc = 0;
        for (int j = 0; j < p->m; j++)
            acc += w[j] * g[(size_t)j * n_sa + i];
        logits[i] = p->ref_logits[i] + acc / p->beta;
    }
}

static void *pad_prepare(const SbContext *ctx)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *g = sb_zeros(n_sa * p->m);
    for (int j = 0; j < p->m; j++)
        for (size_t i = 0; i < n_sa; i++)
            g[(size_t)j * n_sa + i] = p->aspect_rewards[i * p->m + j];
    return g;
}

static void *pad_sf_prepare(const SbContext *ctx)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *g = pad_prepare(ctx), *q = sb_zeros(n_sa);
    for (int j = 0; j < p->m; j++) {
        sb_policy_q(p, g + (size_t)j * n_sa, p->ref_logits, q);
        memcpy(g + (size_t)j * n_sa, q, sizeof(double) * n_sa);
    }
    free(q);
    return g;
}

static void pad_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    guided(ctx->p, state, w, logits);
}

const SbMethod sb_method_pad = {
    .name = "pad",
    .description = "PAD: reward-guided decoding, l_ref + (1/beta) sum_j w_j r_j(s,a) (token-level, myopic)",
    .prepare = pad_prepare,
    .online = SB_ONLINE_WEIGHTS,
    .serve = pad_serve,
    .style = {.rgb = 0x393b79, .point = 9},
    .release = free,
};

const SbMethod sb_method_pad_sf = {
    .name = "pad_sf",
    .description = "PAD with successor features: l_ref + (1/beta) sum_j w_j Q^{pi_ref}_j(s,a)",
    .prepare = pad_sf_prepare,
    .online = SB_ONLINE_WEIGHTS,
    .serve = pad_serve,
    .style = {.rgb = 0x6b6ecf, .point = 11},
    .release = free,
};
