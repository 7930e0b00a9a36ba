/* soupbench fuzz targets of the results-file readers: run `info` and
 * `plot` on a file, plot's gnuplot scripts checked instead of drawn.
 *
 * The check is the injection oracle: outside data blocks, nothing but the
 * templates' own text may stand outside single-quoted strings (no
 * `system`, no backquote: gnuplot runs both), every single-quoted string
 * ends on its line, and data blocks hold numbers and at most one
 * double-quoted label per line, and end with EOD. */
#ifndef SB_FUZZ_RESULTS_CHECK_H
#define SB_FUZZ_RESULTS_CHECK_H

#include <ctype.h>

#include "commands.h"
#include "figure.h"
#include "fuzz.h"

static void script_fail(const char *why, const char *line, const char *script)
{
    fprintf(stderr, "fuzz: gnuplot script: %s at line: %.200s\n--- script ---\n%s\n", why, line, script);
    abort();
}

/* A data line: numbers ("NaN" included), then at most one "label". */
static void check_data_line(const char *l, size_t n, const char *script)
{
    size_t i = 0;
    while (i < n && l[i] != '"') {
        char c = l[i++];
        if (!(isdigit((unsigned char)c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c == ' ' ||
              c == 'N' || c == 'a'))
            script_fail("a data line holds something else than numbers", l, script);
    }
    if (i == n)
        return;
    size_t close = i + 1;
    while (close < n && l[close] != '"')
        close++;
    if (close + 1 != n)
        script_fail("a data label does not end the line", l, script);
    for (size_t k = i + 1; k < close; k++)
        if ((unsigned char)l[k] < 0x20)
            script_fail("a control character in a data label", l, script);
}

/* A command line: outside '...' no system or backquote, and every '...'
 * ends on the line ('' is a quote inside one). */
static void check_command_line(const char *l, size_t n, const char *script)
{
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        if (quoted) {
            if (l[i] == '\'' && i + 1 < n && l[i + 1] == '\'')
                i++;
            else if (l[i] == '\'')
                quoted = 0;
            continue;
        }
        if (l[i] == '\'')
            quoted = 1;
        else if (l[i] == '`')
            script_fail("a backquote outside a string", l, script);
        else if (n - i >= 6 && memcmp(l + i, "system", 6) == 0)
            script_fail("system outside a string", l, script);
    }
    if (quoted)
        script_fail("a string does not end on its line", l, script);
}

static long scripts_checked; /* SB_FUZZ_STATS=1: printed at exit */

static void print_stats(void) { fprintf(stderr, "fuzz: %ld gnuplot scripts checked\n", scripts_checked); }

static char outdir[128];

/* plot makes the folder; the stand-in for gnuplot writes nothing in it */
static void remove_outdir(void) { rmdir(outdir); }

static int check_script(const char *script, const char *path)
{
    (void)path;
    scripts_checked++;
    int in_block = 0;
    for (const char *l = script; *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        if (in_block) {
            if (n == 3 && memcmp(l, "EOD", 3) == 0)
                in_block = 0;
            else
                check_data_line(l, n, script);
        } else if (n > 8 && l[0] == '$' && memcmp(l + n - 7, " << EOD", 7) == 0) {
            for (size_t i = 1; i < n - 7; i++)
                if (!isalnum((unsigned char)l[i]) && l[i] != '_')
                    script_fail("a data block name", l, script);
            in_block = 1;
        } else if (l[strspn(l, " ")] == '#' && !(n > 0 && l[n - 1] == '\\')) {
            /* a template's comment (not continued on the next line) */
        } else {
            check_command_line(l, n, script);
        }
        l += n + (nl != NULL);
    }
    if (in_block)
        script_fail("a data block does not end", "", script);
    return 0;
}

/* info, then plot (into a folder of this process), on the file. */
static void run_info_and_plot(const char *file)
{
    if (!outdir[0]) {
        snprintf(outdir, sizeof outdir, "/tmp/sb_fuzz_%ld_figs", (long)getpid());
        sb_figure_set_runner(check_script);
        atexit(remove_outdir);
        if (getenv("SB_FUZZ_STATS"))
            atexit(print_stats);
    }
    char *info[] = {"info", (char *)file, "--config"};
    char *plot[] = {"plot", (char *)file, "--outdir", outdir, "--format", "png,svg"};
    FUZZ_TRY(sb_cmd_info(3, info));
    FUZZ_TRY(sb_cmd_plot(6, plot));
}

#endif
