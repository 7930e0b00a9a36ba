/* The merging methods against independent computations: the explicit soup
 * by hand, the rejection sampler against the explicit soup (chi-square),
 * the LoRA merges against dense sums, the simplex projection against brute
 * force, and the spectral argument of SPEC section 1 with exact bases: in a
 * linear MDP the soup with least-squares lam is exact at any horizon while
 * reward-weighted decoding is not; in the token tree it is exact at H = 1,
 * and at H = 3 only once the basis spans every state-action pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "basis.h"
#include "feedback.h"
#include "lora_soup_cat.h"
#include "method.h"
#include "solver.h"
#include "spectral.h"
#include "spectrum.h"
#include "stats.h"
#include "testutil.h"
#include "train.h"

/* A basis made of exact soft-optimal policies of the K rewards rho
 * [K x n_sa] (both forms hold the same logits). */
static SbBasis *exact_basis(const SbProblem *p, const double *rho, int K, double **Qstar)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbBasis *b = sb_calloc(1, sizeof *b);
    strcpy(b->name, "basis");
    b->K = K;
    b->m = p->m;
    b->R = sb_zeros((size_t)K * p->m);
    *Qstar = sb_zeros(n_sa * K);
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        b->policies[f] = sb_calloc((size_t)K, sizeof(SbPolicy *));
        b->stats[f] = sb_calloc((size_t)K, sizeof(SbTrainStats));
        b->logits[f] = sb_zeros(n_sa * K);
    }
    for (int k = 0; k < K; k++) {
        SbSoftSolution sol;
        sb_solve_soft(p, rho + (size_t)k * n_sa, p->ref_logits, &sol);
        for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
            memcpy(b->logits[f] + (size_t)k * n_sa, sol.logits, n_sa * sizeof(double));
        memcpy(*Qstar + (size_t)k * n_sa, sol.Q, n_sa * sizeof(double));
        sb_soft_solution_free(&sol);
    }
    return b;
}

/* Least-squares lam: Q*_u projected on the span of the basis Q*s over all
 * pairs; returns the relative residual. */
static double least_squares_lam(const SbProblem *p, const double *Qstar, int K, const double *Qu, double *lam)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *B = sb_zeros(n_sa * K);
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < K; k++)
            B[i * K + k] = Qstar[(size_t)k * n_sa + i];
    double res = sb_span_residual(B, (int)n_sa, K, Qu, lam);
    free(B);
    return res;
}

/* |J(oracle) - J(policy)| for user reward r. */
static double gap_to_oracle(const SbProblem *p, const double *r, const double *oracle_logits, const double *logits)
{
    return fabs(sb_policy_objective(p, r, oracle_logits, NULL) - sb_policy_objective(p, r, logits, NULL));
}

typedef struct {
    double soup_gap, pad_gap, residual;
    int K, rank;
    double lam[64];
} SpanCase;

/* Exact basis of K rewards (aspect combinations when random_rewards is 0,
 * arbitrary functions of the pairs otherwise), least-squares lam for the
 * first test user, and the gaps of the soup and of PAD with true weights. */
static SpanCase span_case(const char *transition, int H, int V, int d, int K, int random_rewards, double beta,
                          uint64_t seed)
{
    SbProblem *p = tiny_problem(transition, H, 1, V, 6, d, 3, 0.0, seed);
    p->beta = beta;
    size_t n_sa = (size_t)p->n_states * p->V;
    if (K == 0) /* one basis reward per state-action pair */
        K = (int)n_sa;
    SbRng rng;
    sb_rng_seed(&rng, seed + 100);
    double *rho = sb_zeros(n_sa * K), *w = sb_zeros(p->m);
    for (int k = 0; k < K; k++) {
        if (random_rewards) {
            for (size_t i = 0; i < n_sa; i++)
                rho[(size_t)k * n_sa + i] = sb_rng_normal(&rng);
        } else {
            for (int j = 0; j < p->m; j++)
                w[j] = sb_rng_normal(&rng);
            sb_problem_user_reward(p, w, rho + (size_t)k * n_sa);
        }
    }
    double *Qstar;
    SbBasis *b = exact_basis(p, rho, K, &Qstar);
    const double *wu = p->users_test;
    double *r = sb_zeros(n_sa), *logits = sb_zeros(n_sa), *pad = sb_zeros(n_sa);
    sb_problem_user_reward(p, wu, r);
    SbSoftSolution user;
    sb_solve_soft(p, r, p->ref_logits, &user);
    SpanCase c = {0};
    SB_ASSERT(K <= 64);
    c.K = K;
    c.residual = least_squares_lam(p, Qstar, K, user.Q, c.lam);
    double *sv = sb_zeros(K);
    double *B = sb_zeros(n_sa * K);
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < K; k++)
            B[i * K + k] = Qstar[(size_t)k * n_sa + i];
    sb_singular_values(B, (int)n_sa, K, sv);
    c.rank = sb_numerical_rank(sv, n_sa < (size_t)K ? (int)n_sa : K, 1e-10);
    SbConfig cfg;
    sb_config_defaults(&cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b};
    sb_spectral_logits(&ctx, SB_POLICY_LORA, c.lam, logits);
    c.soup_gap = gap_to_oracle(p, r, user.logits, logits);
    /* PAD with the exact rewards and the true weights (the oracle-information variant) */
    const SbMethod *m = sb_method_find("pad_exact");
    void *state = m->prepare(&ctx);
    sb_method_serve_offline(&ctx, m, state, wu, pad);
    m->release(state);
    c.pad_gap = gap_to_oracle(p, r, user.logits, pad);
    print_message("%s H=%d K=%d: rank %d, residual %.3g, soup gap %.3g, pad gap %.3g\n", transition, H, K, c.rank,
                  c.residual, c.soup_gap, c.pad_gap);
    sb_soft_solution_free(&user);
    free(B), free(sv), free(pad), free(logits), free(r), free(Qstar), free(w), free(rho);
    sb_basis_free(b);
    sb_problem_free(p);
    return c;
}

static void soup_should_be_exact_in_linear_mdp_where_pad_is_not(void **state)
{
    (void)state;
    /* d = 4 features, H = 3: the Q*s live in a space of dimension at most
     * H d = 12 (measured below); K = 16 basis rewards span it */
    SpanCase c = span_case("linear", 3, 3, 4, 16, 0, 0.2, 41);
    assert_true(c.rank <= 12);
    assert_true(c.K >= c.rank);
    assert_true(c.residual < 1e-9);
    assert_true(c.soup_gap < 1e-9);
    assert_true(c.pad_gap > 1e-3);
}

static void soup_and_pad_should_be_exact_in_tree_at_horizon_one(void **state)
{
    (void)state;
    SpanCase c = span_case("tree", 1, 3, 2, 3, 0, 0.7, 42);
    assert_true(c.residual < 1e-9);
    assert_true(c.soup_gap < 1e-9);
    assert_true(c.pad_gap < 1e-9);
}

static void soup_gap_in_tree_at_horizon_three_should_vanish_with_full_span(void **state)
{
    (void)state;
    SpanCase small = span_case("tree", 3, 2, 2, 3, 0, 0.7, 43);
    assert_true(small.residual > 1e-6);
    assert_true(small.soup_gap > 1e-6);
    /* 1 prompt, 2 tokens, H = 3: 7 states, 14 pairs; 14 random rewards span them all */
    SpanCase full = span_case("tree", 3, 2, 2, 0, 1, 0.7, 43);
    assert_int_equal(full.rank, 14);
    assert_true(full.residual < 1e-9);
    assert_true(full.soup_gap < 1e-9);
}

static void soup_lambda_should_be_negative_when_basis_mixes_aspects(void **state)
{
    (void)state;
    /* H = 1, basis rho_1 = r_1 + r_2 and rho_2 = r_2; the user r_1 needs
     * lam = (1, -1): different from w = (1, 0) and negative */
    SbProblem *p = tiny_problem("tree", 1, 3, 3, 1, 3, 2, 0.0, 44);
    size_t n_sa = (size_t)p->n_states * p->V;
    double rho[2 * 9 * 3], *Qstar, lam[2], w1[2] = {1, 1}, w2[2] = {0, 1}, wu[2] = {1, 0}, r[27];
    assert_true(n_sa <= 27);
    sb_problem_user_reward(p, w1, rho);
    sb_problem_user_reward(p, w2, rho + n_sa);
    SbBasis *b = exact_basis(p, rho, 2, &Qstar);
    sb_problem_user_reward(p, wu, r);
    SbSoftSolution user;
    sb_solve_soft(p, r, p->ref_logits, &user);
    assert_true(least_squares_lam(p, Qstar, 2, user.Q, lam) < 1e-12);
    assert_true(fabs(lam[0] - 1) < 1e-10 && fabs(lam[1] + 1) < 1e-10);
    /* and the logistic regression on feedback answered with probabilities
     * (the offline protocol's fit) finds the same negative weight */
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.soup.pairs = 400;
    cfg.soup.train_prompts = 1.0;
    cfg.soup.l2 = 0;
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b};
    double *q = sb_spectral_implicit_q(&ctx, SB_POLICY_LORA), fitted[2] = {0, 0};
    SbPairs fb = sb_user_feedback(&ctx, wu);
    sb_spectral_fit_pairs(&ctx, q, &fb, cfg.soup.l2, NULL, fitted, NULL);
    sb_pairs_free(&fb);
    print_message("least squares lam (%.4f, %.4f), logistic lam (%.4f, %.4f)\n", lam[0], lam[1], fitted[0],
                  fitted[1]);
    assert_true(fabs(fitted[0] - 1) < 1e-6 && fabs(fitted[1] + 1) < 1e-6);
    free(q);
    sb_soft_solution_free(&user);
    free(Qstar);
    sb_basis_free(b);
    sb_problem_free(p);
}

static void explicit_soup_should_match_hand_computation(void **state)
{
    (void)state;
    /* 3 prompts, 2 tokens, H = 1; a basis of K = 2 hand-written logit tables */
    SbProblem *p = tiny_problem("tree", 1, 3, 2, 1, 2, 2, 0.0, 45);
    double l1[6] = {1, 0, 0, 2, -1, 1}, l2[6] = {0, 3, 1, 1, 2, 0}, lam[2] = {0.5, -1.5}, out[6];
    SbBasis b = {.K = 2};
    double both[12];
    memcpy(both, l1, sizeof l1);
    memcpy(both + 6, l2, sizeof l2);
    b.logits[SB_POLICY_LORA] = both;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = &b};
    sb_spectral_logits(&ctx, SB_POLICY_LORA, lam, out);
    for (int s = 0; s < 3; s++) {
        /* softmax((1 - 0.5 + 1.5) l_ref + 0.5 l1 - 1.5 l2), written out */
        double z[2], e[2], zs = 0;
        for (int a = 0; a < 2; a++) {
            z[a] = 2.0 * p->ref_logits[s * 2 + a] + 0.5 * l1[s * 2 + a] - 1.5 * l2[s * 2 + a];
            zs += e[a] = exp(z[a]);
        }
        for (int a = 0; a < 2; a++)
            assert_true(fabs(exp(log_prob(out + s * 2, 2, a)) - e[a] / zs) < 1e-12);
    }
    sb_problem_free(p);
}

static void implicit_sampler_should_follow_explicit_soup(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 2, 2, 4, 1, 3, 2, 0.0, 46);
    size_t n_sa = (size_t)p->n_states * p->V;
    SbRng rng;
    sb_rng_seed(&rng, 51);
    double *q = sb_zeros(n_sa), *soup = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++)
        q[i] = sb_rng_normal(&rng);
    for (size_t i = 0; i < n_sa; i++) /* explicit: l_ref + q / beta */
        soup[i] = p->ref_logits[i] + q[i] / p->beta;
    /* chi-square of 40000 tokens at each of three states; 3 degrees of
     * freedom, 99.9% quantile 16.27 */
    for (int s = 0; s < 3; s++) {
        long counts[4] = {0}, proposals = 0;
        const int n = 100000;
        int fell_back; /* a budget no token reaches (methods/spectral.h; tests/test_implicit.c for finite ones) */
        for (int i = 0; i < n; i++)
            counts[sb_spectral_sample_token(p, q, s, 1 << 30, &rng, &proposals, &fell_back)]++;
        double chi2 = 0, alpha = 0, top = -INFINITY;
        for (int a = 0; a < 4; a++) {
            double e = n * exp(log_prob(soup + s * 4, 4, a));
            chi2 += (counts[a] - e) * (counts[a] - e) / e;
            top = fmax(top, q[s * 4 + a]);
        }
        for (int a = 0; a < 4; a++)
            alpha += exp(log_prob(p->ref_logits + s * 4, 4, a)) * exp((q[s * 4 + a] - top) / p->beta);
        print_message("state %d: chi2 %.2f, proposals per token %.3f (exact %.3f)\n", s, chi2,
                      (double)proposals / n, 1 / alpha);
        assert_true(chi2 < 16.27);
        assert_true(fabs((double)proposals / n - 1 / alpha) < 0.05 / alpha);
    }
    free(soup), free(q);
    sb_problem_free(p);
}

static void lora_merges_should_match_dense_definitions(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 48);
    SbRefNet *ref = sb_refnet_build(4, 5, 2, 3, 1.0, &rng);
    SbPolicy *ad[3];
    for (int k = 0; k < 3; k++) {
        ad[k] = sb_policy_new(ref, SB_POLICY_LORA, 2, 3.0, &rng);
        for (int i = 0; i < ad[k]->n_params; i++)
            ad[k]->theta[i] += 0.4 * sb_rng_normal(&rng);
    }
    double c[3] = {0.2, -0.7, 1.1};
    SbPolicy *product = sb_policy_lora_product_merge((const SbPolicy *const *)ad, c, 3);
    SbPolicy *psoups = sb_policy_combine((const SbPolicy *const *)ad, c, 3);
    SbPolicyViews pv = sb_policy_views(product, product->theta);
    for (int l = 0; l < 2; l++) {
        int fan_in = l == 0 ? 4 : 5;
        for (int o = 0; o < 5; o++)
            for (int i = 0; i < fan_in; i++) {
                /* product: W + sum_k c_k (alpha/r) B_k A_k, summed by hand */
                double dense = ref->W[l][o * fan_in + i], As = 0;
                for (int k = 0; k < 3; k++) {
                    SbPolicyViews v = sb_policy_views(ad[k], ad[k]->theta);
                    for (int j = 0; j < 2; j++)
                        dense += c[k] * 1.5 * v.B[l][o * 2 + j] * v.A[l][j * fan_in + i];
                    sb_policy_views_free(&v);
                }
                assert_true(fabs(pv.W[l][o * fan_in + i] - dense) < 1e-12);
                /* psoups: A and B averaged separately, then (alpha/r) B A */
                SbPolicyViews sv = sb_policy_views(psoups, psoups->theta);
                for (int j = 0; j < 2; j++) {
                    double a = 0, bb = 0;
                    for (int k = 0; k < 3; k++) {
                        SbPolicyViews v = sb_policy_views(ad[k], ad[k]->theta);
                        a += c[k] * v.A[l][j * fan_in + i];
                        bb += c[k] * v.B[l][o * 2 + j];
                        sb_policy_views_free(&v);
                    }
                    assert_true(fabs(sv.A[l][j * fan_in + i] - a) < 1e-12);
                    assert_true(fabs(sv.B[l][o * 2 + j] - bb) < 1e-12);
                    As += 0 * a;
                }
                sb_policy_views_free(&sv);
                (void)As;
            }
    }
    sb_policy_views_free(&pv);
    sb_policy_free(psoups);
    sb_policy_free(product);
    for (int k = 0; k < 3; k++)
        sb_policy_free(ad[k]);
    sb_refnet_free(ref);
}

static void simplex_projection_should_match_brute_force(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 49);
    for (int trial = 0; trial < 30; trial++) {
        double w[3], proj[3], best = INFINITY, bx = 0, by = 0;
        for (int j = 0; j < 3; j++)
            w[j] = 2 * sb_rng_normal(&rng);
        sb_project_simplex(w, 3, proj);
        /* grid search over the simplex for the nearest point */
        const int n = 400;
        for (int i = 0; i <= n; i++)
            for (int k = 0; i + k <= n; k++) {
                double x = (double)i / n, y = (double)k / n, z = 1 - x - y;
                double d = (x - w[0]) * (x - w[0]) + (y - w[1]) * (y - w[1]) + (z - w[2]) * (z - w[2]);
                if (d < best)
                    best = d, bx = x, by = y;
            }
        assert_true(fabs(proj[0] + proj[1] + proj[2] - 1) < 1e-12);
        assert_true(proj[0] >= 0 && proj[1] >= 0 && proj[2] >= 0);
        assert_true(fabs(proj[0] - bx) < 4.0 / n && fabs(proj[1] - by) < 4.0 / n);
    }
}

static void cat_gradient_should_match_finite_differences(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 2;
    cfg.dataset.prompts = 3;
    cfg.dataset.vocab = 3;
    cfg.dataset.aspects = 2;
    cfg.reference.width = 5;
    cfg.train.steps = 20;
    cfg.soup.pairs = 30;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *experts = sb_experts_build(p, &cfg, &(SbProgress){0});
    SbContext ctx = {.p = p, .cfg = &cfg, .experts = experts};
    const SbMethod *m = sb_method_find("lora_soup_cat");
    void *st = m->prepare(&ctx);
    SbPairs pairs = sb_user_feedback(&ctx, p->users_test);
    int n = cfg.reference.layers * 2;
    double coef[8], grad[8], h = 1e-6;
    for (int i = 0; i < n; i++)
        coef[i] = 0.3 + 0.2 * i;
    sb_cat_loss(&ctx, st, &pairs, coef, grad);
    for (int i = 0; i < n; i++) {
        double keep = coef[i];
        coef[i] = keep + h;
        double up = sb_cat_loss(&ctx, st, &pairs, coef, NULL);
        coef[i] = keep - h;
        double down = sb_cat_loss(&ctx, st, &pairs, coef, NULL);
        coef[i] = keep;
        double fd = (up - down) / (2 * h);
        assert_true(fabs(fd - grad[i]) / fmax(1e-6, fabs(fd) + fabs(grad[i])) < 1e-6);
    }
    sb_pairs_free(&pairs);
    m->release(st);
    sb_basis_free(experts);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(soup_should_be_exact_in_linear_mdp_where_pad_is_not),
        cmocka_unit_test(soup_and_pad_should_be_exact_in_tree_at_horizon_one),
        cmocka_unit_test(soup_gap_in_tree_at_horizon_three_should_vanish_with_full_span),
        cmocka_unit_test(soup_lambda_should_be_negative_when_basis_mixes_aspects),
        cmocka_unit_test(explicit_soup_should_match_hand_computation),
        cmocka_unit_test(implicit_sampler_should_follow_explicit_soup),
        cmocka_unit_test(lora_merges_should_match_dense_definitions),
        cmocka_unit_test(simplex_projection_should_match_brute_force),
        cmocka_unit_test(cat_gradient_should_match_finite_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
