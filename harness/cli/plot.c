/* soupbench plot: draw the figures of a results file with gnuplot.
 *
 *     soupbench plot FILE.h5 [--outdir DIR] [--format png,svg,pdf]
 *
 * Each figure is one gnuplot script piped to `gnuplot` (figure.h): the
 * common template (terminal, look), the data as inline datablocks (no
 * temporary files), then the figure's template with its placeholders
 * filled. The templates live in plots/<name>.gp and are compiled into the
 * binary (build/plot_templates.c). A figure is drawn only if its data are in
 * the file; a malformed dataset or attribute is reported, left out, and
 * makes the command exit 2 once the other figures are drawn. */
#include "commands.h"
#include "figure.h"
#include "method.h"
#include "results.h"
#include "sb.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *plot_usage =
    "usage: soupbench plot FILE.h5 [--outdir DIR] [--format png,svg,pdf]\n"
    "\n"
    "Draw the figures of a results file with gnuplot: a Pareto front per aspect\n"
    "pair (pareto_<ai>_<aj>), the spectra (spectrum), the per-method J_u and\n"
    "normalised scores (summary, normalized_score, normalized_score_pooled), the\n"
    "online curves (learning_curves, learning_curves_pooled, regret_curves), the\n"
    "gap sweep (gap), the ablations (ablation_K) and the implicit soup's proposal\n"
    "budget (implicit_budget), each only if its data are in the file.\n"
    "\n"
    "  --outdir DIR     where to write the figures (default plots/<FILE without .h5>)\n"
    "  --format LIST    comma-separated: png, svg, pdf (default png)\n"
    "\n"
    "Prints the path of each figure written. Needs gnuplot on PATH.\n";

/* ------------------------------------------------------------------ */
/* one colour per method, the same in every figure                    */

/* Colours for unknown methods and for spectra. */
static const unsigned fallback_rgb[] = {0x1b9e77, 0xd95f02, 0x7570b3, 0xe7298a,
                                        0x66a61e, 0xe6ab02, 0xa6761d, 0x666666};
#define N_FALLBACK (int)(sizeof fallback_rgb / sizeof fallback_rgb[0])

/* A registered method's index in the registry, else their number. */
static int method_rank(const char *name)
{
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0)
            return i;
    return n;
}

/* A registered method's own style (SbMethod.style: point types come in
 * filled/hollow pairs, filled = pt, hollow = pt - 1). */
static void method_style(const char *name, unsigned *rgb, int *pt)
{
    const SbMethod *m = sb_method_find(name);
    if (m) {
        *rgb = m->style.rgb;
        *pt = m->style.point;
        return;
    }
    /* Unknown name: FNV-1a hash, so the choice is deterministic. */
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    *rgb = fallback_rgb[h % N_FALLBACK];
    *pt = 5 + 2 * (int)((h >> 8) % 5);
}

/* Registered methods in registry order (the legend order of every
 * figure), then unknown ones by name. */
static int cmp_methods(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int rx = method_rank(x), ry = method_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

/* ------------------------------------------------------------------ */
/* reading the file                                                   */

typedef struct {
    SbResultsReader *rd;
    const char *file;
    SbFigureOutput out;
    const char *experiment_prefix; /* "NAME: " (quoted for gnuplot) or "" */
    int malformed;                 /* objects reported and left out */
} PlotCtx;

/* printf into a malloc'd string. */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        sb_fail(SB_EXIT_FAIL, "out of memory formatting '%s'", fmt);
    return s;
}

/* A method's name in legends: an oracle-information variant (SPEC section
 * 2: handed what the others must learn) is marked, so no figure mixes it
 * silently into the comparison (malloc'd). */
static char *method_label(const char *name)
{
    const SbMethod *m = sb_method_find(name);
    return m && sb_information_is_oracle(m->information) ? strf("%s [oracle info]", name) : sb_strdup(name);
}


/* Report what the reader found wrong; the object is left out. */
static void report_malformed(PlotCtx *ctx)
{
    fprintf(stderr, "soupbench: %s\n", sb_results_error(ctx->rd));
    ctx->malformed++;
}

/* The table at path: 1 if read, 0 if absent or malformed (reported). */
static int read_table(PlotCtx *ctx, const char *path, SbResultsTable *t)
{
    SbResultsStatus st = sb_results_read_dataset(ctx->rd, path, t);
    if (st == SB_RESULTS_INVALID)
        report_malformed(ctx);
    return st == SB_RESULTS_OK;
}

/* A table with fewer columns than a figure needs: reported, left out. */
static void report_too_narrow(PlotCtx *ctx, const char *path, const SbResultsTable *t, int need)
{
    char *at = sb_printable(path, 0, 0);
    fprintf(stderr, "soupbench: %s: %s: expected at least %d columns, found %d\n", ctx->file, at,
            need, t->cols);
    free(at);
    ctx->malformed++;
}

/* A name from the file that a figure's file name would carry (an aspect
 * pair): 1 if it is in the safe set (sb_name_safe), else reported. */
static int check_path_name(PlotCtx *ctx, const char *group, const char *name)
{
    if (sb_name_safe(name))
        return 1;
    char *at = sb_printable(group, 0, 0), *found = sb_printable(name, 80, 0);
    fprintf(stderr,
            "soupbench: %s: %s: expected a name of 1 to %d letters, digits, '_', '-' or '.' (not "
            "first), found \"%s\"; its figure is left out\n",
            ctx->file, at, SB_SAFE_NAME_MAX, found);
    free(at), free(found);
    ctx->malformed++;
    return 0;
}

/* A string attribute (malloc'd), NULL if absent or malformed (reported). */
static char *read_string(PlotCtx *ctx, const char *obj, const char *name)
{
    char *s;
    if (sb_results_read_attr_string(ctx->rd, obj, name, &s) == SB_RESULTS_INVALID)
        report_malformed(ctx);
    return s;
}

/* A list-of-names attribute; NULL (*n = 0) if absent or malformed. */
static char **read_names(PlotCtx *ctx, const char *obj, const char *name, int *n)
{
    char **names;
    if (sb_results_read_attr_names(ctx->rd, obj, name, &names, n) == SB_RESULTS_INVALID)
        report_malformed(ctx);
    return names;
}

/* n numbers of an attribute: 1 if read, 0 if absent or malformed. */
static int read_numbers(PlotCtx *ctx, const char *obj, const char *name, int n, double *out)
{
    SbResultsStatus st = sb_results_read_attr_doubles(ctx->rd, obj, name, n, out);
    if (st == SB_RESULTS_INVALID)
        report_malformed(ctx);
    return st == SB_RESULTS_OK;
}

/* The columns <stat>_mean, <stat>_lo and <stat>_hi of a table: a mean and
 * its 95% interval. 0 if all three are there, -1 otherwise. */
static int interval_columns(const SbResultsTable *t, const char *stat, int c[3])
{
    static const char *const part[] = {"mean", "lo", "hi"};
    for (int i = 0; i < 3; i++) {
        char *name = strf("%s_%s", stat, part[i]);
        c[i] = sb_results_table_column(t, name);
        free(name);
        if (c[i] < 0)
            return -1;
    }
    return 0;
}

/* Every method of the file, in legend order; NULL if there are none. */
static char **sorted_methods(PlotCtx *ctx, int *n)
{
    char **methods = sb_results_list(ctx->rd, "/methods", n);
    if (methods)
        qsort(methods, (size_t)*n, sizeof *methods, cmp_methods);
    return methods;
}

/* ------------------------------------------------------------------ */
/* figure a: Pareto fronts                                            */

/* The two aspect names of a pareto dataset: its `aspects` attribute, else
 * the r_<aspect> columns, else the dataset name split at its first '_'. */
static void pareto_aspects(PlotCtx *ctx, const char *path, const char *pair,
                           const SbResultsTable *t, char **ai, char **aj)
{
    int n;
    char **aspects = read_names(ctx, path, "aspects", &n);
    if (n == 2) {
        *ai = sb_strdup(aspects[0]);
        *aj = sb_strdup(aspects[1]);
        sb_results_free_names(aspects, n);
        return;
    }
    sb_results_free_names(aspects, n);
    char *r[2] = {NULL, NULL};
    int k = 0;
    for (int c = 0; t->names && c < t->cols && k < 2; c++)
        if (strncmp(t->names[c], "r_", 2) == 0)
            r[k++] = sb_strdup(t->names[c] + 2);
    if (k == 2) {
        *ai = r[0];
        *aj = r[1];
        return;
    }
    free(r[0]);
    const char *us = strchr(pair, '_');
    *ai = us ? strf("%.*s", (int)(us - pair), pair) : sb_strdup("");
    *aj = sb_strdup(us ? us + 1 : pair);
}

/* Columns of a pareto table: r_<ai>, r_<aj> and the non-dominated flag;
 * unnamed, the README order w_i,w_j,r_i,r_j,J,KL,nondominated. */
static void pareto_columns(const SbResultsTable *t, const char *ai, const char *aj, int c[3])
{
    char *x = strf("r_%s", ai), *y = strf("r_%s", aj);
    c[0] = sb_results_table_column(t, x);
    c[1] = sb_results_table_column(t, y);
    c[2] = sb_results_table_column(t, "nondominated");
    free(x);
    free(y);
    if (c[0] < 0 || c[1] < 0)
        c[0] = 2, c[1] = 3;
    if (c[2] < 0)
        c[2] = 6;
}

static int cmp_x(const void *a, const void *b)
{
    const double *p = a, *q = b;
    return (p[0] > q[0]) - (p[0] < q[0]);
}

/* The oracle's front: its non-dominated points (n x 2, sorted here by x)
 * joined by a line. */
static void pareto_front(SbFigure *fig, double *pts, int n, unsigned rgb)
{
    qsort(pts, (size_t)n, 2 * sizeof *pts, cmp_x);
    sb_figure_block(fig, "ORACLE_FRONT", n, 2, pts, NULL);
    sb_figure_series(fig, &(SbSeries){.block = "ORACLE_FRONT", .x = 1, .y = 2,
                                      .style = "lines lw 1.5", .rgb = rgb});
}

/* One method's points of a pair: data blocks $P<m>F (non-dominated, drawn
 * filled) and $P<m>H (dominated, hollow), and their series. The filled
 * entry carries the legend; if a method has only dominated points the
 * hollow one does. */
static void pareto_method(PlotCtx *ctx, SbFigure *fig, int m, const char *method,
                          const char *path, const SbResultsTable *t, const int c[3])
{
    double *pts[2] = {sb_zeros(2 * t->rows), sb_zeros(2 * t->rows)};
    int n[2] = {0, 0}; /* [0] non-dominated, [1] dominated */
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        int k = t->cols > c[2] && !(row[c[2]] > 0.5);
        if (!isfinite(row[c[0]]) || !isfinite(row[c[1]]))
            continue;
        pts[k][2 * n[k]] = row[c[0]];
        pts[k][2 * n[k]++ + 1] = row[c[1]];
    }
    char block[2][32];
    for (int k = 0; k < 2; k++) {
        snprintf(block[k], sizeof block[k], "P%d%c", m, k ? 'H' : 'F');
        sb_figure_block(fig, block[k], n[k], 2, pts[k], NULL);
    }
    unsigned rgb;
    int pt;
    method_style(method, &rgb, &pt);
    const SbMethod *known = sb_method_find(method);
    if (known && (known->roles & SB_ROLE_ORACLE) && n[0] > 1)
        pareto_front(fig, pts[0], n[0], rgb);
    double hv;
    char *label = method_label(method);
    char *title = read_numbers(ctx, path, "hypervolume", 1, &hv) ? strf("%s (HV %.4g)", label, hv)
                                                                 : sb_strdup(label);
    free(label);
    for (int k = 0; k < 2; k++) {
        char style[32];
        snprintf(style, sizeof style, "points pt %d", pt - k);
        if (n[k])
            sb_figure_series(fig, &(SbSeries){.block = block[k], .x = 1, .y = 2, .style = style,
                                              .rgb = rgb, .title = k && n[0] ? NULL : title});
    }
    free(title);
    free(pts[0]);
    free(pts[1]);
}

/* pi_ref's values, the reference point of the hypervolumes. */
static void pareto_reference(SbFigure *fig, const double ref[2])
{
    unsigned rgb;
    int pt;
    method_style(sb_method_with_role(SB_ROLE_REFERENCE)->name, &rgb, &pt);
    sb_figure_block(fig, "REF", 1, 2, ref, NULL);
    sb_figure_series(fig, &(SbSeries){.block = "REF", .x = 1, .y = 2,
                                      .style = "points pt 2 ps 2.6 lw 2.5", .rgb = rgb,
                                      .title = "pi_ref (reference point)"});
}

static int pareto_draw(PlotCtx *ctx, SbFigure *fig, const char *pair, const char *ai,
                       const char *aj)
{
    char *qai = sb_figure_quote(ai), *qaj = sb_figure_quote(aj);
    char *title = strf("%sPareto front, %s vs %s", ctx->experiment_prefix, qai, qaj);
    char *xl = strf("expected %s reward (per episode)", qai);
    char *yl = strf("expected %s reward (per episode)", qaj);
    const char *keys[] = {"TITLE", "XLABEL", "YLABEL"}, *vals[] = {title, xl, yl};
    sb_figure_template(fig, "pareto", 3, keys, vals);
    char *name = strf("pareto_%s", pair);
    int rc = sb_figure_draw(fig, &ctx->out, name);
    free(name), free(title), free(xl), free(yl), free(qai), free(qaj);
    return rc;
}

/* One aspect pair: every method's points, then pi_ref's. */
static int plot_pareto_pair(PlotCtx *ctx, char **methods, int n_methods, const char *pair)
{
    SbFigure *fig = sb_figure_begin();
    char *ai = NULL, *aj = NULL;
    double ref[2];
    int have_ref = 0;
    for (int m = 0; m < n_methods; m++) {
        char *path = strf("/methods/%s/pareto/%s", methods[m], pair);
        SbResultsTable t;
        if (read_table(ctx, path, &t)) {
            if (!ai)
                pareto_aspects(ctx, path, pair, &t, &ai, &aj);
            int c[3];
            pareto_columns(&t, ai, aj, c);
            if (t.cols > c[0] && t.cols > c[1]) {
                if (!have_ref)
                    have_ref = read_numbers(ctx, path, "reference_point", 2, ref);
                pareto_method(ctx, fig, m, methods[m], path, &t, c);
            }
            sb_results_table_free(&t);
        }
        free(path);
    }
    if (have_ref)
        pareto_reference(fig, ref);
    int rc = sb_figure_pending(fig) ? pareto_draw(ctx, fig, pair, ai, aj) : SB_EXIT_OK;
    sb_figure_free(fig);
    free(ai);
    free(aj);
    return rc;
}

static int plot_pareto(PlotCtx *ctx)
{
    int n_methods;
    char **methods = sorted_methods(ctx, &n_methods);
    if (!methods)
        return SB_EXIT_OK;
    /* The union of aspect pairs over methods, sorted and unique. */
    char **pairs = NULL;
    int n_pairs = 0;
    for (int m = 0; m < n_methods; m++) {
        char *group = strf("/methods/%s/pareto", methods[m]);
        int n;
        char **names = sb_results_list(ctx->rd, group, &n);
        for (int i = 0; i < n; i++) {
            int seen = 0;
            for (int j = 0; j < n_pairs && !seen; j++)
                seen = strcmp(pairs[j], names[i]) == 0;
            /* the figure is named pareto_<pair>: only a safe name may go
             * into a path */
            if (!seen && check_path_name(ctx, group, names[i])) {
                pairs = sb_realloc(pairs, sizeof *pairs * (size_t)(n_pairs + 1));
                pairs[n_pairs++] = sb_strdup(names[i]);
            }
        }
        sb_results_free_names(names, n);
        free(group);
    }
    int rc = SB_EXIT_OK;
    for (int i = 0; i < n_pairs && rc == SB_EXIT_OK; i++)
        rc = plot_pareto_pair(ctx, methods, n_methods, pairs[i]);
    sb_results_free_names(pairs, n_pairs);
    sb_results_free_names(methods, n_methods);
    return rc;
}

/* ------------------------------------------------------------------ */
/* figure b: spectra                                                  */

static int is_spectrum_name(const char *name)
{
    size_t n = strlen(name), k = strlen("_spectrum");
    return strcmp(name, "spectrum") == 0 || (n > k && strcmp(name + n - k, "_spectrum") == 0);
}

/* (index, value) of the positive values of v (a log axis cannot show 0):
 * an n x 2 matrix, *n set. */
static double *positive_points(const double *v, int len, int first_index, int *n)
{
    double *pts = sb_zeros(2 * len);
    *n = 0;
    for (int i = 0; i < len; i++)
        if (v[i] > 0 && isfinite(v[i])) {
            pts[2 * *n] = first_index + i;
            pts[2 * (*n)++ + 1] = v[i];
        }
    return pts;
}

/* A 1-D spectrum dataset: data block $S<count> and, if it has a positive
 * value, a line named by its `label` attribute, else its path. */
static void spectrum_series(PlotCtx *ctx, SbFigure *fig, const char *path, int *count)
{
    SbResultsTable t;
    if (!read_table(ctx, path, &t))
        return;
    if (t.cols == 1) {
        int n;
        double *pts = positive_points(t.data, t.rows, 1, &n);
        char block[32];
        snprintf(block, sizeof block, "S%d", *count);
        sb_figure_block(fig, block, n, 2, pts, NULL);
        free(pts);
        if (n) {
            char *label = read_string(ctx, path, "label");
            sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2,
                                              .style = "linespoints pt 7 ps 0.6 lw 2",
                                              .rgb = fallback_rgb[*count % N_FALLBACK],
                                              .title = label ? label : path + 1});
            free(label);
            (*count)++;
        }
    }
    sb_results_table_free(&t);
}

/* Groups entered on the way down (their addresses): a link back to one
 * of them would be followed forever. */
#define SPECTRA_MAX_DEPTH 32

/* Every spectrum dataset below `group`, depth first in name order. */
static void collect_spectra(PlotCtx *ctx, SbFigure *fig, const char *group, int *count,
                            uint64_t *above, int depth)
{
    int n;
    char **names = sb_results_list(ctx->rd, group, &n);
    for (int i = 0; i < n; i++) {
        char *path = strf("%s/%s", group, names[i]);
        SbResultsObject o;
        if (sb_results_stat(ctx->rd, path, &o) == SB_RESULTS_OK && o.kind == SB_RESULTS_GROUP) {
            int cycle = depth >= SPECTRA_MAX_DEPTH;
            for (int k = 0; k < depth && !cycle; k++)
                cycle = above[k] == o.addr;
            if (cycle) {
                char *at = sb_printable(path, 0, 0);
                fprintf(stderr, "soupbench: %s: %s: expected a tree of groups, found a link back "
                        "to an enclosing group (or more than %d levels); not followed\n",
                        ctx->file, at, SPECTRA_MAX_DEPTH);
                free(at);
                ctx->malformed++;
            } else {
                above[depth] = o.addr;
                collect_spectra(ctx, fig, path, count, above, depth + 1);
            }
        } else if (is_spectrum_name(names[i])) {
            spectrum_series(ctx, fig, path, count);
        }
        free(path);
    }
    sb_results_free_names(names, n);
}

/* Template "spectrum" titled `what`, drawn as `figure` if it has a line. */
static int draw_spectra(PlotCtx *ctx, SbFigure *fig, const char *what, const char *figure)
{
    int rc = SB_EXIT_OK;
    if (sb_figure_pending(fig)) {
        char *title = strf("%s%s", ctx->experiment_prefix, what);
        const char *keys[] = {"TITLE"}, *vals[] = {title};
        sb_figure_template(fig, "spectrum", 1, keys, vals);
        rc = sb_figure_draw(fig, &ctx->out, figure);
        free(title);
    }
    sb_figure_free(fig);
    return rc;
}

static int plot_spectrum(PlotCtx *ctx)
{
    SbFigure *fig = sb_figure_begin();
    int count = 0;
    uint64_t above[SPECTRA_MAX_DEPTH];
    SbResultsObject o;
    static const char *const roots[] = {"/data", "/basis"};
    for (int i = 0; i < 2; i++)
        if (sb_results_stat(ctx->rd, roots[i], &o) == SB_RESULTS_OK) {
            above[0] = o.addr;
            collect_spectra(ctx, fig, roots[i], &count, above, 1);
        }
    return draw_spectra(ctx, fig, "Spectra (singular values)", "spectrum");
}

/* Figure b2: singular values of each basis LoRA update (alpha/r) B_k A_k,
 * one line per policy and layer (/basis/lora/update_spectra: policy,
 * layer, then the singular values). */
static int plot_lora_spectra(PlotCtx *ctx)
{
    static const char *path = "/basis/lora/update_spectra";
    SbResultsTable t;
    if (!read_table(ctx, path, &t))
        return SB_EXIT_OK;
    SbFigure *fig = sb_figure_begin();
    int bad_index = 0;
    for (int r = 0; t.cols >= 2 && r < t.rows; r++) {
        const double *row = t.data + (size_t)r * t.cols;
        /* policy and layer pick a colour and a style: whole numbers */
        if (!(row[0] >= 0 && row[0] <= 1e6 && row[0] == floor(row[0]) && row[1] >= 0 &&
              row[1] <= 1e6 && row[1] == floor(row[1]))) {
            bad_index++;
            continue;
        }
        int n;
        double *pts = positive_points(row + 2, t.cols - 2, 1, &n);
        char block[32], style[64], title[64];
        snprintf(block, sizeof block, "L%d", r);
        sb_figure_block(fig, block, n, 2, pts, NULL);
        free(pts);
        if (!n)
            continue;
        int policy = (int)row[0], layer = (int)row[1];
        snprintf(style, sizeof style, "linespoints pt %d ps 0.7 lw 2 dt %d", 5 + 2 * (layer % 3),
                 1 + layer % 4);
        snprintf(title, sizeof title, "policy %d, layer %d", policy, layer);
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .style = style,
                                          .rgb = fallback_rgb[policy % N_FALLBACK],
                                          .title = title});
    }
    if (t.cols < 2)
        report_too_narrow(ctx, path, &t, 3);
    if (bad_index) {
        fprintf(stderr, "soupbench: %s: %s: expected whole numbers in [0, 1e6] in the policy and "
                "layer columns; %d row%s left out\n", ctx->file, path, bad_index,
                bad_index == 1 ? "" : "s");
        ctx->malformed++;
    }
    sb_results_table_free(&t);
    return draw_spectra(ctx, fig, "Basis LoRA updates (alpha/r) B_k A_k: singular values",
                        "lora_spectra");
}

/* ------------------------------------------------------------------ */
/* figure c: summary                                                  */

/* A bar chart of one /summary statistic `<stat>_mean` with its 95%
 * interval `<stat>_lo`..`<stat>_hi`, one bar per method (the `rows`
 * attribute); skipped when the columns are absent or every value is NaN. */
static int plot_summary_stat(PlotCtx *ctx, const SbResultsTable *t, char **rows, int n_rows,
                             const char *stat, const char *figure, const char *what,
                             const char *ylabel)
{
    int c[3], any = 0;
    if (interval_columns(t, stat, c) != 0)
        return SB_EXIT_OK;
    for (int r = 0; r < t->rows; r++)
        any |= !isnan(t->data[(size_t)r * t->cols + c[0]]);
    if (!any)
        return SB_EXIT_OK;
    /* index, mean, lo, hi, colour (24-bit RGB as a number), then the name */
    double *m = sb_zeros(5 * t->rows);
    char **labels = sb_calloc((size_t)t->rows, sizeof *labels);
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        /* fewer names than rows: number the rest */
        labels[r] = r < n_rows ? method_label(rows[r]) : strf("row %d", r + 1);
        unsigned rgb;
        int pt;
        method_style(r < n_rows ? rows[r] : labels[r], &rgb, &pt);
        double *out = m + 5 * r;
        out[0] = r + 1, out[1] = row[c[0]], out[2] = row[c[1]], out[3] = row[c[2]], out[4] = rgb;
    }
    SbFigure *fig = sb_figure_begin();
    sb_figure_block(fig, "SUMMARY", t->rows, 5, m, labels);
    char *title = strf("%s%s per method: mean over held-out users, 95%% CI",
                       ctx->experiment_prefix, what);
    char *nrows = strf("%d", t->rows);
    const char *keys[] = {"TITLE", "NROWS", "YLABEL"}, *vals[] = {title, nrows, ylabel};
    sb_figure_template(fig, "summary", 3, keys, vals);
    int rc = sb_figure_draw(fig, &ctx->out, figure);
    sb_figure_free(fig);
    free(title);
    free(nrows);
    sb_results_free_names(labels, t->rows);
    free(m);
    return rc;
}

static int plot_summary(PlotCtx *ctx)
{
    SbResultsTable t;
    if (!read_table(ctx, "/summary", &t))
        return SB_EXIT_OK;
    int n_rows, rc = SB_EXIT_OK;
    char **rows = read_names(ctx, "/summary", "rows", &n_rows);
    if (t.rows > 0) {
        rc = plot_summary_stat(ctx, &t, rows, n_rows, "J", "summary", "J_u",
                               "J_u (KL-regularised return)");
        if (rc == SB_EXIT_OK)
            rc = plot_summary_stat(ctx, &t, rows, n_rows, "normalized", "normalized_score",
                                   "Normalised score",
                                   "normalised score (%: pi_ref 0, bespoke_rlhf 100)");
        if (rc == SB_EXIT_OK)
            rc = plot_summary_stat(ctx, &t, rows, n_rows, "normalized_pooled",
                                   "normalized_score_pooled", "Pooled normalised score",
                                   "100 sum(J - J_ref) / sum(J_bespoke - J_ref) (%)");
    }
    sb_results_free_names(rows, n_rows);
    sb_results_table_free(&t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* figure d: the spectral-gap sweep                                   */

/* /gap/results columns: misspecification, linear, horizon, the residuals
 * of Q*_u on the trained and the exact basis span, then gap_<method>... */
#define GAP_MIN_COLS 5
#define GAP_MAX_PANELS 64

/* The distinct (misspecification, linear) pairs of the table, in table
 * order: one panel each. */
static int gap_panels(const SbResultsTable *t, double keys[][2])
{
    int n = 0;
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= keys[k][0] == row[0] && keys[k][1] == row[1];
        if (!seen && n < GAP_MAX_PANELS) {
            keys[n][0] = row[0];
            keys[n][1] = row[1];
            n++;
        }
    }
    return n;
}

/* Panel k: its rows from the horizon on (data block $G<k>), the two
 * residuals on the right axis and each method's gap. */
static void gap_panel(SbFigure *fig, const SbResultsTable *t, int k, const double key[2])
{
    int w = t->cols - 2, n = 0;
    double *m = sb_zeros(w * t->rows);
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        if (row[0] != key[0] || row[1] != key[1])
            continue;
        for (int c = 2; c < t->cols; c++) /* a log axis cannot show 0: exact agreement at 1e-16 */
            m[(size_t)n * w + c - 2] = c >= 3 && row[c] < 1e-16 ? 1e-16 : row[c];
        n++;
    }
    char block[32];
    snprintf(block, sizeof block, "G%d", k);
    sb_figure_block(fig, block, n, w, m, NULL);
    free(m);
    sb_figure_command(fig, "set title '%s MDP, misspecification %g'", key[1] ? "linear" : "tree",
                      key[0]);
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .right_axis = 1,
                                      .style = "lines dt 2 lw 2", .rgb = 0x909090,
                                      .title = "residual, trained basis"});
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 3, .right_axis = 1,
                                      .style = "lines dt 3 lw 2", .rgb = 0x505050,
                                      .title = "residual, exact basis"});
    for (int c = GAP_MIN_COLS; t->names && c < t->cols; c++) {
        const char *name = t->names[c];
        const char *method = strncmp(name, "gap_", 4) == 0 ? name + 4 : name;
        unsigned rgb;
        int pt;
        method_style(method, &rgb, &pt);
        char style[64];
        snprintf(style, sizeof style, "linespoints pt %d ps 0.9 lw 2", pt);
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = c - 1, .style = style,
                                          .rgb = rgb, .title = method});
    }
    sb_figure_plot(fig);
}

/* One panel per misspecification x transition: each method's gap to the
 * oracle against the horizon (log scale, method colours), and the residual
 * of Q*_u on the basis span (trained and exact basis) on the right axis. */
static int plot_gap(PlotCtx *ctx)
{
    static const char *path = "/gap/results";
    SbResultsTable t;
    if (!read_table(ctx, path, &t))
        return SB_EXIT_OK;
    if (t.cols < GAP_MIN_COLS) {
        report_too_narrow(ctx, path, &t, GAP_MIN_COLS);
        sb_results_table_free(&t);
        return SB_EXIT_OK;
    }
    double keys[GAP_MAX_PANELS][2];
    int n_panels = gap_panels(&t, keys);
    int panel_cols = n_panels > 1 ? 2 : 1, panel_rows = (n_panels + panel_cols - 1) / panel_cols;
    char *title = strf("%sGap to the oracle against the horizon (lines, left) and residual of "
                       "Q*_u on the basis span (dashed grey, right)",
                       ctx->experiment_prefix);
    char *layout = strf("%d,%d", panel_rows, panel_cols);
    SbFigure *fig = sb_figure_begin();
    const char *k1[] = {"TITLE", "LAYOUT"}, *v1[] = {title, layout};
    sb_figure_template(fig, "gap", 2, k1, v1);
    for (int k = 0; k < n_panels; k++)
        gap_panel(fig, &t, k, keys[k]);
    sb_figure_command(fig, "unset multiplot");
    int rc = sb_figure_draw(fig, &ctx->out, "gap");
    sb_figure_free(fig);
    free(title);
    free(layout);
    sb_results_table_free(&t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* figures e, f: online learning and regret curves                    */

/* One online table: /methods/<method>/online or online_active. */
typedef struct {
    const char *method;
    int active;
    SbResultsTable t;
} OnlineRun;

/* Every online table of the file, methods in legend order. */
static OnlineRun *read_online_runs(PlotCtx *ctx, char **methods, int n_methods, int *n)
{
    static const char *const tables[] = {"online", "online_active"};
    OnlineRun *runs = sb_calloc((size_t)(2 * n_methods + 1), sizeof *runs);
    *n = 0;
    for (int m = 0; m < n_methods; m++)
        for (int a = 0; a < 2; a++) {
            char *path = strf("/methods/%s/%s", methods[m], tables[a]);
            if (read_table(ctx, path, &runs[*n].t)) {
                runs[*n].method = methods[m];
                runs[(*n)++].active = a;
            }
            free(path);
        }
    return runs;
}

/* Run i's statistic as data block $O<count> (t, mean, lo, hi; t = 0 drawn
 * at 0.5 on the log axis), a 95% band and a line; 1 if it has the columns. */
static int online_series(SbFigure *fig, const OnlineRun *run, const char *stat, int count,
                         int *max_t)
{
    int c[3];
    if (interval_columns(&run->t, stat, c) != 0)
        return 0;
    const SbResultsTable *t = &run->t;
    double *m = sb_zeros(4 * t->rows);
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        double *out = m + 4 * r;
        out[0] = row[0] > 0 ? row[0] : 0.5;
        for (int i = 0; i < 3; i++)
            out[1 + i] = row[c[i]];
        /* the tics go up to the largest t (1 << 20 rounds at most) */
        if (row[0] > *max_t)
            *max_t = row[0] < (1 << 20) ? (int)row[0] : 1 << 20;
    }
    char block[32], style[64];
    snprintf(block, sizeof block, "O%d", count);
    sb_figure_block(fig, block, t->rows, 4, m, NULL);
    free(m);
    unsigned rgb;
    int pt;
    method_style(run->method, &rgb, &pt);
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .lo = 3, .hi = 4, .rgb = rgb,
                                      .style = "filledcurves fs transparent solid 0.12 noborder"});
    snprintf(style, sizeof style, "linespoints pt %d ps 0.8 lw 2 dt %d", pt, run->active ? 2 : 1);
    char *label = method_label(run->method);
    char *title = strf("%s%s", label, run->active ? " (active queries)" : "");
    free(label);
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .style = style, .rgb = rgb,
                                      .title = title});
    free(title);
    return 1;
}

/* One line per method (and per active-query run) of a statistic of the
 * online tables, `<stat>_mean` with a 95% band `<stat>_lo`..`<stat>_hi`,
 * against the number of answers on a log axis (t = 0 drawn at 0.5). */
static int plot_online_stat(PlotCtx *ctx, const OnlineRun *runs, int n_runs, const char *stat,
                            const char *figure, const char *what, const char *ylabel)
{
    SbFigure *fig = sb_figure_begin();
    int count = 0, max_t = 1;
    for (int i = 0; i < n_runs; i++)
        count += online_series(fig, &runs[i], stat, count, &max_t);
    int rc = SB_EXIT_OK;
    if (count) {
        char *title = strf("%s%s, 95%% bands over users x seeds", ctx->experiment_prefix, what);
        char xtics[512] = "(\"0\" 0.5";
        for (int t = 1; t <= max_t; t *= 2)
            snprintf(xtics + strlen(xtics), sizeof xtics - strlen(xtics), ", \"%d\" %d", t, t);
        strcat(xtics, ")");
        const char *keys[] = {"TITLE", "YLABEL", "XTICS"}, *vals[] = {title, ylabel, xtics};
        sb_figure_template(fig, "curves", 3, keys, vals);
        rc = sb_figure_draw(fig, &ctx->out, figure);
        free(title);
    }
    sb_figure_free(fig);
    return rc;
}

static int plot_online(PlotCtx *ctx)
{
    int n_methods, n_runs;
    char **methods = sorted_methods(ctx, &n_methods);
    if (!methods)
        return SB_EXIT_OK;
    OnlineRun *runs = read_online_runs(ctx, methods, n_methods, &n_runs);
    int rc = plot_online_stat(ctx, runs, n_runs, "normalized", "learning_curves",
                              "Normalised score",
                              "normalised score (%: pi_ref 0, bespoke_rlhf 100)");
    if (rc == SB_EXIT_OK)
        rc = plot_online_stat(ctx, runs, n_runs, "normalized_pooled", "learning_curves_pooled",
                              "Pooled normalised score",
                              "100 sum(J - J_ref) / sum(J_bespoke - J_ref) (%)");
    if (rc == SB_EXIT_OK)
        rc = plot_online_stat(ctx, runs, n_runs, "cumregret_bespoke", "regret_curves",
                              "Cumulative regret against bespoke_rlhf",
                              "cumulative regret sum_t J_u(bespoke) - J_u(pi_t)");
    for (int i = 0; i < n_runs; i++)
        sb_results_table_free(&runs[i].t);
    free(runs);
    sb_results_free_names(methods, n_methods);
    return rc;
}

/* ------------------------------------------------------------------ */
/* figure g: the basis-size ablation                                  */

/* The rows of one reference width as data block $A<count> (K, mean, lo,
 * hi, effective rank) with its score line and its rank line. */
static void ablation_width(SbFigure *fig, const SbResultsTable *t, const int c[6], double width,
                           int count)
{
    double *m = sb_zeros(5 * t->rows);
    int n = 0;
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        if (row[c[0]] != width)
            continue;
        for (int i = 0; i < 5; i++)
            m[5 * n + i] = row[c[1 + i]];
        n++;
    }
    char block[32], title[2][64];
    snprintf(block, sizeof block, "A%d", count);
    sb_figure_block(fig, block, n, 5, m, NULL);
    free(m);
    unsigned rgb = fallback_rgb[count % N_FALLBACK];
    snprintf(title[0], sizeof title[0], "score, width %g", width);
    snprintf(title[1], sizeof title[1], "effective rank, width %g", width);
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .lo = 3, .hi = 4,
                                      .style = "yerrorlines pt 7 ps 0.9 lw 2", .rgb = rgb,
                                      .title = title[0]});
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 5, .right_axis = 1,
                                      .style = "lines dt 2 lw 2", .rgb = rgb, .title = title[1]});
}

/* The rank of the exact basis modulo per-state constants (column
 * rank_exact, files since the feature bases) for one width, dotted on the
 * rank axis: where it stops growing, the span of the basis rewards is full. */
static void ablation_exact_rank(SbFigure *fig, const SbResultsTable *t, int c_width, int c_K, int c_rank,
                                double width, int count)
{
    double *m = sb_zeros(2 * t->rows);
    int n = 0;
    for (int r = 0; r < t->rows; r++) {
        const double *row = t->data + (size_t)r * t->cols;
        if (row[c_width] != width)
            continue;
        m[2 * n] = row[c_K];
        m[2 * n + 1] = row[c_rank];
        n++;
    }
    char block[32], title[64];
    snprintf(block, sizeof block, "R%d", count);
    snprintf(title, sizeof title, "rank of the exact basis, width %g", width);
    sb_figure_block(fig, block, n, 2, m, NULL);
    free(m);
    sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .right_axis = 1,
                                      .style = "linespoints dt 3 pt 6 lw 1.5",
                                      .rgb = fallback_rgb[count % N_FALLBACK], .title = title});
}

/* Vertical markers at K = m (aspects) and K = d (features) on the rank
 * axis, from 0 to that rank: the knees of the aspect and the feature bases. */
static void ablation_markers(PlotCtx *ctx, SbFigure *fig)
{
    static const char *const attrs[] = {"aspects", "spectral_dim"};
    static const char *const names[] = {"m", "d"};
    static const unsigned rgb[] = {0x7f7f7f, 0x000000};
    for (int i = 0; i < 2; i++) {
        double v;
        if (!read_numbers(ctx, "/ablations/K", attrs[i], 1, &v))
            continue;
        double m[4] = {v, 0, v, v};
        char block[16], title[64];
        snprintf(block, sizeof block, "M%d", i);
        snprintf(title, sizeof title, "K = %s = %g", names[i], v);
        sb_figure_block(fig, block, 2, 2, m, NULL);
        sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .right_axis = 1,
                                          .style = "lines dt 4 lw 1.5", .rgb = rgb[i], .title = title});
    }
}

/* One line per reference width of the final score against K, the
 * effective rank of the basis implicit-Q matrix on the right axis. */
static int plot_ablation(PlotCtx *ctx)
{
    SbResultsTable t;
    if (!read_table(ctx, "/ablations/K", &t))
        return SB_EXIT_OK;
    /* width, then the block's columns: K, mean, lo, hi, effective rank */
    int c[6] = {sb_results_table_column(&t, "width"), sb_results_table_column(&t, "K")};
    int found = c[0] >= 0 && c[1] >= 0 && interval_columns(&t, "normalized", c + 2) == 0;
    c[5] = sb_results_table_column(&t, "effective_rank_lora");
    int c_rank_exact = sb_results_table_column(&t, "rank_exact");
    int rc = SB_EXIT_OK;
    if (found && c[5] >= 0) {
        SbFigure *fig = sb_figure_begin();
        int count = 0;
        for (int r = 0; r < t.rows; r++) {
            double width = t.data[(size_t)r * t.cols + c[0]];
            int first = 1;
            for (int q = 0; q < r; q++)
                first &= t.data[(size_t)q * t.cols + c[0]] != width;
            if (first) {
                if (c_rank_exact >= 0)
                    ablation_exact_rank(fig, &t, c[0], c[1], c_rank_exact, width, count);
                ablation_width(fig, &t, c, width, count++);
            }
        }
        if (c_rank_exact >= 0)
            ablation_markers(ctx, fig);
        char *title = strf("%sSpectral Souping against the basis size K (online, final score, "
                           "95%% CI)",
                           ctx->experiment_prefix);
        const char *keys[] = {"TITLE"}, *vals[] = {title};
        sb_figure_template(fig, "ablation", 1, keys, vals);
        if (count)
            rc = sb_figure_draw(fig, &ctx->out, "ablation_K");
        free(title);
        sb_figure_free(fig);
    }
    sb_results_table_free(&t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* figure h: a sampler's proposal budget                              */

/* The budget_sweep table of one method (a sampler swept over its budget M,
 * methods/README.md): the share of its target's gain reached, with 95%
 * error bars, on the left axis, and the sampler's acceptance and fallback
 * rates, exact (lines) and measured (points), on the right, against M on a
 * log axis. 1 if drawn into fig. */
static int budget_series(PlotCtx *ctx, SbFigure *fig, const char *method, int count)
{
    static const char *const cols[] = {"M", "gain_share_mean", "gain_share_lo", "gain_share_hi",
                                       "acceptance_exact", "acceptance_measured", "fallback_rate_exact",
                                       "fallback_rate_measured"};
    enum { N_COLS = sizeof cols / sizeof cols[0] };
    char *path = strf("/methods/%s/budget_sweep", method);
    SbResultsTable t;
    int drawn = 0;
    if (read_table(ctx, path, &t)) {
        int c[N_COLS], found = 1;
        for (int i = 0; i < N_COLS; i++)
            found &= (c[i] = sb_results_table_column(&t, cols[i])) >= 0;
        if (!found) {
            fprintf(stderr, "soupbench: %s: %s: expected the columns M, gain_share_mean, gain_share_lo, "
                            "gain_share_hi, acceptance_exact, acceptance_measured, fallback_rate_exact, "
                            "fallback_rate_measured\n",
                    ctx->file, path);
            ctx->malformed++;
        } else if (t.rows > 0) {
            double *m = sb_zeros((size_t)N_COLS * t.rows);
            for (int r = 0; r < t.rows; r++)
                for (int i = 0; i < N_COLS; i++)
                    m[(size_t)r * N_COLS + i] = t.data[(size_t)r * t.cols + c[i]];
            char block[32], style[64];
            snprintf(block, sizeof block, "B%d", count);
            sb_figure_block(fig, block, t.rows, N_COLS, m, NULL);
            free(m);
            unsigned rgb;
            int pt;
            method_style(method, &rgb, &pt);
            /* the method is named in the figure's title */
            const char *title[5] = {"score (left)", "acceptance, exact", "acceptance, measured",
                                    "fallback, exact", "fallback, measured"};
            snprintf(style, sizeof style, "yerrorlines pt %d ps 1.0 lw 2", pt);
            sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 2, .lo = 3, .hi = 4,
                                              .style = style, .rgb = rgb, .title = title[0]});
            static const unsigned rate_rgb[2] = {0x505050, 0xb03030};
            for (int k = 0; k < 2; k++) {
                sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 5 + 2 * k, .right_axis = 1,
                                                  .style = k ? "lines dt 2 lw 2" : "lines lw 1.5",
                                                  .rgb = rate_rgb[k], .title = title[1 + 2 * k]});
                sb_figure_series(fig, &(SbSeries){.block = block, .x = 1, .y = 6 + 2 * k, .right_axis = 1,
                                                  .style = "points pt 6 ps 1.1", .rgb = rate_rgb[k],
                                                  .title = title[2 + 2 * k]});
            }
            drawn = 1;
        }
        sb_results_table_free(&t);
    }
    free(path);
    return drawn;
}

/* One figure per method with a budget sweep: implicit_budget (the first),
 * implicit_budget_<method> for any further one. */
static int plot_budget(PlotCtx *ctx)
{
    int n_methods, rc = SB_EXIT_OK, count = 0;
    char **methods = sorted_methods(ctx, &n_methods);
    for (int i = 0; i < n_methods && rc == SB_EXIT_OK; i++) {
        SbFigure *fig = sb_figure_begin();
        if (budget_series(ctx, fig, methods[i], count)) {
            char *q = sb_figure_quote(methods[i]);
            char *title = strf("%s%s: proposal budget (exact, 95%% CI over users)", ctx->experiment_prefix, q);
            const char *keys[] = {"TITLE"}, *vals[] = {title};
            sb_figure_template(fig, "implicit_budget", 1, keys, vals);
            char *name = count ? strf("implicit_budget_%s", methods[i]) : sb_strdup("implicit_budget");
            rc = sb_figure_draw(fig, &ctx->out, name);
            free(name), free(title), free(q);
            count++;
        }
        sb_figure_free(fig);
    }
    sb_results_free_names(methods, n_methods);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the command                                                        */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "soupbench plot: %s%s%s\n%s", msg, arg ? " " : "", arg ? arg : "", plot_usage);
    return SB_EXIT_USAGE;
}

/* Parse "png,svg" into out->formats; 0, or -1 naming the (last) bad entry. */
static int parse_formats(SbFigureOutput *out, const char *list, const char **bad)
{
    static const char *known[] = {"png", "svg", "pdf"};
    static char badbuf[64];
    out->n_formats = 0;
    int rc = 0;
    for (const char *s = list;; s++) {
        size_t len = strcspn(s, ",");
        int k = 0;
        while (k < 3 && !(strlen(known[k]) == len && strncmp(s, known[k], len) == 0))
            k++;
        if (k == 3) {
            snprintf(badbuf, sizeof badbuf, "%.*s", (int)len, s);
            *bad = badbuf;
            rc = -1;
        } else {
            int dup = 0;
            for (int j = 0; j < out->n_formats; j++)
                dup |= out->formats[j] == known[k];
            if (!dup)
                out->formats[out->n_formats++] = known[k];
        }
        s += len;
        if (!*s)
            break;
    }
    if (out->n_formats == 0 && rc == 0) {
        *bad = list;
        rc = -1;
    }
    return rc;
}

/* The command line: 0, or an exit code after a usage message. */
static int parse_args(int argc, char **argv, const char **file, const char **outdir,
                      SbFigureOutput *out)
{
    const char *formats = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(plot_usage, stdout);
            return -1; /* done: exit 0 */
        } else if (strcmp(a, "--outdir") == 0 || strcmp(a, "--format") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing value after", a);
            *(a[2] == 'o' ? outdir : &formats) = argv[++i];
        } else if (strncmp(a, "--outdir=", 9) == 0) {
            *outdir = a + 9;
        } else if (strncmp(a, "--format=", 9) == 0) {
            formats = a + 9;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option", a);
        } else if (*file) {
            return usage_error("more than one results file given:", a);
        } else {
            *file = a;
        }
    }
    if (!*file)
        return usage_error("missing the results file", NULL);
    const char *bad;
    if (formats && parse_formats(out, formats, &bad) != 0)
        return usage_error("unknown format (expected png, svg or pdf):", bad);
    if (*outdir && !(*outdir)[0])
        return usage_error("empty --outdir", NULL);
    return 0;
}

/* Default folder: plots/<basename of FILE without .h5> (malloc'd). */
static char *default_outdir(const char *file)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".h5") == 0)
        n -= 3;
    return strf("plots/%.*s", (int)n, base);
}

/* Every figure whose data are in the file, stopping at the first failure. */
static int plot_all(PlotCtx *ctx)
{
    static int (*const figures[])(PlotCtx *) = {
        plot_pareto, plot_spectrum, plot_lora_spectra, plot_summary,
        plot_gap,    plot_online,   plot_ablation,     plot_budget,
    };
    int rc = SB_EXIT_OK;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0] && rc == SB_EXIT_OK; i++)
        rc = figures[i](ctx);
    return rc;
}

int sb_cmd_plot(int argc, char **argv)
{
    PlotCtx ctx = {.out = {.formats = {"png"}, .n_formats = 1}, .experiment_prefix = ""};
    const char *file = NULL, *outdir = NULL;
    int rc = parse_args(argc, argv, &file, &outdir, &ctx.out);
    if (rc != 0)
        return rc < 0 ? SB_EXIT_OK : rc;
    char *dir = outdir ? sb_strdup(outdir) : default_outdir(file);
    ctx.out.outdir = dir;
    ctx.file = file;
    ctx.rd = sb_results_open(file); /* prints why on failure */
    if (!ctx.rd) {
        free(dir);
        return SB_EXIT_USAGE;
    }
    char *prefix = NULL;
    if (sb_mkdir_p(dir) != 0) {
        fprintf(stderr, "soupbench: %s: cannot create the output folder: %s\n", dir,
                strerror(errno));
        rc = SB_EXIT_USAGE;
    } else {
        char *experiment = read_string(&ctx, "/", "experiment");
        if (experiment && experiment[0]) {
            char *q = sb_figure_quote(experiment);
            ctx.experiment_prefix = prefix = strf("%s: ", q);
            free(q);
        }
        free(experiment);
        rc = plot_all(&ctx);
        if (rc == SB_EXIT_OK && ctx.malformed)
            rc = SB_EXIT_USAGE; /* bad input, reported above */
    }
    fflush(stdout);
    free(prefix);
    sb_results_close(ctx.rd);
    free(dir);
    return rc;
}
