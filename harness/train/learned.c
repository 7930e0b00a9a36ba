/* soupbench: reward models and successor features of pi_ref learned from
 * pi_ref rollouts (harness/train/learned.h). */
#include "learned.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "solver.h"

void sb_ridge_fit(const double *X, const double *y, int n, int d, double l2, double *theta)
{
    int D = d + 1;
    double *A = sb_zeros((size_t)D * D), *b = sb_zeros(D), *row = sb_zeros(D);
    for (int i = 0; i < n; i++) {
        memcpy(row, X + (size_t)i * d, sizeof(double) * (size_t)d);
        row[d] = 1.0;
        for (int a = 0; a < D; a++) {
            b[a] += row[a] * y[i];
            for (int c = a; c < D; c++)
                A[(size_t)a * D + c] += row[a] * row[c];
        }
    }
    for (int a = 0; a < D; a++) {
        for (int c = 0; c < a; c++)
            A[(size_t)a * D + c] = A[(size_t)c * D + a];
        if (a < d)
            A[(size_t)a * D + a] += l2;
    }
    /* With l2 > 0 and at least one sample A is positive definite; without
     * samples (or l2 = 0 on collinear features) a tiny ridge on the whole
     * diagonal keeps the solve defined. */
    if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', D, 1, A, D, b, 1) != 0) {
        memset(A, 0, sizeof(double) * (size_t)D * D);
        for (int a = 0; a < D; a++)
            A[(size_t)a * D + a] = 1.0;
        memset(b, 0, sizeof(double) * (size_t)D);
        if (n > 0) {
            double mean = 0;
            for (int i = 0; i < n; i++)
                mean += y[i];
            b[d] = mean / n; /* the constant fit */
        }
    }
    memcpy(theta, b, sizeof(double) * (size_t)D);
    free(row), free(b), free(A);
}

/* [phi(s, a), 1] . theta */
static double predict(const SbProblem *p, size_t sa, const double *theta)
{
    const double *f = p->phi + sa * p->d;
    double acc = theta[p->d];
    for (int k = 0; k < p->d; k++)
        acc += f[k] * theta[k];
    return acc;
}

/* RMSE of est against truth, and the RMS of truth, over pi_ref's visits
 * from the evaluation prompts, averaged over steps. */
static void heldout(const SbProblem *p, const double *est, const double *truth, double *rmse, double *scale)
{
    double *occ = sb_zeros(p->n_states), *pi = sb_zeros(p->V);
    sb_occupancy_eval(p, p->ref_logits, occ);
    double err = 0, sq = 0;
    for (int s = 0; s < p->n_states; s++) {
        if (occ[s] == 0)
            continue;
        sb_softmax(p->ref_logits + (size_t)s * p->V, p->V, pi);
        for (int a = 0; a < p->V; a++) {
            size_t i = (size_t)s * p->V + a;
            double wgt = occ[s] * pi[a], e = est[i] - truth[i];
            err += wgt * e * e;
            sq += wgt * truth[i] * truth[i];
        }
    }
    *rmse = sqrt(err / p->H);
    *scale = sqrt(sq / p->H);
    free(pi), free(occ);
}

SbLearnedAspects *sb_learned_aspects_fit(const SbProblem *p, int samples, double l2, uint64_t seed)
{
    int m = p->m, d = p->d, H = p->H, V = p->V, D = d + 1;
    size_t n_sa = (size_t)p->n_states * V;
    SbLearnedAspects *la = sb_calloc(1, sizeof *la);
    la->m = m, la->d = d, la->H = H, la->samples = samples, la->l2 = l2;
    la->rhat = sb_zeros(n_sa * m);
    la->psihat = sb_zeros(n_sa * m);
    la->reward_theta = sb_zeros((size_t)m * D);
    la->sf_theta = sb_zeros((size_t)H * m * D);
    la->reward_rmse = sb_zeros(m), la->sf_rmse = sb_zeros(m);
    la->reward_scale = sb_zeros(m), la->sf_scale = sb_zeros(m);

    /* the rollouts: visited pairs and their observed aspect rewards */
    SbRng rng;
    sb_rng_seed(&rng, seed);
    int *s_tr = sb_calloc((size_t)samples * H + 1, sizeof(int)), *a_tr = sb_calloc((size_t)samples * H + 1, sizeof(int));
    double *pi = sb_zeros(V), *row = sb_zeros(sb_problem_max_layer(p)), *zero = sb_zeros(n_sa);
    for (int n = 0; n < samples; n++) {
        int x = sb_rng_categorical(&rng, p->init, p->n_prompts);
        sb_problem_sample(p, p->ref_logits, zero, x, &rng, s_tr + (size_t)n * H, a_tr + (size_t)n * H, pi, row);
    }

    /* one design matrix per step: phi of the pair visited at step t */
    double *X = sb_zeros((size_t)(samples > 0 ? samples : 1) * H * d), *Xt = sb_zeros((size_t)(samples > 0 ? samples : 1) * d);
    double *y = sb_zeros((size_t)(samples > 0 ? samples : 1) * H), *g = sb_zeros((size_t)(samples > 0 ? samples : 1));
    for (int n = 0; n < samples; n++)
        for (int t = 0; t < H; t++) {
            size_t sa = (size_t)s_tr[(size_t)n * H + t] * V + a_tr[(size_t)n * H + t];
            memcpy(X + ((size_t)n * H + t) * d, p->phi + sa * d, sizeof(double) * (size_t)d);
        }
    double *truth = sb_zeros(n_sa), *q = sb_zeros(n_sa);
    for (int j = 0; j < m; j++) {
        /* reward model: every visited pair is one sample */
        for (int n = 0; n < samples; n++)
            for (int t = 0; t < H; t++) {
                size_t sa = (size_t)s_tr[(size_t)n * H + t] * V + a_tr[(size_t)n * H + t];
                y[(size_t)n * H + t] = p->aspect_rewards[sa * m + j];
            }
        double *theta = la->reward_theta + (size_t)j * D;
        sb_ridge_fit(X, y, samples * H, d, l2, theta);
        /* successor features: per step, the return-to-go */
        for (int t = 0; t < H; t++) {
            for (int n = 0; n < samples; n++) {
                double G = 0;
                for (int u = t; u < H; u++)
                    G += y[(size_t)n * H + u];
                g[n] = G;
                memcpy(Xt + (size_t)n * d, X + ((size_t)n * H + t) * d, sizeof(double) * (size_t)d);
            }
            sb_ridge_fit(Xt, g, samples, d, l2, la->sf_theta + ((size_t)t * m + j) * D);
        }
        for (int s = 0; s < p->n_states; s++) {
            const double *ts = la->sf_theta + ((size_t)sb_problem_step(p, s) * m + j) * D;
            for (int a = 0; a < V; a++) {
                size_t sa = (size_t)s * V + a;
                la->rhat[(size_t)j * n_sa + sa] = predict(p, sa, theta);
                la->psihat[(size_t)j * n_sa + sa] = predict(p, sa, ts);
                truth[sa] = p->aspect_rewards[sa * m + j];
            }
        }
        heldout(p, la->rhat + (size_t)j * n_sa, truth, &la->reward_rmse[j], &la->reward_scale[j]);
        sb_policy_q(p, truth, p->ref_logits, q);
        heldout(p, la->psihat + (size_t)j * n_sa, q, &la->sf_rmse[j], &la->sf_scale[j]);
    }
    free(q), free(truth), free(g), free(y), free(Xt), free(X);
    free(zero), free(row), free(pi), free(a_tr), free(s_tr);
    return la;
}

SbLearnedAspects *sb_learned_for(const SbProblem *p, const SbConfig *cfg)
{
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "learned");
    return sb_learned_aspects_fit(p, cfg->learned.samples, cfg->learned.l2, sb_rng_u64(&rng));
}

void sb_learned_aspects_write(const SbLearnedAspects *la, SbResults *r, const char *group)
{
    char path[256];
    int D = la->d + 1;
    char *cols = sb_column_names("theta_", 1, la->d);
    size_t n = strlen(cols) + 16;
    char *with_b = sb_malloc(n);
    snprintf(with_b, n, "%s,intercept", cols);
    snprintf(path, sizeof path, "%s/reward_theta", group);
    sb_results_write_table(r, path, la->m, D, la->reward_theta, with_b,
                           "reward model of each aspect (rows): rhat_j(s,a) = [phi(s,a), 1] . theta_j, ridge "
                           "regression on pi_ref rollouts of the training prompts");
    snprintf(path, sizeof path, "%s/sf_theta", group);
    sb_results_write_table(r, path, la->H * la->m, D, la->sf_theta, with_b,
                           "successor features of pi_ref: row t*m + j holds theta_{t,j} of psihat_j at step t, "
                           "Monte Carlo regression of the return-to-go on phi");
    double *tab = sb_zeros((size_t)la->m * 4);
    for (int j = 0; j < la->m; j++) {
        tab[j * 4 + 0] = la->reward_rmse[j];
        tab[j * 4 + 1] = la->reward_scale[j];
        tab[j * 4 + 2] = la->sf_rmse[j];
        tab[j * 4 + 3] = la->sf_scale[j];
    }
    snprintf(path, sizeof path, "%s/heldout", group);
    sb_results_write_table(r, path, la->m, 4, tab, "reward_rmse,reward_rms,sf_rmse,sf_rms",
                           "held-out error per aspect (rows, in the order of the dataset's aspects) on the "
                           "evaluation prompts, weighted by pi_ref's visits, per step: RMSE of rhat_j against r_j "
                           "and of psihat_j against the exact Q^{pi_ref}_j, each beside the RMS of the truth");
    sb_results_attr_int(r, group, "samples", la->samples);
    sb_results_attr_double(r, group, "l2", la->l2);
    free(tab), free(with_b), free(cols);
}

void sb_learned_aspects_free(SbLearnedAspects *la)
{
    if (!la)
        return;
    free(la->rhat), free(la->psihat), free(la->reward_theta), free(la->sf_theta);
    free(la->reward_rmse), free(la->sf_rmse), free(la->reward_scale), free(la->sf_scale);
    free(la);
}
