/* soupbench: the reference network (harness/refnet.h). */
#include "refnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *gaussian(SbRng *rng, size_t n, double scale)
{
    double *v = sb_zeros(n);
    for (size_t i = 0; i < n; i++)
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
        net->W[l] = gaussian(rng, (size_t)width * (size_t)fan_in, 1.0 / sqrt((double)fan_in));
        net->b[l] = gaussian(rng, (size_t)width, 0.1);
    }
    net->W_out = gaussian(rng, (size_t)n_out * (size_t)width, 1.0 / sqrt((double)width));
    net->b_out = gaussian(rng, (size_t)n_out, 0.1);
    return net;
}

SbMlp sb_refnet_mlp(const SbRefNet *net)
{
    return (SbMlp){net->n_in, net->width, net->layers, net->n_out, net->temperature,
                   net->W, net->b, net->W_out, net->b_out};
}

void sb_refnet_forward(const SbRefNet *net, const double *x, int n, double *psi, double *logits)
{
    SbMlp mlp = sb_refnet_mlp(net);
    sb_mlp_forward(&mlp, x, n, logits, psi, NULL);
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

void sb_refnet_scale(SbRefNet *net, double s)
{
    for (int l = 0; l < net->layers; l++) {
        size_t n = (size_t)net->width * (l == 0 ? net->n_in : net->width);
        for (size_t i = 0; i < n; i++)
            net->W[l][i] *= s;
        for (int i = 0; i < net->width; i++)
            net->b[l][i] *= s;
    }
    for (size_t i = 0; i < (size_t)net->n_out * net->width; i++)
        net->W_out[i] *= s;
    for (int i = 0; i < net->n_out; i++)
        net->b_out[i] *= s;
}
