/* soupbench: MLP forward and backward passes (harness/mlp.h). */
#include "mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "vmath.h"

static double flops;

double sb_mlp_flops(void) { return flops; }

void sb_mlp_count_flops(double n) { flops += n; }

/* ------------------------------------------------------------------ */
/* workspaces                                                         */

SbMlpWork *sb_mlp_work_new(const SbMlp *net, int n_max)
{
    SB_ASSERT(n_max >= 1);
    SbMlpWork *w = sb_calloc(1, sizeof *w);
    size_t nw = (size_t)n_max * net->width;
    *w = (SbMlpWork){n_max, net->n_in, net->width, net->layers, net->n_out, 0, NULL, NULL, NULL, NULL, NULL, NULL};
    w->h = sb_calloc((size_t)net->layers, sizeof(double *));
    for (int l = 0; l < net->layers; l++)
        w->h[l] = sb_zeros(nw);
    /* the backward pass's buffers come with its first use */
    return w;
}

static void backward_buffers(SbMlpWork *w)
{
    if (w->dh)
        return;
    size_t nw = (size_t)w->n_max * w->width;
    w->dz = sb_zeros((size_t)w->n_max * w->n_out);
    w->dh = sb_zeros(nw);
    w->dpre = sb_zeros(nw);
    if (w->layers > 1)
        w->dprev = sb_zeros(nw);
}

size_t sb_mlp_work_bytes(const SbMlpWork *w)
{
    size_t nw = (size_t)w->n_max * w->width;
    size_t backward = w->dh ? nw * (size_t)(2 + (w->layers > 1)) + (size_t)w->n_max * w->n_out : 0;
    return sizeof(double) * (nw * (size_t)w->layers + backward);
}

void sb_mlp_work_free(SbMlpWork *w)
{
    if (!w)
        return;
    for (int l = 0; l < w->layers; l++)
        free(w->h[l]);
    free(w->h);
    free(w->dz);
    free(w->dh);
    free(w->dpre);
    free(w->dprev);
    free(w);
}

/* ------------------------------------------------------------------ */
/* passes                                                             */

/* y [n x rows] = x [n x cols] W^T + b, W rows x cols row-major. */
static void affine(const double *x, int n, int cols, const double *W, const double *b, int rows, double *y)
{
    for (int i = 0; i < n; i++)
        memcpy(y + (size_t)i * rows, b, sizeof(double) * (size_t)rows);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, cols, 1.0, x, cols, W, cols, 1.0, y, rows);
    flops += 2.0 * n * rows * cols + (double)n * rows;
}

void sb_mlp_forward_work(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpWork *work)
{
    SB_ASSERT(n <= work->n_max && work->width == net->width && work->layers == net->layers);
    size_t nw = (size_t)n * net->width;
    const double *in = x;
    for (int l = 0; l < net->layers; l++) {
        double *h = work->h[l];
        affine(in, n, sb_mlp_fan_in(net, l), net->W[l], net->b[l], net->width, h);
        sb_vtanh(h, nw);
        in = h;
    }
    flops += (double)net->layers * nw * 20; /* tanh: about 20 operations */
    affine(in, n, net->width, net->W_out, net->b_out, net->n_out, logits);
    if (net->temperature != 1.0) /* x / 1 is x: skipping it changes no bit */
        for (size_t i = 0; i < (size_t)n * net->n_out; i++)
            logits[i] /= net->temperature;
    if (psi)
        memcpy(psi, in, sizeof(double) * nw);
    work->n = n;
    work->x = x;
}

/* out[j] = sum_i d[i * cols + j]: the bias gradient (summed over i in
 * order for every j, vectorised across j). */
static void column_sums(const double *restrict d, int n, int cols, double *restrict out)
{
    memset(out, 0, sizeof(double) * (size_t)cols);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < cols; j++)
            out[j] += d[(size_t)i * cols + j];
}

/* dpre = dh * (1 - h^2): through tanh. */
static void tanh_backward(const double *restrict dh, const double *restrict h, size_t n, double *restrict dpre)
{
    for (size_t i = 0; i < n; i++)
        dpre[i] = dh[i] * (1.0 - h[i] * h[i]);
}

void sb_mlp_backward_work(const SbMlp *net, SbMlpWork *work, const double *dlogits, double **dW, double **db,
                          double *dW_out, double *db_out)
{
    int n = work->n, width = net->width, V = net->n_out, L = net->layers;
    size_t nw = (size_t)n * width;
    backward_buffers(work);
    const double *dz = dlogits;
    if (net->temperature != 1.0) {
        for (size_t i = 0; i < (size_t)n * V; i++)
            work->dz[i] = dlogits[i] / net->temperature;
        dz = work->dz;
    }
    const double *top = work->h[L - 1];
    if (dW_out) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, width, n, 1.0, dz, V, top, width, 0.0, dW_out,
                    width);
        flops += 2.0 * n * V * width;
    }
    if (db_out)
        column_sums(dz, n, V, db_out);
    /* dh = dz W_out: gradient with respect to the last hidden layer */
    double *dh = work->dh, *dpre = work->dpre, *dprev = work->dprev;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, width, V, 1.0, dz, V, net->W_out, width, 0.0, dh,
                width);
    flops += 2.0 * n * V * width;
    for (int l = L - 1; l >= 0; l--) {
        int fan_in = sb_mlp_fan_in(net, l);
        const double *below = l == 0 ? work->x : work->h[l - 1];
        tanh_backward(dh, work->h[l], nw, dpre);
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
            double *t = dh; /* the next layer down reads dprev as its dh */
            dh = dprev, dprev = t;
        }
    }
    flops += 4.0 * L * nw;
}

void sb_mlp_forward(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpCache *cache)
{
    SbMlpWork *work = sb_mlp_work_new(net, n);
    sb_mlp_forward_work(net, x, n, logits, psi, work);
    if (cache)
        cache->work = work;
    else
        sb_mlp_work_free(work);
}

void sb_mlp_backward(const SbMlp *net, const SbMlpCache *cache, const double *dlogits, double **dW, double **db,
                     double *dW_out, double *db_out)
{
    sb_mlp_backward_work(net, cache->work, dlogits, dW, db, dW_out, db_out);
}

void sb_mlp_cache_free(SbMlpCache *cache)
{
    sb_mlp_work_free(cache->work);
    cache->work = NULL;
}
