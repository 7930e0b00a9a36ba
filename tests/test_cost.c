/* The analytic cost model (harness/train/cost.h) against the ledger's
 * recorded FLOPs: one fit of lam and a whole adaptation (refit after every
 * answer, warm-started) exactly, one trained policy of each form exactly;
 * the closed form of the adaptation against the sum it stands for; and
 * the crossover: a root of its equation, monotone in K, in the model's
 * size and in the number of answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "basis.h"
#include "cost.h"
#include "mlp.h"
#include "refnet.h"
#include "spectral.h"
#include "testutil.h"
#include "train.h"

/* A trained basis of K random aspect combinations (a few steps each). */
static SbBasis *small_basis(const SbProblem *p, int K, SbConfig *cfg)
{
    sb_config_defaults(cfg);
    cfg->seed = 9;
    cfg->basis.kind = SB_BASIS_RANDOM;
    cfg->basis.size = K;
    cfg->train.steps = 5;
    SbProgress pg = {0};
    return sb_basis_build(p, cfg, &pg);
}

static void fit_and_adaptation_flops_should_match_the_ledger_exactly(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 2, 3, 3, 6, 3, 2, 0.0, 81);
    int K = 4, T = 24;
    SbConfig cfg;
    SbBasis *b = small_basis(p, K, &cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b};
    double *q = sb_spectral_implicit_q(&ctx, SB_POLICY_FULL), *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, p->users_test, r);
    SbRng rng;
    sb_rng_seed(&rng, 82);
    SbPairLabels labels = {SB_LABELS_SAMPLED, 1.0, 0};
    SbPairs all = sb_pairs_sample(p, r, T, 0, p->n_prompts, &labels, &rng);
    double lam[4] = {0}, measured = 0, predicted = 0, weighted_passes = 0;
    for (int t = 1; t <= T; t++) {
        SbPairs answers = all; /* the first t answers */
        answers.n = t;
        SbLogregReport rep;
        double f0 = sb_mlp_flops();
        sb_spectral_fit_pairs(&ctx, q, &answers, 1.0, NULL, lam, &rep);
        double got = sb_mlp_flops() - f0, want = sb_cost_fit_flops(t, p->H, K, rep.iterations + 1);
        assert_true(got == want); /* one fit: exact */
        measured += got;
        predicted += want;
        weighted_passes += (double)t * (rep.iterations + 1);
    }
    /* the whole adaptation: exact, and the closed form at the
     * answer-weighted mean of the passes gives it back */
    assert_true(measured == predicted);
    double passes = weighted_passes / (T * (T + 1) / 2.0);
    assert_true(rel_diff(sb_cost_adapt_passes(measured, T, p->H, K), passes) < 1e-12);
    assert_true(rel_diff(sb_cost_adapt_fit_flops(T, p->H, K, passes), measured) < 1e-12);
    print_message("T = %d, K = %d: %.0f FLOPs, %.2f Newton passes per refit\n", T, K, measured, passes);
    sb_pairs_free(&all);
    free(r), free(q);
    sb_basis_free(b);
    sb_problem_free(p);
}

static void closed_form_of_the_adaptation_should_be_the_sum_over_answers(void **state)
{
    (void)state;
    for (int T = 1; T <= 70; T += 23)
        for (int K = 1; K <= 31; K += 10) {
            double sum = 0;
            for (int t = 1; t <= T; t++)
                sum += sb_cost_fit_flops(t, 3, K, 4.5);
            assert_true(rel_diff(sb_cost_adapt_fit_flops(T, 3, K, 4.5), sum) < 1e-12);
        }
}

static void train_step_flops_should_match_a_trained_policy_of_each_form(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 3, 2, 3, 6, 4, 2, 0.0, 83);
    const SbRefNet *ref = p->ref_net;
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, p->users_test, r);
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.train.steps = 7;
    cfg.train.patience = 100; /* no early stop: every step is a whole step */
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        SbRng rng;
        sb_rng_seed(&rng, 84);
        SbPolicy *pol = sb_policy_new(ref, f, cfg.lora.rank, cfg.lora.alpha, &rng);
        SbTrainStats st;
        sb_train(p, pol, r, &cfg.train, 1, "cost test", &st);
        SbCostNet net = {.rows = p->n_states, .n_in = p->n_in, .width = ref->width, .layers = ref->layers,
                         .V = p->V, .form = f, .rank = cfg.lora.rank};
        assert_int_equal(st.steps, 7);
        assert_true(sb_cost_net_params(&net) == pol->n_params);
        double want = st.steps * sb_cost_train_step_flops(&net);
        print_message("%s: ledger %.0f, formula %.0f FLOPs\n", sb_policy_form_name(f), st.flops, want);
        assert_true(rel_diff(st.flops, want) < 1e-12);
        sb_policy_free(pol);
    }
    free(r);
    sb_problem_free(p);
}

static void crossover_should_solve_its_equation_and_grow_with_the_model(void **state)
{
    (void)state;
    int T = 64, H = 3;
    double passes = 4.0;
    /* adapting costs more with every basis policy */
    for (int K = 1; K < 200; K++)
        assert_true(sb_cost_adapt_fit_flops(T, H, K + 1, passes) + sb_cost_adapt_serve_flops(T, 672, K + 1) >
                    sb_cost_adapt_fit_flops(T, H, K, passes) + sb_cost_adapt_serve_flops(T, 672, K));
    /* K* grows with the width, the layers and the states of the model */
    SbCostNet base = {.rows = 168, .n_in = 27, .width = 16, .layers = 2, .V = 4, .form = SB_POLICY_FULL, .rank = 4};
    double last = 0;
    for (int i = 0; i < 3; i++) {
        SbCostNet dims[3] = {base, base, base};
        dims[0].width = 8 << i, dims[1].layers = 1 + i, dims[2].rows = 42 << (2 * i);
        for (int j = 0; j < 3; j++) {
            SbCostNet bigger = dims[j];
            if (j == 0)
                bigger.width *= 2;
            else if (j == 1)
                bigger.layers += 1;
            else
                bigger.rows *= 4;
            double n_sa = (double)dims[j].rows * dims[j].V, n_sa_big = (double)bigger.rows * bigger.V;
            double small = sb_cost_crossover_K(300 * sb_cost_train_step_flops(&dims[j]), T, H, passes, n_sa);
            double big = sb_cost_crossover_K(300 * sb_cost_train_step_flops(&bigger), T, H, passes, n_sa_big);
            assert_true(big > small);
        }
    }
    /* ... falls with the answers; and adapting at K* costs one bespoke policy */
    double B = 300 * sb_cost_train_step_flops(&base), n_sa = 168.0 * 4;
    for (int t = 1; t <= 4096; t *= 2) {
        double K = sb_cost_crossover_K(B, t, H, passes, n_sa);
        if (t > 1)
            assert_true(K < last);
        last = K;
        /* the equation at a real K: adapt_fit is a polynomial in K */
        double a = (double)t * (t + 1) * passes, bcoef = (double)t * (t + 1) * (H + 2 * passes) + 2.0 * (t + 1) * n_sa;
        assert_true(rel_diff(a * K * K + bcoef * K, B) < 1e-10);
    }
    /* at an integer K the closed forms agree with the quadratic */
    int K = 30;
    double lhs = sb_cost_adapt_fit_flops(T, H, K, passes) + sb_cost_adapt_serve_flops(T, n_sa, K);
    double a = (double)T * (T + 1) * passes, bcoef = (double)T * (T + 1) * (H + 2 * passes) + 2.0 * (T + 1) * n_sa;
    assert_true(rel_diff(lhs, a * K * K + bcoef * K) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_and_adaptation_flops_should_match_the_ledger_exactly),
        cmocka_unit_test(closed_form_of_the_adaptation_should_be_the_sum_over_answers),
        cmocka_unit_test(train_step_flops_should_match_a_trained_policy_of_each_form),
        cmocka_unit_test(crossover_should_solve_its_equation_and_grow_with_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
