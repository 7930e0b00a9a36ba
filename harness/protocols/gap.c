/* soupbench: the spectral-gap sweep (harness/gap.h). */
#include "gap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "cost.h"
#include "regime.h"
#include "method.h"
#include "progress.h"
#include "sb.h"
#include "units.h"
#include "solver.h"
#include "spectral.h"
#include "stats.h"
#include "synthetic.h"

int sb_gap_settings(const SbConfig *cfg)
{
    return cfg->gap.n_horizons * cfg->gap.n_transitions * cfg->gap.n_misspecification;
}

/* Residual of the user's Q* on the exact Q* of the basis rewards. */
static double exact_basis_residual(const SbProblem *p, const SbBasis *b, const double *Qu)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *rho = sb_zeros(n_sa), *Q = sb_zeros(n_sa * b->K);
    for (int k = 0; k < b->K; k++) {
        sb_basis_reward(p, b, k, rho);
        SbSoftSolution sol;
        sb_solve_soft(p, rho, p->ref_logits, &sol);
        memcpy(Q + (size_t)k * n_sa, sol.Q, n_sa * sizeof(double));
        sb_soft_solution_free(&sol);
    }
    double res = sb_spectral_residual(p, Q, b->K, Qu);
    free(Q);
    free(rho);
    return res;
}

/* One setting: fills row = [misspecification, linear, horizon, residual_trained, residual_exact,
 * gap per method] (means over held-out users). */
static void run_setting(const SbConfig *base, SbTransition transition, int H, double rho, double *row)
{
    SbConfig cfg = *base;
    cfg.dataset.transition = transition;
    cfg.dataset.horizon = H;
    cfg.dataset.misspecification = rho;
    cfg.basis.load[0] = '\0'; /* a stored basis belongs to another MDP */
    if (sb_basis_size(&cfg, cfg.dataset.aspects) == 0)
        cfg.basis.kind = SB_BASIS_ASPECTS;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbProgress pg;
    sb_progress_start(&pg, "gap: basis", 0, 1);
    SbBasis *basis = sb_basis_build(p, &cfg, &pg), *trained = NULL;
    int needs = 0, n = cfg.gap.n_methods;
    const SbMethod *methods[SB_MAX_METHODS];
    for (int k = 0; k < n; k++) {
        methods[k] = sb_method_find(cfg.gap.methods[k]);
        needs |= methods[k]->needs;
    }
    const SbBasis *experts = needs & SB_NEEDS_EXPERTS ? sb_experts_for(p, &cfg, basis, &pg, &trained) : NULL;
    SbLearnedAspects *learned = needs & SB_NEEDS_LEARNED ? sb_learned_for(p, &cfg) : NULL;
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = basis, .experts = experts, .learned = learned};
    void *states[SB_MAX_METHODS];
    for (int k = 0; k < n; k++)
        states[k] = methods[k]->prepare ? methods[k]->prepare(&ctx) : NULL;

    size_t n_sa = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n_sa), *logits = sb_zeros(n_sa);
    double *q = sb_zeros(n_sa * basis->K);
    sb_basis_implicit_q(basis, p, sb_spectral_form(&ctx), q);
    double res_trained = 0, res_exact = 0, *gap = sb_zeros(n);
    for (int u = 0; u < p->n_test; u++) {
        const double *w = p->users_test + (size_t)u * p->m;
        sb_problem_user_reward(p, w, r);
        SbSoftSolution sol;
        sb_solve_soft(p, r, p->ref_logits, &sol);
        res_trained += sb_spectral_residual(p, q, basis->K, sol.Q) / p->n_test;
        res_exact += exact_basis_residual(p, basis, sol.Q) / p->n_test;
        for (int k = 0; k < n; k++) {
            sb_method_serve_offline(&ctx, methods[k], states[k], w, logits);
            gap[k] += (sol.value - sb_policy_eval_objective(p, r, logits)) / p->n_test;
        }
        sb_soft_solution_free(&sol);
    }
    row[0] = rho;
    row[1] = transition == SB_TRANSITION_LINEAR;
    row[2] = H;
    row[3] = res_trained;
    row[4] = res_exact;
    memcpy(row + 5, gap, sizeof(double) * (size_t)n);
    for (int k = 0; k < n; k++)
        if (methods[k]->release)
            methods[k]->release(states[k]);
    free(gap), free(q), free(logits), free(r);
    sb_learned_aspects_free(learned);
    sb_basis_free(trained);
    sb_basis_free(basis);
    sb_problem_free(p);
}

/* The sweep's units: one (misspecification, transition, horizon) setting each. */
typedef struct {
    const SbConfig *cfg;
    SbProgress *pg;
} GapStage;

static void setting_unit(void *arg, long i, double *row)
{
    const GapStage *st = arg;
    const SbGapConfig *g = &st->cfg->gap;
    long c = i % g->n_horizons, b = (i / g->n_horizons) % g->n_transitions, a = i / g->n_horizons / g->n_transitions;
    run_setting(st->cfg, g->transitions[b], (int)g->horizons[c], g->misspecification[a], row);
    sb_progress_advance(st->pg, 1);
}

void sb_gap_run(const SbConfig *cfg, SbResults *r, int quiet)
{
    int rows = sb_gap_settings(cfg), n = cfg->gap.n_methods, cols = 5 + n;
    if (rows == 0)
        return;
    double *table = sb_zeros((size_t)rows * cols);
    if (!quiet) {
        printf("\nspectral gap sweep: mean over held-out users of the residual of Q*_u on the basis span\n"
               "(trained implicit Q / exact basis Q*) and of each method's gap J(pi*) - J(pi):\n");
        printf("  %-6s %4s %s  %9s %9s", "MDP", "rho", "H", "res.train", "res.exact");
        for (int k = 0; k < n; k++)
            printf(" %20.20s", cfg->gap.methods[k]);
        printf("\n");
    }
    SbProgress pg;
    sb_progress_start(&pg, "gap sweep", rows, quiet);
    /* the sweep's policies stay out of /cost and /regime */
    int ledger = sb_cost_mark(), regime = sb_regime_mark();
    GapStage st = {cfg, &pg};
    sb_units_run("gap", rows, cols, table, setting_unit, &st, SB_UNITS_SPLIT);
    sb_cost_truncate(ledger);
    sb_regime_truncate(regime);
    sb_progress_finish(&pg);
    for (int i = 0; i < rows && !quiet; i++) {
        const double *row = table + (size_t)i * cols;
        printf("  %-6s %4.2f %d  %9.2e %9.2e", sb_transition_name(row[1] ? SB_TRANSITION_LINEAR : SB_TRANSITION_TREE),
               row[0], (int)row[2], row[3], row[4]);
        for (int k = 0; k < n; k++)
            printf(" %20.2e", row[5 + k]);
        printf("\n");
    }
    char columns[4096];
    /* column names carry the method names: gap_<method> */
    size_t used = (size_t)snprintf(columns, sizeof columns, "misspecification,linear,horizon,residual_trained,residual_exact");
    for (int k = 0; k < n; k++)
        used += (size_t)snprintf(columns + used, sizeof columns - used, ",gap_%s", cfg->gap.methods[k]);
    sb_results_write_table(r, "/gap/results", rows, cols, table, columns,
                           "per setting (misspecification, linear = 1 for linear transitions, horizon): mean over "
                           "held-out users of the residual of Q*_u on the basis span (trained implicit Q, exact "
                           "basis Q*) and of each method's gap to the oracle J(pi*) - J(pi)");
    sb_results_attr_str(r, "/gap", "description",
                        "where Q-weighted output merging, parameter merging and reward-weighted decoding part ways "
                        "(SPEC section 1)");
    free(table);
}
