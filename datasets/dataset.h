/* soupbench: the dataset registry (SPEC section 5).
 *
 * A dataset kind ($.dataset.kind) is one file in datasets/ defining a
 *     const SbDataset sb_dataset_<kind> = {...};
 * and one line in SB_DATASETS (datasets/registry.c). The registry is what
 * the config accepts for $.dataset.kind and $.dataset.aspect_names, what
 * `soupbench list` prints and what `soupbench run` builds. See
 * datasets/README.md. */
#ifndef SB_DATASET_H
#define SB_DATASET_H

#include "candidates.h"
#include "config.h"

/* An aspect a config may name in $.dataset.aspect_names. */
typedef struct {
    const char *name;
    const char *description; /* one line, for `soupbench list` and the results file */
} SbAspect;

typedef struct SbDataset {
    const char *name;        /* $.dataset.kind */
    const char *description; /* one line, for `soupbench list` */
    /* Candidate sets (the H = 1 real-data track, datasets/realdata.h): the
     * loaded sets, or exit 2 naming `label` (the config file) and the JSON
     * path. NULL for the synthetic track (datasets/synthetic.h). */
    SbCandidateSets *(*load)(const SbDatasetConfig *dc, const char *label, int skip_bad);
    int positional; /* action k is each prompt's k-th candidate (its source varies), not source k */
    /* The human (or judge) ratings the data carries, as its loader names
     * the columns of SbCandidateSets.aspects; NULL-name terminated. */
    const SbAspect *ratings;
    /* $.dataset.aspect_names = [] means these: ratings and text scorers
     * (datasets/realdata.h); NULL-terminated. */
    const char *const *default_aspects;
} SbDataset;

/* The registered dataset of that kind, or NULL. */
const SbDataset *sb_dataset_find(const char *name);
/* The i-th dataset in registry order, NULL past the last. */
const SbDataset *sb_dataset_at(int i);

/* The i-th aspect a config may name: every dataset's ratings in registry
 * order, then the text scorers; NULL past the last. */
const SbAspect *sb_aspect_at(int i);
/* The aspect of that name, or NULL. */
const SbAspect *sb_aspect_find(const char *name);

#endif
