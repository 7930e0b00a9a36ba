/* soupbench: preference pairs and the answers to them (SPEC sections 3, 4).
 *
 * A pair is two responses (trajectories) to one prompt, drawn from pi_ref;
 * y is the probability that the first is preferred: an observed answer
 * (0 or 1) or, for the offline protocol's expected answers, the
 * Bradley-Terry probability sigmoid((R_u(y1) - R_u(y2)) / T) itself. The
 * same pairs feed DPO, Spectral Souping's logistic regression and the
 * LoRA-soup coefficients, so every method sees the same data. */
#ifndef SB_PAIRS_H
#define SB_PAIRS_H

#include "config.h" /* SbLabelKind */
#include "problem.h"
#include "sb.h"

typedef struct {
    SbLabelKind kind;
    double temperature; /* T > 0 */
    int winner_first;   /* reorder each pair so that the preferred response comes first (y = 1) */
} SbPairLabels;

typedef struct {
    int n, H, cap;
    int *s, *a; /* [n x 2 x H]: states and actions of the first then the second response */
    double *y;  /* [n]: probability that the first is preferred */
} SbPairs;

/* n pairs from pi_ref on prompts drawn from D restricted to [x_lo, x_hi),
 * answered under reward r [n_states * V]. */
SbPairs sb_pairs_sample(const SbProblem *p, const double *r, int n, int x_lo, int x_hi, const SbPairLabels *labels,
                        SbRng *rng);
void sb_pairs_free(SbPairs *pairs);
/* An empty set with room for `capacity` pairs, and appending one pair
 * whose responses come from two policies given by logits (the online
 * protocol's current policy, or pi_ref). */
void sb_pairs_reserve(SbPairs *pairs, int H, int capacity);
void sb_pairs_add(const SbProblem *p, SbPairs *pairs, const double *r, int x_lo, int x_hi, const double *logits1,
                  const double *logits2, const SbPairLabels *labels, SbRng *rng);

/* X [n x K]: for each pair, sum_t g_k(first) - sum_t g_k(second) of K
 * functions g [K x n_states * V] on the pairs (implicit rewards q_k for
 * Spectral Souping, aspect rewards r_j for the baselines' weights). */
void sb_pairs_features(const SbProblem *p, const SbPairs *pairs, const double *g, int K, double *X);

/* Mean DPO loss -[y log sigmoid(z) + (1 - y) log sigmoid(-z)],
 * z = beta (log-ratio(first) - log-ratio(second)), of the policy given by
 * logits [n_states * V]; dlogits (nullable) receives its gradient;
 * *accuracy (nullable) the share of pairs whose more likely preferred
 * response (y >= 1/2) has the larger implicit reward. */
double sb_dpo_loss(const SbProblem *p, const SbPairs *pairs, const double *logits, double *dlogits,
                   double *accuracy);

/* The same loss with its fixed quantities computed once: a workspace per
 * trainer holds log pi_ref at every state, and log pi and pi of the
 * logits last set, shared by every pair set evaluated at them (training
 * and held-out pairs). */
typedef struct SbDpoWork SbDpoWork;
SbDpoWork *sb_dpo_work_new(const SbProblem *p);
void sb_dpo_work_free(SbDpoWork *w);
void sb_dpo_work_set_logits(SbDpoWork *w, const double *logits);
/* sb_dpo_loss at the logits last set. */
double sb_dpo_work_loss(const SbDpoWork *w, const SbPairs *pairs, double *dlogits, double *accuracy);

#endif
