/* soupbench verify: check the claims of paper/claims.json against the
 * results files (SPEC section 8).
 *
 *     soupbench verify [CLAIMS.json] [--results DIR] [--no-write] [--tex FILE]
 *
 * Every claim names an experiment (its results file DIR/<experiment>.h5),
 * a quantity read from that file (an HDF5 path and a reduction), a
 * comparison and a tolerance. Two kinds are kept apart:
 *
 *   paper    a claim as the paper states it; on our data it is a finding:
 *            holds, refuted, or inconclusive when the 95% interval of the
 *            quantity straddles the threshold. Never a failure.
 *   harness  a property soupbench guarantees (exactness where the theory
 *            says so, the oracle above every method, bit-identical
 *            reruns): checked on the measured value itself with the
 *            tolerance as the only slack; one that fails is a regression.
 *
 * Exit 0 when every harness claim holds, 1 otherwise, 2 on a malformed
 * claims file (named by its JSON path) or a missing results file or
 * dataset (naming the command that makes it). The format of the claims
 * file is documented in paper/README.md. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "doctable.h"
#include "results.h"
#include "sb.h"
#include "stats.h"

static const char usage[] =
    "usage: soupbench verify [CLAIMS.json] [--results DIR] [--no-write] [--tex FILE]\n"
    "\n"
    "Check every claim of CLAIMS.json (default paper/claims.json) against the\n"
    "results files DIR/<experiment>.h5 (default: the folder results/ beside\n"
    "CLAIMS.json), print one table (claim, kind, measured value with its 95%\n"
    "interval, threshold, verdict) and write it into RESULTS.md beside\n"
    "CLAIMS.json, between the lines '<!-- BEGIN soupbench verify -->' and\n"
    "'<!-- END soupbench verify -->'.\n"
    "\n"
    "  --results DIR   folder of the results files\n"
    "  --no-write      print the table only\n"
    "  --tex FILE      also write the table as a LaTeX table (for paper.tex)\n"
    "  --help          this text\n"
    "\n"
    "Paper claims are findings (holds, refuted, inconclusive); harness claims\n"
    "are guarantees (holds, FAILS). Exit status: 0 every harness claim holds,\n"
    "1 a harness claim fails, 2 a malformed claims file or a missing results file.\n";

#define VERIFY_BEGIN "<!-- BEGIN soupbench verify -->"
#define VERIFY_END "<!-- END soupbench verify -->"
#define MAX_FILES 64
#define JPATH_MAX 256

/* snprintf for messages and cells, where truncating a very long name is
 * acceptable. */
static void __attribute__((format(printf, 3, 4))) bprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

typedef enum { KIND_PAPER, KIND_HARNESS } ClaimKind;
typedef enum { CMP_GE, CMP_LE, CMP_BETWEEN, CMP_BEATS, CMP_ORDER, CMP_ABOVE_ALL, CMP_IDENTICAL } Compare;
typedef enum { V_HOLDS, V_REFUTED, V_INCONCLUSIVE, V_FAILS } Verdict;

static const char *const compare_names[] = {
    [CMP_GE] = ">=",         [CMP_LE] = "<=",           [CMP_BETWEEN] = "between",  [CMP_BEATS] = "beats",
    [CMP_ORDER] = "order",   [CMP_ABOVE_ALL] = "above_all", [CMP_IDENTICAL] = "identical"};
#define N_COMPARE (int)(sizeof compare_names / sizeof compare_names[0])

static const char *const verdict_names[] = {[V_HOLDS] = "holds", [V_REFUTED] = "refuted",
                                            [V_INCONCLUSIVE] = "inconclusive", [V_FAILS] = "FAILS"};

typedef struct {
    const cJSON *json;
    char jpath[32]; /* "$.claims[3]" */
    const char *id, *statement, *analogue, *experiment;
    ClaimKind kind;
    Compare cmp;
    double threshold[2], tolerance;
} Claim;

/* A measured quantity: its value, its 95% interval (lo = hi = value when
 * it has none) and how it was obtained. */
typedef struct {
    double value, lo, hi;
    int has_ci;
    char note[512];
} Measure;

typedef struct {
    const char *claims_path;
    char paper_dir[4096];
    const char *results_dir;
    int resamples;
    uint64_t seed;
    struct {
        char *experiment;
        SbResultsReader *rd;
    } files[MAX_FILES];
    int n_files;
} Verify;

/* The template variables of a quantity: {method} and {pair}. */
typedef struct {
    const char *method, *pair;
} Subst;

/* ------------------------------------------------------------------ */
/* the claims file                                                    */

static void describe(const cJSON *v, char *buf, size_t n)
{
    if (!v)
        bprintf(buf, n, "nothing");
    else if (cJSON_IsString(v))
        bprintf(buf, n, "\"%.60s\"", v->valuestring);
    else if (cJSON_IsNumber(v))
        bprintf(buf, n, "%.10g", v->valuedouble);
    else if (cJSON_IsBool(v))
        bprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        bprintf(buf, n, "null");
    else if (cJSON_IsArray(v))
        bprintf(buf, n, "an array of %d", cJSON_GetArraySize(v));
    else
        bprintf(buf, n, "an object");
}

static void __attribute__((noreturn, format(printf, 3, 4)))
bad_claims(const Verify *v, const char *jpath, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sb_fail(SB_EXIT_USAGE, "%s: %s: %s", v->claims_path, jpath, msg);
}

static void __attribute__((noreturn))
expected(const Verify *v, const char *jpath, const char *what, const cJSON *found)
{
    char f[128];
    describe(found, f, sizeof f);
    bad_claims(v, jpath, "expected %s, found %s", what, f);
}

static void join(char *out, size_t n, const char *base, const char *key)
{
    bprintf(out, n, "%s.%s", base, key);
}

static void join_index(char *out, size_t n, const char *base, int i)
{
    bprintf(out, n, "%s[%d]", base, i);
}

/* Only these keys in an object. */
static void check_keys(const Verify *v, const cJSON *obj, const char *jpath, const char *const *keys)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int known = 0;
        for (int i = 0; keys[i]; i++)
            known |= strcmp(it->string, keys[i]) == 0;
        if (!known) {
            char list[512] = "";
            for (int i = 0; keys[i]; i++)
                bprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", keys[i]);
            char at[JPATH_MAX];
            join(at, sizeof at, jpath, it->string);
            bad_claims(v, at, "unknown key (expected one of: %s)", list);
        }
    }
}

static const char *get_string(const Verify *v, const cJSON *obj, const char *key, const char *jpath, int required)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char at[JPATH_MAX];
    join(at, sizeof at, jpath, key);
    if (!it) {
        if (required)
            bad_claims(v, at, "missing (expected a string)");
        return NULL;
    }
    if (!cJSON_IsString(it) || !it->valuestring[0])
        expected(v, at, "a non-empty string", it);
    return it->valuestring;
}

static int get_number(const Verify *v, const cJSON *obj, const char *key, const char *jpath, double *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return 0;
    char at[JPATH_MAX];
    join(at, sizeof at, jpath, key);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        expected(v, at, "a number", it);
    *out = it->valuedouble;
    return 1;
}

static const char *const stat_reductions[] = {"one", "min", "max", "first", "last", NULL};
static const char *const column_reductions[] = {"one", "mean", "min", "max", "first", "last", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* A quantity: a value (with or without its interval) read from a results
 * file, or the difference or ratio of two. */
static void check_quantity(const Verify *v, const cJSON *q, const char *jpath)
{
    static const char *const keys[] = {"experiment", "path", "attribute", "row", "where", "stat",
                                       "column", "reduce", "diff", "ratio", NULL};
    if (!cJSON_IsObject(q))
        expected(v, jpath, "a quantity (an object with \"path\", or \"diff\" or \"ratio\")", q);
    check_keys(v, q, jpath, keys);
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(q, "diff");
    const char *op = "diff";
    if (!pair) {
        pair = cJSON_GetObjectItemCaseSensitive(q, "ratio");
        op = "ratio";
    }
    if (pair) {
        char at[JPATH_MAX];
        join(at, sizeof at, jpath, op);
        if (cJSON_GetArraySize(q) != 1)
            bad_claims(v, jpath, "a \"%s\" quantity has no other key", op);
        if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2)
            expected(v, at, "an array of two quantities", pair);
        for (int i = 0; i < 2; i++) {
            char item[JPATH_MAX];
            join_index(item, sizeof item, at, i);
            check_quantity(v, cJSON_GetArrayItem(pair, i), item);
        }
        return;
    }
    get_string(v, q, "experiment", jpath, 0);
    get_string(v, q, "path", jpath, 1);
    const char *attribute = get_string(v, q, "attribute", jpath, 0);
    const char *stat = get_string(v, q, "stat", jpath, 0), *column = get_string(v, q, "column", jpath, 0);
    const char *row = get_string(v, q, "row", jpath, 0), *reduce = get_string(v, q, "reduce", jpath, 0);
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(q, "where");
    if (attribute) {
        if (stat || column || row || where || reduce)
            bad_claims(v, jpath, "an \"attribute\" quantity takes only \"experiment\" and \"path\" besides");
        return;
    }
    if (!!stat == !!column)
        bad_claims(v, jpath, "expected exactly one of \"stat\" (the columns <stat>_mean, _lo, _hi) and \"column\"");
    if (row && where)
        bad_claims(v, jpath, "expected at most one of \"row\" and \"where\"");
    if (where) {
        char at[JPATH_MAX];
        join(at, sizeof at, jpath, "where");
        if (!cJSON_IsObject(where) || !where->child)
            expected(v, at, "an object of column names and numbers", where);
        for (const cJSON *it = where->child; it; it = it->next) {
            char item[JPATH_MAX];
            join(item, sizeof item, at, it->string);
            if (!cJSON_IsNumber(it))
                expected(v, item, "a number (the column's value in the rows selected)", it);
        }
    }
    if (reduce && !in_list(reduce, stat ? stat_reductions : column_reductions)) {
        char at[JPATH_MAX];
        join(at, sizeof at, jpath, "reduce");
        bad_claims(v, at, "expected one of %s, found \"%s\"",
                   stat ? "one, min, max, first, last" : "one, mean, min, max, first, last", reduce);
    }
}

/* A list of method names. */
static void check_names(const Verify *v, const cJSON *list, const char *jpath, int min)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < min) {
        char what[64];
        bprintf(what, sizeof what, "an array of at least %d method name%s", min, min == 1 ? "" : "s");
        expected(v, jpath, what, list);
    }
    int i = 0;
    for (const cJSON *it = list->child; it; it = it->next, i++) {
        char at[JPATH_MAX];
        join_index(at, sizeof at, jpath, i);
        if (!cJSON_IsString(it) || !it->valuestring[0])
            expected(v, at, "a method name (a string)", it);
    }
}

static int quantity_has(const cJSON *q, const char *var)
{
    char *text = cJSON_PrintUnformatted(q);
    int has = strstr(text, var) != NULL;
    free(text);
    return has;
}

static void parse_claim(const Verify *v, const cJSON *j, int index, Claim *c)
{
    static const char *const keys[] = {"id",       "kind",   "claim",     "analogue", "experiment", "quantity",
                                       "compare",  "threshold", "tolerance", "method", "against",    "methods",
                                       "over",     "except", "other",     "exclude",  "exclude_columns", NULL};
    memset(c, 0, sizeof *c);
    c->json = j;
    bprintf(c->jpath, sizeof c->jpath, "$.claims[%d]", index);
    if (!cJSON_IsObject(j))
        expected(v, c->jpath, "a claim (an object)", j);
    check_keys(v, j, c->jpath, keys);
    c->id = get_string(v, j, "id", c->jpath, 1);
    c->statement = get_string(v, j, "claim", c->jpath, 1);
    c->analogue = get_string(v, j, "analogue", c->jpath, 0);
    c->experiment = get_string(v, j, "experiment", c->jpath, 1);
    const char *kind = get_string(v, j, "kind", c->jpath, 1);
    char at[JPATH_MAX];
    if (strcmp(kind, "paper") == 0) {
        c->kind = KIND_PAPER;
    } else if (strcmp(kind, "harness") == 0) {
        c->kind = KIND_HARNESS;
    } else {
        join(at, sizeof at, c->jpath, "kind");
        bad_claims(v, at, "expected \"paper\" or \"harness\", found \"%s\"", kind);
    }
    const char *cmp = get_string(v, j, "compare", c->jpath, 1);
    c->cmp = (Compare)-1;
    for (int i = 0; i < N_COMPARE; i++)
        if (strcmp(cmp, compare_names[i]) == 0)
            c->cmp = (Compare)i;
    join(at, sizeof at, c->jpath, "compare");
    if ((int)c->cmp < 0)
        bad_claims(v, at, "expected one of >=, <=, between, beats, order, above_all, identical, found \"%s\"", cmp);
    if (!get_number(v, j, "tolerance", c->jpath, &c->tolerance))
        c->tolerance = 0;
    if (c->tolerance < 0) {
        join(at, sizeof at, c->jpath, "tolerance");
        bad_claims(v, at, "expected a number >= 0, found %g", c->tolerance);
    }

    const cJSON *threshold = cJSON_GetObjectItemCaseSensitive(j, "threshold");
    char tat[JPATH_MAX];
    join(tat, sizeof tat, c->jpath, "threshold");
    switch (c->cmp) {
    case CMP_GE:
    case CMP_LE:
        if (!cJSON_IsNumber(threshold))
            expected(v, tat, "a number", threshold);
        c->threshold[0] = c->threshold[1] = threshold->valuedouble;
        break;
    case CMP_BETWEEN:
        if (!cJSON_IsArray(threshold) || cJSON_GetArraySize(threshold) != 2 ||
            !cJSON_IsNumber(cJSON_GetArrayItem(threshold, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(threshold, 1)) ||
            cJSON_GetArrayItem(threshold, 0)->valuedouble > cJSON_GetArrayItem(threshold, 1)->valuedouble)
            expected(v, tat, "[low, high], two numbers with low <= high", threshold);
        c->threshold[0] = cJSON_GetArrayItem(threshold, 0)->valuedouble;
        c->threshold[1] = cJSON_GetArrayItem(threshold, 1)->valuedouble;
        break;
    case CMP_ABOVE_ALL:
        if (threshold && !cJSON_IsNumber(threshold))
            expected(v, tat, "a number (the least margin; default 0)", threshold);
        c->threshold[0] = c->threshold[1] = threshold ? threshold->valuedouble : 0;
        break;
    default:
        if (threshold)
            bad_claims(v, tat, "\"%s\" takes no threshold", compare_names[c->cmp]);
    }
    if ((c->cmp == CMP_BEATS || c->cmp == CMP_ORDER) && c->tolerance != 0) {
        join(at, sizeof at, c->jpath, "tolerance");
        bad_claims(v, at, "\"%s\" takes no tolerance: the interval of the difference must exclude 0",
                   compare_names[c->cmp]);
    }

    const cJSON *q = cJSON_GetObjectItemCaseSensitive(j, "quantity");
    char qat[JPATH_MAX];
    join(qat, sizeof qat, c->jpath, "quantity");
    const cJSON *against = cJSON_GetObjectItemCaseSensitive(j, "against");
    if (c->cmp == CMP_IDENTICAL) {
        if (q)
            bad_claims(v, qat, "\"identical\" compares two whole files and takes no quantity");
        get_string(v, j, "other", c->jpath, 1);
        const cJSON *exclude = cJSON_GetObjectItemCaseSensitive(j, "exclude");
        if (exclude) {
            join(at, sizeof at, c->jpath, "exclude");
            if (!cJSON_IsArray(exclude))
                expected(v, at, "an array of HDF5 paths", exclude);
            int i = 0;
            for (const cJSON *it = exclude->child; it; it = it->next, i++) {
                char item[JPATH_MAX];
                join_index(item, sizeof item, at, i);
                if (!cJSON_IsString(it) || it->valuestring[0] != '/')
                    expected(v, item, "an HDF5 path (a string starting with /)", it);
            }
        }
        const cJSON *columns = cJSON_GetObjectItemCaseSensitive(j, "exclude_columns");
        if (columns) {
            join(at, sizeof at, c->jpath, "exclude_columns");
            check_names(v, columns, at, 0);
        }
        return;
    }
    if (!q)
        bad_claims(v, qat, "missing (expected a quantity)");
    check_quantity(v, q, qat);
    int templated = quantity_has(q, "{method}");
    switch (c->cmp) {
    case CMP_BEATS:
        join(at, sizeof at, c->jpath, "against");
        if (!against)
            bad_claims(v, at, "missing (expected a method name, with {method} in the quantity, or a quantity)");
        if (cJSON_IsString(against)) {
            if (!templated)
                bad_claims(v, at, "a method name needs {method} in the quantity's path or row");
            get_string(v, j, "method", c->jpath, 1);
        } else {
            check_quantity(v, against, at);
        }
        break;
    case CMP_ORDER:
        join(at, sizeof at, c->jpath, "methods");
        if (!templated)
            bad_claims(v, qat, "\"order\" needs {method} in the quantity's path or row");
        check_names(v, cJSON_GetObjectItemCaseSensitive(j, "methods"), at, 2);
        break;
    case CMP_ABOVE_ALL:
        if (!templated)
            bad_claims(v, qat, "\"above_all\" needs {method} in the quantity's path or row");
        get_string(v, j, "method", c->jpath, 1);
        if (cJSON_GetObjectItemCaseSensitive(j, "over")) {
            join(at, sizeof at, c->jpath, "over");
            check_names(v, cJSON_GetObjectItemCaseSensitive(j, "over"), at, 1);
        }
        if (cJSON_GetObjectItemCaseSensitive(j, "except")) {
            join(at, sizeof at, c->jpath, "except");
            check_names(v, cJSON_GetObjectItemCaseSensitive(j, "except"), at, 0);
        }
        break;
    default:
        if (templated && !cJSON_GetObjectItemCaseSensitive(j, "method"))
            bad_claims(v, qat, "{method} in the quantity needs \"method\"");
        if (templated)
            get_string(v, j, "method", c->jpath, 1);
    }
}

/* ------------------------------------------------------------------ */
/* results files                                                      */

static void results_path(const Verify *v, const char *experiment, char *out, size_t n)
{
    bprintf(out, n, "%s/%s.h5", v->results_dir, experiment);
}

/* The command that makes a results file, for the message of a missing one. */
static void make_command(const Verify *v, const char *experiment, char *out, size_t n)
{
    char config[4096];
    bprintf(config, sizeof config, "%s/experiments/%s.json", v->paper_dir, experiment);
    FILE *f = fopen(config, "r");
    if (f) {
        fclose(f);
        bprintf(out, n, "`make paper` (or `./soupbench paper --only %s`, or `./soupbench run %s --out %s/%s.h5`)",
                 experiment, config, v->results_dir, experiment);
    } else {
        bprintf(out, n, "`make paper` (or `./soupbench paper --only %s`)", experiment);
    }
}

static SbResultsReader *open_experiment(Verify *v, const char *experiment, const char *jpath)
{
    for (int i = 0; i < v->n_files; i++)
        if (strcmp(v->files[i].experiment, experiment) == 0)
            return v->files[i].rd;
    char path[4096], cmd[8400];
    results_path(v, experiment, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        make_command(v, experiment, cmd, sizeof cmd);
        sb_fail(SB_EXIT_USAGE, "%s: %s: results file %s is missing (%s); make it with %s", v->claims_path, jpath,
                path, strerror(errno), cmd);
    }
    fclose(f);
    SbResultsReader *rd = sb_results_open(path);
    if (!rd)
        sb_fail(SB_EXIT_USAGE, "%s: %s: %s is not a readable results file", v->claims_path, jpath, path);
    SB_ASSERT(v->n_files < MAX_FILES);
    v->files[v->n_files].experiment = sb_strdup(experiment);
    v->files[v->n_files].rd = rd;
    v->n_files++;
    return rd;
}

static void __attribute__((noreturn, format(printf, 4, 5)))
bad_data(const Verify *v, const char *jpath, const char *experiment, const char *fmt, ...)
{
    char msg[1024], cmd[8400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    make_command(v, experiment, cmd, sizeof cmd);
    sb_fail(SB_EXIT_USAGE, "%s: %s: %s; the file may come from another config or an older soupbench: remake it with %s",
            v->claims_path, jpath, msg, cmd);
}

/* s with {method} and {pair} replaced. */
static void substitute(const char *s, const Subst *sub, char *out, size_t n)
{
    size_t k = 0;
    while (*s && k + 1 < n) {
        const char *val = NULL;
        size_t skip = 0;
        if (strncmp(s, "{method}", 8) == 0)
            val = sub ? sub->method : NULL, skip = 8;
        else if (strncmp(s, "{pair}", 6) == 0)
            val = sub ? sub->pair : NULL, skip = 6;
        if (skip && val) {
            k += (size_t)snprintf(out + k, n - k, "%s", val);
            if (k >= n)
                k = n - 1;
            s += skip;
        } else {
            out[k++] = *s++;
        }
    }
    out[k] = '\0';
}

/* ------------------------------------------------------------------ */
/* quantities                                                         */

static const char *quantity_experiment(const Claim *c, const cJSON *q)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(q, "experiment");
    return e ? e->valuestring : c->experiment;
}

static const char *qstr(const cJSON *q, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(q, key);
    return it && cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The rows of table t that the quantity selects: `row` (a name of the
 * dataset's `rows` attribute), `where` (column values) or every row. */
static int *select_rows(Verify *v, SbResultsReader *rd, const cJSON *q, const char *jpath, const char *experiment,
                        const char *path, const SbResultsTable *t, const Subst *sub, int *n)
{
    int *rows = sb_calloc((size_t)(t->rows > 0 ? t->rows : 1), sizeof *rows);
    *n = 0;
    const char *row = qstr(q, "row");
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(q, "where");
    if (row) {
        char name[256];
        substitute(row, sub, name, sizeof name);
        char **names;
        int n_names;
        if (sb_results_read_attr_names(rd, path, "rows", &names, &n_names) != SB_RESULTS_OK)
            bad_data(v, jpath, experiment, "%s", sb_results_error(rd));
        int found = -1;
        for (int i = 0; i < n_names; i++)
            if (strcmp(names[i], name) == 0)
                found = i;
        if (found < 0 || found >= t->rows) {
            char list[1024] = "";
            for (int i = 0; i < n_names; i++)
                bprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
            sb_results_free_names(names, n_names);
            bad_data(v, jpath, experiment, "%s: no row \"%s\" in %s (rows: %s)", experiment, name, path, list);
        }
        sb_results_free_names(names, n_names);
        rows[(*n)++] = found;
        return rows;
    }
    int n_cond = where ? cJSON_GetArraySize(where) : 0;
    int *col = sb_calloc((size_t)(n_cond ? n_cond : 1), sizeof *col);
    int k = 0;
    for (const cJSON *it = where ? where->child : NULL; it; it = it->next, k++) {
        col[k] = sb_results_table_column(t, it->string);
        if (col[k] < 0)
            bad_data(v, jpath, experiment, "%s: %s has no column \"%s\"", experiment, path, it->string);
    }
    for (int r = 0; r < t->rows; r++) {
        int ok = 1;
        k = 0;
        for (const cJSON *it = where ? where->child : NULL; it; it = it->next, k++) {
            double want = it->valuedouble, got = t->data[(size_t)r * t->cols + col[k]];
            ok &= fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want));
        }
        if (ok)
            rows[(*n)++] = r;
    }
    free(col);
    return rows;
}

static int column_or_fail(Verify *v, const SbResultsTable *t, const char *name, const char *jpath,
                          const char *experiment, const char *path)
{
    int k = sb_results_table_column(t, name);
    if (k < 0)
        bad_data(v, jpath, experiment, "%s: %s has no column \"%s\"", experiment, path, name);
    return k;
}

static void point(Measure *m, double x)
{
    m->value = m->lo = m->hi = x;
    m->has_ci = 0;
}

/* A quantity read from its file: one value, or, with `vector`, every
 * selected row's value (the mean column of a stat) into *vec. */
static void read_simple(Verify *v, const Claim *c, const cJSON *q, const char *jpath, const Subst *sub, Measure *m,
                        double **vec, int *n_vec)
{
    const char *experiment = quantity_experiment(c, q);
    SbResultsReader *rd = open_experiment(v, experiment, jpath);
    char path[1024];
    substitute(qstr(q, "path"), sub, path, sizeof path);
    const char *attribute = qstr(q, "attribute");
    memset(m, 0, sizeof *m);
    if (attribute) {
        double x;
        if (sb_results_read_attr_doubles(rd, path, attribute, 1, &x) != SB_RESULTS_OK)
            bad_data(v, jpath, experiment, "%s", sb_results_error(rd));
        point(m, x);
        bprintf(m->note, sizeof m->note, "%s@%s", path, attribute);
        if (vec) {
            *vec = sb_zeros(1);
            (*vec)[0] = x;
            *n_vec = 1;
        }
        return;
    }
    SbResultsTable t;
    if (sb_results_read_dataset(rd, path, &t) != SB_RESULTS_OK)
        bad_data(v, jpath, experiment, "%s", sb_results_error(rd));
    int n;
    int *rows = select_rows(v, rd, q, jpath, experiment, path, &t, sub, &n);
    const char *stat = qstr(q, "stat"), *column = qstr(q, "column");
    int k_mean, k_lo = -1, k_hi = -1;
    char name[128];
    if (stat) {
        bprintf(name, sizeof name, "%s_mean", stat);
        k_mean = column_or_fail(v, &t, name, jpath, experiment, path);
        bprintf(name, sizeof name, "%s_lo", stat);
        k_lo = column_or_fail(v, &t, name, jpath, experiment, path);
        bprintf(name, sizeof name, "%s_hi", stat);
        k_hi = column_or_fail(v, &t, name, jpath, experiment, path);
    } else {
        k_mean = column_or_fail(v, &t, column, jpath, experiment, path);
    }
    if (n == 0)
        bad_data(v, jpath, experiment, "%s: the selection finds no row of %s", experiment, path);
#define AT(r, k) t.data[(size_t)(r) * t.cols + (k)]
    if (vec) {
        *vec = sb_zeros(n);
        for (int i = 0; i < n; i++)
            (*vec)[i] = AT(rows[i], k_mean);
        *n_vec = n;
        free(rows);
        sb_results_table_free(&t);
        return;
    }
    const char *reduce = qstr(q, "reduce");
    if (!reduce)
        reduce = "one";
    int pick = -1;
    if (strcmp(reduce, "one") == 0) {
        if (n != 1)
            bad_data(v, jpath, experiment,
                     "%s: the quantity selects %d rows of %s; select one (\"row\", \"where\") or reduce them "
                     "(\"reduce\")",
                     experiment, n, path);
        pick = rows[0];
    } else if (strcmp(reduce, "first") == 0) {
        pick = rows[0];
    } else if (strcmp(reduce, "last") == 0) {
        pick = rows[n - 1];
    } else if (strcmp(reduce, "min") == 0 || strcmp(reduce, "max") == 0) {
        int want_max = strcmp(reduce, "max") == 0;
        for (int i = 0; i < n; i++) {
            double x = AT(rows[i], k_mean);
            if (isnan(x))
                continue;
            if (pick < 0 || (want_max ? x > AT(pick, k_mean) : x < AT(pick, k_mean)))
                pick = rows[i];
        }
        if (pick < 0)
            pick = rows[0];
    }
    if (pick >= 0) {
        m->value = AT(pick, k_mean);
        if (stat) {
            m->lo = AT(pick, k_lo);
            m->hi = AT(pick, k_hi);
            m->has_ci = 1;
        } else {
            m->lo = m->hi = m->value;
        }
        bprintf(m->note, sizeof m->note, "%s row %d", path, pick);
    } else { /* mean over the selected rows, NaN left out, bootstrap interval */
        double *x = sb_zeros(n);
        int kept = 0;
        for (int i = 0; i < n; i++)
            if (!isnan(AT(rows[i], k_mean)))
                x[kept++] = AT(rows[i], k_mean);
        if (kept == 0) {
            m->value = m->lo = m->hi = NAN;
        } else {
            SbRng rng;
            char tag[600];
            bprintf(tag, sizeof tag, "verify/%s/%s", c->id, jpath);
            sb_rng_derive(&rng, v->seed, tag);
            m->value = sb_mean(x, kept);
            sb_bootstrap_mean_ci(x, kept, v->resamples, &rng, &m->lo, &m->hi);
            m->has_ci = 1;
        }
        bprintf(m->note, sizeof m->note, "mean of %s over %d rows (%d NaN left out), bootstrap interval", column,
                 kept, n - kept);
        free(x);
    }
#undef AT
    free(rows);
    sb_results_table_free(&t);
}

/* A quantity whose per-user values are stored: a /summary row and a stat
 * with a column in /methods/<row>/users. Sets the method and the column. */
static int paired_source(const cJSON *q, const Subst *sub, char *method, size_t n, const char **stat)
{
    static const char *const stats[] = {"J", "normalized", "normalized_pooled", "winrate", "winrate_avg", NULL};
    const char *path = qstr(q, "path"), *row = qstr(q, "row");
    *stat = qstr(q, "stat");
    if (!path || strcmp(path, "/summary") != 0 || !row || !*stat || qstr(q, "reduce") ||
        cJSON_GetObjectItemCaseSensitive(q, "diff") || cJSON_GetObjectItemCaseSensitive(q, "ratio") ||
        !in_list(*stat, stats))
        return 0;
    substitute(row, sub, method, n);
    return 1;
}

static double *user_column(Verify *v, SbResultsReader *rd, const char *experiment, const char *method,
                           const char *column, const char *jpath, int *n)
{
    char path[512];
    bprintf(path, sizeof path, "/methods/%s/users", method);
    SbResultsTable t;
    if (sb_results_read_dataset(rd, path, &t) != SB_RESULTS_OK)
        bad_data(v, jpath, experiment, "%s", sb_results_error(rd));
    int k = column_or_fail(v, &t, column, jpath, experiment, path);
    double *x = sb_zeros(t.rows);
    for (int r = 0; r < t.rows; r++)
        x[r] = t.data[(size_t)r * t.cols + k];
    *n = t.rows;
    sb_results_table_free(&t);
    return x;
}

/* The difference A - B over the same held-out users, bootstrapped over
 * users (pairs resampled together) with verify's own seeded stream: per-user
 * means for J, win-rates and the normalised score (users the guard left
 * out, NaN, dropped), a ratio of sums for the pooled score,
 * 100 sum(J_A - J_B) / sum(J_bespoke - J_ref). */
static void paired_diff(Verify *v, const Claim *c, const char *experiment, const char *a, const char *b,
                        const char *stat, const char *jpath, Measure *m)
{
    SbResultsReader *rd = open_experiment(v, experiment, jpath);
    const char *column = strcmp(stat, "winrate") == 0 ? "winrate_ref" : strcmp(stat, "normalized_pooled") == 0 ? "J" : stat;
    int na, nb;
    double *xa = user_column(v, rd, experiment, a, column, jpath, &na);
    double *xb = user_column(v, rd, experiment, b, column, jpath, &nb);
    if (na != nb)
        bad_data(v, jpath, experiment, "%s: /methods/%s/users has %d users and /methods/%s/users %d", experiment, a, na,
                 b, nb);
    SbRng rng;
    char tag[600];
    bprintf(tag, sizeof tag, "verify/%s/%s", c->id, jpath);
    sb_rng_derive(&rng, v->seed, tag);
    memset(m, 0, sizeof *m);
    m->has_ci = 1;
    if (strcmp(stat, "normalized_pooled") == 0) {
        int nr, nbes;
        double *ref = user_column(v, rd, experiment, "reference", "J", jpath, &nr);
        double *bes = user_column(v, rd, experiment, "bespoke_rlhf", "J", jpath, &nbes);
        if (nr != na || nbes != na)
            bad_data(v, jpath, experiment, "%s: reference and bespoke_rlhf do not have the same users as %s", experiment, a);
        double *num = sb_zeros(na), *den = sb_zeros(na);
        for (int i = 0; i < na; i++) {
            num[i] = 100 * (xa[i] - xb[i]);
            den[i] = bes[i] - ref[i];
        }
        m->value = sb_bootstrap_ratio_ci(num, den, na, v->resamples, &rng, &m->lo, &m->hi);
        bprintf(m->note, sizeof m->note,
                 "%s - %s: paired bootstrap over %d users of 100 sum(J_A - J_B) / sum(J_bespoke - J_ref)", a, b, na);
        free(num);
        free(den);
        free(ref);
        free(bes);
    } else {
        double *d = sb_zeros(na);
        int kept = 0;
        for (int i = 0; i < na; i++)
            if (!isnan(xa[i]) && !isnan(xb[i]))
                d[kept++] = xa[i] - xb[i];
        if (kept == 0) {
            m->value = m->lo = m->hi = NAN;
        } else {
            m->value = sb_mean(d, kept);
            sb_bootstrap_mean_ci(d, kept, v->resamples, &rng, &m->lo, &m->hi);
        }
        bprintf(m->note, sizeof m->note, "%s - %s: paired bootstrap over %d users of the per-user %s (%d left out)", a,
                 b, kept, column, na - kept);
        free(d);
    }
    free(xa);
    free(xb);
}

static void eval_quantity(Verify *v, const Claim *c, const cJSON *q, const char *jpath, const Subst *sub, Measure *m);

/* A - B: the paired bootstrap when both are per-user quantities of one
 * file, else the conservative interval [lo_A - hi_B, hi_A - lo_B] (it
 * excludes 0 exactly when the two intervals do not overlap). */
static void eval_diff(Verify *v, const Claim *c, const cJSON *qa, const Subst *sa, const cJSON *qb, const Subst *sb,
                      const char *jpath, Measure *m)
{
    char ma[256], mb[256];
    const char *stat_a, *stat_b;
    if (paired_source(qa, sa, ma, sizeof ma, &stat_a) && paired_source(qb, sb, mb, sizeof mb, &stat_b) &&
        strcmp(stat_a, stat_b) == 0 && strcmp(quantity_experiment(c, qa), quantity_experiment(c, qb)) == 0) {
        paired_diff(v, c, quantity_experiment(c, qa), ma, mb, stat_a, jpath, m);
        return;
    }
    Measure a, b;
    char at[JPATH_MAX];
    bprintf(at, sizeof at, "%s[0]", jpath);
    eval_quantity(v, c, qa, at, sa, &a);
    bprintf(at, sizeof at, "%s[1]", jpath);
    eval_quantity(v, c, qb, at, sb, &b);
    memset(m, 0, sizeof *m);
    m->value = a.value - b.value;
    m->lo = a.lo - b.hi;
    m->hi = a.hi - b.lo;
    m->has_ci = a.has_ci || b.has_ci;
    bprintf(m->note, sizeof m->note, "difference of %s and %s%s", a.note, b.note,
             m->has_ci ? " (intervals combined conservatively: no per-user values)" : "");
}

static void eval_ratio(Verify *v, const Claim *c, const cJSON *pair, const char *jpath, const Subst *sub, Measure *m)
{
    Measure a, b;
    char at[JPATH_MAX];
    bprintf(at, sizeof at, "%s[0]", jpath);
    eval_quantity(v, c, cJSON_GetArrayItem(pair, 0), at, sub, &a);
    bprintf(at, sizeof at, "%s[1]", jpath);
    eval_quantity(v, c, cJSON_GetArrayItem(pair, 1), at, sub, &b);
    memset(m, 0, sizeof *m);
    m->value = a.value / b.value;
    m->has_ci = a.has_ci || b.has_ci;
    if (b.lo > 0 || b.hi < 0) {
        double r[4] = {a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi};
        m->lo = m->hi = r[0];
        for (int i = 1; i < 4; i++) {
            m->lo = fmin(m->lo, r[i]);
            m->hi = fmax(m->hi, r[i]);
        }
    } else { /* the denominator's interval holds 0: the ratio is unbounded */
        m->lo = -INFINITY;
        m->hi = INFINITY;
    }
    bprintf(m->note, sizeof m->note, "ratio of %s to %s%s", a.note, b.note,
             m->has_ci ? " (interval by interval arithmetic, conservative)" : "");
}

static void eval_quantity(Verify *v, const Claim *c, const cJSON *q, const char *jpath, const Subst *sub, Measure *m)
{
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(q, "diff");
    if (pair) {
        char at[JPATH_MAX];
        join(at, sizeof at, jpath, "diff");
        eval_diff(v, c, cJSON_GetArrayItem(pair, 0), sub, cJSON_GetArrayItem(pair, 1), sub, at, m);
        return;
    }
    pair = cJSON_GetObjectItemCaseSensitive(q, "ratio");
    if (pair) {
        char at[JPATH_MAX];
        join(at, sizeof at, jpath, "ratio");
        eval_ratio(v, c, pair, at, sub, m);
        return;
    }
    read_simple(v, c, q, jpath, sub, m, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* comparisons                                                        */

/* A paper claim on an interval [lo, hi] against the threshold moved by the
 * tolerance in the claim's favour: holds when the whole interval satisfies
 * it, refuted when none of it does, inconclusive when it straddles. A
 * harness claim: the value itself. */
static Verdict judge(const Claim *c, const Measure *m)
{
    double lo = c->kind == KIND_HARNESS ? m->value : m->lo, hi = c->kind == KIND_HARNESS ? m->value : m->hi;
    double t0 = c->threshold[0] - c->tolerance, t1 = c->threshold[1] + c->tolerance;
    int all, none;
    if (isnan(lo) || isnan(hi))
        return c->kind == KIND_HARNESS ? V_FAILS : V_INCONCLUSIVE;
    switch (c->cmp) {
    case CMP_GE:
        all = lo >= t0, none = hi < t0;
        break;
    case CMP_LE:
        all = hi <= t1, none = lo > t1;
        break;
    case CMP_BETWEEN:
        all = lo >= t0 && hi <= t1, none = hi < t0 || lo > t1;
        break;
    case CMP_BEATS:
    case CMP_ORDER:
        all = lo > 0, none = hi <= 0;
        break;
    case CMP_ABOVE_ALL:
        all = lo >= t0, none = !all;
        break;
    case CMP_IDENTICAL:
        all = m->value == 0, none = !all;
        break;
    default:
        SB_ASSERT(0);
    }
    if (c->kind == KIND_HARNESS)
        return all ? V_HOLDS : V_FAILS;
    return all ? V_HOLDS : none ? V_REFUTED : V_INCONCLUSIVE;
}

static Verdict combine(Verdict a, Verdict b)
{
    if (a == V_FAILS || b == V_FAILS)
        return V_FAILS;
    if (a == V_REFUTED || b == V_REFUTED)
        return V_REFUTED;
    if (a == V_INCONCLUSIVE || b == V_INCONCLUSIVE)
        return V_INCONCLUSIVE;
    return V_HOLDS;
}

/* The methods of an experiment: the `rows` of its /summary. */
static char **experiment_methods(Verify *v, const char *experiment, const char *jpath, int *n)
{
    SbResultsReader *rd = open_experiment(v, experiment, jpath);
    char **names;
    if (sb_results_read_attr_names(rd, "/summary", "rows", &names, n) != SB_RESULTS_OK)
        bad_data(v, jpath, experiment, "%s", sb_results_error(rd));
    return names;
}

/* The groups {pair} stands for: children of the path's part before it,
 * with {method} = the claim's method. */
static char **pair_names(Verify *v, const Claim *c, const cJSON *q, const char *jpath, const char *method, int *n)
{
    const char *path = qstr(q, "path");
    const char *at = path ? strstr(path, "{pair}") : NULL;
    if (!at) {
        *n = 1;
        char **one = sb_calloc(1, sizeof *one);
        one[0] = sb_strdup("");
        return one;
    }
    char prefix[1024];
    bprintf(prefix, sizeof prefix, "%.*s", (int)(at - path), path);
    size_t len = strlen(prefix);
    if (len > 1 && prefix[len - 1] == '/')
        prefix[len - 1] = '\0';
    Subst sub = {method, NULL};
    char group[1024];
    substitute(prefix, &sub, group, sizeof group);
    const char *experiment = quantity_experiment(c, q);
    char **names = sb_results_list(open_experiment(v, experiment, jpath), group, n);
    if (!names || *n == 0)
        bad_data(v, jpath, experiment, "%s: %s is absent or empty", experiment, group);
    return names;
}

static int listed(const cJSON *list, const char *name)
{
    for (const cJSON *it = list ? list->child : NULL; it; it = it->next)
        if (strcmp(it->valuestring, name) == 0)
            return 1;
    return 0;
}

/* above_all: method A's quantity minus every other method's, element by
 * element (per user, per grid point); the least margin. */
static Verdict check_above_all(Verify *v, const Claim *c, Measure *m)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c->json, "quantity");
    const char *a = qstr(c->json, "method");
    const cJSON *over = cJSON_GetObjectItemCaseSensitive(c->json, "over");
    const cJSON *except = cJSON_GetObjectItemCaseSensitive(c->json, "except");
    char qat[JPATH_MAX];
    join(qat, sizeof qat, c->jpath, "quantity");
    int n_methods = 0;
    char **methods = NULL;
    if (over) {
        n_methods = cJSON_GetArraySize(over);
        methods = sb_calloc((size_t)n_methods, sizeof *methods);
        int i = 0;
        for (const cJSON *it = over->child; it; it = it->next)
            methods[i++] = sb_strdup(it->valuestring);
    } else {
        methods = experiment_methods(v, quantity_experiment(c, q), qat, &n_methods);
    }
    int n_pairs;
    char **pairs = pair_names(v, c, q, qat, a, &n_pairs);
    memset(m, 0, sizeof *m);
    m->value = INFINITY;
    int compared = 0;
    char worst[256] = "";
    for (int p = 0; p < n_pairs; p++) {
        Subst sa = {a, pairs[p]};
        double *xa;
        int na;
        Measure tmp;
        read_simple(v, c, q, qat, &sa, &tmp, &xa, &na);
        for (int k = 0; k < n_methods; k++) {
            if (strcmp(methods[k], a) == 0 || listed(except, methods[k]))
                continue;
            Subst sb = {methods[k], pairs[p]};
            double *xb;
            int nb;
            read_simple(v, c, q, qat, &sb, &tmp, &xb, &nb);
            if (na != nb)
                bad_data(v, qat, quantity_experiment(c, q), "%s has %d values for %s and %d for %s", qstr(q, "path"),
                         na, a, nb, methods[k]);
            for (int i = 0; i < na; i++) {
                double d = xa[i] - xb[i];
                if (isnan(d))
                    continue;
                compared++;
                if (d < m->value) {
                    m->value = d;
                    bprintf(worst, sizeof worst, "%s%s%s, element %d", methods[k], pairs[p][0] ? " " : "", pairs[p], i);
                }
            }
            free(xb);
        }
        free(xa);
    }
    if (!compared)
        m->value = NAN;
    m->lo = m->hi = m->value;
    bprintf(m->note, sizeof m->note, "least margin of %s over %d compared values%s%s", a, compared,
             worst[0] ? "; at " : "", worst);
    sb_results_free_names(pairs, n_pairs);
    sb_results_free_names(methods, n_methods);
    return judge(c, m);
}

/* order: every consecutive pair of the listed methods is a "beats". */
static Verdict check_order(Verify *v, const Claim *c, Measure *m)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c->json, "quantity");
    const cJSON *methods = cJSON_GetObjectItemCaseSensitive(c->json, "methods");
    Verdict verdict = V_HOLDS;
    memset(m, 0, sizeof *m);
    m->lo = INFINITY;
    size_t len = 0;
    int i = 0;
    for (const cJSON *it = methods->child; it && it->next; it = it->next, i++) {
        Subst sa = {it->valuestring, NULL}, sb = {it->next->valuestring, NULL};
        char at[JPATH_MAX];
        bprintf(at, sizeof at, "%s.methods[%d]", c->jpath, i);
        Measure d;
        eval_diff(v, c, q, &sa, q, &sb, at, &d);
        verdict = combine(verdict, judge(c, &d));
        if (c->kind == KIND_HARNESS ? d.value < m->value || i == 0 : d.lo < m->lo) {
            m->value = d.value;
            m->lo = d.lo;
            m->hi = d.hi;
            m->has_ci = d.has_ci;
        }
        char step[160], val[96];
        sb_doc_interval(d.value, d.has_ci ? d.lo : NAN, d.has_ci ? d.hi : NAN, val, sizeof val);
        bprintf(step, sizeof step, "%s%s - %s: %s", i ? "; " : "", it->valuestring, it->next->valuestring, val);
        if (len + strlen(step) + 1 < sizeof m->note) {
            strcat(m->note, step);
            len += strlen(step);
        }
    }
    return verdict;
}

/* identical: every dataset of two files, value by value (bit for bit at
 * tolerance 0), except the excluded paths; the root attributes config and
 * seed must agree. The measure is the number of datasets that differ. */
typedef struct {
    Verify *v;
    const Claim *c;
    SbResultsReader *a, *b;
    const cJSON *exclude, *exclude_columns;
    int compared, differ;
    double max_diff;
    char first[256];
} Walk;

static int excluded(const Walk *w, const char *path)
{
    const cJSON *ex = w->exclude;
    static const char *const def[] = {"/cost", NULL};
    if (!ex) {
        for (int i = 0; def[i]; i++)
            if (strncmp(path, def[i], strlen(def[i])) == 0 && (path[strlen(def[i])] == '\0' || path[strlen(def[i])] == '/'))
                return 1;
        return 0;
    }
    for (const cJSON *it = ex->child; it; it = it->next) {
        size_t n = strlen(it->valuestring);
        if (strncmp(path, it->valuestring, n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return 1;
    }
    return 0;
}

static void differs(Walk *w, const char *path)
{
    if (!w->differ++)
        bprintf(w->first, sizeof w->first, "%s", path);
}

static void walk_group(Walk *w, SbResultsReader *from, SbResultsReader *to, const char *group, int compare)
{
    int n;
    char **names = sb_results_list(from, group, &n);
    for (int i = 0; i < n; i++) {
        char path[1024];
        bprintf(path, sizeof path, "%s/%s", strcmp(group, "/") == 0 ? "" : group, names[i]);
        if (excluded(w, path))
            continue;
        SbResultsObject o, p;
        if (sb_results_stat(from, path, &o) != SB_RESULTS_OK)
            continue;
        if (o.kind == SB_RESULTS_GROUP) {
            walk_group(w, from, to, path, compare);
            continue;
        }
        if (o.kind != SB_RESULTS_DATASET)
            continue;
        if (!compare) { /* the second pass: only what the first file lacks */
            if (sb_results_stat(to, path, &p) != SB_RESULTS_OK)
                differs(w, path);
            continue;
        }
        w->compared++;
        SbResultsTable ta, tb;
        SbResultsStatus sa = sb_results_read_dataset(from, path, &ta), sbs = sb_results_read_dataset(to, path, &tb);
        if (sa != SB_RESULTS_OK || sbs != SB_RESULTS_OK || ta.rows != tb.rows || ta.cols != tb.cols) {
            differs(w, path);
        } else {
            size_t n_el = (size_t)ta.rows * ta.cols;
            int same = 1;
            for (size_t k = 0; k < n_el; k++) {
                if (ta.names && listed(w->exclude_columns, ta.names[k % (size_t)ta.cols]))
                    continue; /* a column of wall times */
                double x = ta.data[k], y = tb.data[k];
                if (w->c->tolerance == 0) {
                    if (memcmp(&x, &y, sizeof x) != 0 && !(isnan(x) && isnan(y)))
                        same = 0;
                } else if (!(isnan(x) && isnan(y)) && !(fabs(x - y) <= w->c->tolerance)) {
                    same = 0;
                }
                if (!isnan(x) && !isnan(y) && fabs(x - y) > w->max_diff)
                    w->max_diff = fabs(x - y);
            }
            if (!same)
                differs(w, path);
        }
        if (sa == SB_RESULTS_OK)
            sb_results_table_free(&ta);
        if (sbs == SB_RESULTS_OK)
            sb_results_table_free(&tb);
    }
    sb_results_free_names(names, n);
}

static Verdict check_identical(Verify *v, const Claim *c, Measure *m)
{
    char at[JPATH_MAX];
    join(at, sizeof at, c->jpath, "experiment");
    Walk w = {.v = v,
              .c = c,
              .exclude = cJSON_GetObjectItemCaseSensitive(c->json, "exclude"),
              .exclude_columns = cJSON_GetObjectItemCaseSensitive(c->json, "exclude_columns")};
    w.a = open_experiment(v, c->experiment, at);
    join(at, sizeof at, c->jpath, "other");
    const char *other = qstr(c->json, "other");
    w.b = open_experiment(v, other, at);
    static const char *const attrs[] = {"config", "seed"};
    char mismatch[128] = "";
    for (int i = 0; i < 2; i++) {
        SbResultsAttr x, y;
        int ok = sb_results_read_attr(w.a, "/", attrs[i], &x) == SB_RESULTS_OK;
        int ok2 = sb_results_read_attr(w.b, "/", attrs[i], &y) == SB_RESULTS_OK;
        int same = ok && ok2 && x.type == y.type && x.n == y.n;
        if (same && x.type == SB_RESULTS_STRING)
            for (int64_t k = 0; k < x.n; k++)
                same &= strcmp(x.strs[k], y.strs[k]) == 0;
        else if (same && x.type == SB_RESULTS_INT)
            same = memcmp(x.ints, y.ints, (size_t)x.n * sizeof *x.ints) == 0;
        else if (same && x.type == SB_RESULTS_FLOAT)
            same = memcmp(x.reals, y.reals, (size_t)x.n * sizeof *x.reals) == 0;
        if (!same)
            bprintf(mismatch + strlen(mismatch), sizeof mismatch - strlen(mismatch), "/@%s differs; ", attrs[i]);
        if (ok)
            sb_results_attr_free(&x);
        if (ok2)
            sb_results_attr_free(&y);
    }
    walk_group(&w, w.a, w.b, "/", 1);
    walk_group(&w, w.b, w.a, "/", 0);
    memset(m, 0, sizeof *m);
    point(m, (double)w.differ + (mismatch[0] ? 1 : 0));
    char md[32];
    sb_doc_number(w.max_diff, md, sizeof md);
    bprintf(m->note, sizeof m->note, "%s%d datasets of %s and %s compared, %d differ%s%s; largest difference %s",
             mismatch, w.compared, c->experiment, other, w.differ, w.differ ? ", the first " : "", w.first, md);
    return judge(c, m);
}

static Verdict check_claim(Verify *v, const Claim *c, Measure *m)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c->json, "quantity");
    char qat[JPATH_MAX];
    join(qat, sizeof qat, c->jpath, "quantity");
    Subst sub = {qstr(c->json, "method"), NULL};
    switch (c->cmp) {
    case CMP_IDENTICAL:
        return check_identical(v, c, m);
    case CMP_ORDER:
        return check_order(v, c, m);
    case CMP_ABOVE_ALL:
        return check_above_all(v, c, m);
    case CMP_BEATS: {
        const cJSON *against = cJSON_GetObjectItemCaseSensitive(c->json, "against");
        if (cJSON_IsString(against)) {
            Subst sb = {against->valuestring, NULL};
            eval_diff(v, c, q, &sub, q, &sb, qat, m);
        } else {
            eval_diff(v, c, q, &sub, against, &sub, qat, m);
        }
        return judge(c, m);
    }
    default:
        eval_quantity(v, c, q, qat, &sub, m);
        return judge(c, m);
    }
}

/* ------------------------------------------------------------------ */
/* the table                                                          */

static void threshold_text(const Claim *c, char *buf, size_t n)
{
    char a[32], b[32], tol[48] = "";
    sb_doc_number(c->threshold[0], a, sizeof a);
    sb_doc_number(c->threshold[1], b, sizeof b);
    if (c->tolerance > 0) {
        char t[32];
        sb_doc_number(c->tolerance, t, sizeof t);
        bprintf(tol, sizeof tol, " (tol %s)", t);
    }
    switch (c->cmp) {
    case CMP_GE:
        bprintf(buf, n, ">= %s%s", a, tol);
        break;
    case CMP_LE:
        bprintf(buf, n, "<= %s%s", a, tol);
        break;
    case CMP_BETWEEN:
        bprintf(buf, n, "in [%s, %s]%s", a, b, tol);
        break;
    case CMP_BEATS:
        bprintf(buf, n, "difference > 0");
        break;
    case CMP_ORDER:
        bprintf(buf, n, "each step > 0");
        break;
    case CMP_ABOVE_ALL:
        bprintf(buf, n, "margin >= %s%s", a, tol);
        break;
    case CMP_IDENTICAL:
        bprintf(buf, n, "0 differ%s", c->tolerance > 0 ? tol : " (bit for bit)");
        break;
    }
}

static void measured_text(const Claim *c, const Measure *m, char *buf, size_t n)
{
    if (c->cmp == CMP_IDENTICAL) {
        bprintf(buf, n, "%d differ", (int)m->value);
        return;
    }
    sb_doc_interval(m->value, m->has_ci ? m->lo : NAN, m->has_ci ? m->hi : NAN, buf, n);
}

static int by_kind(const void *x, const void *y)
{
    const Claim *a = x, *b = y;
    if (a->kind != b->kind)
        return (int)a->kind - (int)b->kind;
    return 0;
}

int sb_cmd_verify(int argc, char **argv)
{
    const char *claims_path = NULL, *results = NULL, *tex = NULL;
    int write = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(a, "--no-write") == 0) {
            write = 0;
        } else if (strcmp(a, "--results") == 0 || strcmp(a, "--tex") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench verify: %s needs a value\n%s", a, usage);
                return SB_EXIT_USAGE;
            }
            if (strcmp(a, "--results") == 0)
                results = argv[++i];
            else
                tex = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "soupbench verify: unknown option %s\n%s", a, usage);
            return SB_EXIT_USAGE;
        } else if (claims_path) {
            fprintf(stderr, "soupbench verify: one claims file at a time (got %s and %s)\n", claims_path, a);
            return SB_EXIT_USAGE;
        } else {
            claims_path = a;
        }
    }
    if (!claims_path)
        claims_path = "paper/claims.json";

    Verify v = {.claims_path = claims_path, .resamples = 2000, .seed = 1};
    {
        char tmp[4096];
        bprintf(tmp, sizeof tmp, "%s", claims_path);
        bprintf(v.paper_dir, sizeof v.paper_dir, "%s", dirname(tmp));
    }
    char default_results[4200];
    bprintf(default_results, sizeof default_results, "%s/results", v.paper_dir);
    v.results_dir = results ? results : default_results;

    size_t len;
    char *text = sb_read_file(claims_path, &len);
    if (!text)
        sb_fail(SB_EXIT_USAGE, "%s: cannot read the claims file (%s)", claims_path, strerror(errno));
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        int line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        sb_fail(SB_EXIT_USAGE, "%s:%d: JSON syntax error near '%.20s'", claims_path, line, end ? end : "");
    }
    if (!cJSON_IsObject(root))
        expected(&v, "$", "an object with \"claims\"", root);
    static const char *const keys[] = {"description", "bootstrap", "seed", "claims", NULL};
    check_keys(&v, root, "$", keys);
    double x;
    if (get_number(&v, root, "bootstrap", "$", &x)) {
        if (x < 100 || x > 1e6 || x != floor(x))
            bad_claims(&v, "$.bootstrap", "expected an integer in [100, 1000000], found %g", x);
        v.resamples = (int)x;
    }
    if (get_number(&v, root, "seed", "$", &x)) {
        if (x < 0 || x != floor(x))
            bad_claims(&v, "$.seed", "expected an integer >= 0, found %g", x);
        v.seed = (uint64_t)x;
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "claims");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        expected(&v, "$.claims", "a non-empty array of claims", list);
    int n = cJSON_GetArraySize(list);
    Claim *claims = sb_calloc((size_t)n, sizeof *claims);
    int i = 0;
    for (const cJSON *it = list->child; it; it = it->next, i++) {
        parse_claim(&v, it, i, &claims[i]);
        for (int k = 0; k < i; k++)
            if (strcmp(claims[k].id, claims[i].id) == 0) {
                char at[JPATH_MAX];
                join(at, sizeof at, claims[i].jpath, "id");
                bad_claims(&v, at, "\"%s\" is already the id of %s", claims[i].id, claims[k].jpath);
            }
    }
    /* every results file before any number, so that a missing one is
     * reported before work is done */
    for (i = 0; i < n; i++) {
        char at[JPATH_MAX];
        join(at, sizeof at, claims[i].jpath, "experiment");
        open_experiment(&v, claims[i].experiment, at);
        if (claims[i].cmp == CMP_IDENTICAL) {
            join(at, sizeof at, claims[i].jpath, "other");
            open_experiment(&v, qstr(claims[i].json, "other"), at);
        }
    }

    /* paper claims first, then harness claims, each in the file's order */
    Claim *sorted = sb_calloc((size_t)n, sizeof *sorted);
    memcpy(sorted, claims, (size_t)n * sizeof *sorted);
    for (int a = 1; a < n; a++) /* stable insertion sort by kind */
        for (int b = a; b > 0 && by_kind(&sorted[b - 1], &sorted[b]) > 0; b--) {
            Claim t = sorted[b];
            sorted[b] = sorted[b - 1];
            sorted[b - 1] = t;
        }
    static const char *const headers[] = {"claim", "kind", "experiment", "measured [95% CI]", "threshold", "verdict"};
    static const char *const md_headers[] = {"claim", "statement", "kind", "experiment",
                                             "measured [95% CI]", "threshold", "verdict"};
    SbDocTable *table = sb_doc_table_new(6, headers), *md = sb_doc_table_new(7, md_headers);
    int count[2][4] = {{0}};
    char *notes = NULL;
    size_t notes_len = 0;
    FILE *nf = open_memstream(&notes, &notes_len);
    for (i = 0; i < n; i++) {
        const Claim *c = &sorted[i];
        Measure m;
        Verdict verdict = check_claim(&v, c, &m);
        count[c->kind][verdict]++;
        char measured[128], threshold[96], statement[1400];
        measured_text(c, &m, measured, sizeof measured);
        threshold_text(c, threshold, sizeof threshold);
        const char *kind = c->kind == KIND_PAPER ? "paper" : "harness";
        const char *row[] = {c->id, kind, c->experiment, measured, threshold, verdict_names[verdict]};
        sb_doc_table_row(table, row);
        bprintf(statement, sizeof statement, "%s%s%s", c->statement, c->analogue ? " Analogue: " : "",
                 c->analogue ? c->analogue : "");
        const char *mrow[] = {c->id, statement, kind, c->experiment, measured, threshold, verdict_names[verdict]};
        sb_doc_table_row(md, mrow);
        fprintf(nf, "- `%s`: %s.\n", c->id, m.note);
    }
    fclose(nf);
    printf("claims of %s against the results in %s\n\n", claims_path, v.results_dir);
    sb_doc_table_text(table, stdout);
    char summary[512];
    bprintf(summary, sizeof summary,
             "paper claims: %d (%d hold, %d refuted, %d inconclusive); harness claims: %d (%d hold, %d fail)",
             count[0][V_HOLDS] + count[0][V_REFUTED] + count[0][V_INCONCLUSIVE], count[0][V_HOLDS],
             count[0][V_REFUTED], count[0][V_INCONCLUSIVE], count[1][V_HOLDS] + count[1][V_FAILS], count[1][V_HOLDS],
             count[1][V_FAILS]);
    printf("\n%s\n", summary);

    int rc = SB_EXIT_OK;
    if (write) {
        char *body = NULL;
        size_t body_len = 0;
        FILE *f = open_memstream(&body, &body_len);
        fprintf(f,
                "Written by `soupbench verify %s --results %s`. Paper claims are findings on our data "
                "(holds, refuted, or inconclusive when the 95%% interval straddles the threshold); harness claims are "
                "guarantees of soupbench, and one that fails makes `verify` exit 1.\n\n",
                claims_path, v.results_dir);
        sb_doc_table_markdown(md, f);
        fprintf(f, "\n%s.\n\nHow each value was obtained:\n\n%s\n", summary, notes);
        fclose(f);
        char md_path[4200];
        bprintf(md_path, sizeof md_path, "%s/RESULTS.md", v.paper_dir);
        if (sb_doc_replace_block(md_path, VERIFY_BEGIN, VERIFY_END, body) != 0)
            rc = SB_EXIT_USAGE;
        else
            printf("wrote the table into %s\n", md_path);
        free(body);
    }
    if (tex) {
        FILE *f = fopen(tex, "w");
        if (!f) {
            fprintf(stderr, "soupbench verify: %s: cannot write (%s)\n", tex, strerror(errno));
            rc = SB_EXIT_USAGE;
        } else {
            fprintf(f, "%% Written by soupbench verify from the results in %s: do not edit.\n", v.results_dir);
            char caption[600];
            bprintf(caption, sizeof caption, "The claims checked by soupbench verify. %s.", summary);
            sb_doc_table_latex(table, f, "llllll", caption, "tab:claims");
            fclose(f);
        }
    }
    free(notes);
    sb_doc_table_free(table);
    sb_doc_table_free(md);
    free(sorted);
    free(claims);
    for (i = 0; i < v.n_files; i++) {
        sb_results_close(v.files[i].rd);
        free(v.files[i].experiment);
    }
    cJSON_Delete(root);
    free(text);
    if (rc != SB_EXIT_OK)
        return rc;
    return count[1][V_FAILS] ? SB_EXIT_FAIL : SB_EXIT_OK;
}
