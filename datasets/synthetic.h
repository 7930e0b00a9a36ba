/* soupbench: the synthetic enumerable MDP (SPEC sections 1 and 5). */
#ifndef SB_SYNTHETIC_H
#define SB_SYNTHETIC_H

#include <stddef.h>

#include "config.h"
#include "problem.h"
#include "results.h"

/* Generate the MDP, its reference network and policy, and the users, all
 * from cfg->seed. Deterministic: the same config gives the same numbers. */
SbProblem *sb_synthetic_build(const SbConfig *cfg);
/* A one-line description of the generated MDP for the results file. */
void sb_synthetic_describe(const SbProblem *p, char *buf, size_t n);

/* Everything a reviewer needs to recompute the exact solution with their
 * own code: /data/synthetic (layout in results/README.md), with the
 * singular values of the reference representation as its spectrum. */
void sb_synthetic_write(SbResults *r, const SbProblem *p, const SbConfig *cfg);

#endif
