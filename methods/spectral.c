/* soupbench: Spectral Souping's shared parts (methods/spectral.h). */
#include "spectral.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "feedback.h"
#include "mlp.h"
#include "sb.h"
#include "solver.h"
#include "spectrum.h"
#include <stdio.h>

SbPolicyForm sb_spectral_form(const SbContext *ctx) { return ctx->cfg->soup.form; }

double *sb_spectral_implicit_q(const SbContext *ctx, SbPolicyForm f)
{
    const SbBasis *b = ctx->basis;
    double *q = sb_zeros((size_t)b->K * ctx->p->n_states * ctx->p->V);
    sb_basis_implicit_q(b, ctx->p, f, q);
    return q;
}

void sb_spectral_fit_pairs(const SbContext *ctx, const double *q, const SbPairs *answers, double l2,
                           const double *centre, double *lam, SbLogregReport *rep)
{
    int K = ctx->basis->K;
    double *X = sb_zeros((size_t)(answers->n > 0 ? answers->n : 1) * K);
    sb_pairs_features(ctx->p, answers, q, K, X);
    SbLogregReport local;
    SbLogregOptions opt;
    sb_logreg_options_default(&opt);
    opt.centre = centre;
    sb_logreg_fit(X, answers->y, NULL, answers->n, K, l2, lam, &opt, rep ? rep : &local);
    /* cost ledger: features 2 n H K, each Newton step about 2 n K (K + 2) */
    int iterations = (rep ? rep : &local)->iterations + 1;
    sb_mlp_count_flops(2.0 * answers->n * answers->H * K + 2.0 * iterations * answers->n * K * (K + 2));
    free(X);
}

int sb_spectral_warm_size(const SbContext *ctx, void *state)
{
    (void)state;
    return ctx->basis->K;
}

void sb_spectral_logits(const SbContext *ctx, SbPolicyForm f, const double *lam, double *logits)
{
    const SbProblem *p = ctx->p;
    const SbBasis *b = ctx->basis;
    size_t n_sa = (size_t)p->n_states * p->V;
    double rest = 1.0;
    for (int k = 0; k < b->K; k++)
        rest -= lam[k];
    for (size_t i = 0; i < n_sa; i++) {
        double acc = rest * p->ref_logits[i];
        for (int k = 0; k < b->K; k++)
            acc += lam[k] * b->logits[f][(size_t)k * n_sa + i];
        logits[i] = acc;
    }
}

int sb_spectral_active_query(const SbContext *ctx, const SbSpectralState *st, const SbPairs *answers,
                             const double *lam, const SbPairs *candidates)
{
    const SbProblem *p = ctx->p;
    int K = st->K, c = candidates->n;
    double *X = sb_zeros((size_t)(answers->n > 0 ? answers->n : 1) * K), *cov = sb_zeros((size_t)K * K);
    double *xc = sb_zeros((size_t)c * K);
    sb_pairs_features(p, answers, st->q, K, X);
    sb_logreg_covariance(X, NULL, answers->n, K, ctx->cfg->online.l2, lam, cov);
    sb_pairs_features(p, candidates, st->q, K, xc);
    int best = 0;
    double best_var = -1;
    for (int i = 0; i < c; i++) {
        double var = 0;
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++)
                var += xc[(size_t)i * K + a] * cov[(size_t)a * K + b] * xc[(size_t)i * K + b];
        if (var > best_var)
            best_var = var, best = i;
    }
    free(xc), free(cov), free(X);
    return best;
}

/* The largest q_lam at state s: the sampler's envelope. */
static double q_top(const SbProblem *p, const double *q_lam, int s)
{
    const double *q = q_lam + (size_t)s * p->V;
    double top = q[0];
    for (int a = 1; a < p->V; a++)
        top = q[a] > top ? q[a] : top;
    return top;
}

int sb_spectral_sample_token(const SbProblem *p, const double *q_lam, int s, int budget, SbRng *rng,
                             long *proposals, int *fell_back)
{
    SB_ASSERT(budget >= 1);
    int V = p->V;
    const double *q = q_lam + (size_t)s * V;
    double top = q_top(p, q_lam, s);
    double *pi = sb_zeros(V);
    sb_softmax(p->ref_logits + (size_t)s * V, V, pi);
    int a;
    *fell_back = 0;
    for (int k = 1;; k++) {
        a = sb_rng_categorical(rng, pi, V);
        ++*proposals;
        if (sb_rng_uniform(rng) < exp((q[a] - top) / p->beta))
            break;
        if (k >= budget) { /* every proposal rejected: keep the last one */
            *fell_back = 1;
            break;
        }
    }
    free(pi);
    return a;
}

double sb_spectral_acceptance(const SbProblem *p, const double *q_lam, int s)
{
    int V = p->V;
    const double *q = q_lam + (size_t)s * V;
    double top = q_top(p, q_lam, s), alpha = 0;
    double *pi = sb_zeros(V);
    sb_softmax(p->ref_logits + (size_t)s * V, V, pi);
    for (int a = 0; a < V; a++)
        alpha += pi[a] * exp((q[a] - top) / p->beta);
    free(pi);
    return alpha < 1 ? alpha : 1;
}

/* At one state: the probability that all M proposals are rejected,
 * (1 - alpha)^M, and the expected proposals per token,
 * sum_{k<M} (1 - alpha)^k. */
static void budget_state(double alpha, int budget, double *fallback, double *proposals)
{
    double reject = 1 - alpha;
    *fallback = pow(reject, budget);
    *proposals = alpha > 0 ? (1 - *fallback) / alpha : budget;
}

void sb_spectral_budget_logits(const SbProblem *p, const double *q_lam, int budget, double *logits)
{
    SB_ASSERT(budget >= 1);
    int V = p->V;
    double *lr = sb_zeros(V);
    for (int s = 0; s < p->n_states; s++) {
        const double *q = q_lam + (size_t)s * V;
        double top = q_top(p, q_lam, s), alpha = sb_spectral_acceptance(p, q_lam, s), f, props;
        budget_state(alpha, budget, &f, &props);
        /* pi_M = pi_ref [c1 e + c0 (1 - e)], c1 = (1 - f) / alpha (accepted at
         * some proposal), c0 = (1 - alpha)^(M-1) (M - 1 rejections, then a
         * rejected last proposal kept); c1 >= c0 > 0 unless c0 underflows */
        double c1 = props, c0 = pow(1 - alpha, budget - 1);
        sb_log_softmax(p->ref_logits + (size_t)s * V, V, lr);
        for (int a = 0; a < V; a++) {
            double x = (q[a] - top) / p->beta;
            logits[(size_t)s * V + a] = lr[a] + (c0 > 0 ? log(c0 + (c1 - c0) * exp(x)) : log(c1) + x);
        }
    }
    free(lr);
}

SbSamplerStats sb_spectral_sampler_measure(const SbProblem *p, const double *q_lam, int budget, int n, SbRng *rng)
{
    double *row = sb_zeros(sb_problem_max_layer(p));
    long proposals = 0, tokens = 0, fallbacks = 0;
    for (int i = 0; i < n; i++) {
        int s = sb_rng_categorical(rng, p->eval_init, p->n_prompts);
        for (int t = 0; t < p->H; t++) {
            int fell_back;
            int a = sb_spectral_sample_token(p, q_lam, s, budget, rng, &proposals, &fell_back);
            tokens++, fallbacks += fell_back; /* every token, the last one too */
            if (t + 1 == p->H)
                break;
            sb_problem_transition_row(p, s, a, row);
            s = p->layer_offset[t + 1] + sb_rng_categorical(rng, row, sb_problem_layer_size(p, t + 1));
        }
    }
    free(row);
    SbSamplerStats st = {.acceptance = (double)(tokens - fallbacks) / proposals,
                         .proposals_per_token = (double)proposals / tokens,
                         .fallback_rate = (double)fallbacks / tokens};
    return st;
}


SbSamplerStats sb_spectral_sampler_exact(const SbProblem *p, const double *q_lam, int budget, double *kl)
{
    int V = p->V;
    size_t n_sa = (size_t)p->n_states * V;
    double *served = sb_zeros(n_sa), *target = sb_zeros(n_sa), *occ = sb_zeros(p->n_states);
    double *lm = sb_zeros(V), *lt = sb_zeros(V);
    sb_spectral_budget_logits(p, q_lam, budget, served);
    /* the target: pi_ref exp(q_lam / beta), normalised */
    for (size_t i = 0; i < n_sa; i++)
        target[i] = p->ref_logits[i] + q_lam[i] / p->beta;
    sb_occupancy_eval(p, served, occ);
    double tokens = 0, proposals = 0, accepted = 0, divergence = 0;
    for (int s = 0; s < p->n_states; s++) {
        if (occ[s] == 0)
            continue;
        double f, props;
        budget_state(sb_spectral_acceptance(p, q_lam, s), budget, &f, &props);
        tokens += occ[s];
        proposals += occ[s] * props;
        accepted += occ[s] * (1 - f);
        sb_log_softmax(served + (size_t)s * V, V, lm);
        sb_log_softmax(target + (size_t)s * V, V, lt);
        for (int a = 0; a < V; a++)
            divergence += occ[s] * exp(lm[a]) * (lm[a] - lt[a]);
    }
    if (kl)
        *kl = divergence;
    free(lt), free(lm), free(occ), free(target), free(served);
    SbSamplerStats st = {.acceptance = accepted / proposals,
                         .proposals_per_token = proposals / tokens,
                         .fallback_rate = 1 - accepted / tokens};
    return st;
}


/* The relative residual of centred Q on the span of the centred g; coef
 * (nullable) [K] gets the projection's coefficients. */
static double centred_projection(const SbProblem *p, const double *g, int K, const double *Q, double *coef)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *B = sb_zeros(n_sa * K), *col = sb_zeros(n_sa), *y = sb_zeros(n_sa);
    for (int k = 0; k < K; k++) {
        sb_problem_centre_actions(p, g + (size_t)k * n_sa, col);
        for (size_t i = 0; i < n_sa; i++)
            B[i * K + k] = col[i];
    }
    sb_problem_centre_actions(p, Q, y);
    double res = sb_span_residual(B, (int)n_sa, K, y, coef);
    free(y);
    free(col);
    free(B);
    return res;
}

double sb_spectral_residual(const SbProblem *p, const double *g, int K, const double *Q)
{
    return centred_projection(p, g, K, Q, NULL);
}

void sb_spectral_project(const SbProblem *p, const double *g, int K, const double *Q, double *coef)
{
    centred_projection(p, g, K, Q, coef);
}

SbSpectralState *sb_spectral_state_new(const SbContext *ctx, SbPolicyForm form)
{
    SbSpectralState *st = sb_calloc(1, sizeof *st);
    st->form = form;
    st->K = ctx->basis->K;
    st->q = sb_spectral_implicit_q(ctx, form);
    /* the prior: the mean training user's expected answers on the offline
     * budget of pairs, fitted without a centre */
    const SbProblem *p = ctx->p;
    double *w_bar = sb_zeros(p->m);
    sb_population_weights(p, w_bar);
    SbPairs pairs = sb_population_feedback(ctx, w_bar);
    st->lam_bar = sb_zeros(st->K);
    sb_spectral_fit_pairs(ctx, st->q, &pairs, ctx->cfg->soup.l2, NULL, st->lam_bar, NULL);
    sb_pairs_free(&pairs);
    free(w_bar);
    return st;
}

void sb_spectral_prior(const SbContext *ctx, void *state, double *warm)
{
    (void)ctx;
    const SbSpectralState *st = state;
    memcpy(warm, st->lam_bar, sizeof(double) * (size_t)st->K);
}

const double *sb_spectral_state_fit(const SbContext *ctx, const SbSpectralState *st, const SbUser *user,
                                    double *warm)
{
    SbLogregReport rep;
    sb_spectral_fit_pairs(ctx, st->q, user->feedback, user->l2, st->lam_bar, warm, &rep);
    if (user->kept) {
        double *row = user->kept;
        memcpy(row, warm, sizeof(double) * (size_t)st->K);
        row[st->K] = rep.iterations;
        row[st->K + 1] = rep.grad_inf;
        row[st->K + 2] = rep.converged;
    }
    return warm;
}

int sb_spectral_kept_cols(const SbContext *ctx, void *state)
{
    (void)ctx;
    return ((const SbSpectralState *)state)->K + 3;
}

void sb_spectral_state_adopt(SbSpectralState *st, const double *rows, long n, int stride)
{
    int cols = st->K + 3;
    free(st->lam);
    st->lam = sb_zeros((size_t)n * cols + 1);
    st->n = n;
    for (long i = 0; i < n; i++)
        memcpy(st->lam + i * cols, rows + i * stride, sizeof(double) * (size_t)cols);
}

void sb_spectral_adopt(const SbContext *ctx, void *state, const double *rows, long n)
{
    (void)ctx;
    SbSpectralState *st = state;
    sb_spectral_state_adopt(st, rows, n, st->K + 3);
}

void sb_spectral_state_write(const SbSpectralState *st, SbResults *r, const char *group)
{
    char path[256], *names = sb_column_names("lam_", 1, st->K), columns[4096];
    snprintf(columns, sizeof columns, "%s,newton_iterations,grad_inf,converged", names);
    snprintf(path, sizeof path, "%s/lambda", group);
    sb_results_write_table(r, path, (int)st->n, st->K + 3, st->lam, columns,
                           "fitted mixture weights of each served user (test users, then the distinct Pareto weights) and "
                           "the logistic regression's diagnostics");
    sb_results_attr_str(r, path, "basis_form", sb_policy_form_name(st->form));
    free(names);
}

void sb_spectral_state_free(SbSpectralState *st)
{
    if (!st)
        return;
    free(st->q);
    free(st->lam_bar);
    free(st->lam);
    free(st);
}
