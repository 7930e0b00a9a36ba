/* Exact solver and policy evaluation against independent brute force:
 * recursion over whole histories with dense transitions, enumeration of
 * whole trajectories, and closed forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "solver.h"
#include "spectrum.h"
#include "testutil.h"

/* ---- brute force: soft-optimal values over histories ---------------- */

/* V*(history ending in s at step t), recursing over every successor
 * history with dense transition rows; records Q at the history's (s, a)
 * in q_seen and checks consistency of revisits (Markov property). */
static double bf_soft_value(const SbProblem *p, const double *r, int s, int t, double *q_bf)
{
    int V = p->V;
    double *terms = sb_zeros(V);
    int n_next = t + 1 < p->H ? p->layer_offset[t + 2] - p->layer_offset[t + 1] : 0;
    double *row = sb_zeros(n_next > 0 ? n_next : 1);
    for (int a = 0; a < V; a++) {
        double q = r[s * V + a];
        if (t + 1 < p->H) {
            dense_transition(p, s, a, t, row);
            for (int j = 0; j < n_next; j++)
                if (row[j] != 0)
                    q += row[j] * bf_soft_value(p, r, p->layer_offset[t + 1] + j, t + 1, q_bf);
        }
        q_bf[s * V + a] = q;
        terms[a] = log_prob(p->ref_logits + s * V, V, a) + q / p->beta;
    }
    double mx = terms[0], z = 0;
    for (int a = 1; a < V; a++)
        if (terms[a] > mx)
            mx = terms[a];
    for (int a = 0; a < V; a++)
        z += exp(terms[a] - mx);
    free(row);
    free(terms);
    return p->beta * (mx + log(z));
}

/* ---- brute force: whole-trajectory expectations ---------------------- */

typedef struct {
    const SbProblem *p;
    const double *logits, *r;
    double J, reward, kl, ref_exp; /* ref_exp: E_ref[exp(R/beta)] */
    double *aspects;
} TrajSum;

static void bf_trajectories(TrajSum *ts, int s, int t, double prob, double prob_ref, double ret, double logratio,
                            double *aspects_path)
{
    const SbProblem *p = ts->p;
    int V = p->V, m = p->m;
    int n_next = t + 1 < p->H ? p->layer_offset[t + 2] - p->layer_offset[t + 1] : 0;
    double *row = sb_zeros(n_next > 0 ? n_next : 1);
    double *asp = sb_zeros(m);
    for (int a = 0; a < V; a++) {
        double lp = log_prob(ts->logits + s * V, V, a), lr = log_prob(p->ref_logits + s * V, V, a);
        double pr = prob * exp(lp), prr = prob_ref * exp(lr);
        double ret2 = ret + ts->r[s * V + a], lrat = logratio + lp - lr;
        for (int j = 0; j < m; j++)
            asp[j] = aspects_path[j] + p->aspect_rewards[(s * V + a) * m + j];
        if (t + 1 == p->H) {
            ts->reward += pr * ret2;
            ts->kl += pr * lrat;
            ts->J += pr * (ret2 - p->beta * lrat);
            ts->ref_exp += prr * exp(ret2 / p->beta);
            for (int j = 0; j < m; j++)
                ts->aspects[j] += pr * asp[j];
            continue;
        }
        dense_transition(p, s, a, t, row);
        for (int j = 0; j < n_next; j++)
            if (row[j] != 0)
                bf_trajectories(ts, p->layer_offset[t + 1] + j, t + 1, pr * row[j], prr * row[j], ret2, lrat, asp);
    }
    free(asp);
    free(row);
}

static TrajSum bf_expectations(const SbProblem *p, const double *logits, const double *r, int x)
{
    TrajSum ts = {p, logits, r, 0, 0, 0, 0, sb_zeros(p->m)};
    double *zero = sb_zeros(p->m);
    bf_trajectories(&ts, x, 0, 1.0, 1.0, 0.0, 0.0, zero);
    free(zero);
    return ts;
}

/* ---- tests ---------------------------------------------------------- */

static void check_solver_against_brute_force(const char *transition, int H)
{
    SbProblem *p = tiny_problem(transition, H, 2, 3, 4, 3, 2, 0.3, 11 + H);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n_sa), *q_bf = sb_zeros(n_sa);
    sb_problem_user_reward(p, p->users_test, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    double value = 0;
    for (int x = 0; x < p->n_prompts; x++) {
        double v_bf = bf_soft_value(p, r, x, 0, q_bf);
        assert_true(rel_diff(sol.V[x], v_bf) < 1e-10);
        /* J of pi* by whole-trajectory enumeration equals V*(x) */
        TrajSum ts = bf_expectations(p, sol.logits, r, x);
        assert_true(rel_diff(ts.J, sol.V[x]) < 1e-10);
        if (p->transition == SB_TRANSITION_TREE) /* closed form on deterministic trees */
            assert_true(rel_diff(sol.V[x], p->beta * log(ts.ref_exp)) < 1e-10);
        free(ts.aspects);
        value += p->eval_init[x] * sol.V[x];
    }
    for (size_t i = 0; i < n_sa; i++)
        assert_true(rel_diff(sol.Q[i], q_bf[i]) < 1e-10);
    assert_true(rel_diff(sol.value, value) < 1e-12);
    sb_soft_solution_free(&sol);
    free(q_bf);
    free(r);
    sb_problem_free(p);
}

static void solver_should_match_brute_force_on_tree(void **state)
{
    (void)state;
    for (int H = 1; H <= 3; H++)
        check_solver_against_brute_force("tree", H);
}

static void solver_should_match_brute_force_on_linear(void **state)
{
    (void)state;
    for (int H = 1; H <= 3; H++)
        check_solver_against_brute_force("linear", H);
}

static void solver_at_horizon_one_should_give_closed_form(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 1, 5, 6, 1, 4, 3, 0.0, 5);
    double *r = sb_zeros(p->n_states * p->V);
    sb_problem_user_reward(p, p->users_test + p->m, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    for (int s = 0; s < p->n_states; s++) {
        double z = 0;
        for (int a = 0; a < p->V; a++)
            z += exp(log_prob(p->ref_logits + s * p->V, p->V, a)) * exp(r[s * p->V + a] / p->beta);
        for (int a = 0; a < p->V; a++) {
            double expect = exp(log_prob(p->ref_logits + s * p->V, p->V, a)) * exp(r[s * p->V + a] / p->beta) / z;
            assert_true(fabs(exp(log_prob(sol.logits + s * p->V, p->V, a)) - expect) < 1e-12);
        }
    }
    sb_soft_solution_free(&sol);
    free(r);
    sb_problem_free(p);
}

static void evaluate_should_match_trajectory_enumeration(void **state)
{
    (void)state;
    const char *kinds[] = {"tree", "linear"};
    for (int k = 0; k < 2; k++) {
        SbProblem *p = tiny_problem(kinds[k], 3, 2, 3, 3, 3, 2, 0.5, 21);
        size_t n_sa = (size_t)p->n_states * p->V;
        SbRng rng;
        sb_rng_seed(&rng, 3);
        double *logits = sb_zeros(n_sa), *r = sb_zeros(n_sa);
        for (size_t i = 0; i < n_sa; i++)
            logits[i] = 2 * sb_rng_normal(&rng);
        const double *w = p->users_test;
        sb_problem_user_reward(p, w, r);
        double aspects[2];
        SbPolicyValue v = {.aspects = aspects};
        sb_evaluate_policy(p, logits, w, &v);
        double J = 0, kl = 0, rew = 0, asp[2] = {0, 0};
        for (int x = 0; x < p->n_prompts; x++) {
            TrajSum ts = bf_expectations(p, logits, r, x);
            J += p->eval_init[x] * ts.J;
            kl += p->eval_init[x] * ts.kl;
            rew += p->eval_init[x] * ts.reward;
            for (int j = 0; j < 2; j++)
                asp[j] += p->eval_init[x] * ts.aspects[j];
            free(ts.aspects);
        }
        assert_true(rel_diff(v.J, J) < 1e-10);
        assert_true(rel_diff(v.KL, kl) < 1e-10);
        assert_true(rel_diff(v.reward, rew) < 1e-10);
        for (int j = 0; j < 2; j++)
            assert_true(rel_diff(aspects[j], asp[j]) < 1e-10);
        /* Q^pi by backward induction: E_x[sum_a pi Q^pi] is the expected return */
        double *qpi = sb_zeros(n_sa), ret = 0;
        sb_policy_q(p, r, logits, qpi);
        for (int x = 0; x < p->n_prompts; x++)
            for (int a = 0; a < p->V; a++)
                ret += p->eval_init[x] * exp(log_prob(logits + x * p->V, p->V, a)) * qpi[x * p->V + a];
        assert_true(rel_diff(ret, rew) < 1e-10);
        free(qpi);
        free(r);
        free(logits);
        sb_problem_free(p);
    }
}

/* Residual of the projection of Q*_t (all pairs of step t) on the span of
 * the features phi restricted to step t, worst over t. */
static double worst_span_residual(const SbProblem *p, const double *Q, int *worst_t, double *per_step)
{
    double worst = 0;
    for (int t = 0; t < p->H; t++) {
        int lo = p->layer_offset[t] * p->V, rows = (p->layer_offset[t + 1] - p->layer_offset[t]) * p->V;
        double res = sb_span_residual(p->phi + (size_t)lo * p->d, rows, p->d, Q + lo, NULL);
        per_step[t] = res;
        if (res > worst) {
            worst = res;
            *worst_t = t;
        }
    }
    return worst;
}

static void solver_q_should_lie_in_feature_span_for_linear_mdp(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("linear", 3, 3, 3, 6, 4, 3, 0.0, 8);
    double *r = sb_zeros(p->n_states * p->V);
    sb_problem_user_reward(p, p->users_test, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    int t = -1;
    double per_step[3];
    double worst = worst_span_residual(p, sol.Q, &t, per_step);
    assert_true(worst < 1e-10);
    sb_soft_solution_free(&sol);
    free(r);
    sb_problem_free(p);
}

static void solver_q_should_leave_feature_span_for_tree_mdp(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 3, 3, 3, 1, 4, 3, 0.0, 8);
    double *r = sb_zeros(p->n_states * p->V);
    sb_problem_user_reward(p, p->users_test, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    int t = -1;
    double per_step[3];
    worst_span_residual(p, sol.Q, &t, per_step);
    /* the reward itself is in the span (last step), the log-sum-exp of V*
     * pushes Q* out of it at the earlier steps */
    assert_true(per_step[2] < 1e-10);
    assert_true(per_step[0] > 1e-3);
    assert_true(per_step[1] > 1e-3);
    sb_soft_solution_free(&sol);
    free(r);
    sb_problem_free(p);
}

static void generator_should_give_valid_distributions(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("linear", 4, 2, 3, 5, 3, 2, 0.2, 2);
    double *row = sb_zeros(5);
    for (int t = 0; t + 1 < p->H; t++)
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++)
            for (int a = 0; a < p->V; a++) {
                dense_transition(p, s, a, t, row);
                double total = 0;
                for (int j = 0; j < 5; j++) {
                    assert_true(row[j] >= 0);
                    total += row[j];
                }
                assert_true(fabs(total - 1) < 1e-12);
            }
    free(row);
    sb_problem_free(p);
}

static void generator_should_be_deterministic(void **state)
{
    (void)state;
    SbProblem *a = tiny_problem("tree", 3, 2, 3, 1, 3, 2, 0.4, 99), *b = tiny_problem("tree", 3, 2, 3, 1, 3, 2, 0.4, 99);
    size_t n_sa = (size_t)a->n_states * a->V;
    assert_memory_equal(a->aspect_rewards, b->aspect_rewards, n_sa * a->m * sizeof(double));
    assert_memory_equal(a->ref_logits, b->ref_logits, n_sa * sizeof(double));
    assert_memory_equal(a->users_test, b->users_test, (size_t)a->n_test * a->m * sizeof(double));
    SbProblem *c = tiny_problem("tree", 3, 2, 3, 1, 3, 2, 0.4, 100);
    assert_true(memcmp(a->aspect_rewards, c->aspect_rewards, n_sa * a->m * sizeof(double)) != 0);
    sb_problem_free(a);
    sb_problem_free(b);
    sb_problem_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(solver_should_match_brute_force_on_tree),
        cmocka_unit_test(solver_should_match_brute_force_on_linear),
        cmocka_unit_test(solver_at_horizon_one_should_give_closed_form),
        cmocka_unit_test(evaluate_should_match_trajectory_enumeration),
        cmocka_unit_test(solver_q_should_lie_in_feature_span_for_linear_mdp),
        cmocka_unit_test(solver_q_should_leave_feature_span_for_tree_mdp),
        cmocka_unit_test(generator_should_give_valid_distributions),
        cmocka_unit_test(generator_should_be_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
