/* soupbench: singular values and span residuals (LAPACKE). */
#ifndef SB_SPECTRUM_H
#define SB_SPECTRUM_H

/* Singular values of the rows x cols row-major matrix A, descending, into
 * sv [min(rows, cols)]. A is not modified. */
void sb_singular_values(const double *A, int rows, int cols, double *sv);

/* Numerical rank: singular values above tol * sv[0]. */
int sb_numerical_rank(const double *sv, int n, double tol);

/* Effective rank exp(-sum_i p_i log p_i), p_i = sv_i / sum sv (Roy and
 * Vetterli 2007): a tolerance-free dimension, 1 for one direction, n for n
 * equal singular values. */
double sb_effective_rank(const double *sv, int n);

/* Relative residual ||y - B c|| / ||y|| of the least-squares projection of
 * y [rows] on the columns of B [rows x cols, row-major] (0 when y = 0);
 * the coefficients go to coef [cols] when not NULL. */
double sb_span_residual(const double *B, int rows, int cols, const double *y, double *coef);

/* Orthonormal basis of the column space of A [rows x cols, row-major]:
 * the left singular vectors whose singular values exceed tol * sv[0],
 * written as the columns of U [rows x min(rows, cols), row-major]; returns
 * their number (the numerical rank; 0 for a zero matrix). */
int sb_column_space(const double *A, int rows, int cols, double tol, double *U);

/* Principal angles (radians, ascending) between the spans of the first k1
 * columns of U1 and the first k2 columns of U2 (both orthonormal, rows x
 * ld, row-major): min(k1, k2) angles into angles. */
void sb_principal_angles(const double *U1, int k1, const double *U2, int k2, int rows, int ld, double *angles);

#endif
