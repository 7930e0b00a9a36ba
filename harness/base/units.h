/* soupbench: independent units of work (harness/README.md, "Threads, MPI
 * and shards").
 *
 * A stage is n units (a user served by a method, a front point, an online
 * stream, a basis policy, a sweep point), each computing `cols` doubles of
 * its own from inputs it only reads. sb_units_run runs them
 *  - over the threads of the process (OpenMP, $SOUPBENCH_THREADS or
 *    sb_units_set_threads), scheduled dynamically;
 *  - over the ranks of an MPI job (make MPI=1): unit u on rank u mod size,
 *    then every rank receives every unit's output;
 *  - as one shard of n (`run --shard i/n`): only the shard's units are
 *    computed and recorded, or the shared stages whole (their outputs are
 *    inputs of later stages);
 *  - replayed from recorded shards (`soupbench merge`): nothing computed.
 * A unit's side effects on the run's ledgers (cost, regime) go through
 * sb_units_record: journaled per unit and applied in unit order after the
 * stage, on every rank, in every mode. So the numbers depend on neither the
 * thread count nor the ranks: each unit's random streams are its own. */
#ifndef SB_UNITS_H
#define SB_UNITS_H

#include <stddef.h>

typedef void (*SbUnitFn)(void *arg, long unit, double *out);

typedef enum {
    SB_UNITS_SPLIT,  /* outputs feed only the results: split across shards */
    SB_UNITS_SHARED, /* outputs feed later stages: every shard computes all */
} SbUnitsKind;

/* Run units 0..n-1 of a stage; unit u writes out[u * cols .. + cols).
 * On return out holds every unit's output (a shard: its own units' and
 * the shared stages'; the others NaN). Called inside a unit, the units
 * run there, in order. */
void sb_units_run(const char *stage, long n, long cols, double *out, SbUnitFn fn, void *arg, SbUnitsKind kind);

/* Threads per process for the stages (default 1). */
void sb_units_set_threads(int n);
int sb_units_threads(void);

/* Ledger journals. A sink applies one recorded item; registered by name
 * (the same names in every process of a run) before the first stage. */
typedef void (*SbUnitSink)(const void *data, size_t bytes);
void sb_units_sink(const char *name, SbUnitSink apply);
/* Inside a unit: journaled for the unit; outside: applied now. */
void sb_units_record(const char *sink, const void *data, size_t bytes);

/* The unit running on this thread ("stage#u"), or NULL outside units.
 * $SOUPBENCH_FAIL_UNIT names a unit that fails (for the failure tests). */
const char *sb_units_current(char *buf, size_t size);

/* ---- MPI ------------------------------------------------------------ */
/* Initialise MPI when built with it and started by mpirun (a no-op
 * otherwise); rank and size (0 and 1 without MPI). */
void sb_units_mpi_init(int *argc, char ***argv);
int sb_units_rank(void);
int sb_units_size(void);
/* 1 when built with MPI. */
int sb_units_have_mpi(void);

/* ---- shards and replay ---------------------------------------------- */
typedef struct {
    char name[96];
    long n, cols;
    int kind;
    double *out;          /* [n x cols] */
    unsigned char *owned; /* [n]: computed by this shard */
    size_t *journal_len;  /* [n] */
    unsigned char **journal;
} SbUnitStage;

typedef struct {
    int n_stages, cap;
    SbUnitStage *stages;
} SbUnitStore;

/* Record the stages of this process as shard index of count. */
void sb_units_shard(int index, int count);
/* The stages recorded so far (a shard run), or NULL. */
const SbUnitStore *sb_units_recorded(void);
/* Serve every stage from store (owned by the caller, kept until exit)
 * instead of computing it; stage names and sizes must match, in order. */
void sb_units_replay(const SbUnitStore *store);
void sb_units_store_free(SbUnitStore *s);

#endif
