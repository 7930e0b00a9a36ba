/* soupbench: the real-data track's own summary (SPEC section 5), after the
 * offline protocol:
 *  - a per-aspect table: each method's expected aspect rewards and KL on
 *    the test prompts, averaged over the held-out users (/realdata/per_aspect);
 *  - example answers: for user A (all weight on the first aspect) and user
 *    B (all weight on the second), the candidate each method ranks first on
 *    the first three test prompts (/realdata/example_answers);
 *  - the harmlessness reward model: Bradley-Terry on HH-RLHF pairs, its
 *    held-out pairwise accuracy with a Wilson interval
 *    (/realdata/harmlessness). */
#ifndef SB_REALDATA_REPORT_H
#define SB_REALDATA_REPORT_H

#include "method.h"
#include "offline.h"
#include "realdata.h"
#include "results.h"

void sb_realdata_report(const SbContext *ctx, const SbRealData *rd, const SbMethodResult *res, int n, SbResults *r,
                        int quiet);

#endif
