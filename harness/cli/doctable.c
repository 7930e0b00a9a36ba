/* soupbench: tables for the generated documents (harness/cli/doctable.h). */
#include "doctable.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sb.h"

struct SbDocTable {
    int cols, rows, cap;
    char **headers;
    char **cells;  /* rows x cols */
    int *section;  /* 1 for a section row */
};

SbDocTable *sb_doc_table_new(int cols, const char *const *headers)
{
    SB_ASSERT(cols > 0);
    SbDocTable *t = sb_calloc(1, sizeof *t);
    t->cols = cols;
    t->headers = sb_calloc((size_t)cols, sizeof *t->headers);
    for (int c = 0; c < cols; c++)
        t->headers[c] = sb_strdup(headers[c] ? headers[c] : "");
    return t;
}

void sb_doc_table_free(SbDocTable *t)
{
    if (!t)
        return;
    for (int c = 0; c < t->cols; c++)
        free(t->headers[c]);
    for (int i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->cells);
    free(t->section);
    free(t);
}

static void add_row(SbDocTable *t, const char *const *cells, int section)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->cells = sb_realloc(t->cells, (size_t)t->cap * t->cols * sizeof *t->cells);
        t->section = sb_realloc(t->section, (size_t)t->cap * sizeof *t->section);
    }
    for (int c = 0; c < t->cols; c++)
        t->cells[t->rows * t->cols + c] = sb_strdup(cells && cells[c] ? cells[c] : "");
    t->section[t->rows++] = section;
}

void sb_doc_table_row(SbDocTable *t, const char *const *cells) { add_row(t, cells, 0); }

void sb_doc_table_section(SbDocTable *t, const char *label)
{
    const char **cells = sb_calloc((size_t)t->cols, sizeof *cells);
    cells[0] = label;
    add_row(t, cells, 1);
    free(cells);
}

int sb_doc_table_rows(const SbDocTable *t) { return t->rows; }

static const char *cell(const SbDocTable *t, int r, int c) { return t->cells[r * t->cols + c]; }

void sb_doc_table_text(const SbDocTable *t, FILE *f)
{
    int *width = sb_calloc((size_t)t->cols, sizeof *width);
    for (int c = 0; c < t->cols; c++) {
        width[c] = (int)strlen(t->headers[c]);
        for (int r = 0; r < t->rows; r++)
            if (!t->section[r] && (int)strlen(cell(t, r, c)) > width[c])
                width[c] = (int)strlen(cell(t, r, c));
    }
    for (int c = 0; c < t->cols; c++)
        fprintf(f, "%s%-*s", c ? "  " : "", c == t->cols - 1 ? 0 : width[c], t->headers[c]);
    fputc('\n', f);
    for (int c = 0; c < t->cols; c++) {
        fprintf(f, "%s", c ? "  " : "");
        for (int i = 0; i < width[c]; i++)
            fputc('-', f);
    }
    fputc('\n', f);
    for (int r = 0; r < t->rows; r++) {
        if (t->section[r]) {
            fprintf(f, "%s\n", cell(t, r, 0));
            continue;
        }
        for (int c = 0; c < t->cols; c++)
            fprintf(f, "%s%-*s", c ? "  " : "", c == t->cols - 1 ? 0 : width[c], cell(t, r, c));
        fputc('\n', f);
    }
    free(width);
}

static void markdown_cell(FILE *f, const char *s)
{
    fputc(' ', f);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fputs(" |", f);
}

void sb_doc_table_markdown(const SbDocTable *t, FILE *f)
{
    fputc('|', f);
    for (int c = 0; c < t->cols; c++)
        markdown_cell(f, t->headers[c]);
    fputs("\n|", f);
    for (int c = 0; c < t->cols; c++)
        fputs("---|", f);
    fputc('\n', f);
    for (int r = 0; r < t->rows; r++) {
        fputc('|', f);
        for (int c = 0; c < t->cols; c++) {
            if (t->section[r] && c == 0) {
                char *label = sb_calloc(strlen(cell(t, r, 0)) + 3, 1);
                sprintf(label, "*%s*", cell(t, r, 0));
                markdown_cell(f, label);
                free(label);
            } else {
                markdown_cell(f, cell(t, r, c));
            }
        }
        fputc('\n', f);
    }
}

char *sb_doc_latex_escape(const char *s)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int code = 0;
    for (; *s; s++) {
        switch (*s) {
        case '`':
            fputs(code ? "}" : "\\texttt{", f);
            code = !code;
            break;
        case '_': case '%': case '&': case '#': case '$': case '{': case '}':
            fprintf(f, "\\%c", *s);
            break;
        case '~':
            fputs("\\textasciitilde{}", f);
            break;
        case '^':
            fputs("\\textasciicircum{}", f);
            break;
        case '\\':
            fputs("\\textbackslash{}", f);
            break;
        case '<':
            fputs("\\textless{}", f);
            break;
        case '>':
            fputs("\\textgreater{}", f);
            break;
        case '\n':
            fputc(' ', f);
            break;
        default:
            fputc(*s, f);
        }
    }
    if (code)
        fputc('}', f);
    fclose(f);
    return out;
}

void sb_doc_table_latex(const SbDocTable *t, FILE *f, const char *spec, const char *caption,
                        const char *label)
{
    fputs("\\begin{table}[htbp]\n\\centering\n\\small\n", f);
    if (caption) {
        char *c = sb_doc_latex_escape(caption);
        fprintf(f, "\\caption{%s}\n", c);
        free(c);
    }
    if (label)
        fprintf(f, "\\label{%s}\n", label);
    /* shrunk to the text width when wider, never enlarged */
    fputs("\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n\\begin{tabular}{", f);
    if (spec)
        fputs(spec, f);
    else
        for (int c = 0; c < t->cols; c++)
            fputc(c ? 'r' : 'l', f);
    fputs("}\n\\hline\n", f);
    for (int c = 0; c < t->cols; c++) {
        char *h = sb_doc_latex_escape(t->headers[c]);
        fprintf(f, "%s%s", c ? " & " : "", h);
        free(h);
    }
    fputs(" \\\\\n\\hline\n", f);
    for (int r = 0; r < t->rows; r++) {
        if (t->section[r]) {
            char *h = sb_doc_latex_escape(cell(t, r, 0));
            fprintf(f, "\\multicolumn{%d}{l}{\\emph{%s}} \\\\\n", t->cols, h);
            free(h);
            continue;
        }
        for (int c = 0; c < t->cols; c++) {
            char *h = sb_doc_latex_escape(cell(t, r, c));
            fprintf(f, "%s%s", c ? " & " : "", h);
            free(h);
        }
        fputs(" \\\\\n", f);
    }
    fputs("\\hline\n\\end{tabular}}\n\\end{table}\n", f);
}

void sb_doc_number(double x, char *buf, size_t n)
{
    double a = fabs(x);
    if (isnan(x))
        snprintf(buf, n, "NaN");
    else if (isinf(x))
        snprintf(buf, n, "%sinf", x < 0 ? "-" : "");
    else if (x == 0)
        snprintf(buf, n, "0");
    else if (a >= 1e6 || a < 1e-3)
        snprintf(buf, n, "%.3g", x);
    else if (x == floor(x))
        snprintf(buf, n, "%.0f", x);
    else if (a >= 10)
        snprintf(buf, n, "%.1f", x);
    else if (a >= 1)
        snprintf(buf, n, "%.2f", x);
    else if (a >= 0.1)
        snprintf(buf, n, "%.3f", x);
    else
        snprintf(buf, n, "%.3g", x);
}

void sb_doc_interval(double mean, double lo, double hi, char *buf, size_t n)
{
    char m[32], l[32], h[32];
    sb_doc_number(mean, m, sizeof m);
    if (isnan(lo) && isnan(hi)) {
        snprintf(buf, n, "%s", m);
        return;
    }
    sb_doc_number(lo, l, sizeof l);
    sb_doc_number(hi, h, sizeof h);
    snprintf(buf, n, "%s [%s, %s]", m, l, h);
}

int sb_doc_replace_block(const char *path, const char *begin, const char *end, const char *body)
{
    size_t len = 0;
    char *text = sb_read_file(path, &len);
    if (!text && errno != ENOENT) {
        fprintf(stderr, "soupbench: %s: cannot read (%s)\n", path, strerror(errno));
        return -1;
    }
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    char *b = text ? strstr(text, begin) : NULL;
    char *e = b ? strstr(b, end) : NULL;
    if (b && e) {
        fwrite(text, 1, (size_t)(b - text), f);
        fprintf(f, "%s\n%s%s", begin, body, end);
        fputs(e + strlen(end), f);
    } else {
        if (text && len) {
            fputs(text, f);
            if (text[len - 1] != '\n')
                fputc('\n', f);
            fputc('\n', f);
        }
        fprintf(f, "%s\n%s%s\n", begin, body, end);
    }
    fclose(f);
    free(text);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *w = fopen(tmp, "w");
    int rc = 0;
    if (!w || fwrite(out, 1, out_len, w) != out_len) {
        fprintf(stderr, "soupbench: %s: cannot write (%s)\n", tmp, strerror(errno));
        rc = -1;
    }
    if (w && fclose(w) != 0 && rc == 0) {
        fprintf(stderr, "soupbench: %s: cannot write (%s)\n", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        fprintf(stderr, "soupbench: %s: cannot rename to %s (%s)\n", tmp, path, strerror(errno));
        rc = -1;
    }
    if (rc)
        unlink(tmp);
    free(out);
    return rc;
}
