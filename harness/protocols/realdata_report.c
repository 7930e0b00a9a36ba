/* soupbench: what a real-data run adds to the summary and the results file
 * (harness/realdata_report.h). */
#include "realdata_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harmless.h"
#include "tokenize.h"
#include "sb.h"

#define N_EXAMPLES 3 /* test instructions shown */
#define HARMLESS_TRAIN_SHARE 0.8
#define HARMLESS_L2 1e-2

/* The action with the largest logit on state x (the first on ties), or -1
 * when every action ties (a uniform policy ranks none first). */
static int first_choice(const double *logits, int V, int x)
{
    int best = 0, all_equal = 1;
    for (int a = 1; a < V; a++) {
        if (logits[(size_t)x * V + a] > logits[(size_t)x * V + best])
            best = a;
        all_equal &= logits[(size_t)x * V + a] == logits[(size_t)x * V];
    }
    return all_equal ? -1 : best;
}

/* Who wrote the candidate of action a on state x. */
static const char *source_of(const SbRealData *rd, int V, int x, int a)
{
    return rd->sets->sources[rd->sets->source[rd->cand_of[(size_t)x * V + a]]];
}

/* One line of text: the first n characters of s with newlines as spaces. */
static void snippet(const char *s, int n, char *out)
{
    int i = 0;
    for (; s[i] && i < n; i++)
        out[i] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
    out[i] = '\0';
    if (s[i])
        strcpy(out + (i > 3 ? i - 3 : 0), "...");
}

static void per_aspect_table(const SbProblem *p, const SbMethodResult *res, int n, SbResults *r, int quiet)
{
    int m = p->m;
    double *table = sb_zeros((size_t)n * (m + 1));
    for (int k = 0; k < n; k++) {
        double *row = table + (size_t)k * (m + 1);
        for (int u = 0; u < res[k].n_users; u++) {
            const double *ur = res[k].users + (size_t)u * res[k].user_cols;
            for (int j = 0; j < m; j++)
                row[j] += ur[SB_U_ASPECTS + j] / res[k].n_users;
            row[m] += ur[SB_U_KL] / res[k].n_users;
        }
    }
    char *cols = sb_aspect_columns(p, "r_"), columns[1024], *rows = sb_method_result_names(res, n);
    snprintf(columns, sizeof columns, "%s,KL", cols);
    free(cols);
    sb_results_write_table(r, "/realdata/per_aspect", n, m + 1, table, columns,
                           "per method: expected aspect rewards (standardised units) and KL on the test prompts, "
                           "averaged over the held-out users served with their true weights");
    sb_results_attr_str(r, "/realdata/per_aspect", "rows", rows);
    free(rows);
    if (!quiet) {
        printf("\nper-aspect table (test prompts, mean over held-out users; aspects in standard deviations of the "
               "training candidates)\n%-23s", "method");
        for (int j = 0; j < m; j++)
            printf(" %12s", p->aspect_names[j]);
        printf(" %8s\n", "KL");
        for (int k = 0; k < n; k++) {
            printf("%-23s", res[k].method->name);
            for (int j = 0; j <= m; j++)
                printf(j < m ? " %12.3f" : " %8.3f", table[(size_t)k * (m + 1) + j]);
            printf("\n");
        }
    }
    free(table);
}

static void example_answers(const SbContext *ctx, const SbRealData *rd, const SbMethodResult *res, int n,
                            SbResults *r, int quiet)
{
    const SbProblem *p = ctx->p;
    int V = p->V, m = p->m, n_ex = p->n_prompts - rd->n_train < N_EXAMPLES ? p->n_prompts - rd->n_train : N_EXAMPLES;
    if (m < 2)
        return;
    /* user A puts all weight on the first aspect, user B on the second */
    double *wA = sb_zeros(m), *wB = sb_zeros(m), *logits = sb_zeros((size_t)p->n_states * V);
    wA[0] = 1;
    wB[1] = 1;
    int64_t *pick = sb_calloc((size_t)n * 2 * n_ex, sizeof(int64_t));
    for (int k = 0; k < n; k++)
        for (int u = 0; u < 2; u++) {
            sb_method_serve_offline(ctx, res[k].method, res[k].state, u ? wB : wA, logits);
            for (int e = 0; e < n_ex; e++)
                pick[((size_t)k * 2 + u) * n_ex + e] = first_choice(logits, V, rd->n_train + e);
        }
    char columns[256];
    size_t used = 0;
    for (int u = 0; u < 2; u++)
        for (int e = 0; e < n_ex; e++)
            used += (size_t)snprintf(columns + used, sizeof columns - used, "%suser_%c_prompt_%d", used ? "," : "",
                                     u ? 'B' : 'A', rd->n_train + e);
    sb_results_write_ints(r, "/realdata/example_answers", n, 2 * n_ex, pick, columns,
                          "per method (rows as /realdata/per_aspect): the action (source) the served policy ranks "
                          "first on the first test prompts, for user A (all weight on the first aspect) and user B "
                          "(all weight on the second); -1 when every action ties");
    const SbCandidateSets *c = rd->sets;
    if (!quiet) {
        printf("\nexample answers: the candidate each method ranks first, for user A (w = %s only) and user B "
               "(w = %s only)\n",
               p->aspect_names[0], p->aspect_names[1]);
        for (int e = 0; e < n_ex; e++) {
            int x = rd->n_train + e;
            char text[96];
            snippet(c->prompt[rd->prompt_of[x]], 88, text);
            printf("\ntest prompt %d: \"%s\"\n", x, text);
            int shown[64] = {0};
            for (int k = 0; k < n; k++) {
                int a = (int)pick[((size_t)k * 2) * n_ex + e], b = (int)pick[((size_t)k * 2 + 1) * n_ex + e];
                printf("  %-23s A: %-36s B: %s\n", res[k].method->name, a < 0 ? "(all tied)" : source_of(rd, V, x, a),
                       b < 0 ? "(all tied)" : source_of(rd, V, x, b));
                if (a >= 0 && a < 64)
                    shown[a] = 1;
                if (b >= 0 && b < 64)
                    shown[b] = 1;
            }
            for (int a = 0; a < V && a < 64; a++)
                if (shown[a]) {
                    int ci = rd->cand_of[(size_t)x * V + a];
                    SbTextCounts tc = sb_text_counts(c->text[ci]);
                    snippet(c->text[ci], 72, text);
                    printf("    [%s] (%ld words) \"%s\"\n", source_of(rd, V, x, a), tc.words, text);
                }
        }
    }
    free(pick);
    free(logits);
    free(wB);
    free(wA);
}

static void harmlessness(const SbConfig *cfg, SbResults *r, int quiet)
{
    SbTextPairs *tp = sb_hh_rlhf_load();
    SbHarmlessModel *hm = sb_harmless_fit(tp, cfg->dataset.spectral_dim, HARMLESS_TRAIN_SHARE, HARMLESS_L2,
                                          cfg->seed);
    const char *g = "/realdata/harmlessness";
    sb_results_attr_str(r, g, "description",
                        "harmlessness reward model: Bradley-Terry (L2-regularised logistic regression) on the text "
                        "features of HH-RLHF harmless-base chosen / rejected pairs, held-out pairwise accuracy");
    sb_results_write_table(r, "/realdata/harmlessness/theta", hm->d, 1, hm->theta, "theta",
                           "Bradley-Terry harmlessness reward r(x, y) = <theta, psi(x, y)> on HH-RLHF harmless-base "
                           "test pairs (its own TF-IDF + SVD features)");
    sb_results_write_table(r, "/realdata/harmlessness/spectrum", hm->d, 1, hm->sv, "singular_value",
                           "singular values of the HH-RLHF TF-IDF matrix");
    sb_results_attr_str(r, "/realdata/harmlessness/spectrum", "label", "HH-RLHF text features (TF-IDF + SVD)");
    sb_results_attr_double(r, g, "heldout_accuracy", hm->accuracy);
    double ci[2] = {hm->lo, hm->hi};
    sb_results_attr_doubles(r, g, "heldout_accuracy_wilson95", ci, 2);
    sb_results_attr_int(r, g, "train_pairs", hm->n_train);
    sb_results_attr_int(r, g, "heldout_pairs", hm->n_test);
    sb_results_attr_double(r, g, "l2", HARMLESS_L2);
    if (!quiet)
        printf("\nharmlessness reward model (Bradley-Terry on psi, HH-RLHF harmless-base, %d train / %d held-out "
               "pairs): held-out pairwise accuracy %.3f [%.3f, %.3f] (95%% Wilson)\n",
               hm->n_train, hm->n_test, hm->accuracy, hm->lo, hm->hi);
    sb_harmless_free(hm);
    sb_text_pairs_free(tp);
}

void sb_realdata_report(const SbContext *ctx, const SbRealData *rd, const SbMethodResult *res, int n, SbResults *r,
                        int quiet)
{
    sb_results_attr_str(r, "/realdata", "description",
                        "the real-data track's own summary: per-aspect table, example answers, harmlessness model");
    per_aspect_table(ctx->p, res, n, r, quiet);
    example_answers(ctx, rd, res, n, r, quiet);
    harmlessness(ctx->cfg, r, quiet);
}
