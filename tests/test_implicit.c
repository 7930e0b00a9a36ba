/* The implicit soup's rejection sampler with a budget of M proposals per
 * token (methods/spectral.h) against independent computations: the
 * distribution it draws, summed by hand over its paths (k - 1 rejections
 * then an acceptance, or M rejections and the last proposal kept), checked
 * against the served logits exactly and against the sampler's empirical
 * frequencies by chi-square; the served policy against the explicit soup
 * as M grows; and the measured acceptance, proposals per token and
 * fallback rate, every token counted, against their exact values at
 * H = 1 (computed by hand) and H = 3; and the budget sweep the method
 * writes against its own served users (M = 1 is pi_ref, a large M the
 * explicit soup, the default M the policy the offline protocol scores). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <unistd.h>

#include "basis.h"
#include "method.h"
#include "results.h"
#include "solver.h"
#include "spectral.h"
#include "testutil.h"

#define BIG_BUDGET (1 << 20)

/* Random q_lam [n_sa], scaled so that acceptance is far from 0 and 1. */
static double *random_q(const SbProblem *p, uint64_t seed, double scale)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbRng rng;
    sb_rng_seed(&rng, seed);
    double *q = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++)
        q[i] = scale * sb_rng_normal(&rng);
    return q;
}

/* At state s: pi_ref, e(a) = exp((q - max q) / beta), alpha = sum pi_ref e. */
static double envelope(const SbProblem *p, const double *q_lam, int s, double *pi, double *e)
{
    int V = p->V;
    double top = -INFINITY, alpha = 0;
    for (int a = 0; a < V; a++)
        top = fmax(top, q_lam[s * V + a]);
    for (int a = 0; a < V; a++) {
        pi[a] = exp(log_prob(p->ref_logits + s * V, V, a));
        e[a] = exp((q_lam[s * V + a] - top) / p->beta);
        alpha += pi[a] * e[a];
    }
    return alpha;
}

/* The sampler's distribution at s by summing its paths: accepted at the
 * k-th proposal, (1 - alpha)^(k-1) pi_ref(a) e(a), for k = 1..M, or all M
 * rejected and the M-th proposal a kept, (1 - alpha)^(M-1) pi_ref(a) (1 - e(a)). */
static void paths_distribution(const SbProblem *p, const double *q_lam, int s, int budget, double *out)
{
    int V = p->V;
    double pi[16], e[16];
    SB_ASSERT(V <= 16);
    double alpha = envelope(p, q_lam, s, pi, e), reach = 1; /* P(first k - 1 rejected) */
    for (int a = 0; a < V; a++)
        out[a] = 0;
    for (int k = 1; k <= budget; k++) {
        for (int a = 0; a < V; a++)
            out[a] += reach * pi[a] * e[a];
        if (k == budget)
            for (int a = 0; a < V; a++)
                out[a] += reach * pi[a] * (1 - e[a]);
        reach *= 1 - alpha;
        if (reach < 1e-300)
            break;
    }
}

static void sampler_should_draw_the_distribution_it_serves(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 2, 2, 4, 1, 3, 2, 0.0, 61);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *q = random_q(p, 62, 1.0), *served = sb_zeros(n_sa);
    SbRng rng;
    sb_rng_seed(&rng, 63);
    static const int budgets[] = {1, 2, 3, BIG_BUDGET};
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        int M = budgets[b];
        sb_spectral_budget_logits(p, q, M, served);
        for (int s = 0; s < 3; s++) {
            double want[4], pi[4], e[4];
            paths_distribution(p, q, s, M, want);
            double alpha = envelope(p, q, s, pi, e), f = pow(1 - alpha, M);
            /* the served logits are the sampler's distribution, exactly */
            for (int a = 0; a < 4; a++)
                assert_true(fabs(exp(log_prob(served + s * 4, 4, a)) - want[a]) < 1e-12);
            if (M == 1) /* one proposal, always kept: pi_ref itself */
                for (int a = 0; a < 4; a++)
                    assert_true(fabs(want[a] - pi[a]) < 1e-12);
            /* 100000 draws: chi-square with 3 degrees of freedom (99.9% quantile 16.27),
             * the fallbacks binomial(n, (1 - alpha)^M) and the proposals per token
             * against (1 - (1 - alpha)^M) / alpha, both within 5 standard errors */
            const int n = 100000;
            long counts[4] = {0}, proposals = 0, fallbacks = 0;
            for (int i = 0; i < n; i++) {
                int fell_back;
                counts[sb_spectral_sample_token(p, q, s, M, &rng, &proposals, &fell_back)]++;
                fallbacks += fell_back;
            }
            double chi2 = 0;
            for (int a = 0; a < 4; a++)
                chi2 += (counts[a] - n * want[a]) * (counts[a] - n * want[a]) / (n * want[a]);
            double props = (1 - f) / alpha, per_token = (double)proposals / n;
            /* proposals of one token: a geometric variable truncated at M, variance below (1 - alpha) / alpha^2 */
            double props_se = sqrt((1 - alpha) / (alpha * alpha) / n), fb_se = sqrt(f * (1 - f) / n);
            print_message("M = %d, state %d: alpha %.3f, chi2 %.2f, fallback %.4f (exact %.4f), proposals per "
                          "token %.4f (exact %.4f)\n",
                          M, s, alpha, chi2, (double)fallbacks / n, f, per_token, props);
            assert_true(chi2 < 16.27);
            assert_true(fabs((double)fallbacks / n - f) <= 5 * fb_se + 1e-12);
            assert_true(fabs(per_token - props) <= 5 * props_se + 1e-12);
            if (M == 1)
                assert_int_equal(proposals, n);
        }
    }
    free(served), free(q);
    sb_problem_free(p);
}

static void served_policy_should_approach_the_explicit_soup_as_the_budget_grows(void **state)
{
    (void)state;
    /* H = 2, 2 prompts, 3 tokens; a basis of K = 2 hand-drawn logit tables */
    SbProblem *p = tiny_problem("tree", 2, 2, 3, 1, 2, 2, 0.0, 64);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logits = random_q(p, 65, 1.5), lam[2] = {0.8, -0.6};
    SbBasis b = {.K = 2};
    double *both = sb_zeros(2 * n_sa);
    memcpy(both, logits, n_sa * sizeof(double));
    free(logits);
    logits = random_q(p, 66, 1.5);
    memcpy(both + n_sa, logits, n_sa * sizeof(double));
    b.logits[SB_POLICY_LORA] = both;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = &b};
    double *q = sb_spectral_implicit_q(&ctx, SB_POLICY_LORA), *q_lam = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++)
        q_lam[i] = lam[0] * q[i] + lam[1] * q[n_sa + i];
    double *soup = sb_zeros(n_sa), *served = sb_zeros(n_sa);
    sb_spectral_logits(&ctx, SB_POLICY_LORA, lam, soup);
    double previous = INFINITY;
    for (int M = 1; M <= BIG_BUDGET; M *= 2) {
        sb_spectral_budget_logits(p, q_lam, M, served);
        double gap = 0, kl;
        for (int s = 0; s < p->n_states; s++)
            for (int a = 0; a < p->V; a++)
                gap = fmax(gap, fabs(exp(log_prob(served + s * p->V, p->V, a)) -
                                     exp(log_prob(soup + s * p->V, p->V, a))));
        sb_spectral_sampler_exact(p, q_lam, M, &kl);
        if (M <= 64)
            print_message("M = %d: largest probability gap to the explicit soup %.3g, KL to it %.3g\n", M, gap,
                          kl);
        assert_true(gap <= previous + 1e-15);
        assert_true(kl >= -1e-15);
        previous = gap;
        if (M == BIG_BUDGET) {
            assert_true(gap < 1e-12);
            assert_true(kl < 1e-12);
        }
    }
    free(served), free(soup), free(q_lam), free(q), free(logits), free(both);
    sb_problem_free(p);
}

/* Measured against exact within 5 standard errors of n tokens' worth of
 * proposals (binomial acceptance) and of tokens (binomial fallbacks). */
static void assert_measured_near_exact(SbSamplerStats m, SbSamplerStats e, double tokens)
{
    double proposals = tokens * e.proposals_per_token;
    assert_true(isfinite(m.acceptance) && isfinite(m.proposals_per_token));
    assert_true(fabs(m.acceptance - e.acceptance) <= 5 * sqrt(e.acceptance * (1 - e.acceptance) / proposals) + 1e-12);
    assert_true(fabs(m.fallback_rate - e.fallback_rate) <=
                5 * sqrt(e.fallback_rate * (1 - e.fallback_rate) / tokens) + 1e-12);
    assert_true(fabs(m.proposals_per_token - e.proposals_per_token) <=
                5 * e.proposals_per_token * sqrt((1 - e.acceptance) / proposals) + 1e-12);
}

static void measured_acceptance_should_count_every_token(void **state)
{
    (void)state;
    const int n = 40000;
    for (int H = 1; H <= 3; H += 2) {
        SbProblem *p = tiny_problem("tree", H, 4, 4, 1, 3, 2, 0.0, 67 + H);
        double *q = random_q(p, 70 + H, 1.0);
        static const int budgets[] = {1, 2, BIG_BUDGET};
        for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
            int M = budgets[b];
            SbRng rng;
            sb_rng_seed(&rng, 80 + H + M);
            SbSamplerStats m = sb_spectral_sampler_measure(p, q, M, n, &rng);
            SbSamplerStats e = sb_spectral_sampler_exact(p, q, M, NULL);
            print_message("H = %d, M = %d: acceptance %.4f (exact %.4f), proposals per token %.4f (exact %.4f), "
                          "fallback %.4f (exact %.4f)\n",
                          H, M, m.acceptance, e.acceptance, m.proposals_per_token, e.proposals_per_token,
                          m.fallback_rate, e.fallback_rate);
            assert_measured_near_exact(m, e, (double)n * H);
            if (H == 1) {
                /* by hand: one token per trajectory from the evaluation prompts */
                double tokens = 0, proposals = 0, accepted = 0;
                for (int x = 0; x < p->n_prompts; x++) {
                    double pi[4], ee[4], alpha = envelope(p, q, x, pi, ee), f = pow(1 - alpha, M);
                    tokens += p->eval_init[x];
                    proposals += p->eval_init[x] * (1 - f) / alpha;
                    accepted += p->eval_init[x] * (1 - f);
                }
                assert_true(fabs(e.acceptance - accepted / proposals) < 1e-12);
                assert_true(fabs(e.proposals_per_token - proposals / tokens) < 1e-12);
                assert_true(fabs(e.fallback_rate - (1 - accepted / tokens)) < 1e-12);
            }
        }
        free(q);
        sb_problem_free(p);
    }
}

/* Column c of the table's row r, by name. */
static double cell(const SbResultsTable *t, int r, const char *name)
{
    int c = sb_results_table_column(t, name);
    assert_true(c >= 0);
    return t->data[(size_t)r * t->cols + c];
}

static void budget_sweep_should_span_pi_ref_to_the_explicit_soup(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 2;
    cfg.dataset.prompts = 4;
    cfg.dataset.vocab = 3;
    cfg.dataset.aspects = 2;
    cfg.reference.width = 5;
    cfg.train.steps = 30;
    cfg.users.train = 4;
    cfg.users.test = 3;
    cfg.soup.implicit_samples = 200;
    cfg.soup.implicit_budget = 4;
    double budgets[] = {1, 4, BIG_BUDGET};
    cfg.soup.n_implicit_budgets = 3;
    memcpy(cfg.soup.implicit_budgets, budgets, sizeof budgets);
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *basis = sb_basis_build(p, &cfg, &(SbProgress){0});
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = basis};
    const SbMethod *m = sb_method_find("spectral_soup_implicit"), *soup = sb_method_find("spectral_soup");
    void *st = m->prepare(&ctx), *soup_st = soup->prepare(&ctx);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logits = sb_zeros(n_sa), *aspects = sb_zeros(p->m), J_served = 0, gain = 0, soup_gain = 0;
    for (int u = 0; u < p->n_test; u++) { /* the offline protocol's serving and scoring */
        const double *w = p->users_test + (size_t)u * p->m;
        SbPolicyValue v = {.aspects = aspects};
        sb_evaluate_policy(p, p->ref_logits, w, &v);
        double J_ref = v.J;
        sb_method_serve_offline(&ctx, m, st, w, logits);
        sb_evaluate_policy(p, logits, w, &v);
        J_served += v.J / p->n_test;
        gain += v.J - J_ref;
        sb_method_serve_offline(&ctx, soup, soup_st, w, logits);
        sb_evaluate_policy(p, logits, w, &v);
        soup_gain += v.J - J_ref;
    }
    char path[96];
    snprintf(path, sizeof path, "/tmp/soupbench_test_implicit_%d.h5", (int)getpid());
    SbResults *r = sb_results_create(path);
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    m->write(&ctx, st, r, "/methods/spectral_soup_implicit");
    sb_results_commit(r);
    SbResultsReader *rd = sb_results_open(path);
    assert_non_null(rd);
    SbResultsTable t;
    assert_int_equal(sb_results_read_dataset(rd, "/methods/spectral_soup_implicit/budget_sweep", &t), SB_RESULTS_OK);
    assert_int_equal(t.rows, 3);
    print_message("gain share at M = 1, 4, 2^20: %.4f, %.4f, %.4f (served: %.4f)\n", cell(&t, 0, "gain_share_mean"),
                  cell(&t, 1, "gain_share_mean"), cell(&t, 2, "gain_share_mean"), 100 * gain / soup_gain);
    /* one proposal, always kept: pi_ref, no gain */
    assert_true(fabs(cell(&t, 0, "gain_share_mean")) < 1e-9);
    assert_true(fabs(cell(&t, 0, "proposals_per_token_exact") - 1) < 1e-12);
    assert_true(cell(&t, 0, "proposals_per_token_measured") == 1);
    /* the default budget: what the offline protocol served and scored */
    assert_true(fabs(cell(&t, 1, "J_mean") - J_served) < 1e-12);
    assert_true(fabs(cell(&t, 1, "gain_share_mean") - 100 * gain / soup_gain) < 1e-9);
    /* a budget no token reaches: the explicit soup, spectral_soup's own policy */
    assert_true(fabs(cell(&t, 2, "gain_share_mean") - 100) < 1e-9);
    assert_true(cell(&t, 2, "kl_to_target") < 1e-12 && cell(&t, 2, "fallback_rate_measured") == 0);
    for (int k = 0; k < 3; k++) {
        assert_true(cell(&t, k, "M") == budgets[k]);
        assert_true(cell(&t, k, "gain_share_lo") <= cell(&t, k, "gain_share_mean") + 1e-9);
        assert_true(cell(&t, k, "gain_share_hi") >= cell(&t, k, "gain_share_mean") - 1e-9);
    }
    sb_results_table_free(&t);
    sb_results_close(rd);
    remove(path);
    free(aspects), free(logits);
    soup->release(soup_st);
    m->release(st);
    sb_basis_free(basis);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sampler_should_draw_the_distribution_it_serves),
        cmocka_unit_test(served_policy_should_approach_the_explicit_soup_as_the_budget_grows),
        cmocka_unit_test(measured_acceptance_should_count_every_token),
        cmocka_unit_test(budget_sweep_should_span_pi_ref_to_the_explicit_soup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
