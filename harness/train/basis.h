/* soupbench: the offline basis (SPEC section 2).
 *
 * K specialised policies trained from the same reference, each on one basis
 * reward with the same trainer and budget, in both forms (LoRA and full
 * fine-tuning). Aspect combinations rho_k = sum_j R[k, j] r_j: kind
 * "aspects", K = m and R = I; kind "random", K seeded signed combinations,
 * each row of R uniform on the L1 unit sphere, so a basis can be larger
 * than the number of aspects (but its rewards span m dimensions at most).
 * Feature directions rho_k(s,a) = c_k <phi(s,a), v_k>, c_k making rho_k's
 * standard deviation over all pairs 1 like an aspect's: kind
 * "feature_svd", v_k the k-th leading right singular vector of the
 * n_sa x d feature matrix phi (past phi's rank, seeded random unit
 * directions); kind "feature_random", K seeded random unit directions. Their
 * rewards span up to d dimensions, the whole span of phi that every aspect
 * reward lies in (up to misspecification), so the basis size at which a
 * soup becomes exact can exceed m.
 * Implicit Q of a basis policy: q_k(s,a) = beta (log pi_k(a|s) - log pi_ref(a|s)). */
#ifndef SB_BASIS_H
#define SB_BASIS_H

#include "config.h"
#include "policy.h"
#include "problem.h"
#include "progress.h"
#include "results.h"
#include "train.h"

/* Every per-form array is indexed by SbPolicyForm (config.h): policies[SB_POLICY_LORA][k]. */
typedef struct {
    char name[16];                           /* "basis" or "experts": results group, cost group, streams */
    int K, m, d;
    double *R;                               /* [K x m] aspect weights of the rewards; NULL for the feature kinds */
    double *directions;                      /* [K x d] v_k of the feature kinds; NULL otherwise */
    double *direction_scale;                 /* [K] c_k of the feature kinds */
    double *direction_sv;                    /* [K] singular value of phi along v_k (NaN: a random one) */
    SbPolicy **policies[SB_POLICY_FORMS];    /* [K] per form */
    double *logits[SB_POLICY_FORMS];         /* [K x n_states * V] per form */
    SbTrainStats *stats[SB_POLICY_FORMS];    /* [K] per form; all zero when loaded */
    int loaded;                              /* 1 when read from a results file */
    char loaded_from[256];
} SbBasis;

/* The trainer of the basis and the experts: $.train's budget with
 * $.basis's trainer, pairs and labels. */
SbTrainConfig sb_basis_train_config(const SbConfig *cfg);
/* Number of basis policies the config asks for (0 for kind "none"). */
int sb_basis_size(const SbConfig *cfg, int m);
/* Are the kind's rewards directions of the feature space (feature_svd, feature_random)? */
int sb_basis_kind_is_feature(SbBasisKind kind);
/* The K unit directions v_k [K x d] of a feature kind and the singular
 * value of phi along each (sv [K], NaN for a random one). feature_svd:
 * the right singular vectors of phi in decreasing singular value, as many
 * as phi's numerical rank at basis.rank_tol (at most d), each signed so
 * that its largest entry is positive; then, as for feature_random,
 * standard normal vectors normalised, from the stream "basis/directions". */
void sb_basis_feature_directions(const SbProblem *p, const SbConfig *cfg, SbBasisKind kind, int K, double *dirs,
                                 double *sv);
/* Basis reward k of b on every pair: rho [n_states * V]. */
void sb_basis_reward(const SbProblem *p, const SbBasis *b, int k, double *rho);
/* Train the basis (or load it when $.basis.load names a file); advances pg
 * by one per trained policy. */
SbBasis *sb_basis_build(const SbProblem *p, const SbConfig *cfg, SbProgress *pg);
/* The aspect experts of the merging baselines (rewarded soups, LoRA
 * soups, MOD): K = m, R = I, trained like a basis under the name
 * "experts". When the basis itself is of kind "aspects", run.c uses it
 * instead of training these. */
SbBasis *sb_experts_build(const SbProblem *p, const SbConfig *cfg, SbProgress *pg);
/* Does the basis serve as the experts (it is of kind "aspects")? */
int sb_experts_are_basis(const SbConfig *cfg, const SbBasis *basis);
/* The experts to use: the basis itself when it is of kind "aspects",
 * else freshly trained ones, returned in *trained too (the caller frees
 * and writes those). */
const SbBasis *sb_experts_for(const SbProblem *p, const SbConfig *cfg, const SbBasis *basis, SbProgress *pg,
                              SbBasis **trained);
/* Everything under /<name> (/basis or /experts): R (or the directions), each policy's weights (reloadable), training
 * statistics, and the spectra (implicit-Q matrix, LoRA updates, principal
 * angles). */
void sb_basis_write(SbResults *r, const SbBasis *b, const SbProblem *p, const SbConfig *cfg);
void sb_basis_free(SbBasis *b);

/* Numerical rank of the implicit-Q matrix of form f (basis.rank_tol), and
 * its effective rank (harness/spectrum.h) in *effective when not NULL. */
int sb_basis_numerical_rank(const SbBasis *b, const SbProblem *p, const SbConfig *cfg, SbPolicyForm f,
                            double *effective);

/* Implicit Q of every basis policy of form f on every pair: out [K x n_sa]. */
void sb_basis_implicit_q(const SbBasis *b, const SbProblem *p, SbPolicyForm f, double *out);

#endif
