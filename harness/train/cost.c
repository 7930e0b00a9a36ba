/* soupbench: the cost ledger (harness/cost.h). */
#include "cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "units.h"

typedef struct {
    char group[64], item[64];
    double seconds, flops;
    int steps;
} Entry;

static Entry *entries;
static int n_entries, cap_entries;

/* The ledger's sink (harness/base/units.h): an entry whose item is empty
 * is numbered by the group's entries before it. */
static void apply(const void *data, size_t bytes)
{
    SB_ASSERT(bytes == sizeof(Entry));
    if (n_entries == cap_entries)
        entries = sb_realloc(entries, sizeof(Entry) * (size_t)(cap_entries = cap_entries ? 2 * cap_entries : 64));
    Entry *e = &entries[n_entries];
    memcpy(e, data, sizeof *e);
    if (!e->item[0]) {
        int k = 0;
        for (int i = 0; i < n_entries; i++)
            k += strcmp(entries[i].group, e->group) == 0;
        snprintf(e->item, sizeof e->item, "%d", k);
    }
    n_entries++;
}

__attribute__((constructor)) static void register_sink(void) { sb_units_sink("cost", apply); }

void sb_cost_record(const char *group, const char *item, const SbTrainStats *st)
{
    Entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.group, sizeof e.group, "%s", group);
    snprintf(e.item, sizeof e.item, "%s", item ? item : "");
    e.seconds = st->seconds;
    e.flops = st->flops;
    e.steps = st->steps;
    sb_units_record("cost", &e, sizeof e);
}

void sb_cost_total(const char *group, double *seconds, double *flops, int *count)
{
    *seconds = *flops = 0;
    *count = 0;
    for (int i = 0; i < n_entries; i++)
        if (strcmp(entries[i].group, group) == 0) {
            *seconds += entries[i].seconds;
            *flops += entries[i].flops;
            ++*count;
        }
}

void sb_cost_write(SbResults *r)
{
    for (int i = 0; i < n_entries; i++) {
        int first = 1;
        for (int j = 0; j < i; j++)
            if (strcmp(entries[j].group, entries[i].group) == 0)
                first = 0;
        if (!first)
            continue;
        /* one table per group, in the order the groups first appeared */
        int n = 0;
        size_t items_len = 1;
        for (int j = i; j < n_entries; j++)
            if (strcmp(entries[j].group, entries[i].group) == 0)
                n++, items_len += strlen(entries[j].item) + 1;
        double *table = sb_zeros((size_t)n * 3);
        char *items = sb_calloc(items_len, 1);
        for (int j = i, row = 0; j < n_entries; j++)
            if (strcmp(entries[j].group, entries[i].group) == 0) {
                table[row * 3 + 0] = entries[j].seconds;
                table[row * 3 + 1] = entries[j].flops;
                table[row * 3 + 2] = entries[j].steps;
                if (row++)
                    strcat(items, ",");
                strcat(items, entries[j].item);
            }
        char path[128];
        snprintf(path, sizeof path, "/cost/%s", entries[i].group);
        sb_results_write_table(r, path, n, 3, table, "seconds,flops,steps",
                               "training cost of each policy: wall seconds, floating-point operations, Adam steps");
        sb_results_attr_str(r, path, "rows", items);
        double seconds, flops;
        int count;
        sb_cost_total(entries[i].group, &seconds, &flops, &count);
        sb_results_attr_double(r, path, "total_seconds", seconds);
        sb_results_attr_double(r, path, "total_flops", flops);
        free(items);
        free(table);
    }
}

void sb_cost_reset(void)
{
    free(entries);
    entries = NULL;
    n_entries = cap_entries = 0;
}

int sb_cost_mark(void) { return n_entries; }

void sb_cost_truncate(int mark)
{
    SB_ASSERT(mark >= 0 && mark <= n_entries);
    n_entries = mark;
}

long sb_cost_total_steps(const char *group)
{
    long steps = 0;
    for (int i = 0; i < n_entries; i++)
        if (strcmp(entries[i].group, group) == 0)
            steps += entries[i].steps;
    return steps;
}

/* ---- the analytic cost model ---------------------------------------- */

static int net_fan_in(const SbCostNet *n, int l) { return l == 0 ? n->n_in : n->width; }

double sb_cost_net_params(const SbCostNet *n)
{
    double P = 0;
    for (int l = 0; l < n->layers; l++)
        P += n->form == SB_POLICY_FULL ? (double)n->width * net_fan_in(n, l) + n->width
                                       : (double)n->rank * net_fan_in(n, l) + (double)n->width * n->rank;
    if (n->form == SB_POLICY_FULL)
        P += (double)n->V * n->width + n->V;
    return P;
}

double sb_cost_train_step_flops(const SbCostNet *n)
{
    double rows = n->rows, W = n->width, V = n->V, L = n->layers, f = 0;
    int lora = n->form == SB_POLICY_LORA;
    for (int l = 0; l < n->layers; l++) {
        double fan_in = net_fan_in(n, l);
        f += 2 * rows * W * fan_in + rows * W;  /* forward affine */
        if (l > 0)
            f += 2 * rows * W * W;              /* input gradient */
        if (!lora)
            f += 2 * rows * W * fan_in;         /* weight gradient */
        else if (sb_mlp_lora_direct(n->rows, n->width, (int)fan_in, n->rank))
            f += 2 * W * fan_in * n->rank + 4 * rows * n->rank * (W + fan_in); /* B A; dA, dB from dpre */
        else
            f += 2 * W * fan_in * n->rank + 2 * rows * W * fan_in + 4 * W * fan_in * n->rank; /* B A; dW; dA, dB */
    }
    f += 20 * L * rows * W + 2 * rows * V * W + rows * V; /* tanh, head */
    f += (lora ? 2 : 4) * rows * V * W + 4 * L * rows * W; /* head gradients, tanh derivative */
    f += 12 * sb_cost_net_params(n) + 20 * rows * V;       /* Adam, loss */
    return f;
}

double sb_cost_fit_flops(double n, int H, int K, double passes)
{
    return 2.0 * n * H * K + 2.0 * passes * n * K * (K + 2.0);
}

double sb_cost_adapt_fit_flops(int T, int H, int K, double passes)
{
    return (double)T * (T + 1.0) * K * (H + passes * (K + 2.0));
}

double sb_cost_adapt_serve_flops(int T, double n_sa, int K) { return 2.0 * (T + 1.0) * n_sa * K; }

double sb_cost_adapt_passes(double fit_flops, int T, int H, int K)
{
    if (T <= 0 || K <= 0)
        return NAN;
    return (fit_flops / ((double)T * (T + 1.0) * K) - H) / (K + 2.0);
}

double sb_cost_crossover_K(double bespoke_flops, int T, int H, double passes, double n_sa)
{
    double a = (double)T * (T + 1.0) * passes;
    double b = (double)T * (T + 1.0) * (H + 2.0 * passes) + 2.0 * (T + 1.0) * n_sa;
    if (bespoke_flops <= 0 || b <= 0)
        return 0;
    if (a <= 0)
        return bespoke_flops / b;
    /* the positive root, written without cancellation for small a */
    return 2.0 * bespoke_flops / (b + sqrt(b * b + 4.0 * a * bespoke_flops));
}
