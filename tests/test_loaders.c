/* The real-data loaders on the shared copies of the upstream files: record
 * counts, joins and spot values read independently from the files'
 * documented contents, and the harmlessness model's held-out accuracy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared_data.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "harmless.h"
#include "sb.h"

static void alpaca_eval_should_join_805_instructions(void **state)
{
    (void)state;
    int n_models;
    const char *const *models = sb_alpaca_eval_models(&n_models);
    assert_int_equal(n_models, 16);
    SbCandidateSets *c = sb_alpaca_eval_load(models, n_models);
    assert_int_equal(c->n_prompts, 805);
    assert_int_equal(c->n_sources, 17);
    /* every instruction has the reference answer plus at most 16 models;
     * the README says a few models lack 1-3 instructions */
    assert_int_equal(c->n_cand + c->missing, 805 * 17);
    assert_true(c->missing > 0 && c->missing < 16 * 3);
    /* spot values: the first record of alpaca-7b's file */
    assert_string_equal(c->prompt[0], "What are the names of some famous actors that started their careers on Broadway?");
    assert_int_equal(c->source[c->offset[0]], 0);
    assert_true(c->aspects[c->offset[0]] == 0.5);
    int k = c->offset[0] + 1; /* alpaca-7b, preference "1.0000001827" in the file */
    assert_int_equal(c->source[k], 1);
    assert_true(fabs(c->aspects[k] - 1.827e-7) < 1e-12);
    assert_true(strncmp(c->text[k], "Some famous actors that started their careers on Broadway include", 65) == 0);
    sb_candidates_free(c);
}

static void topical_chat_should_give_60_contexts_of_6_responses(void **state)
{
    (void)state;
    SbCandidateSets *c = sb_topical_chat_load();
    assert_int_equal(c->n_prompts, 60);
    assert_int_equal(c->n_cand, 360);
    assert_int_equal(c->n_sources, 6);
    assert_int_equal(c->m, 5);
    assert_int_equal(c->missing, 0);
    for (int i = 0; i < 60; i++)
        assert_int_equal(c->offset[i + 1] - c->offset[i], 6);
    /* the first record: Original Ground Truth, understandability 1,
     * naturalness 3, coherence 2.3333333333, engagingness 3 */
    assert_string_equal(c->sources[c->source[0]], "Original Ground Truth");
    assert_true(c->aspects[0] == 3.0);                     /* naturalness */
    assert_true(fabs(c->aspects[1] - 2.3333333333) < 1e-9); /* coherence */
    assert_true(c->aspects[2] == 3.0);                     /* engagingness */
    assert_true(c->aspects[4] == 1.0);                     /* understandability */
    sb_candidates_free(c);
}

static void hh_rlhf_should_give_2312_pairs(void **state)
{
    (void)state;
    SbTextPairs *tp = sb_hh_rlhf_load();
    assert_int_equal(tp->n, 2312);
    /* the first pair's prompt starts with the first human turn */
    assert_true(strncmp(tp->prompt[0], "\n\nHuman: what are some pranks with a pen i can do?", 50) == 0);
    for (int i = 0; i < tp->n; i++)
        assert_true(strstr(tp->prompt[i], "Human:") != NULL);
    sb_text_pairs_free(tp);
}

static void ultrafeedback_should_read_the_sample_and_its_ratings(void **state)
{
    (void)state;
    SbCandidateSets *c = sb_ultrafeedback_load("tests/data/ultrafeedback_sample.jsonl", 0);
    assert_int_equal(c->n_prompts, 3);
    assert_int_equal(c->n_cand, 7);
    assert_int_equal(c->m, 4);
    assert_string_equal(c->aspect_names[2], "instruction_following");
    assert_true(c->aspects[0 * 4 + 0] == 5 && c->aspects[0 * 4 + 3] == 4);
    assert_true(isnan(c->aspects[6 * 4 + 1])); /* "N/A" */
    sb_candidates_free(c);
}

static void harmless_model_should_beat_chance_on_held_out_pairs(void **state)
{
    (void)state;
    SbTextPairs *tp = sb_hh_rlhf_load();
    SbHarmlessModel *m = sb_harmless_fit(tp, 32, 0.8, 1e-2, 7);
    print_message("harmlessness model: held-out accuracy %.3f [%.3f, %.3f] on %d pairs\n", m->accuracy, m->lo, m->hi,
                  m->n_test);
    assert_int_equal(m->n_test, 2312 - (int)(0.8 * 2312));
    assert_true(m->lo > 0.5);
    sb_harmless_free(m);
    sb_text_pairs_free(tp);
}

int main(void)
{
    skip_suite_without_shared("test_loaders");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alpaca_eval_should_join_805_instructions),
        cmocka_unit_test(topical_chat_should_give_60_contexts_of_6_responses),
        cmocka_unit_test(hh_rlhf_should_give_2312_pairs),
        cmocka_unit_test(ultrafeedback_should_read_the_sample_and_its_ratings),
        cmocka_unit_test(harmless_model_should_beat_chance_on_held_out_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
