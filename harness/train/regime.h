/* soupbench: regime diagnostics (SPEC section 2, "Regime").
 *
 * Parameter merging is only meaningful where fine-tuned weights stay close
 * to the reference. For every trained policy the ledger below keeps
 *  - the relative weight change: full fine-tuning ||theta - theta_ref|| /
 *    ||theta_ref|| over every weight and bias; LoRA sqrt(sum_l ||U_l||^2) /
 *    sqrt(sum_l ||W_l||^2) with U_l = (alpha/r) B_l A_l over the adapted
 *    hidden layers; and the same per layer (full: hidden layers then the
 *    output head);
 *  - the fraction of the oracle's gain it reaches on its own reward rho:
 *    (J_rho(pi) - J_rho(pi_ref)) / (J_rho(pi*_rho) - J_rho(pi_ref)), on the
 *    training prompts (how far training got) and on the held-out prompts;
 * and for a parameter merge with coefficients c its nonlinearity
 *    ||l(merged theta) - l_mix|| / ||l_mix - l_ref||,
 *    l_mix = (1 - sum_k c_k) l_ref + sum_k c_k l_k,
 * with logits centred over each state's actions (per-state constants do
 * not change a policy): 0 when merging in parameters is merging outputs. */
#ifndef SB_REGIME_H
#define SB_REGIME_H

#include "policy.h"
#include "problem.h"
#include "results.h"

#define SB_REGIME_MAX_LAYERS 9 /* hidden layers (8 at most) and the head */

typedef struct {
    char group[64], item[64];
    SbPolicyForm form;
    int n_layers;                               /* entries of layer_change */
    double change;                              /* relative weight change */
    double layer_change[SB_REGIME_MAX_LAYERS];
    double gain_train, gain_eval;               /* fraction of the oracle's gain */
} SbRegimeEntry;

/* Diagnostics of pol (logits its policy on every state) trained on rho. */
void sb_regime_measure(const SbProblem *p, const SbPolicy *pol, const double *logits, const double *rho,
                       SbRegimeEntry *out);
/* Measure and record under a group ("basis/lora", "bespoke_rlhf"); item
 * NULL: the group's next number; logits NULL: computed here. Inside a unit
 * the entry reaches the ledger after the stage, in unit order. */
void sb_regime_record(const char *group, const char *item, const SbProblem *p, const SbPolicy *pol,
                      const double *logits, const double *rho);

/* The nonlinearity of a merge: merged [n_sa], the K merged policies' logits
 * logits [K x n_sa], coefficients c [K]. */
double sb_regime_merge_nonlinearity(const SbProblem *p, const double *merged, const double *logits, const double *c,
                                    int K);

/* The ledger, as the cost ledger: its entries, length and truncation. */
const SbRegimeEntry *sb_regime_entries(int *n);
int sb_regime_mark(void);
void sb_regime_truncate(int mark);

/* /regime/<group>: per item the change, the per-layer changes and the gain
 * fractions. */
void sb_regime_write(SbResults *r);

#endif
