/* soupbench: the real-data track as an enumerable problem (SPEC section 5).
 *
 * A candidate set (one prompt and the responses a policy chooses among) is
 * a state of an H = 1 tree MDP whose actions are the candidates: action k
 * of every prompt is the answer of source k (AlpacaEval: the reference
 * answer, then each mirrored model; Topical-Chat: each response system) or,
 * for UltraFeedback (a user's own JSON Lines file, $.dataset.path, whose
 * models vary by record), the k-th completion. Prompts without a complete
 * set (every source once; UltraFeedback: the most common set size) or
 * with a missing rating among the chosen aspects are dropped and counted.
 *
 *  - Split by prompt: a seeded shuffle of the complete prompts keeps at most
 *    $.dataset.prompts of them; the first ceil($.soup.train_prompts * n)
 *    (at least 1, at most n - 1) are the training prompts, numbered first.
 *    Training and fitting (basis, bespoke policies, lam, online answers)
 *    see only those (p->init); every reported number is over the test
 *    prompts (p->eval_init).
 *  - Features: psi(x, y) of each response, TF-IDF of hashed word 1-2-grams
 *    and a truncated SVD to d = $.dataset.spectral_dim dimensions, both
 *    fitted on the training candidates (datasets/textfeat.h); the SVD's
 *    singular values are the dataset's spectrum. Each feature is
 *    standardised on the training candidates.
 *  - Aspects ($.dataset.aspect_names): the data's ratings (AlpacaEval's
 *    `judge`, Topical-Chat's five human ratings, UltraFeedback's four) and
 *    the text scorers of
 *    datasets/text_aspects.h, each standardised (z-score) on the training
 *    candidates.
 *  - Reference network: input = the standardised psi of the prompt's V
 *    candidates side by side (V * d numbers), output = V logits. pi_ref is
 *    uniform ($.reference.policy "auto" or "uniform": every policy's logits
 *    are taken relative to the network's, harness/problem.h) or the
 *    network's own policy ("network"). */
#ifndef SB_REALDATA_H
#define SB_REALDATA_H

#include <stddef.h>

#include "candidates.h"
#include "config.h"
#include "dataset.h"
#include "problem.h"
#include "results.h"

typedef struct {
    const SbDataset *dataset; /* $.dataset.kind in the registry (datasets/dataset.h) */
    SbCandidateSets *sets;  /* as loaded */
    int n_complete;         /* prompts with one candidate from every source */
    int n_dropped;          /* prompts left out for an incomplete set */
    long skipped;           /* malformed records skipped (--skip-bad) */
    int n_prompts, n_train; /* kept; the first n_train are the training prompts */
    int *prompt_of;         /* [n_prompts]: index of the kept prompt in sets */
    int *cand_of;           /* [n_prompts * V]: index of the candidate in sets */
    double *spectrum;       /* [d]: singular values of the TF-IDF matrix */
    double *aspect_mean, *aspect_sd; /* [m]: standardisation on the training candidates */
    double *raw_aspects;    /* [n_prompts * V x m]: before standardisation */
    double ref_entropy;     /* mean entropy of pi_ref on the test prompts / log V (1: uniform) */
} SbRealData;

/* The i-th text scorer (an aspect any candidate set has, computed from the
 * answer's text by datasets/text_aspects.h), NULL past the last. */
const SbAspect *sb_text_scorer_at(int i);

/* Load, split, featurise and score; the problem and, in *out, what the
 * report needs. Deterministic in cfg->seed. Exit 2 (naming `label`, the
 * config file, and the JSON path) when an aspect does not belong to the
 * dataset or too few prompts remain. skip_bad: malformed records of the
 * user's file ($.dataset.path) are counted, reported and skipped (the
 * pinned files are checked by their SHA-256 instead). */
SbProblem *sb_realdata_build(const SbConfig *cfg, const char *label, int skip_bad, SbRealData **out);
void sb_realdata_describe(const SbProblem *p, const SbRealData *rd, char *buf, size_t n);
/* /data/<kind>: everything to recompute the exact evaluation (layout in
 * results/README.md). */
void sb_realdata_write(SbResults *r, const SbProblem *p, const SbRealData *rd, const SbConfig *cfg);
void sb_realdata_free(SbRealData *rd);

#endif
