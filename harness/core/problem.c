/* soupbench: helpers on the enumerable MDP (harness/problem.h). */
#include "problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "refnet.h"
#include "results.h"
#include "sb.h"

int sb_problem_step(const SbProblem *p, int s)
{
    for (int t = 0; t < p->H; t++)
        if (s < p->layer_offset[t + 1])
            return t;
    SB_ASSERT(0 && "state index out of range");
    return -1;
}

void sb_problem_transition_row(const SbProblem *p, int s, int a, double *out)
{
    int t = sb_problem_step(p, s);
    SB_ASSERT(t + 1 < p->H);
    int n = sb_problem_layer_size(p, t + 1);
    if (p->transition == SB_TRANSITION_TREE) {
        memset(out, 0, sizeof(double) * (size_t)n);
        out[p->next_state[s * p->V + a] - p->layer_offset[t + 1]] = 1.0;
        return;
    }
    const double *phi = p->phi + ((size_t)s * p->V + a) * p->d;
    const double *mu = p->mu + p->mu_offset[t + 1];
    for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int i = 0; i < p->d; i++)
            acc += phi[i] * mu[(size_t)i * n + j];
        out[j] = acc;
    }
}

double sb_problem_sample(const SbProblem *p, const double *logits, const double *r, int x, SbRng *rng, int *s_out,
                         int *a_out, double *pi, double *row)
{
    int V = p->V, s = x;
    double ret = 0;
    for (int t = 0; t < p->H; t++) {
        sb_softmax(logits + (size_t)s * V, V, pi);
        int a = sb_rng_categorical(rng, pi, V);
        if (s_out)
            s_out[t] = s, a_out[t] = a;
        ret += r[(size_t)s * V + a];
        if (t + 1 == p->H)
            break;
        sb_problem_transition_row(p, s, a, row);
        s = p->layer_offset[t + 1] + sb_rng_categorical(rng, row, sb_problem_layer_size(p, t + 1));
    }
    return ret;
}

int sb_problem_max_layer(const SbProblem *p)
{
    int n = 1;
    for (int t = 0; t < p->H; t++)
        if (sb_problem_layer_size(p, t) > n)
            n = sb_problem_layer_size(p, t);
    return n;
}

void sb_problem_user_reward(const SbProblem *p, const double *w, double *out)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    for (size_t i = 0; i < n_sa; i++) {
        double acc = 0;
        for (int j = 0; j < p->m; j++)
            acc += w[j] * p->aspect_rewards[i * p->m + j];
        out[i] = acc;
    }
}

void sb_problem_free(SbProblem *p)
{
    if (!p)
        return;
    free(p->layer_offset);
    free(p->init);
    free(p->eval_init);
    if (p->aspect_names)
        for (int j = 0; j < p->m; j++)
            free(p->aspect_names[j]);
    free(p->aspect_names);
    free(p->next_state);
    free(p->mu);
    free(p->mu_offset);
    free(p->phi);
    free(p->aspect_rewards);
    free(p->inputs);
    free(p->psi);
    free(p->ref_logits);
    free(p->logit_offset);
    free(p->users_train);
    free(p->users_test);
    sb_refnet_free(p->ref_net);
    free(p);
}

/* log of a Gamma(alpha, 1) draw (Marsaglia and Tsang 2000). For alpha < 1,
 * Gamma(alpha) = Gamma(alpha + 1) U^(1/alpha); the log keeps tiny alphas
 * from underflowing to 0 (U^(1/0.01) is 0 in doubles for most U). */
static double log_gamma_draw(SbRng *rng, double alpha)
{
    double boost = 0;
    if (alpha < 1) {
        boost = log1p(-sb_rng_uniform(rng)) / alpha; /* log U, U in (0, 1] */
        alpha += 1;
    }
    double d = alpha - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = sb_rng_normal(rng), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = 1.0 - sb_rng_uniform(rng); /* in (0, 1] */
        if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return log(d) + log(v) + boost;
    }
}

void sb_users_draw_dirichlet(SbRng *rng, int m, double alpha, double *w)
{
    if (alpha == 1.0) {
        /* Dirichlet(1): normalised exponentials, the draws of every run
         * before $.users.concentration, kept so they stay bit for bit */
        double total = 0;
        for (int j = 0; j < m; j++)
            total += w[j] = -log1p(-sb_rng_uniform(rng));
        for (int j = 0; j < m; j++)
            w[j] /= total;
        return;
    }
    for (int j = 0; j < m; j++)
        w[j] = log_gamma_draw(rng, alpha);
    sb_softmax(w, m, w); /* G_j / sum_k G_k from the logs */
}

double *sb_users_draw(SbRng *rng, int n, int m, SbWeights kind, double concentration)
{
    double *w = sb_zeros((size_t)n * m);
    for (int u = 0; u < n; u++) {
        double *wu = w + (size_t)u * m;
        if (kind == SB_WEIGHTS_SIMPLEX) {
            sb_users_draw_dirichlet(rng, m, concentration, wu);
        } else {
            /* signed: uniform direction, unit L1 norm */
            double norm = 0;
            for (int j = 0; j < m; j++)
                norm += fabs(wu[j] = sb_rng_normal(rng));
            for (int j = 0; j < m; j++)
                wu[j] /= norm;
        }
    }
    return w;
}

void sb_problem_aspect_correlation(const SbProblem *p, double *out)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    int m = p->m;
    double *mean = sb_zeros(m);
    for (size_t i = 0; i < n_sa; i++)
        for (int j = 0; j < m; j++)
            mean[j] += p->aspect_rewards[i * m + j];
    for (int j = 0; j < m; j++)
        mean[j] /= (double)n_sa;
    double *cov = sb_zeros((size_t)m * m);
    for (size_t i = 0; i < n_sa; i++) {
        const double *r = p->aspect_rewards + i * m;
        for (int j = 0; j < m; j++)
            for (int k = j; k < m; k++)
                cov[j * m + k] += (r[j] - mean[j]) * (r[k] - mean[k]);
    }
    for (int j = 0; j < m; j++)
        for (int k = j; k < m; k++) {
            double den = sqrt(cov[j * m + j] * cov[k * m + k]);
            out[j * m + k] = out[k * m + j] = den > 0 ? (j == k ? 1.0 : cov[j * m + k] / den) : NAN;
        }
    free(cov);
    free(mean);
}

char *sb_aspect_columns(const SbProblem *p, const char *prefix)
{
    return sb_join_names(p->aspect_names, p->m, prefix, ",");
}

void sb_problem_add_reference_and_users(SbProblem *p, const SbConfig *cfg, int candidate_sets)
{
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "reference/weights");
    SbRefNet *net = sb_refnet_build(p->n_in, cfg->reference.width, cfg->reference.layers, p->V,
                                    cfg->reference.temperature, &rng);
    if (cfg->reference.scale != 1.0)
        sb_refnet_scale(net, cfg->reference.scale);
    p->width = net->width;
    p->psi = sb_zeros((size_t)p->n_states * p->width);
    p->ref_logits = sb_zeros((size_t)p->n_states * p->V);
    sb_refnet_forward(net, p->inputs, p->n_states, p->psi, p->ref_logits);
    p->ref_net = net;
    if (sb_reference_uniform(cfg->reference.policy, candidate_sets))
        sb_problem_uniform_reference(p);

    if (cfg->users.weights != SB_WEIGHTS_SIMPLEX && cfg->users.concentration != 1.0)
        sb_fail(SB_EXIT_USAGE, "$.users.concentration: a Dirichlet concentration applies to \"simplex\" weights "
                "only, found %g with \"signed\" weights (leave it at 1)", cfg->users.concentration);
    sb_rng_derive(&rng, cfg->seed, "users/train");
    p->n_train = cfg->users.train;
    p->users_train = sb_users_draw(&rng, p->n_train, p->m, cfg->users.weights, cfg->users.concentration);
    sb_rng_derive(&rng, cfg->seed, "users/test");
    p->n_test = cfg->users.test;
    p->users_test = sb_users_draw(&rng, p->n_test, p->m, cfg->users.weights, cfg->users.concentration);
}

void sb_problem_uniform_reference(SbProblem *p)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    p->logit_offset = sb_zeros(n_sa);
    for (size_t i = 0; i < n_sa; i++) {
        p->logit_offset[i] = -p->ref_logits[i];
        p->ref_logits[i] = 0;
    }
}

int sb_reference_uniform(SbReferencePolicy policy, int candidate_sets)
{
    return policy == SB_REFERENCE_UNIFORM || (policy == SB_REFERENCE_AUTO && candidate_sets);
}

/* Appends n doubles to a growing buffer. */
static void put(double **buf, size_t *len, size_t *cap, const double *v, size_t n)
{
    if (*len + n > *cap) {
        *cap = 2 * (*len + n);
        *buf = sb_realloc(*buf, sizeof(double) * *cap);
    }
    memcpy(*buf + *len, v, sizeof(double) * n);
    *len += n;
}

void sb_problem_reference_sha256(const SbProblem *p, char hex[65])
{
    const SbRefNet *net = p->ref_net;
    double *buf = NULL;
    size_t len = 0, cap = 0;
    double shape[5] = {net->n_in, net->width, net->layers, net->n_out, net->temperature};
    put(&buf, &len, &cap, shape, 5);
    for (int l = 0; l < net->layers; l++) {
        put(&buf, &len, &cap, net->W[l], (size_t)net->width * (l == 0 ? net->n_in : net->width));
        put(&buf, &len, &cap, net->b[l], (size_t)net->width);
    }
    put(&buf, &len, &cap, net->W_out, (size_t)net->n_out * net->width);
    put(&buf, &len, &cap, net->b_out, (size_t)net->n_out);
    size_t n_sa = (size_t)p->n_states * p->V;
    put(&buf, &len, &cap, p->inputs, (size_t)p->n_states * p->n_in);
    put(&buf, &len, &cap, p->ref_logits, n_sa);
    if (p->logit_offset)
        put(&buf, &len, &cap, p->logit_offset, n_sa);
    unsigned char digest[32];
    sb_sha256(buf, sizeof(double) * len, digest);
    sb_sha256_hex(digest, hex);
    free(buf);
}

void sb_problem_write_reference_and_users(SbResults *r, const char *group, const SbProblem *p, const char *actions)
{
    char path[160];
    char *names = sb_aspect_columns(p, "");
    snprintf(path, sizeof path, "%s/ref_logits", group);
    sb_results_write_table(r, path, p->n_states, p->V, p->ref_logits, actions,
                           "reference logits l_ref(s,.): pi_ref = softmax");
    if (p->logit_offset) {
        snprintf(path, sizeof path, "%s/logit_offset", group);
        sb_results_write_table(r, path, p->n_states, p->V, p->logit_offset, actions,
                               "added to every policy network's output (uniform pi_ref: minus the reference "
                               "network's output)");
    }
    snprintf(path, sizeof path, "%s/users_train", group);
    sb_results_write_table(r, path, p->n_train, p->m, p->users_train, names, "training users' aspect weights w_u");
    snprintf(path, sizeof path, "%s/users_test", group);
    sb_results_write_table(r, path, p->n_test, p->m, p->users_test, names, "held-out users' aspect weights w_u");
    free(names);
}

int sb_problem_train_prompts(double share, int n)
{
    if (n < 2)
        return n;
    int n_train = (int)ceil(share * n);
    return n_train < 1 ? 1 : n_train > n - 1 ? n - 1 : n_train;
}

void sb_problem_split_prompts(SbProblem *p, int n_train)
{
    int n = p->n_prompts;
    p->init = sb_zeros(n);
    p->eval_init = sb_zeros(n);
    for (int x = 0; x < n; x++) {
        if (n_train >= n)
            p->init[x] = p->eval_init[x] = 1.0 / n;
        else if (x < n_train)
            p->init[x] = 1.0 / n_train;
        else
            p->eval_init[x] = 1.0 / (n - n_train);
    }
}

void sb_problem_centre_actions(const SbProblem *p, const double *f, double *out)
{
    int V = p->V;
    for (int s = 0; s < p->n_states; s++) {
        double mean = 0;
        for (int a = 0; a < V; a++)
            mean += f[(size_t)s * V + a] / V;
        for (int a = 0; a < V; a++)
            out[(size_t)s * V + a] = f[(size_t)s * V + a] - mean;
    }
}
