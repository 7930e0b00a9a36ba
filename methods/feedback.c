/* soupbench: a user's feedback pairs (methods/feedback.h). */
#include "feedback.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sb_train_prompts(const SbContext *ctx)
{
    int n = (int)ceil(ctx->cfg->soup.train_prompts * ctx->p->n_prompts);
    return n < 1 ? 1 : n > ctx->p->n_prompts ? ctx->p->n_prompts : n;
}

SbPairs sb_user_feedback(const SbContext *ctx, const double *w)
{
    const SbProblem *p = ctx->p;
    const SbSoupConfig *sc = &ctx->cfg->soup;
    SbRng rng;
    sb_rng_seed(&rng, sb_seed_from_weights(ctx->cfg->seed ^ 0x5eedfeedba5eULL, w, p->m));
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, w, r);
    SbPairLabels labels = {sc->labels, sc->temperature, 0};
    SbPairs pairs = sb_pairs_sample(p, r, sc->pairs, 0, sb_train_prompts(ctx), &labels, &rng);
    free(r);
    return pairs;
}
