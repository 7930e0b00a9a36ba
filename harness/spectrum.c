/* soupbench: singular values and span residuals (harness/spectrum.h). */
#include "spectrum.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

void sb_singular_values(const double *A, int rows, int cols, double *sv)
{
    double *copy = sb_zeros((size_t)rows * cols);
    memcpy(copy, A, sizeof(double) * (size_t)rows * cols);
    /* Row-major A is column-major A^T, which has the same singular values;
     * column-major avoids LAPACKE's row-major checks on the unused U, VT. */
    int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', cols, rows, copy, cols, sv, NULL, 1, NULL, 1);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dgesdd failed (info %d) on a %d x %d matrix", info, rows, cols);
    free(copy);
}

int sb_numerical_rank(const double *sv, int n, double tol)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        if (sv[i] > tol * sv[0])
            r++;
    return r;
}

double sb_span_residual(const double *B, int rows, int cols, const double *y, double *coef)
{
    /* Minimum-norm least squares through the SVD (dgelsd), which copes
     * with rank-deficient B. */
    int ldb = rows > cols ? rows : cols;
    double *a = sb_zeros((size_t)rows * cols), *b = sb_zeros(ldb);
    memcpy(a, B, sizeof(double) * (size_t)rows * cols);
    memcpy(b, y, sizeof(double) * (size_t)rows);
    double *s = sb_zeros(rows < cols ? rows : cols);
    lapack_int rank;
    int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, rows, cols, 1, a, cols, b, 1, s, 1e-12, &rank);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dgelsd failed (info %d) on a %d x %d matrix", info, rows, cols);
    double res = 0, norm = 0;
    for (int i = 0; i < rows; i++) {
        double fit = 0;
        for (int j = 0; j < cols; j++)
            fit += B[(size_t)i * cols + j] * b[j];
        res += (y[i] - fit) * (y[i] - fit);
        norm += y[i] * y[i];
    }
    if (coef)
        memcpy(coef, b, sizeof(double) * (size_t)cols);
    free(s);
    free(b);
    free(a);
    return norm > 0 ? sqrt(res / norm) : 0.0;
}
