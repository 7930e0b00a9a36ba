/* soupbench: summary statistics (harness/stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

double sb_mean(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return n ? s / n : NAN;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (type 7 quantile). */
static double quantile(const double *sorted, int n, double q)
{
    double h = (n - 1) * q;
    int i = (int)floor(h);
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

void sb_bootstrap_mean_ci(const double *x, int n, int resamples, SbRng *rng, double *lo, double *hi)
{
    double *means = sb_zeros(resamples);
    for (int b = 0; b < resamples; b++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += x[sb_rng_below(rng, n)];
        means[b] = s / n;
    }
    qsort(means, (size_t)resamples, sizeof(double), by_value);
    *lo = quantile(means, resamples, 0.025);
    *hi = quantile(means, resamples, 0.975);
    free(means);
}
