/* soupbench: the reference network (harness/refnet.h). */
#include "refnet.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *gaussian(SbRng *rng, int n, double scale)
{
    double *v = sb_zeros(n);
    for (int i = 0; i < n; i++)
        v[i] = scale * sb_rng_normal(rng);
    return v;
}

SbRefNet *sb_refnet_build(int n_in, int width, int layers, int n_out, double temperature, SbRng *rng)
{
    SbRefNet *net = sb_calloc(1, sizeof *net);
    net->n_in = n_in;
    net->width = width;
    net->layers = layers;
    net->n_out = n_out;
    net->temperature = temperature;
    net->W = sb_calloc((size_t)layers, sizeof(double *));
    net->b = sb_calloc((size_t)layers, sizeof(double *));
    for (int l = 0; l < layers; l++) {
        int fan_in = l == 0 ? n_in : width;
        net->W[l] = gaussian(rng, width * fan_in, 1.0 / sqrt((double)fan_in));
        net->b[l] = gaussian(rng, width, 0.1);
    }
    net->W_out = gaussian(rng, n_out * width, 1.0 / sqrt((double)width));
    net->b_out = gaussian(rng, n_out, 0.1);
    return net;
}

/* y[n x rows] = x[n x cols] W^T + b, W rows x cols row-major. */
static void affine(const double *x, int n, int cols, const double *W, const double *b, int rows, double *y)
{
    for (int i = 0; i < n; i++)
        memcpy(y + (size_t)i * rows, b, sizeof(double) * (size_t)rows);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, cols, 1.0, x, cols, W, cols, 1.0, y,
                rows);
}

void sb_refnet_forward(const SbRefNet *net, const double *x, int n, double *psi, double *logits)
{
    double *h = sb_zeros((size_t)n * net->width);
    double *tmp = sb_zeros((size_t)n * net->width);
    const double *in = x;
    for (int l = 0; l < net->layers; l++) {
        int fan_in = l == 0 ? net->n_in : net->width;
        affine(in, n, fan_in, net->W[l], net->b[l], net->width, tmp);
        for (size_t i = 0; i < (size_t)n * net->width; i++)
            h[i] = tanh(tmp[i]);
        in = h;
        /* the next layer reads h while writing tmp: no aliasing */
    }
    affine(h, n, net->width, net->W_out, net->b_out, net->n_out, logits);
    for (size_t i = 0; i < (size_t)n * net->n_out; i++)
        logits[i] /= net->temperature;
    if (psi)
        memcpy(psi, h, sizeof(double) * (size_t)n * net->width);
    free(tmp);
    free(h);
}

void sb_refnet_free(SbRefNet *net)
{
    if (!net)
        return;
    for (int l = 0; l < net->layers; l++) {
        free(net->W[l]);
        free(net->b[l]);
    }
    free(net->W);
    free(net->b);
    free(net->W_out);
    free(net->b_out);
    free(net);
}
