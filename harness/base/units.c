/* soupbench: independent units of work (harness/base/units.h). */
#include "units.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef SB_MPI
#include <mpi.h>
#endif

#include "sb.h"

/* ---- journals ------------------------------------------------------- */

typedef struct {
    unsigned char *data;
    size_t len, cap;
} Journal;

#define MAX_SINKS 16
static struct {
    char name[32];
    SbUnitSink apply;
} sinks[MAX_SINKS];
static int n_sinks;

/* the unit this thread runs: its stage, index and journal */
static _Thread_local const char *cur_stage;
static _Thread_local long cur_unit;
static _Thread_local Journal *cur_journal;

void sb_units_sink(const char *name, SbUnitSink apply)
{
    for (int i = 0; i < n_sinks; i++)
        if (strcmp(sinks[i].name, name) == 0) {
            sinks[i].apply = apply;
            return;
        }
    SB_ASSERT(n_sinks < MAX_SINKS && strlen(name) < sizeof sinks[0].name);
    snprintf(sinks[n_sinks].name, sizeof sinks[0].name, "%s", name);
    sinks[n_sinks++].apply = apply;
}

static SbUnitSink find_sink(const char *name)
{
    for (int i = 0; i < n_sinks; i++)
        if (strcmp(sinks[i].name, name) == 0)
            return sinks[i].apply;
    return NULL;
}

static void journal_put(Journal *j, const void *p, size_t n)
{
    if (j->len + n > j->cap) {
        j->cap = 2 * (j->len + n) + 64;
        j->data = sb_realloc(j->data, j->cap);
    }
    memcpy(j->data + j->len, p, n);
    j->len += n;
}

/* An item: the sink's name (NUL-terminated), its length (8 bytes), the data. */
void sb_units_record(const char *sink, const void *data, size_t bytes)
{
    if (!cur_journal) {
        SbUnitSink apply = find_sink(sink);
        SB_ASSERT(apply);
        apply(data, bytes);
        return;
    }
    uint64_t len = bytes;
    journal_put(cur_journal, sink, strlen(sink) + 1);
    journal_put(cur_journal, &len, sizeof len);
    journal_put(cur_journal, data, bytes);
}

/* Apply one unit's journal; where names it in the message of a damaged one. */
static void journal_apply(const unsigned char *d, size_t len, const char *where)
{
    size_t at = 0;
    while (at < len) {
        const unsigned char *nul = memchr(d + at, 0, len - at);
        uint64_t n;
        if (!nul || (size_t)(nul - d) + 1 + sizeof n > len)
            sb_fail(SB_EXIT_USAGE, "%s: a damaged ledger journal (at byte %zu of %zu)", where, at, len);
        const char *name = (const char *)(d + at);
        at = (size_t)(nul - d) + 1;
        memcpy(&n, d + at, sizeof n);
        at += sizeof n;
        if (n > len - at)
            sb_fail(SB_EXIT_USAGE, "%s: a damaged ledger journal (item of %llu bytes, %zu left)", where,
                    (unsigned long long)n, len - at);
        SbUnitSink apply = find_sink(name);
        if (!apply)
            sb_fail(SB_EXIT_USAGE, "%s: a ledger journal names the unknown sink \"%s\"", where, name);
        apply(d + at, (size_t)n);
        at += n;
    }
}

const char *sb_units_current(char *buf, size_t size)
{
    if (!cur_stage)
        return NULL;
    snprintf(buf, size, "%s#%ld", cur_stage, cur_unit);
    return buf;
}

/* ---- threads -------------------------------------------------------- */

static int threads = 1;

void sb_units_set_threads(int n) { threads = n < 1 ? 1 : n; }
int sb_units_threads(void) { return threads; }

/* ---- MPI ------------------------------------------------------------ */

static int mpi_rank = 0, mpi_size = 1;

int sb_units_rank(void) { return mpi_rank; }
int sb_units_size(void) { return mpi_size; }

#ifdef SB_MPI
int sb_units_have_mpi(void) { return 1; }

static void mpi_finish(void)
{
    int done;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

void sb_units_mpi_init(int *argc, char ***argv)
{
    /* only under mpirun: a plain start stays a plain process */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK"))
        return;
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    atexit(mpi_finish);
}

static int *int_counts(long long v)
{
    int *c = sb_calloc((size_t)mpi_size, sizeof(int));
    if (v > INT32_MAX)
        sb_fail(SB_EXIT_FAIL, "MPI: a stage's share of %lld elements exceeds one message", v);
    int mine = (int)v;
    MPI_Allgather(&mine, 1, MPI_INT, c, 1, MPI_INT, MPI_COMM_WORLD);
    return c;
}

static int *displacements(const int *counts)
{
    int *d = sb_calloc((size_t)mpi_size, sizeof(int));
    long long at = 0;
    for (int r = 0; r < mpi_size; r++) {
        if (at > INT32_MAX)
            sb_fail(SB_EXIT_FAIL, "MPI: a stage's output exceeds one message");
        d[r] = (int)at;
        at += counts[r];
    }
    return d;
}

/* Every rank receives every unit's output and journal: rank r computed the
 * units r, r + size, ... */
static void mpi_exchange(long n, long cols, double *out, Journal *J)
{
    long mine = 0;
    for (long u = mpi_rank; u < n; u += mpi_size)
        mine++;
    double *send = sb_zeros((size_t)(mine * cols) + 1);
    size_t bytes = 0;
    for (long u = mpi_rank, i = 0; u < n; u += mpi_size, i++) {
        memcpy(send + i * cols, out + u * cols, sizeof(double) * (size_t)cols);
        bytes += sizeof(uint64_t) + J[u].len;
    }
    int *cnt = int_counts(mine * cols), *dsp = displacements(cnt);
    long long total = 0;
    for (int r = 0; r < mpi_size; r++)
        total += cnt[r];
    double *recv = sb_zeros((size_t)total + 1);
    MPI_Allgatherv(send, (int)(mine * cols), MPI_DOUBLE, recv, cnt, dsp, MPI_DOUBLE, MPI_COMM_WORLD);
    for (int r = 0; r < mpi_size; r++)
        for (long u = r, i = 0; u < n; u += mpi_size, i++)
            memcpy(out + u * cols, recv + dsp[r] + i * cols, sizeof(double) * (size_t)cols);
    free(recv), free(dsp), free(cnt), free(send);

    unsigned char *jsend = sb_malloc(bytes + 1);
    size_t at = 0;
    for (long u = mpi_rank; u < n; u += mpi_size) {
        uint64_t len = J[u].len;
        memcpy(jsend + at, &len, sizeof len);
        if (len)
            memcpy(jsend + at + sizeof len, J[u].data, len);
        at += sizeof len + len;
    }
    cnt = int_counts((long long)bytes);
    dsp = displacements(cnt);
    total = 0;
    for (int r = 0; r < mpi_size; r++)
        total += cnt[r];
    unsigned char *jrecv = sb_malloc((size_t)total + 1);
    MPI_Allgatherv(jsend, (int)bytes, MPI_BYTE, jrecv, cnt, dsp, MPI_BYTE, MPI_COMM_WORLD);
    for (int r = 0; r < mpi_size; r++) {
        const unsigned char *d = jrecv + dsp[r];
        for (long u = r; u < n; u += mpi_size) {
            uint64_t len;
            memcpy(&len, d, sizeof len);
            d += sizeof len;
            if (u % mpi_size != mpi_rank) {
                J[u].len = 0;
                journal_put(&J[u], d, len);
            }
            d += len;
        }
    }
    free(jrecv), free(dsp), free(cnt), free(jsend);
}
#else
int sb_units_have_mpi(void) { return 0; }
void sb_units_mpi_init(int *argc, char ***argv) { (void)argc, (void)argv; }
#endif

/* ---- shards and replay ---------------------------------------------- */

static int shard_index = -1, shard_count = 0;
static SbUnitStore recorded;
static const SbUnitStore *replay;
static int stage_seq; /* stages run so far (the top-level ones) */

void sb_units_shard(int index, int count)
{
    shard_index = index;
    shard_count = count;
}

const SbUnitStore *sb_units_recorded(void) { return shard_count ? &recorded : NULL; }

void sb_units_replay(const SbUnitStore *store) { replay = store; }

void sb_units_store_free(SbUnitStore *s)
{
    for (int i = 0; i < s->n_stages; i++) {
        SbUnitStage *st = &s->stages[i];
        for (long u = 0; u < st->n; u++)
            free(st->journal[u]);
        free(st->journal);
        free(st->journal_len);
        free(st->owned);
        free(st->out);
    }
    free(s->stages);
    memset(s, 0, sizeof *s);
}

static void record_stage(const char *stage, long n, long cols, const double *out, const unsigned char *owned,
                         Journal *J, SbUnitsKind kind)
{
    if (recorded.n_stages == recorded.cap)
        recorded.stages = sb_realloc(recorded.stages, sizeof(SbUnitStage) *
                                                          (size_t)(recorded.cap = recorded.cap ? 2 * recorded.cap : 16));
    SbUnitStage *st = &recorded.stages[recorded.n_stages++];
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", stage);
    st->n = n;
    st->cols = cols;
    st->kind = kind;
    st->out = sb_malloc(sizeof(double) * (size_t)(n * cols) + 1);
    st->owned = sb_calloc((size_t)n + 1, 1);
    st->journal_len = sb_calloc((size_t)n + 1, sizeof(size_t));
    st->journal = sb_calloc((size_t)n + 1, sizeof(unsigned char *));
    for (long u = 0; u < n; u++) {
        st->owned[u] = owned[u];
        for (long c = 0; c < cols; c++)
            st->out[u * cols + c] = owned[u] ? out[u * cols + c] : NAN;
        if (owned[u] && J[u].len) {
            st->journal_len[u] = J[u].len;
            st->journal[u] = sb_malloc(J[u].len);
            memcpy(st->journal[u], J[u].data, J[u].len);
        }
    }
}

static void replay_stage(const char *stage, long n, long cols, double *out)
{
    int seq = stage_seq++;
    if (seq >= replay->n_stages)
        sb_fail(SB_EXIT_USAGE, "merge: the shards hold %d stages; the run needs more (stage %d, %s): shards of "
                "other code or another config", replay->n_stages, seq, stage);
    const SbUnitStage *st = &replay->stages[seq];
    if (strcmp(st->name, stage) != 0 || st->n != n || st->cols != cols)
        sb_fail(SB_EXIT_USAGE, "merge: stage %d: expected %s with %ld units of %ld numbers, found %s with %ld of %ld: "
                "shards of other code or another config", seq, stage, n, cols, st->name, st->n, st->cols);
    memcpy(out, st->out, sizeof(double) * (size_t)(n * cols));
    char where[160];
    for (long u = 0; u < n; u++) {
        snprintf(where, sizeof where, "merge: stage %s, unit %ld", stage, u);
        journal_apply(st->journal[u], st->journal_len[u], where);
    }
}

/* $SOUPBENCH_FAIL_UNIT ("offline#3"): that unit fails, for the tests of
 * how a failure is reported (a rank's, a thread's). */
static void injected_failure(void)
{
    const char *want = getenv("SOUPBENCH_FAIL_UNIT");
    char unit[160];
    if (want && strcmp(want, sb_units_current(unit, sizeof unit)) == 0)
        sb_fail(SB_EXIT_FAIL, "failure injected by $SOUPBENCH_FAIL_UNIT");
}

static void run_unit(SbUnitFn fn, void *arg, const char *stage, long u, long cols, double *out, Journal *j)
{
    cur_stage = stage;
    cur_unit = u;
    cur_journal = j;
    injected_failure();
    fn(arg, u, out + u * cols);
    cur_journal = NULL;
    cur_stage = NULL;
}

void sb_units_run(const char *stage, long n, long cols, double *out, SbUnitFn fn, void *arg, SbUnitsKind kind)
{
    if (cur_stage) { /* inside a unit: its own sub-units, in order, journaled with it */
        for (long u = 0; u < n; u++)
            fn(arg, u, out + u * cols);
        return;
    }
    if (replay) {
        replay_stage(stage, n, cols, out);
        return;
    }
    stage_seq++;
    unsigned char *owned = sb_calloc((size_t)n + 1, 1);
    long *mine = sb_calloc((size_t)n + 1, sizeof(long)); /* this process's units */
    long n_mine = 0;
    for (long u = 0; u < n; u++) {
        if (shard_count)
            owned[u] = kind == SB_UNITS_SHARED || u % shard_count == shard_index;
        else
            owned[u] = u % mpi_size == mpi_rank;
        if (owned[u])
            mine[n_mine++] = u;
    }
    Journal *J = sb_calloc((size_t)n + 1, sizeof(Journal));
    int nt = threads < n_mine ? threads : (int)(n_mine > 0 ? n_mine : 1);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (long i = 0; i < n_mine; i++)
        run_unit(fn, arg, stage, mine[i], cols, out, &J[mine[i]]);
    (void)nt;
#ifdef SB_MPI
    if (mpi_size > 1)
        mpi_exchange(n, cols, out, J);
#endif
    if (shard_count) {
        record_stage(stage, n, cols, out, owned, J, kind);
        for (long u = 0; u < n; u++)
            for (long c = 0; c < cols && !owned[u]; c++)
                out[u * cols + c] = NAN; /* another shard's */
    }
    char where[160];
    for (long u = 0; u < n; u++)
        if (owned[u] || mpi_size > 1) {
            snprintf(where, sizeof where, "stage %s, unit %ld", stage, u);
            journal_apply(J[u].data, J[u].len, where);
        }
    for (long u = 0; u < n; u++)
        free(J[u].data);
    free(J);
    free(mine);
    free(owned);
}
