/* soupbench method `bespoke_rlhf`: a policy trained for this user alone on
 * r_u with the basis trainer and budget; the 100% reference of the
 * normalised score. Its cost is counted per user (/cost/bespoke_rlhf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "method.h"
#include "sb.h"
#include "train.h"

typedef struct {
    int served;
} Bespoke;

static void *bespoke_prepare(const SbContext *ctx)
{
    (void)ctx;
    return sb_calloc(1, sizeof(Bespoke));
}

static void bespoke_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    Bespoke *b = state;
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, w, r);
    /* the seed depends on the weights alone, so a user's policy does not
     * depend on the order in which users are served */
    uint64_t h = cfg->seed;
    for (int j = 0; j < p->m; j++) {
        uint64_t bits;
        memcpy(&bits, &w[j], sizeof bits);
        h = h * 0x100000001b3ULL ^ bits;
    }
    SbRng rng;
    sb_rng_seed(&rng, h);
    SbPolicyForm form = strcmp(cfg->train.form, "lora") == 0 ? SB_POLICY_LORA : SB_POLICY_FULL;
    SbPolicy *pol = sb_policy_new(p->ref_net, form, cfg->lora.rank, cfg->lora.alpha, &rng);
    char label[64], item[32];
    snprintf(label, sizeof label, "bespoke_rlhf policy %d", b->served);
    SbTrainStats st;
    sb_train(p, pol, r, &cfg->train, sb_rng_u64(&rng), label, &st);
    snprintf(item, sizeof item, "%d", b->served++);
    sb_cost_record("bespoke_rlhf", item, &st);
    sb_policy_logits(p, pol, logits);
    sb_policy_free(pol);
    free(r);
}

const SbMethod sb_method_bespoke_rlhf = {
    .name = "bespoke_rlhf",
    .description = "a policy trained for each user alone on r_u (basis trainer and budget); cost counted per user",
    .prepare = bespoke_prepare,
    .serve = bespoke_serve,
    .release = free,
};
