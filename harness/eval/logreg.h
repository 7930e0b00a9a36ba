/* soupbench: L2-regularised logistic regression (Newton with a K x K
 * Cholesky solve).
 *
 * Spectral Souping fits its mixture weights lam from preference answers
 * on R_k(x,y1) - R_k(x,y2) with it (SPEC section 4), and the baselines
 * fit a user's aspect weights from the same answers (SPEC section 2).
 *
 * Model: P(y_i = 1) = sigmoid(x_i . lam), no intercept, x_i the rows of
 * the n x K row-major matrix X. Targets y_i in [0, 1] (hard answers or
 * soft probabilities); per-row weights w_i >= 0 (w = NULL: all 1).
 * Objective, minimised:
 *   f(lam) = sum_i w_i [ -y_i log s_i - (1 - y_i) log(1 - s_i) ]
 *            + (l2 / 2) ||lam||^2,      s_i = sigmoid(x_i . lam).
 * With l2 > 0 f is strictly convex and has a unique minimiser, even on
 * separable data. */
#ifndef SB_LOGREG_H
#define SB_LOGREG_H

typedef struct {
    int max_iter; /* Newton iterations at most; <= 0 means 100 */
    double tol;   /* stop when ||grad||_inf < tol; <= 0 means 1e-10 */
    /* [K] or NULL: the penalty becomes (l2/2) ||lam - centre||^2, so the
     * fit shrinks towards a prior (the population's) instead of towards 0 */
    const double *centre;
} SbLogregOptions;

typedef struct {
    int iterations;   /* Newton steps taken (0 when the start already converged) */
    double objective; /* f at the returned lam */
    double grad_inf;  /* ||grad f||_inf at the returned lam */
    int converged;    /* 1 when grad_inf < tol */
    int ridge_steps;  /* steps whose Hessian was not positive definite and got a ridge */
    double ridge;     /* largest ridge added to the Hessian's diagonal (0 if none) */
    int stalled;      /* 1 when the line search found no acceptable step */
} SbLogregReport;

/* The defaults: max_iter 100, tol 1e-10 (a zeroed struct means the same). */
void sb_logreg_options_default(SbLogregOptions *opt);

/* f(lam) as above, computed without log(0) or overflow for any finite
 * lam. grad [K] receives the gradient when not NULL. */
double sb_logreg_objective(const double *X, const double *y, const double *w, int n, int K, double l2,
                           const double *lam, double *grad);

/* Hessian of f at lam: H = X^T diag(w_i s_i (1 - s_i)) X + l2 I, into
 * H [K x K, row-major, both triangles]. */
void sb_logreg_hessian(const double *X, const double *w, int n, int K, double l2, const double *lam, double *H);

/* Fit lam [K] by Newton's method from the lam passed in (warm start), with
 * a backtracking (Armijo) line search. If the Hessian is not numerically
 * positive definite (possible with l2 = 0 on rank-deficient or separable
 * data), a growing ridge is added until its Cholesky factor has a
 * reciprocal condition number of at least 1e-12; the report says so.
 * opt and rep may be NULL. Returns 0 when converged, 1 when not (max_iter
 * reached, or the line search stalled at rounding level); lam then holds
 * the last accepted, i.e. best, iterate.
 * Note: with l2 = 0 on separable data no minimiser exists; lam grows until
 * f and its gradient fall below tol, and the fit reports convergence. */
int sb_logreg_fit(const double *X, const double *y, const double *w, int n, int K, double l2, double *lam,
                  const SbLogregOptions *opt, SbLogregReport *rep);

/* Laplace posterior covariance at lam: the inverse Hessian, into cov
 * [K x K, row-major, exactly symmetric]. Returns 0 when H is numerically
 * positive definite (cov = H^-1); otherwise 1 and cov = (H + tau I)^-1
 * with the ridge tau of the fit's rule, so flat directions get a large
 * (~1/tau) variance instead of an infinite one. */
int sb_logreg_covariance(const double *X, const double *w, int n, int K, double l2, const double *lam, double *cov);

#endif
