/* soupbench: tables for the generated documents and the terminal.
 *
 * `soupbench verify` and `soupbench paper` build each table once, as rows of
 * text cells, and write it three ways: aligned plain text (the terminal),
 * Markdown (paper/RESULTS.md) and LaTeX (the tables in paper/generated/,
 * which paper/paper.tex inputs). Cells are plain text; each writer escapes what its
 * format needs (`|` in Markdown; _ % & # $ { } ~ ^ \ in LaTeX). */
#ifndef SB_DOCTABLE_H
#define SB_DOCTABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct SbDocTable SbDocTable;

/* A table of `cols` columns with these headers (copied). */
SbDocTable *sb_doc_table_new(int cols, const char *const *headers);
void sb_doc_table_free(SbDocTable *t);
/* One row of `cols` cells (copied; NULL is an empty cell). */
void sb_doc_table_row(SbDocTable *t, const char *const *cells);
/* A row whose first cell is `label` in italics and the others empty: it
 * separates a block of rows (e.g. the oracle-information variants). */
void sb_doc_table_section(SbDocTable *t, const char *label);
int sb_doc_table_rows(const SbDocTable *t);

void sb_doc_table_text(const SbDocTable *t, FILE *f);
void sb_doc_table_markdown(const SbDocTable *t, FILE *f);
/* A tabular (spec: the column specification, e.g. "llrr"; NULL: l for the
 * first column, r for the others) in a table float with this caption and
 * label, at \small, shrunk to the text width when wider (graphicx's
 * \resizebox: the document loads graphicx). */
void sb_doc_table_latex(const SbDocTable *t, FILE *f, const char *spec, const char *caption,
                        const char *label);

/* Text escaped for LaTeX (malloc'd). `code` spans in backquotes become
 * \texttt{...}. */
char *sb_doc_latex_escape(const char *s);

/* A number for a table: integers as they are, one decimal from 10, two
 * from 1, three from 0.1, three significant digits below, scientific (3
 * digits) below 1e-3
 * and from 1e6; "NaN" and "inf" spelled out. */
void sb_doc_number(double x, char *buf, size_t n);
/* "83.2 [80.1, 86.0]"; the interval is left out when lo and hi are NaN. */
void sb_doc_interval(double mean, double lo, double hi, char *buf, size_t n);

/* Replace the text between the lines `begin` and `end` of the file at
 * `path` with `body` (both marker lines kept); append the block when the
 * markers are absent; create the file when it does not exist. Written
 * under a temporary name and renamed. 0 on success, -1 with a message. */
int sb_doc_replace_block(const char *path, const char *begin, const char *end, const char *body);

#endif
