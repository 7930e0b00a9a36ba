/* soupbench: a user's feedback pairs (methods/feedback.h). */
#include "feedback.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sb_train_prompts(const SbContext *ctx)
{
    return sb_problem_train_prompts(ctx->cfg->soup.train_prompts, ctx->p->n_prompts);
}

/* soup.pairs pairs from pi_ref on the training prompts answered under w. */
static SbPairs feedback(const SbContext *ctx, const double *w, SbLabelKind kind, SbRng *rng)
{
    const SbProblem *p = ctx->p;
    const SbSoupConfig *sc = &ctx->cfg->soup;
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, w, r);
    SbPairLabels labels = {kind, sc->temperature, 0};
    SbPairs pairs = sb_pairs_sample(p, r, sc->pairs, 0, sb_train_prompts(ctx), &labels, rng);
    free(r);
    return pairs;
}

SbPairs sb_user_feedback(const SbContext *ctx, const double *w)
{
    SbRng rng;
    sb_rng_seed(&rng, sb_seed_from_weights(ctx->cfg->seed ^ 0x5eedfeedba5eULL, w, ctx->p->m));
    return feedback(ctx, w, ctx->cfg->soup.labels, &rng);
}

SbPairs sb_population_feedback(const SbContext *ctx, const double *w_bar)
{
    SbRng rng;
    sb_rng_derive(&rng, ctx->cfg->seed, "population feedback");
    return feedback(ctx, w_bar, SB_LABELS_PROBABILITIES, &rng);
}
