/* soupbench merge: the shard files of `run --shard I/N` into the one
 * results file of the whole run (harness/README.md, "Threads, MPI and
 * shards"). The shards must come from one config, seed and commit (this
 * binary's: the merge replays the run's stages from the recorded units,
 * computing only what joins them) and cover every unit exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "results.h"
#include "sb.h"
#include "units.h"
#include "unitstore.h"

static const char usage[] =
    "usage: soupbench merge SHARD.h5... --out FILE.h5 [--threads N] [--quiet]\n"
    "\n"
    "Combine the N shard files written by `soupbench run CONFIG.json --shard I/N`\n"
    "(I = 0 .. N-1) into the results file of the whole run: the same /data,\n"
    "/methods, /summary, /basis and /ablations as `soupbench run CONFIG.json`.\n"
    "The shards must come from the same config, seed and commit (this build's),\n"
    "and hold every shard index once; otherwise nothing is written (exit 2).\n"
    "\n"
    "  --out FILE.h5   the results file (required)\n"
    "  --threads N     threads for what the merge computes (default: the cores)\n"
    "  --quiet         no summary table\n";

typedef struct {
    const char *path;
    char *config, *commit;
    double seed;
    int index, count;
    SbUnitStore store;
} Shard;

static void read_shard(Shard *s)
{
    SbResultsReader *rd = sb_results_open(s->path);
    if (!rd)
        sb_fail(SB_EXIT_USAGE, "merge: %s: cannot open as a results file", s->path);
    char why[512];
    if (sb_unitstore_read(rd, &s->store, &s->index, &s->count, why, sizeof why) != 0)
        sb_fail(SB_EXIT_USAGE, "merge: %s", why);
    s->config = sb_results_read_attr_str(rd, "/", "config");
    s->commit = sb_results_read_attr_str(rd, "/", "git_commit");
    if (!s->config || !s->commit || sb_results_read_attr_double(rd, "/", "seed", &s->seed) != 0)
        sb_fail(SB_EXIT_USAGE, "merge: %s: /: expected the config, git_commit and seed attributes", s->path);
    sb_results_close(rd);
}

/* The shards' stages as one store: a split stage's unit from the shard
 * that owns it (exactly one must), a shared stage from shard 0. */
static SbUnitStore combine(Shard *sh, int n)
{
    SbUnitStore all = {0};
    const SbUnitStore *first = &sh[0].store;
    for (int k = 1; k < n; k++)
        if (sh[k].store.n_stages != first->n_stages)
            sb_fail(SB_EXIT_USAGE, "merge: %s has %d stages, %s has %d: shards of different runs", sh[0].path,
                    first->n_stages, sh[k].path, sh[k].store.n_stages);
    all.n_stages = all.cap = first->n_stages;
    all.stages = sb_calloc((size_t)all.n_stages + 1, sizeof(SbUnitStage));
    for (int i = 0; i < all.n_stages; i++) {
        const SbUnitStage *f = &first->stages[i];
        SbUnitStage *o = &all.stages[i];
        *o = (SbUnitStage){.n = f->n, .cols = f->cols, .kind = f->kind};
        memcpy(o->name, f->name, sizeof o->name);
        o->out = sb_zeros((size_t)(f->n * f->cols) + 1);
        o->owned = sb_calloc((size_t)f->n + 1, 1);
        o->journal_len = sb_calloc((size_t)f->n + 1, sizeof(size_t));
        o->journal = sb_calloc((size_t)f->n + 1, sizeof(unsigned char *));
        for (int k = 0; k < n; k++) {
            const SbUnitStage *st = &sh[k].store.stages[i];
            if (strcmp(st->name, f->name) != 0 || st->n != f->n || st->cols != f->cols)
                sb_fail(SB_EXIT_USAGE, "merge: stage %d: %s has %s (%ld units), %s has %s (%ld): shards of "
                        "different runs", i, sh[0].path, f->name, f->n, sh[k].path, st->name, st->n);
        }
        for (long u = 0; u < f->n; u++) {
            int from = -1;
            for (int k = 0; k < n; k++)
                if (sh[k].store.stages[i].owned[u]) {
                    if (f->kind == SB_UNITS_SHARED) {
                        if (from < 0)
                            from = k;
                        continue;
                    }
                    if (from >= 0)
                        sb_fail(SB_EXIT_USAGE, "merge: stage %s, unit %ld: computed by both %s and %s", f->name, u,
                                sh[from].path, sh[k].path);
                    from = k;
                }
            if (from < 0)
                sb_fail(SB_EXIT_USAGE, "merge: stage %s, unit %ld: in no shard", f->name, u);
            const SbUnitStage *st = &sh[from].store.stages[i];
            memcpy(o->out + u * f->cols, st->out + u * f->cols, sizeof(double) * (size_t)f->cols);
            o->owned[u] = 1;
            o->journal_len[u] = st->journal_len[u];
            if (st->journal_len[u]) {
                o->journal[u] = sb_malloc(st->journal_len[u]);
                memcpy(o->journal[u], st->journal[u], st->journal_len[u]);
            }
        }
    }
    return all;
}

/* Same config, seed and commit; every index of one count exactly once. */
static void check_shards(const Shard *sh, int n)
{
    for (int k = 1; k < n; k++) {
        if (sh[k].seed != sh[0].seed)
            sb_fail(SB_EXIT_USAGE, "merge: %s: expected seed %.0f (as %s), found %.0f", sh[k].path, sh[0].seed,
                    sh[0].path, sh[k].seed);
        if (strcmp(sh[k].config, sh[0].config) != 0)
            sb_fail(SB_EXIT_USAGE, "merge: %s and %s come from different configs ($ differs)", sh[0].path,
                    sh[k].path);
        if (strcmp(sh[k].commit, sh[0].commit) != 0)
            sb_fail(SB_EXIT_USAGE, "merge: %s: expected commit %s (as %s), found %s", sh[k].path, sh[0].commit,
                    sh[0].path, sh[k].commit);
        if (sh[k].count != sh[0].count)
            sb_fail(SB_EXIT_USAGE, "merge: %s: expected a shard of %d (as %s), found one of %d", sh[k].path,
                    sh[0].count, sh[0].path, sh[k].count);
    }
    if (strcmp(sh[0].commit, sb_git_commit) != 0)
        sb_fail(SB_EXIT_USAGE, "merge: %s: written by commit %s, this soupbench is %s: merge with the build that "
                "ran the shards", sh[0].path, sh[0].commit, sb_git_commit);
    int count = sh[0].count;
    for (int i = 0; i < count; i++) {
        int seen = -1;
        for (int k = 0; k < n; k++)
            if (sh[k].index == i) {
                if (seen >= 0)
                    sb_fail(SB_EXIT_USAGE, "merge: shard %d/%d given twice (%s and %s)", i, count, sh[seen].path,
                            sh[k].path);
                seen = k;
            }
        if (seen < 0)
            sb_fail(SB_EXIT_USAGE, "merge: shard %d/%d is missing (%d of %d shard files given)", i, count, n, count);
    }
}

int sb_cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    int quiet = 0, n = 0;
    long threads = -1; /* run's default: every core */
    Shard *sh = sb_calloc((size_t)argc + 1, sizeof *sh);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            free(sh);
            return SB_EXIT_OK;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench merge: %s needs a value\n%s", a, usage);
                free(sh);
                return SB_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--out") == 0) {
                out = v;
            } else {
                char *end;
                threads = strtol(v, &end, 10);
                if (*end || end == v || threads < 1 || threads > 256) {
                    fprintf(stderr, "soupbench merge: --threads: expected an integer in [1, 256], found \"%s\"\n", v);
                    free(sh);
                    return SB_EXIT_USAGE;
                }
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "soupbench merge: unknown option %s\n%s", a, usage);
            free(sh);
            return SB_EXIT_USAGE;
        } else {
            sh[n++].path = a;
        }
    }
    if (!out || n == 0) {
        fprintf(stderr, "soupbench merge: %s\n%s", n == 0 ? "no shard files" : "--out FILE.h5 is required", usage);
        free(sh);
        return SB_EXIT_USAGE;
    }
    for (int k = 0; k < n; k++)
        read_shard(&sh[k]);
    check_shards(sh, n);
    static SbUnitStore all; /* replayed until exit */
    all = combine(sh, n);
    SbConfig cfg;
    char label[600];
    snprintf(label, sizeof label, "%s: /@config", sh[0].path);
    if (sb_config_parse(sh[0].config, label, &cfg) != 0)
        return SB_EXIT_USAGE;
    cfg.seed = (uint64_t)sh[0].seed;
    for (int k = 0; k < n; k++) {
        sb_units_store_free(&sh[k].store);
        free(sh[k].config);
        free(sh[k].commit);
    }
    free(sh);
    sb_units_replay(&all);
    return sb_run_replayed(label, &cfg, out, (int)threads, quiet, argc, argv);
}
