/* soupbench: trainable policies, full fine-tuning and LoRA (harness/policy.h). */
#include "policy.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An array of n doubles every element of which is written before it is
 * read (no zeroing: calloc's memset is wasted work on every pass). */
static double *uninit(size_t n) { return sb_malloc(sizeof(double) * (n > 0 ? n : 1)); }

int sb_policy_param_count(const SbRefNet *ref, SbPolicyForm form, int rank)
{
    long n = 0;
    for (int l = 0; l < ref->layers; l++) {
        int fan_in = l == 0 ? ref->n_in : ref->width;
        n += form == SB_POLICY_FULL ? (long)ref->width * fan_in + ref->width
                                    : (long)rank * fan_in + (long)ref->width * rank;
    }
    if (form == SB_POLICY_FULL)
        n += (long)ref->n_out * ref->width + ref->n_out;
    SB_ASSERT(n < (1L << 31));
    return (int)n;
}

/* Point the arrays of w (allocated for pol's form) into v. */
static void views_fill(const SbPolicy *pol, double *v, SbPolicyViews *w_out)
{
    const SbRefNet *ref = pol->ref;
    SbPolicyViews w = *w_out;
    double *p = v;
    if (pol->form == SB_POLICY_FULL) {
        for (int l = 0; l < ref->layers; l++) {
            int fan_in = l == 0 ? ref->n_in : ref->width;
            w.W[l] = p, p += (size_t)ref->width * fan_in;
            w.b[l] = p, p += ref->width;
        }
        w.W_out = p, p += (size_t)ref->n_out * ref->width;
        w.b_out = p, p += ref->n_out;
    } else {
        for (int l = 0; l < ref->layers; l++) {
            int fan_in = l == 0 ? ref->n_in : ref->width;
            w.A[l] = p, p += (size_t)pol->rank * fan_in;
            w.B[l] = p, p += (size_t)ref->width * pol->rank;
        }
    }
    SB_ASSERT(p - v == pol->n_params);
    *w_out = w;
}

/* Views with their pointer arrays allocated, not yet pointing anywhere. */
static SbPolicyViews views_alloc(const SbPolicy *pol)
{
    size_t L = (size_t)pol->ref->layers;
    SbPolicyViews w = {0};
    if (pol->form == SB_POLICY_FULL) {
        w.W = sb_calloc(L, sizeof(double *));
        w.b = sb_calloc(L, sizeof(double *));
    } else {
        w.A = sb_calloc(L, sizeof(double *));
        w.B = sb_calloc(L, sizeof(double *));
    }
    return w;
}

SbPolicyViews sb_policy_views(const SbPolicy *pol, double *v)
{
    SbPolicyViews w = views_alloc(pol);
    views_fill(pol, v, &w);
    return w;
}

void sb_policy_views_free(SbPolicyViews *w)
{
    free(w->W);
    free(w->b);
    free(w->A);
    free(w->B);
    memset(w, 0, sizeof *w);
}

void sb_policy_param_name(const SbPolicy *pol, int i, char *buf, size_t n)
{
    const SbRefNet *ref = pol->ref;
    long at = 0;
    for (int l = 0; l < ref->layers; l++) {
        int fan_in = l == 0 ? ref->n_in : ref->width;
        long first = pol->form == SB_POLICY_FULL ? (long)ref->width * fan_in : (long)pol->rank * fan_in;
        long second = pol->form == SB_POLICY_FULL ? ref->width : (long)ref->width * pol->rank;
        if (i < at + first) {
            snprintf(buf, n, pol->form == SB_POLICY_FULL ? "W[%d]" : "lora.A[%d]", l);
            return;
        }
        if (i < at + first + second) {
            snprintf(buf, n, pol->form == SB_POLICY_FULL ? "b[%d]" : "lora.B[%d]", l);
            return;
        }
        at += first + second;
    }
    snprintf(buf, n, i < at + (long)ref->n_out * ref->width ? "W_out" : "b_out");
}

static SbPolicy *policy_alloc(const SbRefNet *ref, SbPolicyForm form, int rank, double alpha)
{
    SbPolicy *pol = sb_calloc(1, sizeof *pol);
    pol->ref = ref;
    pol->form = form;
    pol->rank = form == SB_POLICY_LORA ? rank : 0;
    pol->alpha = form == SB_POLICY_LORA ? alpha : 0;
    pol->n_params = sb_policy_param_count(ref, form, pol->rank);
    pol->theta = sb_zeros(pol->n_params);
    return pol;
}

SbPolicy *sb_policy_new(const SbRefNet *ref, SbPolicyForm form, int rank, double alpha, SbRng *rng)
{
    SbPolicy *pol = policy_alloc(ref, form, rank, alpha);
    SbPolicyViews w = sb_policy_views(pol, pol->theta);
    for (int l = 0; l < ref->layers; l++) {
        int fan_in = l == 0 ? ref->n_in : ref->width;
        if (form == SB_POLICY_FULL) {
            memcpy(w.W[l], ref->W[l], sizeof(double) * (size_t)ref->width * fan_in);
            memcpy(w.b[l], ref->b[l], sizeof(double) * (size_t)ref->width);
        } else {
            for (int i = 0; i < rank * fan_in; i++)
                w.A[l][i] = sb_rng_normal(rng) / sqrt((double)fan_in);
            /* B stays zero: a fresh adapter is the reference */
        }
    }
    if (form == SB_POLICY_FULL) {
        memcpy(w.W_out, ref->W_out, sizeof(double) * (size_t)ref->n_out * ref->width);
        memcpy(w.b_out, ref->b_out, sizeof(double) * (size_t)ref->n_out);
    }
    sb_policy_views_free(&w);
    return pol;
}

SbPolicy *sb_policy_with_theta(const SbRefNet *ref, SbPolicyForm form, int rank, double alpha, const double *theta,
                               int n_params)
{
    SbPolicy *pol = policy_alloc(ref, form, rank, alpha);
    SB_ASSERT(n_params == pol->n_params);
    memcpy(pol->theta, theta, sizeof(double) * (size_t)n_params);
    return pol;
}

SbPolicy *sb_policy_clone(const SbPolicy *pol)
{
    return sb_policy_with_theta(pol->ref, pol->form, pol->rank, pol->alpha, pol->theta, pol->n_params);
}

SbPolicy *sb_policy_combine(const SbPolicy *const *pols, const double *c, int K)
{
    SB_ASSERT(K >= 1);
    SbPolicy *out = sb_policy_clone(pols[0]);
    for (int i = 0; i < out->n_params; i++) {
        double acc = 0;
        for (int k = 0; k < K; k++)
            acc += c[k] * pols[k]->theta[i];
        out->theta[i] = acc;
    }
    return out;
}

SbPolicy *sb_policy_lora_product_merge(const SbPolicy *const *pols, const double *c, int K)
{
    SB_ASSERT(K >= 1 && pols[0]->form == SB_POLICY_LORA);
    const SbRefNet *ref = pols[0]->ref;
    SbPolicy *out = sb_policy_new(ref, SB_POLICY_FULL, 0, 0, NULL);
    SbPolicyViews w = sb_policy_views(out, out->theta);
    double *update = sb_zeros((size_t)ref->width * (ref->n_in > ref->width ? ref->n_in : ref->width));
    for (int l = 0; l < ref->layers; l++) {
        size_t n = (size_t)ref->width * (l == 0 ? ref->n_in : ref->width);
        for (int k = 0; k < K; k++) {
            sb_policy_lora_update(pols[k], l, update);
            for (size_t i = 0; i < n; i++)
                w.W[l][i] += c[k] * update[i];
        }
    }
    free(update);
    sb_policy_views_free(&w);
    return out;
}

void sb_policy_free(SbPolicy *pol)
{
    if (!pol)
        return;
    free(pol->theta);
    free(pol);
}

void sb_policy_lora_update(const SbPolicy *pol, int l, double *out)
{
    const SbRefNet *ref = pol->ref;
    int fan_in = l == 0 ? ref->n_in : ref->width;
    if (pol->form != SB_POLICY_LORA) {
        memset(out, 0, sizeof(double) * (size_t)ref->width * fan_in);
        return;
    }
    SbPolicyViews w = sb_policy_views(pol, pol->theta);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ref->width, fan_in, pol->rank, pol->alpha / pol->rank,
                w.B[l], pol->rank, w.A[l], fan_in, 0.0, out, fan_in);
    sb_mlp_count_flops(2.0 * ref->width * fan_in * pol->rank);
    sb_policy_views_free(&w);
}

void sb_policy_layer_weight(const SbPolicy *pol, int l, double *out)
{
    const SbRefNet *ref = pol->ref;
    int fan_in = l == 0 ? ref->n_in : ref->width;
    size_t n = (size_t)ref->width * fan_in;
    if (pol->form == SB_POLICY_FULL) {
        SbPolicyViews w = sb_policy_views(pol, pol->theta);
        memcpy(out, w.W[l], sizeof(double) * n);
        sb_policy_views_free(&w);
        return;
    }
    sb_policy_lora_update(pol, l, out);
    for (size_t i = 0; i < n; i++)
        out[i] += ref->W[l][i];
}

/* ------------------------------------------------------------------ */
/* passes                                                             */

struct SbPolicyWork {
    SbMlpWork *mlp;
    int layers;
    double **W_eff; /* LoRA: [layers] the merged weights of the last forward pass */
    double **dW;    /* LoRA: [layers] their gradients */
    SbPolicyViews theta, grad; /* views, refilled by every pass */
};

SbPolicyWork *sb_policy_work_new(const SbPolicy *pol, int n_max)
{
    const SbRefNet *ref = pol->ref;
    SbPolicyWork *w = sb_calloc(1, sizeof *w);
    SbMlp mlp = sb_refnet_mlp(ref);
    w->mlp = sb_mlp_work_new(&mlp, n_max);
    w->layers = ref->layers;
    w->theta = views_alloc(pol);
    w->grad = views_alloc(pol);
    if (pol->form == SB_POLICY_LORA) {
        w->W_eff = sb_calloc((size_t)ref->layers, sizeof(double *));
        w->dW = sb_calloc((size_t)ref->layers, sizeof(double *));
        for (int l = 0; l < ref->layers; l++) {
            size_t size = (size_t)ref->width * (l == 0 ? ref->n_in : ref->width);
            w->W_eff[l] = uninit(size);
            w->dW[l] = uninit(size);
        }
    }
    return w;
}

size_t sb_policy_work_bytes(const SbPolicyWork *w)
{
    size_t bytes = sb_mlp_work_bytes(w->mlp);
    if (w->W_eff)
        for (int l = 0; l < w->layers; l++)
            bytes += 2 * sizeof(double) * (size_t)w->mlp->width * (l == 0 ? w->mlp->n_in : w->mlp->width);
    return bytes;
}

void sb_policy_work_free(SbPolicyWork *w)
{
    if (!w)
        return;
    sb_mlp_work_free(w->mlp);
    if (w->W_eff)
        for (int l = 0; l < w->layers; l++) {
            free(w->W_eff[l]);
            free(w->dW[l]);
        }
    free(w->W_eff);
    free(w->dW);
    sb_policy_views_free(&w->theta);
    sb_policy_views_free(&w->grad);
    free(w);
}

/* The MLP of the policy's weights (LoRA: the merged ones in w->W_eff). */
static SbMlp policy_mlp(const SbPolicy *pol, SbPolicyWork *w)
{
    SbMlp mlp = sb_refnet_mlp(pol->ref);
    if (pol->form == SB_POLICY_FULL) {
        mlp.W = w->theta.W;
        mlp.b = w->theta.b;
        mlp.W_out = w->theta.W_out;
        mlp.b_out = w->theta.b_out;
    } else {
        mlp.W = w->W_eff;
    }
    return mlp;
}

void sb_policy_forward_work(const SbPolicy *pol, const double *x, int n, double *logits, SbPolicyWork *w)
{
    const SbRefNet *ref = pol->ref;
    views_fill(pol, pol->theta, &w->theta);
    if (pol->form == SB_POLICY_LORA)
        for (int l = 0; l < ref->layers; l++) {
            /* W_l + (alpha/r) B_l A_l, as sb_policy_layer_weight computes it */
            int fan_in = l == 0 ? ref->n_in : ref->width;
            size_t size = (size_t)ref->width * fan_in;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ref->width, fan_in, pol->rank,
                        pol->alpha / pol->rank, w->theta.B[l], pol->rank, w->theta.A[l], fan_in, 0.0, w->W_eff[l],
                        fan_in);
            sb_mlp_count_flops(2.0 * ref->width * fan_in * pol->rank);
            for (size_t i = 0; i < size; i++)
                w->W_eff[l][i] += ref->W[l][i];
        }
    SbMlp mlp = policy_mlp(pol, w);
    sb_mlp_forward_work(&mlp, x, n, logits, NULL, w->mlp);
}

void sb_policy_backward_work(const SbPolicy *pol, SbPolicyWork *w, const double *dlogits, double *grad)
{
    const SbRefNet *ref = pol->ref;
    views_fill(pol, pol->theta, &w->theta);
    views_fill(pol, grad, &w->grad);
    SbMlp mlp = policy_mlp(pol, w);
    SbPolicyViews *g = &w->grad;
    if (pol->form == SB_POLICY_FULL) {
        sb_mlp_backward_work(&mlp, w->mlp, dlogits, g->W, g->b, g->W_out, g->b_out, NULL);
        return;
    }
    /* d/dA and d/dB of W_l + s B_l A_l, s = alpha / r (harness/mlp.h) */
    SbMlpLora lora = {pol->rank, pol->alpha / pol->rank, w->theta.A, w->theta.B, g->A, g->B, w->dW};
    sb_mlp_backward_work(&mlp, w->mlp, dlogits, NULL, NULL, NULL, NULL, &lora);
    (void)ref;
}

void sb_policy_forward(const SbPolicy *pol, const double *x, int n, double *logits, SbPolicyCache *cache)
{
    SbPolicyWork *w = sb_policy_work_new(pol, n);
    sb_policy_forward_work(pol, x, n, logits, w);
    if (cache)
        cache->work = w;
    else
        sb_policy_work_free(w);
}

void sb_policy_backward(const SbPolicy *pol, const SbPolicyCache *cache, const double *dlogits, double *grad)
{
    sb_policy_backward_work(pol, cache->work, dlogits, grad);
}

void sb_policy_cache_free(SbPolicyCache *cache)
{
    sb_policy_work_free(cache->work);
    cache->work = NULL;
}
