/* soupbench: what the three Spectral Souping methods share (SPEC sections
 * 1, 2 and 4).
 *
 * The soup with mixture weights lam [K] (signed, unconstrained) serves
 * softmax((1 - sum_k lam_k) l_ref + sum_k lam_k l_k) = pi_ref exp(q_lam / beta)
 * normalised, q_lam = sum_k lam_k q_k, q_k = beta (log pi_k - log pi_ref) the
 * basis policies' implicit Q. lam is fitted to the user's feedback by
 * logistic regression of the answers on R_k(x, y1) - R_k(x, y2), R_k the
 * sequence implicit reward sum_t q_k, with the L2 penalty centred at the
 * population prior lam_bar: the lam fitted, the same way, to the expected
 * answers of the mean training user on $.soup.pairs pairs from pi_ref
 * (methods/feedback.h). */
#ifndef SB_SPECTRAL_H
#define SB_SPECTRAL_H

#include "logreg.h"
#include "method.h"

/* The basis form the output soups merge ($.soup.form). */
SbPolicyForm sb_spectral_form(const SbContext *ctx);

/* Implicit Q of every basis policy of form f: q [K x n_states * V]. */
double *sb_spectral_implicit_q(const SbContext *ctx, SbPolicyForm f);

/* lam [K] fitted to answered pairs, starting from the lam passed in (warm
 * start); l2 the regularisation, centred at `centre` [K] (NULL: 0); rep
 * (nullable) gets the fit report. */
void sb_spectral_fit_pairs(const SbContext *ctx, const double *q, const SbPairs *answers, double l2,
                           const double *centre, double *lam, SbLogregReport *rep);

/* The soup's logits for lam from the basis logits of form f. */
void sb_spectral_logits(const SbContext *ctx, SbPolicyForm f, const double *lam, double *logits);

/* A soup method's state: the implicit Q of the basis form it fits on, the
 * population prior lam_bar, and the lam fitted for every user the offline
 * protocol served with the fit's diagnostics. */
typedef struct {
    SbPolicyForm form; /* the basis form it fits on and merges */
    int K;
    double *q;       /* [K x n_states * V] */
    double *lam_bar; /* [K]: the prior */
    long n;          /* serves kept */
    double *lam;     /* [n x (K + 3)]: lam, Newton iterations, gradient inf-norm, converged */
} SbSpectralState;

SbSpectralState *sb_spectral_state_new(const SbContext *ctx, SbPolicyForm form);
/* Fit lam to the user's feedback from warm (set by sb_spectral_prior before
 * the first round), in place; lam and the diagnostics (K + 3 numbers) into
 * user->kept when it is set. Returns warm. Only reads st. */
const double *sb_spectral_state_fit(const SbContext *ctx, const SbSpectralState *st, const SbUser *user,
                                    double *warm);
/* The soups' kept_cols (K + 3) and adopt (the rows as st->lam). */
int sb_spectral_kept_cols(const SbContext *ctx, void *state);
void sb_spectral_adopt(const SbContext *ctx, void *state, const double *rows, long n);
/* Adopt rows [n x stride] whose first K + 3 columns are st's. */
void sb_spectral_state_adopt(SbSpectralState *st, const double *rows, long n, int stride);
/* The soups' `prior`: lam_bar. */
void sb_spectral_prior(const SbContext *ctx, void *state, double *warm);
/* <group>/lambda: every kept lam (test users first, then the distinct Pareto weights). */
void sb_spectral_state_write(const SbSpectralState *st, SbResults *r, const char *group);
void sb_spectral_state_free(SbSpectralState *st);
/* The online hooks shared by the three soups: K warm numbers (lam). */
int sb_spectral_warm_size(const SbContext *ctx, void *state);

/* Active query: of the candidate pairs, the index of the one whose
 * implicit-reward difference x has the largest x' Cov x under the Laplace
 * posterior of lam at the answers so far (l2 = online.l2). */
int sb_spectral_active_query(const SbContext *ctx, const SbSpectralState *st, const SbPairs *answers,
                             const double *lam, const SbPairs *candidates);

/* The rejection sampler of spectral_soup_implicit with a budget of M
 * proposals per token (SPEC section 2). At state s: propose a ~ pi_ref(.|s),
 * accept with probability e(a) = exp((q_lam(s,a) - max_a' q_lam(s,a')) / beta);
 * after M rejections keep the last proposal (the fallback). The acceptance
 * probability of one proposal is alpha(s) = sum_a pi_ref(a|s) e(a), and the
 * sampler draws a from
 *     pi_M(a|s) = (1 - (1-alpha)^M) pi_target(a|s) + (1-alpha)^(M-1) pi_ref(a|s) (1 - e(a)),
 * pi_target = pi_ref e / alpha, the explicit soup's policy: the fallback is a
 * *rejected* proposal, distributed as pi_ref (1 - e) / (1 - alpha), not as
 * pi_ref. M = 1 serves pi_ref itself; pi_M -> pi_target as M grows. */

/* One token at state s; budget M >= 1. *proposals counts the proposals
 * made; returns 1 in *fell_back when all M were rejected, else 0. */
int sb_spectral_sample_token(const SbProblem *p, const double *q_lam, int s, int budget, SbRng *rng,
                             long *proposals, int *fell_back);

/* alpha(s): the probability that one proposal is accepted at state s. */
double sb_spectral_acceptance(const SbProblem *p, const double *q_lam, int s);

/* The logits of pi_M at every state (log of its probabilities, a valid
 * logit table): what the harness evaluates exactly as the sampler's policy. */
void sb_spectral_budget_logits(const SbProblem *p, const double *q_lam, int budget, double *logits);

/* What the sampler does per token: accepted proposals / proposals,
 * proposals / tokens, tokens that fell back / tokens. */
typedef struct {
    double acceptance;
    double proposals_per_token;
    double fallback_rate;
} SbSamplerStats;

/* Measured: n trajectories sampled token by token (every one of the H
 * tokens counted), prompts from the evaluation distribution p->eval_init. */
SbSamplerStats sb_spectral_sampler_measure(const SbProblem *p, const double *q_lam, int budget, int n, SbRng *rng);

/* Exact: the same ratios of expectations under pi_M's own state visits
 * from p->eval_init (at s, a token makes (1 - (1-alpha)^M) / alpha proposals
 * on average, accepts one with probability 1 - (1-alpha)^M and falls back
 * otherwise). kl (nullable) gets the KL of pi_M's trajectory distribution
 * to the target's, E_{pi_M}[sum_t KL(pi_M(.|s_t) || pi_target(.|s_t))]. */
SbSamplerStats sb_spectral_sampler_exact(const SbProblem *p, const double *q_lam, int budget, double *kl);

/* Relative residual of the projection of Q [n_states * V] on the span of
 * the K functions g [K x n_states * V], modulo per-state constants (which
 * cancel in a softmax): both sides centred over each state's actions. */
double sb_spectral_residual(const SbProblem *p, const double *g, int K, const double *Q);
/* The coefficients coef [K] of that projection. */
void sb_spectral_project(const SbProblem *p, const double *g, int K, const double *Q, double *coef);

#endif
