/* soupbench plot: one gnuplot figure, built in memory and piped to gnuplot.
 *
 * A figure's script is the common template (plots/common.gp: terminal,
 * output, look) followed by its body: inline data blocks, the figure's own
 * template and plot commands. Series added with sb_figure_series make up one
 * pending plot command ("plot A, \ B, ..."), which fills the @PLOT@
 * placeholder of the next sb_figure_template or is written out on its own
 * by sb_figure_plot (one per multiplot panel).
 *
 * Names read from a results file go into a script only through
 * sb_figure_quote (inside '...') or the labels of a data block (inside
 * "..."), so none can end a string or a data block: quotes and control
 * characters are encoded. */
#ifndef SB_FIGURE_H
#define SB_FIGURE_H

typedef struct SbFigure SbFigure;

/* Where and in which formats figures are drawn. */
typedef struct {
    const char *outdir;
    const char *formats[3]; /* "png", "svg", "pdf" */
    int n_formats;
} SbFigureOutput;

/* One item of a plot command:
 *   $BLOCK using X[:Y][:LO:HI] [axes x1y2] with STYLE lc rgb '#RRGGBB' title '...' */
typedef struct {
    const char *block;  /* a data block of this figure (name without '$') */
    int x, y;           /* 1-based columns; y = 0 for a band drawn from x:lo:hi */
    int lo, hi;         /* interval columns (error bars, filled band); 0 = none */
    int right_axis;     /* on the y2 axis */
    const char *style;  /* what follows "with": "points pt 7", "filledcurves ..." */
    unsigned rgb;       /* 0xRRGGBB */
    const char *title;  /* legend entry, quoted by the builder; NULL: notitle */
} SbSeries;

SbFigure *sb_figure_begin(void);
void sb_figure_free(SbFigure *f);

/* Data block $name: `rows` lines of `cols` numbers from a row-major matrix
 * (non-finite values written NaN, which gnuplot skips), each followed by
 * the double-quoted labels[r] when labels is not NULL. */
void sb_figure_block(SbFigure *f, const char *name, int rows, int cols, const double *data,
                     char *const *labels);
/* Add a series to the pending plot command. */
void sb_figure_series(SbFigure *f, const SbSeries *s);
/* Number of series in the pending plot command. */
int sb_figure_pending(const SbFigure *f);
/* Write the pending plot command to the body (and start a new one). */
void sb_figure_plot(SbFigure *f);
/* A line of gnuplot written as it is ("set title ..."): quote names. */
void sb_figure_command(SbFigure *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Template plots/<name>.gp with each @KEY@ replaced by vals[i] (written as
 * they are: quote names) and @PLOT@ by the pending plot command. */
void sb_figure_template(SbFigure *f, const char *name, int n, const char *const *keys,
                        const char *const *vals);

/* The whole script for one format and output path (malloc'd). */
char *sb_figure_script(SbFigure *f, const char *format, const char *output);
/* Draw the figure in every format of out, as <outdir>/<name>.<format>, and
 * print each path written. Returns SB_EXIT_OK, or SB_EXIT_FAIL after a
 * message naming the figure (a failed figure leaves no file). */
int sb_figure_draw(SbFigure *f, const SbFigureOutput *out, const char *name);

/* Tests and fuzz targets: hand each script to runner(script, path)
 * instead of piping it to gnuplot; it returns 0 when the figure is drawn.
 * NULL restores gnuplot. */
void sb_figure_set_runner(int (*runner)(const char *script, const char *path));

/* Text for inside a single-quoted gnuplot string (malloc'd): ' doubled,
 * control characters written as \n, \r, \t or \xHH (gnuplot shows them as
 * such: it does not interpret backslashes in '...'). */
char *sb_figure_quote(const char *s);
/* Text for inside a double-quoted data-block string (malloc'd): " becomes
 * ', control characters as in sb_figure_quote. */
char *sb_figure_label(const char *s);

#endif
