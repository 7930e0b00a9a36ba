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

void sb_sort(double *x, int n) { qsort(x, (size_t)n, sizeof *x, by_value); }

double sb_median(double *x, int n)
{
    sb_sort(x, n);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
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

double sb_bootstrap_ratio_ci(const double *num, const double *den, int n, int resamples, SbRng *rng, double *lo,
                             double *hi)
{
    double *ratios = sb_zeros(resamples), sn = 0, sd = 0;
    for (int b = 0; b < resamples; b++) {
        double a = 0, c = 0;
        for (int i = 0; i < n; i++) {
            int j = sb_rng_below(rng, n);
            a += num[j];
            c += den[j];
        }
        ratios[b] = a / c;
    }
    qsort(ratios, (size_t)resamples, sizeof(double), by_value);
    *lo = quantile(ratios, resamples, 0.025);
    *hi = quantile(ratios, resamples, 0.975);
    free(ratios);
    for (int i = 0; i < n; i++)
        sn += num[i], sd += den[i];
    return sn / sd;
}

static int by_value_descending(const void *a, const void *b) { return by_value(b, a); }

void sb_project_simplex(const double *w, int m, double *out)
{
    double *u = sb_zeros(m);
    for (int j = 0; j < m; j++)
        u[j] = w[j];
    qsort(u, (size_t)m, sizeof(double), by_value_descending);
    /* the threshold tau: the largest k with u_k > (sum_{i<=k} u_i - 1) / k */
    double cumulative = 0, tau = 0;
    for (int k = 0; k < m; k++) {
        cumulative += u[k];
        double t = (cumulative - 1.0) / (k + 1);
        if (u[k] > t)
            tau = t;
    }
    for (int j = 0; j < m; j++)
        out[j] = w[j] > tau ? w[j] - tau : 0.0;
    free(u);
}
