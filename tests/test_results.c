/* Tests of the HDF5 results file (harness/results.c): round trips, the
 * attributes every dataset carries, chunking and compression, the
 * temporary-name protocol, and what the reader refuses. Layout properties
 * are checked with the HDF5 API directly, independently of the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ftw.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results.h"
#include "sb.h"

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/sb_test_results_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the test's temporary folder. */
static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    return p;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static const char *tmp_name_of(const char *path)
{
    static char buf[300];
    snprintf(buf, sizeof buf, "%s.tmp.%ld", path, (long)getpid());
    return buf;
}

/* A results file with the root attribute that makes it a soupbench file. */
static SbResults *new_results(const char *path)
{
    SbResults *r = sb_results_create(path);
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    return r;
}

static void results_write_table_should_round_trip_values_and_shape(void **state)
{
    (void)state;
    const char *path = tmp_path("table.h5");
    double t[6] = {1.5, -2.0, 3.25, 1e-300, 0.0, 7.0};
    double v[3] = {10, 20, 30};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/data/x/table", 2, 3, t, "a,b,c", "a 2 x 3 table");
    sb_results_write_table(r, "/data/x/vector", 3, 1, v, "v", "a vector");
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    assert_non_null(rd);
    int rows = 0, cols = 0;
    double *got = sb_results_read_table(rd, "/data/x/table", &rows, &cols);
    assert_non_null(got);
    assert_int_equal(rows, 2);
    assert_int_equal(cols, 3);
    for (int i = 0; i < 6; i++)
        assert_true(got[i] == t[i]); /* bit-exact: float64 both ways */
    free(got);
    got = sb_results_read_table(rd, "/data/x/vector", &rows, &cols);
    assert_non_null(got);
    assert_int_equal(rows, 3);
    assert_int_equal(cols, 1);
    assert_memory_equal(got, v, sizeof v);
    free(got);
    assert_null(sb_results_read_table(rd, "/data/x/absent", &rows, &cols));
    assert_null(sb_results_read_table(rd, "/data/x", &rows, &cols)); /* a group */
    sb_results_close(rd);

    /* The file itself: rank 1 for the vector, float64 storage. */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/data/x/vector", H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hid_t ty = H5Dget_type(d);
    assert_int_equal(H5Sget_simple_extent_ndims(s), 1);
    assert_true(H5Tequal(ty, H5T_IEEE_F64LE) > 0);
    H5Tclose(ty);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
}

static void results_write_ints_should_store_int64(void **state)
{
    (void)state;
    const char *path = tmp_path("ints.h5");
    int64_t v[4] = {0, -1, 4000000000LL, 7};
    SbResults *r = new_results(path);
    sb_results_write_ints(r, "/data/idx", 2, 2, v, "from,to", "indices");
    sb_results_commit(r);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/data/idx", H5P_DEFAULT);
    hid_t ty = H5Dget_type(d);
    assert_int_equal(H5Tget_class(ty), H5T_INTEGER);
    assert_int_equal(H5Tget_size(ty), 8);
    int64_t got[4];
    assert_true(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
    assert_memory_equal(got, v, sizeof v);
    H5Tclose(ty);
    H5Dclose(d);
    H5Fclose(f);

    /* The reader converts to double. */
    SbResultsReader *rd = sb_results_open(path);
    int rows, cols;
    double *dv = sb_results_read_table(rd, "/data/idx", &rows, &cols);
    assert_non_null(dv);
    assert_int_equal(rows * cols, 4);
    assert_true(dv[2] == 4e9 && dv[1] == -1.0);
    free(dv);
    sb_results_close(rd);
}

static void results_attributes_should_round_trip(void **state)
{
    (void)state;
    const char *path = tmp_path("attrs.h5");
    double ref[2] = {0.25, -1.5};
    SbResults *r = new_results(path);
    sb_results_attr_str(r, "/", "git_commit", "abc123");
    sb_results_attr_str(r, "/", "empty", "");
    sb_results_attr_int(r, "/", "seed", 9007199254740993LL); /* not exact as a double */
    sb_results_attr_double(r, "/methods/oracle", "hypervolume", 0.125);
    sb_results_attr_doubles(r, "/methods/oracle", "reference_point", ref, 2);
    sb_results_attr_str(r, "/methods/oracle", "description", "first");
    sb_results_attr_str(r, "/methods/oracle", "description", "second"); /* replaces */
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    assert_non_null(rd);
    char *s = sb_results_read_attr_str(rd, "/", "git_commit");
    assert_string_equal(s, "abc123");
    free(s);
    s = sb_results_read_attr_str(rd, "/", "empty");
    assert_string_equal(s, "");
    free(s);
    s = sb_results_read_attr_str(rd, "/methods/oracle", "description");
    assert_string_equal(s, "second");
    free(s);
    assert_null(sb_results_read_attr_str(rd, "/", "absent"));
    assert_null(sb_results_read_attr_str(rd, "/nowhere", "description"));
    assert_null(sb_results_read_attr_str(rd, "/", "seed")); /* not a string */
    double x = 0;
    assert_int_equal(sb_results_read_attr_double(rd, "/methods/oracle", "hypervolume", &x), 0);
    assert_true(x == 0.125);
    assert_int_equal(sb_results_read_attr_double(rd, "/", "format_version", &x), 0);
    assert_true(x == SB_FORMAT_VERSION);
    assert_int_equal(sb_results_read_attr_double(rd, "/", "git_commit", &x), -1);
    assert_int_equal(sb_results_read_attr_double(rd, "/", "absent", &x), -1);
    /* An array is not a scalar. */
    assert_int_equal(sb_results_read_attr_double(rd, "/methods/oracle", "reference_point", &x), -1);
    assert_true(sb_results_exists(rd, "/methods/oracle"));
    sb_results_close(rd);

    /* int64 and the double array, checked through HDF5 directly. */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    int64_t seed = 0;
    assert_true(H5Aread(a, H5T_NATIVE_INT64, &seed) >= 0);
    assert_true(seed == 9007199254740993LL);
    H5Aclose(a);
    hid_t g = H5Gopen2(f, "/methods/oracle", H5P_DEFAULT);
    a = H5Aopen(g, "reference_point", H5P_DEFAULT);
    hid_t sp = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 2);
    double got[2];
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, got) >= 0);
    assert_memory_equal(got, ref, sizeof ref);
    H5Sclose(sp);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
}

/* A resolved config can exceed the 64 KiB limit of a compact attribute. */
static void results_attr_str_should_store_long_text(void **state)
{
    (void)state;
    const char *path = tmp_path("long.h5");
    size_t n = 200000;
    char *text = sb_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    text[n] = '\0';
    SbResults *r = new_results(path);
    sb_results_attr_str(r, "/", "config", text);
    sb_results_commit(r);
    SbResultsReader *rd = sb_results_open(path);
    char *got = sb_results_read_attr_str(rd, "/", "config");
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
    free(text);
    sb_results_close(rd);
}

static void results_datasets_should_carry_columns_and_description(void **state)
{
    (void)state;
    const char *path = tmp_path("columns.h5");
    double t[4] = {1, 2, 3, 4};
    int64_t k[2] = {1, 2};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/methods/oracle/pareto/a1_a2", 2, 2, t, "r_a1,r_a2", "a front");
    sb_results_write_ints(r, "/data/k", 2, 1, k, "k", "counts");
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    char *c = sb_results_read_attr_str(rd, "/methods/oracle/pareto/a1_a2", "columns");
    char *d = sb_results_read_attr_str(rd, "/methods/oracle/pareto/a1_a2", "description");
    assert_string_equal(c, "r_a1,r_a2");
    assert_string_equal(d, "a front");
    free(c);
    free(d);
    c = sb_results_read_attr_str(rd, "/data/k", "columns");
    d = sb_results_read_attr_str(rd, "/data/k", "description");
    assert_string_equal(c, "k");
    assert_string_equal(d, "counts");
    free(c);
    free(d);
    sb_results_close(rd);
}

/* The columns attribute names every column, one name each; a mismatch is
 * a caller's bug. */
static void results_write_table_should_check_column_count(void **state)
{
    (void)state;
    const char *path = tmp_path("colcount.h5");
    double t[6] = {0};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/named", 2, 3, t, "id,x_1,x_2", "one name per column");
    sb_results_commit(r);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr);
        SbResults *c = new_results(tmp_path("colcount_bad.h5"));
        sb_results_write_table(c, "/bad", 2, 3, t, "a,b", "two names, three columns");
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), SB_EXIT_FAIL);
}

static void results_large_dataset_should_be_chunked_and_deflated(void **state)
{
    (void)state;
    const char *path = tmp_path("large.h5");
    int rows = 600, cols = 4; /* 2400 > SB_RESULTS_CHUNK_MIN elements */
    double *big = sb_zeros(rows * cols);
    for (int i = 0; i < rows * cols; i++)
        big[i] = i % 17;
    double small[SB_RESULTS_CHUNK_MIN] = {0};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/big", rows, cols, big, "a,b,c,d", "large");
    sb_results_write_table(r, "/small", SB_RESULTS_CHUNK_MIN, 1, small, "x", "at the limit");
    sb_results_commit(r);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/big", H5P_DEFAULT);
    hid_t p = H5Dget_create_plist(d);
    assert_int_equal(H5Pget_layout(p), H5D_CHUNKED);
    unsigned flags, cd[8];
    size_t ncd = 8;
    assert_true(H5Pget_filter_by_id2(p, H5Z_FILTER_DEFLATE, &flags, &ncd, cd, 0, NULL, NULL) >= 0);
    assert_int_equal(cd[0], 4); /* deflate level */
    H5Pclose(p);
    H5Dclose(d);

    d = H5Dopen2(f, "/small", H5P_DEFAULT);
    p = H5Dget_create_plist(d);
    assert_int_equal(H5Pget_layout(p), H5D_CONTIGUOUS);
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);

    SbResultsReader *rd = sb_results_open(path);
    int nr, nc;
    double *got = sb_results_read_table(rd, "/big", &nr, &nc);
    assert_int_equal(nr, rows);
    assert_int_equal(nc, cols);
    assert_memory_equal(got, big, sizeof(double) * rows * cols);
    free(got);
    free(big);
    sb_results_close(rd);
}

static void results_commit_should_rename_temp_file(void **state)
{
    (void)state;
    const char *path = tmp_path("commit.h5");
    double v[2] = {1, 2};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/v", 2, 1, v, "v", "values");
    assert_false(file_exists(path));
    assert_true(file_exists(tmp_name_of(path)));
    sb_results_commit(r);
    assert_true(file_exists(path));
    assert_false(file_exists(tmp_name_of(path)));
}

static void results_abort_should_remove_temp_file(void **state)
{
    (void)state;
    const char *path = tmp_path("abort.h5");
    double v[2] = {1, 2};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/v", 2, 1, v, "v", "values");
    sb_results_abort(r);
    assert_false(file_exists(path));
    assert_false(file_exists(tmp_name_of(path)));
}

static void results_create_should_make_missing_parent_folders(void **state)
{
    (void)state;
    const char *path = tmp_path("deep/er/file.h5");
    sb_results_commit(new_results(path));
    assert_true(file_exists(path));
}

/* sb_fail inside a run exits; the child's temporary file must be gone. */
static void sb_fail_should_remove_temp_results_file(void **state)
{
    (void)state;
    const char *path = tmp_path("failed.h5");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr); /* the expected failure message is noise here */
        SbResults *r = new_results(path);
        double v[1] = {1};
        sb_results_write_table(r, "/v", 1, 1, v, "v", "values");
        sb_fail(SB_EXIT_FAIL, "simulated failure");
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), SB_EXIT_FAIL);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)pid);
    assert_false(file_exists(tmp));
    assert_false(file_exists(path));
}

static void results_create_should_exit_2_for_unwritable_folder(void **state)
{
    (void)state;
    FILE *f = fopen(tmp_path("plainfile"), "w");
    fclose(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr);
        sb_results_create(tmp_path("plainfile/sub/x.h5"));
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), SB_EXIT_USAGE);
}

static void results_open_should_return_null_for_missing_or_foreign_files(void **state)
{
    (void)state;
    assert_null(sb_results_open(tmp_path("missing.h5")));

    FILE *f = fopen(tmp_path("text.h5"), "w");
    fputs("not hdf5\n", f);
    fclose(f);
    assert_null(sb_results_open(tmp_path("text.h5")));

    /* An HDF5 file without the soupbench format_version attribute. */
    hid_t h = H5Fcreate(tmp_path("plain.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h);
    assert_null(sb_results_open(tmp_path("plain.h5")));

    /* A newer format than this build reads. */
    SbResults *r = sb_results_create(tmp_path("newer.h5"));
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION + 1);
    sb_results_commit(r);
    assert_null(sb_results_open(tmp_path("newer.h5")));
}

static void results_list_should_name_children_sorted(void **state)
{
    (void)state;
    const char *path = tmp_path("list.h5");
    double v[1] = {0};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/methods/zeta/users", 1, 1, v, "J", "u");
    sb_results_write_table(r, "/methods/alpha/users", 1, 1, v, "J", "u");
    sb_results_write_table(r, "/methods/mod/users", 1, 1, v, "J", "u");
    sb_results_attr_str(r, "/methods/empty", "description", "no datasets");
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    int n = -1;
    char **names = sb_results_list(rd, "/methods", &n);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[1], "empty");
    assert_string_equal(names[2], "mod");
    assert_string_equal(names[3], "zeta");
    sb_results_free_names(names, n);
    names = sb_results_list(rd, "/methods/empty", &n);
    assert_non_null(names);
    assert_int_equal(n, 0);
    sb_results_free_names(names, n);
    assert_null(sb_results_list(rd, "/absent/group", &n));
    assert_null(sb_results_list(rd, "/methods/mod/users", &n)); /* a dataset */
    assert_true(sb_results_exists(rd, "/"));
    assert_true(sb_results_exists(rd, "/methods/mod/users"));
    assert_false(sb_results_exists(rd, "/methods/mod/users/x"));
    assert_false(sb_results_exists(rd, "/nothing/here"));
    sb_results_close(rd);
}

/* Same content written at different times gives the same bytes: no object
 * carries a timestamp (HDF5 stores them with one-second resolution). */
static void results_writes_should_be_byte_identical_across_runs(void **state)
{
    (void)state;
    double *big = sb_zeros(3000);
    for (int i = 0; i < 3000; i++)
        big[i] = 0.5 * i;
    const char *paths[2] = {tmp_path("det1.h5"), tmp_path("det2.h5")};
    for (int k = 0; k < 2; k++) {
        if (k)
            usleep(1100000);
        SbResults *r = new_results(paths[k]);
        sb_results_attr_str(r, "/data/synthetic", "transition", "tree");
        sb_results_write_table(r, "/data/synthetic/features", 1000, 3, big, "x,y,z", "f");
        sb_results_write_table(r, "/methods/oracle/pareto/a_b", 2, 1, big, "x", "p");
        sb_results_commit(r);
    }
    size_t n1, n2;
    char *b1 = sb_read_file(paths[0], &n1), *b2 = sb_read_file(paths[1], &n2);
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    free(big);
}

/* ---- the checked readers ---- */

/* The reader's message names the file, the HDF5 path and `what`. */
static void assert_error_names(SbResultsReader *rd, const char *file, const char *obj,
                               const char *what)
{
    const char *e = sb_results_error(rd);
    char head[512];
    snprintf(head, sizeof head, "%s: %s: ", file, obj);
    if (strncmp(e, head, strlen(head)) != 0 || !strstr(e, what))
        fail_msg("error \"%s\" does not start \"%s\" and mention \"%s\"", e, head, what);
}

/* Raw HDF5, independent of the writer: a dataset of rank `rank` (dims
 * all 2) and element type `type` at `path` of an open file. */
static void raw_dataset(hid_t f, const char *path, int rank, hid_t type)
{
    hsize_t dims[3] = {2, 2, 2};
    hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(f, path, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char zeros[64] = {0};
    if (H5Tget_class(type) != H5T_STRING)
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros);
    H5Dclose(d);
    H5Sclose(s);
}

/* A 1-D attribute of n fixed-length strings of `size` bytes, or of
 * variable-length strings when size is 0. */
static void raw_string_array_attr(hid_t f, const char *obj, const char *name, int n,
                                  const char *const *v, size_t size)
{
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t s = H5Screate_simple(1, dims, NULL), t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, size ? size : H5T_VARIABLE);
    hid_t a = H5Acreate2(o, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (size) {
        char buf[256] = {0};
        for (int i = 0; i < n; i++)
            strncpy(buf + i * size, v[i], size);
        H5Awrite(a, t, buf);
    } else {
        H5Awrite(a, t, v);
    }
    H5Aclose(a);
    H5Tclose(t);
    H5Sclose(s);
    H5Oclose(o);
}

static void results_read_dataset_should_return_shape_and_column_names(void **state)
{
    (void)state;
    const char *path = tmp_path("dataset.h5");
    double t[6] = {1, 2, 3, 4, 5, 6}, v[2] = {0.5, 0.25};
    int64_t idx[3] = {7, -8, 9};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/m/table", 2, 3, t, "w,r_a,r_b", "2 x 3");
    sb_results_write_table(r, "/m/vector", 2, 1, v, "singular_value", "1-D");
    sb_results_write_ints(r, "/m/idx", 3, 1, idx, "i", "int64");
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    SbResultsTable tab;
    assert_int_equal(sb_results_read_dataset(rd, "/m/table", &tab), SB_RESULTS_OK);
    assert_int_equal(tab.rank, 2);
    assert_int_equal(tab.rows, 2);
    assert_int_equal(tab.cols, 3);
    assert_memory_equal(tab.data, t, sizeof t);
    assert_string_equal(tab.names[1], "r_a");
    assert_int_equal(sb_results_table_column(&tab, "r_b"), 2);
    assert_int_equal(sb_results_table_column(&tab, "r_"), -1);
    sb_results_table_free(&tab);
    assert_null(tab.data);

    assert_int_equal(sb_results_read_dataset(rd, "/m/vector", &tab), SB_RESULTS_OK);
    assert_int_equal(tab.rank, 1);
    assert_int_equal(tab.rows, 2);
    assert_int_equal(tab.cols, 1);
    assert_string_equal(tab.names[0], "singular_value");
    sb_results_table_free(&tab);

    assert_int_equal(sb_results_read_dataset(rd, "/m/idx", &tab), SB_RESULTS_OK);
    assert_true(tab.data[1] == -8.0); /* int64 read as double */
    sb_results_table_free(&tab);
    sb_results_close(rd);
}

static void results_read_dataset_should_name_the_path_of_what_is_wrong(void **state)
{
    (void)state;
    const char *path = tmp_path("malformed.h5");
    double t[6] = {0};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/ok/table", 2, 3, t, "a,b,c", "fine");
    sb_results_commit(r);
    /* What the writer never writes, with HDF5 directly. */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "/bad", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    raw_dataset(f, "/bad/cube", 3, H5T_IEEE_F64LE);
    raw_dataset(f, "/bad/scalar", 0, H5T_IEEE_F64LE);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 8);
    raw_dataset(f, "/bad/text", 2, str);
    H5Tclose(str);
    raw_dataset(f, "/bad/narrow", 2, H5T_IEEE_F64LE);
    H5Lcreate_soft("/nowhere", f, "/bad/dangling", H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);

    SbResultsReader *rd = sb_results_open(path);
    SbResultsTable tab;
    struct {
        const char *obj;
        SbResultsStatus st;
        const char *what;
    } cases[] = {
        {"/bad/cube", SB_RESULTS_INVALID,
         "expected a numeric dataset of rank 1 or 2, found rank 3"},
        {"/bad/scalar", SB_RESULTS_INVALID, "found a scalar"},
        {"/bad/text", SB_RESULTS_INVALID, "expected a numeric dataset, found a string dataset"},
        {"/bad", SB_RESULTS_INVALID, "expected a dataset, found a group"},
        {"/bad/dangling", SB_RESULTS_INVALID, "cannot open"},
        {"/bad/missing", SB_RESULTS_ABSENT, "not found"},
        {"/nothing/here", SB_RESULTS_ABSENT, "not found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sb_results_read_dataset(rd, cases[i].obj, &tab), cases[i].st);
        assert_null(tab.data);
        assert_error_names(rd, path, cases[i].obj, cases[i].what);
    }
    sb_results_close(rd);

    /* A columns attribute that does not name every column, or is no string. */
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    const char *two[] = {"a", "b"};
    raw_string_array_attr(f, "/bad/narrow", "columns", 1, two, 4);
    H5Fclose(f);
    rd = sb_results_open(path);
    assert_int_equal(sb_results_read_dataset(rd, "/bad/narrow", &tab), SB_RESULTS_INVALID);
    assert_error_names(rd, path, "/bad/narrow", "names 1 column, the dataset has 2");
    sb_results_close(rd);
}

static void results_read_attr_should_check_type_and_count(void **state)
{
    (void)state;
    const char *path = tmp_path("attrs.h5");
    double ref[3] = {0.1, -0.2, 0.3};
    SbResults *r = new_results(path);
    sb_results_attr_str(r, "/m", "aspects", "helpfulness,conciseness");
    sb_results_attr_str(r, "/m", "empty", "");
    sb_results_attr_doubles(r, "/m", "ref3", ref, 3);
    sb_results_attr_doubles(r, "/m", "none", ref, 0);
    sb_results_attr_double(r, "/m", "hv", 0.5);
    sb_results_attr_int(r, "/m", "seed", 1234567890123LL);
    sb_results_commit(r);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    const char *names[] = {"first", "second", "third"};
    raw_string_array_attr(f, "/m", "fixed", 3, names, 8);
    raw_string_array_attr(f, "/m", "vlen", 3, names, 0);
    H5Fclose(f);

    SbResultsReader *rd = sb_results_open(path);
    char *s = NULL, **v = NULL;
    int n = -1;
    double x[3];
    assert_int_equal(sb_results_read_attr_string(rd, "/m", "aspects", &s), SB_RESULTS_OK);
    assert_string_equal(s, "helpfulness,conciseness");
    free(s);
    assert_int_equal(sb_results_read_attr_string(rd, "/m", "hv", &s), SB_RESULTS_INVALID);
    assert_null(s);
    assert_error_names(rd, path, "/m",
                       "attribute 'hv': expected a string, found one float64 value");
    assert_int_equal(sb_results_read_attr_string(rd, "/m", "fixed", &s), SB_RESULTS_INVALID);
    assert_error_names(rd, path, "/m", "found 3 string values");
    assert_int_equal(sb_results_read_attr_string(rd, "/m", "absent", &s), SB_RESULTS_ABSENT);
    assert_error_names(rd, path, "/m", "no attribute 'absent'");
    assert_int_equal(sb_results_read_attr_string(rd, "/x", "aspects", &s), SB_RESULTS_ABSENT);
    assert_error_names(rd, path, "/x", "not found");

    /* Names: a comma-separated string, or an array of strings (fixed or
     * variable length, as h5py writes them). */
    const char *attrs[] = {"aspects", "fixed", "vlen", "empty"};
    const int counts[] = {2, 3, 3, 1};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(sb_results_read_attr_names(rd, "/m", attrs[k], &v, &n), SB_RESULTS_OK);
        assert_int_equal(n, counts[k]);
        assert_string_equal(v[n - 1], k == 0 ? "conciseness" : k < 3 ? "third" : "");
        sb_results_free_names(v, n);
    }
    assert_int_equal(sb_results_read_attr_names(rd, "/m", "ref3", &v, &n), SB_RESULTS_INVALID);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_error_names(rd, path, "/m", "attribute 'ref3': expected a comma-separated string");

    /* Numbers: exactly as many as asked for. */
    assert_int_equal(sb_results_read_attr_doubles(rd, "/m", "ref3", 3, x), SB_RESULTS_OK);
    assert_memory_equal(x, ref, sizeof ref);
    assert_int_equal(sb_results_read_attr_doubles(rd, "/m", "ref3", 2, x), SB_RESULTS_INVALID);
    assert_error_names(rd, path, "/m",
                       "attribute 'ref3': expected 2 numbers, found 3 float64 values");
    assert_int_equal(sb_results_read_attr_doubles(rd, "/m", "aspects", 1, x), SB_RESULTS_INVALID);
    assert_error_names(rd, path, "/m", "expected 1 number, found one string value");
    assert_int_equal(sb_results_read_attr_doubles(rd, "/m", "none", 1, x), SB_RESULTS_INVALID);
    assert_error_names(rd, path, "/m", "found no value");
    assert_int_equal(sb_results_read_attr_doubles(rd, "/m", "seed", 1, x), SB_RESULTS_OK);
    assert_true(x[0] == 1234567890123.0);

    /* Any attribute as found: int64 kept exact, an empty one has n = 0. */
    SbResultsAttr a;
    assert_int_equal(sb_results_read_attr(rd, "/m", "seed", &a), SB_RESULTS_OK);
    assert_int_equal(a.type, SB_RESULTS_INT);
    assert_int_equal(a.n, 1);
    assert_true(a.ints[0] == 1234567890123LL);
    sb_results_attr_free(&a);
    assert_int_equal(sb_results_read_attr(rd, "/m", "none", &a), SB_RESULTS_OK);
    assert_int_equal(a.type, SB_RESULTS_FLOAT);
    assert_int_equal(a.n, 0);
    sb_results_attr_free(&a);

    char **list = sb_results_list_attrs(rd, "/m", &n);
    const char *sorted[] = {"aspects", "empty", "fixed", "hv", "none", "ref3", "seed", "vlen"};
    assert_int_equal(n, 8);
    for (int i = 0; i < n; i++)
        assert_string_equal(list[i], sorted[i]);
    sb_results_free_names(list, n);
    assert_null(sb_results_list_attrs(rd, "/x", &n));
    assert_int_equal(n, 0);
    sb_results_close(rd);
}

static void results_stat_should_give_kind_type_and_shape(void **state)
{
    (void)state;
    const char *path = tmp_path("stat.h5");
    double t[6] = {0};
    int64_t idx[2] = {0, 1};
    SbResults *r = new_results(path);
    sb_results_write_table(r, "/g/table", 2, 3, t, "a,b,c", "2 x 3");
    sb_results_write_ints(r, "/g/idx", 2, 1, idx, "i", "int64");
    sb_results_commit(r);

    SbResultsReader *rd = sb_results_open(path);
    SbResultsObject o;
    assert_int_equal(sb_results_stat(rd, "/g", &o), SB_RESULTS_OK);
    assert_int_equal(o.kind, SB_RESULTS_GROUP);
    assert_int_equal(sb_results_stat(rd, "/g/table", &o), SB_RESULTS_OK);
    assert_int_equal(o.kind, SB_RESULTS_DATASET);
    assert_int_equal(o.type, SB_RESULTS_FLOAT);
    assert_int_equal(o.size, 8);
    assert_int_equal(o.rank, 2);
    assert_true(o.dims[0] == 2 && o.dims[1] == 3);
    assert_int_equal(sb_results_stat(rd, "/g/idx", &o), SB_RESULTS_OK);
    assert_int_equal(o.type, SB_RESULTS_INT);
    assert_int_equal(o.rank, 1);
    assert_int_equal(sb_results_stat(rd, "/g/none", &o), SB_RESULTS_ABSENT);
    assert_error_names(rd, path, "/g/none", "not found");
    sb_results_close(rd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_write_table_should_round_trip_values_and_shape),
        cmocka_unit_test(results_write_ints_should_store_int64),
        cmocka_unit_test(results_attributes_should_round_trip),
        cmocka_unit_test(results_attr_str_should_store_long_text),
        cmocka_unit_test(results_datasets_should_carry_columns_and_description),
        cmocka_unit_test(results_write_table_should_check_column_count),
        cmocka_unit_test(results_large_dataset_should_be_chunked_and_deflated),
        cmocka_unit_test(results_commit_should_rename_temp_file),
        cmocka_unit_test(results_abort_should_remove_temp_file),
        cmocka_unit_test(results_create_should_make_missing_parent_folders),
        cmocka_unit_test(sb_fail_should_remove_temp_results_file),
        cmocka_unit_test(results_create_should_exit_2_for_unwritable_folder),
        cmocka_unit_test(results_open_should_return_null_for_missing_or_foreign_files),
        cmocka_unit_test(results_list_should_name_children_sorted),
        cmocka_unit_test(results_writes_should_be_byte_identical_across_runs),
        cmocka_unit_test(results_read_dataset_should_return_shape_and_column_names),
        cmocka_unit_test(results_read_dataset_should_name_the_path_of_what_is_wrong),
        cmocka_unit_test(results_read_attr_should_check_type_and_count),
        cmocka_unit_test(results_stat_should_give_kind_type_and_shape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
