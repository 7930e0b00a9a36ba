/* soupbench: L2-regularised logistic regression (harness/logreg.h). */
#include "logreg.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

#define SB_LOGREG_MAX_ITER 100
#define SB_LOGREG_TOL 1e-10
/* Armijo sufficient-decrease constant and the number of step halvings
 * tried before the line search gives up (2^-60 is below any useful step). */
#define SB_LOGREG_ARMIJO 1e-4
#define SB_LOGREG_HALVINGS 60
/* Near the optimum a Newton step changes f by less than its rounding
 * error, so strict decrease becomes a coin flip; a step that keeps f
 * within this relative slack and shrinks the gradient is accepted too. */
#define SB_LOGREG_SLACK 1e-12
/* The first ridge tried on a Hessian that is not positive definite, as a
 * fraction of its largest diagonal entry; it grows tenfold per retry. */
#define SB_LOGREG_RIDGE0 1e-10
#define SB_LOGREG_RIDGE_TRIES 40
/* Below this reciprocal condition number the Cholesky solve has lost all
 * but a few digits; the first ridge (1e-10 of the scale) always clears it. */
#define SB_LOGREG_RCOND 1e-12

void sb_logreg_options_default(SbLogregOptions *opt)
{
    opt->max_iter = SB_LOGREG_MAX_ITER;
    opt->tol = SB_LOGREG_TOL;
    opt->centre = NULL;
}

/* ---- stable scalar pieces ---- */

/* sigmoid(z) without overflow: exp is only taken of a non-positive number. */
static double logreg_sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* log(1 + exp(z)) = -log sigmoid(-z), never log(0) and never overflowing. */
static double logreg_softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* s (1 - s) = e / (1 + e)^2 with e = exp(-|z|): no cancellation in 1 - s
 * when s is close to 1. */
static double logreg_curvature(double z)
{
    double e = exp(-fabs(z));
    return e / ((1.0 + e) * (1.0 + e));
}

static double logreg_dot(const double *a, const double *b, int K)
{
    double acc = 0;
    for (int k = 0; k < K; k++)
        acc += a[k] * b[k];
    return acc;
}

static double logreg_inf_norm(const double *v, int K)
{
    double m = 0;
    for (int k = 0; k < K; k++)
        if (fabs(v[k]) > m)
            m = fabs(v[k]);
    return m;
}

/* ---- objective, gradient, Hessian ---- */

/* f with the penalty (l2/2) ||lam - centre||^2 (centre NULL: 0). */
static double objective_centred(const double *X, const double *y, const double *w, int n, int K, double l2,
                                const double *centre, const double *lam, double *grad)
{
    double f = 0;
    if (grad)
        memset(grad, 0, sizeof(double) * (size_t)K);
    for (int i = 0; i < n; i++) {
        const double *x = X + (size_t)i * K;
        double wi = w ? w[i] : 1.0, yi = y[i];
        if (wi == 0)
            continue;
        double z = logreg_dot(x, lam, K);
        /* -y log s - (1-y) log(1-s) = y softplus(-z) + (1-y) softplus(z):
         * both terms stay accurate for hard labels, unlike softplus(z) - y z,
         * which cancels when y = 1 and z is large. */
        f += wi * (yi * logreg_softplus(-z) + (1.0 - yi) * logreg_softplus(z));
        if (grad) {
            /* s - y = (1-y) s - y (1-s), with 1 - s = sigmoid(-z) computed
             * directly rather than by subtraction. */
            double r = wi * ((1.0 - yi) * logreg_sigmoid(z) - yi * logreg_sigmoid(-z));
            for (int k = 0; k < K; k++)
                grad[k] += r * x[k];
        }
    }
    double pen = 0;
    for (int k = 0; k < K; k++) {
        double dk = lam[k] - (centre ? centre[k] : 0.0);
        pen += dk * dk;
        if (grad)
            grad[k] += l2 * dk;
    }
    return f + 0.5 * l2 * pen;
}

double sb_logreg_objective(const double *X, const double *y, const double *w, int n, int K, double l2,
                           const double *lam, double *grad)
{
    return objective_centred(X, y, w, n, K, l2, NULL, lam, grad);
}

void sb_logreg_hessian(const double *X, const double *w, int n, int K, double l2, const double *lam, double *H)
{
    /* Plain loops over the upper triangle: K is small, and a fixed
     * summation order keeps the result independent of the thread count. */
    memset(H, 0, sizeof(double) * (size_t)K * K);
    for (int i = 0; i < n; i++) {
        const double *x = X + (size_t)i * K;
        double d = (w ? w[i] : 1.0) * logreg_curvature(logreg_dot(x, lam, K));
        if (d == 0)
            continue;
        for (int a = 0; a < K; a++) {
            double dxa = d * x[a];
            for (int b = a; b < K; b++)
                H[(size_t)a * K + b] += dxa * x[b];
        }
    }
    for (int a = 0; a < K; a++) {
        H[(size_t)a * K + a] += l2;
        for (int b = 0; b < a; b++)
            H[(size_t)a * K + b] = H[(size_t)b * K + a];
    }
}

/* Solve (H + tau I) Z = B for the K x nrhs right-hand sides B (row-major,
 * overwritten by Z) by Cholesky, with tau = 0 first and then a growing
 * ridge while H + tau I is not numerically positive definite: either the
 * factorisation fails, or it succeeds on a pivot at rounding level
 * (reciprocal condition below SB_LOGREG_RCOND), whose solve would throw
 * lam far along a direction the data does not constrain (a duplicated
 * column with l2 = 0, say). Returns the tau used. */
static double logreg_solve_ridged(const double *H, int K, double *B, int nrhs)
{
    double *A = sb_zeros((size_t)K * K);
    double scale = 0;
    for (int a = 0; a < K; a++)
        if (fabs(H[(size_t)a * K + a]) > scale)
            scale = fabs(H[(size_t)a * K + a]);
    if (!(scale > 0))
        scale = 1.0;
    double tau = 0;
    for (int attempt = 0;; attempt++) {
        if (attempt > SB_LOGREG_RIDGE_TRIES)
            sb_fail(SB_EXIT_FAIL, "logistic regression: the %d x %d Hessian stays singular under a ridge of %g "
                    "(non-finite features or lam?)", K, K, tau);
        memcpy(A, H, sizeof(double) * (size_t)K * K);
        for (int a = 0; a < K; a++)
            A[(size_t)a * K + a] += tau;
        double anorm = LAPACKE_dlansy(LAPACK_ROW_MAJOR, '1', 'U', K, A, K), rcond = 0;
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', K, A, K);
        if (info < 0)
            sb_fail(SB_EXIT_FAIL, "LAPACKE_dpotrf: invalid argument %d (K %d)", (int)-info, K);
        /* info > 0: a leading minor is not positive definite */
        if (info == 0 && LAPACKE_dpocon(LAPACK_ROW_MAJOR, 'U', K, A, K, anorm, &rcond) == 0 &&
            rcond >= SB_LOGREG_RCOND)
            break;
        tau = tau == 0 ? SB_LOGREG_RIDGE0 * scale : 10.0 * tau;
    }
    lapack_int info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', K, nrhs, A, K, B, nrhs);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dpotrs failed (info %d, K %d)", (int)info, K);
    free(A);
    return tau;
}

/* Inputs come from the harness's own simulation, so a bad value is a bug. */
static void logreg_check(const double *X, const double *y, const double *w, int n, int K, double l2)
{
    if (n < 0 || K < 1 || !(l2 >= 0) || !isfinite(l2))
        sb_fail(SB_EXIT_FAIL, "logistic regression: bad shape or l2 (n %d, K %d, l2 %g)", n, K, l2);
    for (int i = 0; i < n; i++) {
        if (y && !(y[i] >= 0 && y[i] <= 1))
            sb_fail(SB_EXIT_FAIL, "logistic regression: target %d is %g, outside [0, 1]", i, y[i]);
        if (w && !(w[i] >= 0 && isfinite(w[i])))
            sb_fail(SB_EXIT_FAIL, "logistic regression: weight %d is %g, not finite and >= 0", i, w[i]);
        for (int k = 0; k < K; k++)
            if (!isfinite(X[(size_t)i * K + k]))
                sb_fail(SB_EXIT_FAIL, "logistic regression: feature (%d, %d) is %g", i, k, X[(size_t)i * K + k]);
    }
}

/* ---- Newton's method ---- */

int sb_logreg_fit(const double *X, const double *y, const double *w, int n, int K, double l2, double *lam,
                  const SbLogregOptions *opt, SbLogregReport *rep)
{
    logreg_check(X, y, w, n, K, l2);
    int max_iter = opt && opt->max_iter > 0 ? opt->max_iter : SB_LOGREG_MAX_ITER;
    double tol = opt && opt->tol > 0 ? opt->tol : SB_LOGREG_TOL;
    SbLogregReport r = {0};

    double *g = sb_zeros(K), *gt = sb_zeros(K), *d = sb_zeros(K), *trial = sb_zeros(K);
    double *H = sb_zeros((size_t)K * K);
    const double *centre = opt ? opt->centre : NULL;
    double f = objective_centred(X, y, w, n, K, l2, centre, lam, g);
    if (!isfinite(f))
        sb_fail(SB_EXIT_FAIL, "logistic regression: the objective at the starting lam is %g", f);
    double gi = logreg_inf_norm(g, K);

    while (gi >= tol && r.iterations < max_iter) {
        sb_logreg_hessian(X, w, n, K, l2, lam, H);
        for (int k = 0; k < K; k++)
            d[k] = -g[k];
        double tau = logreg_solve_ridged(H, K, d, 1);
        if (tau > 0) {
            r.ridge_steps++;
            if (tau > r.ridge)
                r.ridge = tau;
        }
        /* (H + tau I) is positive definite, so d is a descent direction
         * unless rounding says otherwise; then nothing more can be done. */
        double gd = logreg_dot(g, d, K);
        if (!(gd < 0)) {
            r.stalled = 1;
            break;
        }
        double t = 1.0, ft = 0, gti = 0;
        int accepted = 0;
        for (int h = 0; h < SB_LOGREG_HALVINGS && !accepted; h++, t *= 0.5) {
            for (int k = 0; k < K; k++)
                trial[k] = lam[k] + t * d[k];
            ft = objective_centred(X, y, w, n, K, l2, centre, trial, gt);
            gti = logreg_inf_norm(gt, K);
            if (ft <= f + SB_LOGREG_ARMIJO * t * gd ||
                (ft <= f + SB_LOGREG_SLACK * (1.0 + fabs(f)) && gti < gi))
                accepted = 1;
        }
        if (!accepted) {
            r.stalled = 1;
            break;
        }
        memcpy(lam, trial, sizeof(double) * (size_t)K);
        memcpy(g, gt, sizeof(double) * (size_t)K);
        f = ft;
        gi = gti;
        r.iterations++;
    }

    r.objective = f;
    r.grad_inf = gi;
    r.converged = gi < tol;
    if (rep)
        *rep = r;
    free(H);
    free(trial);
    free(d);
    free(gt);
    free(g);
    return r.converged ? 0 : 1;
}

int sb_logreg_covariance(const double *X, const double *w, int n, int K, double l2, const double *lam, double *cov)
{
    logreg_check(X, NULL, w, n, K, l2);
    double *H = sb_zeros((size_t)K * K);
    sb_logreg_hessian(X, w, n, K, l2, lam, H);
    /* H^-1 as the solution of H Z = I: one factorisation, K right-hand sides */
    memset(cov, 0, sizeof(double) * (size_t)K * K);
    for (int a = 0; a < K; a++)
        cov[(size_t)a * K + a] = 1.0;
    double tau = logreg_solve_ridged(H, K, cov, K);
    /* Z is symmetric in exact arithmetic; make it so in floating point */
    for (int a = 0; a < K; a++)
        for (int b = a + 1; b < K; b++) {
            double m = 0.5 * (cov[(size_t)a * K + b] + cov[(size_t)b * K + a]);
            cov[(size_t)a * K + b] = cov[(size_t)b * K + a] = m;
        }
    free(H);
    return tau > 0 ? 1 : 0;
}
