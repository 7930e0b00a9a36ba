/* The method interface (methods/method.h): the capability table of every
 * registered method, pinned by hand, and the facts each capability
 * promises checked against independent computations: one method per role,
 * callbacks present exactly where the behaviour says, same_for_all
 * methods serve the same logits whatever the weights, the cost groups are
 * the ledger groups the methods fill, and the active query picks the
 * candidate of largest posterior variance computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "basis.h"
#include "cost.h"
#include "feedback.h"
#include "method.h"
#include "solver.h"
#include "testutil.h"

#define N_ROLES 6

enum { NB = SB_NEEDS_BASIS, NE = SB_NEEDS_EXPERTS, NL = SB_NEEDS_LEARNED };
#define FIX SB_ONLINE_FIXED
#define FB SB_ONLINE_FEEDBACK

static const struct {
    const char *name;
    int needs;
    SbOnlineKind online;
    SbInformation information;
    unsigned roles;
    int same_for_all;
    SbCostGroup cost;
    int active_query, adapt_at_checkpoints;
} pinned[] = {
    {"reference", 0, FIX, SB_INFO_NONE, SB_ROLE_REFERENCE, 1, SB_COST_NONE, 0, 0},
    {"oracle", 0, FIX, SB_INFO_REFERENCE_POINT, SB_ROLE_ORACLE, 0, SB_COST_NONE, 0, 0},
    {"spectral_soup", NB, FB, SB_INFO_FEEDBACK, SB_ROLE_DRIVER | SB_ROLE_ABLATED, 0, SB_COST_NONE, 1, 0},
    {"spectral_soup_implicit", NB, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"spectral_soup_param", NB, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"bespoke_rlhf", 0, FIX, SB_INFO_REFERENCE_POINT, SB_ROLE_NORMALISER, 0, SB_COST_PER_USER_TRAINING, 0, 0},
    {"rlhf_avg", 0, FIX, SB_INFO_POPULATION, SB_ROLE_POPULATION, 1, SB_COST_OFFLINE, 0, 0},
    {"rewarded_soup", NE | NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"lora_soup", NE | NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"lora_soup_psoups", NE | NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"lora_soup_cat", NE, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_PER_USER_ADAPTATION, 0, 1},
    {"mod", NE | NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"pad", NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"pad_sf", NL, FB, SB_INFO_FEEDBACK, 0, 0, SB_COST_NONE, 0, 0},
    {"spectral_soup_exact", NB, FIX, SB_INFO_EXACT_Q, 0, 0, SB_COST_NONE, 0, 0},
    {"mod_truew", NE, FIX, SB_INFO_TRUE_WEIGHTS, 0, 0, SB_COST_NONE, 0, 0},
    {"rewarded_soup_truew", NE, FIX, SB_INFO_TRUE_WEIGHTS, 0, 0, SB_COST_NONE, 0, 0},
    {"pad_exact", 0, FIX, SB_INFO_EXACT_REWARDS, 0, 0, SB_COST_NONE, 0, 0},
    {"pad_sf_exact", 0, FIX, SB_INFO_EXACT_Q, 0, 0, SB_COST_NONE, 0, 0},
};
#define N_PINNED (int)(sizeof pinned / sizeof pinned[0])

static void registry_should_hold_the_pinned_capability_table(void **state)
{
    (void)state;
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    assert_int_equal(n, N_PINNED);
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        print_message("%-24s needs %d online %d roles %#x same %d cost %d\n", m->name, m->needs, m->online,
                      m->roles, m->same_for_all, m->cost);
        assert_string_equal(m->name, pinned[i].name); /* registry order: the legend order */
        assert_ptr_equal(sb_method_find(m->name), m);
        assert_int_equal(m->needs, pinned[i].needs);
        assert_int_equal(m->online, pinned[i].online);
        assert_int_equal(m->information, pinned[i].information);
        assert_int_equal(m->roles, pinned[i].roles);
        assert_int_equal(m->same_for_all, pinned[i].same_for_all);
        assert_int_equal(m->cost, pinned[i].cost);
        assert_int_equal(m->active_query != NULL, pinned[i].active_query);
        assert_int_equal(m->adapt_at_checkpoints, pinned[i].adapt_at_checkpoints);
    }
    assert_null(sb_method_find("no_such_method"));
}

static void every_role_should_be_held_by_exactly_one_method(void **state)
{
    (void)state;
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int r = 0; r < N_ROLES; r++) {
        unsigned role = 1u << r;
        int holders = 0;
        for (int i = 0; i < n; i++)
            holders += (all[i]->roles & role) != 0;
        assert_int_equal(holders, 1);
        const SbMethod *m = sb_method_with_role(role);
        assert_non_null(m);
        assert_true(m->roles & role);
        int at = sb_method_index_with_role(all, n, role);
        assert_true(at >= 0 && all[at] == m);
    }
    for (int i = 0; i < n; i++)
        assert_int_equal(all[i]->roles & ~((1u << N_ROLES) - 1), 0);
    assert_string_equal(sb_method_with_role(SB_ROLE_NORMALISER)->name, "bespoke_rlhf");
    assert_string_equal(sb_method_with_role(SB_ROLE_ORACLE)->name, "oracle");
    assert_string_equal(sb_method_with_role(SB_ROLE_REFERENCE)->name, "reference");
    /* among a selection: the first holder, or -1 */
    const SbMethod *sel[3] = {sb_method_find("pad"), sb_method_find("mod"), sb_method_find("spectral_soup")};
    assert_int_equal(sb_method_index_with_role(sel, 3, SB_ROLE_DRIVER), 2);
    assert_int_equal(sb_method_index_with_role(sel, 2, SB_ROLE_DRIVER), -1);
}

static void callbacks_should_match_the_declared_behaviour(void **state)
{
    (void)state;
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        assert_non_null(m->serve);
        assert_true(m->description && m->description[0]);
        for (int j = 0; j < i; j++)
            assert_true(strcmp(all[j]->name, m->name) != 0);
        /* every adaptive method has its warm coefficients and their prior; no other has */
        int feedback = m->online == SB_ONLINE_FEEDBACK;
        assert_int_equal(m->warm_size != NULL, feedback);
        assert_int_equal(m->prior != NULL, feedback);
        /* an adaptive method learns from the feedback, never from the truth */
        if (feedback)
            assert_int_equal(m->information, SB_INFO_FEEDBACK);
        /* the learned aspect models are what the feedback-only baselines read */
        if (m->needs & SB_NEEDS_LEARNED)
            assert_int_equal(m->information, SB_INFO_FEEDBACK);
        if (m->adapt_at_checkpoints || m->active_query)
            assert_true(feedback);
        /* a state exists exactly when it is prepared and released */
        assert_int_equal(m->prepare != NULL, m->release != NULL);
        /* the offline protocol serves the population baseline once */
        if (m->roles & SB_ROLE_POPULATION)
            assert_true(m->same_for_all);
        /* the ablations run it in online streams on a basis alone */
        if (m->roles & SB_ROLE_ABLATED)
            assert_true(feedback && m->needs == SB_NEEDS_BASIS);
        /* the reference and the normaliser are served to users who did not
         * answer anything: fixed policies */
        if (m->roles & (SB_ROLE_REFERENCE | SB_ROLE_NORMALISER | SB_ROLE_ORACLE))
            assert_int_equal(m->online, SB_ONLINE_FIXED);
    }
}

static void styles_should_be_distinct_filled_point_types(void **state)
{
    (void)state;
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        /* gnuplot's filled shapes are the odd types 5..13; pt - 1 is the hollow twin */
        assert_true(all[i]->style.point >= 5 && all[i]->style.point <= 13 && all[i]->style.point % 2 == 1);
        assert_true(all[i]->style.rgb <= 0xffffff);
        for (int j = 0; j < i; j++)
            assert_true(all[j]->style.rgb != all[i]->style.rgb);
    }
}

/* A small problem for the methods that need neither basis nor experts. */
static SbConfig small_config(void)
{
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 2;
    cfg.dataset.prompts = 3;
    cfg.dataset.vocab = 3;
    cfg.dataset.aspects = 2;
    cfg.reference.width = 5;
    cfg.train.steps = 10;
    cfg.users.train = 4;
    cfg.users.test = 2;
    return cfg;
}

static void same_for_all_should_mean_the_weights_are_ignored(void **state)
{
    (void)state;
    SbConfig cfg = small_config();
    SbProblem *p = sb_synthetic_build(&cfg);
    SbLearnedAspects *learned = sb_learned_for(p, &cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .learned = learned};
    size_t n_sa = (size_t)p->n_states * p->V;
    double *a = sb_zeros(n_sa), *b = sb_zeros(n_sa), w1[2] = {1, 0}, w2[2] = {0.2, 0.8};
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        if (m->needs & (SB_NEEDS_BASIS | SB_NEEDS_EXPERTS))
            continue; /* no basis or experts in this problem */
        void *st = m->prepare ? m->prepare(&ctx) : NULL;
        sb_method_serve_offline(&ctx, m, st, w1, a);
        sb_method_serve_offline(&ctx, m, st, w2, b);
        int same = memcmp(a, b, sizeof(double) * n_sa) == 0;
        print_message("%-24s same policy for two users: %d\n", m->name, same);
        assert_int_equal(same, m->same_for_all);
        if (m->roles & SB_ROLE_REFERENCE)
            assert_memory_equal(a, p->ref_logits, sizeof(double) * n_sa);
        if (m->release)
            m->release(st);
    }
    free(b), free(a);
    sb_learned_aspects_free(learned);
    sb_problem_free(p);
}

/* Equal information: the protocols hand w only to the reference points and
 * the labelled oracle-information variants. A method of the default
 * comparison served with the same feedback but for users of different true
 * weights serves the same policy (it cannot see w); the truth-handed
 * methods are exactly the labelled ones. */
static void default_methods_should_never_be_handed_the_weights(void **state)
{
    (void)state;
    SbConfig cfg = small_config();
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *experts = sb_experts_build(p, &cfg, &(SbProgress){0});
    SbLearnedAspects *learned = sb_learned_for(p, &cfg);
    SbBasis *basis = sb_basis_build(p, &cfg, &(SbProgress){0});
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = basis, .experts = experts, .learned = learned};
    size_t n_sa = (size_t)p->n_states * p->V;
    double *a = sb_zeros(n_sa), *b = sb_zeros(n_sa), w1[2] = {1, 0}, w2[2] = {-0.3, 0.7};
    SbPairs fb = sb_user_feedback(&ctx, w1);
    int n, checked = 0;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        SbUser u1 = sb_method_user(m, &fb, w1, 1.0, NULL), u2 = sb_method_user(m, &fb, w2, 1.0, NULL);
        int truth = sb_information_gets_truth(m->information);
        assert_int_equal(u1.w != NULL, truth);
        assert_true(u1.feedback == &fb && u1.l2 == 1.0);
        /* the truth goes to the yardsticks (the 0 / 100% points and the oracle) and to
         * the labelled oracle-information variants, never to a competitor */
        if (truth)
            assert_true(sb_information_is_oracle(m->information) ||
                        (m->roles & (SB_ROLE_ORACLE | SB_ROLE_NORMALISER)));
        char *info = sb_method_information(&ctx, m);
        assert_int_equal(strncmp(info, "oracle:", 7) == 0, sb_information_is_oracle(m->information));
        free(info);
        if (truth || (m->cost == SB_COST_PER_USER_ADAPTATION))
            continue;
        void *st = m->prepare ? m->prepare(&ctx) : NULL;
        int nw = m->warm_size ? m->warm_size(&ctx, st) : 0;
        double *warm1 = sb_zeros(nw > 0 ? nw : 1), *warm2 = sb_zeros(nw > 0 ? nw : 1);
        if (m->prior) {
            m->prior(&ctx, st, warm1);
            m->prior(&ctx, st, warm2);
        }
        m->serve(&ctx, st, &u1, nw ? warm1 : NULL, a);
        m->serve(&ctx, st, &u2, nw ? warm2 : NULL, b);
        print_message("%-24s served the same for two users with the same feedback: %d\n", m->name,
                      memcmp(a, b, sizeof(double) * n_sa) == 0);
        assert_memory_equal(a, b, sizeof(double) * n_sa);
        free(warm2), free(warm1);
        if (m->release)
            m->release(st);
        checked++;
    }
    assert_true(checked >= 10);
    sb_pairs_free(&fb);
    free(b), free(a);
    sb_basis_free(basis);
    sb_learned_aspects_free(learned);
    sb_basis_free(experts);
    sb_problem_free(p);
}

static void cost_groups_should_be_the_ledger_groups_the_methods_fill(void **state)
{
    (void)state;
    SbConfig cfg = small_config();
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *experts = sb_experts_build(p, &cfg, &(SbProgress){0});
    SbLearnedAspects *learned = sb_learned_for(p, &cfg);
    SbContext ctx = {.p = p, .cfg = &cfg, .experts = experts, .learned = learned};
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logits = sb_zeros(n_sa);
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        if (m->needs & SB_NEEDS_BASIS)
            continue; /* the soups' fits are timed by the online protocol, never in the ledger */
        sb_cost_reset();
        void *st = m->prepare ? m->prepare(&ctx) : NULL;
        int after_prepare = sb_cost_mark();
        for (int u = 0; u < p->n_test; u++)
            sb_method_serve_offline(&ctx, m, st, p->users_test + (size_t)u * p->m, logits);
        double seconds, flops;
        int count;
        sb_cost_total(m->name, &seconds, &flops, &count);
        print_message("%-24s ledger: %d after prepare, %d in total, %d under its name\n", m->name, after_prepare,
                      sb_cost_mark(), count);
        assert_int_equal(count, sb_cost_mark()); /* whatever it records is under its name */
        switch (m->cost) {
        case SB_COST_NONE:
            assert_int_equal(count, 0);
            break;
        case SB_COST_OFFLINE:
            assert_int_equal(after_prepare, 1);
            assert_int_equal(count, 1);
            break;
        case SB_COST_PER_USER_TRAINING:
        case SB_COST_PER_USER_ADAPTATION:
            assert_int_equal(after_prepare, 0);
            assert_int_equal(count, p->n_test);
            break;
        }
        if (m->release)
            m->release(st);
    }
    sb_cost_reset();
    free(logits);
    sb_learned_aspects_free(learned);
    sb_basis_free(experts);
    sb_problem_free(p);
}


/* By hand: x_i = q(first) - q(second), q_k = beta (log pi_k - log pi_ref);
 * Laplace covariance (sum_j s_j (1 - s_j) x_j x_j' + l2 I)^-1 at lam; the
 * candidate of largest x' Cov x (the first on ties); *margin its lead. */
static int brute_force_query(const SbProblem *p, const SbBasis *b, const SbPairs *answers, const double *lam,
                             double l2, const SbPairs *cand, double *margin)
{
    int V = p->V;
    size_t n_sa = (size_t)p->n_states * V;
    double x[64][2], h[2][2] = {{l2, 0}, {0, l2}};
    const SbPairs *sets[2] = {answers, cand};
    for (int set = 0; set < 2; set++)
        for (int i = 0; i < sets[set]->n; i++) {
            double *xi = set ? x[i] : (double[2]){0, 0};
            for (int k = 0; k < 2; k++) {
                xi[k] = 0;
                for (int side = 0; side < 2; side++) {
                    int s = sets[set]->s[2 * i + side], a = sets[set]->a[2 * i + side];
                    double q = p->beta * (log_prob(b->logits[0] + (size_t)k * n_sa + (size_t)s * V, V, a) -
                                          log_prob(p->ref_logits + (size_t)s * V, V, a));
                    xi[k] += side ? -q : q;
                }
            }
            if (set == 0) {
                double z = xi[0] * lam[0] + xi[1] * lam[1], sg = 1.0 / (1.0 + exp(-z));
                for (int r = 0; r < 2; r++)
                    for (int c = 0; c < 2; c++)
                        h[r][c] += sg * (1 - sg) * xi[r] * xi[c];
            }
        }
    double det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    double cov[2][2] = {{h[1][1] / det, -h[0][1] / det}, {-h[1][0] / det, h[0][0] / det}};
    int best = 0;
    double top = -1, second = -1;
    for (int i = 0; i < cand->n; i++) {
        double var = 0;
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++)
                var += x[i][r] * cov[r][c] * x[i][c];
        if (var > top)
            second = top, top = var, best = i;
        else if (var > second)
            second = var;
    }
    *margin = (top - second) / top;
    return best;
}

static void active_query_should_pick_the_candidate_of_largest_posterior_variance(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 1;
    cfg.dataset.prompts = 6;
    cfg.dataset.vocab = 5;
    cfg.dataset.aspects = 2;
    cfg.users.test = 1;
    cfg.online.l2 = 0.5;
    SbProblem *p = sb_synthetic_build(&cfg);
    SbBasis *b = exact_basis_h1(p);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = b};
    size_t n_sa = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n_sa);
    sb_problem_user_reward(p, p->users_test, r);
    SbPairLabels labels = {SB_LABELS_SAMPLED, 1.0, 0};
    SbRng rng;
    sb_rng_seed(&rng, 11);
    SbPairs cand = sb_pairs_sample(p, r, 12, 0, p->n_prompts, &labels, &rng);
    SbPairs none, answered = sb_pairs_sample(p, r, 5, 0, p->n_prompts, &labels, &rng);
    sb_pairs_reserve(&none, p->H, 1);
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    int tested = 0;
    for (int i = 0; i < n; i++) {
        const SbMethod *m = all[i];
        if (!m->active_query)
            continue;
        void *st = m->prepare ? m->prepare(&ctx) : NULL;
        double zero[2] = {0, 0}, lam[2] = {0.4, -0.3}, margin;
        /* no answers yet: the prior (l2 I)^-1, the largest |x| wins */
        int want = brute_force_query(p, b, &none, zero, cfg.online.l2, &cand, &margin);
        int got = m->active_query(&ctx, st, &none, zero, &cand);
        print_message("%s, no answers: picks %d, by hand %d (lead %.2g)\n", m->name, got, want, margin);
        assert_true(margin > 1e-9);
        assert_int_equal(got, want);
        want = brute_force_query(p, b, &answered, lam, cfg.online.l2, &cand, &margin);
        got = m->active_query(&ctx, st, &answered, lam, &cand);
        print_message("%s, 5 answers: picks %d, by hand %d (lead %.2g)\n", m->name, got, want, margin);
        assert_true(margin > 1e-9);
        assert_int_equal(got, want);
        /* one candidate: that one */
        SbPairs one = cand;
        one.n = 1;
        assert_int_equal(m->active_query(&ctx, st, &answered, lam, &one), 0);
        if (m->release)
            m->release(st);
        tested++;
    }
    assert_true(tested >= 1);
    sb_pairs_free(&none);
    sb_pairs_free(&answered);
    sb_pairs_free(&cand);
    free(r);
    sb_basis_free(b);
    sb_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_should_hold_the_pinned_capability_table),
        cmocka_unit_test(every_role_should_be_held_by_exactly_one_method),
        cmocka_unit_test(callbacks_should_match_the_declared_behaviour),
        cmocka_unit_test(styles_should_be_distinct_filled_point_types),
        cmocka_unit_test(same_for_all_should_mean_the_weights_are_ignored),
        cmocka_unit_test(default_methods_should_never_be_handed_the_weights),
        cmocka_unit_test(cost_groups_should_be_the_ledger_groups_the_methods_fill),
        cmocka_unit_test(active_query_should_pick_the_candidate_of_largest_posterior_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
