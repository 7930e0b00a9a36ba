/* soupbench: trainable policies on top of the reference network
 * (SPEC section 3).
 *
 *  - full fine-tuning: every weight of the network is trainable, starting
 *    from the reference's weights;
 *  - LoRA: every hidden layer l gets an adapter, W_l + (alpha/r) B_l A_l with
 *    A_l (r x fan_in) drawn N(0, 1/fan_in) and B_l (width x r) zero, so a
 *    fresh adapter equals the reference exactly; the output head and all
 *    biases stay frozen.
 *
 * The trainable numbers live in one flat vector theta (and a gradient has
 * the same layout), which keeps the optimiser, saving and comparing simple. */
#ifndef SB_POLICY_H
#define SB_POLICY_H

#include "config.h" /* SbPolicyForm */
#include "mlp.h"
#include "refnet.h"
#include "sb.h"

typedef struct {
    const SbRefNet *ref; /* frozen reference (not owned) */
    SbPolicyForm form;
    int rank;            /* LoRA rank r */
    double alpha;        /* LoRA scaling numerator: the update is (alpha/r) B A */
    int n_params;
    double *theta;       /* [n_params] */
} SbPolicy;

/* Views of a flat vector laid out like theta (theta itself or a gradient). */
typedef struct {
    /* full: */
    double **W, **b; /* [layers] */
    double *W_out, *b_out;
    /* LoRA: */
    double **A, **B; /* [layers] */
} SbPolicyViews;

/* Number of trainable parameters of a policy of that form. */
int sb_policy_param_count(const SbRefNet *ref, SbPolicyForm form, int rank);
SbPolicy *sb_policy_new(const SbRefNet *ref, SbPolicyForm form, int rank, double alpha, SbRng *rng);
/* A policy with the given theta (copied), e.g. loaded from a results file. */
SbPolicy *sb_policy_with_theta(const SbRefNet *ref, SbPolicyForm form, int rank, double alpha, const double *theta,
                               int n_params);
SbPolicy *sb_policy_clone(const SbPolicy *pol);
void sb_policy_free(SbPolicy *pol);

/* Views into v (n_params numbers laid out like theta); free with
 * sb_policy_views_free (frees the pointer arrays, not v). */
SbPolicyViews sb_policy_views(const SbPolicy *pol, double *v);
void sb_policy_views_free(SbPolicyViews *views);
/* The name of the tensor holding index i of theta ("W[1]", "lora.B[0]", ...). */
void sb_policy_param_name(const SbPolicy *pol, int i, char *buf, size_t n);

/* The effective weight matrix of hidden layer l: for LoRA the merged
 * W_l + (alpha/r) B_l A_l, for full fine-tuning W_l. out: width x fan_in. */
void sb_policy_layer_weight(const SbPolicy *pol, int l, double *out);
/* The LoRA update (alpha/r) B_l A_l alone (width x fan_in). */
void sb_policy_lora_update(const SbPolicy *pol, int l, double *out);

/* A policy of the same form whose theta is sum_k c_k theta_k. For full
 * fine-tuning this is parameter merging (rewarded soups); for LoRA it
 * averages the A and B factors separately (P-Soups' merge). */
SbPolicy *sb_policy_combine(const SbPolicy *const *pols, const double *c, int K);
/* A full-form policy whose hidden weights are W_l + sum_k c_k (alpha/r)
 * B_k,l A_k,l, every other weight the reference's: the exact product merge
 * of K LoRA adapters (LoRA soups, and Spectral Souping in parameters). */
SbPolicy *sb_policy_lora_product_merge(const SbPolicy *const *pols, const double *c, int K);

/* The buffers of forward and backward passes over at most n_max rows,
 * allocated once (per trainer) and reused by every pass: the MLP's
 * activations and scratch, LoRA's merged weights and their gradients, the
 * views of theta and of the gradient. */
typedef struct SbPolicyWork SbPolicyWork;
SbPolicyWork *sb_policy_work_new(const SbPolicy *pol, int n_max);
void sb_policy_work_free(SbPolicyWork *work);
/* Bytes held by a workspace. */
size_t sb_policy_work_bytes(const SbPolicyWork *work);
/* Logits [n x V] of n <= n_max input rows of the policy the workspace was
 * made for, keeping in work what sb_policy_backward_work needs. */
void sb_policy_forward_work(const SbPolicy *pol, const double *x, int n, double *logits, SbPolicyWork *work);
/* grad [n_params] = d loss / d theta given dlogits [n x V] at the last
 * forward pass of work (theta unchanged since). */
void sb_policy_backward_work(const SbPolicy *pol, SbPolicyWork *work, const double *dlogits, double *grad);

/* The same passes with a workspace of their own: cache, when not NULL,
 * keeps what the backward pass needs (release with sb_policy_cache_free). */
typedef struct {
    SbPolicyWork *work;
} SbPolicyCache;

void sb_policy_forward(const SbPolicy *pol, const double *x, int n, double *logits, SbPolicyCache *cache);
/* grad [n_params] = d loss / d theta given dlogits [n x V]. */
void sb_policy_backward(const SbPolicy *pol, const SbPolicyCache *cache, const double *dlogits, double *grad);
void sb_policy_cache_free(SbPolicyCache *cache);

#endif
