/* soupbench: the MLP shared by the reference network and every trainable
 * policy (SPEC section 3): x -> L tanh layers of one width -> linear head,
 * logits divided by a temperature. Forward and backward passes over a batch
 * of n rows go through one cblas_dgemm per layer and direction. */
#ifndef SB_MLP_H
#define SB_MLP_H

typedef struct {
    int n_in, width, layers, n_out;
    double temperature;
    double *const *W;     /* [layers]: width x fan_in(l), row-major */
    double *const *b;     /* [layers]: width */
    const double *W_out;  /* n_out x width */
    const double *b_out;  /* n_out */
} SbMlp;

/* Activations kept by a forward pass for the backward pass. */
typedef struct {
    int n, layers, width;
    const double *x; /* the input batch (not owned) */
    double **h;      /* [layers]: n x width, h[l] = tanh(pre-activation of layer l) */
} SbMlpCache;

static inline int sb_mlp_fan_in(const SbMlp *net, int l) { return l == 0 ? net->n_in : net->width; }

/* logits [n x n_out]; when cache is not NULL it is (re)filled and must be
 * released with sb_mlp_cache_free. psi, when not NULL, receives the last
 * hidden layer [n x width]. */
void sb_mlp_forward(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpCache *cache);
/* Gradients of a loss with respect to every weight, given dlogits
 * [n x n_out] (the gradient with respect to the logits). Each output is
 * overwritten; any output pointer (or array) may be NULL to skip it. */
void sb_mlp_backward(const SbMlp *net, const SbMlpCache *cache, const double *dlogits, double **dW, double **db,
                     double *dW_out, double *db_out);
void sb_mlp_cache_free(SbMlpCache *cache);

/* Floating-point operations counted by the passes so far (2 per
 * multiply-add of every GEMM, plus the elementwise work). */
double sb_mlp_flops(void);
/* Add work done elsewhere (optimisers, merges) to the count. */
void sb_mlp_count_flops(double n);

#endif
