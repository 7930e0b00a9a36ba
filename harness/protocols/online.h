/* soupbench: the online protocol (SPEC section 4).
 *
 * For each of the first online.users held-out users and each of
 * online.seeds answer streams: round t = 1..T draws a training prompt and
 * two responses (online.responses: one from the driver's current policy
 * and one from pi_ref, both from the driver, or both from pi_ref; the
 * driver is the selected method with SB_ROLE_DRIVER, Spectral Souping,
 * and pi_ref when none is selected), and the simulated user answers y1 > y2 with probability
 * sigmoid((R_u(y1) - R_u(y2)) / T) (online.labels: sampled, noise_free, or
 * the probability itself). Every method learns from the same answers:
 * Spectral Souping refits lam after every answer (logistic regression on
 * implicit-reward differences, warm-started Newton steps); methods that
 * need the user's weights get them from a logistic regression on
 * aspect-score differences; lora_soup_cat refits its coefficients at the
 * checkpoints only (each fit is hundreds of Adam steps); reference, oracle,
 * bespoke_rlhf and rlhf_avg do not adapt. Policies are evaluated exactly
 * after every round (regret) and at checkpoints t = 0, 1, 2, 4, ..., T
 * (normalised score, win-rate against pi_ref, simple regret); means with
 * 95% bootstrap intervals over users x seeds; the normalised score's 100%
 * is the method with SB_ROLE_NORMALISER (bespoke_rlhf), run or not. With
 * online.active, every selected method with an active_query (Spectral
 * Souping: the candidate whose implicit-reward difference has the largest
 * variance under the Laplace posterior of lam) is also run in streams it
 * drives itself, asking one of online.candidates candidate pairs a round. */
#ifndef SB_ONLINE_H
#define SB_ONLINE_H

#include "method.h"
#include "results.h"

#define SB_ONLINE_COLS 22 /* t, then mean,lo,hi of: normalized, winrate_ref, cumregret_bespoke,
                             cumregret_oracle, simple_regret, gain (J - J_ref); then the pooled
                             normalised score and its interval */

typedef struct {
    const SbMethod *method;
    int active;          /* the active-query variant of the method */
    int n_checkpoints;
    double *curve;       /* [n_checkpoints x SB_ONLINE_COLS] */
    double adapt_seconds, adapt_flops; /* per user stream, mean */
} SbOnlineCurve;

/* The checkpoints 0, 1, 2, 4, ..., T (T included); returns their number. */
int sb_online_checkpoints(int T, int *out);

/* Run the protocol for the methods that adapt or serve as bounds; returns
 * the curves (*n_curves set), NULL when online.rounds is 0. */
SbOnlineCurve *sb_online_run(const SbContext *ctx, const SbMethod *const *methods, void *const *states, int n,
                             int quiet, int *n_curves);
/* /methods/<name>/online (and online_active) and the table on stdout. */
void sb_online_write(SbResults *r, const SbOnlineCurve *curves, int n);
void sb_online_print(const SbContext *ctx, const SbOnlineCurve *curves, int n);
void sb_online_free(SbOnlineCurve *curves, int n);

/* One answer stream driven by one adaptive method alone (tests, the
 * ablations): its coefficients (warm_size numbers, lam for a soup) after T
 * answers of the user with weights w, from the stream seed. Returns the
 * simple regret J_u(pi*) - J_u(pi) at T. */
double sb_online_soup_final(const SbContext *ctx, const SbMethod *soup, void *state, const double *w, uint64_t seed,
                            int T, double *lam);

#endif
