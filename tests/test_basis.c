/* The basis rewards against independent computations: the feature_svd
 * directions against the eigenvectors of phi^T phi (LAPACKE_dsyev, not the
 * SVD the code uses), the rewards' scale by hand, and the spectral
 * argument of SPEC section 1 for a basis of feature directions: at H = 1
 * with rewards in the span of phi, K = d directions make the explicit soup
 * exact for every user while K = d - 1 do not, although the users' rewards
 * span only m < d dimensions (so K = m aspect combinations are exact). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <lapacke.h>
#include <unistd.h>

#include "ablation.h"
#include "basis.h"
#include "results.h"
#include "solver.h"
#include "spectral.h"
#include "testutil.h"

/* The basis of `kind` with K policies on p (one training step each: only
 * the rewards matter here). */
static SbBasis *build_basis(const SbProblem *p, SbBasisKind kind, int K, SbConfig *cfg)
{
    sb_config_defaults(cfg);
    cfg->seed = 5;
    cfg->basis.kind = kind;
    cfg->basis.size = K;
    cfg->train.steps = 1;
    SbProgress pg = {0};
    return sb_basis_build(p, cfg, &pg);
}

static void feature_svd_directions_should_be_the_eigenvectors_of_phi_T_phi(void **state)
{
    (void)state;
    int d = 5;
    SbProblem *p = tiny_problem("tree", 1, 6, 4, 6, d, 2, 0.0, 71);
    size_t n_sa = (size_t)p->n_states * p->V;
    SbConfig cfg;
    SbBasis *b = build_basis(p, SB_BASIS_FEATURE_SVD, d + 2, &cfg);
    assert_null(b->R);
    /* G = phi^T phi; its eigenvectors, ascending, are phi's right singular vectors */
    double G[25] = {0}, eig[5];
    for (size_t i = 0; i < n_sa; i++)
        for (int a = 0; a < d; a++)
            for (int c = 0; c < d; c++)
                G[a * d + c] += p->phi[i * d + a] * p->phi[i * d + c];
    assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', d, G, d, eig), 0);
    for (int k = 0; k < d; k++) {
        const double *v = b->directions + (size_t)k * d;
        double dot = 0, top = 0;
        for (int j = 0; j < d; j++) {
            dot += v[j] * G[j * d + (d - 1 - k)];
            if (fabs(v[j]) > fabs(top))
                top = v[j];
        }
        assert_true(fabs(fabs(dot) - 1.0) < 1e-10);
        assert_true(top > 0); /* the sign convention */
        assert_true(rel_diff(b->direction_sv[k] * b->direction_sv[k], eig[d - 1 - k]) < 1e-10);
    }
    /* past d: seeded random unit directions, no singular value */
    for (int k = 0; k < b->K; k++) {
        for (int c = 0; c < b->K; c++) {
            double dot = 0;
            for (int j = 0; j < d; j++)
                dot += b->directions[(size_t)k * d + j] * b->directions[(size_t)c * d + j];
            if (k < d && c < d)
                assert_true(fabs(dot - (k == c)) < 1e-12); /* orthonormal */
            else if (k == c)
                assert_true(fabs(dot - 1.0) < 1e-12);
        }
        assert_true(k < d ? !isnan(b->direction_sv[k]) : isnan(b->direction_sv[k]));
    }
    sb_basis_free(b);
    sb_problem_free(p);
}

static void feature_rewards_should_be_unit_sd_projections_on_their_directions(void **state)
{
    (void)state;
    int d = 4;
    SbProblem *p = tiny_problem("linear", 2, 3, 3, 5, d, 3, 0.3, 72);
    size_t n_sa = (size_t)p->n_states * p->V;
    for (SbBasisKind kind = SB_BASIS_FEATURE_SVD; kind <= SB_BASIS_FEATURE_RANDOM; kind++) {
        SbConfig cfg;
        SbBasis *b = build_basis(p, kind, 6, &cfg);
        double *rho = sb_zeros(n_sa);
        for (int k = 0; k < b->K; k++) {
            sb_basis_reward(p, b, k, rho);
            const double *v = b->directions + (size_t)k * d;
            double mean = 0, var = 0, ratio = NAN;
            for (size_t i = 0; i < n_sa; i++)
                mean += rho[i] / (double)n_sa;
            for (size_t i = 0; i < n_sa; i++) {
                var += (rho[i] - mean) * (rho[i] - mean) / (double)n_sa;
                double proj = 0;
                for (int j = 0; j < d; j++)
                    proj += p->phi[i * d + j] * v[j];
                if (isnan(ratio))
                    ratio = rho[i] / proj;
                assert_true(fabs(rho[i] - ratio * proj) < 1e-12 * (1 + fabs(rho[i])));
            }
            assert_true(fabs(var - 1.0) < 1e-12);
            assert_true(ratio > 0);
            if (kind == SB_BASIS_FEATURE_RANDOM)
                assert_true(isnan(b->direction_sv[k]));
        }
        free(rho);
        sb_basis_free(b);
    }
    sb_problem_free(p);
}

/* Largest and smallest relative residual, over the test users and 20
 * random signed users, of Q*_u on the span of the exact Q* of the first K
 * basis rewards (centred per state: sb_spectral_residual), and the largest
 * distance between the explicit soup with the projected lam and pi*
 * (max |log pi - log pi*|). */
static void span_of_basis(const SbProblem *p, const SbBasis *b, int K, double *res_max, double *res_min,
                          double *soup_max)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *Q = sb_zeros(n_sa * K), *r = sb_zeros(n_sa), *logits = sb_zeros(n_sa), *w = sb_zeros(p->m);
    double lam[64], lp[16], lo[16];
    SB_ASSERT(K <= 64 && p->V <= 16);
    for (int k = 0; k < K; k++) {
        sb_basis_reward(p, b, k, r);
        SbSoftSolution sol;
        sb_solve_soft(p, r, p->ref_logits, &sol);
        memcpy(Q + (size_t)k * n_sa, sol.Q, n_sa * sizeof(double));
        sb_soft_solution_free(&sol);
    }
    *res_max = 0, *res_min = INFINITY, *soup_max = 0;
    SbRng rng;
    sb_rng_seed(&rng, 73);
    for (int u = 0; u < p->n_test + 20; u++) {
        if (u < p->n_test)
            memcpy(w, p->users_test + (size_t)u * p->m, sizeof(double) * (size_t)p->m);
        else
            for (int j = 0; j < p->m; j++)
                w[j] = sb_rng_normal(&rng);
        sb_problem_user_reward(p, w, r);
        SbSoftSolution user;
        sb_solve_soft(p, r, p->ref_logits, &user);
        double res = sb_spectral_residual(p, Q, K, user.Q);
        *res_max = fmax(*res_max, res);
        *res_min = fmin(*res_min, res);
        /* the explicit soup pi_ref exp(sum_k lam_k Q*_k / beta), per state */
        sb_spectral_project(p, Q, K, user.Q, lam);
        for (size_t i = 0; i < n_sa; i++) {
            logits[i] = p->ref_logits[i];
            for (int k = 0; k < K; k++)
                logits[i] += lam[k] * Q[(size_t)k * n_sa + i] / p->beta;
        }
        for (int s = 0; s < p->n_states; s++) {
            sb_log_softmax(logits + (size_t)s * p->V, p->V, lp);
            sb_log_softmax(user.logits + (size_t)s * p->V, p->V, lo);
            for (int a = 0; a < p->V; a++)
                *soup_max = fmax(*soup_max, fabs(lp[a] - lo[a]));
        }
        sb_soft_solution_free(&user);
    }
    free(w), free(logits), free(r), free(Q);
}

static void d_feature_directions_should_make_the_soup_exact_at_horizon_one_and_fewer_should_not(void **state)
{
    (void)state;
    int d = 6, m = 3;
    SbProblem *p = tiny_problem("tree", 1, 8, 4, 6, d, m, 0.0, 74);
    for (SbBasisKind kind = SB_BASIS_FEATURE_SVD; kind <= SB_BASIS_FEATURE_RANDOM; kind++) {
        SbConfig cfg;
        SbBasis *b = build_basis(p, kind, d, &cfg);
        double full_max, full_min, full_soup, less_max, less_min, less_soup;
        span_of_basis(p, b, d, &full_max, &full_min, &full_soup);
        span_of_basis(p, b, d - 1, &less_max, &less_min, &less_soup);
        print_message("%s: K = d = %d residual <= %.3g, soup %.3g; K = %d residual in [%.3g, %.3g], soup %.3g\n",
                      sb_basis_kind_name(kind), d, full_max, full_soup, d - 1, less_min, less_max, less_soup);
        assert_true(full_max < 1e-9);
        assert_true(full_soup < 1e-9);
        assert_true(less_max > 1e-2); /* not in general ... */
        assert_true(less_min > 1e-5); /* ... and for none of these users by chance */
        assert_true(less_soup > 1e-2);
        sb_basis_free(b);
    }
    /* the aspect combinations reach every user with m < d rewards already */
    SbConfig cfg;
    SbBasis *b = build_basis(p, SB_BASIS_RANDOM, m, &cfg);
    double res_max, res_min, soup;
    span_of_basis(p, b, m, &res_max, &res_min, &soup);
    assert_true(res_max < 1e-9);
    assert_true(soup < 1e-9);
    sb_basis_free(b);
    sb_problem_free(p);
}

/* The ablation over K with a feature basis at H = 1 (rewards in the span
 * of phi, d = 3 > m = 2): the exact basis's residual vanishes from K = d
 * on and not before, and its rank modulo per-state constants stops at d. */
static void ablation_of_a_feature_basis_should_find_the_span_full_from_K_equal_d(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.seed = 6;
    cfg.dataset.horizon = 1;
    cfg.dataset.prompts = 6;
    cfg.dataset.vocab = 3;
    cfg.dataset.spectral_dim = 3;
    cfg.dataset.aspects = 2;
    cfg.reference.width = 4;
    cfg.reference.layers = 1;
    cfg.users.train = 2;
    cfg.users.test = 3;
    cfg.train.steps = 20;
    cfg.basis.kind = SB_BASIS_FEATURE_SVD;
    cfg.bootstrap = 50;
    double Ks[] = {1, 2, 3, 5};
    cfg.ablation.n_K = 4;
    memcpy(cfg.ablation.K, Ks, sizeof Ks);
    cfg.ablation.rounds = 4;
    cfg.ablation.users = 3;
    char path[] = "/tmp/soupbench_test_ablation_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    SbResults *r = sb_results_create(path);
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION); /* as run.c writes it */
    sb_ablation_run(&cfg, r, 1);
    sb_results_commit(r);
    SbResultsReader *rd = sb_results_open(path);
    int rows, cols;
    double *t = sb_results_read_table(rd, "/ablations/K", &rows, &cols);
    char *kind = sb_results_read_attr_str(rd, "/ablations/K", "basis_kind");
    assert_non_null(t);
    assert_int_equal(rows, 4);
    assert_int_equal(cols, 14);
    assert_string_equal(kind, "feature_svd");
    for (int i = 0; i < rows; i++) {
        const double *row = t + (size_t)i * cols;
        int K = (int)row[1];
        print_message("K = %d: residual exact %.3g, trained %.3g, rank exact %d\n", K, row[12], row[11], (int)row[13]);
        assert_int_equal((int)row[13], K < 3 ? K : 3);
        assert_true(K < 3 ? row[12] > 1e-3 : row[12] < 1e-9);
    }
    free(kind);
    free(t);
    sb_results_close(rd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feature_svd_directions_should_be_the_eigenvectors_of_phi_T_phi),
        cmocka_unit_test(feature_rewards_should_be_unit_sd_projections_on_their_directions),
        cmocka_unit_test(d_feature_directions_should_make_the_soup_exact_at_horizon_one_and_fewer_should_not),
        cmocka_unit_test(ablation_of_a_feature_basis_should_find_the_span_full_from_K_equal_d),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
