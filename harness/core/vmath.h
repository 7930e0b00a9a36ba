/* soupbench: vectorised elementary functions for the hot loops (the MLP's
 * tanh, the soft-max tables' exp, the DPO loss's softplus), from SLEEF
 * (Debian's libsleef-dev), instead of scalar libm.
 *
 * Error bounds (SLEEF's): exp, log and log1p are its u10 functions,
 * within 1.0 ULP of the exact result; tanh is its u35 function, within
 * 3.5 ULP (2.5 times as fast as u10 tanh; libm's are within 1 ULP, and
 * tests/test_vmath.c measures at most 3 ULP from glibc's tanh, 1 ULP for
 * the others). Every element goes through
 * the same vector function whatever its position (the tail of an array is
 * padded into a full vector), so the results do not depend on n, on
 * alignment or on the thread count. The implementation is picked once per
 * process by the processor: AVX-512F, else AVX2 with FMA (the two give
 * identical results: both use FMA), else SSE2 (no FMA: may differ in the
 * last bit). SB_VMATH=avx512|avx2|sse2|libm in the environment forces one
 * (libm: the scalar functions, for comparisons). */
#ifndef SB_VMATH_H
#define SB_VMATH_H

#include <stddef.h>

/* In place, x[i] <- tanh(x[i]) / exp(x[i]) / log(x[i]) / log1p(x[i]) for i < n. */
void sb_vtanh(double *x, size_t n);
void sb_vexp(double *x, size_t n);
void sb_vlog(double *x, size_t n);
void sb_vlog1p(double *x, size_t n);

/* log soft-max of each of `rows` rows of V numbers: logp [rows x V]
 * (logp[i] = x[i] - (max + log sum exp(x - max)), as sb_log_softmax), and
 * p = exp(logp) when p is not NULL. scratch: rows * (V + 1) doubles. */
void sb_vlog_softmax_rows(const double *x, int rows, int V, double *logp, double *p, double *scratch);

/* "SLEEF 3.5 u10 (AVX-512F)": the implementation in use. */
const char *sb_vmath_describe(void);
/* Use the named implementation ("avx512", "avx2", "sse2", "libm"):
 * 0, or -1 when this processor cannot run it (nothing changes). */
int sb_vmath_use(const char *name);

#endif
