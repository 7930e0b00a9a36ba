/* Command injection through `soupbench plot`: names read from a results
 * file must never reach gnuplot as commands. Each vector below is a place
 * where a name from the file ends up in a gnuplot script:
 *
 *   1. the /summary `rows` attribute (labels of the summary's data block),
 *      as a comma-separated string and as an array of strings;
 *   2. the root `experiment` attribute (every title);
 *   3. a Pareto dataset's `aspects` attribute (title and axis labels);
 *   4. a method group name (legend entries, the gap table's columns);
 *   5. a Pareto dataset name (the figure's file name: the output path);
 *
 * plus a spectrum's `label` attribute. Each payload ends its string or its
 * data block and runs `system "touch INJECTED"`. A control first writes
 * each payload unencoded into the context it targets and checks that
 * gnuplot then does create the marker, so the payloads are live; then
 * plotting the crafted files must leave no marker. Runs in a temporary
 * folder (gnuplot's `system` runs in the current folder). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "results.h"
#include "sb.h"

#define MARKER "INJECTED"

static char tmpdir[64], cwd[512];

/* ---- the payloads ------------------------------------------------- */

/* Ends a single-quoted string, then a line of its own with the command. */
static const char *const quoted_newline = "x'\nsystem \"touch " MARKER "\"\nprint '";
/* Ends a single-quoted string and concatenates a command's output. */
static const char *const quoted_concat = "x' . system(\"touch " MARKER "\") . '";
/* Ends a data-block label and the block itself (no comma: rows split on
 * commas). */
static const char *const block_end = "a\"\nEOD\nsystem \"touch " MARKER "\"\n$Z << EOD\n\"";

/* ---- gnuplot, directly (the controls) ------------------------------ */

static int run_gnuplot_script(const char *script)
{
    FILE *p = popen("gnuplot 2>/dev/null", "w");
    assert_non_null(p);
    fputs(script, p);
    return pclose(p);
}

static int marker_exists(void)
{
    struct stat st;
    return stat(MARKER, &st) == 0;
}

/* The payload written as it is into the context it targets: gnuplot runs
 * the command (the test would prove nothing otherwise). */
static void payloads_should_run_a_command_when_not_encoded(void **state)
{
    (void)state;
    char script[1024];
    const char *contexts[] = {"set title '%s'\n", "set xlabel 'expected %s reward'\n",
                              "plot sin(x) title '%s'\n", "set output '/dev/null/%s.png'\n"};
    const char *quoted[] = {quoted_newline, quoted_concat};
    for (size_t c = 0; c < sizeof contexts / sizeof contexts[0]; c++)
        for (int q = 0; q < 2; q++) {
            unlink(MARKER);
            snprintf(script, sizeof script, "set terminal dumb\nset output '/dev/null'\n");
            snprintf(script + strlen(script), sizeof script - strlen(script), contexts[c], quoted[q]);
            run_gnuplot_script(script);
            if (!marker_exists())
                fail_msg("control: payload %d did not run in context %zu:\n%s", q, c, script);
        }
    unlink(MARKER);
    snprintf(script, sizeof script,
             "set terminal dumb\nset output '/dev/null'\n$SUMMARY << EOD\n1 2 \"%s\"\nEOD\n", block_end);
    run_gnuplot_script(script);
    if (!marker_exists())
        fail_msg("control: the data-block payload did not run:\n%s", script);
    unlink(MARKER);
}

/* ---- crafted results files ---------------------------------------- */

static void write_provenance(SbResults *r, const char *experiment)
{
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    sb_results_attr_str(r, "/", "harness_version", SB_VERSION);
    sb_results_attr_str(r, "/", "experiment", experiment);
}

/* An 11-point Pareto table of a method for a pair; `aspects` the
 * attribute (NULL: none). */
static void write_pareto(SbResults *r, const char *method, const char *pair, const char *aspects)
{
    double t[11 * 7];
    for (int i = 0; i < 11; i++) {
        double w = i / 10.0, *row = t + i * 7;
        row[0] = 1 - w, row[1] = w;
        row[2] = cos(w * M_PI / 2), row[3] = sin(w * M_PI / 2);
        row[4] = 0.5, row[5] = 0.1 * i, row[6] = 1;
    }
    char path[512];
    snprintf(path, sizeof path, "/methods/%s/pareto/%s", method, pair);
    sb_results_write_table(r, path, 11, 7, t, "w_a,w_b,r_a,r_b,J,KL,nondominated", "pareto");
    double ref[2] = {0, 0};
    sb_results_attr_doubles(r, path, "reference_point", ref, 2);
    sb_results_attr_double(r, path, "hypervolume", 0.5);
    if (aspects)
        sb_results_attr_str(r, path, "aspects", aspects);
}

static void write_summary(SbResults *r, const char *rows)
{
    double s[2 * 3] = {0.1, 0.0, 0.2, 0.5, 0.4, 0.6};
    sb_results_write_table(r, "/summary", 2, 3, s, "J_mean,J_lo,J_hi", "summary");
    if (rows)
        sb_results_attr_str(r, "/summary", "rows", rows);
}

static void write_spectrum(SbResults *r, const char *label)
{
    double v[4] = {4, 3, 2, 1};
    sb_results_write_table(r, "/data/synthetic/spectrum", 4, 1, v, "singular_value", "s");
    if (label)
        sb_results_attr_str(r, "/data/synthetic/spectrum", "label", label);
}

/* A gap table whose method column is named by `method`. */
static void write_gap(SbResults *r, const char *method)
{
    double g[2 * 6] = {0, 0, 1, 0.1, 0.1, 0.2, 0, 0, 2, 0.2, 0.2, 0.3};
    char columns[512];
    snprintf(columns, sizeof columns, "misspecification,linear,horizon,residual,residual_exact,gap_%s",
             method);
    sb_results_write_table(r, "/gap/results", 2, 6, g, columns, "gap");
}

/* A 1-D attribute of variable-length strings, with raw HDF5. */
static void string_array_attr(const char *file, const char *obj, const char *name, int n,
                              const char **v)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    if (H5Aexists(o, name) > 0)
        H5Adelete(o, name);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t s = H5Screate_simple(1, dims, NULL), t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hid_t a = H5Acreate2(o, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Awrite(a, t, v) >= 0);
    H5Aclose(a), H5Tclose(t), H5Sclose(s), H5Oclose(o), H5Fclose(f);
}

/* Plot `file` (svg, into figs/NAME) with the real gnuplot; stdout and
 * stderr captured into err. Its exit code. */
static int plot_file(const char *file, char *err, size_t cap)
{
    char dir[256];
    snprintf(dir, sizeof dir, "figs/%s", file);
    char *argv[] = {"plot", (char *)file, "--outdir", dir, "--format", "svg"};
    fflush(stdout), fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int fd = open("plot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1), dup2(fd, 2), close(fd);
    int rc = sb_cmd_plot(6, argv);
    fflush(stdout), fflush(stderr);
    dup2(saved_out, 1), dup2(saved_err, 2), close(saved_out), close(saved_err);
    char *log = sb_read_file("plot.log", NULL);
    snprintf(err, cap, "%s", log ? log : "");
    free(log);
    return rc;
}

/* Plot the file; the marker must not appear, and the exit code is `want`. */
static void assert_not_injected(const char *file, int want, const char *must_say)
{
    char log[8192];
    unlink(MARKER);
    int rc = plot_file(file, log, sizeof log);
    if (marker_exists())
        fail_msg("%s: the injected command ran; plot said:\n%s", file, log);
    if (rc != want)
        fail_msg("%s: plot exited %d, expected %d:\n%s", file, rc, want, log);
    if (must_say && !strstr(log, must_say))
        fail_msg("%s: plot's messages lack \"%s\":\n%s", file, must_say, log);
}

/* Vector 1: the summary's row names. */
static void summary_rows_should_not_inject(void **state)
{
    (void)state;
    SbResults *r = sb_results_create("rows.h5");
    write_provenance(r, "rows");
    write_summary(r, block_end);
    sb_results_commit(r);
    assert_not_injected("rows.h5", SB_EXIT_OK, "summary.svg");

    r = sb_results_create("rows_array.h5");
    write_provenance(r, "rows");
    write_summary(r, NULL);
    sb_results_commit(r);
    const char *rows[] = {block_end, quoted_newline};
    string_array_attr("rows_array.h5", "/summary", "rows", 2, rows);
    assert_not_injected("rows_array.h5", SB_EXIT_OK, "summary.svg");
}

/* Vector 2: the experiment name, in every title. */
static void experiment_should_not_inject(void **state)
{
    (void)state;
    const char *payloads[] = {quoted_newline, quoted_concat};
    for (int i = 0; i < 2; i++) {
        SbResults *r = sb_results_create("experiment.h5");
        write_provenance(r, payloads[i]);
        write_pareto(r, "oracle", "a_b", "a,b");
        write_summary(r, "reference,oracle");
        write_spectrum(r, NULL);
        sb_results_commit(r);
        assert_not_injected("experiment.h5", SB_EXIT_OK, "pareto_a_b.svg");
    }
}

/* Vector 3: the aspect names of a Pareto table, comma-separated or an
 * array (which may hold commas). */
static void pareto_aspects_should_not_inject(void **state)
{
    (void)state;
    SbResults *r = sb_results_create("aspects.h5");
    write_provenance(r, "aspects");
    char aspects[256];
    snprintf(aspects, sizeof aspects, "%s,%s", quoted_newline, quoted_concat);
    write_pareto(r, "oracle", "a_b", aspects);
    sb_results_commit(r);
    assert_not_injected("aspects.h5", SB_EXIT_OK, "pareto_a_b.svg");

    r = sb_results_create("aspects_array.h5");
    write_provenance(r, "aspects");
    write_pareto(r, "oracle", "a_b", NULL);
    sb_results_commit(r);
    const char *v[] = {"x', system(\"touch " MARKER "\"), '", quoted_newline};
    string_array_attr("aspects_array.h5", "/methods/oracle/pareto/a_b", "aspects", 2, v);
    assert_not_injected("aspects_array.h5", SB_EXIT_OK, "pareto_a_b.svg");
}

/* Vector 4: a method's group name (legend entries) and the gap table's
 * method columns. */
static void method_names_should_not_inject(void **state)
{
    (void)state;
    const char *payloads[] = {quoted_newline, quoted_concat};
    for (int i = 0; i < 2; i++) {
        SbResults *r = sb_results_create("method.h5");
        write_provenance(r, "method");
        write_pareto(r, payloads[i], "a_b", "a,b");
        write_gap(r, payloads[i]);
        sb_results_commit(r);
        assert_not_injected("method.h5", SB_EXIT_OK, "gap.svg");
    }
}

/* Vector 5: a Pareto dataset's name, which names the figure's file: not
 * a safe name, so refused (exit 2) and its figure left out. */
static void pareto_dataset_name_should_not_inject(void **state)
{
    (void)state;
    const char *payloads[] = {quoted_newline, quoted_concat, "..", "-rf"};
    for (int i = 0; i < 4; i++) {
        SbResults *r = sb_results_create("pair.h5");
        write_provenance(r, "pair");
        write_pareto(r, "oracle", payloads[i], "a,b");
        write_pareto(r, "oracle", "a_b", "a,b"); /* a good pair is still drawn */
        sb_results_commit(r);
        assert_not_injected("pair.h5", SB_EXIT_USAGE, "its figure is left out");
        struct stat st;
        assert_int_equal(stat("figs/pair.h5/pareto_a_b.svg", &st), 0);
    }
}

/* A spectrum's label: free text, encoded. */
static void spectrum_label_should_not_inject(void **state)
{
    (void)state;
    SbResults *r = sb_results_create("label.h5");
    write_provenance(r, "label");
    write_spectrum(r, quoted_newline);
    sb_results_commit(r);
    assert_not_injected("label.h5", SB_EXIT_OK, "spectrum.svg");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    strcpy(tmpdir, "/tmp/sb_test_injection_XXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(cwd) != 0)
        return -1;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payloads_should_run_a_command_when_not_encoded),
        cmocka_unit_test(summary_rows_should_not_inject),
        cmocka_unit_test(experiment_should_not_inject),
        cmocka_unit_test(pareto_aspects_should_not_inject),
        cmocka_unit_test(method_names_should_not_inject),
        cmocka_unit_test(pareto_dataset_name_should_not_inject),
        cmocka_unit_test(spectrum_label_should_not_inject),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
