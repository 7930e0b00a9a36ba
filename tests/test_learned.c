/* soupbench: the learned inputs of the weight-based baselines
 * (harness/train/learned.c): the ridge regression against its optimality
 * conditions, and the reward model and successor features against the
 * truth on a linear MDP, where both are linear in the features. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "learned.h"
#include "sb.h"
#include "testutil.h"

/* The ridge fit satisfies the normal equations, written here row by row:
 * sum_i (y_i - pred_i) x_ik = l2 theta_k for every feature k, and
 * sum_i (y_i - pred_i) = 0 for the (unpenalised) intercept. */
static void ridge_should_satisfy_its_normal_equations(void **state)
{
    (void)state;
    enum { N = 40, D = 3 };
    SbRng rng;
    sb_rng_seed(&rng, 5);
    double X[N * D], y[N], theta[D + 1];
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < D; k++)
            X[i * D + k] = sb_rng_normal(&rng);
        y[i] = 2.0 + X[i * D] - 0.5 * X[i * D + 2] + 0.3 * sb_rng_normal(&rng);
    }
    for (int pass = 0; pass < 2; pass++) {
        double l2 = pass ? 3.0 : 0.0;
        sb_ridge_fit(X, y, N, D, l2, theta);
        double g[D + 1] = {0};
        for (int i = 0; i < N; i++) {
            double pred = theta[D];
            for (int k = 0; k < D; k++)
                pred += X[i * D + k] * theta[k];
            for (int k = 0; k < D; k++)
                g[k] += (y[i] - pred) * X[i * D + k];
            g[D] += y[i] - pred;
        }
        for (int k = 0; k < D; k++)
            assert_true(fabs(g[k] - l2 * theta[k]) < 1e-9);
        assert_true(fabs(g[D]) < 1e-9);
    }
    /* no data: the zero model */
    sb_ridge_fit(X, y, 0, D, 1.0, theta);
    for (int k = 0; k <= D; k++)
        assert_true(theta[k] == 0.0);
}

/* On a linear MDP with no misspecification r_j = <phi, theta_j> exactly, so
 * the reward model recovers r_j up to the ridge's bias, and the held-out
 * RMSE it stores is that small; Q^{pi_ref}_j is linear in phi at each step,
 * so the Monte Carlo successor features approach it as samples grow. */
static void reward_model_should_recover_linear_rewards(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("linear", 2, 3, 3, 3, 3, 2, 0.0, 17);
    SbLearnedAspects *few = sb_learned_aspects_fit(p, 200, 1e-10, 3);
    SbLearnedAspects *many = sb_learned_aspects_fit(p, 20000, 1e-10, 3);
    for (int j = 0; j < p->m; j++) {
        assert_true(few->reward_scale[j] > 0.05);
        assert_true(few->reward_rmse[j] < 1e-6 * few->reward_scale[j]);
        assert_true(many->sf_rmse[j] < 0.05 * many->sf_scale[j]);
        assert_true(many->sf_rmse[j] < few->sf_rmse[j]);
    }
    sb_learned_aspects_free(many);
    sb_learned_aspects_free(few);
    sb_problem_free(p);
}

/* With misspecified rewards the linear model cannot be exact; at H = 1 the
 * successor features are the reward model itself. */
static void misspecified_rewards_should_leave_an_error_and_h1_sf_equal_rewards(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 1, 6, 4, 1, 3, 2, 0.6, 9);
    SbLearnedAspects *la = sb_learned_aspects_fit(p, 500, 1e-3, 4);
    size_t n_sa = (size_t)p->n_states * p->V;
    for (int j = 0; j < p->m; j++)
        assert_true(la->reward_rmse[j] > 0.05 * la->reward_scale[j]);
    for (size_t i = 0; i < n_sa * p->m; i++)
        assert_true(fabs(la->psihat[i] - la->rhat[i]) < 1e-12);
    sb_learned_aspects_free(la);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ridge_should_satisfy_its_normal_equations),
        cmocka_unit_test(reward_model_should_recover_linear_rewards),
        cmocka_unit_test(misspecified_rewards_should_leave_an_error_and_h1_sf_equal_rewards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
