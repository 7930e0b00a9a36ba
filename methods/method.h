/* soupbench: the one interface every method implements (SPEC section 2).
 *
 * A method is one file in methods/ defining a `const SbMethod` and one line
 * in registry.c. Given a problem and a user's weights w (m numbers), a
 * method serves a policy as logits on every enumerated state.
 *
 * The protocols (harness/protocols) and the commands (harness/cli) know a
 * method only through this struct: what it needs, how it learns online,
 * the role it plays in the comparison, where its cost goes and how it is
 * drawn. They never test a method's name (tests/protocols_names.sh) nor
 * read its state; tests/test_methods.c pins every registered method's
 * capabilities. */
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

/* The places a protocol gives one method in the comparison (`roles`, a
 * set of flags). Each role is held by exactly one registered method; a
 * protocol takes the first selected method that holds it (or, for the
 * normaliser, the registered one, run or not). */
enum {
    SB_ROLE_REFERENCE = 1 << 0,  /* pi_ref itself, the 0% point of the normalised score; `plot` draws
                                    the fronts' reference point in its style */
    SB_ROLE_ORACLE = 1 << 1,     /* the exact pi* of r_u; `plot` joins its Pareto front with a line */
    SB_ROLE_NORMALISER = 1 << 2, /* the 100% point of the normalised score: the offline protocol
                                    normalises by it when it is run, the online protocol serves it
                                    to every user whether it is run or not */
    SB_ROLE_POPULATION = 1 << 3, /* the one-size-fits-all baseline of the winrate_avg columns: the
                                    offline protocol serves it once (same_for_all must be set) */
    SB_ROLE_DRIVER = 1 << 4,     /* its current policy proposes the online protocol's responses
                                    ($.online.responses "soup" and "soup_ref"; pi_ref when it is not
                                    run), and its adaptation cost is printed against one policy of
                                    the normaliser */
    SB_ROLE_ABLATED = 1 << 5,    /* the method whose basis size and reference width the ablation
                                    sweeps (harness/protocols/ablation.h), in online streams of its
                                    own: it must adapt (SB_ONLINE_FEEDBACK) and need the basis only */
};

/* Where a method's own cost goes in the cost ledger (harness/train/cost.h).
 * What it builds on (`needs`) is counted once, under basis/<form> and
 * experts/<form>; a cheap per-user fit (the soups' lam) is timed by the
 * online protocol instead (/cost/online). `run` prints the ledger's
 * method groups in this order. */
typedef enum {
    SB_COST_NONE = 0,            /* nothing under its name */
    SB_COST_OFFLINE = 1,         /* its own policy, trained once: ledger group <name> (rlhf_avg) */
    SB_COST_PER_USER_TRAINING,   /* a policy trained per served user: group <name>, an item per user */
    SB_COST_PER_USER_ADAPTATION, /* a costly fit per served user: group <name>, an item per fit */
} SbCostGroup;

/* How `plot` draws a method, the same in every figure: its colour and
 * gnuplot point type (filled, odd; point - 1 is its hollow twin, used for
 * dominated Pareto points). */
typedef struct {
    unsigned rgb;
    int point;
} SbPlotStyle;

typedef struct SbMethod {
    const char *name;
    const char *description;
    int needs; /* SB_NEEDS_* flags: `run` and the gap sweep build what the selected methods need */
    /* Offline stage, once per experiment before any user is served; NULL
     * if the method needs none. Returns the method's state, which only
     * the method's own callbacks read. */
    void *(*prepare)(const SbContext *ctx);
    /* The policy served to a user with weights w: n_states x vocab logits.
     * The offline protocol calls it for every held-out user (true w) and
     * every Pareto grid point; the online protocol for SB_ONLINE_FIXED
     * methods (true w) and SB_ONLINE_WEIGHTS methods (fitted w). */
    void (*serve)(const SbContext *ctx, void *state, const double *w, double *logits);
    int same_for_all; /* serve ignores w: one policy for every user (reference, rlhf_avg) */
    SbOnlineKind online;
    /* SB_ONLINE_FEEDBACK: the policy after the answers so far, called by
     * the online protocol after every answer (or at its checkpoints only,
     * adapt_at_checkpoints). warm holds the warm_size(state) numbers the
     * method carries from the user's previous round, zero-filled before
     * the first: its fitted coefficients (lam for the soups), which the
     * protocol reports as they are (sb_online_soup_final) without knowing
     * what the state is. */
    void (*adapt)(const SbContext *ctx, void *state, const SbPairs *answers, double *warm, double *logits);
    int (*warm_size)(const SbContext *ctx, void *state);
    int adapt_at_checkpoints; /* adapt is costly: the online protocol refits only at its checkpoints */
    /* The online protocol's active variant ($.online.active), run for
     * every selected method that has it, in a stream it drives itself:
     * before each round, the index in [0, candidates->n) of the candidate
     * pair to ask, given the answers so far and warm as adapt left it.
     * NULL: no active variant. */
    int (*active_query)(const SbContext *ctx, void *state, const SbPairs *answers, const double *warm,
                        const SbPairs *candidates);
    unsigned roles;   /* SB_ROLE_* flags; 0 for most methods */
    SbCostGroup cost; /* where its own training cost is recorded */
    SbPlotStyle style;
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
/* The first registered method holding every role flag in `role`, or NULL. */
const SbMethod *sb_method_with_role(unsigned role);
/* The index of the first of methods [n] holding `role`, or -1. */
int sb_method_index_with_role(const SbMethod *const *methods, int n, unsigned role);

#endif
