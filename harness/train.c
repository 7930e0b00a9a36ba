/* soupbench: trainers (harness/train.h). */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "solver.h"

void sb_policy_logits(const SbProblem *p, const SbPolicy *pol, double *logits)
{
    sb_policy_forward(pol, p->inputs, p->n_states, logits, NULL);
}

/* ------------------------------------------------------------------ */
/* preference pairs                                                   */

/* One trajectory from prompt x under pi_ref: states and actions, return. */
static double sample_reference(const SbProblem *p, const double *r, int x, SbRng *rng, int *s_out, int *a_out,
                               double *pi, double *row)
{
    int V = p->V, s = x;
    double ret = 0;
    for (int t = 0; t < p->H; t++) {
        sb_softmax(p->ref_logits + (size_t)s * V, V, pi);
        int a = sb_rng_categorical(rng, pi, V);
        s_out[t] = s;
        a_out[t] = a;
        ret += r[(size_t)s * V + a];
        if (t + 1 == p->H)
            break;
        sb_problem_transition_row(p, s, a, row);
        s = p->layer_offset[t + 1] + sb_rng_categorical(rng, row, sb_problem_layer_size(p, t + 1));
    }
    return ret;
}

SbPairs sb_pairs_sample(const SbProblem *p, const double *r, int n, const SbTrainConfig *tc, SbRng *rng)
{
    int H = p->H, max_layer = 1;
    for (int t = 0; t < H; t++)
        if (sb_problem_layer_size(p, t) > max_layer)
            max_layer = sb_problem_layer_size(p, t);
    SbPairs pairs = {n, H, sb_calloc((size_t)n * 2 * H, sizeof(int)), sb_calloc((size_t)n * 2 * H, sizeof(int))};
    double *pi = sb_zeros(p->V), *row = sb_zeros(max_layer);
    int noise_free = strcmp(tc->labels, "noise_free") == 0;
    for (int i = 0; i < n; i++) {
        int *s = pairs.s + (size_t)i * 2 * H, *a = pairs.a + (size_t)i * 2 * H;
        double r1 = 0, r2 = 0;
        /* noise-free labels need distinct returns: redraw ties (a bounded
         * number of times; a tie left over is labelled either way) */
        for (int tries = 0; tries < 100; tries++) {
            int x = sb_rng_categorical(rng, p->init, p->n_prompts);
            r1 = sample_reference(p, r, x, rng, s, a, pi, row);
            r2 = sample_reference(p, r, x, rng, s + H, a + H, pi, row);
            if (!noise_free || r1 != r2)
                break;
        }
        int first_wins = noise_free ? r1 >= r2
                                    : sb_rng_uniform(rng) < 1.0 / (1.0 + exp(-(r1 - r2) / tc->label_temperature));
        if (!first_wins)
            for (int t = 0; t < H; t++) {
                int ts = s[t], ta = a[t];
                s[t] = s[H + t], a[t] = a[H + t];
                s[H + t] = ts, a[H + t] = ta;
            }
    }
    free(row);
    free(pi);
    return pairs;
}

void sb_pairs_free(SbPairs *pairs)
{
    free(pairs->s);
    free(pairs->a);
    memset(pairs, 0, sizeof *pairs);
}

double sb_dpo_loss(const SbProblem *p, const SbPairs *pairs, const double *logits, double *dlogits,
                   double *accuracy)
{
    int V = p->V, H = pairs->H;
    double beta = p->beta, loss = 0;
    int correct = 0;
    double *logpi = sb_zeros((size_t)p->n_states * V), *logref = sb_zeros((size_t)p->n_states * V);
    /* log pi and log pi_ref at every state (cheap on enumerable MDPs) */
    for (int s = 0; s < p->n_states; s++) {
        sb_log_softmax(logits + (size_t)s * V, V, logpi + (size_t)s * V);
        sb_log_softmax(p->ref_logits + (size_t)s * V, V, logref + (size_t)s * V);
    }
    if (dlogits)
        memset(dlogits, 0, sizeof(double) * (size_t)p->n_states * V);
    for (int i = 0; i < pairs->n; i++) {
        const int *s = pairs->s + (size_t)i * 2 * H, *a = pairs->a + (size_t)i * 2 * H;
        double margin = 0; /* log-ratio(y+) - log-ratio(y-) */
        for (int t = 0; t < 2 * H; t++) {
            size_t k = (size_t)s[t] * V + a[t];
            margin += (t < H ? 1 : -1) * (logpi[k] - logref[k]);
        }
        double z = beta * margin;
        loss += z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z)); /* -log sigmoid(z) */
        correct += margin > 0;
        if (!dlogits)
            continue;
        /* d(-log sigmoid z)/dz = -sigmoid(-z); d log pi(a|s)/dz(s,.) = e_a - pi(.|s) */
        double coef = -beta / (1.0 + exp(z)) / pairs->n;
        for (int t = 0; t < 2 * H; t++) {
            double sign = t < H ? 1 : -1;
            double *d = dlogits + (size_t)s[t] * V;
            const double *lp = logpi + (size_t)s[t] * V;
            for (int b = 0; b < V; b++)
                d[b] += coef * sign * ((b == a[t]) - exp(lp[b]));
        }
    }
    if (accuracy)
        *accuracy = (double)correct / pairs->n;
    free(logref);
    free(logpi);
    return loss / pairs->n;
}

/* ------------------------------------------------------------------ */
/* the training loop                                                  */

static void check_finite(const SbPolicy *pol, const double *v, int n, const char *label, int step, const char *what)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            char name[64];
            if (pol)
                sb_policy_param_name(pol, i, name, sizeof name);
            else
                snprintf(name, sizeof name, "logit %d", i);
            sb_fail(SB_EXIT_FAIL, "training %s: step %d: %s of %s is %g (non-finite); check the rewards, or lower $.train.lr", label,
                    step, what, name, v[i]);
        }
}

static double learning_rate(const SbTrainConfig *tc, int step)
{
    double warm = tc->warmup > 0 && step < tc->warmup ? (double)(step + 1) / (tc->warmup + 1) : 1.0;
    return tc->lr * warm * 0.5 * (1.0 + cos(M_PI * step / tc->steps));
}

void sb_train(const SbProblem *p, SbPolicy *pol, const double *r, const SbTrainConfig *tc, uint64_t seed,
              const char *label, SbTrainStats *st)
{
    double start = sb_now(), flops0 = sb_mlp_flops();
    int n = pol->n_params, V = p->V;
    size_t n_sa = (size_t)p->n_states * V;
    int dpo = strcmp(tc->trainer, "dpo") == 0;
    SbPairs train = {0}, heldout = {0};
    if (dpo) {
        SbRng rng;
        sb_rng_seed(&rng, seed);
        train = sb_pairs_sample(p, r, tc->pairs, tc, &rng);
        heldout = sb_pairs_sample(p, r, tc->heldout_pairs, tc, &rng);
    }
    double *m = sb_zeros(n), *v = sb_zeros(n), *grad = sb_zeros(n), *best = sb_zeros(n);
    double *logits = sb_zeros(n_sa), *dlogits = sb_zeros(n_sa);
    double best_heldout = INFINITY, best_loss = NAN;
    int since_best = 0, step;
    memcpy(best, pol->theta, sizeof(double) * (size_t)n);
    st->best_step = 0;
    for (step = 0; step < tc->steps; step++) {
        SbPolicyCache cache;
        sb_policy_forward(pol, p->inputs, p->n_states, logits, &cache);
        double loss, heldout_loss;
        if (dpo) {
            loss = sb_dpo_loss(p, &train, logits, dlogits, NULL);
            heldout_loss = sb_dpo_loss(p, &heldout, logits, NULL, NULL);
        } else {
            loss = -sb_policy_objective(p, r, logits, dlogits);
            for (size_t i = 0; i < n_sa; i++)
                dlogits[i] = -dlogits[i];
            heldout_loss = loss;
        }
        if (!isfinite(loss))
            sb_fail(SB_EXIT_FAIL, "training %s: step %d: the loss is %g (non-finite); check the rewards, or lower $.train.lr", label,
                    step, loss);
        check_finite(NULL, dlogits, (int)n_sa, label, step, "the gradient");
        if (step == 0 || heldout_loss < best_heldout - 1e-12 * fabs(best_heldout)) {
            best_heldout = heldout_loss;
            best_loss = loss;
            memcpy(best, pol->theta, sizeof(double) * (size_t)n);
            st->best_step = step;
            since_best = 0;
        } else if (++since_best >= tc->patience) {
            sb_policy_cache_free(&cache);
            break;
        }
        sb_policy_backward(pol, &cache, dlogits, grad);
        sb_policy_cache_free(&cache);
        check_finite(pol, grad, n, label, step, "the gradient");
        double lr = learning_rate(tc, step);
        double c1 = 1.0 - pow(0.9, step + 1), c2 = 1.0 - pow(0.999, step + 1);
        for (int i = 0; i < n; i++) {
            m[i] = 0.9 * m[i] + 0.1 * grad[i];
            v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
            pol->theta[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + 1e-8);
        }
        /* the optimiser and the loss: a dozen operations per parameter and pair */
        sb_mlp_count_flops(12.0 * n + 20.0 * (double)n_sa);
    }
    memcpy(pol->theta, best, sizeof(double) * (size_t)n);
    st->steps = step;
    st->loss = best_loss;
    st->heldout_loss = best_heldout;
    st->heldout_accuracy = NAN;
    if (dpo) {
        sb_policy_logits(p, pol, logits);
        sb_dpo_loss(p, &heldout, logits, NULL, &st->heldout_accuracy);
        sb_pairs_free(&train);
        sb_pairs_free(&heldout);
    }
    st->seconds = sb_now() - start;
    st->flops = sb_mlp_flops() - flops0;
    free(dlogits);
    free(logits);
    free(best);
    free(grad);
    free(v);
    free(m);
}
