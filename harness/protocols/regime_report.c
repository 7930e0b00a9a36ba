/* soupbench: the regime block (harness/protocols/regime_report.h). */
#include "regime_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regime.h"
#include "sb.h"
#include "units.h"
#include "stats.h"
#include "train.h"

/* One parameter merge of K policies at uniform coefficients: its
 * nonlinearity against the same mix of their logits. */
typedef struct {
    const char *name;
    double value;
} Merge;

static double merge_value(const SbProblem *p, const SbBasis *b, SbPolicyForm f, int product)
{
    int K = b->K;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *c = sb_zeros(K), *merged = sb_zeros(n_sa);
    for (int k = 0; k < K; k++)
        c[k] = 1.0 / K;
    const SbPolicy *const *pols = (const SbPolicy *const *)b->policies[f];
    SbPolicy *m = product ? sb_policy_lora_product_merge(pols, c, K) : sb_policy_combine(pols, c, K);
    sb_policy_logits(p, m, merged);
    double v = sb_regime_merge_nonlinearity(p, merged, b->logits[f], c, K);
    sb_policy_free(m);
    free(merged), free(c);
    return v;
}

static int merges(const SbContext *ctx, Merge *out)
{
    int n = 0;
    const SbBasis *b = ctx->basis, *e = ctx->experts;
    if (b && !b->loaded && b->policies[SB_POLICY_LORA][0])
        out[n++] = (Merge){"basis LoRA adapters, product merge", merge_value(ctx->p, b, SB_POLICY_LORA, 1)};
    if (e && e->policies[SB_POLICY_FULL][0]) {
        out[n++] = (Merge){"experts, full parameter merge", merge_value(ctx->p, e, SB_POLICY_FULL, 0)};
        out[n++] = (Merge){"experts LoRA adapters, product merge", merge_value(ctx->p, e, SB_POLICY_LORA, 1)};
        out[n++] = (Merge){"experts LoRA adapters, factor average", merge_value(ctx->p, e, SB_POLICY_LORA, 0)};
    }
    return n;
}

void sb_regime_report(const SbContext *ctx, SbResults *r, int quiet)
{
    const SbRegimeConfig *rc = &ctx->cfg->regime;
    int n;
    const SbRegimeEntry *e = sb_regime_entries(&n);
    Merge mg[4];
    int n_mg = merges(ctx, mg);
    sb_regime_write(r);
    if (n_mg) {
        double v[4];
        size_t len = 1;
        for (int i = 0; i < n_mg; i++)
            v[i] = mg[i].value, len += strlen(mg[i].name) + 1;
        char *rows = sb_calloc(len, 1);
        for (int i = 0; i < n_mg; i++)
            strcat(strcat(rows, i ? "|" : ""), mg[i].name);
        sb_results_write_table(r, "/regime/merges", n_mg, 1, v, "nonlinearity",
                               "merge nonlinearity at uniform coefficients: ||l(merged theta) - l_mix|| / ||l_mix - "
                               "l_ref||, logits centred per state (0: merging parameters is merging outputs)");
        sb_results_attr_str(r, "/regime/merges", "rows", rows);
        free(rows);
    }
    sb_results_attr_double(r, "/regime", "max_change", rc->max_change);
    sb_results_attr_double(r, "/regime", "min_gain", rc->min_gain);

    int outside = 0;
    char why[1024] = "";
    double *x = sb_zeros(n > 0 ? n : 1), *y = sb_zeros(n > 0 ? n : 1), *z = sb_zeros(n > 0 ? n : 1);
    if (!quiet && n)
        printf("\nregime (declared: fine-tunes reaching %.0f%% of the oracle's gain move their weights by at most "
               "%.2f of their norm):\n  %-20s %5s %14s %14s %14s %14s\n",
               100 * rc->min_gain, rc->max_change, "policies", "n", "change median", "change max",
               "gain (train)", "gain (held out)");
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(e[j].group, e[i].group) != 0;
        if (!first)
            continue;
        int k = 0;
        double top = 0;
        for (int j = i; j < n; j++)
            if (strcmp(e[j].group, e[i].group) == 0) {
                x[k] = e[j].change, y[k] = e[j].gain_train, z[k] = e[j].gain_eval;
                top = e[j].change > top ? e[j].change : top;
                k++;
            }
        double ch = sb_median(x, k), gt = sb_median(y, k), ge = sb_median(z, k);
        if (!quiet)
            printf("  %-20s %5d %14.3f %14.3f %13.1f%% %13.1f%%\n", e[i].group, k, ch, top, 100 * gt, 100 * ge);
        /* outside: the policies that do reach the declared gain move too far,
         * or the typical one does not reach it */
        if (ch > rc->max_change || gt < rc->min_gain) {
            size_t used = strlen(why);
            snprintf(why + used, sizeof why - used, " %s (median change %.3g, gain %.1f%%);", e[i].group, ch,
                     100 * gt);
            outside++;
        }
    }
    if (!quiet)
        for (int i = 0; i < n_mg; i++)
            printf("  merge nonlinearity, %-38s %8.3f\n", mg[i].name, mg[i].value);
    fflush(stdout);
    if (outside && sb_units_rank() == 0) /* once for an MPI job */
        fprintf(stderr, "soupbench: warning: outside the regime $.regime declares:%s parameter merges may not "
                        "behave as output merges here (SPEC section 2, \"Regime\")\n", why);
    free(z), free(y), free(x);
}
