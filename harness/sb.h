/* soupbench: common definitions shared by every module.
 *
 * One error path (sb_fail), one assertion macro (SB_ASSERT), checked
 * allocation wrappers, and the seeded random generator. Every module
 * includes this header first. */
#ifndef SB_H
#define SB_H

#include <stddef.h>
#include <stdint.h>

#define SB_VERSION "0.1.0"
#define SB_FORMAT_VERSION 1

/* Exit codes of SPEC section 8. */
enum sb_exit {
    SB_EXIT_OK = 0,
    SB_EXIT_FAIL = 1,  /* a failed run or claim, an internal error */
    SB_EXIT_USAGE = 2, /* bad usage or bad input */
};

/* Print "soupbench: <message>" on stderr and exit with `code`. Temporary
 * files registered with sb_tmpfile_register are removed first, so a failed
 * run never leaves partial results behind. */
void sb_fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* Internal invariant: a failure is a bug, reported with file and line. */
#define SB_ASSERT(cond)                                                        \
    do {                                                                       \
        if (!(cond))                                                           \
            sb_fail(SB_EXIT_FAIL, "internal error: assertion '%s' failed at %s:%d", \
                    #cond, __FILE__, __LINE__);                                \
    } while (0)

/* Checked allocation: on failure, name the call site and exit. */
void *sb_malloc_at(size_t n, const char *file, int line);
void *sb_calloc_at(size_t count, size_t size, const char *file, int line);
void *sb_realloc_at(void *p, size_t n, const char *file, int line);
char *sb_strdup_at(const char *s, const char *file, int line);
#define sb_malloc(n) sb_malloc_at((n), __FILE__, __LINE__)
#define sb_calloc(c, s) sb_calloc_at((c), (s), __FILE__, __LINE__)
#define sb_realloc(p, n) sb_realloc_at((p), (n), __FILE__, __LINE__)
#define sb_strdup(s) sb_strdup_at((s), __FILE__, __LINE__)
/* Typed array of n doubles, zero-initialised. */
#define sb_zeros(n) ((double *)sb_calloc((size_t)(n) > 0 ? (size_t)(n) : 1, sizeof(double)))

/* Temporary files removed by sb_fail and at abnormal exit. */
void sb_tmpfile_register(const char *path);
void sb_tmpfile_unregister(const char *path);

/* mkdir -p: create the folder and its missing parents; 0 on success, -1
 * with errno set. */
int sb_mkdir_p(const char *dir);

/* "prefix<first>,prefix<first+1>,...": n column names (malloc'd). */
char *sb_column_names(const char *prefix, int first, int n);
/* The n names, each after prefix, joined by sep (malloc'd):
 * ({a, b}, "r_", ",") -> "r_a,r_b". */
char *sb_join_names(char *const *names, int n, const char *prefix, const char *sep);

/* Read a whole file; NULL and errno set on failure. *len excludes the NUL. */
char *sb_read_file(const char *path, size_t *len);

/* ---- seeded random numbers (xoshiro256**, seeded by splitmix64) ---- */
typedef struct {
    uint64_t s[4];
} SbRng;

void sb_rng_seed(SbRng *rng, uint64_t seed);
/* An independent stream for a named purpose, so adding draws in one place
 * never shifts the numbers drawn in another. */
void sb_rng_derive(SbRng *out, uint64_t seed, const char *purpose);
uint64_t sb_rng_u64(SbRng *rng);
/* A seed that depends on a base seed and the bits of m weights only: a
 * user's random streams then do not depend on the order users are served. */
uint64_t sb_seed_from_weights(uint64_t seed, const double *w, int m);
double sb_rng_uniform(SbRng *rng);  /* in [0, 1) */
double sb_rng_normal(SbRng *rng);   /* standard normal */
int sb_rng_below(SbRng *rng, int n); /* uniform integer in [0, n) */
/* Index drawn from an unnormalised probability vector p[0..n-1]. */
int sb_rng_categorical(SbRng *rng, const double *p, int n);
/* out[0..n-1] = a uniformly random permutation of 0..n-1 (Fisher-Yates,
 * from the last position down). */
void sb_rng_permutation(SbRng *rng, int n, int *out);

/* ---- small numeric helpers ---- */
/* log sum_i exp(x[i]) computed stably. */
double sb_logsumexp(const double *x, int n);
/* out[i] = softmax(x)[i]; out may alias x. */
void sb_softmax(const double *x, int n, double *out);
/* out[i] = log softmax(x)[i]; out may alias x. */
void sb_log_softmax(const double *x, int n, double *out);

/* Wall-clock seconds (monotonic). */
double sb_now(void);

#endif
