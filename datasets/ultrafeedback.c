/* soupbench: the UltraFeedback loader (datasets/candidates.h), for a user's
 * own copy of openbmb/UltraFeedback as JSON Lines: per record an
 * `instruction` and `completions`, each with `model`, `response` and
 * `annotations` holding, for the four fine-grained aspects, a `Rating`
 * ("1".."5", or "N/A" read as NaN). Each record is checked in full
 * before any of it is kept: with --skip-bad a record with a schema error
 * (a field missing or of the wrong type) or a rating out of range is
 * skipped and counted by kind, like a syntax error. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "candidates.h"
#include "dataset.h"
#include "reader.h"
#include "sb.h"

/* the four fine-grained ratings, as `annotations` names them */
static const SbAspect ratings[] = {
    {"helpfulness", "UltraFeedback: GPT-4 rating of helpfulness (1-5)"},
    {"honesty", "UltraFeedback: GPT-4 rating of honesty (1-5)"},
    {"instruction_following", "UltraFeedback: GPT-4 rating of instruction following (1-5)"},
    {"truthfulness", "UltraFeedback: GPT-4 rating of truthfulness (1-5)"},
    {NULL, NULL},
};
static const char *const default_aspects[] = {"helpfulness", "honesty", "instruction_following", "truthfulness",
                                              NULL};

/* The text of a JSON value for a message (escaped, malloc'd). */
static char *found_text(const cJSON *v)
{
    if (!v)
        return sb_strdup("nothing (the key is absent)");
    if (cJSON_IsString(v)) {
        char *e = sb_printable(v->valuestring, 40, 0), *t = sb_malloc(strlen(e) + 3);
        sprintf(t, "\"%s\"", e);
        free(e);
        return t;
    }
    char *t = cJSON_PrintUnformatted(v), *e = sb_printable(t ? t : "?", 40, 0);
    free(t);
    return e;
}

/* A rating: "1".."5" (or a number) in [1, 5], or "N/A" (NaN, missing).
 * Anything else ("nan", "1e308", 7) is out of range: 0 and *x unset. */
static int parse_rating(const cJSON *r, double *x)
{
    if (cJSON_IsString(r) && strcmp(r->valuestring, "N/A") == 0) {
        *x = NAN;
        return 1;
    }
    double v = NAN;
    if (cJSON_IsNumber(r)) {
        v = r->valuedouble;
    } else if (cJSON_IsString(r)) {
        char *end;
        v = strtod(r->valuestring, &end);
        if (end == r->valuestring || *end)
            v = NAN;
    }
    if (!(v >= 1 && v <= 5)) /* NaN and infinities too */
        return 0;
    *x = v;
    return 1;
}

/* Check one record in full before anything of it is kept: 1 if it is
 * well-formed, 0 after sb_json_bad (skipped with skip_bad; otherwise the
 * run ends there). */
static int check_record(SbJsonStream *js, const cJSON *rec, const char *path, long no)
{
/* The record is malformed: kind, the value found, the message up to it. */
#define BAD(kind, value, ...)                                                                                  \
    do {                                                                                                       \
        char *found = found_text(value);                                                                       \
        sb_json_bad(js, kind, __VA_ARGS__, found);                                                             \
        free(found);                                                                                           \
        return 0;                                                                                              \
    } while (0)
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(rec, "instruction");
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(rec, "completions");
    if (!cJSON_IsString(ins))
        BAD(SB_BAD_SCHEMA, ins, "%s: record %ld: \"instruction\": expected a string, found %s", path, no);
    if (!cJSON_IsArray(comps))
        BAD(SB_BAD_SCHEMA, comps, "%s: record %ld: \"completions\": expected an array, found %s", path, no);
    int k = 0;
    for (const cJSON *cm = comps->child; cm; cm = cm->next, k++) {
        static const char *const fields[] = {"model", "response"};
        if (!cJSON_IsObject(cm))
            BAD(SB_BAD_SCHEMA, cm, "%s: record %ld: completions[%d]: expected an object, found %s", path, no, k);
        for (int i = 0; i < 2; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(cm, fields[i]);
            if (!cJSON_IsString(v))
                BAD(SB_BAD_SCHEMA, v, "%s: record %ld: completions[%d].%s: expected a string, found %s", path, no, k,
                    fields[i]);
        }
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(cm, "annotations");
        for (int j = 0; ratings[j].name; j++) {
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(ann, ratings[j].name);
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(a, "Rating");
            double x;
            if (!parse_rating(r, &x))
                BAD(r && (cJSON_IsString(r) || cJSON_IsNumber(r)) ? SB_BAD_RANGE : SB_BAD_SCHEMA, r,
                    "%s: record %ld: completions[%d].annotations.%s.Rating: expected a rating 1-5 or \"N/A\", "
                    "found %s",
                    path, no, k, ratings[j].name);
        }
    }
    return 1;
#undef BAD
}

static double rating(const cJSON *annotations, const char *aspect)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(annotations, aspect);
    double x = NAN;
    SB_ASSERT(parse_rating(cJSON_GetObjectItemCaseSensitive(a, "Rating"), &x)); /* checked */
    return x;
}

SbCandidateSets *sb_ultrafeedback_load(const char *path, int skip_bad)
{
    enum { M = 4 };
    SbCandidateSets *c = sb_calloc(1, sizeof *c);
    c->m = M;
    c->aspect_names = sb_calloc(M, sizeof(char *));
    for (int j = 0; j < M; j++)
        c->aspect_names[j] = sb_strdup(ratings[j].name);
    c->offset = sb_calloc(1, sizeof(int));
    /* capacities, grown geometrically: a full UltraFeedback file holds
     * some 64,000 records and 256,000 completions */
    size_t prompt_cap = 0, cand_cap = 0;
    /* taken back if a bad record ends the load inside a fuzz target */
    sb_owned_push((void (*)(void *))sb_candidates_free, c);
    SbJsonStream *js = sb_json_open(path, skip_bad);
    cJSON *rec;
    long no;
    while ((rec = sb_json_next(js, &no))) {
        sb_owned_push((void (*)(void *))cJSON_Delete, rec);
        if (!check_record(js, rec, path, no)) {
            sb_owned_pop(rec);
            cJSON_Delete(rec);
            continue;
        }
        const char *ins = sb_record_string(rec, "instruction", path, no);
        const cJSON *comps = cJSON_GetObjectItemCaseSensitive(rec, "completions");
        if ((size_t)c->n_prompts + 2 > prompt_cap) {
            prompt_cap = 2 * ((size_t)c->n_prompts + 2);
            c->prompt = sb_realloc(c->prompt, sizeof(char *) * prompt_cap);
            c->offset = sb_realloc(c->offset, sizeof(int) * prompt_cap);
        }
        c->prompt[c->n_prompts] = sb_strdup(ins);
        for (const cJSON *cm = comps->child; cm; cm = cm->next) {
            const char *model = sb_record_string(cm, "model", path, no);
            const char *response = sb_record_string(cm, "response", path, no);
            const cJSON *ann = cJSON_GetObjectItemCaseSensitive(cm, "annotations");
            int src = -1;
            for (int s = 0; s < c->n_sources; s++)
                if (strcmp(c->sources[s], model) == 0)
                    src = s;
            if (src < 0) {
                c->sources = sb_realloc(c->sources, sizeof(char *) * (size_t)(c->n_sources + 1));
                c->sources[src = c->n_sources++] = sb_strdup(model);
            }
            if ((size_t)c->n_cand + 1 > cand_cap) {
                cand_cap = 2 * ((size_t)c->n_cand + 1);
                c->text = sb_realloc(c->text, sizeof(char *) * cand_cap);
                c->source = sb_realloc(c->source, sizeof(int) * cand_cap);
                c->aspects = sb_realloc(c->aspects, sizeof(double) * cand_cap * M);
            }
            c->text[c->n_cand] = sb_strdup(response);
            c->source[c->n_cand] = src;
            for (int j = 0; j < M; j++)
                c->aspects[(size_t)c->n_cand * M + j] = rating(ann, ratings[j].name);
            c->n_cand++;
        }
        c->n_prompts++;
        c->offset[c->n_prompts] = c->n_cand;
        sb_owned_pop(rec);
        cJSON_Delete(rec);
    }
    c->skipped = sb_json_skipped(js);
    sb_json_close(js);
    sb_owned_pop(c);
    return c;
}

/* The user's own file ($.dataset.path): not in the manifest, so checked
 * here for being there at all, and skip_bad applies to its records. */
static SbCandidateSets *load(const SbDatasetConfig *dc, const char *label, int skip_bad)
{
    if (!dc->path[0])
        sb_fail(SB_EXIT_USAGE, "%s: $.dataset.path: expected the path of an UltraFeedback JSON Lines file for kind "
                "\"ultrafeedback\", found \"\"", label);
    if (access(dc->path, R_OK) != 0)
        sb_fail(SB_EXIT_USAGE, "%s: $.dataset.path: cannot read %s: %s", label, dc->path, strerror(errno));
    return sb_ultrafeedback_load(dc->path, skip_bad);
}

const SbDataset sb_dataset_ultrafeedback = {
    .name = "ultrafeedback",
    .description = "your UltraFeedback JSON Lines file ($.dataset.path): completions by position, H = 1 candidate sets",
    .load = load,
    /* its candidates come from different models in every record */
    .positional = 1,
    .ratings = ratings,
    .default_aspects = default_aspects,
};
