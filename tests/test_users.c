/* soupbench tests: users who disagree. The Dirichlet users of
 * $.users.concentration against the closed-form moments, alpha = 1 against
 * the normalised exponentials every earlier run drew; the aspect conflict
 * of $.dataset.aspect_correlation against the requested correlation; the
 * diversity measures printed with the offline summary against a closed
 * form at H = 1 and their values for identical users. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "child.h"
#include "offline.h"
#include "spectrum.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Dirichlet users                                                    */

/* n draws of a symmetric Dirichlet(alpha) on m aspects: the sample mean,
 * variance and covariance of the components against alpha_j / alpha_0,
 * alpha_j (alpha_0 - alpha_j) / (alpha_0^2 (alpha_0 + 1)) and
 * -alpha_i alpha_j / (alpha_0^2 (alpha_0 + 1)). Tolerances from the sample
 * size: the components lie in [0, 1], so every centred product is at most 1
 * in size and its variance at most sigma^2; five standard errors
 * sigma / sqrt(n), plus the O(1/n) bias of centring on the sample mean. */
static void check_dirichlet_moments(double alpha, int m, int n)
{
    SbRng rng;
    sb_rng_seed(&rng, 1234);
    double *w = sb_users_draw(&rng, n, m, SB_WEIGHTS_SIMPLEX, alpha);
    double a0 = alpha * m;
    double mean = alpha / a0, var = alpha * (a0 - alpha) / (a0 * a0 * (a0 + 1));
    double cov = -alpha * alpha / (a0 * a0 * (a0 + 1));
    double sigma = sqrt(var), tol_mean = 5 * sigma / sqrt(n), tol_var = 5 * sigma / sqrt(n) + 2 * var / n;
    double *mu = sb_zeros(m);
    for (int u = 0; u < n; u++) {
        double total = 0;
        for (int j = 0; j < m; j++) {
            double x = w[(size_t)u * m + j];
            assert_true(isfinite(x) && x >= 0 && x <= 1);
            total += x;
            mu[j] += x / n;
        }
        assert_true(fabs(total - 1) < 1e-12);
    }
    for (int j = 0; j < m; j++) {
        if (fabs(mu[j] - mean) > tol_mean)
            fail_msg("alpha %g: mean of w_%d %.5f, closed form %.5f (tolerance %.5f)", alpha, j, mu[j], mean,
                     tol_mean);
        for (int k = j; k < m; k++) {
            double c = 0;
            for (int u = 0; u < n; u++)
                c += (w[(size_t)u * m + j] - mu[j]) * (w[(size_t)u * m + k] - mu[k]) / n;
            double want = j == k ? var : cov;
            if (fabs(c - want) > tol_var)
                fail_msg("alpha %g: covariance of w_%d, w_%d %.5f, closed form %.5f (tolerance %.5f)", alpha, j, k,
                         c, want, tol_var);
        }
    }
    free(mu);
    free(w);
}

static void dirichlet_should_match_closed_form_moments(void **state)
{
    (void)state;
    const double alphas[] = {0.05, 0.2, 0.7, 1.0, 1.5, 5.0, 40.0};
    for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; i++) {
        check_dirichlet_moments(alphas[i], 3, 100000);
        check_dirichlet_moments(alphas[i], 2, 50000); /* w_1 ~ Beta(alpha, alpha) */
    }
}

/* A tiny concentration puts users in the corners without a 0/0 (each Gamma
 * draw underflows in doubles, its log does not). */
static void dirichlet_should_put_small_concentrations_in_the_corners(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 7);
    int n = 2000, m = 4, corners = 0;
    double *w = sb_users_draw(&rng, n, m, SB_WEIGHTS_SIMPLEX, 0.002);
    for (int u = 0; u < n; u++) {
        double mx = 0;
        for (int j = 0; j < m; j++) {
            assert_true(isfinite(w[(size_t)u * m + j]));
            mx = fmax(mx, w[(size_t)u * m + j]);
        }
        corners += mx > 0.999;
    }
    assert_true(corners > 0.95 * n);
    free(w);
    /* a large one at the centre */
    w = sb_users_draw(&rng, n, m, SB_WEIGHTS_SIMPLEX, 1e4);
    for (int i = 0; i < n * m; i++)
        assert_true(fabs(w[i] - 0.25) < 0.05);
    free(w);
}

/* alpha = 1 is the normalised exponentials, draw for draw: the users of
 * every run made before $.users.concentration, here written out again. */
static void old_simplex_users(SbRng *rng, int n, int m, double *w)
{
    for (int u = 0; u < n; u++) {
        double total = 0;
        for (int j = 0; j < m; j++)
            total += w[u * m + j] = -log1p(-sb_rng_uniform(rng));
        for (int j = 0; j < m; j++)
            w[u * m + j] /= total;
    }
}

static void dirichlet_one_should_reproduce_the_exponential_draws(void **state)
{
    (void)state;
    SbRng a, b;
    sb_rng_seed(&a, 99);
    sb_rng_seed(&b, 99);
    double want[50 * 3];
    old_simplex_users(&a, 50, 3, want);
    double *got = sb_users_draw(&b, 50, 3, SB_WEIGHTS_SIMPLEX, 1.0);
    assert_memory_equal(got, want, sizeof want);
    free(got);

    /* through the config and the generator: the default concentration */
    SbConfig cfg;
    assert_int_equal(sb_config_parse("{\"users\": {\"train\": 5, \"test\": 7}}", "users.json", &cfg), 0);
    assert_true(cfg.users.concentration == 1.0);
    cfg.seed = 11;
    SbProblem *p = sb_synthetic_build(&cfg);
    double train[5 * 3], test[7 * 3];
    sb_rng_derive(&a, 11, "users/train");
    old_simplex_users(&a, 5, 3, train);
    sb_rng_derive(&a, 11, "users/test");
    old_simplex_users(&a, 7, 3, test);
    assert_memory_equal(p->users_train, train, sizeof train);
    assert_memory_equal(p->users_test, test, sizeof test);
    sb_problem_free(p);
}

static void build_signed_with_concentration(void *arg)
{
    (void)arg;
    SbConfig cfg;
    SB_ASSERT(sb_config_parse("{\"users\": {\"weights\": \"signed\", \"concentration\": 0.2}}", "x.json", &cfg) == 0);
    sb_synthetic_build(&cfg);
}

static void concentration_should_be_refused_with_signed_weights(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(run_child(build_signed_with_concentration, NULL, err, sizeof err), SB_EXIT_USAGE);
    assert_non_null(strstr(err, "$.users.concentration"));
    assert_non_null(strstr(err, "\"simplex\" weights only"));
}

/* ------------------------------------------------------------------ */
/* aspect conflict                                                    */

static SbProblem *correlated_problem(const char *transition, int d, int m, double c, double rho)
{
    SbConfig cfg;
    char json[160];
    snprintf(json, sizeof json, "{\"dataset\": {\"transition\": \"%s\", \"aspect_correlation\": %.17g}}", transition,
             c);
    SB_ASSERT(sb_config_parse(json, "correlated", &cfg) == 0);
    cfg.dataset.prompts = 40; /* 40 * (1 + 4 + 16) states, 3360 pairs */
    cfg.dataset.spectral_dim = d;
    cfg.dataset.aspects = m;
    cfg.dataset.misspecification = rho;
    cfg.seed = 5;
    return sb_synthetic_build(&cfg);
}

/* Pearson correlation of aspects j and k over every pair, written out. */
static double pair_correlation(const SbProblem *p, int j, int k)
{
    size_t n = (size_t)p->n_states * p->V;
    double mj = 0, mk = 0, sjk = 0, sjj = 0, skk = 0;
    for (size_t i = 0; i < n; i++) {
        mj += p->aspect_rewards[i * p->m + j] / n;
        mk += p->aspect_rewards[i * p->m + k] / n;
    }
    for (size_t i = 0; i < n; i++) {
        double x = p->aspect_rewards[i * p->m + j] - mj, y = p->aspect_rewards[i * p->m + k] - mk;
        sjk += x * y;
        sjj += x * x;
        skk += y * y;
    }
    return sjk / sqrt(sjj * skk);
}

static void aspect_correlation_should_be_realised_over_all_pairs(void **state)
{
    (void)state;
    const double cs[] = {-0.4, 0.0, 0.5, 0.9, -0.5, 1.0};
    const char *transitions[] = {"tree", "linear"};
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
            SbProblem *p = correlated_problem(transitions[t], 6, 3, cs[i], 0.0);
            size_t n = (size_t)p->n_states * p->V;
            double corr[9];
            sb_problem_aspect_correlation(p, corr);
            for (int j = 0; j < 3; j++) {
                assert_true(corr[j * 3 + j] == 1.0);
                for (int k = j + 1; k < 3; k++) {
                    double r = pair_correlation(p, j, k);
                    if (fabs(r - cs[i]) > 1e-9)
                        fail_msg("%s, c = %g: realised correlation of a%d, a%d is %.12f", transitions[t], cs[i],
                                 j + 1, k + 1, r);
                    assert_true(fabs(corr[j * 3 + k] - r) < 1e-12 && corr[k * 3 + j] == corr[j * 3 + k]);
                }
                /* still in the span of the features, unit standard deviation */
                double *y = sb_zeros(n), var = 0, mean = 0;
                for (size_t q = 0; q < n; q++)
                    mean += (y[q] = p->aspect_rewards[q * 3 + j]) / n;
                for (size_t q = 0; q < n; q++)
                    var += (y[q] - mean) * (y[q] - mean) / n;
                assert_true(fabs(var - 1) < 1e-9);
                assert_true(sb_span_residual(p->phi, (int)n, p->d, y, NULL) < 1e-9);
                free(y);
            }
            sb_problem_free(p);
        }
}

/* With misspecification rho the noise (variance rho^2) dilutes the linear
 * parts' correlation to (1 - rho^2) c, within sampling error (about
 * 1/sqrt(pairs) = 0.017 here). */
static void aspect_correlation_should_be_diluted_by_misspecification(void **state)
{
    (void)state;
    SbProblem *p = correlated_problem("tree", 6, 3, 0.9, 0.5);
    for (int j = 0; j < 3; j++)
        for (int k = j + 1; k < 3; k++)
            assert_true(fabs(pair_correlation(p, j, k) - 0.75 * 0.9) < 0.08);
    sb_problem_free(p);
}

typedef struct {
    const char *transition;
    int d, m;
    double c;
} BadCorrelation;

static void build_bad_correlation(void *arg)
{
    const BadCorrelation *b = arg;
    correlated_problem(b->transition, b->d, b->m, b->c, 0.0);
}

static void aspect_correlation_should_refuse_what_cannot_be_realised(void **state)
{
    (void)state;
    char err[512];
    BadCorrelation below = {"tree", 6, 3, -0.6}; /* below -1/(m-1) = -0.5 */
    assert_int_equal(run_child(build_bad_correlation, &below, err, sizeof err), SB_EXIT_USAGE);
    assert_non_null(strstr(err, "$.dataset.aspect_correlation: expected a number in [-1/(m-1), 1] = [-0.5, 1]"));
    BadCorrelation wide = {"tree", 2, 3, 0.2}; /* 3 aspects in 2 feature dimensions */
    assert_int_equal(run_child(build_bad_correlation, &wide, err, sizeof err), SB_EXIT_USAGE);
    assert_non_null(strstr(err, "linearly dependent"));
    BadCorrelation simplex = {"linear", 3, 3, 0.2}; /* features on the simplex vary in d - 1 = 2 */
    assert_int_equal(run_child(build_bad_correlation, &simplex, err, sizeof err), SB_EXIT_USAGE);
    assert_non_null(strstr(err, "d - 1"));
    /* and the config's own range */
    SbConfig cfg;
    assert_int_equal(sb_config_parse("{\"dataset\": {\"aspect_correlation\": null}}", "x.json", &cfg), 0);
    assert_true(isnan(cfg.dataset.aspect_correlation));
}

/* null (the default) draws the theta_j as every earlier run did: the same
 * features, and rewards that a correlation request changes. */
static void aspect_correlation_null_should_keep_the_independent_draws(void **state)
{
    (void)state;
    SbConfig cfg;
    assert_int_equal(sb_config_parse("{}", "x.json", &cfg), 0);
    assert_true(isnan(cfg.dataset.aspect_correlation));
    SbProblem *a = sb_synthetic_build(&cfg);
    cfg.dataset.aspect_correlation = 0.3;
    SbProblem *b = sb_synthetic_build(&cfg);
    size_t n = (size_t)a->n_states * a->V;
    assert_memory_equal(a->phi, b->phi, sizeof(double) * n * a->d);
    assert_memory_equal(a->users_test, b->users_test, sizeof(double) * a->n_test * a->m);
    assert_true(memcmp(a->aspect_rewards, b->aspect_rewards, sizeof(double) * n * a->m) != 0);
    sb_problem_free(b);
    sb_problem_free(a);
}

/* ------------------------------------------------------------------ */
/* diversity                                                          */

static void diversity_should_vanish_for_identical_users(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 3, 3, 3, 0, 4, 3, 0.0, 17);
    double same[4 * 3];
    for (int u = 0; u < 4; u++) {
        same[u * 3 + 0] = 0.5;
        same[u * 3 + 1] = -0.2;
        same[u * 3 + 2] = 0.3;
    }
    assert_true(sb_users_policy_tv(p, same, 4) == 0.0);
    double share = sb_population_optimum_share(p, same, same, 4);
    assert_true(fabs(share - 100.0) < 1e-9);
    /* users who differ: positive, at most 1, and the average policy falls short */
    double tv = sb_users_policy_tv(p, p->users_test, p->n_test);
    assert_true(tv > 1e-3 && tv <= 1.0);
    double w_bar[3] = {0};
    for (int u = 0; u < p->n_test; u++)
        for (int j = 0; j < 3; j++)
            w_bar[j] += p->users_test[u * 3 + j] / p->n_test;
    assert_true(sb_population_optimum_share(p, w_bar, p->users_test, p->n_test) < 100.0);
    sb_problem_free(p);
}

/* At H = 1, pi*_u = pi_ref exp(r_u / beta) / Z and pi_ref's visits are the
 * held-out prompts' distribution: the TV written out from the closed form. */
static void diversity_should_match_the_closed_form_at_horizon_one(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 1, 6, 4, 0, 3, 2, 0.0, 23);
    int V = p->V, n = p->n_test;
    double want = 0;
    int pairs = 0;
    for (int u = 0; u < n; u++)
        for (int v = u + 1; v < n; v++, pairs++)
            for (int x = 0; x < p->n_prompts; x++) {
                double pu[8], pv[8], zu = 0, zv = 0, l1 = 0;
                for (int a = 0; a < V; a++) {
                    const double *r = p->aspect_rewards + ((size_t)x * V + a) * p->m;
                    double ru = 0, rv = 0;
                    for (int j = 0; j < p->m; j++) {
                        ru += p->users_test[u * p->m + j] * r[j];
                        rv += p->users_test[v * p->m + j] * r[j];
                    }
                    double ref = exp(p->ref_logits[x * V + a]);
                    zu += pu[a] = ref * exp(ru / p->beta);
                    zv += pv[a] = ref * exp(rv / p->beta);
                }
                for (int a = 0; a < V; a++)
                    l1 += fabs(pu[a] / zu - pv[a] / zv);
                want += p->eval_init[x] * 0.5 * l1;
            }
    want /= pairs;
    assert_true(fabs(sb_users_policy_tv(p, p->users_test, n) - want) < 1e-12);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dirichlet_should_match_closed_form_moments),
        cmocka_unit_test(dirichlet_should_put_small_concentrations_in_the_corners),
        cmocka_unit_test(dirichlet_one_should_reproduce_the_exponential_draws),
        cmocka_unit_test(concentration_should_be_refused_with_signed_weights),
        cmocka_unit_test(aspect_correlation_should_be_realised_over_all_pairs),
        cmocka_unit_test(aspect_correlation_should_be_diluted_by_misspecification),
        cmocka_unit_test(aspect_correlation_should_refuse_what_cannot_be_realised),
        cmocka_unit_test(aspect_correlation_null_should_keep_the_independent_draws),
        cmocka_unit_test(diversity_should_vanish_for_identical_users),
        cmocka_unit_test(diversity_should_match_the_closed_form_at_horizon_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
