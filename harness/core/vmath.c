/* soupbench: vectorised elementary functions (harness/core/vmath.h). */
#include "vmath.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* sleef.h declares each ISA's functions only when the ISA's macro is
 * defined: include it with every ISA on, and call each function only from
 * a function compiled for its ISA. */
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f")
#include <sleef.h>
#pragma GCC pop_options

#include "sb.h"

typedef void (*ArrayFn)(double *x, size_t n);

typedef struct {
    const char *name, *label;
    ArrayFn tanh_, exp_, log_, log1p_;
} Impl;

/* One array loop per ISA and function: full vectors, then the tail
 * padded with zeros into one more vector. */
#define ARRAY_LOOP(NAME, TARGET, VEC, W, LOAD, STORE, FN)                                                           \
    TARGET static void NAME(double *x, size_t n)                                                                 \
    {                                                                                                              \
        size_t i = 0;                                                                                              \
        for (; i + W <= n; i += W)                                                                                 \
            STORE(x + i, FN(LOAD(x + i)));                                                                         \
        if (i < n) {                                                                                               \
            double pad[W] = {0};                                                                                   \
            memcpy(pad, x + i, sizeof(double) * (n - i));                                                          \
            STORE(pad, FN(LOAD(pad)));                                                                             \
            memcpy(x + i, pad, sizeof(double) * (n - i));                                                          \
        }                                                                                                          \
    }

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))
#define SSE2

ARRAY_LOOP(tanh_avx512, AVX512, __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, Sleef_tanhd8_u35avx512f)
ARRAY_LOOP(exp_avx512, AVX512, __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, Sleef_expd8_u10avx512f)
ARRAY_LOOP(log_avx512, AVX512, __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, Sleef_logd8_u10avx512f)
ARRAY_LOOP(log1p_avx512, AVX512, __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, Sleef_log1pd8_u10avx512f)
ARRAY_LOOP(tanh_avx2, AVX2, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, Sleef_tanhd4_u35avx2)
ARRAY_LOOP(exp_avx2, AVX2, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, Sleef_expd4_u10avx2)
ARRAY_LOOP(log_avx2, AVX2, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, Sleef_logd4_u10avx2)
ARRAY_LOOP(log1p_avx2, AVX2, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, Sleef_log1pd4_u10avx2)
ARRAY_LOOP(tanh_sse2, SSE2, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, Sleef_tanhd2_u35sse2)
ARRAY_LOOP(exp_sse2, SSE2, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, Sleef_expd2_u10sse2)
ARRAY_LOOP(log_sse2, SSE2, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, Sleef_logd2_u10sse2)
ARRAY_LOOP(log1p_sse2, SSE2, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, Sleef_log1pd2_u10sse2)

#define SCALAR_LOOP(NAME, FN)                                                                                      \
    static void NAME(double *x, size_t n)                                                                          \
    {                                                                                                              \
        for (size_t i = 0; i < n; i++)                                                                             \
            x[i] = FN(x[i]);                                                                                       \
    }
SCALAR_LOOP(tanh_libm, tanh)
SCALAR_LOOP(exp_libm, exp)
SCALAR_LOOP(log_libm, log)
SCALAR_LOOP(log1p_libm, log1p)

static const Impl impls[] = {
    {"avx512", "SLEEF 3.5 AVX-512F (tanh u35, exp/log/log1p u10)", tanh_avx512, exp_avx512, log_avx512, log1p_avx512},
    {"avx2", "SLEEF 3.5 AVX2+FMA (tanh u35, exp/log/log1p u10)", tanh_avx2, exp_avx2, log_avx2, log1p_avx2},
    {"sse2", "SLEEF 3.5 SSE2 (tanh u35, exp/log/log1p u10)", tanh_sse2, exp_sse2, log_sse2, log1p_sse2},
    {"libm", "scalar libm", tanh_libm, exp_libm, log_libm, log1p_libm},
};

static int runs(const char *name)
{
    __builtin_cpu_init();
    if (strcmp(name, "avx512") == 0)
        return __builtin_cpu_supports("avx512f");
    if (strcmp(name, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return 1;
}

static const Impl *current;

int sb_vmath_use(const char *name)
{
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (strcmp(impls[i].name, name) == 0) {
            if (!runs(name))
                return -1;
            current = &impls[i];
            return 0;
        }
    return -1;
}

/* Picked before main: the best this processor runs, or SB_VMATH's. */
__attribute__((constructor)) static void vmath_init(void)
{
    const char *forced = getenv("SB_VMATH");
    if (forced && *forced && sb_vmath_use(forced) == 0)
        return;
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (runs(impls[i].name)) {
            current = &impls[i];
            return;
        }
}

const char *sb_vmath_describe(void) { return current->label; }

void sb_vtanh(double *x, size_t n) { current->tanh_(x, n); }
void sb_vexp(double *x, size_t n) { current->exp_(x, n); }
void sb_vlog(double *x, size_t n) { current->log_(x, n); }
void sb_vlog1p(double *x, size_t n) { current->log1p_(x, n); }

void sb_vlog_softmax_rows(const double *x, int rows, int V, double *logp, double *p, double *scratch)
{
    size_t n = (size_t)rows * V;
    double *shifted = scratch, *sums = scratch + n, *maxes = logp; /* logp holds the maxima until the end */
    for (int r = 0; r < rows; r++) {
        const double *row = x + (size_t)r * V;
        double m = -INFINITY;
        for (int a = 0; a < V; a++)
            if (row[a] > m)
                m = row[a];
        maxes[r] = m;
        for (int a = 0; a < V; a++)
            shifted[(size_t)r * V + a] = row[a] - m;
    }
    sb_vexp(shifted, n);
    for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int a = 0; a < V; a++)
            s += shifted[(size_t)r * V + a];
        sums[r] = s;
    }
    sb_vlog(sums, (size_t)rows);
    /* lse = m + log(s); rows of -inf only (no mass) stay -inf */
    for (int r = 0; r < rows; r++)
        sums[r] = maxes[r] == -INFINITY ? -INFINITY : maxes[r] + sums[r];
    for (int r = 0; r < rows; r++)
        for (int a = 0; a < V; a++)
            logp[(size_t)r * V + a] = x[(size_t)r * V + a] - sums[r];
    if (p) {
        memcpy(p, logp, sizeof(double) * n);
        sb_vexp(p, n);
    }
}
