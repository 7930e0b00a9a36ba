/* soupbench methods `spectral_soup` (explicit output merging) and
 * `spectral_soup_param` (parameter merging of the basis LoRA adapters,
 * W + sum_k lam_k (alpha/r) B_k A_k), both with lam fitted to the user's
 * feedback, and the oracle-information variant `spectral_soup_exact`. The fitted lam of every served user is stored in
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
#include "solver.h"
#include "spectral.h"
#include "train.h"

static void *explicit_prepare(const SbContext *ctx)
{
    return sb_spectral_state_new(ctx, sb_spectral_form(ctx));
}

/* fits on the LoRA form: its adapters are what it merges */
static void *param_prepare(const SbContext *ctx) { return sb_spectral_state_new(ctx, SB_POLICY_LORA); }

static void explicit_serve(const SbContext *ctx, void *state, const SbUser *user, double *lam, double *logits)
{
    SbSpectralState *st = state;
    sb_spectral_logits(ctx, st->form, sb_spectral_state_fit(ctx, st, user, lam), logits);
}

static void param_serve(const SbContext *ctx, void *state, const SbUser *user, double *lam, double *logits)
{
    SbSpectralState *st = state;
    sb_spectral_state_fit(ctx, st, user, lam);
    SbPolicy *merged =
        sb_policy_lora_product_merge((const SbPolicy *const *)ctx->basis->policies[SB_POLICY_LORA], lam, st->K);
    sb_policy_logits(ctx->p, merged, logits);
    sb_policy_free(merged);
}

/* The oracle-information soup: lam from the user's exact Q*, the least-
 * squares projection of Q*_u on the span of the basis implicit Q (both
 * centred over each state's actions, since per-state constants cancel in
 * the softmax): what noise-free, unlimited feedback identifies when Q*_u
 * lies in that span. */
static void exact_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)warm;
    SbSpectralState *st = state;
    const SbProblem *p = ctx->p;
    SB_ASSERT(user->w);
    double *r = sb_zeros((size_t)p->n_states * p->V), *lam = sb_zeros(st->K);
    sb_problem_user_reward(p, user->w, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    sb_spectral_project(p, st->q, st->K, sol.Q, lam);
    sb_spectral_logits(ctx, st->form, lam, logits);
    sb_soft_solution_free(&sol);
    free(lam), free(r);
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
    .information = SB_INFO_FEEDBACK,
    .prepare = explicit_prepare,
    .serve = explicit_serve,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = sb_spectral_warm_size,
    .prior = sb_spectral_prior,
    .active_query = explicit_active_query,
    .roles = SB_ROLE_DRIVER | SB_ROLE_ABLATED,
    .style = {.rgb = 0xd62728, .point = 7},
    .kept_cols = sb_spectral_kept_cols,
    .adopt = sb_spectral_adopt,
    .write = spectral_write,
    .release = spectral_release,
};

const SbMethod sb_method_spectral_soup_param = {
    .name = "spectral_soup_param",
    .description = "Spectral Souping, parameter merging: W + sum_k lam_k (alpha/r) B_k A_k of the basis adapters",
    .needs = SB_NEEDS_BASIS,
    .information = SB_INFO_FEEDBACK,
    .prepare = param_prepare,
    .serve = param_serve,
    .online = SB_ONLINE_FEEDBACK,
    .warm_size = sb_spectral_warm_size,
    .prior = sb_spectral_prior,
    .style = {.rgb = 0x8c564b, .point = 11},
    .kept_cols = sb_spectral_kept_cols,
    .adopt = sb_spectral_adopt,
    .write = spectral_write,
    .release = spectral_release,
};

const SbMethod sb_method_spectral_soup_exact = {
    .name = "spectral_soup_exact",
    .description = "Spectral Souping with lam projected from the user's exact Q* onto the basis span (oracle "
                   "information: what unlimited noise-free feedback identifies)",
    .needs = SB_NEEDS_BASIS,
    .information = SB_INFO_EXACT_Q,
    .prepare = explicit_prepare,
    .serve = exact_serve,
    .online = SB_ONLINE_FIXED,
    .style = {.rgb = 0xff9896, .point = 13},
    .release = spectral_release,
};
