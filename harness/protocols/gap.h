/* soupbench: the spectral-gap sweep (SPEC section 1, "why souping can be
 * exact"). For every misspecification x transition x horizon of $.gap, a
 * fresh MDP (the config's dataset with those three changed), basis and
 * experts, and for every held-out user: each listed method's gap to the
 * oracle, J_u(pi*) - J_u(pi), and the residual of the user's Q* on the span
 * of the basis functions, modulo per-state constants: once on the trained
 * basis's implicit Q (what the soup merges) and once on the exact Q* of the
 * basis rewards (the theory's basis). Written to /gap, drawn by `plot`. */
#ifndef SB_GAP_H
#define SB_GAP_H

#include "config.h"
#include "results.h"

/* Number of settings the sweep runs (0 when $.gap.horizons is empty). */
int sb_gap_settings(const SbConfig *cfg);
/* Run the sweep and write /gap; prints a table unless quiet. */
void sb_gap_run(const SbConfig *cfg, SbResults *r, int quiet);

#endif
