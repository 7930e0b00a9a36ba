/* Spectra against closed forms: singular values of a matrix built from
 * known factors, numerical rank, least-squares residuals, column spaces and
 * principal angles between subspaces with known angles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "spectrum.h"
#include "testutil.h"

/* A = Q1 diag(s) Q2^T with Q1, Q2 Givens-rotated identities: the singular
 * values are s exactly. */
static void singular_values_should_match_construction(void **state)
{
    (void)state;
    const int rows = 5, cols = 3;
    double s[3] = {4.0, 2.5, 1e-3}, A[15] = {0}, sv[3];
    double c = cos(0.3), sn = sin(0.3), c2 = cos(1.1), s2 = sin(1.1);
    /* Q1: rotation of rows 0 and 3; Q2: rotation of columns 1 and 2 */
    double Q1[25] = {0}, Q2[9] = {0};
    for (int i = 0; i < 5; i++)
        Q1[i * 5 + i] = 1;
    Q1[0] = c, Q1[3] = -sn, Q1[15] = sn, Q1[18] = c;
    for (int i = 0; i < 3; i++)
        Q2[i * 3 + i] = 1;
    Q2[4] = c2, Q2[5] = -s2, Q2[7] = s2, Q2[8] = c2;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            for (int k = 0; k < 3; k++)
                A[i * cols + j] += Q1[i * 5 + k] * s[k] * Q2[j * 3 + k];
    sb_singular_values(A, rows, cols, sv);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(sv[k] - s[k]) < 1e-12);
    assert_int_equal(sb_numerical_rank(sv, 3, 1e-2), 2);
    assert_int_equal(sb_numerical_rank(sv, 3, 1e-8), 3);
    /* column space: the first two columns of Q1 rotated, i.e. the span of
     * the left singular vectors above the tolerance */
    double U[15];
    assert_int_equal(sb_column_space(A, rows, cols, 1e-2, U), 2);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double dot = 0;
            for (int i = 0; i < rows; i++)
                dot += U[i * 3 + a] * U[i * 3 + b];
            assert_true(fabs(dot - (a == b)) < 1e-12);
        }
}

static void principal_angles_should_match_known_angles(void **state)
{
    (void)state;
    /* span(e1, e2) against span(cos t e1 + sin t e3, cos u e2 + sin u e4):
     * angles t and u */
    const int rows = 4, ld = 2;
    double t = 0.4, u = 1.2;
    double U1[8] = {1, 0, 0, 1, 0, 0, 0, 0};
    double U2[8] = {cos(t), 0, 0, cos(u), sin(t), 0, 0, sin(u)};
    double angles[2];
    sb_principal_angles(U1, 2, U2, 2, rows, ld, angles);
    assert_true(fabs(angles[0] - t) < 1e-12);
    assert_true(fabs(angles[1] - u) < 1e-12);
    /* a subspace against itself: all zero */
    sb_principal_angles(U2, 2, U2, 2, rows, ld, angles);
    assert_true(fabs(angles[0]) < 1e-7 && fabs(angles[1]) < 1e-7);
}

static void span_residual_should_be_zero_inside_and_exact_outside(void **state)
{
    (void)state;
    /* B spans e1, e2 of R^3: y = (1, 2, 2) has residual 2 / 3 (relative) */
    double B[6] = {1, 0, 0, 1, 0, 0}, y[3] = {1, 2, 2}, coef[2];
    assert_true(fabs(sb_span_residual(B, 3, 2, y, coef) - 2.0 / 3.0) < 1e-12);
    assert_true(fabs(coef[0] - 1) < 1e-12 && fabs(coef[1] - 2) < 1e-12);
    y[2] = 0;
    assert_true(sb_span_residual(B, 3, 2, y, NULL) < 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(singular_values_should_match_construction),
        cmocka_unit_test(principal_angles_should_match_known_angles),
        cmocka_unit_test(span_residual_should_be_zero_inside_and_exact_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
