/* Fuzz target: the UltraFeedback loader (datasets/ultrafeedback.c) on a
 * user's file. The first byte picks skip_bad. Oracles: every rating kept
 * is in [1, 5] or NaN ("N/A"), the candidate sets are consistent. */
#include "fuzz.h"

#include <math.h>

#include "candidates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 1)
        return 0;
    const char *path = fuzz_file("uf.jsonl", data + 1, size - 1);
    FUZZ_TRY({
        SbCandidateSets *c = sb_ultrafeedback_load(path, data[0] & 1);
        if (c->offset[0] != 0 || c->offset[c->n_prompts] != c->n_cand)
            abort();
        for (int i = 0; i < c->n_cand * c->m; i++)
            if (!isnan(c->aspects[i]) && !(c->aspects[i] >= 1 && c->aspects[i] <= 5))
                abort();
        for (int i = 0; i < c->n_cand; i++)
            if (c->source[i] < 0 || c->source[i] >= c->n_sources)
                abort();
        sb_candidates_free(c);
    });
    return 0;
}
