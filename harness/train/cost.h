/* soupbench: the cost ledger (SPEC section 6, "Cost"): wall time and FLOPs
 * of every policy a run trains, collected as they happen and written to
 * /cost at the end. */
#ifndef SB_COST_H
#define SB_COST_H

#include "results.h"
#include "train.h"

/* Record one trained policy under a group ("basis/lora", "bespoke_rlhf")
 * with an item name ("0", "user 3"); NULL: the group's next number. Inside
 * a unit (harness/base/units.h) the entry reaches the ledger after the
 * stage, in unit order. */
void sb_cost_record(const char *group, const char *item, const SbTrainStats *st);
/* /cost/<group>: per item seconds, flops, steps; attributes with totals. */
void sb_cost_write(SbResults *r);
/* Total seconds and flops recorded under a group; 0 if none. */
void sb_cost_total(const char *group, double *seconds, double *flops, int *count);
void sb_cost_reset(void);
/* The ledger's length, and dropping what was recorded after it: work that
 * belongs to a side experiment (the gap sweep) stays out of /cost. */
int sb_cost_mark(void);
void sb_cost_truncate(int mark);
/* Adam steps recorded under a group, summed over its items; 0 if none. */
long sb_cost_total_steps(const char *group);

/* ---- the analytic cost model (harness/README.md, "Cost") ------------
 *
 * In the ledger's own accounting (harness/core/mlp.c, policy.c, train.c,
 * methods/spectral.c), so that a formula and a measurement can be set side
 * by side and the crossover stated without running it. */

/* The shape of a policy network: rows states per pass, n_in inputs,
 * `layers` tanh layers of `width`, V outputs; form and LoRA rank. */
typedef struct {
    int rows, n_in, width, layers, V;
    SbPolicyForm form;
    int rank;
} SbCostNet;

/* Trainable parameters P of the form (harness/core/policy.c's count). */
double sb_cost_net_params(const SbCostNet *n);
/* One training step as the ledger counts it: the forward pass over every
 * row (2 rows W fan_in + rows W per layer, 20 per tanh, the head
 * 2 rows V W + rows V), the backward pass (the head 4 rows V W for full
 * fine-tuning, 2 rows V W for LoRA; 2 rows W fan_in per layer; the input
 * gradient 2 rows W^2 of every layer but the first; 4 rows W per layer),
 * LoRA's products (2 W fan_in r forward, 4 W fan_in r backward, per
 * layer), and Adam and the loss (12 P + 20 rows V). About 6 rows P for a
 * wide network. */
double sb_cost_train_step_flops(const SbCostNet *n);
/* One logistic fit of lam to n answered pairs of horizon H on K basis
 * policies, with `passes` Newton passes (the solver's iterations + 1):
 * the implicit-reward features 2 n H K, then 2 n K (K + 2) per pass
 * (methods/spectral.c, sb_spectral_fit_pairs). Exactly what the ledger
 * records for it. */
double sb_cost_fit_flops(double n, int H, int K, double passes);
/* The fits of one user's adaptation over T answers, refitting on all the
 * answers so far after every one (t = 1..T) with `passes` passes each:
 * sum_t fit(t) = T (T + 1) K (H + passes (K + 2)). */
double sb_cost_adapt_fit_flops(int T, int H, int K, double passes);
/* Serving the soup after every refit and at t = 0: T + 1 mixtures of K
 * logit tables over n_sa pairs, 2 n_sa K each (not in the ledger). */
double sb_cost_adapt_serve_flops(int T, double n_sa, int K);
/* The Newton passes per refit that make sb_cost_adapt_fit_flops equal a
 * measured adaptation's fit FLOPs (an answer-weighted mean). */
double sb_cost_adapt_passes(double fit_flops, int T, int H, int K);
/* The crossover K*: the basis size at which adapting one user over T
 * answers (fits and serving) costs `bespoke_flops`, the positive root of
 *   T (T + 1) passes K^2 + [T (T + 1) (H + 2 passes) + 2 (T + 1) n_sa] K = bespoke_flops.
 * It grows with the bespoke policy's cost (width, layers, states, steps)
 * and falls with T and passes. */
double sb_cost_crossover_K(double bespoke_flops, int T, int H, double passes, double n_sa);

#endif
