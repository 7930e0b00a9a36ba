/* Metrics against independent computations: win-rates against the O(n^2)
 * pair enumeration, the sampled win-rate against the exact one, the Wilson
 * interval against a published value, the non-dominated filter against
 * its definition, the hypervolume against grid integration, and the
 * bootstrap interval against the normal approximation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pareto.h"
#include "stats.h"
#include "testutil.h"
#include "winrate.h"

static double pairwise_winrate(const SbProblem *p, const double *r, const double *la, const double *lb)
{
    double total = 0;
    for (int x = 0; x < p->n_prompts; x++) {
        double *ra, *pa, *rb, *pb;
        int na, nb;
        sb_enumerate_trajectories(p, r, la, x, &ra, &pa, &na);
        sb_enumerate_trajectories(p, r, lb, x, &rb, &pb, &nb);
        double w = 0, mass_a = 0, mass_b = 0;
        for (int i = 0; i < na; i++) {
            mass_a += pa[i];
            for (int j = 0; j < nb; j++)
                w += pa[i] * pb[j] * (ra[i] > rb[j] ? 1.0 : ra[i] == rb[j] ? 0.5 : 0.0);
        }
        for (int j = 0; j < nb; j++)
            mass_b += pb[j];
        assert_true(fabs(mass_a - 1) < 1e-12 && fabs(mass_b - 1) < 1e-12);
        total += p->eval_init[x] * w;
        free(ra), free(pa), free(rb), free(pb);
    }
    return total;
}

static void winrate_should_match_pairwise_enumeration(void **state)
{
    (void)state;
    const char *kinds[] = {"tree", "linear"};
    for (int k = 0; k < 2; k++) {
        SbProblem *p = tiny_problem(kinds[k], 2, 3, 3, 2, 3, 2, 0.3, 4);
        size_t n_sa = (size_t)p->n_states * p->V;
        double *la = sb_zeros(n_sa), *r = sb_zeros(n_sa);
        SbRng rng;
        sb_rng_seed(&rng, 1);
        for (size_t i = 0; i < n_sa; i++)
            la[i] = sb_rng_normal(&rng);
        sb_problem_user_reward(p, p->users_test, r);
        SbWinRate w = sb_winrate(p, r, la, p->ref_logits, 1 << 20, 10, &rng);
        assert_int_equal(w.exact, 1);
        assert_true(fabs(w.rate - pairwise_winrate(p, r, la, p->ref_logits)) < 1e-12);
        /* a policy against itself: exactly one half */
        SbWinRate self = sb_winrate(p, r, la, la, 1 << 20, 10, &rng);
        assert_true(fabs(self.rate - 0.5) < 1e-12);
        /* sampled: the 95% Wilson interval covers the exact value (fixed seed) */
        SbWinRate s = sb_winrate(p, r, la, p->ref_logits, 0, 20000, &rng);
        assert_int_equal(s.exact, 0);
        assert_true(s.lo <= w.rate && w.rate <= s.hi);
        assert_true(s.hi - s.lo < 0.03);
        free(r);
        free(la);
        sb_problem_free(p);
    }
}

static void wilson_should_match_published_interval(void **state)
{
    (void)state;
    /* Newcombe (1998), Table I: 81 successes of 263 -> [0.2553, 0.3662] */
    double lo, hi;
    sb_wilson(81.0 / 263.0, 263, &lo, &hi);
    assert_true(fabs(lo - 0.2553) < 1e-4);
    assert_true(fabs(hi - 0.3662) < 1e-4);
}

static void nondominated_should_match_definition(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 7);
    for (int trial = 0; trial < 50; trial++) {
        int n = 1 + sb_rng_below(&rng, 30);
        double x[30], y[30];
        int flag[30];
        for (int i = 0; i < n; i++) { /* coarse values so ties and duplicates occur */
            x[i] = sb_rng_below(&rng, 6);
            y[i] = sb_rng_below(&rng, 6);
        }
        sb_pareto_nondominated(x, y, n, flag);
        for (int i = 0; i < n; i++) {
            int dominated = 0;
            for (int j = 0; j < n; j++)
                if (!(x[j] < x[i] || y[j] < y[i]) && (x[j] != x[i] || y[j] != y[i]))
                    dominated = 1;
            assert_int_equal(flag[i], !dominated);
        }
    }
}

static void hypervolume_should_match_grid_integration(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 9);
    for (int trial = 0; trial < 20; trial++) {
        int n = 1 + sb_rng_below(&rng, 12);
        double x[12], y[12];
        for (int i = 0; i < n; i++) {
            x[i] = sb_rng_below(&rng, 40) / 10.0 - 1.0; /* on a 0.1 lattice: the grid is exact */
            y[i] = sb_rng_below(&rng, 40) / 10.0 - 1.0;
        }
        double rx = -0.5, ry = -0.3, cell = 0.05, area = 0;
        for (double cx = rx + cell / 2; cx < 3.0; cx += cell)
            for (double cy = ry + cell / 2; cy < 3.0; cy += cell)
                for (int i = 0; i < n; i++)
                    if (x[i] >= cx && y[i] >= cy) {
                        area += cell * cell;
                        break;
                    }
        assert_true(fabs(sb_hypervolume_2d(x, y, n, rx, ry) - area) < 1e-9);
    }
}

static void bootstrap_should_agree_with_normal_interval(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 5);
    int n = 400;
    double *x = sb_zeros(n), mean, sd = 0, lo, hi;
    for (int i = 0; i < n; i++)
        x[i] = sb_rng_normal(&rng);
    mean = sb_mean(x, n);
    for (int i = 0; i < n; i++)
        sd += (x[i] - mean) * (x[i] - mean);
    double se = sqrt(sd / (n - 1) / n);
    sb_bootstrap_mean_ci(x, n, 4000, &rng, &lo, &hi);
    assert_true(fabs(lo - (mean - 1.96 * se)) < 0.15 * se * 1.96);
    assert_true(fabs(hi - (mean + 1.96 * se)) < 0.15 * se * 1.96);
    free(x);
}

/* The ratio-of-sums bootstrap: with a constant denominator it is the mean
 * bootstrap of num / c on the same draws; otherwise it agrees with the
 * delta-method interval R +- 1.96 sd(num - R den) / (sqrt(n) mean(den)). */
static void ratio_bootstrap_should_match_mean_bootstrap_and_delta_method(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 11);
    int n = 400;
    double *num = sb_zeros(n), *den = sb_zeros(n), *scaled = sb_zeros(n);
    for (int i = 0; i < n; i++) {
        num[i] = 1 + sb_rng_normal(&rng);
        den[i] = 2.5;
        scaled[i] = num[i] / 2.5;
    }
    SbRng r1, r2;
    sb_rng_seed(&r1, 3);
    sb_rng_seed(&r2, 3);
    double lo, hi, lo2, hi2;
    double R = sb_bootstrap_ratio_ci(num, den, n, 2000, &r1, &lo, &hi);
    sb_bootstrap_mean_ci(scaled, n, 2000, &r2, &lo2, &hi2);
    assert_true(fabs(R - sb_mean(scaled, n)) < 1e-12);
    assert_true(fabs(lo - lo2) < 1e-12 && fabs(hi - hi2) < 1e-12);

    double sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        den[i] = 2 + sb_rng_uniform(&rng);
        num[i] = 0.7 * den[i] + 0.5 * sb_rng_normal(&rng);
        sx += num[i], sy += den[i];
    }
    R = sb_bootstrap_ratio_ci(num, den, n, 4000, &rng, &lo, &hi);
    assert_true(fabs(R - sx / sy) < 1e-15);
    double v = 0;
    for (int i = 0; i < n; i++)
        v += (num[i] - R * den[i]) * (num[i] - R * den[i]);
    double se = sqrt(v / (n - 1) / n) / (sy / n);
    assert_true(fabs(lo - (R - 1.96 * se)) < 0.15 * 1.96 * se);
    assert_true(fabs(hi - (R + 1.96 * se)) < 0.15 * 1.96 * se);
    free(num), free(den), free(scaled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(winrate_should_match_pairwise_enumeration),
        cmocka_unit_test(wilson_should_match_published_interval),
        cmocka_unit_test(nondominated_should_match_definition),
        cmocka_unit_test(hypervolume_should_match_grid_integration),
        cmocka_unit_test(bootstrap_should_agree_with_normal_interval),
        cmocka_unit_test(ratio_bootstrap_should_match_mean_bootstrap_and_delta_method),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
