/* Fuzz target: the AlpacaEval loader (datasets/alpaca_eval.c) on up to
 * three annotations.json files, the input split at each "\n--\n". Oracles:
 * every judge value is in [0, 1], the join keeps one reference per
 * instruction. */
#include "fuzz.h"

#include "candidates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    const char *paths[3], *models[3] = {"model_a", "model_b", "model_c"};
    static const char *const names[3] = {"a.json", "b.json", "c.json"};
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; n < 2 && i + 4 <= size; i++)
        if (memcmp(data + i, "\n--\n", 4) == 0) {
            paths[n] = fuzz_file(names[n], data + start, i - start);
            n++;
            start = i + 4;
            i = start - 1; /* separators do not overlap */
        }
    paths[n] = fuzz_file(names[n], data + start, size - start);
    n++;
    FUZZ_TRY({
        SbCandidateSets *c = sb_alpaca_eval_load_files(paths, models, n);
        for (int i = 0; i < c->n_cand; i++)
            if (!(c->aspects[i] >= 0 && c->aspects[i] <= 1))
                abort();
        for (int p = 0; p < c->n_prompts; p++)
            if (c->offset[p + 1] <= c->offset[p] || c->source[c->offset[p]] != 0)
                abort();
        sb_candidates_free(c);
    });
    return 0;
}
