/* soupbench: the one interface every method implements (SPEC section 2).
 *
 * A method is one file in methods/ defining a `const SbMethod` and one line
 * in registry.c. Given a problem and what it is told about a user
 * (SbUser), a method serves a policy as logits on every enumerated state.
 *
 * Equal information (SPEC section 2): every method that adapts to a user
 * receives the same thing, the user's feedback (answered pairs), never the
 * user's weights w; it turns the feedback into what it needs with its own
 * estimator (lam for the soups, w_hat for the weight-based baselines on
 * learned aspect scores, CAT's coefficients). Only methods whose
 * `information` says so are handed w: the reference points (oracle,
 * bespoke_rlhf) and the labelled oracle-information variants, which the
 * summary reports apart.
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
#include "learned.h"
#include "problem.h"
#include "pairs.h"
#include "results.h"

/* What a method may use: the problem, the config, the spectral basis
 * (NULL when the config has none), the aspect experts (one policy per
 * aspect; NULL unless a selected method needs them) and the learned
 * aspect reward models and successor features (NULL unless needed). */
typedef struct {
    const SbProblem *p;
    const SbConfig *cfg;
    const SbBasis *basis;
    const SbBasis *experts;
    const SbLearnedAspects *learned;
} SbContext;

enum {
    SB_NEEDS_BASIS = 1,   /* the spectral basis */
    SB_NEEDS_EXPERTS = 2, /* one expert policy per aspect */
    SB_NEEDS_LEARNED = 4, /* the learned aspect rewards and successor features (harness/train/learned.h) */
};

/* What a method receives about the user it serves (SPEC section 2,
 * "Information"); stored as /methods/<name>@information. */
typedef enum {
    SB_INFO_NONE = 0,      /* nothing about the user (reference) */
    SB_INFO_POPULATION,    /* the training users only: one policy for everyone (rlhf_avg) */
    SB_INFO_FEEDBACK,      /* the user's feedback pairs: every adaptive method of the default comparison */
    SB_INFO_REFERENCE_POINT, /* the user's true reward, as a yardstick: the oracle's exact solution and
                                bespoke_rlhf's per-user training (the 0 / 100% points are not competitors) */
    SB_INFO_TRUE_WEIGHTS,  /* oracle information: the user's w */
    SB_INFO_EXACT_REWARDS, /* oracle information: w and the exact aspect rewards r_j */
    SB_INFO_EXACT_Q,       /* oracle information: exact Q-functions (needs an enumerable MDP) */
} SbInformation;

/* Is the method a labelled oracle-information variant (reported apart)? */
int sb_information_is_oracle(SbInformation info);
/* Is the method handed the user's true weights w? */
int sb_information_gets_truth(SbInformation info);

/* The user as a method sees it. The protocols build it with sb_method_user,
 * which hands w only to methods whose information includes the truth. */
typedef struct {
    const SbPairs *feedback; /* the answered pairs (n = 0: nothing yet, serve the prior); never NULL */
    const double *w;         /* the true weights [m], or NULL (every method of the default comparison) */
    double l2;               /* the protocol's L2 strength for every logistic fit to the feedback */
    /* The offline protocol: the kept_cols numbers to keep of this serve
     * (what was fitted), handed back by `adopt` for `write`; NULL in
     * online rounds and wherever nothing is kept. */
    double *kept;
    long serial; /* the offline serve's index (users, then distinct Pareto weights): names its streams */
} SbUser;

/* How a method behaves in the online protocol (SPEC section 4). */
typedef enum {
    SB_ONLINE_FIXED = 0,    /* its policy does not depend on the feedback: served once per user */
    SB_ONLINE_FEEDBACK = 2, /* served again after every answer (or at the checkpoints) */
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
    SbInformation information;
    /* The policy served to `user`: n_states x vocab logits. One path for
     * both protocols: the offline protocol serves every held-out user and
     * every Pareto grid point with that user's offline feedback
     * ($.soup.pairs pairs); the online protocol serves after every answer
     * with the answers so far (SB_ONLINE_FIXED methods once per user).
     * warm holds the warm_size(state) numbers the method carries between
     * a user's rounds: its fitted coefficients (lam for the soups, w_hat
     * for the weight-based baselines), set by `prior` before the first
     * round, which the protocol reports as they are without knowing what
     * the state is. NULL when warm_size is NULL. */
    void (*serve)(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits);
    int same_for_all; /* serve ignores the user: one policy for every user (reference, rlhf_avg) */
    SbOnlineKind online;
    int (*warm_size)(const SbContext *ctx, void *state);
    /* The population prior (SPEC section 2: every adaptive method starts
     * from the training users' mean) into warm [warm_size]. */
    void (*prior)(const SbContext *ctx, void *state, double *warm);
    int adapt_at_checkpoints; /* serving is costly: the online protocol refits only at its checkpoints */
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
    /* Numbers kept per offline serve (SbUser.kept); NULL: none. */
    int (*kept_cols)(const SbContext *ctx, void *state);
    /* The offline protocol's kept rows [n x kept_cols], in serve order,
     * after every serve (the serves run as independent units, in any
     * order and process); NULL when kept_cols is. */
    void (*adopt)(const SbContext *ctx, void *state, const double *rows, long n);
    /* Method-specific results under `group` (/methods/<name>), after every
     * user and Pareto point was served; NULL if none. */
    void (*write)(const SbContext *ctx, void *state, SbResults *r, const char *group);
    /* Frees what prepare returned; NULL if prepare is NULL. */
    void (*release)(void *state);
} SbMethod;

/* What a protocol hands method m about a user: the feedback, and w only
 * when m's information includes the truth. */
SbUser sb_method_user(const SbMethod *m, const SbPairs *feedback, const double *w, double l2, double *kept);
/* The offline protocol's serving of m to the user with weights w: the
 * user's offline feedback (methods/feedback.h; the same pairs for every
 * method), warm from m's prior, l2 = $.soup.l2, nothing kept. */
void sb_method_serve_offline(const SbContext *ctx, const SbMethod *m, void *state, const double *w,
                             double *logits);
/* The same, keeping m's kept_cols numbers in kept (NULL: none) for the
 * serve of index serial. */
void sb_method_serve_kept(const SbContext *ctx, const SbMethod *m, void *state, const double *w, double *logits,
                          double *kept, long serial);
/* "feedback: 256 pairs; learned rewards: 2048 rollouts", "oracle: true
 * weights", ...: what m received in this experiment (malloc'd). */
char *sb_method_information(const SbContext *ctx, const SbMethod *m);

/* The registered method of that name, or NULL. */
const SbMethod *sb_method_find(const char *name);
/* Every registered method, in registry order; *n set. */
const SbMethod *const *sb_method_all(int *n);
/* The first registered method holding every role flag in `role`, or NULL. */
const SbMethod *sb_method_with_role(unsigned role);
/* The index of the first of methods [n] holding `role`, or -1. */
int sb_method_index_with_role(const SbMethod *const *methods, int n, unsigned role);

#endif
