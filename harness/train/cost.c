/* soupbench: the cost ledger (harness/cost.h). */
#include "cost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

typedef struct {
    char group[64], item[64];
    double seconds, flops;
    int steps;
} Entry;

static Entry *entries;
static int n_entries, cap_entries;

void sb_cost_record(const char *group, const char *item, const SbTrainStats *st)
{
    if (n_entries == cap_entries)
        entries = sb_realloc(entries, sizeof(Entry) * (size_t)(cap_entries = cap_entries ? 2 * cap_entries : 64));
    Entry *e = &entries[n_entries++];
    snprintf(e->group, sizeof e->group, "%s", group);
    snprintf(e->item, sizeof e->item, "%s", item);
    e->seconds = st->seconds;
    e->flops = st->flops;
    e->steps = st->steps;
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
