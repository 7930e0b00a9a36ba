/* soupbench: the regime block of a run (SPEC section 2, "Regime"): the
 * trained policies' weight changes and gain fractions from the regime
 * ledger (harness/train/regime.h), the nonlinearity of every parameter
 * merge the run's basis and experts allow, stored under /regime, printed,
 * and a warning when the run is outside the regime its config declares
 * ($.regime). */
#ifndef SB_REGIME_REPORT_H
#define SB_REGIME_REPORT_H

#include "method.h"
#include "results.h"

void sb_regime_report(const SbContext *ctx, SbResults *r, int quiet);

#endif
