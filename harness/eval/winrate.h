/* soupbench: win-rates between two policies under a user's utility
 * (SPEC section 6): P(R_u(tau) > R_u(tau')) + 0.5 P(R_u(tau) = R_u(tau')),
 * tau ~ pi and tau' ~ pi' from the same prompt x ~ D, R_u the return. */
#ifndef SB_WINRATE_H
#define SB_WINRATE_H

#include "problem.h"
#include "sb.h"

typedef struct {
    double rate;
    double lo, hi; /* 95% interval: equal to rate when exact (Wilson when sampled) */
    int exact;     /* 1 when every trajectory pair was enumerated */
} SbWinRate;

/* Trajectories from one prompt (the number a policy can produce). */
double sb_trajectories_per_prompt(const SbProblem *p);

/* Exact when trajectories_per_prompt^2 <= max_enumerate, otherwise from
 * `samples` sampled pairs drawn with rng. r is r_u on every pair. */
SbWinRate sb_winrate(const SbProblem *p, const double *r, const double *logits_a, const double *logits_b,
                     int64_t max_enumerate, int samples, SbRng *rng);

/* The returns and probabilities of every trajectory of a policy from
 * prompt x: arrays of *n entries (malloc'd). Brute force, for exact
 * win-rates and for tests. */
void sb_enumerate_trajectories(const SbProblem *p, const double *r, const double *logits, int x, double **ret,
                               double **prob, int *n);

/* Wilson score interval (95%) for a proportion phat out of n. */
void sb_wilson(double phat, int n, double *lo, double *hi);

#endif
