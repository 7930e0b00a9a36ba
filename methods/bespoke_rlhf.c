/* soupbench method `bespoke_rlhf`: a policy trained for this user alone on
 * r_u by $.train (the exact RLHF optimum, PG by default); the 100% reference of the
 * normalised score. Its cost is counted per user (/cost/bespoke_rlhf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "regime.h"
#include "method.h"
#include "sb.h"
#include "train.h"
#include "units.h"

static void bespoke_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)warm, (void)state;
    const double *w = user->w;
    SB_ASSERT(w);
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, w, r);
    SbRng rng;
    sb_rng_seed(&rng, sb_seed_from_weights(cfg->seed, w, p->m));
    SbPolicy *pol = sb_policy_new(p->ref_net, cfg->train.form, cfg->lora.rank, cfg->lora.alpha, &rng);
    char label[200], unit[160];
    snprintf(label, sizeof label, "bespoke_rlhf policy (%s)",
             sb_units_current(unit, sizeof unit) ? unit : "outside the protocols' units");
    SbTrainStats st;
    sb_train(p, pol, r, &cfg->train, sb_rng_u64(&rng), label, &st);
    sb_cost_record("bespoke_rlhf", NULL, &st); /* numbered in the protocols' order */
    sb_policy_logits(p, pol, logits);
    sb_regime_record("bespoke_rlhf", NULL, p, pol, logits, r);
    sb_policy_free(pol);
    free(r);
}

const SbMethod sb_method_bespoke_rlhf = {
    .name = "bespoke_rlhf",
    .description = "a policy trained for each user alone on r_u by $.train (exact RLHF policy gradient by default); cost counted per user",
    .information = SB_INFO_REFERENCE_POINT,
    .serve = bespoke_serve,
    .roles = SB_ROLE_NORMALISER,
    .cost = SB_COST_PER_USER_TRAINING,
    .style = {.rgb = 0x2ca02c, .point = 5},
};
