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

double sb_effective_rank(const double *sv, int n)
{
    double total = 0, entropy = 0;
    for (int i = 0; i < n; i++)
        total += sv[i];
    if (total <= 0)
        return 0;
    for (int i = 0; i < n; i++)
        if (sv[i] > 0)
            entropy -= sv[i] / total * log(sv[i] / total);
    return exp(entropy);
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

int sb_column_space(const double *A, int rows, int cols, double tol, double *U)
{
    int k = rows < cols ? rows : cols;
    /* Column-major view of A^T (cols x rows): its right singular vectors
     * are A's left ones. dgesdd with 'S' gives VT (k x rows, column-major),
     * i.e. row-major rows x k after transposition. */
    double *copy = sb_zeros((size_t)rows * cols), *sv = sb_zeros(k);
    double *u = sb_zeros((size_t)cols * k), *vt = sb_zeros((size_t)k * rows);
    memcpy(copy, A, sizeof(double) * (size_t)rows * cols);
    int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', cols, rows, copy, cols, sv, u, cols, vt, k);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dgesdd failed (info %d) on a %d x %d matrix", info, rows, cols);
    int rank = sv[0] > 0 ? sb_numerical_rank(sv, k, tol) : 0;
    /* vt column-major k x rows: element (j, i) at vt[j + i * k] is U[i][j] */
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < k; j++)
            U[(size_t)i * k + j] = vt[j + (size_t)i * k];
    free(vt);
    free(u);
    free(sv);
    free(copy);
    return rank;
}

void sb_principal_angles(const double *U1, int k1, const double *U2, int k2, int rows, int ld, double *angles)
{
    /* cosines of the principal angles = singular values of U1^T U2 */
    double *M = sb_zeros((size_t)k1 * k2);
    for (int a = 0; a < k1; a++)
        for (int b = 0; b < k2; b++) {
            double acc = 0;
            for (int i = 0; i < rows; i++)
                acc += U1[(size_t)i * ld + a] * U2[(size_t)i * ld + b];
            M[(size_t)a * k2 + b] = acc;
        }
    int k = k1 < k2 ? k1 : k2;
    double *cosines = sb_zeros(k);
    sb_singular_values(M, k1, k2, cosines);
    for (int i = 0; i < k; i++)
        angles[i] = acos(cosines[i] > 1 ? 1 : cosines[i]);
    free(cosines);
    free(M);
}
