/* soupbench: summary statistics with intervals. */
#ifndef SB_STATS_H
#define SB_STATS_H

#include "sb.h"

double sb_mean(const double *x, int n);
/* x[0..n-1] sorted ascending in place. */
void sb_sort(double *x, int n);
/* The median of x[0..n-1] (the mean of the two middle values when n is
 * even); sorts x in place. n >= 1. */
double sb_median(double *x, int n);
/* Percentile bootstrap 95% interval of the mean of x[0..n-1] from
 * `resamples` resamples drawn with rng. */
void sb_bootstrap_mean_ci(const double *x, int n, int resamples, SbRng *rng, double *lo, double *hi);
/* The same for the ratio of sums sum(num) / sum(den), the pairs (num[i],
 * den[i]) resampled together; returns the ratio itself. */
double sb_bootstrap_ratio_ci(const double *num, const double *den, int n, int resamples, SbRng *rng, double *lo,
                             double *hi);

/* Euclidean projection of w [m] on the probability simplex (sort and
 * threshold, Duchi et al. 2008): out may alias w. */
void sb_project_simplex(const double *w, int m, double *out);

#endif
