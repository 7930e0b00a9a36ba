/* soupbench: the HH-RLHF loader (datasets/candidates.h): harmless-base
 * test pairs, JSON Lines in gzip, {"chosen": "\n\nHuman: ...\n\nAssistant:
 * ...", "rejected": ...}. The prompt is the chosen transcript up to its last
 * "\n\nAssistant:"; the responses are what follows it in each transcript. */
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "manifest.h"
#include "reader.h"
#include "sb.h"

static const char *last_turn(const char *s)
{
    const char *mark = "\n\nAssistant:", *at = NULL;
    for (const char *p = strstr(s, mark); p; p = strstr(p + 1, mark))
        at = p;
    return at;
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    char *out = sb_malloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

SbTextPairs *sb_hh_rlhf_load(void)
{
    char *path = sb_data_path("hh-rlhf/harmless-base/test.jsonl.gz");
    SbTextPairs *tp = sb_calloc(1, sizeof *tp);
    int cap = 0;
    SbJsonStream *js = sb_json_open(path, 0);
    cJSON *rec;
    long no;
    while ((rec = sb_json_next(js, &no))) {
        const char *chosen = sb_record_string(rec, "chosen", path, no);
        const char *rejected = sb_record_string(rec, "rejected", path, no);
        const char *c_at = last_turn(chosen), *r_at = last_turn(rejected);
        if (!c_at || !r_at)
            sb_fail(SB_EXIT_USAGE, "%s: record %ld: expected transcripts ending in an \"Assistant:\" turn", path,
                    no);
        if (tp->n == cap) {
            cap = cap ? 2 * cap : 1024;
            tp->prompt = sb_realloc(tp->prompt, sizeof(char *) * (size_t)cap);
            tp->chosen = sb_realloc(tp->chosen, sizeof(char *) * (size_t)cap);
            tp->rejected = sb_realloc(tp->rejected, sizeof(char *) * (size_t)cap);
        }
        size_t plen = (size_t)(c_at - chosen);
        char *prompt = sb_malloc(plen + 1);
        memcpy(prompt, chosen, plen);
        prompt[plen] = '\0';
        tp->prompt[tp->n] = prompt;
        tp->chosen[tp->n] = trimmed(c_at + strlen("\n\nAssistant:"));
        tp->rejected[tp->n] = trimmed(r_at + strlen("\n\nAssistant:"));
        tp->n++;
        cJSON_Delete(rec);
    }
    sb_json_close(js);
    free(path);
    return tp;
}
