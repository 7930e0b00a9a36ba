/* soupbench method `rlhf_avg` ("RLHF averaging"): one policy trained on the
 * population-average reward (w = mean of the training users' weights) with
 * $.train (the trainer and budget of bespoke_rlhf), served unchanged to every user. */
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "regime.h"
#include "estimate.h"
#include "method.h"
#include "sb.h"
#include "train.h"

static void *rlhf_avg_prepare(const SbContext *ctx)
{
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *w = sb_zeros(p->m), *r = sb_zeros(n_sa);
    sb_population_weights(p, w);
    sb_problem_user_reward(p, w, r);
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "rlhf_avg/init");
    SbPolicy *pol = sb_policy_new(p->ref_net, cfg->train.form, cfg->lora.rank, cfg->lora.alpha, &rng);
    SbTrainStats st;
    sb_train(p, pol, r, &cfg->train, sb_rng_u64(&rng), "rlhf_avg", &st);
    sb_cost_record("rlhf_avg", "policy", &st);
    double *logits = sb_zeros(n_sa);
    sb_policy_logits(p, pol, logits);
    sb_regime_record("rlhf_avg", "policy", p, pol, logits, r);
    sb_policy_free(pol);
    free(r);
    free(w);
    return logits;
}

static void rlhf_avg_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)user, (void)warm;
    memcpy(logits, state, sizeof(double) * (size_t)ctx->p->n_states * ctx->p->V);
}

const SbMethod sb_method_rlhf_avg = {
    .name = "rlhf_avg",
    .description = "RLHF averaging: one policy trained on the training users' mean weights, served to everyone",
    .prepare = rlhf_avg_prepare,
    .information = SB_INFO_POPULATION,
    .serve = rlhf_avg_serve,
    .same_for_all = 1,
    .roles = SB_ROLE_POPULATION,
    .cost = SB_COST_OFFLINE,
    .style = {.rgb = 0xbcbd22, .point = 13},
    .release = free,
};
