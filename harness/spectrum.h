/* soupbench: singular values and span residuals (LAPACKE). */
#ifndef SB_SPECTRUM_H
#define SB_SPECTRUM_H

/* Singular values of the rows x cols row-major matrix A, descending, into
 * sv [min(rows, cols)]. A is not modified. */
void sb_singular_values(const double *A, int rows, int cols, double *sv);

/* Numerical rank: singular values above tol * sv[0]. */
int sb_numerical_rank(const double *sv, int n, double tol);

/* Relative residual ||y - B c|| / ||y|| of the least-squares projection of
 * y [rows] on the columns of B [rows x cols, row-major] (0 when y = 0);
 * the coefficients go to coef [cols] when not NULL. */
double sb_span_residual(const double *B, int rows, int cols, const double *y, double *coef);

#endif
