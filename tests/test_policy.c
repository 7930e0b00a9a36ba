/* The policy model and the trainers against independent computations:
 * central finite differences for every backward pass and loss gradient,
 * a naive unmerged LoRA forward, the solver's exact pi*, and bit-identical
 * reruns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "solver.h"
#include "testutil.h"
#include "train.h"

/* A smooth scalar of the logits with a known gradient:
 * L = sum c .* z + 0.5 sum z.^2, dL/dz = c + z. */
static double probe_loss(const double *z, const double *c, int n, double *dz)
{
    double L = 0;
    for (int i = 0; i < n; i++) {
        L += c[i] * z[i] + 0.5 * z[i] * z[i];
        if (dz)
            dz[i] = c[i] + z[i];
    }
    return L;
}

static SbRefNet *small_net(SbRng *rng, int n_in, int width, int layers, int V)
{
    return sb_refnet_build(n_in, width, layers, V, 0.8, rng);
}

/* Worst relative error between the backward pass and central differences
 * over every parameter. */
static double gradient_check(SbPolicy *pol, const double *x, int n)
{
    int V = pol->ref->n_out, np = pol->n_params;
    SbRng rng;
    sb_rng_seed(&rng, 77);
    double *c = sb_zeros(n * V), *z = sb_zeros(n * V), *dz = sb_zeros(n * V), *grad = sb_zeros(np);
    for (int i = 0; i < n * V; i++)
        c[i] = sb_rng_normal(&rng);
    SbPolicyCache cache;
    sb_policy_forward(pol, x, n, z, &cache);
    probe_loss(z, c, n * V, dz);
    sb_policy_backward(pol, &cache, dz, grad);
    sb_policy_cache_free(&cache);
    double worst = 0, h = 1e-5;
    for (int i = 0; i < np; i++) {
        double keep = pol->theta[i];
        pol->theta[i] = keep + h;
        sb_policy_forward(pol, x, n, z, NULL);
        double up = probe_loss(z, c, n * V, NULL);
        pol->theta[i] = keep - h;
        sb_policy_forward(pol, x, n, z, NULL);
        double down = probe_loss(z, c, n * V, NULL);
        pol->theta[i] = keep;
        double fd = (up - down) / (2 * h);
        double err = fabs(fd - grad[i]) / fmax(1e-3, fabs(fd) + fabs(grad[i]));
        if (err > worst)
            worst = err;
    }
    free(grad), free(dz), free(z), free(c);
    return worst;
}

static double *random_inputs(SbRng *rng, int n, int n_in)
{
    double *x = sb_zeros(n * n_in);
    for (int i = 0; i < n * n_in; i++)
        x[i] = sb_rng_normal(rng);
    return x;
}

static void backward_should_match_finite_differences(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 1);
    SbRefNet *ref = small_net(&rng, 5, 6, 3, 4);
    double *x = random_inputs(&rng, 7, 5);
    /* the reference network itself: full fine-tuning at its initial point */
    SbPolicy *full = sb_policy_new(ref, SB_POLICY_FULL, 0, 0, &rng);
    assert_true(gradient_check(full, x, 7) < 1e-6);
    /* full fine-tuning away from the reference */
    for (int i = 0; i < full->n_params; i++)
        full->theta[i] += 0.3 * sb_rng_normal(&rng);
    assert_true(gradient_check(full, x, 7) < 1e-6);
    /* LoRA with non-zero B, so that both factors have gradients */
    SbPolicy *lora = sb_policy_new(ref, SB_POLICY_LORA, 2, 3.0, &rng);
    for (int i = 0; i < lora->n_params; i++)
        lora->theta[i] += 0.3 * sb_rng_normal(&rng);
    assert_true(gradient_check(lora, x, 7) < 1e-6);
    sb_policy_free(lora);
    sb_policy_free(full);
    free(x);
    sb_refnet_free(ref);
}

static void fresh_lora_should_equal_reference_exactly(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 2);
    SbRefNet *ref = small_net(&rng, 5, 6, 2, 4);
    double *x = random_inputs(&rng, 9, 5), *a = sb_zeros(36), *b = sb_zeros(36);
    SbPolicy *lora = sb_policy_new(ref, SB_POLICY_LORA, 3, 6.0, &rng);
    sb_refnet_forward(ref, x, 9, NULL, a);
    sb_policy_forward(lora, x, 9, b, NULL);
    assert_memory_equal(a, b, 36 * sizeof(double));
    sb_policy_free(lora);
    free(b), free(a), free(x);
    sb_refnet_free(ref);
}

/* Naive forward with the adapter applied unmerged:
 * pre = x W^T + (alpha/r) (x A^T) B^T + b. */
static void unmerged_forward(const SbPolicy *pol, const double *x, int n, double *logits)
{
    const SbRefNet *ref = pol->ref;
    SbPolicyViews w = sb_policy_views(pol, pol->theta);
    int W = ref->width, r = pol->rank;
    double *in = sb_zeros(n * (ref->n_in > W ? ref->n_in : W)), *out = sb_zeros(n * W), *xa = sb_zeros(r);
    memcpy(in, x, sizeof(double) * n * ref->n_in);
    for (int l = 0; l < ref->layers; l++) {
        int fan_in = l == 0 ? ref->n_in : W;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r; k++) {
                xa[k] = 0;
                for (int j = 0; j < fan_in; j++)
                    xa[k] += in[i * fan_in + j] * w.A[l][k * fan_in + j];
            }
            for (int o = 0; o < W; o++) {
                double acc = ref->b[l][o];
                for (int j = 0; j < fan_in; j++)
                    acc += in[i * fan_in + j] * ref->W[l][o * fan_in + j];
                for (int k = 0; k < r; k++)
                    acc += pol->alpha / r * w.B[l][o * r + k] * xa[k];
                out[i * W + o] = tanh(acc);
            }
        }
        memcpy(in, out, sizeof(double) * n * W);
    }
    for (int i = 0; i < n; i++)
        for (int v = 0; v < ref->n_out; v++) {
            double acc = ref->b_out[v];
            for (int j = 0; j < W; j++)
                acc += in[i * W + j] * ref->W_out[v * W + j];
            logits[i * ref->n_out + v] = acc / ref->temperature;
        }
    free(xa), free(out), free(in);
    sb_policy_views_free(&w);
}

static void merged_lora_should_match_unmerged(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 3);
    SbRefNet *ref = small_net(&rng, 5, 6, 2, 4);
    double *x = random_inputs(&rng, 8, 5), *a = sb_zeros(32), *b = sb_zeros(32);
    SbPolicy *lora = sb_policy_new(ref, SB_POLICY_LORA, 2, 4.0, &rng);
    for (int i = 0; i < lora->n_params; i++)
        lora->theta[i] += 0.5 * sb_rng_normal(&rng);
    sb_policy_forward(lora, x, 8, a, NULL);
    unmerged_forward(lora, x, 8, b);
    for (int i = 0; i < 32; i++)
        assert_true(fabs(a[i] - b[i]) < 1e-12);
    /* and W + (alpha/r) B A written into a full policy gives the same logits */
    SbPolicy *full = sb_policy_new(ref, SB_POLICY_FULL, 0, 0, &rng);
    SbPolicyViews w = sb_policy_views(full, full->theta);
    for (int l = 0; l < ref->layers; l++)
        sb_policy_layer_weight(lora, l, w.W[l]);
    sb_policy_views_free(&w);
    sb_policy_forward(full, x, 8, b, NULL);
    for (int i = 0; i < 32; i++)
        assert_true(fabs(a[i] - b[i]) < 1e-12);
    sb_policy_free(full);
    sb_policy_free(lora);
    free(b), free(a), free(x);
    sb_refnet_free(ref);
}

/* Central differences of a scalar function of the logits. */
typedef double (*LogitFn)(const SbProblem *p, const void *ctx, const double *z, double *dz);

static double check_logit_gradient(const SbProblem *p, LogitFn f, const void *ctx, const double *z0)
{
    size_t n = (size_t)p->n_states * p->V;
    double *z = sb_zeros(n), *dz = sb_zeros(n), worst = 0, h = 1e-5;
    memcpy(z, z0, n * sizeof(double));
    f(p, ctx, z, dz);
    for (size_t i = 0; i < n; i++) {
        double keep = z[i];
        z[i] = keep + h;
        double up = f(p, ctx, z, NULL);
        z[i] = keep - h;
        double down = f(p, ctx, z, NULL);
        z[i] = keep;
        double fd = (up - down) / (2 * h);
        double err = fabs(fd - dz[i]) / fmax(1e-4, fabs(fd) + fabs(dz[i]));
        if (err > worst)
            worst = err;
    }
    free(dz), free(z);
    return worst;
}

static double objective_fn(const SbProblem *p, const void *ctx, const double *z, double *dz)
{
    return sb_policy_objective(p, ctx, z, dz);
}

static double dpo_fn(const SbProblem *p, const void *ctx, const double *z, double *dz)
{
    return sb_dpo_loss(p, ctx, z, dz, NULL);
}

static void loss_gradients_should_match_finite_differences(void **state)
{
    (void)state;
    const char *kinds[] = {"tree", "linear"};
    for (int k = 0; k < 2; k++) {
        SbProblem *p = tiny_problem(kinds[k], 3, 2, 3, 3, 3, 2, 0.2, 31);
        size_t n = (size_t)p->n_states * p->V;
        SbRng rng;
        sb_rng_seed(&rng, 4);
        double *z = sb_zeros(n), *r = sb_zeros(n);
        for (size_t i = 0; i < n; i++)
            z[i] = sb_rng_normal(&rng);
        sb_problem_user_reward(p, p->users_test, r);
        assert_true(check_logit_gradient(p, objective_fn, r, z) < 1e-6);
        /* hard answers (DPO's ordered pairs) and soft ones (probabilities) */
        SbPairLabels hard = {SB_LABELS_NOISE_FREE, 1.0, 1}, soft = {SB_LABELS_PROBABILITIES, 0.5, 0};
        SbPairs pairs = sb_pairs_sample(p, r, 40, 0, p->n_prompts, &hard, &rng);
        assert_true(check_logit_gradient(p, dpo_fn, &pairs, z) < 1e-6);
        sb_pairs_free(&pairs);
        pairs = sb_pairs_sample(p, r, 40, 0, p->n_prompts, &soft, &rng);
        assert_true(pairs.y[0] > 0 && pairs.y[0] < 1);
        assert_true(check_logit_gradient(p, dpo_fn, &pairs, z) < 1e-6);
        sb_pairs_free(&pairs);
        free(r), free(z);
        sb_problem_free(p);
    }
}

/* KL(pi* || pi) summed over states weighted by pi*'s occupancy. */
static double occupancy_kl(const SbProblem *p, const double *star, const double *logits)
{
    double *occ = sb_zeros(p->n_states), kl = 0;
    sb_occupancy(p, star, occ);
    for (int s = 0; s < p->n_states; s++)
        for (int a = 0; a < p->V; a++) {
            double ls = log_prob(star + s * p->V, p->V, a), lp = log_prob(logits + s * p->V, p->V, a);
            kl += occ[s] * exp(ls) * (ls - lp);
        }
    free(occ);
    return kl;
}

static SbProblem *onehot_problem(int H)
{
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = H;
    cfg.dataset.prompts = 3;
    cfg.dataset.vocab = 3;
    cfg.dataset.spectral_dim = 3;
    cfg.dataset.aspects = 2;
    cfg.dataset.inputs = SB_INPUTS_ONEHOT;
    cfg.reference.width = 12;
    cfg.reference.layers = 1;
    cfg.users.test = 2;
    return sb_synthetic_build(&cfg);
}

static void pg_trainer_should_converge_to_soft_optimum(void **state)
{
    (void)state;
    /* One-hot state inputs and full fine-tuning: each state has its own
     * first-layer column, and with width >= V the head can map the hidden
     * vectors to any logits, so every policy is representable. */
    SbProblem *p = onehot_problem(2);
    size_t n = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n), *logits = sb_zeros(n);
    sb_problem_user_reward(p, p->users_test, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.train.steps = 3000;
    cfg.train.lr = 0.02;
    cfg.train.patience = 3000;
    SbRng rng;
    sb_rng_seed(&rng, 5);
    SbPolicy *pol = sb_policy_new(p->ref_net, SB_POLICY_FULL, 0, 0, &rng);
    double before;
    sb_policy_logits(p, pol, logits);
    before = occupancy_kl(p, sol.logits, logits);
    SbTrainStats st;
    sb_train(p, pol, r, &cfg.train, 1, "test pg", &st);
    sb_policy_logits(p, pol, logits);
    double after = occupancy_kl(p, sol.logits, logits);
    print_message("PG: KL(pi* || pi) from %.3g to %.3g in %d steps\n", before, after, st.steps);
    assert_true(before > 1e-2);
    assert_true(after < 1e-6);
    sb_policy_free(pol);
    sb_soft_solution_free(&sol);
    free(logits), free(r);
    sb_problem_free(p);
}

static void dpo_trainer_should_rank_heldout_pairs(void **state)
{
    (void)state;
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.dataset.horizon = 1;
    cfg.dataset.prompts = 12;
    cfg.dataset.vocab = 6;
    cfg.dataset.spectral_dim = 4;
    cfg.users.test = 1;
    cfg.beta = 0.5;
    SbProblem *p = sb_synthetic_build(&cfg);
    cfg.train.trainer = SB_TRAINER_DPO;
    cfg.train.steps = 600;
    cfg.train.lr = 0.02;
    cfg.train.pairs = 1024;
    cfg.train.heldout_pairs = 512;
    cfg.train.labels = SB_LABELS_NOISE_FREE; /* ranking against noise-free labels can approach 1 */
    size_t n = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n);
    sb_problem_user_reward(p, p->users_test, r);
    SbRng rng;
    sb_rng_seed(&rng, 6);
    SbPolicy *pol = sb_policy_new(p->ref_net, SB_POLICY_FULL, 0, 0, &rng);
    SbTrainStats st;
    sb_train(p, pol, r, &cfg.train, 2, "test dpo", &st);
    print_message("DPO: held-out accuracy %.3f, loss %.4f after %d steps\n", st.heldout_accuracy, st.heldout_loss,
                  st.steps);
    assert_true(st.heldout_accuracy > 0.95);
    sb_policy_free(pol);
    free(r);
    sb_problem_free(p);
}

static void training_twice_should_give_identical_weights(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("linear", 2, 2, 3, 4, 3, 2, 0.0, 12);
    size_t n = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n);
    sb_problem_user_reward(p, p->users_test, r);
    SbConfig cfg;
    sb_config_defaults(&cfg);
    cfg.train.steps = 50;
    const SbTrainer trainers[] = {SB_TRAINER_PG, SB_TRAINER_DPO};
    for (int k = 0; k < 2; k++) {
        cfg.train.trainer = trainers[k];
        SbPolicy *a, *b;
        SbRng rng;
        sb_rng_seed(&rng, 8);
        a = sb_policy_new(p->ref_net, SB_POLICY_LORA, 2, 4.0, &rng);
        sb_rng_seed(&rng, 8);
        b = sb_policy_new(p->ref_net, SB_POLICY_LORA, 2, 4.0, &rng);
        SbTrainStats st;
        sb_train(p, a, r, &cfg.train, 9, "twice a", &st);
        sb_train(p, b, r, &cfg.train, 9, "twice b", &st);
        assert_memory_equal(a->theta, b->theta, a->n_params * sizeof(double));
        sb_policy_free(a);
        sb_policy_free(b);
    }
    free(r);
    sb_problem_free(p);
}

static void nonfinite_loss_should_stop_training_naming_run_and_step(void **state)
{
    (void)state;
    SbProblem *p = tiny_problem("tree", 2, 2, 3, 1, 3, 2, 0.0, 13);
    size_t n = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n);
    r[n - 1] = NAN; /* a broken reward reaches the loss */
    char path[] = "/tmp/sb_nan_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd, 2);
        SbConfig cfg;
        sb_config_defaults(&cfg);
        SbRng rng;
        sb_rng_seed(&rng, 1);
        SbPolicy *pol = sb_policy_new(p->ref_net, SB_POLICY_FULL, 0, 0, &rng);
        SbTrainStats st;
        sb_train(p, pol, r, &cfg.train, 1, "nan-test", &st);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), SB_EXIT_FAIL);
    char msg[512] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(fgets(msg, sizeof msg, f));
    fclose(f);
    close(fd);
    unlink(path);
    print_message("%s", msg);
    assert_non_null(strstr(msg, "training nan-test: step 0: the loss is "));
    assert_non_null(strstr(msg, "nan (non-finite)"));
    free(r);
    sb_problem_free(p);
}

static void parameter_names_should_name_each_tensor(void **state)
{
    (void)state;
    SbRng rng;
    sb_rng_seed(&rng, 1);
    SbRefNet *ref = small_net(&rng, 5, 6, 2, 4);
    SbPolicy *full = sb_policy_new(ref, SB_POLICY_FULL, 0, 0, &rng);
    SbPolicy *lora = sb_policy_new(ref, SB_POLICY_LORA, 2, 1.0, &rng);
    char name[32];
    /* full: W[0] 6x5, b[0] 6, W[1] 6x6, b[1] 6, W_out 4x6, b_out 4 */
    int full_at[] = {0, 30, 36, 72, 78, 102}, full_n = 106;
    const char *full_names[] = {"W[0]", "b[0]", "W[1]", "b[1]", "W_out", "b_out"};
    assert_int_equal(full->n_params, full_n);
    for (int i = 0; i < 6; i++) {
        sb_policy_param_name(full, full_at[i], name, sizeof name);
        assert_string_equal(name, full_names[i]);
    }
    /* LoRA: A[0] 2x5, B[0] 6x2, A[1] 2x6, B[1] 6x2 */
    int lora_at[] = {0, 10, 22, 34};
    const char *lora_names[] = {"lora.A[0]", "lora.B[0]", "lora.A[1]", "lora.B[1]"};
    assert_int_equal(lora->n_params, 46);
    for (int i = 0; i < 4; i++) {
        sb_policy_param_name(lora, lora_at[i], name, sizeof name);
        assert_string_equal(name, lora_names[i]);
    }
    sb_policy_free(lora);
    sb_policy_free(full);
    sb_refnet_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backward_should_match_finite_differences),
        cmocka_unit_test(fresh_lora_should_equal_reference_exactly),
        cmocka_unit_test(merged_lora_should_match_unmerged),
        cmocka_unit_test(loss_gradients_should_match_finite_differences),
        cmocka_unit_test(pg_trainer_should_converge_to_soft_optimum),
        cmocka_unit_test(dpo_trainer_should_rank_heldout_pairs),
        cmocka_unit_test(training_twice_should_give_identical_weights),
        cmocka_unit_test(nonfinite_loss_should_stop_training_naming_run_and_step),
        cmocka_unit_test(parameter_names_should_name_each_tensor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
