/* soupbench: the cost of personalisation in scale-free units (SPEC section
 * 6, "Cost"; the model in harness/README.md and harness/train/cost.h).
 *
 * The unit is one bespoke policy: the mean FLOPs the ledger recorded for
 * one policy of the normaliser (bespoke_rlhf). Against it, the online
 * driver's (spectral_soup's) adaptation to one user: per answer and in
 * total over the T answers of a stream (the ledger's fits), the analytic
 * model beside it (fits, serving, the bespoke policy), the crossover basis
 * size K* at which adapting costs one bespoke policy, and the number of
 * users after which the offline basis has paid for itself. Printed after
 * the online table and written to /cost/scale_free; skipped unless the run
 * has both an online driver curve and a trained normaliser. */
#ifndef SB_COST_REPORT_H
#define SB_COST_REPORT_H

#include "method.h"
#include "online.h"
#include "results.h"

void sb_cost_report(const SbContext *ctx, const SbOnlineCurve *curves, int n, SbResults *r, int quiet);

#endif
