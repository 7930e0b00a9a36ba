/* The online protocol against independent facts: with answers that carry
 * no sampling noise (the Bradley-Terry probabilities themselves) and a basis
 * of exact soft-optimal policies whose span contains the user's reward,
 * Spectral Souping's lam converges to the true coefficients; with sampled
 * answers it approaches them; the checkpoints are the documented ones; and
 * two runs give the same curves bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "basis.h"
#include "method.h"
#include "online.h"
#include "solver.h"
#include "testutil.h"


static double lambda_error(const char *labels, int T, double l2, uint64_t seed)
{
    SbConfig cfg;
    char json[128]; /* the labels as the config spells them */
    snprintf(json, sizeof json, "{\"online\": {\"labels\": \"%s\"}}", labels);
    assert_int_equal(sb_config_parse(json, "lambda_error", &cfg), 0);
    cfg.dataset.horizon = 1;
    cfg.dataset.prompts = 6;
    cfg.dataset.vocab = 5;
    cfg.dataset.aspects = 2;
    cfg.users.test = 1;
    cfg.online.responses = SB_RESPONSES_REFERENCE;
    cfg.online.l2 = l2;
    cfg.soup.train_prompts = 1.0;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *b = exact_basis_h1(p);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b};
    const SbMethod *soup = sb_method_find("spectral_soup");
    void *st = soup->prepare(&ctx);
    double w[2] = {0.8, 0.3}, lam[2];
    sb_online_soup_final(&ctx, soup, st, w, seed, T, lam);
    double err = fmax(fabs(lam[0] - 0.8), fabs(lam[1] + 0.5));
    print_message("%s answers, T = %d, l2 = %g: lam = (%.6f, %.6f), error %.2e\n", labels, T, l2, lam[0], lam[1],
                  err);
    soup->release(st);
    sb_basis_free(b);
    sb_problem_free(p);
    return err;
}

static void lambda_should_converge_to_true_coefficients_without_noise(void **state)
{
    (void)state;
    /* expected answers: the logistic likelihood is maximised exactly at the
     * true lam; the L2 term is the only bias, so it is made negligible */
    assert_true(lambda_error("probabilities", 64, 1e-9, 3) < 1e-6);
}

static void lambda_should_approach_true_coefficients_with_sampled_answers(void **state)
{
    (void)state;
    /* sampled Bradley-Terry answers: the error shrinks like 1/sqrt(T);
     * tolerance 0.15 at T = 4096 (fixed seed) */
    double early = lambda_error("sampled", 64, 1e-3, 5), late = lambda_error("sampled", 4096, 1e-3, 5);
    assert_true(late < 0.15);
    assert_true(late < early);
}

static void checkpoints_should_be_zero_then_powers_of_two_then_T(void **state)
{
    (void)state;
    int cps[64];
    int n = sb_online_checkpoints(100, cps);
    int want[] = {0, 1, 2, 4, 8, 16, 32, 64, 100};
    assert_int_equal(n, 9);
    for (int i = 0; i < n; i++)
        assert_int_equal(cps[i], want[i]);
    assert_int_equal(sb_online_checkpoints(64, cps), 8);
    assert_int_equal(cps[7], 64);
}

static void curves_should_be_identical_bit_for_bit(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 2;
    cfg.dataset.prompts = 4;
    cfg.dataset.vocab = 3;
    cfg.train.steps = 30;
    cfg.online.rounds = 16;
    cfg.online.users = 2;
    cfg.online.active = 1;
    cfg.bootstrap = 50;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbProgress pg = {0};
    SbBasis *b = sb_basis_build(p, &cfg, &pg);
    SbLearnedAspects *learned = sb_learned_for(p, &cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b, .learned = learned};
    const SbMethod *methods[3] = {sb_method_find("spectral_soup"), sb_method_find("pad"),
                                  sb_method_find("rlhf_avg")};
    void *states[3];
    for (int k = 0; k < 3; k++)
        states[k] = methods[k]->prepare ? methods[k]->prepare(&ctx) : NULL;
    int na, nb;
    SbOnlineCurve *a = sb_online_run(&ctx, methods, states, 3, 1, &na);
    SbOnlineCurve *c = sb_online_run(&ctx, methods, states, 3, 1, &nb);
    assert_int_equal(na, 4); /* three methods and the active-query run */
    assert_int_equal(na, nb);
    for (int k = 0; k < na; k++)
        assert_memory_equal(a[k].curve, c[k].curve, sizeof(double) * a[k].n_checkpoints * SB_ONLINE_COLS);
    sb_online_free(a, na);
    sb_online_free(c, nb);
    for (int k = 0; k < 3; k++)
        if (methods[k]->release)
            methods[k]->release(states[k]);
    sb_learned_aspects_free(learned);
    sb_basis_free(b);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lambda_should_converge_to_true_coefficients_without_noise),
        cmocka_unit_test(lambda_should_approach_true_coefficients_with_sampled_answers),
        cmocka_unit_test(checkpoints_should_be_zero_then_powers_of_two_then_T),
        cmocka_unit_test(curves_should_be_identical_bit_for_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
