/* soupbench: the synthetic enumerable MDP (SPEC sections 1 and 5).
 *
 * Two transition structures over a layered state space:
 *  - tree: the token-level language MDP. A state of step t is a prompt plus
 *    t tokens; action a appends token a (deterministic concatenation). Step t
 *    holds prompts * V^t states, numbered prompt-major in base V.
 *  - linear: step 0 holds the prompts, every later step `states` states;
 *    P(s'|s,a) = <phi(s,a), mu_{t+1}(s')> with phi(s,a) on the simplex and
 *    each row of mu_{t+1} a distribution, so every row of P is one.
 *
 * Aspect rewards: r_j(s,a) = sqrt(1 - rho^2) <phi(s,a), theta_j> + rho eps,
 * each linear part scaled to unit standard deviation over all pairs and eps
 * standard normal per pair and aspect; rho is the misspecification knob
 * (0: rewards in the span of the features, 1: pure noise outside it).
 * The theta_j are independent standard normal draws, or, with
 * $.dataset.aspect_correlation = c, turned into directions whose linear
 * parts have pairwise correlation exactly c over all pairs (correlate_aspects).
 *
 * Network inputs x(s): "embedding" concatenates a random prompt (or state)
 * embedding, the one-hot tokens so far (tree) and a one-hot step; "onehot"
 * is the one-hot global state index (a network that can represent any
 * policy); "features" concatenates the features phi(s, a) of the state's V
 * actions and a one-hot step, so what a policy learns on the training
 * prompts (rewards linear in phi) carries over to the held-out ones. */
#include "synthetic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "spectrum.h"
#include "sb.h"

#define SB_EMBED_DIM 8

/* Fill v[0..n-1] with a random point of the simplex, softmax(sharpness * z). */
static void random_simplex(SbRng *rng, double *v, int n, double sharpness)
{
    for (int i = 0; i < n; i++)
        v[i] = sharpness * sb_rng_normal(rng);
    sb_softmax(v, n, v);
}

static void build_layers(SbProblem *p, const SbDatasetConfig *dc)
{
    p->layer_offset = sb_calloc((size_t)p->H + 1, sizeof(int));
    long total = 0, size = p->n_prompts;
    for (int t = 0; t < p->H; t++) {
        p->layer_offset[t] = (int)total;
        if (t > 0)
            size = p->transition == SB_TRANSITION_TREE ? size * p->V : dc->states;
        total += size;
        if (total > 4000000)
            sb_fail(SB_EXIT_USAGE,
                    "$.dataset: the MDP has more than 4,000,000 states (prompts %d, vocab %d, horizon %d); "
                    "make it smaller",
                    dc->prompts, dc->vocab, dc->horizon);
    }
    p->layer_offset[p->H] = (int)total;
    p->n_states = (int)total;
}

static void build_transitions(SbProblem *p, SbRng *rng)
{
    int V = p->V;
    if (p->transition == SB_TRANSITION_TREE) {
        p->next_state = sb_calloc((size_t)p->n_states * V, sizeof(int));
        for (int t = 0; t < p->H; t++)
            for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++)
                for (int a = 0; a < V; a++)
                    p->next_state[s * V + a] =
                        t + 1 < p->H ? p->layer_offset[t + 1] + (s - p->layer_offset[t]) * V + a : -1;
        return;
    }
    p->mu_offset = sb_calloc((size_t)p->H, sizeof(int));
    int total = 0;
    for (int t = 1; t < p->H; t++) {
        p->mu_offset[t] = total;
        total += p->d * sb_problem_layer_size(p, t);
    }
    p->mu = sb_zeros(total);
    for (int t = 1; t < p->H; t++) {
        int n = sb_problem_layer_size(p, t);
        for (int i = 0; i < p->d; i++)
            random_simplex(rng, p->mu + p->mu_offset[t] + (size_t)i * n, n, 2.0);
    }
}

/* $.dataset.aspect_correlation c: rewrite the independent theta [d x m] so
 * that the linear parts <phi, theta_j> have covariance exactly
 * C = (1 - c) I + c 1 1' over all state-action pairs (unit variances, so
 * the scaling below leaves them, and correlation c for every pair). With G
 * the covariance of the parts of theta, G = L L' (Cholesky), the parts of
 * theta L^-T are uncorrelated with unit variance, and those of
 * theta L^-T S, S the symmetric square root of C, have covariance S S = C.
 * S = sqrt(1-c) I + (sqrt(1+(m-1)c) - sqrt(1-c))/m 1 1' (C's eigenvalues:
 * 1-c, m-1 times, and 1+(m-1)c along 1), which mixes every aspect alike;
 * C is positive semi-definite exactly for c in [-1/(m-1), 1]. The new
 * theta_j stay combinations of the old, so the rewards stay in the span of
 * phi. Exact for the realised pairs, unlike mixing a shared draw into each
 * theta_j, whose realised correlation scatters by about 1/sqrt(d). */
static void correlate_aspects(const SbProblem *p, double c, double *theta)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    int d = p->d, m = p->m;
    if (m >= 2 && c < -1.0 / (m - 1))
        sb_fail(SB_EXIT_USAGE, "$.dataset.aspect_correlation: expected a number in [-1/(m-1), 1] = [%g, 1] for m = %d "
                "aspects, found %g", -1.0 / (m - 1), m, c);
    /* covariance of the features over all pairs, then G = theta' Sigma theta */
    double *mean = sb_zeros(d), *sigma = sb_zeros((size_t)d * d);
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < d; k++)
            mean[k] += p->phi[i * d + k] / (double)n_sa;
    for (size_t i = 0; i < n_sa; i++)
        for (int k = 0; k < d; k++)
            for (int l = 0; l < d; l++)
                sigma[k * d + l] += (p->phi[i * d + k] - mean[k]) * (p->phi[i * d + l] - mean[l]) / (double)n_sa;
    double *G = sb_zeros((size_t)m * m), *L = sb_zeros((size_t)m * m);
    for (int a = 0; a < m; a++)
        for (int b = 0; b < m; b++)
            for (int k = 0; k < d; k++)
                for (int l = 0; l < d; l++)
                    G[a * m + b] += theta[k * m + a] * sigma[k * d + l] * theta[l * m + b];
    double scale = 0;
    for (int a = 0; a < m; a++)
        scale = fmax(scale, G[a * m + a]);
    for (int a = 0; a < m; a++)
        for (int b = 0; b <= a; b++) {
            double x = G[a * m + b];
            for (int k = 0; k < b; k++)
                x -= L[a * m + k] * L[b * m + k];
            if (a == b && !(x > 1e-10 * scale))
                sb_fail(SB_EXIT_USAGE, "$.dataset.aspect_correlation: the %d aspects' linear parts are linearly "
                        "dependent over the state-action pairs (features d = %d, of which %s vary); use at most "
                        "that many aspects, or aspect_correlation null",
                        m, d, p->transition == SB_TRANSITION_LINEAR ? "d - 1 (they sum to 1)" : "all");
            L[a * m + b] = a == b ? sqrt(x) : x / L[b * m + b];
        }
    double diag = sqrt(1.0 - c), all = (sqrt(fmax(0.0, 1.0 + (m - 1) * c)) - diag) / m;
    double *x = sb_zeros(m);
    for (int k = 0; k < d; k++) {
        double *row = theta + (size_t)k * m, total = 0;
        for (int a = 0; a < m; a++) { /* L x = row' */
            double v = row[a];
            for (int b = 0; b < a; b++)
                v -= L[a * m + b] * x[b];
            total += x[a] = v / L[a * m + a];
        }
        for (int a = 0; a < m; a++) /* row = (S x)' */
            row[a] = diag * x[a] + all * total;
    }
    free(x);
    free(L);
    free(G);
    free(sigma);
    free(mean);
}

static void build_features_and_rewards(SbProblem *p, double rho, double correlation, SbRng *rng)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    int d = p->d, m = p->m;
    p->phi = sb_zeros(n_sa * d);
    for (size_t i = 0; i < n_sa; i++) {
        if (p->transition == SB_TRANSITION_LINEAR)
            random_simplex(rng, p->phi + i * d, d, 2.0);
        else
            for (int k = 0; k < d; k++)
                p->phi[i * d + k] = sb_rng_normal(rng);
    }
    double *theta = sb_zeros((size_t)d * m);
    for (int k = 0; k < d * m; k++)
        theta[k] = sb_rng_normal(rng);
    if (!isnan(correlation)) /* null: the independent draws as they are */
        correlate_aspects(p, correlation, theta);
    p->aspect_rewards = sb_zeros(n_sa * m);
    double *lin = sb_zeros(n_sa);
    for (int j = 0; j < m; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < n_sa; i++) {
            double acc = 0;
            for (int k = 0; k < d; k++)
                acc += p->phi[i * d + k] * theta[k * m + j];
            lin[i] = acc;
            mean += acc;
        }
        mean /= (double)n_sa;
        for (size_t i = 0; i < n_sa; i++)
            var += (lin[i] - mean) * (lin[i] - mean);
        /* scale only: an added constant would leave the span of phi */
        double scale = var > 0 ? 1.0 / sqrt(var / (double)n_sa) : 1.0;
        double keep = sqrt(1.0 - rho * rho);
        for (size_t i = 0; i < n_sa; i++) {
            double noise = rho > 0 ? rho * sb_rng_normal(rng) : 0.0;
            p->aspect_rewards[i * m + j] = keep * scale * lin[i] + noise;
        }
    }
    free(lin);
    free(theta);
}

static void build_inputs(SbProblem *p, SbInputs kind, SbRng *rng)
{
    if (kind == SB_INPUTS_ONEHOT) {
        p->n_in = p->n_states;
        p->inputs = sb_zeros((size_t)p->n_states * p->n_in);
        for (int s = 0; s < p->n_states; s++)
            p->inputs[(size_t)s * p->n_in + s] = 1.0;
        return;
    }
    if (kind == SB_INPUTS_FEATURES) {
        int width = p->V * p->d;
        p->n_in = width + p->H;
        p->inputs = sb_zeros((size_t)p->n_states * p->n_in);
        for (int t = 0; t < p->H; t++)
            for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
                double *x = p->inputs + (size_t)s * p->n_in;
                memcpy(x, p->phi + (size_t)s * width, sizeof(double) * (size_t)width);
                x[width + t] = 1.0;
            }
        return;
    }
    int tree = p->transition == SB_TRANSITION_TREE;
    int n_embed = tree ? p->n_prompts : p->n_states;
    double *embed = sb_zeros((size_t)n_embed * SB_EMBED_DIM);
    for (int i = 0; i < n_embed * SB_EMBED_DIM; i++)
        embed[i] = sb_rng_normal(rng);
    p->n_in = SB_EMBED_DIM + (tree ? p->H * p->V : 0) + p->H;
    p->inputs = sb_zeros((size_t)p->n_states * p->n_in);
    for (int t = 0; t < p->H; t++)
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            double *x = p->inputs + (size_t)s * p->n_in;
            int local = s - p->layer_offset[t];
            int e = s;
            if (tree) {
                /* local = prompt * V^t + tokens in base V, first token most significant */
                int rest = local;
                for (int k = t - 1; k >= 0; k--) {
                    x[SB_EMBED_DIM + k * p->V + rest % p->V] = 1.0;
                    rest /= p->V;
                }
                e = rest;
            }
            memcpy(x, embed + (size_t)e * SB_EMBED_DIM, sizeof(double) * SB_EMBED_DIM);
            x[p->n_in - p->H + t] = 1.0;
        }
    free(embed);
}

SbProblem *sb_synthetic_build(const SbConfig *cfg)
{
    const SbDatasetConfig *dc = &cfg->dataset;
    SbProblem *p = sb_calloc(1, sizeof *p);
    p->transition = dc->transition;
    p->H = dc->horizon;
    p->V = dc->vocab;
    p->m = dc->aspects;
    p->d = dc->spectral_dim;
    p->n_prompts = dc->prompts;
    p->beta = cfg->beta;
    build_layers(p, dc);

    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "synthetic/transitions");
    build_transitions(p, &rng);
    sb_rng_derive(&rng, cfg->seed, "synthetic/rewards");
    build_features_and_rewards(p, dc->misspecification, dc->aspect_correlation, &rng);
    /* held-out prompts: everything trains and fits on the first
     * $.soup.train_prompts share, every reported number is on the rest */
    sb_problem_split_prompts(p, sb_problem_train_prompts(cfg->soup.train_prompts, p->n_prompts));
    p->aspect_names = sb_calloc((size_t)p->m, sizeof(char *));
    for (int j = 0; j < p->m; j++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", j + 1);
        p->aspect_names[j] = sb_strdup(name);
    }

    sb_rng_derive(&rng, cfg->seed, "synthetic/inputs");
    build_inputs(p, dc->inputs, &rng);
    sb_problem_add_reference_and_users(p, cfg, 0);
    return p;
}

/* The number of prompts with mass under d (training: p->init; held out: p->eval_init). */
static int prompts_in(const SbProblem *p, const double *d)
{
    int n = 0;
    for (int x = 0; x < p->n_prompts; x++)
        n += d[x] > 0;
    return n;
}

void sb_synthetic_describe(const SbProblem *p, char *buf, size_t n)
{
    snprintf(buf, n,
             "synthetic %s MDP: %d prompts (%d train / %d test), %d actions, horizon %d, %d states, features d=%d, "
             "%d aspects",
             sb_transition_name(p->transition), p->n_prompts, prompts_in(p, p->init), prompts_in(p, p->eval_init),
             p->V, p->H, p->n_states, p->d, p->m);
}

static int64_t *to_int64(const int *v, size_t n)
{
    int64_t *out = sb_calloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = v[i];
    return out;
}

void sb_synthetic_write(SbResults *r, const SbProblem *p, const SbConfig *cfg)
{
    const char *g = "/data/synthetic";
    const SbDatasetConfig *dc = &cfg->dataset;
    char desc[256];
    char *names = sb_aspect_columns(p, "");
    sb_synthetic_describe(p, desc, sizeof desc);
    sb_results_attr_str(r, g, "description", desc);
    sb_results_attr_str(r, g, "transition", sb_transition_name(dc->transition));
    sb_results_attr_str(r, g, "aspect_names", names);
    sb_results_attr_double(r, g, "beta", p->beta);
    sb_results_attr_int(r, g, "horizon", p->H);
    sb_results_attr_int(r, g, "vocab", p->V);
    sb_results_attr_int(r, g, "prompts", p->n_prompts);
    sb_results_attr_int(r, g, "spectral_dim", p->d);
    sb_results_attr_int(r, g, "aspects", p->m);
    sb_results_attr_double(r, g, "misspecification", dc->misspecification);
    sb_results_attr_int(r, g, "states_per_step", dc->states);
    sb_results_attr_int(r, g, "n_states", p->n_states);

    int64_t *offsets = to_int64(p->layer_offset, (size_t)p->H + 1);
    sb_results_write_ints(r, "/data/synthetic/layer_offset", p->H + 1, 1, offsets, "first_state",
                          "first global state index of each step t = 0..H (step 0 holds the prompts)");
    free(offsets);
    sb_results_write_table(r, "/data/synthetic/init", p->n_prompts, 1, p->init, "probability",
                           "training prompt distribution over the states of step 0 (trainers, fits, feedback)");
    sb_results_write_table(r, "/data/synthetic/eval_init", p->n_prompts, 1, p->eval_init, "probability",
                           "held-out prompt distribution over the states of step 0 (every reported number)");
    sb_results_attr_int(r, g, "train_prompts", prompts_in(p, p->init));
    size_t n_sa = (size_t)p->n_states * p->V;
    char *actions = sb_column_names("action_", 0, p->V);
    if (p->transition == SB_TRANSITION_TREE) {
        int64_t *next = to_int64(p->next_state, n_sa);
        sb_results_write_ints(r, "/data/synthetic/next_state", p->n_states, p->V, next, actions,
                              "tree transitions: the state reached from s by action a (-1 at the last step)");
        free(next);
    } else if (p->H > 1) {
        int rows = 0, cols = sb_problem_layer_size(p, 1);
        for (int t = 1; t < p->H; t++)
            rows += p->d;
        char *states = sb_column_names("state_", 0, cols);
        sb_results_write_table(r, "/data/synthetic/mu", rows, cols, p->mu, states,
                               "linear transitions: rows (t-1)*d .. t*d-1 hold mu_t for t = 1..H-1; "
                               "P(s'|s,a) = sum_i phi_i(s,a) mu_t[i,s']");
        free(states);
    }
    char *phis = sb_column_names("phi_", 1, p->d);
    sb_results_write_table(r, "/data/synthetic/features", (int)n_sa, p->d, p->phi, phis,
                           "features phi(s,a), row s*V+a");
    free(phis);
    sb_results_write_table(r, "/data/synthetic/aspect_rewards", (int)n_sa, p->m, p->aspect_rewards, names,
                           "aspect rewards r_j(s,a), row s*V+a");
    double *corr = sb_zeros((size_t)p->m * p->m);
    sb_problem_aspect_correlation(p, corr);
    char about[256];
    if (isnan(dc->aspect_correlation))
        snprintf(about, sizeof about, "independent theta_j ($.dataset.aspect_correlation null)");
    else
        snprintf(about, sizeof about, "requested %g for the linear parts ($.dataset.aspect_correlation), diluted "
                 "by misspecification %g", dc->aspect_correlation, dc->misspecification);
    char corr_desc[512];
    snprintf(corr_desc, sizeof corr_desc,
             "realised Pearson correlation of the aspect rewards r_j over all state-action pairs: %s", about);
    sb_results_write_table(r, "/data/synthetic/aspect_correlation", p->m, p->m, corr, names, corr_desc);
    free(corr);
    sb_problem_write_reference_and_users(r, g, p, actions);
    free(actions);

    int k = p->n_states < p->width ? p->n_states : p->width;
    double *sv = sb_zeros(k);
    sb_singular_values(p->psi, p->n_states, p->width, sv);
    sb_results_write_table(r, "/data/synthetic/spectrum", k, 1, sv, "singular_value",
                           "singular values of the reference representation psi(s) over all states");
    sb_results_attr_str(r, "/data/synthetic/spectrum", "label", "reference representation psi(s)");
    free(sv);
    k = (int)n_sa < p->d ? (int)n_sa : p->d;
    sv = sb_zeros(k);
    sb_singular_values(p->phi, (int)n_sa, p->d, sv);
    sb_results_write_table(r, "/data/synthetic/feature_spectrum", k, 1, sv, "singular_value",
                           "singular values of the features phi(s,a) over all pairs");
    sb_results_attr_str(r, "/data/synthetic/feature_spectrum", "label", "features phi(s,a)");
    free(sv);
    free(names);
}

/* built by sb_synthetic_build, not loaded: no candidate sets, no ratings */
const SbDataset sb_dataset_synthetic = {
    .name = "synthetic",
    .description = "enumerable language MDP, transitions tree or linear (exact Q*, values, win-rates)",
};
