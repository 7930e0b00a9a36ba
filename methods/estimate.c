/* soupbench: the population prior and the weight estimator
 * (methods/estimate.h). */
#include "estimate.h"

#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "sb.h"

void sb_population_weights(const SbProblem *p, double *w_bar)
{
    memset(w_bar, 0, sizeof(double) * (size_t)p->m);
    for (int u = 0; u < p->n_train; u++)
        for (int j = 0; j < p->m; j++)
            w_bar[j] += p->users_train[(size_t)u * p->m + j] / p->n_train;
}

void sb_weights_estimate(const SbContext *ctx, const SbUser *user, double *w_hat)
{
    const SbProblem *p = ctx->p;
    const SbPairs *fb = user->feedback;
    SB_ASSERT(ctx->learned);
    double *w_bar = sb_zeros(p->m), *X = sb_zeros((size_t)(fb->n > 0 ? fb->n : 1) * p->m);
    sb_population_weights(p, w_bar);
    sb_pairs_features(p, fb, ctx->learned->rhat, p->m, X);
    SbLogregOptions opt;
    sb_logreg_options_default(&opt);
    opt.centre = w_bar;
    sb_logreg_fit(X, fb->y, NULL, fb->n, p->m, user->l2, w_hat, &opt, NULL);
    free(X), free(w_bar);
}

int sb_weights_warm_size(const SbContext *ctx, void *state)
{
    (void)state;
    return ctx->p->m;
}

void sb_weights_prior(const SbContext *ctx, void *state, double *w_hat)
{
    (void)state;
    sb_population_weights(ctx->p, w_hat);
}

const double *sb_weights_for(const SbContext *ctx, const SbUser *user, double *warm)
{
    if (user->w)
        return user->w;
    sb_weights_estimate(ctx, user, warm);
    return warm;
}
