/* soupbench: MLP forward and backward passes (harness/mlp.h). */
#include "mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

static double flops;

double sb_mlp_flops(void) { return flops; }

void sb_mlp_count_flops(double n) { flops += n; }

/* y [n x rows] = x [n x cols] W^T + b, W rows x cols row-major. */
static void affine(const double *x, int n, int cols, const double *W, const double *b, int rows, double *y)
{
    for (int i = 0; i < n; i++)
        memcpy(y + (size_t)i * rows, b, sizeof(double) * (size_t)rows);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, cols, 1.0, x, cols, W, cols, 1.0, y, rows);
    flops += 2.0 * n * rows * cols + (double)n * rows;
}

void sb_mlp_forward(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpCache *cache)
{
    size_t nw = (size_t)n * net->width;
    double **h = sb_calloc((size_t)net->layers, sizeof(double *));
    const double *in = x;
    for (int l = 0; l < net->layers; l++) {
        h[l] = sb_zeros(nw);
        affine(in, n, sb_mlp_fan_in(net, l), net->W[l], net->b[l], net->width, h[l]);
        for (size_t i = 0; i < nw; i++)
            h[l][i] = tanh(h[l][i]);
        in = h[l];
    }
    flops += (double)net->layers * nw * 20; /* tanh: about 20 operations */
    affine(in, n, net->width, net->W_out, net->b_out, net->n_out, logits);
    for (size_t i = 0; i < (size_t)n * net->n_out; i++)
        logits[i] /= net->temperature;
    if (psi)
        memcpy(psi, in, sizeof(double) * nw);
    if (cache) {
        *cache = (SbMlpCache){n, net->layers, net->width, x, h};
        return;
    }
    for (int l = 0; l < net->layers; l++)
        free(h[l]);
    free(h);
}

/* out[j] = sum_i d[i * cols + j]: the bias gradient. */
static void column_sums(const double *d, int n, int cols, double *out)
{
    memset(out, 0, sizeof(double) * (size_t)cols);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < cols; j++)
            out[j] += d[(size_t)i * cols + j];
}

void sb_mlp_backward(const SbMlp *net, const SbMlpCache *cache, const double *dlogits, double **dW, double **db,
                     double *dW_out, double *db_out)
{
    int n = cache->n, width = net->width, V = net->n_out, L = net->layers;
    size_t nw = (size_t)n * width;
    double *dz = sb_zeros((size_t)n * V);
    for (size_t i = 0; i < (size_t)n * V; i++)
        dz[i] = dlogits[i] / net->temperature;
    const double *top = cache->h[L - 1];
    if (dW_out) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, width, n, 1.0, dz, V, top, width, 0.0, dW_out,
                    width);
        flops += 2.0 * n * V * width;
    }
    if (db_out)
        column_sums(dz, n, V, db_out);
    /* dh = dz W_out: gradient with respect to the last hidden layer */
    double *dh = sb_zeros(nw);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, width, V, 1.0, dz, V, net->W_out, width, 0.0, dh,
                width);
    flops += 2.0 * n * V * width;
    double *dpre = sb_zeros(nw);
    double *dprev = sb_zeros((size_t)n * (net->n_in > width ? net->n_in : width));
    for (int l = L - 1; l >= 0; l--) {
        int fan_in = sb_mlp_fan_in(net, l);
        const double *below = l == 0 ? cache->x : cache->h[l - 1];
        for (size_t i = 0; i < nw; i++)
            dpre[i] = dh[i] * (1.0 - cache->h[l][i] * cache->h[l][i]);
        if (dW && dW[l]) {
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, width, fan_in, n, 1.0, dpre, width, below, fan_in,
                        0.0, dW[l], fan_in);
            flops += 2.0 * n * width * fan_in;
        }
        if (db && db[l])
            column_sums(dpre, n, width, db[l]);
        if (l > 0) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, width, width, 1.0, dpre, width, net->W[l],
                        width, 0.0, dprev, width);
            flops += 2.0 * n * width * width;
            memcpy(dh, dprev, sizeof(double) * nw);
        }
    }
    flops += 4.0 * L * nw;
    free(dprev);
    free(dpre);
    free(dh);
    free(dz);
}

void sb_mlp_cache_free(SbMlpCache *cache)
{
    if (!cache->h)
        return;
    for (int l = 0; l < cache->layers; l++)
        free(cache->h[l]);
    free(cache->h);
    cache->h = NULL;
}
