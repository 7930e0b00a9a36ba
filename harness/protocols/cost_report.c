/* soupbench: the cost of personalisation in scale-free units (harness/cost_report.h). */
#include "cost_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "basis.h"
#include "cost.h"
#include "refnet.h"
#include "sb.h"

enum {
    C_K, C_T, C_H, C_NSA, C_ADAPT, C_PER_ANSWER, C_BESPOKE, C_BESPOKE_STEPS, C_ADAPT_UNITS, C_PER_ANSWER_UNITS,
    C_PASSES, C_F_FIT, C_F_SERVE, C_F_BESPOKE, C_CROSSOVER, C_BASIS, C_BASIS_UNITS, C_BREAK_EVEN, N_COLS
};
static const char columns[] =
    "K,T,H,n_sa,adapt_flops,adapt_flops_per_answer,bespoke_flops,bespoke_steps,adapt_in_bespoke,"
    "per_answer_in_bespoke,newton_passes,formula_fit_flops,formula_serve_flops,formula_bespoke_flops,crossover_K,"
    "basis_flops,basis_in_bespoke,break_even_users";

static const char formula[] =
    "adapt(K, T) = T (T + 1) K (H + p (K + 2)) [fits: 2 t H K features + 2 t K (K + 2) per Newton pass, refit on "
    "the t answers so far, t = 1..T] + 2 (T + 1) n_sa K [serving, not in the ledger]; bespoke = steps x "
    "(forward + backward + Adam over every state, about 6 n_states P); crossover K*: adapt(K*, T) = bespoke";

void sb_cost_report(const SbContext *ctx, const SbOnlineCurve *curves, int n, SbResults *r, int quiet)
{
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    const SbOnlineCurve *cv = NULL;
    for (int k = 0; k < n; k++)
        if ((curves[k].method->roles & SB_ROLE_DRIVER) && !curves[k].active)
            cv = &curves[k];
    const SbMethod *bespoke = sb_method_with_role(SB_ROLE_NORMALISER);
    double b_seconds, b_flops;
    int b_count;
    sb_cost_total(bespoke->name, &b_seconds, &b_flops, &b_count);
    if (!cv || !ctx->basis || b_count == 0 || b_flops <= 0)
        return;

    double row[N_COLS];
    int K = ctx->basis->K, T = (int)cv->curve[(size_t)(cv->n_checkpoints - 1) * SB_ONLINE_COLS], H = p->H;
    double n_sa = (double)p->n_states * p->V, B = b_flops / b_count;
    row[C_K] = K, row[C_T] = T, row[C_H] = H, row[C_NSA] = n_sa;
    row[C_ADAPT] = cv->adapt_flops;
    row[C_PER_ANSWER] = T > 0 ? cv->adapt_flops / T : NAN;
    row[C_BESPOKE] = B;
    row[C_BESPOKE_STEPS] = (double)sb_cost_total_steps(bespoke->name) / b_count;
    row[C_ADAPT_UNITS] = row[C_ADAPT] / B;
    row[C_PER_ANSWER_UNITS] = row[C_PER_ANSWER] / B;
    /* the model beside the measurement: the Newton passes the ledger's fits
     * imply, the serving it does not count, the bespoke policy's steps at
     * the formula's cost per step */
    double passes = sb_cost_adapt_passes(cv->adapt_flops, T, H, K);
    row[C_PASSES] = passes;
    row[C_F_FIT] = sb_cost_adapt_fit_flops(T, H, K, passes);
    row[C_F_SERVE] = sb_cost_adapt_serve_flops(T, n_sa, K);
    const SbRefNet *ref = p->ref_net;
    SbCostNet net = {.rows = p->n_states, .n_in = p->n_in, .width = ref->width, .layers = ref->layers, .V = p->V,
                     .form = cfg->train.form, .rank = cfg->lora.rank};
    row[C_F_BESPOKE] = row[C_BESPOKE_STEPS] * sb_cost_train_step_flops(&net);
    row[C_CROSSOVER] = sb_cost_crossover_K(B, T, H, passes, n_sa);
    /* the offline basis in the form the soup merges, paid once */
    char group[64];
    double s_basis, f_basis;
    int n_basis;
    snprintf(group, sizeof group, "basis/%s", sb_policy_form_name(cfg->soup.form));
    sb_cost_total(group, &s_basis, &f_basis, &n_basis);
    row[C_BASIS] = n_basis ? f_basis : NAN;
    row[C_BASIS_UNITS] = row[C_BASIS] / B;
    double adapt_total = row[C_ADAPT] + row[C_F_SERVE];
    row[C_BREAK_EVEN] = adapt_total < B ? row[C_BASIS] / (B - adapt_total) : INFINITY;

    sb_results_write_table(r, "/cost/scale_free", 1, N_COLS, row, columns,
                           "one user's adaptation by the online driver against one bespoke policy: measured "
                           "FLOPs (the ledger), the same in bespoke policies, the analytic model's terms, the "
                           "crossover basis size and the users after which the basis has paid for itself");
    sb_results_attr_str(r, "/cost/scale_free", "method", cv->method->name);
    sb_results_attr_str(r, "/cost/scale_free", "bespoke", bespoke->name);
    sb_results_attr_str(r, "/cost/scale_free", "basis_form", sb_policy_form_name(cfg->soup.form));
    sb_results_attr_str(r, "/cost/scale_free", "formula", formula);
    if (quiet)
        return;
    printf("\nscale-free cost (unit: one %s policy, %.4g GFLOP in %.0f steps; %s, K = %d, T = %d answers):\n",
           bespoke->name, B * 1e-9, row[C_BESPOKE_STEPS], cv->method->name, K, T);
    printf("adapting one user costs %.3g GFLOP per answer, %.3g GFLOP in total = %.3g bespoke policies; "
           "crossover at K = %.0f\n",
           row[C_PER_ANSWER] * 1e-9, row[C_ADAPT] * 1e-9, row[C_ADAPT_UNITS], row[C_CROSSOVER]);
    printf("  formula: fits T (T + 1) K (H + p (K + 2)) = %.3g GFLOP at p = %.2f Newton passes per refit (the "
           "ledger's),\n  serving 2 (T + 1) n_sa K = %.3g GFLOP (not in the ledger), total %.3g bespoke policies; "
           "bespoke %.0f steps x %.4g GFLOP = %.4g GFLOP (ledger %.4g)\n",
           row[C_F_FIT] * 1e-9, passes, row[C_F_SERVE] * 1e-9, adapt_total / B, row[C_BESPOKE_STEPS],
           sb_cost_train_step_flops(&net) * 1e-9, row[C_F_BESPOKE] * 1e-9, B * 1e-9);
    if (n_basis)
        printf("  the basis (%d %s policies, %.3g GFLOP = %.3g bespoke policies, paid once) pays for itself after "
               "%.3g users\n",
               n_basis, sb_policy_form_name(cfg->soup.form), f_basis * 1e-9, row[C_BASIS_UNITS],
               row[C_BREAK_EVEN]);
}
