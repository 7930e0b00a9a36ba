/* soupbench: exact soft-optimal solver and policy evaluation (harness/solver.h). */
#include "solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

/* E[f(s')] for s' ~ P(.|s,a) with f given on the states of step t+1. For
 * linear transitions g = mu_{t+1} f (d numbers) is computed once per step
 * by the caller, so the expectation is <phi(s,a), g>. */
static double expect_next(const SbProblem *p, int s, int a, const double *f, const double *g)
{
    if (p->transition == SB_TRANSITION_TREE)
        return f[p->next_state[s * p->V + a]];
    const double *phi = p->phi + ((size_t)s * p->V + a) * p->d;
    double acc = 0;
    for (int i = 0; i < p->d; i++)
        acc += phi[i] * g[i];
    return acc;
}

/* g = mu_{t} f restricted to step t (linear transitions only). */
static void project_next(const SbProblem *p, int t, const double *f, double *g)
{
    if (p->transition != SB_TRANSITION_LINEAR)
        return;
    int n = sb_problem_layer_size(p, t);
    const double *mu = p->mu + p->mu_offset[t];
    const double *ft = f + p->layer_offset[t];
    for (int i = 0; i < p->d; i++) {
        double acc = 0;
        for (int j = 0; j < n; j++)
            acc += mu[(size_t)i * n + j] * ft[j];
        g[i] = acc;
    }
}

void sb_solve_soft(const SbProblem *p, const double *r, const double *ref_logits, SbSoftSolution *out)
{
    int V = p->V;
    double beta = p->beta;
    out->Q = sb_zeros((size_t)p->n_states * V);
    out->V = sb_zeros(p->n_states);
    out->logits = sb_zeros((size_t)p->n_states * V);
    double *g = sb_zeros(p->d);
    double *logref = sb_zeros(V), *tmp = sb_zeros(V);
    for (int t = p->H - 1; t >= 0; t--) {
        if (t + 1 < p->H)
            project_next(p, t + 1, out->V, g);
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            double *q = out->Q + (size_t)s * V;
            sb_log_softmax(ref_logits + (size_t)s * V, V, logref);
            for (int a = 0; a < V; a++) {
                q[a] = r[(size_t)s * V + a] + (t + 1 < p->H ? expect_next(p, s, a, out->V, g) : 0.0);
                tmp[a] = logref[a] + q[a] / beta;
            }
            double v = beta * sb_logsumexp(tmp, V);
            out->V[s] = v;
            for (int a = 0; a < V; a++)
                out->logits[(size_t)s * V + a] = logref[a] + (q[a] - v) / beta;
        }
    }
    out->value = 0;
    for (int x = 0; x < p->n_prompts; x++)
        out->value += p->eval_init[x] * out->V[x];
    free(tmp);
    free(logref);
    free(g);
}

void sb_soft_solution_free(SbSoftSolution *sol)
{
    free(sol->Q);
    free(sol->V);
    free(sol->logits);
    memset(sol, 0, sizeof *sol);
}

/* Q and V of the policy given by logits, with the per-step KL penalty
 * weighted by kl_weight (0: plain returns; beta: the KL-regularised ones). */
static void policy_values(const SbProblem *p, const double *r, const double *logits, double kl_weight, double *Q,
                          double *value)
{
    int V = p->V;
    double *g = sb_zeros(p->d), *logpi = sb_zeros(V), *logref = sb_zeros(V);
    for (int t = p->H - 1; t >= 0; t--) {
        if (t + 1 < p->H)
            project_next(p, t + 1, value, g);
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            sb_log_softmax(logits + (size_t)s * V, V, logpi);
            if (kl_weight != 0)
                sb_log_softmax(p->ref_logits + (size_t)s * V, V, logref);
            double v = 0;
            for (int a = 0; a < V; a++) {
                double q = r[(size_t)s * V + a] + (t + 1 < p->H ? expect_next(p, s, a, value, g) : 0.0);
                if (kl_weight != 0)
                    q -= kl_weight * (logpi[a] - logref[a]);
                Q[(size_t)s * V + a] = q;
                v += exp(logpi[a]) * q;
            }
            value[s] = v;
        }
    }
    free(logref);
    free(logpi);
    free(g);
}

void sb_policy_q(const SbProblem *p, const double *r, const double *logits, double *out)
{
    double *value = sb_zeros(p->n_states);
    policy_values(p, r, logits, 0.0, out, value);
    free(value);
}

double sb_policy_eval_objective(const SbProblem *p, const double *r, const double *logits)
{
    double *Q = sb_zeros((size_t)p->n_states * p->V), *value = sb_zeros(p->n_states);
    policy_values(p, r, logits, p->beta, Q, value);
    double J = 0;
    for (int x = 0; x < p->n_prompts; x++)
        J += p->eval_init[x] * value[x];
    free(value);
    free(Q);
    return J;
}

double sb_policy_objective(const SbProblem *p, const double *r, const double *logits, double *dlogits)
{
    int V = p->V;
    size_t n_sa = (size_t)p->n_states * V;
    double *Q = sb_zeros(n_sa), *value = sb_zeros(p->n_states);
    policy_values(p, r, logits, p->beta, Q, value);
    double J = 0;
    for (int x = 0; x < p->n_prompts; x++)
        J += p->init[x] * value[x];
    if (dlogits) {
        /* dJ/dz(s,a) = d(s) pi(a|s) (Q(s,a) - V(s)): the KL term's own
         * derivative sums to zero over actions (soft policy-gradient theorem) */
        double *occ = sb_zeros(p->n_states), *pi = sb_zeros(V);
        sb_occupancy(p, logits, occ);
        for (int s = 0; s < p->n_states; s++) {
            sb_softmax(logits + (size_t)s * V, V, pi);
            for (int a = 0; a < V; a++)
                dlogits[(size_t)s * V + a] = occ[s] * pi[a] * (Q[(size_t)s * V + a] - value[s]);
        }
        free(pi);
        free(occ);
    }
    free(value);
    free(Q);
    return J;
}

/* Occupancy from the prompt distribution start. */
static void occupancy_from(const SbProblem *p, const double *start, const double *logits, double *occ)
{
    int V = p->V;
    memset(occ, 0, sizeof(double) * (size_t)p->n_states);
    for (int x = 0; x < p->n_prompts; x++)
        occ[x] = start[x];
    double *pi = sb_zeros(V), *z = sb_zeros(p->d);
    for (int t = 0; t + 1 < p->H; t++) {
        memset(z, 0, sizeof(double) * (size_t)p->d);
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            if (occ[s] == 0)
                continue;
            sb_softmax(logits + (size_t)s * V, V, pi);
            for (int a = 0; a < V; a++) {
                double mass = occ[s] * pi[a];
                if (p->transition == SB_TRANSITION_TREE) {
                    occ[p->next_state[s * V + a]] += mass;
                } else {
                    const double *phi = p->phi + ((size_t)s * V + a) * p->d;
                    for (int i = 0; i < p->d; i++)
                        z[i] += mass * phi[i];
                }
            }
        }
        if (p->transition == SB_TRANSITION_LINEAR) {
            /* occ_{t+1}(s') = sum_i z_i mu_{t+1}[i, s'] */
            int n = sb_problem_layer_size(p, t + 1);
            const double *mu = p->mu + p->mu_offset[t + 1];
            double *next = occ + p->layer_offset[t + 1];
            for (int i = 0; i < p->d; i++)
                for (int j = 0; j < n; j++)
                    next[j] += z[i] * mu[(size_t)i * n + j];
        }
    }
    free(z);
    free(pi);
}

void sb_occupancy(const SbProblem *p, const double *logits, double *occ) { occupancy_from(p, p->init, logits, occ); }

void sb_evaluate_policy(const SbProblem *p, const double *logits, const double *w, SbPolicyValue *out)
{
    int V = p->V, m = p->m;
    double *occ = sb_zeros(p->n_states);
    occupancy_from(p, p->eval_init, logits, occ);
    double *logpi = sb_zeros(V), *logref = sb_zeros(V);
    double kl = 0;
    memset(out->aspects, 0, sizeof(double) * (size_t)m);
    for (int s = 0; s < p->n_states; s++) {
        if (occ[s] == 0)
            continue;
        sb_log_softmax(logits + (size_t)s * V, V, logpi);
        sb_log_softmax(p->ref_logits + (size_t)s * V, V, logref);
        for (int a = 0; a < V; a++) {
            double pa = exp(logpi[a]), mass = occ[s] * pa;
            if (pa > 0)
                kl += mass * (logpi[a] - logref[a]);
            const double *rj = p->aspect_rewards + ((size_t)s * V + a) * m;
            for (int j = 0; j < m; j++)
                out->aspects[j] += mass * rj[j];
        }
    }
    out->reward = 0;
    for (int j = 0; j < m; j++)
        out->reward += w[j] * out->aspects[j];
    out->KL = kl;
    out->J = out->reward - p->beta * kl;
    free(logref);
    free(logpi);
    free(occ);
}
