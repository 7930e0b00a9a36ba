/* soupbench: the offline protocol (harness/offline.h). */
#include "offline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pareto.h"
#include "sb.h"
#include "solver.h"
#include "stats.h"
#include "winrate.h"

int sb_aspect_pairs(int m) { return m * (m - 1) / 2; }

void sb_aspect_pair(int m, int k, int *i, int *j)
{
    for (int a = 0; a < m; a++)
        for (int b = a + 1; b < m; b++)
            if (k-- == 0) {
                *i = a;
                *j = b;
                return;
            }
    SB_ASSERT(0 && "aspect pair index out of range");
}

void sb_offline_reference_point(const SbProblem *p, double *aspects)
{
    double *w = sb_zeros(p->m);
    SbPolicyValue v = {.aspects = aspects};
    sb_evaluate_policy(p, p->ref_logits, w, &v);
    free(w);
}

static void rng_for(SbRng *rng, const SbConfig *cfg, const char *what, const char *method)
{
    char purpose[160];
    snprintf(purpose, sizeof purpose, "%s/%s", what, method);
    sb_rng_derive(rng, cfg->seed, purpose);
}

static void evaluate_users(const SbProblem *p, const SbConfig *cfg, const SbMethod *m, void *state,
                           SbProgress *pg, SbMethodResult *out, double *logits, double *r)
{
    int cols = out->user_cols;
    SbRng rng;
    rng_for(&rng, cfg, "winrate", m->name);
    for (int u = 0; u < p->n_test; u++) {
        const double *w = p->users_test + (size_t)u * p->m;
        double *row = out->users + (size_t)u * cols;
        m->serve(p, state, w, logits);
        SbPolicyValue v = {.aspects = row + 3};
        sb_evaluate_policy(p, logits, w, &v);
        row[0] = v.J;
        row[1] = v.KL;
        row[2] = v.reward;
        sb_problem_user_reward(p, w, r);
        SbWinRate wr = sb_winrate(p, r, logits, p->ref_logits, cfg->winrate_max_enumerate, cfg->winrate_samples,
                                  &rng);
        row[3 + p->m] = wr.rate;
        row[4 + p->m] = wr.lo;
        row[5 + p->m] = wr.hi;
        sb_progress_advance(pg, 1);
    }
}

static void trace_fronts(const SbProblem *p, const SbMethod *m, void *state, const double *ref_point,
                         SbProgress *pg, SbMethodResult *out, double *logits)
{
    int g = out->grid;
    double *w = sb_zeros(p->m), *aspects = sb_zeros(p->m);
    double *x = sb_zeros(g), *y = sb_zeros(g);
    int *flag = sb_calloc((size_t)g, sizeof(int));
    for (int k = 0; k < out->n_pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        double *block = out->pareto + (size_t)k * g * SB_PARETO_COLS;
        for (int q = 0; q < g; q++) {
            memset(w, 0, sizeof(double) * (size_t)p->m);
            w[i] = (double)q / (g - 1);
            w[j] = 1.0 - w[i];
            m->serve(p, state, w, logits);
            SbPolicyValue v = {.aspects = aspects};
            sb_evaluate_policy(p, logits, w, &v);
            double *row = block + (size_t)q * SB_PARETO_COLS;
            row[0] = w[i];
            row[1] = w[j];
            row[2] = x[q] = aspects[i];
            row[3] = y[q] = aspects[j];
            row[4] = v.J;
            row[5] = v.KL;
            sb_progress_advance(pg, 1);
        }
        sb_pareto_nondominated(x, y, g, flag);
        for (int q = 0; q < g; q++)
            block[(size_t)q * SB_PARETO_COLS + 6] = flag[q];
        out->hypervolume[k] = sb_hypervolume_2d(x, y, g, ref_point[i], ref_point[j]);
    }
    free(flag);
    free(y);
    free(x);
    free(aspects);
    free(w);
}

static void summarise(const SbConfig *cfg, SbMethodResult *out, int m)
{
    int n = out->n_users, cols = out->user_cols;
    double *col = sb_zeros(n);
    SbRng rng;
    rng_for(&rng, cfg, "bootstrap", out->method->name);
    for (int u = 0; u < n; u++)
        col[u] = out->users[(size_t)u * cols + 0];
    out->J_mean = sb_mean(col, n);
    sb_bootstrap_mean_ci(col, n, cfg->bootstrap, &rng, &out->J_lo, &out->J_hi);
    for (int u = 0; u < n; u++)
        col[u] = out->users[(size_t)u * cols + 1];
    out->KL_mean = sb_mean(col, n);
    for (int u = 0; u < n; u++)
        col[u] = out->users[(size_t)u * cols + 3 + m];
    out->win_mean = sb_mean(col, n);
    sb_bootstrap_mean_ci(col, n, cfg->bootstrap, &rng, &out->win_lo, &out->win_hi);
    free(col);
}

void sb_offline_run_method(const SbProblem *p, const SbConfig *cfg, const SbMethod *m, void *state,
                           const double *ref_point, SbProgress *pg, SbMethodResult *out)
{
    memset(out, 0, sizeof *out);
    out->method = m;
    out->n_users = p->n_test;
    out->user_cols = 6 + p->m;
    out->users = sb_zeros((size_t)out->n_users * out->user_cols);
    out->n_pairs = sb_aspect_pairs(p->m);
    out->grid = cfg->pareto_grid;
    out->pareto = sb_zeros((size_t)out->n_pairs * out->grid * SB_PARETO_COLS);
    out->hypervolume = sb_zeros(out->n_pairs);
    double *logits = sb_zeros((size_t)p->n_states * p->V);
    double *r = sb_zeros((size_t)p->n_states * p->V);
    evaluate_users(p, cfg, m, state, pg, out, logits, r);
    trace_fronts(p, m, state, ref_point, pg, out, logits);
    summarise(cfg, out, p->m);
    free(r);
    free(logits);
}

void sb_offline_write(SbResults *r, const SbProblem *p, const SbMethodResult *res, const double *ref_point)
{
    char path[256], columns[1024];
    const char *name = res->method->name;
    snprintf(path, sizeof path, "/methods/%s", name);
    sb_results_attr_str(r, path, "description", res->method->description);

    int n = snprintf(columns, sizeof columns, "J,KL,reward_total");
    for (int j = 0; j < p->m; j++)
        n += snprintf(columns + n, sizeof columns - (size_t)n, ",r_a%d", j + 1);
    snprintf(columns + n, sizeof columns - (size_t)n, ",winrate_ref,winrate_lo,winrate_hi");
    snprintf(path, sizeof path, "/methods/%s/users", name);
    sb_results_write_table(r, path, res->n_users, res->user_cols, res->users, columns,
                           "per held-out user, true weights: exact J_u, KL to pi_ref, E[r_u], expected aspect "
                           "rewards, win-rate against pi_ref with its 95% interval");

    for (int k = 0; k < res->n_pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        snprintf(path, sizeof path, "/methods/%s/pareto/a%d_a%d", name, i + 1, j + 1);
        snprintf(columns, sizeof columns, "w_a%d,w_a%d,r_a%d,r_a%d,J,KL,nondominated", i + 1, j + 1, i + 1,
                 j + 1);
        sb_results_write_table(r, path, res->grid, SB_PARETO_COLS,
                               res->pareto + (size_t)k * res->grid * SB_PARETO_COLS, columns,
                               "weight sweep over one aspect pair: exact expected aspect rewards, J, KL and "
                               "the non-dominated flag");
        sb_results_attr_double(r, path, "hypervolume", res->hypervolume[k]);
        double rp[2] = {ref_point[i], ref_point[j]};
        sb_results_attr_doubles(r, path, "reference_point", rp, 2);
        char aspects[32];
        snprintf(aspects, sizeof aspects, "a%d,a%d", i + 1, j + 1);
        sb_results_attr_str(r, path, "aspects", aspects);
    }
}

void sb_offline_write_summary(SbResults *r, const SbMethodResult *res, int n)
{
    double *table = sb_zeros((size_t)n * 7);
    char rows[SB_MAX_METHODS * (SB_NAME_MAX + 1)] = "";
    for (int i = 0; i < n; i++) {
        const SbMethodResult *x = res + i;
        double row[7] = {x->J_mean, x->J_lo, x->J_hi, x->KL_mean, x->win_mean, x->win_lo, x->win_hi};
        memcpy(table + (size_t)i * 7, row, sizeof row);
        if (i)
            strcat(rows, ",");
        strcat(rows, x->method->name);
    }
    sb_results_write_table(r, "/summary", n, 7, table, "J_mean,J_lo,J_hi,KL_mean,winrate_mean,winrate_lo,winrate_hi",
                           "per method over held-out users: mean J_u, mean KL, mean win-rate against pi_ref, "
                           "each with its 95% bootstrap interval over users");
    sb_results_attr_str(r, "/summary", "rows", rows);
    free(table);
}

void sb_offline_print_summary(const SbProblem *p, const SbMethodResult *res, int n)
{
    int pairs = sb_aspect_pairs(p->m);
    printf("\n%-14s %-28s %-8s %-26s", "method", "J_u mean [95% CI]", "KL", "win vs pi_ref [95% CI]");
    for (int k = 0; k < pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        char head[32];
        snprintf(head, sizeof head, "HV a%d-a%d", i + 1, j + 1);
        printf(" %-9s", head);
    }
    printf("\n");
    for (int r = 0; r < n; r++) {
        const SbMethodResult *x = res + r;
        char ci[64], win[64];
        snprintf(ci, sizeof ci, "%.4f [%.4f, %.4f]", x->J_mean, x->J_lo, x->J_hi);
        snprintf(win, sizeof win, "%.3f [%.3f, %.3f]", x->win_mean, x->win_lo, x->win_hi);
        printf("%-14s %-28s %-8.4f %-26s", x->method->name, ci, x->KL_mean, win);
        for (int k = 0; k < pairs; k++)
            printf(" %-9.4f", x->hypervolume[k]);
        printf("\n");
    }
    printf("(J_u = E[sum_t r_u] - beta E[sum_t KL]; win-rate exact when trajectories are enumerable;\n"
           " HV = exact hypervolume of the Pareto front over pi_ref's aspect rewards)\n");
}

void sb_method_result_free(SbMethodResult *res)
{
    free(res->users);
    free(res->pareto);
    free(res->hypervolume);
    memset(res, 0, sizeof *res);
}
