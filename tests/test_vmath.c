/* The vectorised elementary functions (harness/core/vmath.h) against
 * scalar libm: within their documented error bounds (in ULP of libm's
 * result) on a dense sweep and on special values, the same result
 * whatever an element's position in the array, identical results from the
 * AVX-512 and AVX2 implementations, and the row log soft-max against
 * sb_log_softmax. Every implementation this processor runs is tested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "vmath.h"

static const char *const IMPLS[] = {"avx512", "avx2", "sse2"};
enum { N_IMPLS = 3, SWEEP = 200003 };

/* Back to the best implementation this processor runs. */
static void use_best(void)
{
    for (int k = 0; k < N_IMPLS; k++)
        if (sb_vmath_use(IMPLS[k]) == 0)
            return;
}

/* |a - b| in units of the spacing of doubles at b (both finite). */
static double ulps(double a, double b)
{
    if (a == b)
        return 0;
    double spacing = nextafter(fabs(b), INFINITY) - fabs(b);
    return fabs(a - b) / (spacing > 0 ? spacing : 4.9e-324);
}

typedef void (*VecFn)(double *, size_t);
typedef double (*LibmFn)(double);

/* Worst ULP distance to libm over n arguments from lo to hi. */
static double worst_ulps(VecFn f, LibmFn g, double lo, double hi, int n)
{
    double *x = sb_zeros(n);
    for (int i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * i / (n - 1);
    double *y = sb_zeros(n);
    memcpy(y, x, sizeof(double) * (size_t)n);
    f(y, (size_t)n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double want = g(x[i]);
        if (isfinite(want))
            worst = fmax(worst, ulps(y[i], want));
    }
    free(y);
    free(x);
    return worst;
}

static void functions_should_stay_within_their_error_bounds(void **state)
{
    (void)state;
    int tested = 0;
    for (int k = 0; k < N_IMPLS; k++) {
        if (sb_vmath_use(IMPLS[k]) != 0)
            continue;
        tested++;
        /* tanh: SLEEF u35 (3.5 ULP of exact) against libm (1 ULP) */
        double t = worst_ulps(sb_vtanh, tanh, -20, 20, SWEEP);
        double ts = worst_ulps(sb_vtanh, tanh, -1e-3, 1e-3, SWEEP);
        /* exp, log, log1p: u10 (1 ULP of exact) against libm */
        double e = worst_ulps(sb_vexp, exp, -700, 700, SWEEP);
        double l = worst_ulps(sb_vlog, log, 1e-300, 1e300, SWEEP);
        double l1 = worst_ulps(sb_vlog1p, log1p, -0.999, 1e6, SWEEP);
        print_message("%s: worst ULP against libm: tanh %.1f (small args %.1f), exp %.1f, log %.1f, log1p %.1f\n",
                      IMPLS[k], t, ts, e, l, l1);
        assert_true(t <= 4.5 && ts <= 4.5);
        assert_true(e <= 2 && l <= 2 && l1 <= 2);
    }
    assert_true(tested >= 1);
    assert_int_equal(sb_vmath_use("libm"), 0);
    assert_true(worst_ulps(sb_vtanh, tanh, -20, 20, 1001) == 0);
    use_best();
}

static void special_values_should_match_libm(void **state)
{
    (void)state;
    double x[] = {0.0, -0.0, 1e-300, -1e-300, 30, -30, 800, -800, INFINITY, -INFINITY};
    enum { NX = sizeof x / sizeof x[0] };
    for (int k = 0; k < N_IMPLS; k++) {
        if (sb_vmath_use(IMPLS[k]) != 0)
            continue;
        double t[NX], e[NX];
        memcpy(t, x, sizeof x);
        memcpy(e, x, sizeof x);
        sb_vtanh(t, NX);
        sb_vexp(e, NX);
        for (int i = 0; i < NX; i++) {
            assert_true(ulps(t[i], tanh(x[i])) <= 4 || t[i] == tanh(x[i]));
            if (isinf(exp(x[i])) || exp(x[i]) == 0)
                assert_true(e[i] == exp(x[i]));
            else
                assert_true(ulps(e[i], exp(x[i])) <= 2);
        }
        assert_true(signbit(t[1])); /* tanh(-0) = -0 */
        double nan_in[1] = {NAN};
        sb_vtanh(nan_in, 1);
        assert_true(isnan(nan_in[0]));
    }
    use_best();
}

/* Every element through the same vector function: the result of x[i]
 * does not depend on the array's length or on where x[i] sits. */
static void results_should_not_depend_on_position(void **state)
{
    (void)state;
    enum { M = 37 };
    double base[M];
    for (int i = 0; i < M; i++)
        base[i] = 0.37 * i - 5.1;
    double whole[M];
    memcpy(whole, base, sizeof base);
    sb_vtanh(whole, M);
    for (int start = 0; start < M; start++)
        for (int len = 1; start + len <= M; len += 3) {
            double part[M];
            memcpy(part, base + start, sizeof(double) * (size_t)len);
            sb_vtanh(part, (size_t)len);
            assert_memory_equal(part, whole + start, sizeof(double) * (size_t)len);
        }
}

static void avx512_and_avx2_should_agree_bit_for_bit(void **state)
{
    (void)state;
    if (sb_vmath_use("avx512") != 0 || sb_vmath_use("avx2") != 0) {
        print_message("skipped: this processor lacks AVX-512F or AVX2\n");
        return;
    }
    enum { M = 100000 };
    double *a = sb_zeros(M), *b = sb_zeros(M);
    for (int i = 0; i < M; i++)
        a[i] = b[i] = (i - M / 2) * 3e-4;
    sb_vmath_use("avx512");
    sb_vtanh(a, M);
    sb_vexp(a, M);
    sb_vmath_use("avx2");
    sb_vtanh(b, M);
    sb_vexp(b, M);
    assert_memory_equal(a, b, sizeof(double) * M);
    free(b);
    free(a);
    use_best();
}

static void log_softmax_rows_should_match_sb_log_softmax(void **state)
{
    (void)state;
    enum { ROWS = 50, V = 7 };
    SbRng rng;
    sb_rng_seed(&rng, 3);
    double x[ROWS * V], logp[ROWS * V], p[ROWS * V], scratch[ROWS * (V + 1)], want[V];
    for (int i = 0; i < ROWS * V; i++)
        x[i] = 10 * sb_rng_normal(&rng);
    x[3] = -INFINITY; /* a token with no mass */
    sb_vlog_softmax_rows(x, ROWS, V, logp, p, scratch);
    for (int r = 0; r < ROWS; r++) {
        sb_log_softmax(x + r * V, V, want);
        double total = 0;
        for (int a = 0; a < V; a++) {
            double got = logp[r * V + a];
            if (isinf(want[a]))
                assert_true(got == want[a]);
            else
                assert_true(fabs(got - want[a]) <= 4e-15 * fmax(1, fabs(want[a])));
            assert_true(fabs(p[r * V + a] - exp(want[a])) <= 1e-14 * exp(want[a]) + 1e-300);
            total += p[r * V + a];
        }
        assert_true(fabs(total - 1) < 1e-14);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(functions_should_stay_within_their_error_bounds),
        cmocka_unit_test(special_values_should_match_libm),
        cmocka_unit_test(results_should_not_depend_on_position),
        cmocka_unit_test(avx512_and_avx2_should_agree_bit_for_bit),
        cmocka_unit_test(log_softmax_rows_should_match_sb_log_softmax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
