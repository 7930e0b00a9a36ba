/* soupbench: the basis-size and reference-width ablations (harness/ablation.h). */
#include "ablation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "cost.h"
#include "regime.h"
#include "method.h"
#include "online.h"
#include "progress.h"
#include "sb.h"
#include "solver.h"
#include "spectral.h"
#include "spectrum.h"
#include "stats.h"
#include "units.h"
#include "synthetic.h"

#define ABLATION_COLS 14 /* width, K, rank_lora, rank_full, effective ranks, normalized mean, lo, hi, basis s, trained,
                            then the span of the basis: residuals (trained, exact) and the exact basis's rank */

/* The method whose basis is ablated (SB_ROLE_ABLATED): it adapts online
 * and needs nothing but the basis. */
static const SbMethod *ablated_method(void)
{
    const SbMethod *m = sb_method_with_role(SB_ROLE_ABLATED);
    SB_ASSERT(m && m->online == SB_ONLINE_FEEDBACK && m->warm_size && !(m->needs & SB_NEEDS_EXPERTS));
    return m;
}

/* The exact basis: implicit Q beta (log pi*_k - log pi_ref) of the
 * soft-optimal policy of every basis reward, out [K x n_sa]; returns its
 * numerical rank (basis.rank_tol) modulo per-state constants (each column
 * centred over every state's actions), the dimension of what the soup can
 * reach, since constants per state cancel in its softmax. */
static int exact_implicit_q(const SbProblem *p, const SbBasis *b, const SbConfig *cfg, double *out)
{
    int V = p->V, K = b->K;
    size_t n_sa = (size_t)p->n_states * V;
    double *rho = sb_zeros(n_sa), *lp = sb_zeros(V), *lr = sb_zeros(V), *M = sb_zeros(n_sa * K);
    for (int k = 0; k < K; k++) {
        sb_basis_reward(p, b, k, rho);
        SbSoftSolution sol;
        sb_solve_soft(p, rho, p->ref_logits, &sol);
        for (int s = 0; s < p->n_states; s++) {
            sb_log_softmax(sol.logits + (size_t)s * V, V, lp);
            sb_log_softmax(p->ref_logits + (size_t)s * V, V, lr);
            for (int a = 0; a < V; a++)
                out[(size_t)k * n_sa + (size_t)s * V + a] = p->beta * (lp[a] - lr[a]);
        }
        sb_soft_solution_free(&sol);
    }
    for (int k = 0; k < K; k++)
        for (int s = 0; s < p->n_states; s++) {
            const double *q = out + (size_t)k * n_sa + (size_t)s * V;
            double mean = 0;
            for (int a = 0; a < V; a++)
                mean += q[a] / V;
            for (int a = 0; a < V; a++)
                M[((size_t)s * V + a) * K + k] = q[a] - mean;
        }
    int n_sv = (size_t)K < n_sa ? K : (int)n_sa;
    double *sv = sb_zeros(n_sv);
    sb_singular_values(M, (int)n_sa, K, sv);
    int rank = sv[0] > 0 ? sb_numerical_rank(sv, n_sv, cfg->basis.rank_tol) : 0;
    free(sv), free(M), free(lr), free(lp), free(rho);
    return rank;
}

/* One (width, K) setting into row. */
static void run_setting(const SbConfig *base, int width, int K, double *row)
{
    SbConfig cfg = *base;
    cfg.reference.width = width;
    /* the feature kinds are ablated as they are; otherwise signed aspect
     * combinations, the one other kind whose size is free */
    if (!sb_basis_kind_is_feature(cfg.basis.kind))
        cfg.basis.kind = SB_BASIS_RANDOM;
    cfg.basis.size = K;
    cfg.basis.load[0] = '\0';
    cfg.online.rounds = cfg.ablation.rounds;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbProgress pg = {0};
    double start = sb_now();
    SbBasis *basis = sb_basis_build(p, &cfg, &pg);
    double basis_seconds = sb_now() - start;
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = basis};
    const SbMethod *soup = ablated_method(), *bespoke = sb_method_with_role(SB_ROLE_NORMALISER);
    SB_ASSERT(bespoke);
    void *soup_state = soup->prepare ? soup->prepare(&ctx) : NULL;
    void *bespoke_state = bespoke->prepare ? bespoke->prepare(&ctx) : NULL;
    int users = cfg.ablation.users < p->n_test ? cfg.ablation.users : p->n_test;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *score = sb_zeros(users), *lam = sb_zeros(soup->warm_size(&ctx, soup_state)), *r = sb_zeros(n_sa), *bl = sb_zeros(n_sa);
    /* the span the soup can reach: the user's Q* against the trained basis
     * (the form the soup merges) and against the exact one */
    double *q_trained = sb_zeros((size_t)K * n_sa), *q_exact = sb_zeros((size_t)K * n_sa), res_trained = 0,
           res_exact = 0;
    sb_basis_implicit_q(basis, p, cfg.soup.form, q_trained);
    int rank_exact = exact_implicit_q(p, basis, &cfg, q_exact);
    for (int u = 0; u < users; u++) {
        const double *w = p->users_test + (size_t)u * p->m;
        sb_problem_user_reward(p, w, r);
        SbSoftSolution sol;
        sb_solve_soft(p, r, p->ref_logits, &sol);
        sb_method_serve_offline(&ctx, bespoke, bespoke_state, w, bl);
        double J_ref = sb_policy_eval_objective(p, r, p->ref_logits);
        double J_bespoke = sb_policy_eval_objective(p, r, bl);
        char purpose[64];
        snprintf(purpose, sizeof purpose, "ablation/%d", u);
        SbRng seeder;
        sb_rng_derive(&seeder, cfg.seed, purpose);
        double regret = sb_online_soup_final(&ctx, soup, soup_state, w, sb_rng_u64(&seeder), cfg.ablation.rounds, lam);
        score[u] = 100.0 * (sol.value - regret - J_ref) / (J_bespoke - J_ref);
        res_trained += sb_spectral_residual(p, q_trained, K, sol.Q) / users;
        res_exact += sb_spectral_residual(p, q_exact, K, sol.Q) / users;
        sb_soft_solution_free(&sol);
    }
    row[0] = width;
    row[1] = K;
    row[2] = sb_basis_numerical_rank(basis, p, &cfg, SB_POLICY_LORA, &row[4]);
    row[3] = sb_basis_numerical_rank(basis, p, &cfg, SB_POLICY_FULL, &row[5]);
    SbRng rng;
    sb_rng_derive(&rng, cfg.seed, "ablation/bootstrap");
    row[6] = sb_mean(score, users);
    sb_bootstrap_mean_ci(score, users, cfg.bootstrap, &rng, &row[7], &row[8]);
    row[9] = basis_seconds;
    row[10] = 2.0 * K;
    row[11] = res_trained;
    row[12] = res_exact;
    row[13] = rank_exact;
    if (soup->release)
        soup->release(soup_state);
    if (bespoke->release)
        bespoke->release(bespoke_state);
    free(q_exact), free(q_trained), free(bl), free(r), free(lam), free(score);
    sb_basis_free(basis);
    sb_problem_free(p);
}

/* The sweep's units: one (width, K) setting each. */
typedef struct {
    const SbConfig *cfg;
    SbProgress *pg;
} AblationStage;

static void setting_unit(void *arg, long i, double *row)
{
    const AblationStage *st = arg;
    const SbAblationConfig *ac = &st->cfg->ablation;
    long a = i / ac->n_K, b = i % ac->n_K;
    int width = ac->n_widths ? (int)ac->widths[a] : st->cfg->reference.width;
    run_setting(st->cfg, width, (int)ac->K[b], row);
    sb_progress_advance(st->pg, 1);
}

static void print_row(const double *row)
{
    printf("  %5d %4d %9d %9d %8.1f %8.1f   %6.1f [%6.1f, %6.1f]     %6.2f   %9.3g %9.3g %10d\n", (int)row[0],
           (int)row[1], (int)row[2], (int)row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[11], row[12],
           (int)row[13]);
}

void sb_ablation_run(const SbConfig *cfg, SbResults *r, int quiet)
{
    const SbAblationConfig *ac = &cfg->ablation;
    if (ac->n_K == 0)
        return;
    int n_w = ac->n_widths ? ac->n_widths : 1, rows = n_w * ac->n_K;
    double *table = sb_zeros((size_t)rows * ABLATION_COLS);
    SbProgress pg;
    sb_progress_start(&pg, "ablations", rows, quiet);
    const char *soup = ablated_method()->name;
    SbBasisKind kind = sb_basis_kind_is_feature(cfg->basis.kind) ? cfg->basis.kind : SB_BASIS_RANDOM;
    if (!quiet)
        printf("\nablation: final normalised score of %s after %d answers (%d users) against the basis "
               "size K (basis kind %s, m = %d aspects, d = %d features);\nranks of the basis implicit-Q matrix "
               "(numerical at basis.rank_tol, and effective); mean residual of the users' Q* on the span of "
               "the\ntrained basis (the soup's form) and of the exact one, and the exact basis's numerical rank modulo "
               "per-state constants\n"
               "  %5s %4s %9s %9s %8s %8s   %-24s %s   %9s %9s %10s\n",
               soup, ac->rounds, ac->users, sb_basis_kind_name(kind), cfg->dataset.aspects,
               cfg->dataset.spectral_dim, "width", "K", "rank lora", "rank full", "eff lora", "eff full",
               "normalised score [95% CI]", "basis s", "res train", "res exact", "rank exact");
    /* the sweep's policies stay out of /cost and /regime */
    int ledger = sb_cost_mark(), regime = sb_regime_mark();
    AblationStage st = {cfg, &pg};
    sb_units_run("ablation/K", rows, ABLATION_COLS, table, setting_unit, &st, SB_UNITS_SPLIT);
    sb_cost_truncate(ledger);
    sb_regime_truncate(regime);
    sb_progress_finish(&pg);
    if (!quiet)
        for (int i = 0; i < rows; i++)
            print_row(table + (size_t)i * ABLATION_COLS);
    char description[512];
    snprintf(description, sizeof description,
             "per reference width and basis size K: numerical rank of the basis implicit-Q matrix and %s's final "
             "normalised score in the online protocol (95%% bootstrap CI over users); the mean relative residual "
             "of the users' Q* on the span of the trained basis's implicit Q (soup.form) and of the exact "
             "soft-optimal basis's, and the exact basis's numerical rank, both modulo per-state constants",
             soup);
    sb_results_write_table(r, "/ablations/K", rows, ABLATION_COLS, table,
                           "width,K,rank_lora,rank_full,effective_rank_lora,effective_rank_full,normalized_mean,"
                           "normalized_lo,normalized_hi,basis_seconds,policies_trained,residual_trained,"
                           "residual_exact,rank_exact",
                           description);
    sb_results_attr_int(r, "/ablations/K", "rounds", ac->rounds);
    sb_results_attr_int(r, "/ablations/K", "users", ac->users);
    sb_results_attr_double(r, "/ablations/K", "rank_tol", cfg->basis.rank_tol);
    sb_results_attr_str(r, "/ablations/K", "basis_kind", sb_basis_kind_name(kind));
    sb_results_attr_int(r, "/ablations/K", "aspects", cfg->dataset.aspects);
    sb_results_attr_int(r, "/ablations/K", "spectral_dim", cfg->dataset.spectral_dim);
    free(table);
}
