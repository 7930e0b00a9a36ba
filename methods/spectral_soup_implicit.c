/* soupbench method `spectral_soup_implicit`: the same target as
 * spectral_soup, pi_ref exp(q_lam / beta) normalised, sampled by rejection
 * from pi_ref (methods/spectral.c). Rejection sampling is exact, so the
 * served distribution is the target itself, which the harness evaluates
 * exactly; the sampler is run for soup.implicit_samples trajectories per
 * user to measure its acceptance rate and proposals per token, stored with
 * the exact expected values in /methods/spectral_soup_implicit/acceptance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sb.h"
#include "solver.h"
#include "spectral.h"

typedef struct {
    SbSpectralState *fit;
    int n, cap;
    double *stats; /* [n x 4]: measured acceptance, measured proposals/token, exact acceptance, exact proposals/token */
} Implicit;

static void *implicit_prepare(const SbContext *ctx)
{
    Implicit *im = sb_calloc(1, sizeof *im);
    im->fit = sb_spectral_state_new(ctx, sb_spectral_form(ctx));
    return im;
}

static void implicit_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    Implicit *im = state;
    const SbProblem *p = ctx->p;
    int V = p->V, K = im->fit->K;
    size_t n_sa = (size_t)p->n_states * V;
    const double *lam = sb_spectral_state_fit(ctx, im->fit, user, warm);
    sb_spectral_logits(ctx, im->fit->form, lam, logits);
    if (!user->keep)
        return; /* online rounds: the sampler's target only (its statistics are the offline protocol's) */
    double *q_lam = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < K; k++)
            q_lam[i] += lam[k] * im->fit->q[(size_t)k * n_sa + i];

    /* measured: run the sampler (stream from the seed and the user's served index) */
    char purpose[64];
    snprintf(purpose, sizeof purpose, "spectral_soup_implicit/%d", im->n);
    SbRng rng;
    sb_rng_derive(&rng, ctx->cfg->seed, purpose);
    double *row = sb_zeros(sb_problem_max_layer(p));
    long proposals = 0, tokens = 0;
    for (int i = 0; i < ctx->cfg->soup.implicit_samples; i++) {
        int s = sb_rng_categorical(&rng, p->init, p->n_prompts);
        for (int t = 0; t < p->H; t++, tokens++) {
            int a = sb_spectral_sample_token(p, q_lam, s, &rng, &proposals);
            if (t + 1 == p->H)
                break;
            sb_problem_transition_row(p, s, a, row);
            s = p->layer_offset[t + 1] + sb_rng_categorical(&rng, row, sb_problem_layer_size(p, t + 1));
        }
    }
    /* exact: acceptance alpha(s) = sum_a pi_ref(a|s) exp((q_lam - max q_lam) / beta),
     * expected proposals 1 / alpha(s), averaged over the soup's own visits */
    double *occ = sb_zeros(p->n_states), *pi = sb_zeros(V), visits = 0, props = 0;
    sb_occupancy(p, logits, occ);
    for (int s = 0; s < p->n_states; s++) {
        const double *q = q_lam + (size_t)s * V;
        double top = q[0], alpha = 0;
        for (int a = 1; a < V; a++)
            top = q[a] > top ? q[a] : top;
        sb_softmax(p->ref_logits + (size_t)s * V, V, pi);
        for (int a = 0; a < V; a++)
            alpha += pi[a] * exp((q[a] - top) / p->beta);
        visits += occ[s];
        props += occ[s] / alpha;
    }
    if (im->n == im->cap)
        im->stats = sb_realloc(im->stats, sizeof(double) * 4 * (size_t)(im->cap = im->cap ? 2 * im->cap : 64));
    double *st = im->stats + (size_t)4 * im->n++;
    st[0] = (double)tokens / proposals;
    st[1] = (double)proposals / tokens;
    st[2] = visits / props;
    st[3] = props / visits;
    free(pi), free(occ), free(row), free(q_lam);
}

static void implicit_prior(const SbContext *ctx, void *state, double *warm)
{
    sb_spectral_prior(ctx, ((Implicit *)state)->fit, warm);
}

static void implicit_write(const SbContext *ctx, void *state, SbResults *r, const char *group)
{
    (void)ctx;
    Implicit *im = state;
    sb_spectral_state_write(im->fit, r, group);
    char path[256];
    snprintf(path, sizeof path, "%s/acceptance", group);
    sb_results_write_table(r, path, im->n, 4, im->stats,
                           "acceptance_measured,proposals_per_token_measured,acceptance_exact,"
                           "proposals_per_token_exact",
                           "rejection sampler per served user: measured over soup.implicit_samples trajectories, "
                           "and exact under the soup's own state visits");
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
    .description = "Spectral Souping by rejection sampling from pi_ref with the implicit Q (same target as "
                   "spectral_soup); acceptance rate recorded",
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
