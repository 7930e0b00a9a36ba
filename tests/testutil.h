/* soupbench tests: small problems and independent brute-force helpers. */
#ifndef SB_TESTUTIL_H
#define SB_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "config.h"
#include "problem.h"
#include "sb.h"
#include "solver.h"
#include "synthetic.h"

/* A small synthetic problem with the given shape, built by the real
 * generator; transition as the config spells it ("tree", "linear"). */
static inline SbProblem *tiny_problem(const char *transition, int H, int prompts, int V, int states, int d,
                                      int m, double rho, uint64_t seed)
{
    SbConfig cfg;
    char json[96];
    snprintf(json, sizeof json, "{\"dataset\": {\"transition\": \"%s\"}}", transition);
    SB_ASSERT(sb_config_parse(json, "tiny_problem", &cfg) == 0);
    cfg.dataset.horizon = H;
    cfg.dataset.prompts = prompts;
    cfg.dataset.vocab = V;
    cfg.dataset.states = states;
    cfg.dataset.spectral_dim = d;
    cfg.dataset.aspects = m;
    cfg.dataset.misspecification = rho;
    cfg.seed = seed;
    cfg.beta = 0.7;
    cfg.users.train = 3;
    cfg.users.test = 3;
    cfg.users.weights = SB_WEIGHTS_SIGNED;
    return sb_synthetic_build(&cfg);
}

/* Dense P(s'|s,a) over the states of step t+1, computed from the stored
 * factors (phi, mu) or the tree's next-state table without the solver. */
static inline void dense_transition(const SbProblem *p, int s, int a, int t, double *row)
{
    int n = p->layer_offset[t + 2] - p->layer_offset[t + 1];
    memset(row, 0, sizeof(double) * (size_t)n);
    if (p->transition == SB_TRANSITION_TREE) {
        row[p->next_state[s * p->V + a] - p->layer_offset[t + 1]] = 1.0;
        return;
    }
    const double *mu = p->mu + p->mu_offset[t + 1];
    for (int i = 0; i < p->d; i++)
        for (int j = 0; j < n; j++)
            row[j] += p->phi[((size_t)s * p->V + a) * p->d + i] * mu[(size_t)i * n + j];
}

static inline double log_prob(const double *logits, int V, int a)
{
    double mx = logits[0], z = 0;
    for (int b = 1; b < V; b++)
        if (logits[b] > mx)
            mx = logits[b];
    for (int b = 0; b < V; b++)
        z += exp(logits[b] - mx);
    return logits[a] - mx - log(z);
}

static inline double rel_diff(double a, double b) { return fabs(a - b) / (1.0 + fabs(b)); }

/* H = 1 token tree with an exact basis rho_1 = r_1 + r_2, rho_2 = r_2 (the
 * soft-optimal policies, both basis forms holding the same logits): a user
 * r_u = 0.8 r_1 + 0.3 r_2 = 0.8 rho_1 - 0.5 rho_2 has lam = (0.8, -0.5). */
static inline SbBasis *exact_basis_h1(const SbProblem *p)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbBasis *b = sb_calloc(1, sizeof *b);
    strcpy(b->name, "basis");
    b->K = 2;
    b->m = p->m;
    b->R = sb_zeros(4);
    double w[2][2] = {{1, 1}, {0, 1}}, *rho = sb_zeros(n_sa);
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        b->policies[f] = sb_calloc(2, sizeof(SbPolicy *));
        b->stats[f] = sb_calloc(2, sizeof(SbTrainStats));
        b->logits[f] = sb_zeros(2 * n_sa);
    }
    for (int k = 0; k < 2; k++) {
        sb_problem_user_reward(p, w[k], rho);
        SbSoftSolution sol;
        sb_solve_soft(p, rho, p->ref_logits, &sol);
        for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
            memcpy(b->logits[f] + (size_t)k * n_sa, sol.logits, n_sa * sizeof(double));
        sb_soft_solution_free(&sol);
    }
    free(rho);
    return b;
}

#endif
