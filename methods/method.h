/* soupbench: the one interface every method implements (SPEC section 2).
 *
 * A method is one file in methods/ defining a `const SbMethod` and one line
 * in registry.c. Given a problem and a user's weights w (m numbers), a
 * method serves a policy as logits on every enumerated state. */
#ifndef SB_METHOD_H
#define SB_METHOD_H

#include "basis.h"
#include "config.h"
#include "problem.h"
#include "pairs.h"
#include "results.h"

/* What a method may use: the problem, the config, the spectral basis
 * (NULL when the config has none) and the aspect experts (one policy per
 * aspect; NULL unless a selected method needs them). */
typedef struct {
    const SbProblem *p;
    const SbConfig *cfg;
    const SbBasis *basis;
    const SbBasis *experts;
} SbContext;

enum {
    SB_NEEDS_BASIS = 1,   /* the spectral basis */
    SB_NEEDS_EXPERTS = 2, /* one expert policy per aspect */
};

/* How a method behaves in the online protocol (SPEC section 4). */
typedef enum {
    SB_ONLINE_FIXED = 0,    /* does not learn from answers (reference, oracle, bespoke_rlhf, rlhf_avg) */
    SB_ONLINE_WEIGHTS = 1,  /* served with the weights fitted to the answers on aspect-score differences */
    SB_ONLINE_FEEDBACK = 2, /* learns from the answers itself (adapt) */
} SbOnlineKind;

typedef struct SbMethod {
    const char *name;
    const char *description;
    int needs; /* SB_NEEDS_* flags */
    /* Offline stage, once per experiment; NULL if the method needs none.
     * Returns the method's state. */
    void *(*prepare)(const SbContext *ctx);
    /* The policy served to a user with weights w: n_states x vocab logits. */
    void (*serve)(const SbContext *ctx, void *state, const double *w, double *logits);
    SbOnlineKind online;
    /* SB_ONLINE_FEEDBACK: the policy after the answers so far; warm holds
     * warm_size(state) numbers carried from the user's previous round
     * (zero-filled before the first). */
    void (*adapt)(const SbContext *ctx, void *state, const SbPairs *answers, double *warm, double *logits);
    int (*warm_size)(const SbContext *ctx, void *state);
    int adapt_at_checkpoints; /* adapt is costly: the online protocol refits only at its checkpoints */
    /* Method-specific results under `group` (/methods/<name>), after every
     * user and Pareto point was served; NULL if none. */
    void (*write)(const SbContext *ctx, void *state, SbResults *r, const char *group);
    /* Frees what prepare returned; NULL if prepare is NULL. */
    void (*release)(void *state);
} SbMethod;

/* The registered method of that name, or NULL. */

const SbMethod *sb_method_find(const char *name);
/* Every registered method, in registry order; *n set. */
const SbMethod *const *sb_method_all(int *n);

#endif
