/* soupbench: MLP forward and backward passes (harness/mlp.h). */
#include "mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "vmath.h"

/* per thread: a unit measures its own work as the difference of two readings */
static _Thread_local double flops;

double sb_mlp_flops(void) { return flops; }

void sb_mlp_count_flops(double n) { flops += n; }

/* An array of n doubles every element of which is written before it is
 * read (no zeroing: calloc's memset is wasted work on every pass). */
static double *uninit(size_t n) { return sb_malloc(sizeof(double) * (n > 0 ? n : 1)); }

/* ------------------------------------------------------------------ */
/* workspaces                                                         */

/* About 512 KB of one layer's activations per block: a block of every
 * layer stays in the (1-2 MB) second-level cache. */
#define SB_MLP_BLOCK_BYTES (512 * 1024)

int sb_mlp_block_rows(int width)
{
    int rows = SB_MLP_BLOCK_BYTES / (int)(sizeof(double) * (size_t)width);
    return rows < 64 ? 64 : rows;
}

SbMlpWork *sb_mlp_work_new(const SbMlp *net, int n_max)
{
    SB_ASSERT(n_max >= 1);
    SbMlpWork *w = sb_calloc(1, sizeof *w);
    size_t nw = (size_t)n_max * net->width;
    int block = sb_mlp_block_rows(net->width);
    *w = (SbMlpWork){.n_max = n_max, .n_in = net->n_in, .width = net->width, .layers = net->layers,
                     .n_out = net->n_out, .block = block < n_max ? block : n_max};
    w->h = sb_calloc((size_t)net->layers, sizeof(double *));
    for (int l = 0; l < net->layers; l++)
        w->h[l] = uninit(nw);
    /* the backward pass's buffers come with its first use */
    return w;
}

static void backward_buffers(SbMlpWork *w, int rank)
{
    size_t bw = (size_t)w->block * w->width;
    if (!w->dh) {
        w->dz = uninit((size_t)w->block * w->n_out);
        w->dh = uninit(bw);
        w->dpre = uninit(bw);
        if (w->layers > 1)
            w->dprev = uninit(bw);
    }
    if (rank > w->rank) {
        free(w->u);
        free(w->v);
        w->u = uninit((size_t)w->block * rank);
        w->v = uninit((size_t)w->block * rank);
        w->rank = rank;
    }
}

size_t sb_mlp_work_bytes(const SbMlpWork *w)
{
    size_t nw = (size_t)w->n_max * w->width, bw = (size_t)w->block * w->width;
    size_t backward = w->dh ? bw * (size_t)(2 + (w->layers > 1)) + (size_t)w->block * w->n_out : 0;
    backward += 2 * (size_t)w->block * w->rank;
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
    free(w->u);
    free(w->v);
    free(w);
}

/* ------------------------------------------------------------------ */
/* passes                                                             */

/* C [m x n] (=|+=) alpha op(A) op(B), row-major: the one GEMM call. */
static void gemm(int transA, int transB, int m, int n, int k, double alpha, const double *A, int lda,
                 const double *B, int ldb, double beta, double *C, int ldc)
{
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, A, lda, B, ldb, beta, C, ldc);
    flops += 2.0 * m * n * k;
}

/* The elementwise loops below are compiled for the widest vectors this
 * processor has (and vectorised whatever their trip count): additions and
 * products are exactly rounded at any width and never contracted into
 * FMAs (-std=c11), so every clone gives the same numbers. */
#define ELEMENTWISE __attribute__((target_clones("avx512f", "avx2", "default"), optimize("-fvect-cost-model=dynamic")))

/* y[i][j] += b[j] for rows rows of cols numbers. */
ELEMENTWISE static void add_rows(double *restrict y, int rows, int cols, const double *restrict b)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            y[(size_t)i * cols + j] += b[j];
}

void sb_mlp_forward_work(const SbMlp *net, const double *x, int n, double *logits, double *psi, SbMlpWork *work)
{
    SB_ASSERT(n <= work->n_max && work->width == net->width && work->layers == net->layers);
    int w = net->width, V = net->n_out;
    for (int i0 = 0; i0 < n; i0 += work->block) {
        int m = n - i0 < work->block ? n - i0 : work->block;
        const double *in = x + (size_t)i0 * net->n_in;
        for (int l = 0; l < net->layers; l++) {
            int fan_in = sb_mlp_fan_in(net, l);
            double *h = work->h[l] + (size_t)i0 * w;
            /* h = tanh(in W^T + b) */
            gemm(0, 1, m, w, fan_in, 1.0, in, fan_in, net->W[l], fan_in, 0.0, h, w);
            add_rows(h, m, w, net->b[l]);
            sb_vtanh(h, (size_t)m * w);
            in = h;
        }
        double *z = logits + (size_t)i0 * V;
        gemm(0, 1, m, V, w, 1.0, in, w, net->W_out, w, 0.0, z, V);
        add_rows(z, m, V, net->b_out);
        if (net->temperature != 1.0) /* x / 1 is x */
            for (size_t i = 0; i < (size_t)m * V; i++)
                z[i] /= net->temperature;
    }
    size_t nw = (size_t)n * w;
    flops += (double)net->layers * nw * 21 + (double)n * V; /* bias and tanh: about 20 operations */
    if (psi)
        memcpy(psi, work->h[net->layers - 1], sizeof(double) * nw);
    work->n = n;
    work->x = x;
}

/* out[j] (=|+=) sum_i d[i * cols + j]: the bias gradient (summed over i in
 * order for every j, vectorised across j). */
ELEMENTWISE static void column_sums(const double *restrict d, int n, int cols, int accumulate, double *restrict out)
{
    if (!accumulate)
        memset(out, 0, sizeof(double) * (size_t)cols);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < cols; j++)
            out[j] += d[(size_t)i * cols + j];
}

/* dpre = dh * (1 - h^2): through tanh. */
ELEMENTWISE static void tanh_backward(const double *restrict dh, const double *restrict h, size_t n, double *restrict dpre)
{
    for (size_t i = 0; i < n; i++)
        dpre[i] = dh[i] * (1.0 - h[i] * h[i]);
}

int sb_mlp_lora_direct(int n, int width, int fan_in, int rank)
{
    /* direct: 4 n r (width + fan_in); through dW: 2 n width fan_in + 4 width fan_in r */
    double direct = 4.0 * n * rank * (width + fan_in);
    double merged = 2.0 * n * width * fan_in + 4.0 * width * fan_in * rank;
    return direct < merged;
}

void sb_mlp_backward_work(const SbMlp *net, SbMlpWork *work, const double *dlogits, double **dW, double **db,
                          double *dW_out, double *db_out, const SbMlpLora *lora)
{
    int n = work->n, width = net->width, V = net->n_out, L = net->layers;
    backward_buffers(work, lora ? lora->rank : 0);
    for (int i0 = 0; i0 < n; i0 += work->block) {
        int m = n - i0 < work->block ? n - i0 : work->block, acc = i0 > 0;
        double beta = acc ? 1.0 : 0.0;
        const double *dz = dlogits + (size_t)i0 * V;
        if (net->temperature != 1.0) {
            for (size_t i = 0; i < (size_t)m * V; i++)
                work->dz[i] = dz[i] / net->temperature;
            dz = work->dz;
        }
        const double *top = work->h[L - 1] + (size_t)i0 * width;
        if (dW_out)
            gemm(1, 0, V, width, m, 1.0, dz, V, top, width, beta, dW_out, width);
        if (db_out)
            column_sums(dz, m, V, acc, db_out);
        /* dh = dz W_out: gradient with respect to the last hidden layer */
        double *dh = work->dh, *dpre = work->dpre, *dprev = work->dprev;
        gemm(0, 0, m, width, V, 1.0, dz, V, net->W_out, width, 0.0, dh, width);
        for (int l = L - 1; l >= 0; l--) {
            int fan_in = sb_mlp_fan_in(net, l);
            const double *below = l == 0 ? work->x + (size_t)i0 * net->n_in : work->h[l - 1] + (size_t)i0 * width;
            tanh_backward(dh, work->h[l] + (size_t)i0 * width, (size_t)m * width, dpre);
            if (lora && sb_mlp_lora_direct(n, width, fan_in, lora->rank)) {
                int r = lora->rank;
                /* dA = s (dpre B)^T below, dB = s dpre^T (below A^T) */
                gemm(0, 0, m, r, width, 1.0, dpre, width, lora->B[l], r, 0.0, work->u, r);
                gemm(1, 0, r, fan_in, m, lora->scale, work->u, r, below, fan_in, beta, lora->dA[l], fan_in);
                gemm(0, 1, m, r, fan_in, 1.0, below, fan_in, lora->A[l], fan_in, 0.0, work->v, r);
                gemm(1, 0, width, r, m, lora->scale, dpre, width, work->v, r, beta, lora->dB[l], r);
            } else {
                double *dWl = lora ? lora->dW[l] : dW ? dW[l] : NULL;
                if (dWl)
                    gemm(1, 0, width, fan_in, m, 1.0, dpre, width, below, fan_in, beta, dWl, fan_in);
            }
            if (db && db[l])
                column_sums(dpre, m, width, acc, db[l]);
            if (l > 0) {
                gemm(0, 0, m, width, width, 1.0, dpre, width, net->W[l], width, 0.0, dprev, width);
                double *t = dh; /* the next layer down reads dprev as its dh */
                dh = dprev, dprev = t;
            }
        }
    }
    flops += 4.0 * L * (double)n * width;
    if (!lora)
        return;
    /* the layers through the merged gradient: d/dA = s B^T dW, d/dB = s dW A^T */
    for (int l = 0; l < L; l++) {
        int fan_in = sb_mlp_fan_in(net, l), r = lora->rank;
        if (sb_mlp_lora_direct(n, width, fan_in, r))
            continue;
        gemm(1, 0, r, fan_in, width, lora->scale, lora->B[l], r, lora->dW[l], fan_in, 0.0, lora->dA[l], fan_in);
        gemm(0, 1, width, r, fan_in, lora->scale, lora->dW[l], fan_in, lora->A[l], fan_in, 0.0, lora->dB[l], r);
    }
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
    sb_mlp_backward_work(net, cache->work, dlogits, dW, db, dW_out, db_out, NULL);
}

void sb_mlp_cache_free(SbMlpCache *cache)
{
    sb_mlp_work_free(cache->work);
    cache->work = NULL;
}
