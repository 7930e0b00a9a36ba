/* soupbench: Spectral Souping's shared parts (methods/spectral.h). */
#include "spectral.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "feedback.h"
#include "mlp.h"
#include "sb.h"
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

int sb_spectral_sample_token(const SbProblem *p, const double *q_lam, int s, SbRng *rng, long *proposals)
{
    int V = p->V;
    const double *q = q_lam + (size_t)s * V;
    double top = q[0];
    for (int a = 1; a < V; a++)
        if (q[a] > top)
            top = q[a];
    double *pi = sb_zeros(V);
    sb_softmax(p->ref_logits + (size_t)s * V, V, pi);
    int a;
    for (;;) {
        a = sb_rng_categorical(rng, pi, V);
        ++*proposals;
        if (sb_rng_uniform(rng) < exp((q[a] - top) / p->beta))
            break;
    }
    free(pi);
    return a;
}

/* f minus its mean over each state's actions. */
static void centre(const SbProblem *p, const double *f, double *out)
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

/* The relative residual of centred Q on the span of the centred g; coef
 * (nullable) [K] gets the projection's coefficients. */
static double centred_projection(const SbProblem *p, const double *g, int K, const double *Q, double *coef)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *B = sb_zeros(n_sa * K), *col = sb_zeros(n_sa), *y = sb_zeros(n_sa);
    for (int k = 0; k < K; k++) {
        centre(p, g + (size_t)k * n_sa, col);
        for (size_t i = 0; i < n_sa; i++)
            B[i * K + k] = col[i];
    }
    centre(p, Q, y);
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

const double *sb_spectral_state_fit(const SbContext *ctx, SbSpectralState *st, const SbUser *user, double *warm)
{
    SbLogregReport rep;
    sb_spectral_fit_pairs(ctx, st->q, user->feedback, user->l2, st->lam_bar, warm, &rep);
    if (user->keep) {
        int cols = st->K + 3;
        if (st->n == st->cap)
            st->lam = sb_realloc(st->lam, sizeof(double) * (size_t)(st->cap = st->cap ? 2 * st->cap : 64) * cols);
        double *row = st->lam + (size_t)st->n++ * cols;
        memcpy(row, warm, sizeof(double) * (size_t)st->K);
        row[st->K] = rep.iterations;
        row[st->K + 1] = rep.grad_inf;
        row[st->K + 2] = rep.converged;
    }
    return warm;
}

void sb_spectral_state_write(const SbSpectralState *st, SbResults *r, const char *group)
{
    char path[256], *names = sb_column_names("lam_", 1, st->K), columns[4096];
    snprintf(columns, sizeof columns, "%s,newton_iterations,grad_inf,converged", names);
    snprintf(path, sizeof path, "%s/lambda", group);
    sb_results_write_table(r, path, st->n, st->K + 3, st->lam, columns,
                           "fitted mixture weights of each served user (test users, then the Pareto sweeps) and "
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
