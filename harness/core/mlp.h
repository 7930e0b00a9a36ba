/* soupbench: the MLP shared by the reference network and every trainable
 * policy (SPEC section 3): x -> L tanh layers of one width -> linear head,
 * logits divided by a temperature. Forward and backward passes over a batch
 * of n rows go through one cblas_dgemm per layer and direction. */
#ifndef SB_MLP_H
#define SB_MLP_H

#include <stddef.h>

typedef struct {
    int n_in, width, layers, n_out;
    double temperature;
    double *const *W;     /* [layers]: width x fan_in(l), row-major */
    double *const *b;     /* [layers]: width */
    const double *W_out;  /* n_out x width */
    const double *b_out;  /* n_out */
} SbMlp;

/* The buffers of forward and backward passes over batches of at most
 * n_max rows, allocated once and reused by every pass (a trainer's steps):
 * the activations a forward pass keeps for the backward pass, and the
 * backward pass's scratch. */
typedef struct {
    int n_max, n_in, width, layers, n_out;
    int n;           /* rows of the last forward pass */
    const double *x; /* its input batch (not owned) */
    double **h;      /* [layers]: n x width, h[l] = tanh(pre-activation of layer l) */
    double *dz;      /* n x n_out: dlogits / temperature */
    double *dh, *dpre, *dprev; /* n x width (dprev: only with 2 layers or more) */
    /* the backward buffers are allocated by the first backward pass */
} SbMlpWork;

SbMlpWork *sb_mlp_work_new(const SbMlp *net, int n_max);
void sb_mlp_work_free(SbMlpWork *work);
/* Bytes held by a workspace. */
size_t sb_mlp_work_bytes(const SbMlpWork *work);

/* Activations kept by a forward pass for the backward pass (a workspace
 * of the pass's own). */
typedef struct {
    SbMlpWork *work;
} SbMlpCache;

static inline int sb_mlp_fan_in(const SbMlp *net, int l) { return l == 0 ? net->n_in : net->width; }

/* logits [n x n_out] of n <= work->n_max rows, keeping the activations in
 * work for sb_mlp_backward_work. psi, when not NULL, receives the last
 * hidden layer [n x width]. */
void sb_mlp_forward_work(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpWork *work);
/* Gradients of a loss with respect to every weight, given dlogits
 * [n x n_out] (the gradient with respect to the logits) at the last
 * forward pass of work. Each output is overwritten; any output pointer (or
 * array) may be NULL to skip it. */
void sb_mlp_backward_work(const SbMlp *net, SbMlpWork *work, const double *dlogits, double **dW, double **db,
                          double *dW_out, double *db_out);

/* The same with a workspace of their own: when cache is not NULL it is
 * (re)filled and must be released with sb_mlp_cache_free. */
void sb_mlp_forward(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpCache *cache);
void sb_mlp_backward(const SbMlp *net, const SbMlpCache *cache, const double *dlogits, double **dW, double **db,
                     double *dW_out, double *db_out);
void sb_mlp_cache_free(SbMlpCache *cache);

/* Floating-point operations counted by the passes so far (2 per
 * multiply-add of every GEMM, plus the elementwise work). */
double sb_mlp_flops(void);
/* Add work done elsewhere (optimisers, merges) to the count. */
void sb_mlp_count_flops(double n);

#endif
