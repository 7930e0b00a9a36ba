/* soupbench: a shard's recorded units (harness/io/unitstore.h). */
#include "unitstore.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

void sb_unitstore_write(SbResults *r, const SbUnitStore *s, int index, int count)
{
    sb_results_attr_int(r, "/", "shard_index", index);
    sb_results_attr_int(r, "/", "shard_count", count);
    sb_results_attr_int(r, "/units", "stages", s->n_stages);
    sb_results_attr_str(r, "/units", "description",
                        "one shard's units (soupbench merge combines the shards into the results file; the other "
                        "groups of a shard file hold only its own units' numbers)");
    for (int i = 0; i < s->n_stages; i++) {
        const SbUnitStage *st = &s->stages[i];
        char path[128], sub[160];
        snprintf(path, sizeof path, "/units/%d", i);
        snprintf(sub, sizeof sub, "%s/out", path);
        char *cols = sb_column_names("v", 0, (int)st->cols);
        sb_results_write_table(r, sub, (int)st->n, (int)st->cols, st->out, cols,
                               "each unit's output (NaN: another shard's)");
        free(cols);
        int64_t *owned = sb_calloc((size_t)st->n + 1, sizeof(int64_t)), *off = sb_calloc((size_t)st->n + 2, sizeof(int64_t));
        size_t total = 0;
        for (long u = 0; u < st->n; u++) {
            owned[u] = st->owned[u];
            off[u] = (int64_t)total;
            total += st->journal_len[u];
        }
        off[st->n] = (int64_t)total;
        int64_t *bytes = sb_calloc(total + 1, sizeof(int64_t));
        for (long u = 0, at = 0; u < st->n; u++)
            for (size_t b = 0; b < st->journal_len[u]; b++)
                bytes[at++] = st->journal[u][b];
        snprintf(sub, sizeof sub, "%s/owned", path);
        sb_results_write_ints(r, sub, (int)st->n, 1, owned, "owned", "1 where this shard computed the unit");
        snprintf(sub, sizeof sub, "%s/journal_offsets", path);
        sb_results_write_ints(r, sub, (int)st->n + 1, 1, off, "offset", "where each unit's ledger journal starts");
        snprintf(sub, sizeof sub, "%s/journal_bytes", path);
        sb_results_write_ints(r, sub, (int)total, 1, bytes, "byte", "the units' ledger journals, one byte each");
        sb_results_attr_str(r, path, "name", st->name);
        sb_results_attr_int(r, path, "kind", st->kind);
        free(bytes), free(off), free(owned);
    }
}

static int fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* A 1-D dataset of n values, as doubles; NULL (and why) when it is not. */
static double *read_vector(SbResultsReader *rd, const char *path, long n, char *why, size_t size)
{
    SbResultsTable t;
    if (sb_results_read_dataset(rd, path, &t) != SB_RESULTS_OK || t.cols != 1 || (n >= 0 && t.rows != n)) {
        if (t.data || t.names)
            sb_results_table_free(&t);
        fail(why, size, "%s: %s: expected a vector of %ld values", sb_results_path(rd), path, n);
        return NULL;
    }
    double *v = t.data;
    t.data = NULL;
    sb_results_table_free(&t);
    return v ? v : sb_zeros(1);
}

int sb_unitstore_read(SbResultsReader *rd, SbUnitStore *s, int *index, int *count, char *why, size_t why_size)
{
    memset(s, 0, sizeof *s);
    double v;
    const char *file = sb_results_path(rd);
    if (sb_results_read_attr_double(rd, "/", "shard_index", &v) != 0)
        return fail(why, why_size, "%s: not a shard (no shard_index attribute: written by run --shard i/n?)", file);
    *index = (int)v;
    if (sb_results_read_attr_double(rd, "/", "shard_count", &v) != 0 || v < 1)
        return fail(why, why_size, "%s: /: expected a shard_count attribute >= 1", file);
    *count = (int)v;
    if (sb_results_read_attr_double(rd, "/units", "stages", &v) != 0 || v < 0 || v > 100000)
        return fail(why, why_size, "%s: /units: expected a stages attribute", file);
    int n_stages = (int)v;
    s->stages = sb_calloc((size_t)n_stages + 1, sizeof(SbUnitStage));
    s->cap = n_stages + 1;
    for (int i = 0; i < n_stages; i++) {
        SbUnitStage *st = &s->stages[s->n_stages++];
        char path[128], sub[160];
        snprintf(path, sizeof path, "/units/%d", i);
        char *name = sb_results_read_attr_str(rd, path, "name");
        if (!name || strlen(name) >= sizeof st->name) {
            free(name);
            return fail(why, why_size, "%s: %s: expected a name attribute", file, path);
        }
        snprintf(st->name, sizeof st->name, "%s", name);
        free(name);
        if (sb_results_read_attr_double(rd, path, "kind", &v) != 0)
            return fail(why, why_size, "%s: %s: expected a kind attribute", file, path);
        st->kind = (int)v;
        SbResultsTable t;
        snprintf(sub, sizeof sub, "%s/out", path);
        if (sb_results_read_dataset(rd, sub, &t) != SB_RESULTS_OK)
            return fail(why, why_size, "%s: %s: expected a table of the units' outputs", file, sub);
        st->n = t.rows;
        st->cols = t.cols;
        st->out = t.data ? t.data : sb_zeros(1);
        t.data = NULL;
        sb_results_table_free(&t);
        snprintf(sub, sizeof sub, "%s/owned", path);
        double *owned = read_vector(rd, sub, st->n, why, why_size);
        snprintf(sub, sizeof sub, "%s/journal_offsets", path);
        double *off = owned ? read_vector(rd, sub, st->n + 1, why, why_size) : NULL;
        snprintf(sub, sizeof sub, "%s/journal_bytes", path);
        double *bytes = off ? read_vector(rd, sub, -1, why, why_size) : NULL;
        if (!bytes) {
            free(off), free(owned);
            return -1;
        }
        st->owned = sb_calloc((size_t)st->n + 1, 1);
        st->journal_len = sb_calloc((size_t)st->n + 1, sizeof(size_t));
        st->journal = sb_calloc((size_t)st->n + 1, sizeof(unsigned char *));
        for (long u = 0; u < st->n; u++) {
            st->owned[u] = owned[u] != 0;
            if (!(off[u] >= 0 && off[u + 1] >= off[u] && off[u + 1] <= off[st->n])) {
                free(bytes), free(off), free(owned);
                return fail(why, why_size, "%s: %s/journal_offsets: not increasing at unit %ld", file, path, u);
            }
            size_t len = (size_t)(off[u + 1] - off[u]);
            st->journal_len[u] = len;
            if (len) {
                st->journal[u] = sb_malloc(len);
                for (size_t b = 0; b < len; b++)
                    st->journal[u][b] = (unsigned char)bytes[(size_t)off[u] + b];
            }
        }
        free(bytes), free(off), free(owned);
    }
    return 0;
}
