/* soupbench: the cost ledger (SPEC section 6, "Cost"): wall time and FLOPs
 * of every policy a run trains, collected as they happen and written to
 * /cost at the end. */
#ifndef SB_COST_H
#define SB_COST_H

#include "results.h"
#include "train.h"

/* Record one trained policy under a group ("basis/lora", "bespoke_rlhf")
 * with an item name ("0", "user 3"). */
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

#endif
