/* soupbench: candidate sets as an H = 1 problem (datasets/realdata.h). */
#include "realdata.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "results.h"
#include "sb.h"
#include "text_aspects.h"
#include "textfeat.h"
#include "tokenize.h"

/* The text scorers: what sb_text_aspects computes, by the name a config
 * gives it, and the sign that makes higher better. */
static const struct {
    SbAspect aspect;
    size_t offset; /* of the score in SbTextAspects */
    int negate;
} text_scorers[] = {
    {{"conciseness", "minus the log of the answer's token count"}, offsetof(SbTextAspects, conciseness), 0},
    {{"sentiment", "VADER compound sentiment of the answer"}, offsetof(SbTextAspects, sentiment), 0},
    {{"profanity", "minus the share of the answer's tokens inside LDNOOBW entries (higher: cleaner)"},
     offsetof(SbTextAspects, profanity), 1},
    {{"readability", "Flesch reading ease of the answer"}, offsetof(SbTextAspects, readability), 0},
    {{"formatting", "share of the answer's non-empty lines that are list items"}, offsetof(SbTextAspects, formatting),
     0},
};
#define N_TEXT_SCORERS ((int)(sizeof text_scorers / sizeof text_scorers[0]))

const SbAspect *sb_text_scorer_at(int i) { return i >= 0 && i < N_TEXT_SCORERS ? &text_scorers[i].aspect : NULL; }

/* Index of a text scorer, or -1 for a rating. */
static int text_scorer(const char *name)
{
    for (int i = 0; i < N_TEXT_SCORERS; i++)
        if (strcmp(text_scorers[i].aspect.name, name) == 0)
            return i;
    return -1;
}

static double text_score(const SbTextAspects *ta, int scorer)
{
    double v = *(const double *)((const char *)ta + text_scorers[scorer].offset);
    return text_scorers[scorer].negate ? -v : v;
}

/* The aspects used: the config's, else the dataset's default set (SPEC
 * section 5). */
static int chosen_aspects(const SbConfig *cfg, const SbDataset *ds, const char **names)
{
    const SbDatasetConfig *dc = &cfg->dataset;
    if (dc->n_aspect_names > 0) {
        for (int j = 0; j < dc->n_aspect_names; j++)
            names[j] = dc->aspect_names[j];
        return dc->n_aspect_names;
    }
    int m = 0;
    for (const char *const *a = ds->default_aspects; *a; a++)
        names[m++] = *a;
    return m;
}

/* Column of a human rating in the loaded sets, or exit 2 naming the path. */
static int rating_column(const SbCandidateSets *c, const char *name, int j, const char *kind, const char *label)
{
    for (int k = 0; k < c->m; k++)
        if (strcmp(c->aspect_names[k], name) == 0)
            return k;
    char have[512], scorers[256];
    size_t used = 0;
    have[0] = '\0';
    for (int k = 0; k < c->m && used < sizeof have; k++)
        used += (size_t)snprintf(have + used, sizeof have - used, "%s\"%s\"", k ? ", " : "", c->aspect_names[k]);
    used = 0;
    for (int k = 0; k < N_TEXT_SCORERS && used < sizeof scorers; k++)
        used += (size_t)snprintf(scorers + used, sizeof scorers - used, "%s\"%s\"", k ? ", " : "",
                                 text_scorers[k].aspect.name);
    sb_fail(SB_EXIT_USAGE,
            "%s: $.dataset.aspect_names[%d]: \"%s\" is not a rating of %s (its ratings: %s; text scorers: %s)", label,
            j, name, kind, have, scorers);
    return -1;
}

/* Mean and standard deviation of column j of x [rows x cols] over the first
 * n_rows rows (the training candidates); sd 1 when the column is constant. */
static void column_moments(const double *x, int cols, int j, int n_rows, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n_rows; i++)
        s += x[(size_t)i * cols + j];
    *mean = s / n_rows;
    for (int i = 0; i < n_rows; i++) {
        double e = x[(size_t)i * cols + j] - *mean;
        ss += e * e;
    }
    *sd = n_rows > 1 ? sqrt(ss / (n_rows - 1)) : 0;
    if (!(*sd > 0))
        *sd = 1;
}

static void standardise(double *x, int rows, int cols, int n_train_rows, double *mean, double *sd)
{
    for (int j = 0; j < cols; j++) {
        double mu, s;
        column_moments(x, cols, j, n_train_rows, &mu, &s);
        for (int i = 0; i < rows; i++)
            x[(size_t)i * cols + j] = (x[(size_t)i * cols + j] - mu) / s;
        if (mean)
            mean[j] = mu, sd[j] = s;
    }
}

/* Candidates per prompt: the number of sources, or by position the most
 * common set size (the larger on ties). */
static int set_size(const SbCandidateSets *c, int positional)
{
    if (!positional)
        return c->n_sources;
    int largest = 0;
    for (int x = 0; x < c->n_prompts; x++)
        if (c->offset[x + 1] - c->offset[x] > largest)
            largest = c->offset[x + 1] - c->offset[x];
    int *count = sb_calloc((size_t)largest + 1, sizeof(int)), best = 0;
    for (int x = 0; x < c->n_prompts; x++)
        count[c->offset[x + 1] - c->offset[x]]++;
    for (int size = 1; size <= largest; size++)
        if (count[size] >= count[best])
            best = size;
    free(count);
    return best;
}

/* Keep the prompts whose set has V candidates, one of every source (or by
 * position), and no missing rating among the chosen ones; cand[i * V + k]
 * = candidate of action k. Returns the number kept. */
static int complete_prompts(const SbCandidateSets *c, int V, int positional, const int *rating_col, int m, int *keep,
                            int *cand)
{
    int n = 0;
    for (int x = 0; x < c->n_prompts; x++) {
        int *row = cand + (size_t)n * V, ok = c->offset[x + 1] - c->offset[x] == V;
        for (int k = 0; k < V; k++)
            row[k] = -1;
        for (int i = c->offset[x]; ok && i < c->offset[x + 1]; i++) {
            int a = positional ? i - c->offset[x] : c->source[i];
            if (row[a] >= 0)
                ok = 0;
            row[a] = i;
            for (int j = 0; j < m; j++)
                if (rating_col[j] >= 0 && isnan(c->aspects[(size_t)i * c->m + rating_col[j]]))
                    ok = 0;
        }
        if (ok)
            keep[n++] = x;
    }
    return n;
}

/* ---- the stages of sb_realdata_build --------------------------------- */

/* The aspects a run scores, and where each comes from. */
typedef struct {
    int m;
    const char *names[16];
    int rating_col[16]; /* column of a rating in the loaded sets, -1 for a text scorer */
    int scorer[16];     /* the text scorer, -1 for a rating */
    int any_text;       /* some aspect needs the text scorers' lexicons */
} Aspects;

/* Stage 1: the chosen aspects, each a rating of the loaded sets or a text
 * scorer, or exit 2 naming the JSON path. */
static void choose_aspects(const SbConfig *cfg, const SbDataset *ds, const SbCandidateSets *c, const char *label,
                           Aspects *as)
{
    as->m = chosen_aspects(cfg, ds, as->names);
    as->any_text = 0;
    for (int j = 0; j < as->m; j++) {
        as->scorer[j] = text_scorer(as->names[j]);
        as->rating_col[j] = as->scorer[j] >= 0 ? -1 : rating_column(c, as->names[j], j, ds->name, label);
        as->any_text |= as->rating_col[j] < 0;
    }
}

/* Stage 2: the complete prompts, shuffled (stream "realdata/split"),
 * capped at $.dataset.prompts and split; fills rd's prompt and candidate
 * maps. */
static void split_prompts(SbRealData *rd, const SbConfig *cfg, int V, const Aspects *as, const char *label)
{
    const SbCandidateSets *c = rd->sets;
    int *keep = sb_calloc((size_t)c->n_prompts, sizeof(int));
    int *cand_all = sb_calloc((size_t)c->n_prompts * V, sizeof(int));
    int positional = rd->dataset->positional;
    rd->n_complete = V >= 2 ? complete_prompts(c, V, positional, as->rating_col, as->m, keep, cand_all) : 0;
    rd->n_dropped = c->n_prompts - rd->n_complete;
    int *order = sb_calloc((size_t)rd->n_complete, sizeof(int));
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "realdata/split");
    sb_rng_permutation(&rng, rd->n_complete, order);
    int n = rd->n_complete < cfg->dataset.prompts ? rd->n_complete : cfg->dataset.prompts;
    if (n < 2)
        sb_fail(SB_EXIT_USAGE,
                "%s: $.dataset.prompts: expected at least 2 prompts with a complete candidate set, found %d", label,
                n);
    int n_train = sb_problem_train_prompts(cfg->soup.train_prompts, n);
    rd->n_prompts = n;
    rd->n_train = n_train;
    rd->prompt_of = sb_calloc((size_t)n, sizeof(int));
    rd->cand_of = sb_calloc((size_t)n * V, sizeof(int));
    for (int i = 0; i < n; i++) {
        rd->prompt_of[i] = keep[order[i]];
        memcpy(rd->cand_of + (size_t)i * V, cand_all + (size_t)order[i] * V, sizeof(int) * (size_t)V);
    }
    free(order);
    free(cand_all);
    free(keep);
}

/* Stage 3: every kept candidate's raw aspect scores, rd->raw_aspects. */
static void score_aspects(SbRealData *rd, int V, const Aspects *as)
{
    const SbCandidateSets *c = rd->sets;
    int n_rows = rd->n_prompts * V, m = as->m;
    SbVader *vader = NULL;
    SbProfanity *prof = NULL;
    if (as->any_text) {
        char *lex = sb_data_path("vader/vader_lexicon.txt"), *list = sb_data_path("ldnoobw/en");
        vader = sb_vader_load(lex);
        prof = sb_profanity_load(list);
        free(lex);
        free(list);
    }
    rd->raw_aspects = sb_zeros((size_t)n_rows * m);
    for (int i = 0; i < n_rows; i++) {
        int ci = rd->cand_of[i];
        SbTextAspects ta = {0};
        if (as->any_text)
            ta = sb_text_aspects(vader, prof, c->text[ci]);
        for (int j = 0; j < m; j++)
            rd->raw_aspects[(size_t)i * m + j] = as->rating_col[j] >= 0
                                                     ? c->aspects[(size_t)ci * c->m + as->rating_col[j]]
                                                     : text_score(&ta, as->scorer[j]);
    }
    sb_vader_free(vader);
    sb_profanity_free(prof);
}

/* Stage 4: the H = 1 tree problem over the kept prompts: every action ends
 * the episode, training prompts for fitting and test prompts for every
 * reported number, the aspect rewards standardised on the training
 * candidates. */
static SbProblem *candidate_problem(const SbConfig *cfg, SbRealData *rd, int V, const Aspects *as)
{
    int n = rd->n_prompts, n_train = rd->n_train, m = as->m, n_rows = n * V;
    SbProblem *p = sb_calloc(1, sizeof *p);
    p->transition = SB_TRANSITION_TREE;
    p->H = 1;
    p->V = V;
    p->m = m;
    p->d = cfg->dataset.spectral_dim;
    p->n_prompts = p->n_states = n;
    p->beta = cfg->beta;
    p->layer_offset = sb_calloc(2, sizeof(int));
    p->layer_offset[1] = n;
    p->next_state = sb_calloc((size_t)n_rows, sizeof(int));
    for (int i = 0; i < n_rows; i++)
        p->next_state[i] = -1;
    sb_problem_split_prompts(p, n_train);
    p->aspect_names = sb_calloc((size_t)m, sizeof(char *));
    for (int j = 0; j < m; j++)
        p->aspect_names[j] = sb_strdup(as->names[j]);
    p->aspect_rewards = sb_zeros((size_t)n_rows * m);
    memcpy(p->aspect_rewards, rd->raw_aspects, sizeof(double) * (size_t)n_rows * m);
    rd->aspect_mean = sb_zeros(m);
    rd->aspect_sd = sb_zeros(m);
    standardise(p->aspect_rewards, n_rows, m, n_train * V, rd->aspect_mean, rd->aspect_sd);
    return p;
}

/* Stage 5: the text features psi of the candidates in problem order,
 * training rows first (p->phi, standardised on the training candidates),
 * and the SVD's singular values (rd->spectrum). */
static void text_features(SbProblem *p, SbRealData *rd, uint64_t seed)
{
    const SbCandidateSets *c = rd->sets;
    int n_rows = p->n_prompts * p->V, n_train_rows = rd->n_train * p->V;
    SbTokens *tok = sb_calloc((size_t)n_rows, sizeof(SbTokens));
    const char *const **docs = sb_calloc((size_t)n_rows, sizeof(*docs));
    int *n_tok = sb_calloc((size_t)n_rows, sizeof(int)), *train_rows = sb_calloc((size_t)n_train_rows, sizeof(int));
    for (int i = 0; i < n_rows; i++) {
        sb_tokenize(c->text[rd->cand_of[i]], &tok[i]);
        docs[i] = (const char *const *)tok[i].tok;
        n_tok[i] = tok[i].n;
    }
    for (int i = 0; i < n_train_rows; i++)
        train_rows[i] = i;
    SbTextFeatConfig tf;
    sb_textfeat_defaults(&tf, p->d, seed ^ 0x7465787466656174ULL);
    p->phi = sb_zeros((size_t)n_rows * p->d);
    rd->spectrum = sb_zeros(p->d);
    sb_textfeat_features((const char *const *const *)docs, n_tok, n_rows, train_rows, n_train_rows, &tf, p->phi,
                         rd->spectrum);
    for (int i = 0; i < n_rows; i++)
        sb_tokens_free(&tok[i]);
    free(tok), free(docs), free(n_tok), free(train_rows);
    standardise(p->phi, n_rows, p->d, n_train_rows, NULL, NULL);
}

/* Stage 6: the reference network's input of a prompt, its V candidates'
 * features side by side: the row-major [n x V*d] inputs are the
 * [n*V x d] features as they are. */
static void reference_inputs(SbProblem *p)
{
    p->n_in = p->V * p->d;
    p->inputs = sb_zeros((size_t)p->n_prompts * p->V * p->d);
    memcpy(p->inputs, p->phi, sizeof(double) * (size_t)p->n_prompts * p->V * p->d);
}

/* Mean entropy of pi_ref over the test prompts, divided by log V. */
static double test_entropy(const SbProblem *p, int n_train)
{
    int V = p->V, n = p->n_prompts;
    double *pi = sb_zeros(V), h = 0;
    for (int x = n_train; x < n; x++) {
        sb_softmax(p->ref_logits + (size_t)x * V, V, pi);
        for (int a = 0; a < V; a++)
            if (pi[a] > 0)
                h -= pi[a] * log(pi[a]);
    }
    free(pi);
    return h / (n - n_train) / log(V);
}

SbProblem *sb_realdata_build(const SbConfig *cfg, const char *label, int skip_bad, SbRealData **out)
{
    const SbDataset *ds = sb_dataset_find(cfg->dataset.kind);
    SB_ASSERT(ds && ds->load); /* the config checked the kind; run.c builds the synthetic track itself */
    SbRealData *rd = sb_calloc(1, sizeof *rd);
    rd->dataset = ds;
    rd->sets = ds->load(&cfg->dataset, label, skip_bad);
    rd->skipped = rd->sets->skipped;
    Aspects as;
    choose_aspects(cfg, ds, rd->sets, label, &as);
    int V = set_size(rd->sets, ds->positional);
    split_prompts(rd, cfg, V, &as, label);
    score_aspects(rd, V, &as);
    SbProblem *p = candidate_problem(cfg, rd, V, &as);
    text_features(p, rd, cfg->seed);
    reference_inputs(p);
    sb_problem_add_reference_and_users(p, cfg, 1);
    rd->ref_entropy = test_entropy(p, rd->n_train);
    *out = rd;
    return p;
}

void sb_realdata_describe(const SbProblem *p, const SbRealData *rd, char *buf, size_t n)
{
    char *aspects = sb_join_names(p->aspect_names, p->m, "", ", ");
    snprintf(buf, n,
             "%s candidate sets: %d prompts (%d train / %d test, %d incomplete left out) x %d candidates, features "
             "d=%d, aspects %s",
             rd->dataset->name, rd->n_prompts, rd->n_train, rd->n_prompts - rd->n_train, rd->n_dropped, p->V, p->d,
             aspects);
    free(aspects);
}

void sb_realdata_write(SbResults *r, const SbProblem *p, const SbRealData *rd, const SbConfig *cfg)
{
    char g[96], path[160], desc[512];
    snprintf(g, sizeof g, "/data/%s", rd->dataset->name);
    const SbCandidateSets *c = rd->sets;
    int V = p->V, n_rows = p->n_prompts * V;
    sb_realdata_describe(p, rd, desc, sizeof desc);
    char *names = sb_aspect_columns(p, "");
    sb_results_attr_str(r, g, "description", desc);
    sb_results_attr_str(r, g, "aspect_names", names);
    sb_results_attr_double(r, g, "beta", p->beta);
    sb_results_attr_int(r, g, "prompts", p->n_prompts);
    sb_results_attr_int(r, g, "train_prompts", rd->n_train);
    sb_results_attr_int(r, g, "complete_prompts", rd->n_complete);
    sb_results_attr_int(r, g, "incomplete_prompts_left_out", rd->n_dropped);
    sb_results_attr_int(r, g, "missing_candidates_in_files", c->missing);
    sb_results_attr_int(r, g, "malformed_records_skipped", rd->skipped);
    sb_results_attr_int(r, g, "candidates_per_prompt", V);
    sb_results_attr_int(r, g, "spectral_dim", p->d);
    sb_results_attr_double(r, g, "ref_entropy_over_log_V", rd->ref_entropy);
    if (rd->dataset->positional) {
        sb_results_attr_str(r, g, "sources", "action k is each record's k-th completion (its model varies)");
    } else {
        char *sources = sb_join_names(c->sources, c->n_sources, "", ",");
        sb_results_attr_str(r, g, "sources", sources);
        free(sources);
    }
    for (int j = 0; j < p->m; j++) {
        snprintf(path, sizeof path, "aspect_%s", p->aspect_names[j]);
        sb_results_attr_str(r, g, path, sb_aspect_find(p->aspect_names[j])->description);
    }
    (void)cfg;

    int64_t *idx = sb_calloc((size_t)n_rows, sizeof(int64_t));
    for (int x = 0; x < p->n_prompts; x++)
        idx[x] = rd->prompt_of[x];
    snprintf(path, sizeof path, "%s/prompt_index", g);
    sb_results_write_ints(r, path, p->n_prompts, 1, idx, "loaded_prompt",
                          "each state's prompt, as its index among the loaded prompts (AlpacaEval: order of first "
                          "appearance in the annotation files; Topical-Chat: of the contexts); the first "
                          "train_prompts states are the training prompts");
    for (int i = 0; i < n_rows; i++)
        idx[i] = rd->cand_of[i];
    char *actions = sb_column_names("source_", 0, V);
    snprintf(path, sizeof path, "%s/candidate_index", g);
    sb_results_write_ints(r, path, p->n_prompts, V, idx, actions,
                          "each state-action's candidate, as its index among the loaded candidates");
    free(idx);
    snprintf(path, sizeof path, "%s/spectrum", g);
    sb_results_write_table(r, path, p->d, 1, rd->spectrum, "singular_value",
                           "singular values of the TF-IDF matrix of the training candidates (the reference "
                           "features' spectrum)");
    sb_results_attr_str(r, path, "label", "text features psi (TF-IDF + SVD of the training candidates)");
    snprintf(path, sizeof path, "%s/raw_aspects", g);
    sb_results_write_table(r, path, n_rows, p->m, rd->raw_aspects, names,
                           "aspect scores before standardisation, row s*V+a");
    snprintf(path, sizeof path, "%s/aspect_rewards", g);
    sb_results_write_table(r, path, n_rows, p->m, p->aspect_rewards, names,
                           "aspect rewards r_j(s,a), standardised on the training candidates, row s*V+a");
    double *moments = sb_zeros((size_t)2 * p->m);
    memcpy(moments, rd->aspect_mean, sizeof(double) * (size_t)p->m);
    memcpy(moments + p->m, rd->aspect_sd, sizeof(double) * (size_t)p->m);
    snprintf(path, sizeof path, "%s/aspect_standardisation", g);
    sb_results_write_table(r, path, 2, p->m, moments, names,
                           "row 0: mean, row 1: standard deviation of each aspect over the training candidates");
    free(moments);
    char *phis = sb_column_names("psi_", 1, p->d);
    snprintf(path, sizeof path, "%s/features", g);
    sb_results_write_table(r, path, n_rows, p->d, p->phi, phis,
                           "standardised text features psi(x, y), row s*V+a; the reference network's input for "
                           "state s is rows s*V .. s*V+V-1 side by side");
    free(phis);
    sb_problem_write_reference_and_users(r, g, p, actions);
    free(actions);
    double *inits = sb_zeros((size_t)2 * p->n_prompts);
    for (int x = 0; x < p->n_prompts; x++)
        inits[2 * x] = p->init[x], inits[2 * x + 1] = p->eval_init[x];
    snprintf(path, sizeof path, "%s/init", g);
    sb_results_write_table(r, path, p->n_prompts, 2, inits, "train,eval",
                           "prompt distributions: training and fitting (train), every reported number (eval)");
    free(inits);
    free(names);
}

void sb_realdata_free(SbRealData *rd)
{
    if (!rd)
        return;
    sb_candidates_free(rd->sets);
    free(rd->prompt_of);
    free(rd->cand_of);
    free(rd->spectrum);
    free(rd->aspect_mean);
    free(rd->aspect_sd);
    free(rd->raw_aspects);
    free(rd);
}
