/* soupbench: the trainers shared by every learned method (SPEC section 3).
 *
 *  - "pg": exact KL-regularised policy gradient. The loss is -J(pi_theta)
 *    for reward r, computed with its exact gradient over every enumerated
 *    state (harness/solver.c), the synthetic track's "RLHF".
 *  - "dpo": Bradley-Terry preference optimisation on trajectory pairs
 *    sampled from pi_ref and labelled by r (noise-free: the larger return
 *    wins; bradley_terry: y1 wins with probability sigmoid((R1 - R2) / T)).
 *    Loss -log sigmoid(beta * (log-ratio(y+) - log-ratio(y-))), full batch.
 *
 * Optimiser: Adam (0.9, 0.999, 1e-8) with the learning rate warmed up
 * linearly over `warmup` steps, then a cosine decay to zero at `steps`.
 * Early stop: the held-out loss (DPO: held-out pairs; PG: -J itself, which
 * is exact) is checked every step; after `patience` steps without
 * improvement training stops, and the best weights are kept. A NaN or Inf in
 * a loss or a gradient stops the run naming the run, the step and the
 * tensor. */
#ifndef SB_TRAIN_H
#define SB_TRAIN_H

#include "config.h"
#include "pairs.h"
#include "policy.h"
#include "problem.h"

typedef struct {
    int steps;               /* steps run */
    int best_step;           /* the step whose weights were kept */
    double seconds;          /* wall time */
    double flops;            /* floating-point operations of the passes */
    double loss;             /* training loss at the kept weights */
    double heldout_loss;     /* held-out loss at the kept weights */
    double heldout_accuracy; /* DPO: held-out pairwise accuracy; PG: NaN */
} SbTrainStats;

/* Train pol in place on reward r [n_states * V]; label names the run in
 * messages ("basis lora 2", "bespoke user 5"); seed drives DPO's pairs. */
void sb_train(const SbProblem *p, SbPolicy *pol, const double *r, const SbTrainConfig *tc, uint64_t seed,
              const char *label, SbTrainStats *st);

/* One training step's buffers, allocated once per trainer and reused by
 * every step: the logits, their gradient and the passes' activations. */
typedef struct SbTrainWork SbTrainWork;
/* For policy pol on p; pairs (not owned, may be NULL) are the DPO
 * training pairs, NULL for the policy-gradient trainer. */
SbTrainWork *sb_train_work_new(const SbProblem *p, const SbPolicy *pol, const SbPairs *pairs);
void sb_train_work_free(SbTrainWork *w);
/* One step at the policy's current weights: forward over every state, the
 * training loss (DPO on the pairs; else -J of reward r) returned, and its
 * gradient with respect to theta into grad [n_params]. */
double sb_train_work_step(SbTrainWork *w, const double *r, double *grad);

/* Logits of the policy on every state of p: [n_states * V], the network's
 * output plus p->logit_offset when the problem has one. */
void sb_policy_logits(const SbProblem *p, const SbPolicy *pol, double *logits);
/* The same, keeping in cache what sb_policy_backward needs (the offset is a
 * constant: the gradient with respect to the logits is unchanged). */
void sb_policy_logits_cached(const SbProblem *p, const SbPolicy *pol, double *logits, SbPolicyCache *cache);

#endif
