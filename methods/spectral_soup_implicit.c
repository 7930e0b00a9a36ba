/* soupbench method `spectral_soup_implicit`: the target of spectral_soup,
 * pi_ref exp(q_lam / beta) normalised, sampled by rejection from pi_ref with
 * at most soup.implicit_budget proposals per token (methods/spectral.h).
 * A finite budget does not reach the target: after M rejections the
 * sampler keeps its last proposal, so what it serves is its own
 * distribution pi_M, a mixture of the target and of rejected proposals,
 * which the harness evaluates exactly. Per served user the sampler is also
 * run for soup.implicit_samples trajectories; its measured acceptance,
 * proposals per token and fallback rate are stored with their exact values
 * and the KL of pi_M to the target in /methods/spectral_soup_implicit/
 * acceptance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sb.h"
#include "solver.h"
#include "spectral.h"

#define STAT_COLS 7 /* measured: acceptance, proposals/token, fallback; exact: the same three, KL to the target */

typedef struct {
    SbSpectralState *fit;
    int n, cap;
    double *stats; /* [n x STAT_COLS] */
} Implicit;

static void *implicit_prepare(const SbContext *ctx)
{
    Implicit *im = sb_calloc(1, sizeof *im);
    im->fit = sb_spectral_state_new(ctx, sb_spectral_form(ctx));
    return im;
}

/* q_lam = sum_k lam_k q_k [n_states * V] (malloc'd). */
static double *implicit_q_lam(const SbContext *ctx, const SbSpectralState *fit, const double *lam)
{
    size_t n_sa = (size_t)ctx->p->n_states * ctx->p->V;
    double *q_lam = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < fit->K; k++)
            q_lam[i] += lam[k] * fit->q[(size_t)k * n_sa + i];
    return q_lam;
}

/* The sampler of budget M run on n trajectories, from the stream named by
 * purpose and the seed, and its exact values: row [STAT_COLS]. */
static void sampler_row(const SbContext *ctx, const double *q_lam, int budget, const char *purpose, double *row)
{
    SbRng rng;
    sb_rng_derive(&rng, ctx->cfg->seed, purpose);
    SbSamplerStats m = sb_spectral_sampler_measure(ctx->p, q_lam, budget, ctx->cfg->soup.implicit_samples, &rng);
    double kl;
    SbSamplerStats e = sb_spectral_sampler_exact(ctx->p, q_lam, budget, &kl);
    double values[STAT_COLS] = {m.acceptance, m.proposals_per_token, m.fallback_rate, e.acceptance,
                                e.proposals_per_token, e.fallback_rate, kl};
    memcpy(row, values, sizeof values);
}

static void implicit_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    Implicit *im = state;
    int budget = ctx->cfg->soup.implicit_budget;
    double *q_lam = implicit_q_lam(ctx, im->fit, sb_spectral_state_fit(ctx, im->fit, user, warm));
    sb_spectral_budget_logits(ctx->p, q_lam, budget, logits);
    if (user->keep) { /* the offline protocol: run the sampler too (online rounds serve pi_M only) */
        if (im->n == im->cap)
            im->stats = sb_realloc(im->stats, sizeof(double) * STAT_COLS *
                                                  (size_t)(im->cap = im->cap ? 2 * im->cap : 64));
        char purpose[64]; /* the stream of the user's served index */
        snprintf(purpose, sizeof purpose, "spectral_soup_implicit/%d", im->n);
        sampler_row(ctx, q_lam, budget, purpose, im->stats + (size_t)STAT_COLS * im->n++);
    }
    free(q_lam);
}

static void implicit_prior(const SbContext *ctx, void *state, double *warm)
{
    sb_spectral_prior(ctx, ((Implicit *)state)->fit, warm);
}

static void implicit_write(const SbContext *ctx, void *state, SbResults *r, const char *group)
{
    Implicit *im = state;
    sb_spectral_state_write(im->fit, r, group);
    char path[256];
    snprintf(path, sizeof path, "%s/acceptance", group);
    sb_results_write_table(r, path, im->n, STAT_COLS, im->stats,
                           "acceptance_measured,proposals_per_token_measured,fallback_rate_measured,"
                           "acceptance_exact,proposals_per_token_exact,fallback_rate_exact,kl_to_target",
                           "rejection sampler with a budget of soup.implicit_budget proposals per token, per served "
                           "user (test users, then the Pareto sweeps), on the evaluation prompts: measured over "
                           "soup.implicit_samples trajectories (acceptance: accepted proposals / proposals), exact "
                           "under the served policy's own state visits, and the KL of the served trajectory "
                           "distribution to the explicit soup's");
    sb_results_attr_int(r, path, "budget", ctx->cfg->soup.implicit_budget);
}

static void implicit_release(void *state)
{
    Implicit *im = state;
    sb_spectral_state_free(im->fit);
    free(im->stats);
    free(im);
}

const SbMethod sb_method_spectral_soup_implicit = {
    .name = "spectral_soup_implicit",
    .description = "Spectral Souping by rejection sampling from pi_ref with the implicit Q and a budget of "
                   "soup.implicit_budget proposals per token (the explicit soup's target, reached as the "
                   "budget grows); serves the sampler's own distribution; acceptance recorded",
    .needs = SB_NEEDS_BASIS,
    .information = SB_INFO_FEEDBACK,
    .prepare = implicit_prepare,
    .serve = implicit_serve,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = sb_spectral_warm_size,
    .prior = implicit_prior,
    .style = {.rgb = 0xff7f0e, .point = 9},
    .write = implicit_write,
    .release = implicit_release,
};
