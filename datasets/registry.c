/* soupbench: the dataset registry (datasets/dataset.h). A new dataset is
 * one file defining `const SbDataset sb_dataset_<kind>` and one line in
 * SB_DATASETS below; the order is the order of `soupbench list` and of the
 * choices a bad $.dataset.kind is told about. */
#include "dataset.h"

#include <string.h>

#include "realdata.h"

#define SB_DATASETS(X) \
    X(synthetic)       \
    X(alpaca_eval)     \
    X(topical_chat)    \
    X(ultrafeedback)

#define DECLARE(kind) extern const SbDataset sb_dataset_##kind;
SB_DATASETS(DECLARE)
#undef DECLARE

#define ENTRY(kind) &sb_dataset_##kind,
static const SbDataset *const registry[] = {SB_DATASETS(ENTRY)};
#undef ENTRY

#define N_DATASETS ((int)(sizeof registry / sizeof registry[0]))

const SbDataset *sb_dataset_at(int i) { return i >= 0 && i < N_DATASETS ? registry[i] : NULL; }

const SbDataset *sb_dataset_find(const char *name)
{
    for (int i = 0; i < N_DATASETS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

/* The i-th entry of the raw sequence: every dataset's ratings, then the
 * text scorers (a name may repeat when two datasets share a rating). */
static const SbAspect *raw_aspect(int i)
{
    for (int d = 0; d < N_DATASETS; d++)
        for (const SbAspect *a = registry[d]->ratings; a && a->name; a++)
            if (i-- == 0)
                return a;
    return sb_text_scorer_at(i);
}

const SbAspect *sb_aspect_at(int i)
{
    /* the i-th distinct name: skip a name already met */
    const SbAspect *a;
    for (int raw = 0; (a = raw_aspect(raw)); raw++) {
        int seen = 0;
        for (int j = 0; j < raw && !seen; j++)
            seen = strcmp(raw_aspect(j)->name, a->name) == 0;
        if (!seen && i-- == 0)
            return a;
    }
    return NULL;
}

const SbAspect *sb_aspect_find(const char *name)
{
    const SbAspect *a;
    for (int i = 0; (a = raw_aspect(i)); i++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}
