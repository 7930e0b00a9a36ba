/* soupbench: the reference network (SPEC section 3).
 *
 * An MLP: x(s) -> L tanh hidden layers of one width -> linear head over the
 * vocabulary. Its last hidden layer is the spectral representation psi(s);
 * the logits are l_ref(s, .) = (W_out psi(s) + b_out) / temperature. The
 * weights are drawn from a seeded N(0, 1/fan_in) (a fixed random
 * reference: the synthetic track needs a smooth, non-uniform pi_ref, not a
 * pretrained one). Its passes are those of harness/mlp.c. */
#ifndef SB_REFNET_H
#define SB_REFNET_H

#include "mlp.h"
#include "sb.h"

typedef struct {
    int n_in, width, layers, n_out;
    double temperature;
    /* layer l maps fan_in(l) -> width; W[l] is width x fan_in row-major */
    double **W, **b;
    double *W_out, *b_out; /* n_out x width, n_out */
} SbRefNet;

SbRefNet *sb_refnet_build(int n_in, int width, int layers, int n_out, double temperature, SbRng *rng);
/* Multiply every weight and bias by s ($.reference.scale): a reference of
 * larger norm, against which a fine-tune of the same function change is a
 * smaller relative move (harness/train/regime.h). */
void sb_refnet_scale(SbRefNet *net, double s);
/* Forward n rows of inputs x [n x n_in]: psi [n x width] (may be NULL) and
 * logits [n x n_out]. */
void sb_refnet_forward(const SbRefNet *net, const double *x, int n, double *psi, double *logits);
void sb_refnet_free(SbRefNet *net);
/* A view of the network's weights for the MLP passes. */
SbMlp sb_refnet_mlp(const SbRefNet *net);

#endif
