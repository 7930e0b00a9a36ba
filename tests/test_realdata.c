/* The real-data track's problem (datasets/realdata.h) on the shared copies
 * of AlpacaEval and Topical-Chat: the candidate sets as an H = 1 MDP, the
 * split by prompt, the standardised aspects checked against the loaders'
 * raw ratings, the exact solution and evaluation against closed forms
 * computed here over the test prompts, determinism, and the error for an
 * aspect the dataset does not have. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared_data.h"
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "candidates.h"
#include "config.h"
#include "realdata.h"
#include "refnet.h"
#include "sb.h"
#include "solver.h"
#include "train.h"
#include "tokenize.h"

#include "child.h"

static void topical_config(SbConfig *cfg)
{
    sb_config_defaults(cfg);
    strcpy(cfg->dataset.kind, "topical_chat");
    cfg->dataset.prompts = 1000;
    cfg->dataset.spectral_dim = 8;
    cfg->reference.width = 8;
    cfg->reference.layers = 1;
    cfg->reference.temperature = 4;
    cfg->beta = 0.3;
    cfg->users.train = 2;
    cfg->users.test = 4;
}

static void topical_should_be_60_sets_of_6_split_by_prompt(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    assert_int_equal(p->H, 1);
    assert_int_equal(p->V, 6);
    assert_int_equal(p->n_prompts, 60);
    assert_int_equal(rd->n_dropped, 0);
    assert_int_equal(rd->n_train, 30); /* ceil(0.5 * 60) */
    /* the default aspects: the five human ratings (SPEC section 5) */
    assert_int_equal(p->m, 5);
    assert_string_equal(p->aspect_names[0], "naturalness");
    assert_string_equal(p->aspect_names[4], "understandability");
    double tr = 0, ev = 0;
    for (int x = 0; x < p->n_prompts; x++) {
        if (x < rd->n_train) {
            assert_true(p->eval_init[x] == 0 && p->init[x] > 0);
        } else {
            assert_true(p->init[x] == 0 && p->eval_init[x] > 0);
        }
        tr += p->init[x];
        ev += p->eval_init[x];
    }
    assert_true(fabs(tr - 1) < 1e-12 && fabs(ev - 1) < 1e-12);
    /* every kept prompt once, every candidate of a prompt from its own set,
     * action k from source k */
    const SbCandidateSets *c = rd->sets;
    int seen[60] = {0};
    for (int x = 0; x < p->n_prompts; x++) {
        int i = rd->prompt_of[x];
        assert_int_equal(seen[i]++, 0);
        for (int a = 0; a < p->V; a++) {
            int ci = rd->cand_of[x * p->V + a];
            assert_true(c->offset[i] <= ci && ci < c->offset[i + 1]);
            assert_int_equal(c->source[ci], a);
        }
    }
    sb_realdata_free(rd);
    sb_problem_free(p);
}

static void aspects_should_be_the_ratings_standardised_on_training_candidates(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    /* the raw ratings read again by the loader, independently of the build */
    SbCandidateSets *c = sb_topical_chat_load();
    int V = p->V, m = p->m, n_train_rows = rd->n_train * V;
    for (int j = 0; j < m; j++) {
        double s = 0, ss = 0;
        for (int i = 0; i < n_train_rows; i++)
            s += c->aspects[(size_t)rd->cand_of[i] * c->m + j];
        double mean = s / n_train_rows;
        for (int i = 0; i < n_train_rows; i++) {
            double e = c->aspects[(size_t)rd->cand_of[i] * c->m + j] - mean;
            ss += e * e;
        }
        double sd = sqrt(ss / (n_train_rows - 1));
        for (int i = 0; i < p->n_prompts * V; i++) {
            double raw = c->aspects[(size_t)rd->cand_of[i] * c->m + j];
            assert_true(fabs(p->aspect_rewards[(size_t)i * m + j] - (raw - mean) / sd) < 1e-12);
        }
    }
    /* the features are standardised on the same rows */
    for (int k = 0; k < p->d; k++) {
        double s = 0;
        for (int i = 0; i < n_train_rows; i++)
            s += p->phi[(size_t)i * p->d + k];
        assert_true(fabs(s / n_train_rows) < 1e-12);
    }
    sb_candidates_free(c);
    sb_realdata_free(rd);
    sb_problem_free(p);
}

static void text_aspects_should_follow_the_config_and_alpaca_drop_incomplete_sets(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    strcpy(cfg.dataset.kind, "alpaca_eval");
    cfg.dataset.prompts = 40;
    cfg.dataset.spectral_dim = 4;
    cfg.reference.width = 4;
    cfg.dataset.n_aspect_names = 2;
    strcpy(cfg.dataset.aspect_names[0], "conciseness");
    strcpy(cfg.dataset.aspect_names[1], "judge");
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    assert_int_equal(p->V, 17);
    assert_int_equal(rd->n_complete, 800); /* 805 instructions, 5 lack a model's answer */
    assert_int_equal(rd->n_dropped, 5);
    assert_int_equal(p->n_prompts, 40);
    assert_string_equal(p->aspect_names[0], "conciseness");
    for (int x = 0; x < p->n_prompts; x++) {
        /* action 0 is the reference answer, judged 0.5 against itself */
        assert_true(rd->raw_aspects[(size_t)x * 17 * 2 + 1] == 0.5);
        /* conciseness = -log(tokens), recomputed from the text */
        const char *text = rd->sets->text[rd->cand_of[x * 17 + 3]];
        SbTextCounts tc = sb_text_counts(text);
        double expect = -log(tc.tokens > 0 ? (double)tc.tokens : 1.0);
        assert_true(fabs(rd->raw_aspects[(size_t)(x * 17 + 3) * 2] - expect) < 1e-12);
    }
    sb_realdata_free(rd);
    sb_problem_free(p);
}

static void oracle_and_evaluation_should_match_closed_forms_on_test_prompts(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    int V = p->V, m = p->m;
    const double *w = p->users_test;
    double *r = sb_zeros((size_t)p->n_states * V);
    sb_problem_user_reward(p, w, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    /* pi* = pi_ref exp(r / beta) / Z on every prompt; J(pi*) = beta log Z
     * averaged over the test prompts */
    double value = 0, J_ref = 0;
    for (int x = 0; x < p->n_prompts; x++) {
        double lse_ref = sb_logsumexp(p->ref_logits + (size_t)x * V, V), z = 0;
        for (int a = 0; a < V; a++)
            z += exp(p->ref_logits[(size_t)x * V + a] - lse_ref + r[(size_t)x * V + a] / p->beta);
        for (int a = 0; a < V; a++) {
            double pstar = exp(p->ref_logits[(size_t)x * V + a] - lse_ref + r[(size_t)x * V + a] / p->beta) / z;
            double got = exp(sol.logits[(size_t)x * V + a] - sb_logsumexp(sol.logits + (size_t)x * V, V));
            assert_true(fabs(got - pstar) < 1e-12);
            if (x >= rd->n_train)
                J_ref += exp(p->ref_logits[(size_t)x * V + a] - lse_ref) * r[(size_t)x * V + a] /
                         (p->n_prompts - rd->n_train);
        }
        if (x >= rd->n_train)
            value += p->beta * log(z) / (p->n_prompts - rd->n_train);
    }
    assert_true(fabs(sol.value - value) < 1e-10);
    double *aspects = sb_zeros(m);
    SbPolicyValue v = {.aspects = aspects};
    sb_evaluate_policy(p, sol.logits, w, &v);
    assert_true(fabs(v.J - value) < 1e-10);
    assert_true(fabs(sb_policy_eval_objective(p, r, sol.logits) - value) < 1e-10);
    sb_evaluate_policy(p, p->ref_logits, w, &v);
    assert_true(fabs(v.J - J_ref) < 1e-12 && fabs(v.KL) < 1e-15);
    free(aspects);
    sb_soft_solution_free(&sol);
    free(r);
    sb_realdata_free(rd);
    sb_problem_free(p);
}

static void build_should_be_deterministic_and_reference_the_side_by_side_features(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    SbRealData *rd1, *rd2;
    SbProblem *p1 = sb_realdata_build(&cfg, "test.json", 0, &rd1), *p2 = sb_realdata_build(&cfg, "test.json", 0, &rd2);
    size_t n_rows = (size_t)p1->n_prompts * p1->V;
    assert_memory_equal(p1->phi, p2->phi, sizeof(double) * n_rows * p1->d);
    assert_memory_equal(p1->ref_logits, p2->ref_logits, sizeof(double) * n_rows);
    assert_memory_equal(p1->users_test, p2->users_test, sizeof(double) * (size_t)p1->n_test * p1->m);
    /* the network's output on prompt x: the network applied to the V feature
     * rows of x laid side by side, one prompt at a time; pi_ref is uniform
     * ("auto" on candidate sets) and the offset is minus that output */
    const SbRefNet *net = p1->ref_net;
    assert_int_equal(net->n_in, p1->V * p1->d);
    assert_non_null(p1->logit_offset);
    double *logits = sb_zeros(p1->V);
    for (int x = 0; x < p1->n_prompts; x += 7) {
        sb_refnet_forward(net, p1->phi + (size_t)x * p1->V * p1->d, 1, NULL, logits);
        for (int a = 0; a < p1->V; a++) {
            assert_true(p1->ref_logits[(size_t)x * p1->V + a] == 0);
            assert_true(fabs(logits[a] + p1->logit_offset[(size_t)x * p1->V + a]) < 1e-12);
        }
    }
    free(logits);
    /* another seed, another split */
    cfg.seed = 2;
    SbRealData *rd3;
    SbProblem *p3 = sb_realdata_build(&cfg, "test.json", 0, &rd3);
    assert_true(memcmp(rd1->prompt_of, rd3->prompt_of, sizeof(int) * (size_t)p1->n_prompts) != 0);
    sb_realdata_free(rd1), sb_realdata_free(rd2), sb_realdata_free(rd3);
    sb_problem_free(p1), sb_problem_free(p2), sb_problem_free(p3);
}

/* pi_ref uniform: a fresh LoRA adapter serves it exactly, and the trainer
 * still moves the adapter (its gradient is not stopped, as a zero output
 * head would stop it); $.reference.policy "network" keeps the network's
 * own policy with no offset. */
static void uniform_reference_should_be_exact_and_still_trainable_with_lora(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    cfg.reference.temperature = 1;
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    size_t n_sa = (size_t)p->n_states * p->V;
    SbRng rng;
    sb_rng_seed(&rng, 4);
    SbPolicy *pol = sb_policy_new(p->ref_net, SB_POLICY_LORA, 2, 4.0, &rng);
    double *logits = sb_zeros(n_sa), *r = sb_zeros(n_sa);
    sb_policy_logits(p, pol, logits);
    for (size_t i = 0; i < n_sa; i++)
        assert_true(logits[i] == 0);
    sb_problem_user_reward(p, p->users_test, r);
    double J0 = sb_policy_objective(p, r, logits, NULL);
    SbTrainConfig tc = cfg.train;
    tc.steps = 30;
    SbTrainStats st;
    sb_train(p, pol, r, &tc, 1, "test", &st);
    sb_policy_logits(p, pol, logits);
    assert_true(sb_policy_objective(p, r, logits, NULL) > J0 + 1e-3);
    sb_policy_free(pol);
    free(logits), free(r);
    sb_realdata_free(rd);
    sb_problem_free(p);

    cfg.reference.policy = SB_REFERENCE_NETWORK;
    p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    assert_null(p->logit_offset);
    double spread = 0;
    for (int a = 1; a < p->V; a++)
        spread += fabs(p->ref_logits[a] - p->ref_logits[0]);
    assert_true(spread > 1e-6);
    sb_realdata_free(rd);
    sb_problem_free(p);
}

static void build_only(void *cfg)
{
    SbRealData *rd;
    sb_realdata_build(cfg, "test.json", 0, &rd);
}

static int build_in_child(SbConfig *cfg, char *err, size_t cap) { return run_child(build_only, cfg, err, cap); }

static void an_aspect_of_another_dataset_should_exit_2_naming_the_path(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    cfg.dataset.n_aspect_names = 2;
    strcpy(cfg.dataset.aspect_names[0], "sentiment");
    strcpy(cfg.dataset.aspect_names[1], "judge");
    char err[1024];
    assert_int_equal(build_in_child(&cfg, err, sizeof err), 2);
    assert_non_null(strstr(err, "test.json: $.dataset.aspect_names[1]: \"judge\" is not a rating of topical_chat"));
    topical_config(&cfg);
    cfg.dataset.prompts = 1;
    assert_int_equal(build_in_child(&cfg, err, sizeof err), 2);
    assert_non_null(strstr(err, "test.json: $.dataset.prompts: expected at least 2 prompts"));
}

static void ultrafeedback_should_take_completions_by_position_from_the_users_file(void **state)
{
    (void)state;
    SbConfig cfg;
    topical_config(&cfg);
    strcpy(cfg.dataset.kind, "ultrafeedback");
    strcpy(cfg.dataset.path, "tests/data/ultrafeedback_run.jsonl");
    cfg.dataset.spectral_dim = 4;
    SbRealData *rd;
    SbProblem *p = sb_realdata_build(&cfg, "test.json", 0, &rd);
    /* 14 records: one has 3 completions, one an "N/A" honesty rating */
    assert_int_equal(p->V, 4);
    assert_int_equal(rd->n_complete, 12);
    assert_int_equal(rd->n_dropped, 2);
    assert_int_equal(p->m, 4);
    assert_string_equal(p->aspect_names[2], "instruction_following");
    const SbCandidateSets *c = rd->sets;
    for (int x = 0; x < p->n_prompts; x++)
        for (int a = 0; a < 4; a++) {
            int ci = rd->cand_of[x * 4 + a];
            assert_int_equal(ci, c->offset[rd->prompt_of[x]] + a);
            for (int j = 0; j < 4; j++)
                assert_true(rd->raw_aspects[(size_t)(x * 4 + a) * 4 + j] == c->aspects[(size_t)ci * 4 + j]);
        }
    sb_realdata_free(rd);
    sb_problem_free(p);

    char err[1024];
    cfg.dataset.path[0] = '\0';
    assert_int_equal(build_in_child(&cfg, err, sizeof err), 2);
    assert_non_null(strstr(err, "test.json: $.dataset.path: expected the path of an UltraFeedback JSON Lines file"));
    strcpy(cfg.dataset.path, "tests/data/no_such_file.jsonl");
    assert_int_equal(build_in_child(&cfg, err, sizeof err), 2);
    assert_non_null(strstr(err, "test.json: $.dataset.path: cannot read tests/data/no_such_file.jsonl"));
}

int main(void)
{
    skip_suite_without_shared("test_realdata");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(topical_should_be_60_sets_of_6_split_by_prompt),
        cmocka_unit_test(aspects_should_be_the_ratings_standardised_on_training_candidates),
        cmocka_unit_test(text_aspects_should_follow_the_config_and_alpaca_drop_incomplete_sets),
        cmocka_unit_test(oracle_and_evaluation_should_match_closed_forms_on_test_prompts),
        cmocka_unit_test(build_should_be_deterministic_and_reference_the_side_by_side_features),
        cmocka_unit_test(an_aspect_of_another_dataset_should_exit_2_naming_the_path),
        cmocka_unit_test(uniform_reference_should_be_exact_and_still_trainable_with_lora),
        cmocka_unit_test(ultrafeedback_should_take_completions_by_position_from_the_users_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
