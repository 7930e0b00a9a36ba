/* soupbench: the HH-RLHF harmlessness reward model (datasets/harmless.h). */
#include "harmless.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "sb.h"
#include "textfeat.h"
#include "tokenize.h"
#include "winrate.h"

SbHarmlessModel *sb_harmless_fit(const SbTextPairs *pairs, int d, double train_share, double l2, uint64_t seed)
{
    int n = pairs->n, n_docs = 2 * n;
    /* documents: prompt + response, chosen ones first then rejected ones */
    SbTokens *tok = sb_calloc((size_t)n_docs, sizeof *tok);
    const char *const **docs = sb_calloc((size_t)n_docs, sizeof *docs);
    int *n_tokens = sb_calloc((size_t)n_docs, sizeof(int));
    for (int i = 0; i < n_docs; i++) {
        const char *resp = i < n ? pairs->chosen[i] : pairs->rejected[i - n];
        const char *prompt = pairs->prompt[i % n];
        size_t len = strlen(prompt) + strlen(resp) + 2;
        char *text = sb_malloc(len);
        snprintf(text, len, "%s\n%s", prompt, resp);
        sb_tokenize(text, &tok[i]);
        free(text);
        docs[i] = (const char *const *)tok[i].tok;
        n_tokens[i] = tok[i].n;
    }
    /* a seeded split of the pairs; both documents of a pair on the same side */
    int *order = sb_calloc((size_t)n, sizeof(int));
    SbRng rng;
    sb_rng_derive(&rng, seed, "harmless/split");
    sb_rng_permutation(&rng, n, order);
    int n_train = (int)(train_share * n);
    if (n_train < 1 || n_train >= n)
        sb_fail(SB_EXIT_USAGE, "harmlessness model: a train share of %g leaves no training or no held-out pair",
                train_share);
    int *train_docs = sb_calloc((size_t)2 * n_train, sizeof(int));
    for (int i = 0; i < n_train; i++) {
        train_docs[2 * i] = order[i];
        train_docs[2 * i + 1] = order[i] + n;
    }
    SbTextFeatConfig fc;
    sb_textfeat_defaults(&fc, d, seed);
    SbHarmlessModel *m = sb_calloc(1, sizeof *m);
    m->d = d;
    m->sv = sb_zeros(d);
    double *psi = sb_zeros((size_t)n_docs * d);
    sb_textfeat_features(docs, n_tokens, n_docs, train_docs, 2 * n_train, &fc, psi, m->sv);

    /* Bradley-Terry: P(chosen beats rejected) = sigmoid(<theta, psi_c - psi_r>);
     * each pair enters in both orders (label 1 and 0), so the fit has no
     * preferred sign without the data */
    double *X = sb_zeros((size_t)2 * n_train * d), *y = sb_zeros(2 * n_train);
    for (int i = 0; i < n_train; i++) {
        int p = order[i];
        for (int k = 0; k < d; k++) {
            double diff = psi[(size_t)p * d + k] - psi[(size_t)(p + n) * d + k];
            X[(size_t)(2 * i) * d + k] = diff;
            X[(size_t)(2 * i + 1) * d + k] = -diff;
        }
        y[2 * i] = 1.0;
        y[2 * i + 1] = 0.0;
    }
    m->theta = sb_zeros(d);
    sb_logreg_fit(X, y, NULL, 2 * n_train, d, l2, m->theta, NULL, NULL);
    int correct = 0;
    for (int i = n_train; i < n; i++) {
        int p = order[i];
        double margin = 0;
        for (int k = 0; k < d; k++)
            margin += m->theta[k] * (psi[(size_t)p * d + k] - psi[(size_t)(p + n) * d + k]);
        correct += margin > 0;
    }
    m->n_train = n_train;
    m->n_test = n - n_train;
    m->accuracy = (double)correct / m->n_test;
    sb_wilson(m->accuracy, m->n_test, &m->lo, &m->hi);
    free(y), free(X), free(psi), free(train_docs), free(order), free(n_tokens), free(docs);
    for (int i = 0; i < n_docs; i++)
        sb_tokens_free(&tok[i]);
    free(tok);
    return m;
}

void sb_harmless_free(SbHarmlessModel *m)
{
    if (!m)
        return;
    free(m->theta);
    free(m->sv);
    free(m);
}
