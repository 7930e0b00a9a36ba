/* soupbench methods `spectral_soup` (explicit output merging) and
 * `spectral_soup_param` (parameter merging of the basis LoRA adapters,
 * W + sum_k lam_k (alpha/r) B_k A_k), both with lam fitted to the user's
 * feedback. The fitted lam of every served user is stored in
 * /methods/<name>/lambda (test users first, then the Pareto sweeps).
 * spectral_soup is the comparison's lead: it drives the online streams,
 * is the method whose basis the ablations vary, and has the online
 * protocol's active variant (the other two soups share its fit and target,
 * so one active run answers the question for all three). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sb.h"
#include "spectral.h"
#include "train.h"

static void *explicit_prepare(const SbContext *ctx)
{
    return sb_spectral_state_new(ctx, sb_spectral_form(ctx));
}

/* fits on the LoRA form: its adapters are what it merges */
static void *param_prepare(const SbContext *ctx) { return sb_spectral_state_new(ctx, SB_POLICY_LORA); }

static void explicit_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    SbSpectralState *st = state;
    sb_spectral_logits(ctx, st->form, sb_spectral_state_fit(ctx, st, w), logits);
}

static void param_serve(const SbContext *ctx, void *state, const double *w, double *logits)
{
    SbSpectralState *st = state;
    const double *lam = sb_spectral_state_fit(ctx, st, w);
    SbPolicy *merged = sb_policy_lora_product_merge((const SbPolicy *const *)ctx->basis->policies[SB_POLICY_LORA], lam, st->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
}

/* Online: refit lam on the answers so far (warm-started), then serve. */
static void explicit_adapt(const SbContext *ctx, void *state, const SbPairs *answers, double *lam, double *logits)
{
    SbSpectralState *st = state;
    sb_spectral_fit_pairs(ctx, st->q, answers, ctx->cfg->online.l2, lam, NULL);
    sb_spectral_logits(ctx, st->form, lam, logits);
}

static void param_adapt(const SbContext *ctx, void *state, const SbPairs *answers, double *lam, double *logits)
{
    SbSpectralState *st = state;
    sb_spectral_fit_pairs(ctx, st->q, answers, ctx->cfg->online.l2, lam, NULL);
    SbPolicy *merged = sb_policy_lora_product_merge((const SbPolicy *const *)ctx->basis->policies[SB_POLICY_LORA], lam, st->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
}

/* Online, active variant: the candidate pair lam is most uncertain about. */
static int explicit_active_query(const SbContext *ctx, void *state, const SbPairs *answers, const double *lam,
                                 const SbPairs *candidates)
{
    return sb_spectral_active_query(ctx, state, answers, lam, candidates);
}

static void spectral_write(const SbContext *ctx, void *state, SbResults *r, const char *group)
{
    (void)ctx;
    sb_spectral_state_write(state, r, group);
}

static void spectral_release(void *state) { sb_spectral_state_free(state); }

const SbMethod sb_method_spectral_soup = {
    .name = "spectral_soup",
    .description = "Spectral Souping, output merging: softmax((1 - sum lam) l_ref + sum lam_k l_k), lam fitted "
                   "to the user's feedback",
    .needs = SB_NEEDS_BASIS,
    .prepare = explicit_prepare,
    .serve = explicit_serve,
    .online = SB_ONLINE_FEEDBACK,
    .adapt = explicit_adapt,
    .warm_size = sb_spectral_warm_size,
    .active_query = explicit_active_query,
    .roles = SB_ROLE_DRIVER | SB_ROLE_ABLATED,
    .style = {.rgb = 0xd62728, .point = 7},
    .write = spectral_write,
    .release = spectral_release,
};

const SbMethod sb_method_spectral_soup_param = {
    .name = "spectral_soup_param",
    .description = "Spectral Souping, parameter merging: W + sum_k lam_k (alpha/r) B_k A_k of the basis adapters",
    .needs = SB_NEEDS_BASIS,
    .prepare = param_prepare,
    .serve = param_serve,
    .online = SB_ONLINE_FEEDBACK,
    .adapt = param_adapt,
    .warm_size = sb_spectral_warm_size,
    .style = {.rgb = 0x8c564b, .point = 11},
    .write = spectral_write,
    .release = spectral_release,
};
