/* soupbench: regime diagnostics (harness/train/regime.h). */
#include "regime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "units.h"
#include "solver.h"
#include "train.h"

static SbRegimeEntry *entries;
static int n_entries, cap_entries;

static double sq_norm(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return s;
}

static double sq_diff(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

static void weight_change(const SbPolicy *pol, SbRegimeEntry *out)
{
    const SbRefNet *ref = pol->ref;
    int L = ref->layers;
    double num = 0, den = 0;
    if (pol->form == SB_POLICY_LORA) {
        out->n_layers = L;
        for (int l = 0; l < L; l++) {
            size_t n = (size_t)ref->width * (l == 0 ? ref->n_in : ref->width);
            double *u = sb_zeros(n);
            sb_policy_lora_update(pol, l, u);
            double nu = sq_norm(u, n), nw = sq_norm(ref->W[l], n);
            out->layer_change[l] = sqrt(nu / nw);
            num += nu, den += nw;
            free(u);
        }
    } else {
        out->n_layers = L + 1;
        SbPolicyViews v = sb_policy_views(pol, pol->theta);
        for (int l = 0; l < L; l++) {
            size_t n = (size_t)ref->width * (l == 0 ? ref->n_in : ref->width);
            double dn = sq_diff(v.W[l], ref->W[l], n) + sq_diff(v.b[l], ref->b[l], (size_t)ref->width);
            double rn = sq_norm(ref->W[l], n) + sq_norm(ref->b[l], (size_t)ref->width);
            out->layer_change[l] = sqrt(dn / rn);
            num += dn, den += rn;
        }
        size_t n = (size_t)ref->n_out * ref->width;
        double dn = sq_diff(v.W_out, ref->W_out, n) + sq_diff(v.b_out, ref->b_out, (size_t)ref->n_out);
        double rn = sq_norm(ref->W_out, n) + sq_norm(ref->b_out, (size_t)ref->n_out);
        out->layer_change[L] = rn > 0 ? sqrt(dn / rn) : 0;
        num += dn, den += rn;
        sb_policy_views_free(&v);
    }
    out->change = den > 0 ? sqrt(num / den) : 0;
}

/* J of logits under reward rho on the training prompts (p->init, the
 * trainers' objective) or the held-out ones (p->eval_init). */
static double J_on(const SbProblem *p, int held_out, const double *rho, const double *logits)
{
    return held_out ? sb_policy_eval_objective(p, rho, logits) : sb_policy_objective(p, rho, logits, NULL);
}

static double gain_on(const SbProblem *p, int held_out, const double *rho, const double *logits,
                      const SbSoftSolution *sol)
{
    const double *init = held_out ? p->eval_init : p->init;
    double J_ref = J_on(p, held_out, rho, p->ref_logits), J_opt = 0;
    for (int x = 0; x < p->n_prompts; x++)
        J_opt += init[x] * sol->V[x];
    return (J_on(p, held_out, rho, logits) - J_ref) / (J_opt - J_ref);
}

void sb_regime_measure(const SbProblem *p, const SbPolicy *pol, const double *logits, const double *rho,
                       SbRegimeEntry *out)
{
    memset(out, 0, sizeof *out);
    out->form = pol->form;
    SB_ASSERT(pol->ref->layers + 1 <= SB_REGIME_MAX_LAYERS);
    weight_change(pol, out);
    SbSoftSolution sol;
    sb_solve_soft(p, rho, p->ref_logits, &sol);
    out->gain_train = gain_on(p, 0, rho, logits, &sol);
    out->gain_eval = gain_on(p, 1, rho, logits, &sol);
    sb_soft_solution_free(&sol);
}

/* The ledger's sink (harness/base/units.h): an entry whose item is empty
 * is numbered by the group's entries before it. */
static void apply(const void *data, size_t bytes)
{
    SB_ASSERT(bytes == sizeof(SbRegimeEntry));
    if (n_entries == cap_entries)
        entries = sb_realloc(entries, sizeof *entries * (size_t)(cap_entries = cap_entries ? 2 * cap_entries : 64));
    SbRegimeEntry *e = &entries[n_entries];
    memcpy(e, data, sizeof *e);
    if (!e->item[0]) {
        int k = 0;
        for (int i = 0; i < n_entries; i++)
            k += strcmp(entries[i].group, e->group) == 0;
        snprintf(e->item, sizeof e->item, "%d", k);
    }
    n_entries++;
}

__attribute__((constructor)) static void register_sink(void) { sb_units_sink("regime", apply); }

void sb_regime_record(const char *group, const char *item, const SbProblem *p, const SbPolicy *pol,
                      const double *logits, const double *rho)
{
    SbRegimeEntry e;
    memset(&e, 0, sizeof e);
    double *own = logits ? NULL : sb_zeros((size_t)p->n_states * p->V);
    if (own)
        sb_policy_logits(p, pol, own);
    sb_regime_measure(p, pol, logits ? logits : own, rho, &e);
    free(own);
    snprintf(e.group, sizeof e.group, "%s", group);
    snprintf(e.item, sizeof e.item, "%s", item ? item : "");
    sb_units_record("regime", &e, sizeof e);
}


double sb_regime_merge_nonlinearity(const SbProblem *p, const double *merged, const double *logits, const double *c,
                                    int K)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *mix = sb_zeros(n_sa), rest = 1.0;
    for (int k = 0; k < K; k++)
        rest -= c[k];
    for (size_t i = 0; i < n_sa; i++) {
        double acc = rest * p->ref_logits[i];
        for (int k = 0; k < K; k++)
            acc += c[k] * logits[(size_t)k * n_sa + i];
        mix[i] = acc;
    }
    double *a = sb_zeros(n_sa), *b = sb_zeros(n_sa), *r = sb_zeros(n_sa);
    sb_problem_centre_actions(p, merged, a);
    sb_problem_centre_actions(p, mix, b);
    sb_problem_centre_actions(p, p->ref_logits, r);
    double num = sqrt(sq_diff(a, b, n_sa)), den = sqrt(sq_diff(b, r, n_sa));
    free(r), free(b), free(a), free(mix);
    return den > 0 ? num / den : (num > 0 ? INFINITY : 0);
}

const SbRegimeEntry *sb_regime_entries(int *n)
{
    *n = n_entries;
    return entries;
}

int sb_regime_mark(void) { return n_entries; }

void sb_regime_truncate(int mark)
{
    if (mark < n_entries)
        n_entries = mark;
}

void sb_regime_write(SbResults *r)
{
    for (int i = 0; i < n_entries; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(entries[j].group, entries[i].group) != 0;
        if (!first)
            continue;
        int n = 0, L = entries[i].n_layers;
        for (int j = i; j < n_entries; j++)
            n += strcmp(entries[j].group, entries[i].group) == 0;
        int cols = 3 + L;
        double *table = sb_zeros((size_t)n * cols);
        for (int j = i, row = 0; j < n_entries; j++) {
            if (strcmp(entries[j].group, entries[i].group) != 0)
                continue;
            double *t = table + (size_t)row++ * cols;
            t[0] = entries[j].change;
            t[1] = entries[j].gain_train;
            t[2] = entries[j].gain_eval;
            for (int l = 0; l < L; l++)
                t[3 + l] = entries[j].layer_change[l];
        }
        char *layers = sb_column_names("change_layer_", 0, L), columns[1024], path[128];
        snprintf(columns, sizeof columns, "change,gain_train,gain_heldout,%s", layers);
        if (entries[i].form == SB_POLICY_FULL && L > 0) {
            /* the last full-form column is the output head */
            char *last = strrchr(columns, ',');
            snprintf(last + 1, sizeof columns - (size_t)(last + 1 - columns), "change_head");
        }
        snprintf(path, sizeof path, "/regime/%s", entries[i].group);
        sb_results_write_table(r, path, n, cols, table, columns,
                               "per trained policy (rows, in training order): relative weight change from the "
                               "reference (full: ||theta - theta_ref|| / ||theta_ref||; LoRA: ||(alpha/r) B A|| / "
                               "||W|| over the adapted layers), the fraction of the oracle's gain on its own "
                               "reward on the training and the held-out prompts, and the change per layer");
        free(layers);
        free(table);
    }
}
