/* soupbench tests: small problems and independent brute-force helpers. */
#ifndef SB_TESTUTIL_H
#define SB_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "problem.h"
#include "sb.h"
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

#endif
