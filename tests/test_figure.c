/* Tests of the gnuplot figure builder (harness/cli/figure.c): the text of
 * the scripts it writes, against scripts written out by hand, and the
 * encoding of names from a results file so that none can end a string or
 * a data block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "sb.h"

static void figure_quote_should_double_quotes_and_show_control_characters(void **state)
{
    (void)state;
    char *q = sb_figure_quote("it's a\nname\twith\r\x01 bytes, \"and\" @macros");
    assert_string_equal(q, "it''s a\\nname\\twith\\r\\x01 bytes, \"and\" @macros");
    free(q);
    q = sb_figure_quote("");
    assert_string_equal(q, "");
    free(q);
}

static void figure_label_should_replace_double_quotes_and_newlines(void **state)
{
    (void)state;
    char *l = sb_figure_label("a \"b\"\nEOD\nc's");
    assert_string_equal(l, "a 'b'\\nEOD\\nc's");
    free(l);
}

/* The body of a figure: the script after the common template. */
static char *body_of(SbFigure *f)
{
    char *script = sb_figure_script(f, "png", "out.png");
    const char *marker = "set pointsize 1.4\n"; /* the last line of plots/common.gp */
    char *at = strstr(script, marker);
    assert_non_null(at);
    char *body = sb_strdup(at + strlen(marker));
    free(script);
    return body;
}

static void figure_should_write_blocks_and_series_as_gnuplot(void **state)
{
    (void)state;
    SbFigure *f = sb_figure_begin();
    double m[6] = {1, 0.5, 1e-17, 2, 1.0 / 0.0, -3.25};
    sb_figure_block(f, "B0", 2, 3, m, NULL);
    sb_figure_series(f, &(SbSeries){.block = "B0", .x = 1, .y = 2, .style = "points pt 7",
                                    .rgb = 0xd62728, .title = "it's"});
    sb_figure_series(f, &(SbSeries){.block = "B0", .x = 1, .lo = 2, .hi = 3,
                                    .style = "filledcurves", .rgb = 0x1f});
    sb_figure_series(f, &(SbSeries){.block = "B0", .x = 1, .y = 2, .lo = 3, .hi = 4,
                                    .right_axis = 1, .style = "yerrorlines", .rgb = 0});
    assert_int_equal(sb_figure_pending(f), 3);
    sb_figure_plot(f);
    assert_int_equal(sb_figure_pending(f), 0);
    sb_figure_command(f, "set title '%s'", "t");
    char *labels[] = {"one \"1\"", "two\nEOD"};
    sb_figure_block(f, "L", 2, 1, m, labels);
    char *body = body_of(f);
    assert_string_equal(body,
                        "$B0 << EOD\n"
                        "1 0.5 1.0000000000000001e-17\n"
                        "2 NaN -3.25\n"
                        "EOD\n"
                        "plot $B0 using 1:2 with points pt 7 lc rgb '#d62728' title 'it''s', \\\n"
                        "     $B0 using 1:2:3 with filledcurves lc rgb '#00001f' notitle, \\\n"
                        "     $B0 using 1:2:3:4 axes x1y2 with yerrorlines lc rgb '#000000' "
                        "notitle\n"
                        "set title 't'\n"
                        "$L << EOD\n"
                        "1 \"one '1'\"\n"
                        "0.5 \"two\\nEOD\"\n"
                        "EOD\n");
    free(body);
    sb_figure_free(f);
}

static void figure_template_should_fill_keys_and_the_pending_plot(void **state)
{
    (void)state;
    SbFigure *f = sb_figure_begin();
    double m[2] = {1, 2};
    sb_figure_block(f, "S0", 1, 2, m, NULL);
    sb_figure_series(f, &(SbSeries){.block = "S0", .x = 1, .y = 2, .style = "lines",
                                    .rgb = 0x123456, .title = "a"});
    const char *keys[] = {"TITLE"}, *vals[] = {"T: x''y"};
    sb_figure_template(f, "spectrum", 1, keys, vals);
    assert_int_equal(sb_figure_pending(f), 0);
    char *body = body_of(f);
    assert_non_null(strstr(body, "\nset title 'T: x''y'\n"));
    /* the template's comments keep their placeholders */
    assert_non_null(strstr(body, "# plot.c writes the data blocks and @PLOT@."));
    const char *plot = "\nplot $S0 using 1:2 with lines lc rgb '#123456' title 'a'\n";
    assert_non_null(strstr(body, plot));
    free(body);

    /* The common template: the output path quoted, the format as given. */
    char *script = sb_figure_script(f, "svg", "/tmp/it's.svg");
    assert_non_null(strstr(script, "set output '/tmp/it''s.svg'\n"));
    assert_non_null(strstr(script, "fmt = 'svg'\n"));
    free(script);
    sb_figure_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figure_quote_should_double_quotes_and_show_control_characters),
        cmocka_unit_test(figure_label_should_replace_double_quotes_and_newlines),
        cmocka_unit_test(figure_should_write_blocks_and_series_as_gnuplot),
        cmocka_unit_test(figure_template_should_fill_keys_and_the_pending_plot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
