/* soupbench method `lora_soup_cat` (LoRA Soups' CAT, Prabhakar et al.
 * 2024): the aspect adapters merged with one learned coefficient per layer
 * and adapter, W_l + sum_j c_lj (alpha/r) B_j A_j, the coefficients fitted
 * to the user's feedback pairs by the (soft-label) DPO loss with Adam,
 * starting from the population prior: c_lj = w_bar_j, the training users'
 * mean weights projected on the simplex, in every layer. Each fit
 * warm-starts from the previous round's coefficients. Cost counted per fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "estimate.h"
#include "lora_soup_cat.h"
#include "method.h"
#include "sb.h"
#include "stats.h"
#include "train.h"

typedef struct {
    int L, m;
    size_t *size;   /* [L]: elements of layer l's weight */
    double **U;     /* [L x m]: the updates (alpha/r) B_j A_j of layer l, adapter j */
} Cat;

static void *cat_prepare(const SbContext *ctx)
{
    const SbBasis *e = ctx->experts;
    const SbRefNet *ref = ctx->p->ref_net;
    Cat *c = sb_calloc(1, sizeof *c);
    c->L = ref->layers;
    c->m = e->K;
    c->size = sb_calloc((size_t)c->L, sizeof(size_t));
    c->U = sb_calloc((size_t)c->L * c->m, sizeof(double *));
    for (int l = 0; l < c->L; l++) {
        c->size[l] = (size_t)ref->width * (l == 0 ? ref->n_in : ref->width);
        for (int j = 0; j < c->m; j++) {
            c->U[l * c->m + j] = sb_zeros(c->size[l]);
            sb_policy_lora_update(e->policies[SB_POLICY_LORA][j], l, c->U[l * c->m + j]);
        }
    }
    return c;
}

/* Write the merged hidden weights for coefficients coef [L x m] into a
 * full-form policy (its other weights are the reference's). */
static void set_weights(const Cat *c, const SbRefNet *ref, const double *coef, SbPolicy *pol)
{
    SbPolicyViews w = sb_policy_views(pol, pol->theta);
    for (int l = 0; l < c->L; l++) {
        memcpy(w.W[l], ref->W[l], sizeof(double) * c->size[l]);
        for (int j = 0; j < c->m; j++)
            for (size_t i = 0; i < c->size[l]; i++)
                w.W[l][i] += coef[l * c->m + j] * c->U[l * c->m + j][i];
    }
    sb_policy_views_free(&w);
}

/* The soft-label DPO loss of the merge and its gradient in coef:
 * dL/dc_lj = <dL/dW_l, U_lj>. */
double sb_cat_loss(const SbContext *ctx, const void *state, const SbPairs *pairs, const double *coef,
                   double *grad)
{
    const Cat *c = state;
    const SbProblem *p = ctx->p;
    SbPolicy *pol = sb_policy_new(p->ref_net, SB_POLICY_FULL, 0, 0, NULL);
    set_weights(c, p->ref_net, coef, pol);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logits = sb_zeros(n_sa), *dlogits = grad ? sb_zeros(n_sa) : NULL;
    SbPolicyCache cache;
    sb_policy_logits_cached(p, pol, logits, grad ? &cache : NULL);
    double loss = sb_dpo_loss(p, pairs, logits, dlogits, NULL);
    if (grad) {
        double *g = sb_zeros(pol->n_params);
        sb_policy_backward(pol, &cache, dlogits, g);
        sb_policy_cache_free(&cache);
        SbPolicyViews gv = sb_policy_views(pol, g);
        for (int l = 0; l < c->L; l++)
            for (int j = 0; j < c->m; j++) {
                double acc = 0;
                for (size_t i = 0; i < c->size[l]; i++)
                    acc += gv.W[l][i] * c->U[l * c->m + j][i];
                grad[l * c->m + j] = acc;
            }
        sb_policy_views_free(&gv);
        free(g);
    }
    free(dlogits);
    free(logits);
    sb_policy_free(pol);
    return loss;
}

/* Adam on the soft-label DPO loss from coef (in/out), then the merged
 * policy's logits; the cost goes to the ledger per fit. */
static void fit_and_serve(const SbContext *ctx, const Cat *c, const SbPairs *pairs, double *coef, double *logits)
{
    const SbSoupConfig *sc = &ctx->cfg->soup;
    double start = sb_now(), flops0 = sb_mlp_flops();
    int n = c->L * c->m;
    double *grad = sb_zeros(n), *mo = sb_zeros(n), *ve = sb_zeros(n);
    for (int step = 0; pairs->n > 0 && step < sc->cat_steps; step++) {
        double loss = sb_cat_loss(ctx, c, pairs, coef, grad);
        if (!isfinite(loss))
            sb_fail(SB_EXIT_FAIL, "lora_soup_cat: step %d: the loss is %g (non-finite); lower $.soup.cat_lr", step,
                    loss);
        double b1 = 1.0 - pow(0.9, step + 1), b2 = 1.0 - pow(0.999, step + 1);
        for (int i = 0; i < n; i++) {
            mo[i] = 0.9 * mo[i] + 0.1 * grad[i];
            ve[i] = 0.999 * ve[i] + 0.001 * grad[i] * grad[i];
            coef[i] -= sc->cat_lr * (mo[i] / b1) / (sqrt(ve[i] / b2) + 1e-8);
        }
    }
    SbPolicy *pol = sb_policy_new(ctx->p->ref_net, SB_POLICY_FULL, 0, 0, NULL);
    set_weights(c, ctx->p->ref_net, coef, pol);
    sb_policy_logits(ctx->p, pol, logits);
    sb_policy_free(pol);
    SbTrainStats st = {.steps = pairs->n > 0 ? sc->cat_steps : 0, .seconds = sb_now() - start,
                       .flops = sb_mlp_flops() - flops0};
    sb_cost_record("lora_soup_cat", NULL, &st); /* numbered in the protocols' order */
    free(ve), free(mo), free(grad);
}

/* warm is the coefficients [L x m], from cat_prior before the first fit. */
static void cat_serve(const SbContext *ctx, void *state, const SbUser *user, double *coef, double *logits)
{
    fit_and_serve(ctx, state, user->feedback, coef, logits);
}

static void cat_prior(const SbContext *ctx, void *state, double *coef)
{
    const Cat *c = state;
    double *w_bar = sb_zeros(c->m), *proj = sb_zeros(c->m);
    sb_population_weights(ctx->p, w_bar);
    sb_project_simplex(w_bar, c->m, proj);
    for (int l = 0; l < c->L; l++)
        memcpy(coef + (size_t)l * c->m, proj, sizeof(double) * (size_t)c->m);
    free(proj), free(w_bar);
}

static int cat_warm_size(const SbContext *ctx, void *state)
{
    (void)ctx;
    const Cat *c = state;
    return c->L * c->m;
}

static void cat_release(void *state)
{
    Cat *c = state;
    for (int i = 0; i < c->L * c->m; i++)
        free(c->U[i]);
    free(c->U);
    free(c->size);
    free(c);
}

const SbMethod sb_method_lora_soup_cat = {
    .name = "lora_soup_cat",
    .description = "LoRA soup CAT: one coefficient per layer and aspect adapter, fitted to the user's feedback",
    .needs = SB_NEEDS_EXPERTS,
    .prepare = cat_prepare,
    .information = SB_INFO_FEEDBACK,
    .serve = cat_serve,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = cat_warm_size,
    .prior = cat_prior,
    .adapt_at_checkpoints = 1,
    .cost = SB_COST_PER_USER_ADAPTATION,
    .style = {.rgb = 0xe377c2, .point = 13},
    .release = cat_release,
};
