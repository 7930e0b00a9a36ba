/* soupbench: the MLP shared by the reference network and every trainable
 * policy (SPEC section 3): x -> L tanh layers of one width -> linear head,
 * logits divided by a temperature. Forward and backward passes over a batch
 * of n rows go through one cblas_dgemm per layer, direction and block of
 * rows (sb_mlp_block_rows). */
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

/* The passes go through the batch in blocks of rows small enough for a
 * block of every layer's activations to stay in the processor's cache
 * (about 512 KB a layer): forward, every layer of one block before the
 * next block; backward, likewise, the weight gradients accumulated over
 * the blocks. */
int sb_mlp_block_rows(int width);

/* The buffers of forward and backward passes over batches of at most
 * n_max rows, allocated once and reused by every pass (a trainer's steps):
 * the activations a forward pass keeps for the backward pass, and the
 * backward pass's scratch (one block of rows). */
typedef struct {
    int n_max, n_in, width, layers, n_out, block;
    int n;           /* rows of the last forward pass */
    const double *x; /* its input batch (not owned) */
    double **h;      /* [layers]: n x width, h[l] = tanh(pre-activation of layer l) */
    /* the backward pass's, allocated by its first use: */
    double *dz;                /* block x n_out: dlogits / temperature */
    double *dh, *dpre, *dprev; /* block x width (dprev: only with 2 layers or more) */
    double *u, *v;             /* block x rank: LoRA's direct gradient */
    int rank;                  /* what u and v hold */
} SbMlpWork;

SbMlpWork *sb_mlp_work_new(const SbMlp *net, int n_max);
void sb_mlp_work_free(SbMlpWork *work);
/* Bytes held by a workspace. */
size_t sb_mlp_work_bytes(const SbMlpWork *work);

/* LoRA adapters on the hidden layers, W_l + scale B_l A_l, for the
 * backward pass: it writes dA, dB instead of the merged weights'
 * gradients. Per layer it takes the cheaper of two orders: through the
 * merged gradient dW_l = dpre^T below (then dA = s B^T dW, dB = s dW A^T;
 * dW_l in the caller's scratch), or directly (dA = s (dpre B)^T below,
 * dB = s dpre^T (below A^T)), which needs no width x fan_in product
 * (sb_mlp_lora_direct). */
typedef struct {
    int rank;
    double scale;                /* alpha / r */
    double *const *A, *const *B; /* [layers]: r x fan_in, width x r */
    double **dA, **dB;           /* [layers]: outputs, shaped like A and B */
    double **dW;                 /* [layers]: width x fan_in scratch (used where not direct) */
} SbMlpLora;

/* Does the backward pass take the direct LoRA order for a layer? */
int sb_mlp_lora_direct(int n, int width, int fan_in, int rank);

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
 * array) may be NULL to skip it. With lora (not NULL) the hidden layers'
 * gradients go to lora->dA, lora->dB instead of dW. */
void sb_mlp_backward_work(const SbMlp *net, SbMlpWork *work, const double *dlogits, double **dW, double **db,
                          double *dW_out, double *db_out, const SbMlpLora *lora);

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
