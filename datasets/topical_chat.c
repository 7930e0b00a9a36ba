/* soupbench: the Topical-Chat loader (datasets/candidates.h): UniEval's
 * reproduce/data/dialogue/topical_chat.json, one record per (context,
 * system) with the USR human ratings in `scores`. Records are grouped by
 * their dialogue context (`source`) in the order they appear. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "dataset.h"
#include "manifest.h"
#include "reader.h"
#include "sb.h"

/* the five human ratings, as `scores` names them (`overall` is left out) */
static const SbAspect ratings[] = {
    {"naturalness", "Topical-Chat: human rating of naturalness (1-3)"},
    {"coherence", "Topical-Chat: human rating of coherence (1-3)"},
    {"engagingness", "Topical-Chat: human rating of engagingness (1-3)"},
    {"groundedness", "Topical-Chat: human rating of groundedness in the fact (0-1)"},
    {"understandability", "Topical-Chat: human rating of understandability (0-1)"},
    {NULL, NULL},
};
static const char *const default_aspects[] = {"naturalness", "coherence", "engagingness", "groundedness",
                                              "understandability", NULL};

static int find_or_add(char ***list, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    *list = sb_realloc(*list, sizeof(char *) * (size_t)(*n + 1));
    (*list)[*n] = sb_strdup(s);
    return (*n)++;
}

SbCandidateSets *sb_topical_chat_load(void)
{
    char *path = sb_data_path("unieval/dialogue/topical_chat.json");
    enum { M = 5 };
    char **contexts = NULL, **systems = NULL, **text = NULL;
    int n_contexts = 0, n_systems = 0, n = 0, *context_of = NULL, *system_of = NULL;
    double *scores = NULL;
    SbJsonStream *js = sb_json_open(path, 0);
    cJSON *rec;
    long no;
    while ((rec = sb_json_next(js, &no))) {
        int ctx = find_or_add(&contexts, &n_contexts, sb_record_string(rec, "source", path, no));
        int sys = find_or_add(&systems, &n_systems, sb_record_string(rec, "system_id", path, no));
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(rec, "scores");
        if (!cJSON_IsObject(sc))
            sb_fail(SB_EXIT_USAGE, "%s: record %ld: \"scores\": expected an object of ratings", path, no);
        text = sb_realloc(text, sizeof(char *) * (size_t)(n + 1));
        context_of = sb_realloc(context_of, sizeof(int) * (size_t)(n + 1));
        system_of = sb_realloc(system_of, sizeof(int) * (size_t)(n + 1));
        scores = sb_realloc(scores, sizeof(double) * (size_t)(n + 1) * M);
        text[n] = sb_strdup(sb_record_string(rec, "system_output", path, no));
        context_of[n] = ctx;
        system_of[n] = sys;
        for (int j = 0; j < M; j++) {
            double x = sb_record_number(sc, ratings[j].name, path, no), hi = j < 3 ? 3 : 1;
            if (!(x >= (j < 3 ? 1 : 0) && x <= hi)) /* the scales of `ratings` */
                sb_fail(SB_EXIT_USAGE, "%s: record %ld: \"scores\".%s: expected a rating in [%d, %g], found %g", path,
                        no, ratings[j].name, j < 3 ? 1 : 0, hi, x);
            scores[(size_t)n * M + j] = x;
        }
        n++;
        cJSON_Delete(rec);
    }
    sb_json_close(js);
    SbCandidateSets *c = sb_calloc(1, sizeof *c);
    c->n_prompts = n_contexts;
    c->prompt = contexts;
    c->offset = sb_calloc((size_t)n_contexts + 1, sizeof(int));
    c->n_cand = n;
    c->text = sb_calloc((size_t)n, sizeof(char *));
    c->source = sb_calloc((size_t)n, sizeof(int));
    c->aspects = sb_zeros((size_t)n * M);
    c->n_sources = n_systems;
    c->sources = systems;
    c->m = M;
    c->aspect_names = sb_calloc(M, sizeof(char *));
    for (int j = 0; j < M; j++)
        c->aspect_names[j] = sb_strdup(ratings[j].name);
    /* stable grouping by context */
    int at = 0;
    for (int x = 0; x < n_contexts; x++) {
        c->offset[x] = at;
        for (int i = 0; i < n; i++)
            if (context_of[i] == x) {
                c->text[at] = text[i];
                c->source[at] = system_of[i];
                memcpy(c->aspects + (size_t)at * M, scores + (size_t)i * M, sizeof(double) * M);
                at++;
            }
        c->missing += n_systems - (at - c->offset[x]);
    }
    c->offset[n_contexts] = at;
    free(scores), free(system_of), free(context_of), free(text);
    free(path);
    return c;
}

static SbCandidateSets *load(const SbDatasetConfig *dc, const char *label, int skip_bad)
{
    (void)dc, (void)label, (void)skip_bad; /* the pinned file, checked by its SHA-256 */
    return sb_topical_chat_load();
}

const SbDataset sb_dataset_topical_chat = {
    .name = "topical_chat",
    .description = "Topical-Chat (USR ratings): 60 contexts x 6 responses, H = 1 candidate sets",
    .load = load,
    .ratings = ratings,
    .default_aspects = default_aspects,
};
