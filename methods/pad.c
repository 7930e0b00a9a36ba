/* soupbench methods `pad`, `pad_sf` and their oracle-information variants:
 * reward-guided decoding, l_ref + (1/beta) sum_j w_j g_j(s, a).
 *  - pad: g_j = rhat_j, the learned per-aspect token-level reward (myopic,
 *    not Q), w = w_hat estimated from the user's feedback;
 *  - pad_sf: g_j = psihat_j, the successor features of pi_ref estimated
 *    from pi_ref rollouts (harness/train/learned.h), w = w_hat;
 *  - pad_exact: the exact r_j and the true w (oracle information: at H = 1
 *    it is the oracle itself);
 *  - pad_sf_exact: the exact Q^{pi_ref}_j by backward induction and the true
 *    w (oracle information; needs an enumerable MDP, so candidate-set
 *    datasets refuse it). */
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
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

/* The exact aspect rewards as m functions on the pairs. */
static void *exact_rewards_prepare(const SbContext *ctx)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *g = sb_zeros(n_sa * p->m);
    for (int j = 0; j < p->m; j++)
        for (size_t i = 0; i < n_sa; i++)
            g[(size_t)j * n_sa + i] = p->aspect_rewards[i * p->m + j];
    return g;
}

static void *exact_q_prepare(const SbContext *ctx)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *g = exact_rewards_prepare(ctx), *q = sb_zeros(n_sa);
    for (int j = 0; j < p->m; j++) {
        sb_policy_q(p, g + (size_t)j * n_sa, p->ref_logits, q);
        memcpy(g + (size_t)j * n_sa, q, sizeof(double) * n_sa);
    }
    free(q);
    return g;
}

static void learned_serve(const SbContext *ctx, const double *g, const SbUser *user, double *warm, double *logits)
{
    guided(ctx->p, g, sb_weights_for(ctx, user, warm), logits);
}

static void pad_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state;
    learned_serve(ctx, ctx->learned->rhat, user, warm, logits);
}

static void pad_sf_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state;
    learned_serve(ctx, ctx->learned->psihat, user, warm, logits);
}

static void exact_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)warm;
    SB_ASSERT(user->w);
    guided(ctx->p, state, user->w, logits);
}

const SbMethod sb_method_pad = {
    .name = "pad",
    .description = "PAD: reward-guided decoding, l_ref + (1/beta) sum_j w_hat_j rhat_j(s,a) with learned "
                   "token-level aspect rewards and w_hat from the user's feedback",
    .needs = SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .serve = pad_serve,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .style = {.rgb = 0x393b79, .point = 9},
};

const SbMethod sb_method_pad_sf = {
    .name = "pad_sf",
    .description = "PAD with successor features: l_ref + (1/beta) sum_j w_hat_j psihat_j(s,a), psihat_j "
                   "estimated from pi_ref rollouts",
    .needs = SB_NEEDS_LEARNED,
    .information = SB_INFO_FEEDBACK,
    .online = SB_ONLINE_FEEDBACK,
    .serve = pad_sf_serve,
    .warm_size = sb_weights_warm_size,
    .prior = sb_weights_prior,
    .style = {.rgb = 0x6b6ecf, .point = 11},
};

const SbMethod sb_method_pad_exact = {
    .name = "pad_exact",
    .description = "PAD with the exact aspect rewards and the user's true weights (oracle information)",
    .information = SB_INFO_EXACT_REWARDS,
    .online = SB_ONLINE_FIXED,
    .prepare = exact_rewards_prepare,
    .serve = exact_serve,
    .release = free,
    .style = {.rgb = 0x8c6d31, .point = 13},
};

const SbMethod sb_method_pad_sf_exact = {
    .name = "pad_sf_exact",
    .description = "PAD-SF with the exact Q^{pi_ref}_j and the user's true weights (oracle information)",
    .information = SB_INFO_EXACT_Q,
    .online = SB_ONLINE_FIXED,
    .prepare = exact_q_prepare,
    .serve = exact_serve,
    .release = free,
    .style = {.rgb = 0xbd9e39, .point = 13},
};
