/* soupbench: a harmlessness reward model trained on HH-RLHF pairs (SPEC
 * section 5): Bradley-Terry on the reference features psi(x, y), i.e. an
 * L2-regularised logistic regression of "chosen beats rejected" on
 * psi(x, chosen) - psi(x, rejected), fitted on a seeded training share of
 * the pairs; its held-out pairwise accuracy comes with a Wilson interval. */
#ifndef SB_HARMLESS_H
#define SB_HARMLESS_H

#include <stdint.h>

#include "candidates.h"

typedef struct {
    int d;            /* feature dimension */
    double *theta;    /* [d]: the reward r(x, y) = <theta, psi(x, y)> */
    double *sv;       /* [d]: the text features' spectrum */
    int n_train, n_test;
    double accuracy, lo, hi; /* held-out pairwise accuracy, 95% Wilson interval */
} SbHarmlessModel;

/* Featurise every (prompt, response) of the pairs into d dimensions
 * (datasets/textfeat.h, fitted on the training pairs), fit the model on a
 * train_share of the pairs drawn with seed, and measure it on the rest. */
SbHarmlessModel *sb_harmless_fit(const SbTextPairs *pairs, int d, double train_share, double l2, uint64_t seed);
void sb_harmless_free(SbHarmlessModel *m);

#endif
