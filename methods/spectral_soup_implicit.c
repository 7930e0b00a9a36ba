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
 * acceptance. With soup.implicit_budgets, `write` sweeps the budget over
 * the held-out users (/methods/spectral_soup_implicit/budget_sweep). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback.h"
#include "method.h"
#include "sb.h"
#include "solver.h"
#include "spectral.h"
#include "stats.h"

extern const SbMethod sb_method_spectral_soup_implicit;

#define STAT_COLS 7 /* measured: acceptance, proposals/token, fallback; exact: the same three, KL to the target */

typedef struct {
    SbSpectralState *fit;
    long n;
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
    if (user->kept) { /* the offline protocol: run the sampler too (online rounds serve pi_M only) */
        char purpose[64]; /* the stream of the user's served index */
        snprintf(purpose, sizeof purpose, "spectral_soup_implicit/%ld", user->serial);
        sampler_row(ctx, q_lam, budget, purpose, user->kept + im->fit->K + 3);
    }
    free(q_lam);
}

/* kept: the fit's K + 3 numbers, then the sampler's STAT_COLS */
static int implicit_kept_cols(const SbContext *ctx, void *state)
{
    (void)ctx;
    return ((const Implicit *)state)->fit->K + 3 + STAT_COLS;
}

static void implicit_adopt(const SbContext *ctx, void *state, const double *rows, long n)
{
    (void)ctx;
    Implicit *im = state;
    int fit_cols = im->fit->K + 3, stride = fit_cols + STAT_COLS;
    sb_spectral_state_adopt(im->fit, rows, n, stride);
    free(im->stats);
    im->stats = sb_zeros((size_t)n * STAT_COLS + 1);
    im->n = n;
    for (long i = 0; i < n; i++)
        memcpy(im->stats + i * STAT_COLS, rows + i * stride + fit_cols, sizeof(double) * STAT_COLS);
}

static void implicit_prior(const SbContext *ctx, void *state, double *warm)
{
    sb_spectral_prior(ctx, ((Implicit *)state)->fit, warm);
}

/* ------------------------------------------------------------------ */
/* the budget sweep ($.soup.implicit_budgets)                          */

#define SWEEP_COLS 13

/* Every held-out user served with the offline protocol's feedback and lam
 * fit (the same as `serve`, not kept), then pi_M for each budget M of the
 * sweep, evaluated exactly. The score is the share of the explicit soup's
 * gain that pi_M reaches, pooled over users: 100 sum_u (J_u(pi_M) -
 * J_u(pi_ref)) / sum_u (J_u(pi_target) - J_u(pi_ref)), pi_target the
 * explicit soup with the same lam (spectral_soup's policy for that user),
 * with its 95% bootstrap interval over users. A method does not see
 * bespoke_rlhf's J, so the sweep cannot divide by it; multiplying by the
 * explicit soup's pooled normalised score gives pi_M's (both are ratios of
 * sums over the same users). */
static double *budget_sweep(const SbContext *ctx, Implicit *im, int *rows)
{
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    int n_u = p->n_test, n_M = cfg->soup.n_implicit_budgets, K = im->fit->K;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *J = sb_zeros((size_t)n_M * n_u), *stats = sb_zeros((size_t)n_M * n_u * STAT_COLS);
    double *J_ref = sb_zeros(n_u), *J_target = sb_zeros(n_u), *logits = sb_zeros(n_sa), *aspects = sb_zeros(p->m);
    double *lam = sb_zeros(K);
    for (int u = 0; u < n_u; u++) {
        const double *w = p->users_test + (size_t)u * p->m;
        SbPairs fb = sb_user_feedback(ctx, w);
        SbUser user = sb_method_user(&sb_method_spectral_soup_implicit, &fb, w, cfg->soup.l2, NULL);
        sb_spectral_prior(ctx, im->fit, lam);
        double *q_lam = implicit_q_lam(ctx, im->fit, sb_spectral_state_fit(ctx, im->fit, &user, lam));
        SbPolicyValue v = {.aspects = aspects};
        sb_evaluate_policy(p, p->ref_logits, w, &v);
        J_ref[u] = v.J;
        for (size_t i = 0; i < n_sa; i++)
            logits[i] = p->ref_logits[i] + q_lam[i] / p->beta;
        sb_evaluate_policy(p, logits, w, &v);
        J_target[u] = v.J;
        for (int k = 0; k < n_M; k++) {
            int budget = (int)cfg->soup.implicit_budgets[k];
            sb_spectral_budget_logits(p, q_lam, budget, logits);
            sb_evaluate_policy(p, logits, w, &v);
            J[(size_t)k * n_u + u] = v.J;
            char purpose[96];
            snprintf(purpose, sizeof purpose, "spectral_soup_implicit/budget_sweep/%d/%d", budget, u);
            sampler_row(ctx, q_lam, budget, purpose, stats + ((size_t)k * n_u + u) * STAT_COLS);
        }
        free(q_lam);
        sb_pairs_free(&fb);
    }
    double *out = sb_zeros((size_t)n_M * SWEEP_COLS), *num = sb_zeros(n_u), *den = sb_zeros(n_u);
    for (int k = 0; k < n_M; k++) {
        double *row = out + (size_t)k * SWEEP_COLS, mean[STAT_COLS] = {0}, J_mean = 0, target_mean = 0;
        for (int u = 0; u < n_u; u++) {
            num[u] = J[(size_t)k * n_u + u] - J_ref[u];
            den[u] = J_target[u] - J_ref[u];
            J_mean += J[(size_t)k * n_u + u] / n_u;
            target_mean += J_target[u] / n_u;
            for (int c = 0; c < STAT_COLS; c++)
                mean[c] += stats[((size_t)k * n_u + u) * STAT_COLS + c] / n_u;
        }
        SbRng rng;
        char purpose[96];
        snprintf(purpose, sizeof purpose, "spectral_soup_implicit/budget_sweep/bootstrap/%d", k);
        sb_rng_derive(&rng, cfg->seed, purpose);
        double lo, hi, share = sb_bootstrap_ratio_ci(num, den, n_u, cfg->bootstrap, &rng, &lo, &hi);
        double values[SWEEP_COLS] = {cfg->soup.implicit_budgets[k], 100 * share, 100 * lo, 100 * hi, J_mean,
                                     target_mean, mean[3], mean[0], mean[4], mean[1], mean[5], mean[2],
                                     mean[6]};
        memcpy(row, values, sizeof values);
    }
    free(den), free(num), free(lam), free(aspects), free(logits), free(J_target), free(J_ref), free(stats), free(J);
    *rows = n_M;
    return out;
}

static void implicit_write(const SbContext *ctx, void *state, SbResults *r, const char *group)
{
    Implicit *im = state;
    sb_spectral_state_write(im->fit, r, group);
    char path[256];
    snprintf(path, sizeof path, "%s/acceptance", group);
    sb_results_write_table(r, path, (int)im->n, STAT_COLS, im->stats,
                           "acceptance_measured,proposals_per_token_measured,fallback_rate_measured,"
                           "acceptance_exact,proposals_per_token_exact,fallback_rate_exact,kl_to_target",
                           "rejection sampler with a budget of soup.implicit_budget proposals per token, per served "
                           "user (test users, then the distinct Pareto weights), on the evaluation prompts: measured over "
                           "soup.implicit_samples trajectories (acceptance: accepted proposals / proposals), exact "
                           "under the served policy's own state visits, and the KL of the served trajectory "
                           "distribution to the explicit soup's");
    sb_results_attr_int(r, path, "budget", ctx->cfg->soup.implicit_budget);
    if (ctx->cfg->soup.n_implicit_budgets == 0)
        return;
    int rows;
    double *sweep = budget_sweep(ctx, im, &rows);
    snprintf(path, sizeof path, "%s/budget_sweep", group);
    sb_results_write_table(r, path, rows, SWEEP_COLS, sweep,
                           "M,gain_share_mean,gain_share_lo,gain_share_hi,J_mean,J_target_mean,acceptance_exact,"
                           "acceptance_measured,proposals_per_token_exact,proposals_per_token_measured,"
                           "fallback_rate_exact,fallback_rate_measured,kl_to_target",
                           "the sampler's budget M swept over the held-out users (soup.implicit_budgets), each "
                           "served with its offline feedback: the pooled share of the explicit soup's gain over "
                           "pi_ref reached by the served policy pi_M, 100 sum(J_M - J_ref) / sum(J_target - J_ref) "
                           "(exact J, 95% bootstrap CI over users), mean J of pi_M and of the target, and the "
                           "sampler's statistics and KL to the target, means over users");
    free(sweep);
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
    .kept_cols = implicit_kept_cols,
    .adopt = implicit_adopt,
    .write = implicit_write,
    .release = implicit_release,
};
