/* soupbench: exact soft-optimal solver and policy evaluation (harness/solver.h). */
#include "solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "vmath.h"

/* An array of n doubles every element of which is written before it is
 * read (no zeroing: calloc's memset is wasted work on every pass). */
static double *uninit(size_t n) { return sb_malloc(sizeof(double) * (n > 0 ? n : 1)); }

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

/* log pi and pi of the policy given by logits at every state:
 * logpi, pi [n_states * V] (pi = exp(logpi)), with the vectorised
 * functions of vmath.h; scratch: n_states * (V + 1) doubles. */
static void policy_tables(const SbProblem *p, const double *logits, double *logpi, double *pi, double *scratch)
{
    sb_vlog_softmax_rows(logits, p->n_states, p->V, logpi, pi, scratch);
}

/* Q and V of the policy with tables logpi, pi, with the per-step KL
 * penalty weighted by kl_weight (0: plain returns, logref unused; beta:
 * the KL-regularised ones against logref [n_states * V]). g [d] is
 * scratch. */
static void policy_values(const SbProblem *p, const double *r, const double *logpi, const double *pi,
                          const double *logref, double kl_weight, double *Q, double *value, double *g)
{
    int V = p->V;
    for (int t = p->H - 1; t >= 0; t--) {
        if (t + 1 < p->H)
            project_next(p, t + 1, value, g);
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            const size_t at = (size_t)s * V;
            double v = 0;
            for (int a = 0; a < V; a++) {
                double q = r[at + a] + (t + 1 < p->H ? expect_next(p, s, a, value, g) : 0.0);
                if (kl_weight != 0)
                    q -= kl_weight * (logpi[at + a] - logref[at + a]);
                Q[at + a] = q;
                v += pi[at + a] * q;
            }
            value[s] = v;
        }
    }
}

/* log pi_ref at every state [n_states * V]. */
static void reference_table(const SbProblem *p, double *logref, double *scratch)
{
    sb_vlog_softmax_rows(p->ref_logits, p->n_states, p->V, logref, NULL, scratch);
}

/* Occupancy from the prompt distribution start, with the policy's
 * probabilities pi [n_states * V]; z [d] is scratch. */
static void occupancy_from(const SbProblem *p, const double *start, const double *pi_all, double *occ, double *z)
{
    int V = p->V;
    memset(occ, 0, sizeof(double) * (size_t)p->n_states);
    for (int x = 0; x < p->n_prompts; x++)
        occ[x] = start[x];
    for (int t = 0; t + 1 < p->H; t++) {
        memset(z, 0, sizeof(double) * (size_t)p->d);
        for (int s = p->layer_offset[t]; s < p->layer_offset[t + 1]; s++) {
            if (occ[s] == 0)
                continue;
            const double *pi = pi_all + (size_t)s * V;
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
}

struct SbObjectiveWork {
    const SbProblem *p;
    double *logref;         /* [n_states * V]: log pi_ref, computed once */
    double *logpi, *pi, *Q; /* [n_states * V] */
    double *value, *occ;    /* [n_states] */
    double *g;              /* [d] */
    double *scratch;        /* [n_states * (V + 1)]: the soft-max's */
};

SbObjectiveWork *sb_objective_work_new(const SbProblem *p)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbObjectiveWork *w = sb_calloc(1, sizeof *w);
    w->p = p;
    w->logref = uninit(n_sa);
    w->logpi = uninit(n_sa);
    w->pi = uninit(n_sa);
    w->Q = uninit(n_sa);
    w->value = sb_zeros(p->n_states);
    w->occ = sb_zeros(p->n_states);
    w->g = sb_zeros(p->d);
    w->scratch = uninit((size_t)p->n_states * (p->V + 1));
    reference_table(p, w->logref, w->scratch);
    return w;
}

void sb_objective_work_free(SbObjectiveWork *w)
{
    if (!w)
        return;
    free(w->logref);
    free(w->logpi);
    free(w->pi);
    free(w->Q);
    free(w->value);
    free(w->occ);
    free(w->g);
    free(w->scratch);
    free(w);
}

/* Q and V of the policy given by logits into w (KL weight kl_weight). */
static void work_values(SbObjectiveWork *w, const double *r, const double *logits, double kl_weight)
{
    policy_tables(w->p, logits, w->logpi, w->pi, w->scratch);
    policy_values(w->p, r, w->logpi, w->pi, w->logref, kl_weight, w->Q, w->value, w->g);
}

double sb_policy_objective_work(SbObjectiveWork *w, const double *r, const double *logits, double *dlogits)
{
    const SbProblem *p = w->p;
    int V = p->V;
    work_values(w, r, logits, p->beta);
    double J = 0;
    for (int x = 0; x < p->n_prompts; x++)
        J += p->init[x] * w->value[x];
    if (dlogits) {
        /* dJ/dz(s,a) = d(s) pi(a|s) (Q(s,a) - V(s)): the KL term's own
         * derivative sums to zero over actions (soft policy-gradient theorem) */
        occupancy_from(p, p->init, w->pi, w->occ, w->g);
        for (int s = 0; s < p->n_states; s++) {
            const size_t at = (size_t)s * V;
            for (int a = 0; a < V; a++)
                dlogits[at + a] = w->occ[s] * w->pi[at + a] * (w->Q[at + a] - w->value[s]);
        }
    }
    return J;
}

void sb_policy_q(const SbProblem *p, const double *r, const double *logits, double *out)
{
    SbObjectiveWork *w = sb_objective_work_new(p);
    work_values(w, r, logits, 0.0);
    memcpy(out, w->Q, sizeof(double) * (size_t)p->n_states * p->V);
    sb_objective_work_free(w);
}

double sb_policy_eval_objective(const SbProblem *p, const double *r, const double *logits)
{
    SbObjectiveWork *w = sb_objective_work_new(p);
    work_values(w, r, logits, p->beta);
    double J = 0;
    for (int x = 0; x < p->n_prompts; x++)
        J += p->eval_init[x] * w->value[x];
    sb_objective_work_free(w);
    return J;
}

double sb_policy_objective(const SbProblem *p, const double *r, const double *logits, double *dlogits)
{
    SbObjectiveWork *w = sb_objective_work_new(p);
    double J = sb_policy_objective_work(w, r, logits, dlogits);
    sb_objective_work_free(w);
    return J;
}

/* Occupancy from start, computing pi where it is needed. */
static void occupancy_of_logits(const SbProblem *p, const double *start, const double *logits, double *occ)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logpi = sb_zeros(n_sa), *pi = sb_zeros(n_sa), *z = sb_zeros(p->d);
    double *scratch = sb_zeros((size_t)p->n_states * (p->V + 1));
    policy_tables(p, logits, logpi, pi, scratch);
    occupancy_from(p, start, pi, occ, z);
    free(scratch);
    free(z);
    free(pi);
    free(logpi);
}

void sb_occupancy(const SbProblem *p, const double *logits, double *occ) { occupancy_of_logits(p, p->init, logits, occ); }

void sb_occupancy_eval(const SbProblem *p, const double *logits, double *occ)
{
    occupancy_of_logits(p, p->eval_init, logits, occ);
}

void sb_evaluate_policy(const SbProblem *p, const double *logits, const double *w, SbPolicyValue *out)
{
    int V = p->V, m = p->m;
    double *occ = sb_zeros(p->n_states);
    occupancy_of_logits(p, p->eval_init, logits, occ);
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
