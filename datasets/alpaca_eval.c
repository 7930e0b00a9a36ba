/* soupbench: the AlpacaEval 2.0 loader (datasets/candidates.h).
 *
 * Each mirrored model's annotations.json holds, per instruction, the
 * reference answer (output_1, gpt4_1106_preview) and the model's answer
 * (output_2) with the weighted GPT-4-turbo judge's `preference` in [1, 2].
 * Prompts are the instructions in the order of the first file; a few
 * models lack 1-3 instructions, so candidates are joined on the instruction
 * text and absent (instruction, model) combinations are counted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "dataset.h"
#include "manifest.h"
#include "reader.h"
#include "sb.h"
#include "textfeat.h"

static const char *const models[] = {
    "alpaca-7b",          "alpaca-7b_concise",         "alpaca-7b_verbose",
    "alpaca-farm-ppo-human", "claude-2.1",             "claude-2.1_concise",
    "falcon-7b-instruct", "gemma-2b-it",               "gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-1106_concise", "gpt-3.5-turbo-1106_verbose", "gpt4_0613_concise",
    "Mixtral-8x7B-Instruct-v0.1_concise", "oasst-rlhf-llama-33b", "phi-2",
    "vicuna-7b-v1.5",
};

const char *const *sb_alpaca_eval_models(int *n)
{
    *n = (int)(sizeof models / sizeof models[0]);
    return models;
}

/* Instruction -> prompt index: open addressing on an FNV-1a hash. */
typedef struct {
    int cap;
    int *slot;        /* [cap]: prompt index + 1, 0 = empty */
    char ***keys;     /* the prompts array, owned by the caller */
} Index;

static int index_find(const Index *ix, const char *key, int *slot_out)
{
    size_t i = sb_fnv1a64(key, strlen(key)) & (size_t)(ix->cap - 1);
    for (;; i = (i + 1) & (size_t)(ix->cap - 1)) {
        if (!ix->slot[i]) {
            *slot_out = (int)i;
            return -1;
        }
        if (strcmp((*ix->keys)[ix->slot[i] - 1], key) == 0)
            return ix->slot[i] - 1;
    }
}

SbCandidateSets *sb_alpaca_eval_load(const char *const *names, int n_models)
{
    char **paths = sb_calloc((size_t)n_models, sizeof *paths);
    for (int k = 0; k < n_models; k++) {
        char rel[256];
        snprintf(rel, sizeof rel, "alpaca_eval/results/%s/weighted_alpaca_eval_gpt4_turbo/annotations.json", names[k]);
        paths[k] = sb_data_path(rel);
    }
    SbCandidateSets *c = sb_alpaca_eval_load_files((const char *const *)paths, names, n_models);
    for (int k = 0; k < n_models; k++)
        free(paths[k]);
    free(paths);
    return c;
}

enum { MAX_PROMPTS = 4096 };

/* The join being built, taken back if a bad record ends the load inside a
 * fuzz target (sb_owned_push). */
typedef struct {
    char **prompt, **reference, **answer;
    double *judge;
    int *slot;
    int n_prompts, n_models;
} Join;

static void join_release(void *p)
{
    Join *j = p;
    for (int i = 0; i < j->n_prompts; i++)
        free(j->prompt[i]), free(j->reference[i]);
    for (size_t i = 0; i < (size_t)MAX_PROMPTS * j->n_models; i++)
        free(j->answer[i]);
    free(j->prompt), free(j->reference), free(j->answer), free(j->judge), free(j->slot), free(j);
}

SbCandidateSets *sb_alpaca_eval_load_files(const char *const *paths, const char *const *names, int n_models)
{
    Join *join = sb_calloc(1, sizeof *join);
    char **prompt = join->prompt = sb_calloc(MAX_PROMPTS, sizeof(char *));
    char **reference = join->reference = sb_calloc(MAX_PROMPTS, sizeof(char *));
    char **answer = join->answer = sb_calloc((size_t)MAX_PROMPTS * n_models, sizeof(char *)); /* [prompt x model] */
    double *judge = join->judge = sb_zeros((size_t)MAX_PROMPTS * n_models);
    Index ix = {8192, join->slot = sb_calloc(8192, sizeof(int)), &prompt};
    join->n_models = n_models;
    sb_owned_push(join_release, join);
    int n_prompts = 0;
    for (int k = 0; k < n_models; k++) {
        const char *path = paths[k];
        SbJsonStream *js = sb_json_open(path, 0);
        cJSON *rec;
        long no;
        while ((rec = sb_json_next(js, &no))) {
            sb_owned_push((void (*)(void *))cJSON_Delete, rec);
            const char *ins = sb_record_string(rec, "instruction", path, no);
            const char *out1 = sb_record_string(rec, "output_1", path, no);
            const char *out2 = sb_record_string(rec, "output_2", path, no);
            double pref = sb_record_number(rec, "preference", path, no);
            if (!(pref >= 1 && pref <= 2))
                sb_fail(SB_EXIT_USAGE, "%s: record %ld: \"preference\": expected a number in [1, 2], found %g", path,
                        no, pref);
            int slot = -1, i = index_find(&ix, ins, &slot);
            if (i < 0) {
                if (n_prompts == MAX_PROMPTS)
                    sb_fail(SB_EXIT_USAGE, "%s: more than %d instructions", path, MAX_PROMPTS);
                i = n_prompts++;
                prompt[i] = sb_strdup(ins);
                reference[i] = sb_strdup(out1);
                join->n_prompts = n_prompts;
                ix.slot[slot] = i + 1;
            }
            if (answer[(size_t)i * n_models + k])
                sb_fail(SB_EXIT_USAGE, "%s: record %ld: instruction repeated within the file", path, no);
            answer[(size_t)i * n_models + k] = sb_strdup(out2);
            judge[(size_t)i * n_models + k] = pref - 1.0;
            sb_owned_pop(rec);
            cJSON_Delete(rec);
        }
        sb_json_close(js);
    }
    sb_owned_pop(join); /* what follows cannot fail: the arrays move on */
    free(join);
    SbCandidateSets *c = sb_calloc(1, sizeof *c);
    c->n_prompts = n_prompts;
    c->prompt = prompt;
    c->offset = sb_calloc((size_t)n_prompts + 1, sizeof(int));
    c->n_sources = n_models + 1;
    c->sources = sb_calloc((size_t)c->n_sources, sizeof(char *));
    c->sources[0] = sb_strdup("gpt4_1106_preview (reference)");
    for (int k = 0; k < n_models; k++)
        c->sources[k + 1] = sb_strdup(names[k]);
    c->m = 1;
    c->aspect_names = sb_calloc(1, sizeof(char *));
    c->aspect_names[0] = sb_strdup("judge");
    size_t cap = (size_t)n_prompts * (n_models + 1);
    c->text = sb_calloc(cap, sizeof(char *));
    c->source = sb_calloc(cap, sizeof(int));
    c->aspects = sb_zeros(cap);
    int n = 0;
    for (int i = 0; i < n_prompts; i++) {
        c->offset[i] = n;
        c->text[n] = reference[i];
        c->source[n] = 0;
        c->aspects[n++] = 0.5; /* the reference against itself: a tie */
        for (int k = 0; k < n_models; k++) {
            char *a = answer[(size_t)i * n_models + k];
            if (!a) {
                c->missing++;
                continue;
            }
            c->text[n] = a;
            c->source[n] = k + 1;
            c->aspects[n++] = judge[(size_t)i * n_models + k];
        }
    }
    c->offset[n_prompts] = n;
    c->n_cand = n;
    free(ix.slot), free(judge), free(answer), free(reference);
    return c;
}

static SbCandidateSets *load(const SbDatasetConfig *dc, const char *label, int skip_bad)
{
    (void)dc, (void)label, (void)skip_bad; /* the pinned files, checked by their SHA-256 */
    int n;
    const char *const *names = sb_alpaca_eval_models(&n);
    return sb_alpaca_eval_load(names, n);
}

const SbDataset sb_dataset_alpaca_eval = {
    .name = "alpaca_eval",
    .description = "AlpacaEval 2.0: 805 instructions x (reference + 16 models' answers), H = 1 candidate sets",
    .load = load,
    .ratings = (const SbAspect[]){{"judge", "AlpacaEval: the GPT-4-turbo judge's probability that the answer beats "
                                            "the reference (preference - 1)"},
                                  {NULL, NULL}},
    /* SPEC section 5: the judge and the five text scorers */
    .default_aspects =
        (const char *const[]){"judge", "conciseness", "sentiment", "profanity", "readability", "formatting", NULL},
};
