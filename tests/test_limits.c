/* The estimate of limits.c models the problem the synthetic builder makes:
 * its shape (states, network inputs, trajectories per prompt) must be the
 * builder's, for both transitions, both input kinds and every horizon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>

#include "config.h"
#include "run_limits.h"
#include "problem.h"
#include "registries.h"
#include "synthetic.h"
#include "winrate.h"

static void shape_should_match_the_synthetic_builder(void **state)
{
    (void)state;
    const char *transitions[] = {"tree", "linear"}, *inputs[] = {"embedding", "onehot"};
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 2; i++)
            for (int H = 1; H <= 4; H++) {
                char json[256];
                snprintf(json, sizeof json,
                         "{\"dataset\": {\"transition\": \"%s\", \"inputs\": \"%s\", \"horizon\": %d, "
                         "\"prompts\": 3, \"vocab\": 3, \"states\": 5}}",
                         transitions[t], inputs[i], H);
                SbConfig cfg;
                assert_int_equal(sb_config_parse(json, "shape", &cfg), 0);
                SbShape s = sb_limits_shape(&cfg, H, cfg.dataset.transition);
                SbProblem *p = sb_synthetic_build(&cfg);
                assert_int_equal((int)s.states, p->n_states);
                assert_int_equal((int)s.actions, p->V);
                assert_int_equal((int)s.inputs, p->n_in);
                assert_int_equal((int)s.prompts, p->n_prompts);
                assert_true(s.trajectories == sb_trajectories_per_prompt(p));
                sb_problem_free(p);
            }
}

/* Each item grows with its key: a larger width, vocabulary or user count
 * never estimates less. */
static void estimate_should_grow_with_the_sizes(void **state)
{
    (void)state;
    SbConfig cfg;
    assert_int_equal(sb_config_parse("{}", "grow", &cfg), 0);
    SbShape s = sb_limits_shape(&cfg, cfg.dataset.horizon, cfg.dataset.transition);
    SbEstimate small, big;
    sb_limits_estimate(&cfg, &s, &small);
    cfg.reference.width *= 4;
    sb_limits_estimate(&cfg, &s, &big);
    assert_true(big.bytes > small.bytes && big.work > small.work);
    cfg.users.test *= 10;
    sb_limits_estimate(&cfg, &s, &small);
    assert_true(small.bytes > big.bytes);
}

int main(void)
{
    sb_registries_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shape_should_match_the_synthetic_builder),
        cmocka_unit_test(estimate_should_grow_with_the_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
