/* soupbench: candidate sets and pairs, shared helpers (datasets/candidates.h). */
#include "candidates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

static void describe(const cJSON *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "nothing (the key is absent)");
    else if (cJSON_IsString(v)) {
        char *shown = sb_printable(v->valuestring, 40, 0); /* no raw bytes from the file */
        snprintf(buf, n, "the string \"%s\"", shown);
        free(shown);
    }
    else if (cJSON_IsNumber(v))
        snprintf(buf, n, "the number %g", v->valuedouble);
    else if (cJSON_IsNull(v))
        snprintf(buf, n, "null");
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else
        snprintf(buf, n, "%s", cJSON_IsArray(v) ? "an array" : "an object");
}

const char *sb_record_string(const cJSON *rec, const char *key, const char *file, long record)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    if (!cJSON_IsString(v)) {
        char found[96];
        describe(v, found, sizeof found);
        sb_fail(SB_EXIT_USAGE, "%s: record %ld: \"%s\": expected a string, found %s", file, record, key, found);
    }
    return v->valuestring;
}

double sb_record_number(const cJSON *rec, const char *key, const char *file, long record)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
        return v->valuedouble;
    if (cJSON_IsString(v)) { /* "nan" and "inf" are not numbers here */
        char *end;
        double x = strtod(v->valuestring, &end);
        if (end != v->valuestring && *end == '\0' && isfinite(x))
            return x;
    }
    char found[96];
    describe(v, found, sizeof found);
    sb_fail(SB_EXIT_USAGE, "%s: record %ld: \"%s\": expected a finite number, found %s", file, record, key, found);
}

void sb_candidates_free(SbCandidateSets *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_prompts; i++)
        free(c->prompt[i]);
    for (int i = 0; i < c->n_cand; i++)
        free(c->text[i]);
    for (int i = 0; i < c->n_sources; i++)
        free(c->sources[i]);
    for (int j = 0; j < c->m; j++)
        free(c->aspect_names[j]);
    free(c->prompt), free(c->offset), free(c->text), free(c->source), free(c->sources);
    free(c->aspect_names), free(c->aspects);
    free(c);
}

void sb_text_pairs_free(SbTextPairs *tp)
{
    if (!tp)
        return;
    for (int i = 0; i < tp->n; i++) {
        free(tp->prompt[i]);
        free(tp->chosen[i]);
        free(tp->rejected[i]);
    }
    free(tp->prompt), free(tp->chosen), free(tp->rejected);
    free(tp);
}
