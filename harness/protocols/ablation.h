/* soupbench: the basis-size and reference-width ablations (SPEC section 6).
 * For every reference width of $.ablation.widths (the config's width when
 * empty) and every basis size K of $.ablation.K: a fresh reference, a
 * basis of K policies (of $.basis.kind when it is feature_svd or
 * feature_random, else random signed aspect combinations), and the online protocol driven by
 * the ablated method (SB_ROLE_ABLATED: spectral_soup) alone for the first $.ablation.users held-out users, one
 * stream each of $.ablation.rounds answers. Per (width, K): the final
 * normalised score (mean and 95% bootstrap interval over users) and the
 * numerical rank of the basis implicit-Q matrix (LoRA and full). Written to
 * /ablations/K, drawn by `plot`. */
#ifndef SB_ABLATION_H
#define SB_ABLATION_H

#include "config.h"
#include "results.h"

void sb_ablation_run(const SbConfig *cfg, SbResults *r, int quiet);

#endif
