/* Results files are untrusted input: `soupbench info` and `plot` read
 * files crafted with raw HDF5 (link cycles, external links, wrong shapes,
 * out-of-range indices, oversized objects, terminal escapes in names) and
 * must end, without a memory fault, with exit 2 naming the HDF5 path and
 * what was expected, and show names escaped. Figures are handed to a
 * stand-in for gnuplot (sb_figure_set_runner) that keeps the scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "figure.h"
#include "results.h"
#include "sb.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[64][256];
    static int k;
    char *p = buf[k++ % 64];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    return p;
}

/* ---- building files with raw HDF5 ---------------------------------- */

static hid_t create(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "format_version", H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    long long v = 1;
    H5Awrite(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
    H5Sclose(s);
    return f;
}

static void group(hid_t f, const char *path)
{
    hid_t g = H5Gcreate2(f, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(g >= 0);
    H5Gclose(g);
}

static void str_attr(hid_t f, const char *obj, const char *name, const char *value)
{
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
    H5Tset_size(t, strlen(value) + 1);
    hid_t a = H5Acreate2(o, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, value);
    H5Aclose(a), H5Sclose(s), H5Tclose(t), H5Oclose(o);
}

/* A rows x cols float64 table (rank 1 when cols is 0) with its columns. */
static void table(hid_t f, const char *path, int rows, int cols, const double *v, const char *columns)
{
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
    hid_t s = H5Screate_simple(cols ? 2 : 1, dims, NULL);
    hid_t d = H5Dcreate2(f, path, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(d), H5Sclose(s);
    if (columns)
        str_attr(f, path, "columns", columns);
}

/* ---- running the commands ------------------------------------------ */

static char *scripts; /* every script the stand-in received */

static int keep_script(const char *script, const char *path)
{
    (void)path;
    size_t a = scripts ? strlen(scripts) : 0, b = strlen(script);
    scripts = sb_realloc(scripts, a + b + 1);
    memcpy(scripts + a, script, b + 1);
    return 0;
}

/* Run info or plot on file with stdout and stderr captured. */
static int run(int (*cmd)(int, char **), const char *file, char **out, char **err)
{
    char *argv_info[] = {"info", (char *)file};
    char *argv_plot[] = {"plot", (char *)file, "--outdir", (char *)tmp_path("figs")};
    const char *o = tmp_path("out.txt"), *e = tmp_path("err.txt");
    fflush(stdout), fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1), dup2(fe, 2), close(fo), close(fe);
    free(scripts);
    scripts = NULL;
    int rc = cmd == sb_cmd_info ? cmd(2, argv_info) : cmd(4, argv_plot);
    fflush(stdout), fflush(stderr);
    dup2(so, 1), dup2(se, 2), close(so), close(se);
    *out = sb_read_file(o, NULL);
    *err = sb_read_file(e, NULL);
    return rc;
}

static void expect(int (*cmd)(int, char **), const char *file, int want, const char *in_err)
{
    char *out, *err;
    int rc = run(cmd, file, &out, &err);
    if (rc != want || (in_err && !strstr(err, in_err)))
        fail_msg("%s %s: exit %d (expected %d); stderr lacks \"%s\"?\n%s", cmd == sb_cmd_info ? "info" : "plot",
                 file, rc, want, in_err ? in_err : "", err);
    free(out);
    free(err);
}

/* ---- the files ------------------------------------------------------ */

static void hard_link_cycle_should_end_with_exit_2(void **state)
{
    (void)state;
    const char *path = tmp_path("cycle.h5");
    hid_t f = create(path);
    group(f, "/data");
    group(f, "/data/inner");
    double v[3] = {3, 2, 1};
    table(f, "/data/inner/spectrum", 3, 0, v, "singular_value");
    assert_true(H5Lcreate_hard(f, "/", f, "/data/inner/loop", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    assert_true(H5Lcreate_hard(f, "/data", f, "/data/inner/up", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    H5Fclose(f);
    expect(sb_cmd_info, path, SB_EXIT_USAGE, "/data/inner/loop: expected a tree of groups, found a link back to /");
    expect(sb_cmd_plot, path, SB_EXIT_USAGE, "expected a tree of groups");
    assert_non_null(scripts); /* the spectrum is still drawn */
}

static void soft_link_cycle_should_end_with_exit_2(void **state)
{
    (void)state;
    const char *path = tmp_path("soft.h5");
    hid_t f = create(path);
    group(f, "/data");
    assert_true(H5Lcreate_soft("/data", f, "/data/again", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    assert_true(H5Lcreate_soft("/nowhere", f, "/data/dangling", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    H5Fclose(f);
    expect(sb_cmd_info, path, SB_EXIT_USAGE, "found a link back to /data");
    expect(sb_cmd_plot, path, SB_EXIT_USAGE, "expected a tree of groups");
}

/* Written by setup, before the first reader turns external links off. */
static void write_external_link_file(const char *path, const char *other)
{
    hid_t g = create(other);
    group(g, "/secret");
    str_attr(g, "/secret", "description", "THE OTHER FILE");
    H5Fclose(g);
    hid_t f = create(path);
    assert_true(H5Lcreate_external(other, "/secret", f, "/linked", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    H5Fclose(f);
}

/* An external link names another file: never opened. */
static void external_link_should_not_be_followed(void **state)
{
    (void)state;
    const char *path = tmp_path("external.h5");
    char *out, *err;
    assert_int_equal(run(sb_cmd_info, path, &out, &err), SB_EXIT_USAGE);
    assert_null(strstr(out, "THE OTHER FILE"));
    assert_non_null(strstr(err, "/linked: cannot open"));
    free(out), free(err);
}

/* Tables of the wrong shape or with values out of range are reported and
 * left out; the command ends. */
static void wrong_shapes_should_be_reported_not_used(void **state)
{
    (void)state;
    const char *path = tmp_path("shapes.h5");
    hid_t f = create(path);
    group(f, "/methods");
    group(f, "/methods/oracle");
    group(f, "/basis");
    group(f, "/basis/lora");
    double two[4] = {1, 2, 3, 4};
    /* an online table without the columns a curve needs */
    table(f, "/methods/oracle/online", 2, 2, two, "t,x");
    /* a columns attribute naming more columns than there are */
    table(f, "/summary", 2, 2, two, "J_mean,J_lo,J_hi");
    /* LoRA spectra with a negative policy index and a NaN layer */
    double lora[2 * 4] = {-1, 0, 1, 0.5, 0, 0.0 / 0.0, 1, 0.5};
    table(f, "/basis/lora/update_spectra", 2, 4, lora, "policy,layer,sv_1,sv_2");
    /* a gap table narrower than its fixed columns */
    table(f, "/gap", 2, 2, two, "misspecification,linear");
    H5Fclose(f);
    expect(sb_cmd_plot, path, SB_EXIT_USAGE, "/summary: its columns attribute names 3 columns, the dataset has 2");
    expect(sb_cmd_plot, path, SB_EXIT_USAGE, "/basis/lora/update_spectra: expected whole numbers");
    expect(sb_cmd_info, path, SB_EXIT_USAGE, "/summary: its columns attribute names 3 columns");
}

/* An online table whose t column would make the tic loop run forever. */
static void huge_online_times_should_not_hang(void **state)
{
    (void)state;
    const char *path = tmp_path("times.h5");
    hid_t f = create(path);
    group(f, "/methods");
    group(f, "/methods/oracle");
    double rows[3 * 4] = {0, 1, 0, 2, 2147483647.0, 1, 0, 2, 1e300, 1, 0, 2};
    table(f, "/methods/oracle/online", 3, 4, rows, "t,normalized_mean,normalized_lo,normalized_hi");
    H5Fclose(f);
    expect(sb_cmd_plot, path, SB_EXIT_OK, NULL);
    assert_non_null(strstr(scripts, "\"1048576\" 1048576")); /* tics capped at 2^20 */
}

/* Shapes a reader may not allocate: refused before reading. */
static void oversized_objects_should_be_refused(void **state)
{
    (void)state;
    const char *path = tmp_path("huge.h5");
    hid_t f = create(path);
    /* 2^20 x 2^20 doubles (8 TiB) declared, chunked, never written */
    hsize_t dims[2] = {1 << 20, 1 << 20}, chunk[2] = {64, 64};
    hid_t s = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    hid_t d = H5Dcreate2(f, "/summary", H5T_IEEE_F64LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    assert_true(d >= 0);
    H5Dclose(d), H5Pclose(dcpl), H5Sclose(s);
    /* an attribute of 9 Mi one-byte integers: 72 MiB once read as int64 */
    hsize_t n = 9 << 20;
    char *bytes = calloc(n, 1);
    s = H5Screate_simple(1, &n, NULL);
    hid_t o = H5Oopen(f, "/", H5P_DEFAULT), acpl = H5Pcreate(H5P_OBJECT_CREATE);
    hid_t a = H5Acreate2(o, "seed", H5T_STD_I8LE, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) { /* needs dense attribute storage (the 1.8 format) */
        H5Awrite(a, H5T_NATIVE_CHAR, bytes);
        H5Aclose(a);
    }
    H5Pclose(acpl), H5Oclose(o), H5Sclose(s);
    free(bytes);
    H5Fclose(f);
    char expected[128];
    snprintf(expected, sizeof expected, "/summary: expected at most %d values, found 1048576 x 1048576",
             SB_RESULTS_MAX_ELEMENTS);
    expect(sb_cmd_info, path, SB_EXIT_USAGE, expected);
    expect(sb_cmd_plot, path, SB_EXIT_USAGE, expected);
}

/* Names and strings with terminal control sequences and bytes that are
 * not UTF-8 are shown escaped. */
static void names_should_reach_the_terminal_escaped(void **state)
{
    (void)state;
    const char *path = tmp_path("escape.h5");
    hid_t f = create(path);
    group(f, "/\x1b]0;owned\x07group");
    str_attr(f, "/", "experiment", "red\x1b[31m\xff\xfe\xc2\x9b" "2J");
    double v[2] = {1, 2};
    table(f, "/summary", 2, 0, v, "J_mean");
    str_attr(f, "/summary", "rows", "a\x1b[2Jb,c");
    H5Fclose(f);
    char *out, *err;
    assert_int_equal(run(sb_cmd_info, path, &out, &err), SB_EXIT_OK);
    assert_null(strchr(out, '\x1b'));
    assert_null(strchr(out, '\x07'));
    assert_null(strstr(out, "\xc2\x9b"));
    assert_non_null(strstr(out, "\\x1B]0;owned\\x07group/"));
    assert_non_null(strstr(out, "red\\x1B[31m\\xFF\\xFE\\u009B2J"));
    assert_non_null(strstr(out, "a\\x1B[2Jb"));
    free(out), free(err);
}

static void bad_format_version_should_be_refused(void **state)
{
    (void)state;
    const char *path = tmp_path("version.h5");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "format_version", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    double nan = 0.0 / 0.0;
    H5Awrite(a, H5T_NATIVE_DOUBLE, &nan);
    H5Aclose(a), H5Sclose(s), H5Fclose(f);
    expect(sb_cmd_info, path, SB_EXIT_USAGE, "format_version': expected an integer >= 1");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/sb_test_hostile_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sb_figure_set_runner(keep_script);
    write_external_link_file(tmp_path("external.h5"), tmp_path("other.h5"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(scripts);
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hard_link_cycle_should_end_with_exit_2),
        cmocka_unit_test(soft_link_cycle_should_end_with_exit_2),
        cmocka_unit_test(external_link_should_not_be_followed),
        cmocka_unit_test(wrong_shapes_should_be_reported_not_used),
        cmocka_unit_test(huge_online_times_should_not_hang),
        cmocka_unit_test(oversized_objects_should_be_refused),
        cmocka_unit_test(names_should_reach_the_terminal_escaped),
        cmocka_unit_test(bad_format_version_should_be_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
