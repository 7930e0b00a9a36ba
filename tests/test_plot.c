/* Tests of the commands that read results files: `soupbench plot` (figures
 * drawn by gnuplot) and `soupbench info`. The fixture is a small results
 * file written with the layout of results/README.md: two methods with a
 * Pareto table for one aspect pair, a budget sweep, two spectra and a
 * summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "results.h"
#include "sb.h"

static char tmpdir[64];
static char fixture[128]; /* full layout */
static char bare[128];    /* provenance and one spectrum only */
static char hostile[128]; /* names with quotes and newlines */
static char malformed[128]; /* /summary is a group */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void write_provenance(SbResults *r)
{
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    sb_results_attr_str(r, "/", "harness_version", SB_VERSION);
    sb_results_attr_str(r, "/", "git_commit", "0123456789ab");
    sb_results_attr_str(r, "/", "created_utc", "2025-01-01T00:00:00Z");
    sb_results_attr_str(r, "/", "command_line", "soupbench run test.json");
    sb_results_attr_str(r, "/", "config", "{\"name\": \"plot_test\"}");
    sb_results_attr_int(r, "/", "seed", 1234567890123LL);
    sb_results_attr_str(r, "/", "blas_vendor", "OpenBLAS");
    sb_results_attr_int(r, "/", "blas_threads", 1);
    sb_results_attr_str(r, "/", "experiment", "plot_test");
}

/* A pareto table over an 11-point grid: w, the aspect values on an arc
 * (scaled by `shrink`), J, KL and the non-dominated flag. */
static void write_pareto(SbResults *r, const char *method, double shrink, int dominated_every)
{
    double t[11 * 7];
    for (int i = 0; i < 11; i++) {
        double w = i / 10.0, th = w * M_PI / 2;
        double *row = t + i * 7;
        row[0] = 1 - w;
        row[1] = w;
        row[2] = shrink * cos(th) + 0.1;
        row[3] = shrink * sin(th) - 0.2;
        row[4] = row[0] * row[2] + row[1] * row[3];
        row[5] = 0.05 * i;
        row[6] = dominated_every && i % dominated_every == 1 ? 0 : 1;
        if (row[6] == 0) { /* pull it inside the front */
            row[2] -= 0.3;
            row[3] -= 0.3;
        }
    }
    char path[128];
    snprintf(path, sizeof path, "/methods/%s/pareto/helpfulness_conciseness", method);
    sb_results_write_table(r, path, 11, 7, t,
                           "w_helpfulness,w_conciseness,r_helpfulness,r_conciseness,J,KL,"
                           "nondominated",
                           "Pareto sweep of the weights over the aspect pair");
    double ref[2] = {0.1, -0.2};
    sb_results_attr_doubles(r, path, "reference_point", ref, 2);
    sb_results_attr_double(r, path, "hypervolume", 0.5 * shrink);
    sb_results_attr_str(r, path, "aspects", "helpfulness,conciseness");
    snprintf(path, sizeof path, "/methods/%s", method);
    sb_results_attr_str(r, path, "description", method);
}

static void write_spectrum(SbResults *r, const char *path, int n, double decay)
{
    double *s = sb_zeros(n);
    for (int i = 0; i < n; i++)
        s[i] = 10 * exp(-decay * i);
    s[n - 1] = 0; /* an exact zero: must not break the log axis */
    sb_results_write_table(r, path, n, 1, s, "singular_value", "singular values, descending");
    free(s);
}

/* A proposal-budget sweep (methods/README.md) under /methods/<method>:
 * M = 1, 4, 16 and the columns the figure reads, plus one it does not. */
static void write_budget_sweep(SbResults *r, const char *method, int drop_a_column)
{
    double t[3 * 9] = {
        1,  0,  0,  0,  0.53, 0.52, 0.47,  0.46,  0.7, /* pi_ref */
        4,  104, 103, 105, 0.50, 0.51, 0.08, 0.08, 0.04,
        16, 100, 100, 100, 0.49, 0.49, 0.001, 0.001, 7e-5,
    };
    char path[128];
    snprintf(path, sizeof path, "/methods/%s/budget_sweep", method);
    sb_results_write_table(r, path, 3, 9, t,
                           drop_a_column ? "M,gain_share_mean,gain_share_lo,gain_share_hi,acceptance_exact,"
                                           "acceptance_measured,fallback_rate_exact,x,kl_to_target"
                                         : "M,gain_share_mean,gain_share_lo,gain_share_hi,acceptance_exact,"
                                           "acceptance_measured,fallback_rate_exact,fallback_rate_measured,"
                                           "kl_to_target",
                           "a sampler's budget sweep");
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/sb_test_plot_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(fixture, sizeof fixture, "%s/fixture.h5", tmpdir);
    snprintf(bare, sizeof bare, "%s/bare.h5", tmpdir);

    SbResults *r = sb_results_create(fixture);
    write_provenance(r);
    sb_results_attr_str(r, "/data/synthetic", "description", "synthetic tree MDP");
    sb_results_attr_double(r, "/data/synthetic", "beta", 0.1);
    write_spectrum(r, "/data/synthetic/spectrum", 16, 0.5);
    write_spectrum(r, "/data/synthetic/feature_spectrum", 8, 1.0);
    write_pareto(r, "oracle", 1.0, 0);
    write_pareto(r, "spectral_soup", 0.9, 3);
    write_budget_sweep(r, "spectral_soup", 0);
    double summary[3 * 7] = {
        0.00, -0.02, 0.02, 0.0, 0.50, 0.45, 0.55, /* reference */
        0.80, 0.70, 0.90, 0.4, 0.80, 0.75, 0.85,  /* oracle */
        0.65, 0.50, 0.78, 0.5, 0.72, 0.66, 0.78,  /* spectral_soup */
    };
    sb_results_write_table(r, "/summary", 3, 7, summary,
                           "J_mean,J_lo,J_hi,KL_mean,winrate_mean,winrate_lo,winrate_hi",
                           "per-method means over held-out users with 95% bootstrap CIs");
    sb_results_attr_str(r, "/summary", "rows", "reference,oracle,spectral_soup");
    sb_results_commit(r);

    r = sb_results_create(bare);
    write_provenance(r);
    write_spectrum(r, "/data/synthetic/spectrum", 12, 0.3);
    sb_results_commit(r);

    /* Names that would end a gnuplot string or data block, and run a
     * command after it, if written as they are. */
    snprintf(hostile, sizeof hostile, "%s/hostile.h5", tmpdir);
    r = sb_results_create(hostile);
    write_provenance(r);
    sb_results_attr_str(r, "/", "experiment", "it's'\nquit\n'");
    write_pareto(r, "o'k\nquit\n", 1.0, 3);
    write_spectrum(r, "/data/synthetic/spectrum", 8, 0.5);
    sb_results_attr_str(r, "/data/synthetic/spectrum", "label", "x'\nquit\n'");
    sb_results_write_table(r, "/summary", 3, 7, summary,
                           "J_mean,J_lo,J_hi,KL_mean,winrate_mean,winrate_lo,winrate_hi", "s");
    sb_results_attr_str(r, "/summary", "rows", "a\"\nEOD\nquit\n,b'\nquit,c");
    sb_results_commit(r);

    snprintf(malformed, sizeof malformed, "%s/malformed.h5", tmpdir);
    r = sb_results_create(malformed);
    write_provenance(r);
    write_spectrum(r, "/data/synthetic/spectrum", 8, 0.5);
    write_spectrum(r, "/summary/J", 3, 0.5); /* a group where a table belongs */
    write_budget_sweep(r, "spectral_soup", 1); /* a column missing */
    sb_results_commit(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run a command with stdout captured into a malloc'd string. */
static int run_captured(int (*cmd)(int, char **), int argc, char **argv, char **out)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stdout.txt", tmpdir);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    int rc = cmd(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    *out = sb_read_file(path, NULL);
    return rc;
}

/* Run a command with stderr captured into a malloc'd string. */
static int run_stderr_captured(int (*cmd)(int, char **), int argc, char **argv, char **err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", tmpdir);
    char *out = NULL;
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    int rc = run_captured(cmd, argc, argv, &out);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    free(out);
    *err = sb_read_file(path, NULL);
    return rc;
}

/* The file exists, is non-empty and starts like a file of its format. */
static void assert_figure(const char *dir, const char *name, const char *ext)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    size_t n = 0;
    char *data = sb_read_file(path, &n);
    if (!data)
        fail_msg("figure %s was not written", path);
    assert_true(n > 100);
    if (strcmp(ext, "png") == 0)
        assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);
    else if (strcmp(ext, "svg") == 0)
        assert_true(strncmp(data, "<?xml", 5) == 0 || strncmp(data, "<svg", 4) == 0);
    else
        assert_memory_equal(data, "%PDF", 4);
    free(data);
}

static int file_exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void plot_should_write_every_figure_in_each_format(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/figs/nested", tmpdir); /* created by plot */
    char *argv[] = {"plot", fixture, "--outdir", dir, "--format", "png,svg"};
    char *out = NULL;
    assert_int_equal(run_captured(sb_cmd_plot, 6, argv, &out), SB_EXIT_OK);
    const char *figures[] = {"pareto_helpfulness_conciseness", "spectrum", "summary", "implicit_budget"};
    for (int i = 0; i < 4; i++) {
        assert_figure(dir, figures[i], "png");
        assert_figure(dir, figures[i], "svg");
        char line[256]; /* each written path is printed */
        snprintf(line, sizeof line, "%s/%s.png\n", dir, figures[i]);
        assert_non_null(strstr(out, line));
    }
    free(out);
}

static void plot_should_write_pdf(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/pdf", tmpdir);
    char opt[160]; /* the joined --option=value forms */
    snprintf(opt, sizeof opt, "--outdir=%s", dir);
    char *argv[] = {"plot", fixture, opt, "--format=pdf"};
    char *out = NULL;
    assert_int_equal(run_captured(sb_cmd_plot, 4, argv, &out), SB_EXIT_OK);
    assert_figure(dir, "summary", "pdf");
    assert_false(file_exists(dir, "summary.png"));
    free(out);
}

static void plot_should_skip_figures_without_data(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/bare", tmpdir);
    char *argv[] = {"plot", bare, "--outdir", dir};
    char *out = NULL;
    assert_int_equal(run_captured(sb_cmd_plot, 4, argv, &out), SB_EXIT_OK);
    assert_figure(dir, "spectrum", "png");
    assert_false(file_exists(dir, "summary.png"));
    assert_false(file_exists(dir, "pareto_helpfulness_conciseness.png"));
    free(out);
}

static void plot_should_default_to_plots_folder_named_after_file(void **state)
{
    (void)state;
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    char *argv[] = {"plot", bare};
    char *out = NULL;
    int rc = run_captured(sb_cmd_plot, 2, argv, &out);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, SB_EXIT_OK);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/plots/bare", tmpdir);
    assert_figure(dir, "spectrum", "png");
    assert_string_equal(out, "plots/bare/spectrum.png\n");
    free(out);
}

static void plot_should_return_2_on_bad_usage(void **state)
{
    (void)state;
    char *out = NULL;
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.h5", tmpdir);
    char *a1[] = {"plot"};
    char *a2[] = {"plot", fixture, "--format", "gif"};
    char *a3[] = {"plot", fixture, "--bogus"};
    char *a4[] = {"plot", missing};
    char *a5[] = {"plot", fixture, "--outdir"};
    char *a6[] = {"plot", "--help"};
    int saved = dup(2); /* the usage messages are expected: silence them */
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
    int rc[5] = {sb_cmd_plot(1, a1), sb_cmd_plot(4, a2), sb_cmd_plot(3, a3), sb_cmd_plot(2, a4),
                 sb_cmd_plot(3, a5)};
    dup2(saved, 2);
    close(saved);
    for (int i = 0; i < 5; i++)
        assert_int_equal(rc[i], SB_EXIT_USAGE);
    assert_int_equal(run_captured(sb_cmd_plot, 2, a6, &out), SB_EXIT_OK);
    assert_non_null(strstr(out, "usage: soupbench plot"));
    free(out);
}

/* A name that ended its string early would run `quit` before the plot:
 * gnuplot would then draw nothing and the figure would fail. */
static void plot_should_encode_names_from_the_file(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/hostile", tmpdir);
    char *argv[] = {"plot", hostile, "--outdir", dir, "--format", "svg"};
    char *err = NULL;
    assert_int_equal(run_stderr_captured(sb_cmd_plot, 6, argv, &err), SB_EXIT_OK);
    free(err);
    const char *figures[] = {"pareto_helpfulness_conciseness", "spectrum", "summary"};
    for (int i = 0; i < 3; i++)
        assert_figure(dir, figures[i], "svg");
    /* The names are shown, encoded: in '...' as written; gnuplot breaks
     * tic labels (the summary's rows) at \n, and draws the row after. */
    char path[256];
    snprintf(path, sizeof path, "%s/summary.svg", dir);
    char *svg = sb_read_file(path, NULL);
    assert_non_null(strstr(svg, ">EOD</text>"));
    assert_non_null(strstr(svg, ">c</text>"));
    free(svg);
    snprintf(path, sizeof path, "%s/pareto_helpfulness_conciseness.svg", dir);
    svg = sb_read_file(path, NULL);
    assert_non_null(strstr(svg, "o'k\\nquit\\n (HV 0.5)"));
    free(svg);
}

static void plot_should_report_malformed_data_and_draw_the_rest(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/malformed", tmpdir);
    char *argv[] = {"plot", malformed, "--outdir", dir};
    char *err = NULL;
    assert_int_equal(run_stderr_captured(sb_cmd_plot, 4, argv, &err), SB_EXIT_USAGE);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: /summary: expected a dataset, found a group",
             malformed);
    if (!strstr(err, expected))
        fail_msg("stderr lacks \"%s\":\n%s", expected, err);
    snprintf(expected, sizeof expected, "%s: /methods/spectral_soup/budget_sweep: expected the columns M, ",
             malformed);
    if (!strstr(err, expected))
        fail_msg("stderr lacks \"%s\":\n%s", expected, err);
    free(err);
    assert_figure(dir, "spectrum", "png");
    assert_false(file_exists(dir, "summary.png"));
    assert_false(file_exists(dir, "implicit_budget.png"));
}

static void info_should_print_provenance_tree_and_summary(void **state)
{
    (void)state;
    char *argv[] = {"info", fixture};
    char *out = NULL;
    assert_int_equal(run_captured(sb_cmd_info, 2, argv, &out), SB_EXIT_OK);
    const char *expected[] = {
        "git_commit       0123456789ab",
        "seed             1234567890123", /* int64 printed exactly */
        "experiment       plot_test",
        "helpfulness_conciseness",
        "float64  11 x 7",
        "Pareto sweep of the weights over the aspect pair",
        "@hypervolume = 0.5",
        "spectrum", /* 1-D */
        "float64  16 ",
        "spectral_soup",
        "J_mean",
        "winrate_hi",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(out, expected[i]))
            fail_msg("info output lacks \"%s\":\n%s", expected[i], out);
    assert_null(strstr(out, "\"name\"")); /* config only with --config */
    /* The summary names its rows from the `rows` attribute. */
    const char *table = strstr(out, "summary (");
    assert_non_null(table);
    assert_non_null(strstr(table, "\n  oracle "));
    free(out);

    char *argv2[] = {"info", "--config", fixture};
    assert_int_equal(run_captured(sb_cmd_info, 3, argv2, &out), SB_EXIT_OK);
    assert_non_null(strstr(out, "{\"name\": \"plot_test\"}"));
    free(out);
}

static void info_should_return_2_for_missing_file_or_bad_usage(void **state)
{
    (void)state;
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.h5", tmpdir);
    char *a1[] = {"info", missing};
    char *a2[] = {"info"};
    char *a3[] = {"info", fixture, "--bogus"};
    char *a4[] = {"info", "--help"};
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
    int rc[3] = {sb_cmd_info(2, a1), sb_cmd_info(1, a2), sb_cmd_info(3, a3)};
    dup2(saved, 2);
    close(saved);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rc[i], SB_EXIT_USAGE);
    char *out = NULL;
    assert_int_equal(run_captured(sb_cmd_info, 2, a4, &out), SB_EXIT_OK);
    assert_non_null(strstr(out, "usage: soupbench info"));
    free(out);
}

static void info_should_report_a_malformed_summary(void **state)
{
    (void)state;
    char *argv[] = {"info", malformed};
    char *err = NULL;
    assert_int_equal(run_stderr_captured(sb_cmd_info, 2, argv, &err), SB_EXIT_USAGE);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: /summary: expected a dataset, found a group",
             malformed);
    if (!strstr(err, expected))
        fail_msg("stderr lacks \"%s\":\n%s", expected, err);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plot_should_write_every_figure_in_each_format),
        cmocka_unit_test(plot_should_write_pdf),
        cmocka_unit_test(plot_should_skip_figures_without_data),
        cmocka_unit_test(plot_should_default_to_plots_folder_named_after_file),
        cmocka_unit_test(plot_should_return_2_on_bad_usage),
        cmocka_unit_test(plot_should_encode_names_from_the_file),
        cmocka_unit_test(plot_should_report_malformed_data_and_draw_the_rest),
        cmocka_unit_test(info_should_print_provenance_tree_and_summary),
        cmocka_unit_test(info_should_return_2_for_missing_file_or_bad_usage),
        cmocka_unit_test(info_should_report_a_malformed_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
