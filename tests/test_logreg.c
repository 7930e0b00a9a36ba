/* Logistic regression against independent computations: plain gradient
 * descent on a gradient written from the definition, the closed-form
 * optimum of soft targets, central finite differences, a Hessian built
 * here, and row weights against duplicated rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "sb.h"

enum { N = 400, K = 5 };
static const double LAM_STAR[K] = {1.0, -0.5, 0.8, 0.0, -1.2};

/* ---- independent helpers ---- */

static void gaussian_matrix(SbRng *rng, double *X, int rows, int cols)
{
    for (int i = 0; i < rows * cols; i++)
        X[i] = sb_rng_normal(rng);
}

static double dot(const double *a, const double *b, int k)
{
    double acc = 0;
    for (int j = 0; j < k; j++)
        acc += a[j] * b[j];
    return acc;
}

static double max_abs_diff(const double *a, const double *b, int k)
{
    double m = 0;
    for (int j = 0; j < k; j++)
        m = fmax(m, fabs(a[j] - b[j]));
    return m;
}

static double inf_norm(const double *v, int k)
{
    double m = 0;
    for (int j = 0; j < k; j++)
        m = fmax(m, fabs(v[j]));
    return m;
}

static double naive_sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Gradient straight from the definition: sum_i w_i (s_i - y_i) x_i + l2 lam. */
static void naive_gradient(const double *X, const double *y, const double *w, int n, int k, double l2,
                           const double *lam, double *g)
{
    for (int j = 0; j < k; j++)
        g[j] = l2 * lam[j];
    for (int i = 0; i < n; i++) {
        double r = (w ? w[i] : 1.0) * (naive_sigmoid(dot(X + i * k, lam, k)) - y[i]);
        for (int j = 0; j < k; j++)
            g[j] += r * X[i * k + j];
    }
}

/* Objective straight from the definition (fine for moderate margins). */
static double naive_objective(const double *X, const double *y, const double *w, int n, int k, double l2,
                              const double *lam)
{
    double f = 0.5 * l2 * dot(lam, lam, k);
    for (int i = 0; i < n; i++) {
        double s = naive_sigmoid(dot(X + i * k, lam, k));
        f += (w ? w[i] : 1.0) * (-y[i] * log(s) - (1 - y[i]) * log(1 - s));
    }
    return f;
}

/* Plain gradient descent from lam = 0 with the fixed step 1/L, where
 * L = ||X||_2^2 / 4 + l2 bounds the Hessian everywhere (||X||_2^2 by power
 * iteration on X^T X), until the gradient is below 1e-10. */
static void gradient_descent(const double *X, const double *y, int n, int k, double l2, double *lam)
{
    double *G = sb_zeros(k * k), *v = sb_zeros(k), *u = sb_zeros(k), *g = sb_zeros(k);
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++)
            for (int i = 0; i < n; i++)
                G[a * k + b] += X[i * k + a] * X[i * k + b];
    for (int j = 0; j < k; j++)
        v[j] = 1.0 + 0.1 * j;
    double top = 0;
    for (int it = 0; it < 1000; it++) {
        for (int a = 0; a < k; a++)
            u[a] = dot(G + a * k, v, k);
        top = sqrt(dot(u, u, k));
        for (int a = 0; a < k; a++)
            v[a] = u[a] / top;
    }
    double step = 1.0 / (1.01 * top / 4.0 + l2);
    memset(lam, 0, sizeof(double) * k);
    long it = 0;
    for (;; it++) {
        naive_gradient(X, y, NULL, n, k, l2, lam, g);
        if (inf_norm(g, k) < 1e-10)
            break;
        assert_true(it < 50000000L);
        for (int j = 0; j < k; j++)
            lam[j] -= step * g[j];
    }
    free(g);
    free(u);
    free(v);
    free(G);
}

/* y_i ~ Bernoulli(sigmoid(x_i . LAM_STAR)) */
static void sample_answers(SbRng *rng, const double *X, int n, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] = sb_rng_uniform(rng) < naive_sigmoid(dot(X + i * K, LAM_STAR, K)) ? 1.0 : 0.0;
}

static void check_against_gradient_descent(const double *X, const double *y, double l2)
{
    double lam[K] = {0}, ref[K], g[K];
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, l2, lam, NULL, &rep), 0);
    assert_true(rep.converged);
    assert_int_equal(rep.ridge_steps, 0);
    naive_gradient(X, y, NULL, N, K, l2, lam, g);
    assert_true(inf_norm(g, K) < 1e-8);
    gradient_descent(X, y, N, K, l2, ref);
    assert_true(max_abs_diff(lam, ref, K) < 1e-6);
}

/* ---- tests ---- */

static void logreg_should_match_gradient_descent_on_noisy_data(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 11);
    double *X = sb_zeros(N * K), *y = sb_zeros(N);
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    check_against_gradient_descent(X, y, 1e-2);
    free(y);
    free(X);
}

/* Separable data has no unregularised optimum; l2 = 1e-2 makes a unique
 * one with a large ||lam|| and a Hessian near l2 in some directions. */
static void logreg_should_match_gradient_descent_on_separable_data(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 12);
    double *X = sb_zeros(N * K), *y = sb_zeros(N);
    gaussian_matrix(&rng, X, N, K);
    for (int i = 0; i < N; i++)
        y[i] = dot(X + i * K, LAM_STAR, K) > 0 ? 1.0 : 0.0;
    check_against_gradient_descent(X, y, 1e-2);
    free(y);
    free(X);
}

/* With y_i = sigmoid(x_i . lam*) and l2 = 0 the gradient vanishes exactly
 * at lam*, and full-rank X makes it the only stationary point. */
static void logreg_should_recover_lam_from_soft_targets(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 13);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), lam[K] = {0};
    gaussian_matrix(&rng, X, N, K);
    for (int i = 0; i < N; i++)
        y[i] = naive_sigmoid(dot(X + i * K, LAM_STAR, K));
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, 0.0, lam, NULL, &rep), 0);
    assert_true(max_abs_diff(lam, LAM_STAR, K) < 1e-8);
    free(y);
    free(X);
}

static void logreg_objective_should_match_finite_differences(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 14);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), *w = sb_zeros(N);
    double lam[K], g[K], gn[K];
    gaussian_matrix(&rng, X, N, K);
    for (int i = 0; i < N; i++) {
        y[i] = sb_rng_uniform(&rng);
        w[i] = 0.5 + sb_rng_uniform(&rng);
    }
    for (int j = 0; j < K; j++)
        lam[j] = 0.7 * sb_rng_normal(&rng);
    const double l2 = 0.3, h = 1e-5;
    double f = sb_logreg_objective(X, y, w, N, K, l2, lam, g);
    assert_true(fabs(f - naive_objective(X, y, w, N, K, l2, lam)) < 1e-12 * fabs(f));
    assert_true(sb_logreg_objective(X, y, w, N, K, l2, lam, NULL) == f);
    naive_gradient(X, y, w, N, K, l2, lam, gn);
    assert_true(max_abs_diff(g, gn, K) < 1e-11);
    for (int j = 0; j < K; j++) {
        double keep = lam[j];
        lam[j] = keep + h;
        double fp = sb_logreg_objective(X, y, w, N, K, l2, lam, NULL);
        lam[j] = keep - h;
        double fm = sb_logreg_objective(X, y, w, N, K, l2, lam, NULL);
        lam[j] = keep;
        double fd = (fp - fm) / (2 * h);
        assert_true(fabs(fd - g[j]) < 1e-6 * (1 + fabs(g[j])));
    }
    free(w);
    free(y);
    free(X);
}

/* Margins of +-1000: each loss term is 0 or 1000, never log(0) or inf. */
static void logreg_objective_should_stay_finite_at_extreme_margins(void **state)
{
    (void)state;
    double X[2] = {1, 1}, y[2] = {1, 0}, g[1];
    for (int sign = -1; sign <= 1; sign += 2) {
        double lam[1] = {1000.0 * sign};
        double f = sb_logreg_objective(X, y, NULL, 2, 1, 0.0, lam, g);
        assert_true(fabs(f - 1000.0) < 1e-9);
        assert_true(fabs(g[0] - (sign > 0 ? 1.0 : -1.0)) < 1e-15);
    }
}

/* Cov = H^-1 with H = X^T diag(w s (1 - s)) X + l2 I built here. */
static void logreg_covariance_should_invert_the_hessian(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 15);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), *w = sb_zeros(N);
    double lam[K] = {0}, H[K * K] = {0}, cov[K * K];
    const double l2 = 0.1;
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    for (int i = 0; i < N; i++)
        w[i] = 0.5 + sb_rng_uniform(&rng);
    assert_int_equal(sb_logreg_fit(X, y, w, N, K, l2, lam, NULL, NULL), 0);
    for (int i = 0; i < N; i++) {
        double s = naive_sigmoid(dot(X + i * K, lam, K));
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++)
                H[a * K + b] += w[i] * s * (1 - s) * X[i * K + a] * X[i * K + b];
    }
    for (int a = 0; a < K; a++)
        H[a * K + a] += l2;
    assert_int_equal(sb_logreg_covariance(X, w, N, K, l2, lam, cov), 0);
    for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++) {
            double hc = 0;
            for (int c = 0; c < K; c++)
                hc += H[a * K + c] * cov[c * K + b];
            assert_true(fabs(hc - (a == b)) < 1e-10);
            assert_true(cov[a * K + b] == cov[b * K + a]);
        }
    free(w);
    free(y);
    free(X);
}

static void logreg_should_converge_at_once_from_the_solution(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 16);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), lam[K] = {0}, again[K];
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, 1e-2, lam, NULL, &rep), 0);
    assert_true(rep.iterations > 1);
    memcpy(again, lam, sizeof lam);
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, 1e-2, again, NULL, &rep), 0);
    assert_true(rep.iterations <= 1);
    assert_true(max_abs_diff(again, lam, K) < 1e-10);
    free(y);
    free(X);
}

/* A weight of 2 is the row twice, a weight of 0 the row left out. */
static void logreg_weights_should_act_as_duplicated_rows(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 17);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), *w = sb_zeros(N);
    double *Xd = sb_zeros(2 * N * K), *yd = sb_zeros(2 * N), lam[K] = {0}, lamd[K] = {0};
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    int nd = 0;
    for (int i = 0; i < N; i++) {
        w[i] = sb_rng_below(&rng, 3);
        for (int c = 0; c < (int)w[i]; c++, nd++) {
            memcpy(Xd + nd * K, X + i * K, sizeof(double) * K);
            yd[nd] = y[i];
        }
    }
    assert_int_equal(sb_logreg_fit(X, y, w, N, K, 0.5, lam, NULL, NULL), 0);
    assert_int_equal(sb_logreg_fit(Xd, yd, NULL, nd, K, 0.5, lamd, NULL, NULL), 0);
    assert_true(max_abs_diff(lam, lamd, K) < 1e-9);
    free(yd);
    free(Xd);
    free(w);
    free(y);
    free(X);
}

/* A duplicated column with l2 = 0: the Hessian is singular, the fit must
 * ridge its steps and still reach the optimum of the reduced problem, where
 * the duplicated pair's sum plays the one column's coefficient. */
static void logreg_should_ridge_a_singular_hessian(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 18);
    const int k = 4, kr = 3;
    double *Xr = sb_zeros(N * kr), *X = sb_zeros(N * k), *y = sb_zeros(N);
    double lam[4] = {0}, lamr[3] = {0}, truth[3] = {1.0, -1.0, 0.7}, g[4];
    gaussian_matrix(&rng, Xr, N, kr);
    for (int i = 0; i < N; i++) {
        X[i * k] = X[i * k + 1] = Xr[i * kr];
        X[i * k + 2] = Xr[i * kr + 1];
        X[i * k + 3] = Xr[i * kr + 2];
        y[i] = sb_rng_uniform(&rng) < naive_sigmoid(dot(Xr + i * kr, truth, kr)) ? 1.0 : 0.0;
    }
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, k, 0.0, lam, NULL, &rep), 0);
    assert_true(rep.ridge_steps > 0 && rep.ridge > 0);
    naive_gradient(X, y, NULL, N, k, 0.0, lam, g);
    assert_true(inf_norm(g, k) < 1e-8);
    assert_int_equal(sb_logreg_fit(Xr, y, NULL, N, kr, 0.0, lamr, NULL, NULL), 0);
    assert_true(fabs(lam[0] + lam[1] - lamr[0]) < 1e-8);
    assert_true(fabs(lam[2] - lamr[1]) < 1e-8 && fabs(lam[3] - lamr[2]) < 1e-8);
    /* started symmetric, the pair stays nearly equal: the drift along the
     * unconstrained direction is rounding over the ridge, ~eps / 1e-10 per
     * step (an unridged solve on the tiny pivot drifts by ~0.4 here) */
    assert_true(fabs(lam[0] - lam[1]) < 1e-4);
    /* the covariance says the same: a ridge, and a large variance along
     * the unconstrained direction (1, -1, 0, 0) */
    double cov[16];
    assert_int_equal(sb_logreg_covariance(X, NULL, N, k, 0.0, lam, cov), 1);
    assert_true(cov[0] - cov[1] - cov[4] + cov[5] > 1e6);
    free(y);
    free(X);
    free(Xr);
}

static void logreg_should_report_an_unfinished_fit(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 19);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), lam[K] = {0};
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    SbLogregOptions opt;
    sb_logreg_options_default(&opt);
    assert_int_equal(opt.max_iter, 100);
    assert_true(opt.tol == 1e-10);
    opt.max_iter = 1;
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, 1e-2, lam, &opt, &rep), 1);
    assert_false(rep.converged);
    assert_int_equal(rep.iterations, 1);
    assert_true(rep.objective < N * log(2.0));
    assert_true(rep.objective == sb_logreg_objective(X, y, NULL, N, K, 1e-2, lam, NULL));
    free(y);
    free(X);
}

/* No answers yet (round 0): with l2 > 0 the optimum is lam = 0; with
 * l2 = 0 every lam is optimal and the start is kept. */
static void logreg_should_handle_no_data(void **state)
{
    (void)state;
    double lam[2] = {1.0, -2.0};
    SbLogregReport rep;
    assert_int_equal(sb_logreg_fit(NULL, NULL, NULL, 0, 2, 1.0, lam, NULL, &rep), 0);
    assert_true(fabs(lam[0]) < 1e-15 && fabs(lam[1]) < 1e-15);
    lam[0] = 1.0, lam[1] = -2.0;
    assert_int_equal(sb_logreg_fit(NULL, NULL, NULL, 0, 2, 0.0, lam, NULL, &rep), 0);
    assert_int_equal(rep.iterations, 0);
    assert_true(lam[0] == 1.0 && lam[1] == -2.0);
}

/* A prior centre: with no data the fit is the centre itself; with data the
 * stationarity condition X^T (s - y) + l2 (lam - centre) = 0, computed here
 * in plain loops, holds at the fitted lam; and fitting delta = lam - centre
 * against the offset-free model on the same answers is a different problem
 * (the centre is not a warm start). */
static void logreg_should_shrink_towards_its_centre(void **state)
{
    (void)state;
    double centre[K];
    for (int k = 0; k < K; k++)
        centre[k] = 0.5 - 0.25 * k;
    SbLogregOptions opt;
    sb_logreg_options_default(&opt);
    opt.centre = centre;
    double lam[K] = {0};
    assert_int_equal(sb_logreg_fit(NULL, NULL, NULL, 0, K, 2.0, lam, &opt, NULL), 0);
    for (int k = 0; k < K; k++)
        assert_true(fabs(lam[k] - centre[k]) < 1e-12);

    SbRng rng;
    sb_rng_seed(&rng, 23);
    double *X = sb_zeros(N * K), *y = sb_zeros(N), fit[K] = {0}, plain[K] = {0}, g[K] = {0};
    gaussian_matrix(&rng, X, N, K);
    sample_answers(&rng, X, N, y);
    double l2 = 5.0;
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, l2, fit, &opt, NULL), 0);
    for (int i = 0; i < N; i++) {
        double z = 0;
        for (int k = 0; k < K; k++)
            z += X[i * K + k] * fit[k];
        double r = 1.0 / (1.0 + exp(-z)) - y[i];
        for (int k = 0; k < K; k++)
            g[k] += r * X[i * K + k];
    }
    for (int k = 0; k < K; k++)
        assert_true(fabs(g[k] + l2 * (fit[k] - centre[k])) < 1e-8);
    assert_int_equal(sb_logreg_fit(X, y, NULL, N, K, l2, plain, NULL, NULL), 0);
    double diff = 0;
    for (int k = 0; k < K; k++)
        diff += fabs(plain[k] - fit[k]);
    assert_true(diff > 1e-3);
    free(y);
    free(X);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logreg_should_match_gradient_descent_on_noisy_data),
        cmocka_unit_test(logreg_should_match_gradient_descent_on_separable_data),
        cmocka_unit_test(logreg_should_recover_lam_from_soft_targets),
        cmocka_unit_test(logreg_objective_should_match_finite_differences),
        cmocka_unit_test(logreg_objective_should_stay_finite_at_extreme_margins),
        cmocka_unit_test(logreg_covariance_should_invert_the_hessian),
        cmocka_unit_test(logreg_should_converge_at_once_from_the_solution),
        cmocka_unit_test(logreg_weights_should_act_as_duplicated_rows),
        cmocka_unit_test(logreg_should_ridge_a_singular_hessian),
        cmocka_unit_test(logreg_should_report_an_unfinished_fit),
        cmocka_unit_test(logreg_should_handle_no_data),
        cmocka_unit_test(logreg_should_shrink_towards_its_centre),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
