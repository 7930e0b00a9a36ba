/* soupbench: an enumerable language MDP with its reference policy.
 *
 * States are numbered globally, step by step: the states of step t are
 * layer_offset[t] .. layer_offset[t+1]-1 (step 0 holds the prompts). A
 * state-action pair (s, a) is row s*V + a of every per-pair table. The
 * horizon is H: an action at step H-1 ends the episode. */
#ifndef SB_PROBLEM_H
#define SB_PROBLEM_H

#include "config.h" /* SbTransition, SbReferencePolicy, SbWeights */
#include "sb.h"

typedef struct SbProblem {
    SbTransition transition;
    int H;            /* horizon */
    int V;            /* actions (tokens) per state */
    int m;            /* aspects */
    int d;            /* spectral dimension of the features phi */
    int n_prompts;    /* states of step 0 */
    int n_states;     /* all states, every step */
    int *layer_offset; /* [H + 1] */
    double *init;      /* [n_prompts]: prompt distribution D for training and fitting */
    /* [n_prompts]: the prompt distribution every evaluation uses (J, aspect
     * rewards, KL, win-rates): D itself on the synthetic track, the test
     * prompts on candidate sets (train / test split by prompt) */
    double *eval_init;
    int *next_state;   /* tree: [n_states * V], -1 at the last step; NULL otherwise */
    /* linear: mu_{t} for t = 1..H-1 is a d x (states of step t) row-major
     * block at mu + mu_offset[t]; each row is a distribution. NULL for tree. */
    double *mu;
    int *mu_offset;     /* [H]; mu_offset[0] unused */
    double *phi;        /* [n_states * V x d] features */
    double *aspect_rewards; /* [n_states * V x m]: r_j(s, a) */
    char **aspect_names;    /* [m]: "a1".. on the synthetic track, "judge", "conciseness", .. on real data */
    double beta;        /* KL strength */

    /* reference policy */
    int n_in;           /* network input size */
    double *inputs;     /* [n_states x n_in] */
    int width;          /* reference hidden width */
    double *psi;        /* [n_states x width]: the spectral representation psi(s) */
    double *ref_logits; /* [n_states x V] */
    /* [n_states x V] or NULL: added to the network output of every policy
     * (sb_policy_logits). With a uniform pi_ref it is minus the reference
     * network's output: pi(a|s) = softmax(f_theta(s, .) - f_ref(s, .)), so
     * a fresh policy is uniform while LoRA still gets gradients (an exactly
     * uniform network would need a zero head, which stops them). */
    double *logit_offset;
    void *ref_net;      /* the reference network (SbRefNet *) */

    /* users */
    int n_train, n_test;
    double *users_train; /* [n_train x m] */
    double *users_test;  /* [n_test x m] */
} SbProblem;

/* Step of a global state index. */
int sb_problem_step(const SbProblem *p, int s);
/* Number of states at step t. */
static inline int sb_problem_layer_size(const SbProblem *p, int t)
{
    return p->layer_offset[t + 1] - p->layer_offset[t];
}
/* Dense P(s'|s,a) over the states of step t+1 (for tests and sampling);
 * out has sb_problem_layer_size(p, t+1) entries. */
void sb_problem_transition_row(const SbProblem *p, int s, int a, double *out);
/* One trajectory from prompt x under the policy given by logits, drawn
 * with rng: returns its return under r; the visited states and actions go
 * to s_out and a_out (H each) when not NULL. pi [V] and row [largest step]
 * are scratch. */
double sb_problem_sample(const SbProblem *p, const double *logits, const double *r, int x, SbRng *rng, int *s_out,
                         int *a_out, double *pi, double *row);
/* The number of states of the largest step (scratch size for rows). */
int sb_problem_max_layer(const SbProblem *p);

/* f [n_states * V] minus its mean over each state's actions (per-state
 * constants do not change a policy or a soft-max), into out. */
void sb_problem_centre_actions(const SbProblem *p, const double *f, double *out);
/* r_u(s, a) = sum_j w_j r_j(s, a) for every pair: out[n_states * V]. */
void sb_problem_user_reward(const SbProblem *p, const double *w, double *out);
void sb_problem_free(SbProblem *p);

/* SHA-256 (hex, hex[65]) of the reference: the network's shape and
 * weights, the inputs, the reference logits and the logit offset. Two runs
 * may share a basis exactly when these agree. */
void sb_problem_reference_sha256(const SbProblem *p, char hex[65]);
/* Under `group` (/data/<kind>): ref_logits, logit_offset (when there is
 * one) and the users' weights, as every dataset stores them; `actions`
 * names the V columns. */
struct SbResults;
void sb_problem_write_reference_and_users(struct SbResults *r, const char *group, const SbProblem *p,
                                          const char *actions);
/* The stage every dataset ends with, once p->inputs [n_states x n_in] are
 * set: the reference network (n_in -> V, $.reference, stream
 * "reference/weights") with its psi and ref_logits on every state, pi_ref
 * made uniform when $.reference.policy says so (candidate_sets: "auto"
 * means uniform), and the training and test users' weights ($.users,
 * streams "users/train" and "users/test"). */
void sb_problem_add_reference_and_users(SbProblem *p, const SbConfig *cfg, int candidate_sets);
/* The train / test split by prompt of both tracks (SPEC section 2: training
 * and evaluation on disjoint prompts): the first ceil(share * n) of n
 * prompts train, the rest are held out, at least one of each when n >= 2
 * (with a single prompt both distributions are that prompt). */
int sb_problem_train_prompts(double share, int n);
/* p->init uniform over the first n_train prompts (every trainer, fit and
 * feedback), p->eval_init uniform over the others (every reported number). */
void sb_problem_split_prompts(SbProblem *p, int n_train);
/* Make pi_ref uniform: logit_offset = -ref_logits, ref_logits = 0. */
void sb_problem_uniform_reference(SbProblem *p);
/* Is pi_ref uniform under $.reference.policy ("auto": on candidate sets)? */
int sb_reference_uniform(SbReferencePolicy policy, int candidate_sets);

/* n users' weights [n x m]: "simplex" draws from the symmetric
 * Dirichlet(concentration) on the simplex (1: uniform), "signed" a uniform
 * direction scaled to unit L1 norm (concentration unused). */
double *sb_users_draw(SbRng *rng, int n, int m, SbWeights kind, double concentration);
/* One symmetric Dirichlet(alpha) draw into w [m]: normalised Gamma(alpha)
 * draws (Marsaglia-Tsang), except alpha == 1 exactly, which keeps the
 * normalised exponentials every earlier run drew (the same distribution). */
void sb_users_draw_dirichlet(SbRng *rng, int m, double alpha, double *w);
/* Pearson correlation of the aspect rewards r_j over all state-action
 * pairs: out [m x m] (NaN where an aspect is constant). */
void sb_problem_aspect_correlation(const SbProblem *p, double *out);
/* The aspect names joined with commas, each with prefix (malloc'd):
 * ("r_", {judge, sentiment}) -> "r_judge,r_sentiment". */
char *sb_aspect_columns(const SbProblem *p, const char *prefix);

#endif
