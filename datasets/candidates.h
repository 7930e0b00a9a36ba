/* soupbench: real data as candidate sets and preference pairs (SPEC
 * section 5). A candidate set is one prompt with the responses a policy
 * chooses among (H = 1, a "token" is a whole response); a pair set is
 * human preference pairs. The loaders read the upstream files as they are
 * (datasets/reader.h), joined and checked, with errors naming the file and
 * record. */
#ifndef SB_CANDIDATES_H
#define SB_CANDIDATES_H

#include <cJSON.h>

typedef struct {
    int n_prompts;
    char **prompt;       /* [n_prompts] */
    int *offset;         /* [n_prompts + 1]: candidates of prompt i are offset[i] .. offset[i+1]-1 */
    int n_cand;
    char **text;         /* [n_cand] */
    int *source;         /* [n_cand]: index into sources (model or system) */
    int n_sources;
    char **sources;      /* [n_sources] */
    int m;
    char **aspect_names; /* [m] */
    double *aspects;     /* [n_cand x m]: raw scores, NaN where the data has none */
    long missing;        /* (prompt, source) combinations absent from the files */
    long skipped;        /* malformed records skipped (skip_bad) */
} SbCandidateSets;

typedef struct {
    int n;
    char **prompt, **chosen, **rejected; /* [n] */
} SbTextPairs;

/* AlpacaEval 2.0 (weighted GPT-4-turbo judge): for every instruction the
 * reference answer (output_1) and every mirrored model's answer (output_2),
 * joined on `instruction`; one aspect, `judge` = preference - 1 (the judge's
 * probability that the model's answer beats the reference; 0.5 for the
 * reference answer itself). models: the model folder names; files are
 * resolved through the manifest. */
SbCandidateSets *sb_alpaca_eval_load(const char *const *models, int n_models);
/* The same from the annotations.json files paths[k] of models[k], as they
 * are (no manifest, no checksum): the fuzz target's entry. */
SbCandidateSets *sb_alpaca_eval_load_files(const char *const *paths, const char *const *models, int n_models);
/* The 16 mirrored models. */
const char *const *sb_alpaca_eval_models(int *n);

/* UniEval's copy of the USR Topical-Chat ratings: 60 contexts x 6
 * responses, aspects naturalness, coherence, engagingness, groundedness,
 * understandability (the human ratings; `overall` is left out). */
SbCandidateSets *sb_topical_chat_load(void);

/* HH-RLHF harmless-base test pairs: the shared dialogue prefix is the
 * prompt, the final assistant turns are the responses. */
SbTextPairs *sb_hh_rlhf_load(void);

/* UltraFeedback JSON Lines at `path` (a user's own copy; not in the
 * manifest): each record's completions with the four fine-grained ratings
 * helpfulness, honesty, instruction_following, truthfulness (1-5; "N/A" is
 * NaN). skip_bad as in datasets/reader.h. */
SbCandidateSets *sb_ultrafeedback_load(const char *path, int skip_bad);

void sb_candidates_free(SbCandidateSets *c);
void sb_text_pairs_free(SbTextPairs *tp);

/* A required string member of a record, or exit 2 naming the file, the
 * record and the key. */
const char *sb_record_string(const cJSON *rec, const char *key, const char *file, long record);
/* A required number member (a JSON number or a string holding one). */
double sb_record_number(const cJSON *rec, const char *key, const char *file, long record);

#endif
