/* soupbench: the HDF5 results file (SPEC section 7, results/README.md).
 *
 * Writing goes to FILE.tmp.<pid> (registered with sb_tmpfile_register, so
 * sb_fail removes it) and sb_results_commit renames it, so a reader never
 * sees a half-written file. Every object is created with time tracking off,
 * so two identical runs write identical datasets. HDF5's own error printing
 * is silenced; write failures go through sb_fail naming the file and the
 * object, with the innermost message of the HDF5 error stack as the reason.
 * Reading never exits: the checked readers check rank, shape and type
 * before use and return a status, keeping the message (file, HDF5 path,
 * what was expected and found) for sb_results_error. */
#include "results.h"
#include "sb.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct SbResults {
    hid_t file;
    char *path; /* final name */
    char *tmp;  /* FILE.tmp.<pid> */
};

struct SbResultsReader {
    hid_t file;
    char *path;
    char err[4096]; /* why the last checked read failed */
};

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static herr_t first_error(unsigned n, const H5E_error2_t *err, void *data)
{
    (void)n;
    char *buf = data;
    if (!buf[0] && err->desc && err->desc[0])
        snprintf(buf, 256, "%s", err->desc);
    return 0;
}

/* The most specific message of the current HDF5 error stack ("file
 * signature not found"); a system error inside it is given by its text:
 * "file write failed: time = ..., errno = 28, ..." becomes "file write
 * failed: No space left on device". */
static const char *h5_reason(void)
{
    static char buf[256];
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, buf);
    H5Eclear2(H5E_DEFAULT);
    const char *e = strstr(buf, "errno = ");
    int code = e ? atoi(e + 8) : 0;
    if (code > 0) {
        char *colon = strchr(buf, ':');
        char what[128];
        snprintf(what, sizeof what, "%.*s", colon ? (int)(colon - buf) : 0, buf);
        snprintf(buf, sizeof buf, "%s%s%s", what, what[0] ? ": " : "", strerror(code));
    }
    return buf[0] ? buf : "HDF5 error";
}

static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* Failure while writing: an internal error of the run (exit 1). */
static void write_fail(const SbResults *r, const char *what, const char *obj)
{
    sb_fail(SB_EXIT_FAIL, "%s: cannot %s %s: %s", r->path, what, obj, h5_reason());
}

/* mkdir -p of the folder part of `path`; 0 on success, -1 with errno. */
static int make_parent_dirs(const char *path)
{
    char *dir = sb_strdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = sb_mkdir_p(dir);
    }
    free(dir);
    return rc;
}

/* Link exists at every level of an absolute path ("/" always does). */
static int path_exists(hid_t file, const char *path)
{
    if (!path || path[0] != '/')
        return 0;
    if (path[1] == '\0')
        return 1;
    char *p = sb_strdup(path);
    int ok = 1;
    for (char *s = p + 1; ok; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            ok = H5Lexists(file, p, H5P_DEFAULT) > 0;
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* Create every missing group along `path` (and `path` itself). Done by hand
 * rather than with an intermediate-group link property list so that every
 * group gets our creation property list (no modification times). */
static void ensure_groups(SbResults *r, const char *path)
{
    if (path[0] != '/')
        sb_fail(SB_EXIT_FAIL, "internal error: results path '%s' is not absolute", path);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    char *p = sb_strdup(path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (s > p + 1 && s[-1] != '/' && !path_exists(r->file, p)) {
                hid_t g = H5Gcreate2(r->file, p, H5P_DEFAULT, gcpl, H5P_DEFAULT);
                if (g < 0)
                    write_fail(r, "create group", p);
                H5Gclose(g);
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    H5Pclose(gcpl);
}

/* The parent group of a dataset path must exist before H5Dcreate2. */
static void ensure_parent(SbResults *r, const char *path)
{
    char *p = sb_strdup(path);
    char *slash = strrchr(p, '/');
    if (slash && slash != p) {
        *slash = '\0';
        ensure_groups(r, p);
    }
    free(p);
}

/* Fixed-length, null-terminated ASCII: what h5dump shows most plainly. */
static hid_t str_type(const char *s)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(s) + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

/* ------------------------------------------------------------------ */
/* writing                                                            */

/* FILE.tmp.<pid> (malloc'd). */
static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *tmp = sb_malloc(n);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    return tmp;
}

void sb_results_check_out(const char *path)
{
    struct stat st;
    if (!path[0])
        sb_fail(SB_EXIT_USAGE, "--out: expected the path of a results file, found \"\"");
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            sb_fail(SB_EXIT_USAGE, "%s: is a folder (expected the path of a results file, e.g. %s/NAME.h5)",
                    path, path);
        if (!S_ISREG(st.st_mode))
            sb_fail(SB_EXIT_USAGE, "%s: is a %s, not a regular file; refusing to replace it", path,
                    S_ISFIFO(st.st_mode)  ? "FIFO"
                    : S_ISCHR(st.st_mode) ? "character device"
                    : S_ISBLK(st.st_mode) ? "block device"
                    : S_ISSOCK(st.st_mode) ? "socket"
                                          : "special file");
    } else if (errno != ENOENT) {
        sb_fail(SB_EXIT_USAGE, "%s: cannot write the results file: %s", path, strerror(errno));
    }
    if (make_parent_dirs(path) != 0)
        sb_fail(SB_EXIT_USAGE, "%s: cannot create the folder for the results file: %s", path,
                strerror(errno));
    sb_tmpfile_remove_stale(path, ".tmp.");
    /* The temporary file is created where the results file goes: try it
     * now, so that an unwritable folder is found before any work. */
    char *tmp = tmp_name(path);
    sb_tmpfile_register(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        sb_fail(SB_EXIT_USAGE, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    close(fd);
    unlink(tmp);
    sb_tmpfile_unregister(tmp);
    free(tmp);
}

SbResults *sb_results_create(const char *path)
{
    h5_quiet();
    sb_results_check_out(path);
    SbResults *r = sb_calloc(1, sizeof *r);
    r->path = sb_strdup(path);
    r->tmp = tmp_name(path);
    sb_tmpfile_register(r->tmp); /* before it exists: a signal may come at any time */

    /* No times on the root group either. The 1.8 file format allows
     * attributes over 64 KiB (a long resolved config); pinning it (rather
     * than "latest") keeps the bytes independent of the HDF5 version. SEMI
     * close degree turns a leaked handle into an error at commit. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI);
    r->file = H5Fcreate(r->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fapl);
    H5Pclose(fcpl);
    if (r->file < 0)
        sb_fail(SB_EXIT_USAGE, "%s: cannot create %s: %s", path, r->tmp, h5_reason());
    return r;
}

/* Open `obj` (creating it as a group if absent) and (re)create attribute
 * `name` on it with the given file type and dataspace. */
static void write_attr(SbResults *r, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                       hid_t space, const void *buf)
{
    if (!path_exists(r->file, obj))
        ensure_groups(r, obj);
    hid_t o = H5Oopen(r->file, obj, H5P_DEFAULT);
    if (o < 0)
        write_fail(r, "open", obj);
    if (H5Aexists(o, name) > 0 && H5Adelete(o, name) < 0)
        write_fail(r, "replace attribute on", obj);
    hid_t a = H5Acreate2(o, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, buf) < 0) {
        char what[300];
        snprintf(what, sizeof what, "write attribute '%s' of", name);
        write_fail(r, what, obj);
    }
    H5Aclose(a);
    H5Oclose(o);
}

void sb_results_attr_str(SbResults *r, const char *obj, const char *name, const char *value)
{
    SB_ASSERT(value != NULL);
    hid_t t = str_type(value);
    hid_t s = H5Screate(H5S_SCALAR);
    write_attr(r, obj, name, t, t, s, value);
    H5Sclose(s);
    H5Tclose(t);
}

void sb_results_attr_double(SbResults *r, const char *obj, const char *name, double value)
{
    hid_t s = H5Screate(H5S_SCALAR);
    write_attr(r, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, &value);
    H5Sclose(s);
}

void sb_results_attr_int(SbResults *r, const char *obj, const char *name, int64_t value)
{
    hid_t s = H5Screate(H5S_SCALAR);
    write_attr(r, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s, &value);
    H5Sclose(s);
}

void sb_results_attr_doubles(SbResults *r, const char *obj, const char *name, const double *v, int n)
{
    SB_ASSERT(n >= 0);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t s = n > 0 ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_NULL);
    write_attr(r, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, v);
    H5Sclose(s);
}

/* 1 if `columns` names exactly `cols` columns. */
static int columns_match(const char *columns, int cols)
{
    int entries = 1;
    for (const char *p = columns; *p; p++)
        entries += *p == ',';
    return entries == cols;
}

/* Shared body of write_table and write_ints. */
static void write_dataset(SbResults *r, const char *path, int rows, int cols, hid_t ftype,
                          hid_t mtype, const void *data, const char *columns,
                          const char *description)
{
    SB_ASSERT(rows >= 0 && cols >= 1);
    SB_ASSERT(columns != NULL && description != NULL);
    /* The columns attribute is the only way a reader can name a column, so
     * a mismatch is a bug in the caller. */
    if (!columns_match(columns, cols))
        sb_fail(SB_EXIT_FAIL, "internal error: %s: %d columns but columns=\"%s\"", path, cols,
                columns);
    if (path_exists(r->file, path))
        sb_fail(SB_EXIT_FAIL, "internal error: %s: dataset %s written twice", r->path, path);
    ensure_parent(r, path);

    int rank = cols == 1 ? 1 : 2;
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    if ((long)rows * cols > SB_RESULTS_CHUNK_MIN) {
        /* Chunks of about 64 KiB: whole rows when they fit. */
        hsize_t chunk[2];
        const hsize_t target = 8192;
        if (rank == 1) {
            chunk[0] = dims[0] < target ? dims[0] : target;
        } else {
            chunk[1] = dims[1] < target ? dims[1] : target;
            chunk[0] = target / chunk[1] ? target / chunk[1] : 1;
            if (chunk[0] > dims[0])
                chunk[0] = dims[0];
        }
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t d = H5Dcreate2(r->file, path, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        write_fail(r, "create dataset", path);
    if (rows > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        write_fail(r, "write dataset", path);
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    sb_results_attr_str(r, path, "columns", columns);
    sb_results_attr_str(r, path, "description", description);
}

void sb_results_write_table(SbResults *r, const char *path, int rows, int cols, const double *data,
                            const char *columns, const char *description)
{
    write_dataset(r, path, rows, cols, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, columns,
                  description);
}

void sb_results_write_ints(SbResults *r, const char *path, int rows, int cols, const int64_t *data,
                           const char *columns, const char *description)
{
    write_dataset(r, path, rows, cols, H5T_STD_I64LE, H5T_NATIVE_INT64, data, columns,
                  description);
}

static void results_free(SbResults *r)
{
    free(r->tmp);
    free(r->path);
    free(r);
}

void sb_results_commit(SbResults *r)
{
    if (H5Fclose(r->file) < 0)
        write_fail(r, "close", r->tmp);
    if (rename(r->tmp, r->path) != 0)
        sb_fail(SB_EXIT_FAIL, "%s: cannot rename %s to it: %s", r->path, r->tmp, strerror(errno));
    sb_tmpfile_unregister(r->tmp);
    results_free(r);
}

void sb_results_abort(SbResults *r)
{
    H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
    unlink(r->tmp);
    sb_tmpfile_unregister(r->tmp);
    results_free(r);
}

/* ------------------------------------------------------------------ */
/* reading                                                            */

SbResultsReader *sb_results_open(const char *path)
{
    h5_quiet();
    /* A results file names no other file: external links are not followed
     * (they could open any file the reader can read). */
    static int external_off;
    if (!external_off && H5Lis_registered(H5L_TYPE_EXTERNAL) > 0)
        H5Lunregister(H5L_TYPE_EXTERNAL);
    external_off = 1;
    struct stat st;
    if (access(path, R_OK) != 0 || stat(path, &st) != 0) {
        fprintf(stderr, "soupbench: %s: cannot open results file: %s\n", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) { /* a FIFO would block the reader forever */
        fprintf(stderr, "soupbench: %s: not a regular file (expected a soupbench results file)\n", path);
        return NULL;
    }
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        fprintf(stderr, "soupbench: %s: not an HDF5 file (expected a soupbench results file)\n",
                path);
        return NULL;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        fprintf(stderr, "soupbench: %s: cannot open results file: %s\n", path, h5_reason());
        return NULL;
    }
    SbResultsReader *rd = sb_calloc(1, sizeof *rd);
    rd->file = f;
    rd->path = sb_strdup(path);
    double version;
    if (sb_results_read_attr_double(rd, "/", "format_version", &version) != 0) {
        fprintf(stderr,
                "soupbench: %s: not a soupbench results file (no format_version attribute on /)\n",
                path);
        sb_results_close(rd);
        return NULL;
    }
    if (!(version >= 1 && version == (int)version)) {
        fprintf(stderr, "soupbench: %s: /: attribute 'format_version': expected an integer >= 1, found %g\n",
                path, version);
        sb_results_close(rd);
        return NULL;
    }
    if (version > SB_FORMAT_VERSION) {
        fprintf(stderr,
                "soupbench: %s: results format version %g is newer than this soupbench reads "
                "(%d)\n",
                path, version, SB_FORMAT_VERSION);
        sb_results_close(rd);
        return NULL;
    }
    return rd;
}

void sb_results_close(SbResultsReader *rd)
{
    if (!rd)
        return;
    H5Fclose(rd->file);
    free(rd->path);
    free(rd);
}

int sb_results_exists(SbResultsReader *rd, const char *path)
{
    return path_exists(rd->file, path);
}

const char *sb_results_path(const SbResultsReader *rd) { return rd->path; }

const char *sb_results_error(const SbResultsReader *rd)
{
    return rd->err;
}

/* Record why a read failed, "FILE: OBJ: <message>", and return st. */
static SbResultsStatus read_fail(SbResultsReader *rd, SbResultsStatus st, const char *obj,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static SbResultsStatus read_fail(SbResultsReader *rd, SbResultsStatus st, const char *obj,
                                 const char *fmt, ...)
{
    char msg[sizeof rd->err];
    int k = snprintf(msg, sizeof msg, "%s: %s: ", rd->path, obj);
    if (k >= 0 && (size_t)k < sizeof msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
        va_end(ap);
    }
    /* The path and what was found come from the file: shown escaped. */
    char *shown = sb_printable(msg, sizeof rd->err / 6 - 4, 0);
    snprintf(rd->err, sizeof rd->err, "%s", shown);
    free(shown);
    H5Eclear2(H5E_DEFAULT);
    return st;
}

static SbResultsType type_of(hid_t t, int *size)
{
    size_t bytes = H5Tget_size(t); /* a fixed-length string may claim 4 GiB */
    *size = bytes > INT_MAX ? INT_MAX : (int)bytes;
    switch (H5Tget_class(t)) {
    case H5T_FLOAT:
        return SB_RESULTS_FLOAT;
    case H5T_INTEGER:
        return SB_RESULTS_INT;
    case H5T_STRING:
        return SB_RESULTS_STRING;
    default:
        return SB_RESULTS_OTHER;
    }
}

/* "float64", "int32", "string", "non-numeric": for messages. */
static const char *type_text(SbResultsType type, int size, char *buf, size_t n)
{
    if (type == SB_RESULTS_FLOAT || type == SB_RESULTS_INT)
        snprintf(buf, n, "%s%d", type == SB_RESULTS_FLOAT ? "float" : "int", 8 * size);
    else
        snprintf(buf, n, "%s", type == SB_RESULTS_STRING ? "string" : "non-numeric");
    return buf;
}

/* What an attribute holds, for messages: "one float64 value", "3 string
 * values", "no value". */
static const char *attr_found(const SbResultsAttr *a, char *buf, size_t n)
{
    char t[32];
    type_text(a->type, a->size, t, sizeof t);
    if (a->n == 0)
        snprintf(buf, n, "no value");
    else if (a->n == 1)
        snprintf(buf, n, "one %s value", t);
    else
        snprintf(buf, n, "%lld %s values", (long long)a->n, t);
    return buf;
}

/* Split "a,b,c" into malloc'd names; "" is one empty name. */
static char **split_names(const char *s, int *n)
{
    *n = 1;
    for (const char *p = s; *p; p++)
        *n += *p == ',';
    char **names = sb_calloc((size_t)*n, sizeof *names);
    for (int i = 0; i < *n; i++) {
        size_t len = strcspn(s, ",");
        names[i] = sb_malloc(len + 1);
        memcpy(names[i], s, len);
        names[i][len] = '\0';
        s += len + (s[len] == ',');
    }
    return names;
}

/* Open the object at path: ABSENT if there is no such link, INVALID if the
 * link leads nowhere. */
static SbResultsStatus open_object(SbResultsReader *rd, const char *path, hid_t *o)
{
    *o = -1;
    if (!path_exists(rd->file, path))
        return read_fail(rd, SB_RESULTS_ABSENT, path, "not found");
    *o = H5Oopen(rd->file, path, H5P_DEFAULT);
    if (*o < 0)
        return read_fail(rd, SB_RESULTS_INVALID, path, "cannot open: %s", h5_reason());
    return SB_RESULTS_OK;
}

SbResultsStatus sb_results_stat(SbResultsReader *rd, const char *path, SbResultsObject *o)
{
    memset(o, 0, sizeof *o);
    hid_t h;
    SbResultsStatus st = open_object(rd, path, &h);
    if (st != SB_RESULTS_OK)
        return st;
    H5O_info_t info;
    if (H5Oget_info2(h, &info, H5O_INFO_BASIC) >= 0)
        o->addr = (uint64_t)info.addr;
    H5I_type_t kind = H5Iget_type(h);
    if (kind == H5I_GROUP) {
        o->kind = SB_RESULTS_GROUP;
    } else if (kind == H5I_DATATYPE) {
        o->kind = SB_RESULTS_NAMED_TYPE;
    } else {
        o->kind = SB_RESULTS_DATASET;
        hid_t space = H5Dget_space(h), t = H5Dget_type(h);
        o->type = type_of(t, &o->size);
        o->rank = H5Sget_simple_extent_ndims(space);
        if (o->rank > 0 && o->rank <= SB_RESULTS_MAX_RANK) {
            hsize_t dims[SB_RESULTS_MAX_RANK];
            H5Sget_simple_extent_dims(space, dims, NULL);
            for (int i = 0; i < o->rank; i++)
                o->dims[i] = dims[i];
        }
        H5Tclose(t);
        H5Sclose(space);
    }
    H5Oclose(h);
    H5Eclear2(H5E_DEFAULT);
    return SB_RESULTS_OK;
}

/* The numeric rank-1 or rank-2 dataset at path, read as doubles into t
 * (without its column names). */
static SbResultsStatus read_numeric(SbResultsReader *rd, const char *path, SbResultsTable *t)
{
    memset(t, 0, sizeof *t);
    SbResultsObject o;
    SbResultsStatus st = sb_results_stat(rd, path, &o);
    if (st != SB_RESULTS_OK)
        return st;
    char type[32];
    if (o.kind != SB_RESULTS_DATASET)
        return read_fail(rd, SB_RESULTS_INVALID, path, "expected a dataset, found a %s",
                         o.kind == SB_RESULTS_GROUP ? "group" : "named type");
    if (o.type != SB_RESULTS_FLOAT && o.type != SB_RESULTS_INT)
        return read_fail(rd, SB_RESULTS_INVALID, path,
                         "expected a numeric dataset, found a %s dataset",
                         type_text(o.type, o.size, type, sizeof type));
    if (o.rank == 0)
        return read_fail(rd, SB_RESULTS_INVALID, path,
                         "expected a numeric dataset of rank 1 or 2, found a scalar");
    if (o.rank != 1 && o.rank != 2)
        return read_fail(rd, SB_RESULTS_INVALID, path,
                         "expected a numeric dataset of rank 1 or 2, found rank %d", o.rank);
    uint64_t rows = o.dims[0], cols = o.rank == 2 ? o.dims[1] : 1;
    if (rows > INT_MAX || cols > INT_MAX || (cols && rows > SB_RESULTS_MAX_ELEMENTS / cols))
        return read_fail(rd, SB_RESULTS_INVALID, path,
                         "expected at most %d values, found %llu x %llu", SB_RESULTS_MAX_ELEMENTS,
                         (unsigned long long)rows, (unsigned long long)cols);
    size_t n = (size_t)(rows * cols);
    double *data = sb_malloc(n * sizeof(double));
    hid_t d = H5Dopen2(rd->file, path, H5P_DEFAULT);
    /* HDF5 converts integer datasets to double on read. */
    if (d < 0 ||
        (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) {
        st = read_fail(rd, SB_RESULTS_INVALID, path, "cannot read: %s", h5_reason());
        free(data);
        if (d >= 0)
            H5Dclose(d);
        return st;
    }
    H5Dclose(d);
    t->data = data;
    t->rows = (int)rows;
    t->cols = (int)cols;
    t->rank = o.rank;
    return SB_RESULTS_OK;
}

SbResultsStatus sb_results_read_dataset(SbResultsReader *rd, const char *path, SbResultsTable *t)
{
    SbResultsStatus st = read_numeric(rd, path, t);
    if (st != SB_RESULTS_OK)
        return st;
    int n;
    st = sb_results_read_attr_names(rd, path, "columns", &t->names, &n);
    if (st == SB_RESULTS_ABSENT)
        return SB_RESULTS_OK;
    if (st == SB_RESULTS_OK && n != t->cols) {
        sb_results_free_names(t->names, n);
        t->names = NULL;
        st = read_fail(rd, SB_RESULTS_INVALID, path,
                       "its columns attribute names %d column%s, the dataset has %d", n,
                       n == 1 ? "" : "s", t->cols);
    }
    if (st != SB_RESULTS_OK)
        sb_results_table_free(t);
    return st;
}

int sb_results_table_column(const SbResultsTable *t, const char *name)
{
    for (int c = 0; t->names && c < t->cols; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

void sb_results_table_free(SbResultsTable *t)
{
    free(t->data);
    sb_results_free_names(t->names, t->cols);
    memset(t, 0, sizeof *t);
}

/* The n strings of a string attribute, fixed or variable length. */
static int read_strings(hid_t a, hid_t ft, size_t n, char **out)
{
    hid_t mt = H5Tcopy(H5T_C_S1);
    int ok;
    if (H5Tis_variable_str(ft) > 0) { /* as h5py writes them */
        char **v = sb_calloc(n, sizeof *v);
        H5Tset_size(mt, H5T_VARIABLE);
        ok = H5Aread(a, mt, v) >= 0;
        for (size_t i = 0; i < n; i++) {
            out[i] = sb_strdup(ok && v[i] ? v[i] : "");
            if (v[i])
                H5free_memory(v[i]);
        }
        free(v);
    } else {
        size_t size = H5Tget_size(ft) + 1; /* room for the terminating NUL */
        char *buf = sb_calloc(n, size);
        H5Tset_size(mt, size);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        ok = H5Aread(a, mt, buf) >= 0;
        for (size_t i = 0; i < n; i++)
            out[i] = sb_strdup(ok ? buf + i * size : "");
        free(buf);
    }
    H5Tclose(mt);
    return ok;
}

/* Read the values of an open attribute into a (its type and n set). */
static int read_attr_values(hid_t attr, hid_t ft, SbResultsAttr *a)
{
    size_t n = (size_t)a->n;
    switch (a->type) {
    case SB_RESULTS_FLOAT:
        a->reals = sb_malloc(n * sizeof *a->reals);
        return H5Aread(attr, H5T_NATIVE_DOUBLE, a->reals) >= 0;
    case SB_RESULTS_INT:
        a->ints = sb_malloc(n * sizeof *a->ints);
        return H5Aread(attr, H5T_NATIVE_INT64, a->ints) >= 0;
    case SB_RESULTS_STRING:
        a->strs = sb_calloc(n, sizeof *a->strs);
        return read_strings(attr, ft, n, a->strs);
    default:
        return 1; /* described, not read */
    }
}

SbResultsStatus sb_results_read_attr(SbResultsReader *rd, const char *obj, const char *name,
                                     SbResultsAttr *a)
{
    memset(a, 0, sizeof *a);
    hid_t o;
    SbResultsStatus st = open_object(rd, obj, &o);
    if (st != SB_RESULTS_OK)
        return st;
    if (H5Aexists(o, name) <= 0) {
        H5Oclose(o);
        return read_fail(rd, SB_RESULTS_ABSENT, obj, "no attribute '%s'", name);
    }
    hid_t attr = H5Aopen(o, name, H5P_DEFAULT);
    hid_t ft = attr >= 0 ? H5Aget_type(attr) : -1, space = attr >= 0 ? H5Aget_space(attr) : -1;
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    int ok = ft >= 0 && n >= 0, too_large = 0;
    if (ok) {
        a->type = type_of(ft, &a->size);
        a->rank = H5Sget_simple_extent_ndims(space);
        a->n = n;
        /* Bytes in memory: the file's element size, 8 for numbers. */
        size_t each = a->type == SB_RESULTS_STRING ? (size_t)a->size + 1 : 8, bytes;
        too_large = (uint64_t)n > SB_RESULTS_MAX_ELEMENTS || sb_size_mul((size_t)n, each, &bytes) != 0 ||
                    bytes > SB_RESULTS_MAX_ATTR_BYTES;
        ok = !too_large && (n == 0 || read_attr_values(attr, ft, a));
    }
    if (too_large)
        st = read_fail(rd, SB_RESULTS_INVALID, obj,
                       "attribute '%s': expected at most %d bytes, found %lld values of %d bytes",
                       name, SB_RESULTS_MAX_ATTR_BYTES, (long long)n, a->size);
    else
        st = ok ? SB_RESULTS_OK
                : read_fail(rd, SB_RESULTS_INVALID, obj, "cannot read attribute '%s': %s", name,
                            h5_reason());
    if (space >= 0)
        H5Sclose(space);
    if (ft >= 0)
        H5Tclose(ft);
    if (attr >= 0)
        H5Aclose(attr);
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    if (!ok)
        sb_results_attr_free(a);
    return st;
}

void sb_results_attr_free(SbResultsAttr *a)
{
    for (int64_t i = 0; a->strs && i < a->n; i++)
        free(a->strs[i]);
    free(a->strs);
    free(a->ints);
    free(a->reals);
    memset(a, 0, sizeof *a);
}

static herr_t collect_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)loc, (void)info;
    char ***names = data;
    size_t n = 0;
    while ((*names)[n])
        n++;
    *names = sb_realloc(*names, sizeof **names * (n + 2));
    (*names)[n] = sb_strdup(name);
    (*names)[n + 1] = NULL;
    return 0;
}

char **sb_results_list_attrs(SbResultsReader *rd, const char *obj, int *n)
{
    *n = 0;
    hid_t o;
    if (open_object(rd, obj, &o) != SB_RESULTS_OK)
        return NULL;
    char **names = sb_calloc(1, sizeof *names); /* NULL-terminated while collecting */
    hsize_t idx = 0;
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &names);
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    while (names[*n])
        (*n)++;
    return names;
}

SbResultsStatus sb_results_read_attr_string(SbResultsReader *rd, const char *obj,
                                            const char *name, char **out)
{
    *out = NULL;
    SbResultsAttr a;
    SbResultsStatus st = sb_results_read_attr(rd, obj, name, &a);
    if (st != SB_RESULTS_OK)
        return st;
    if (a.type == SB_RESULTS_STRING && a.n == 1) {
        *out = a.strs[0];
        a.strs[0] = NULL;
    } else {
        char found[64];
        st = read_fail(rd, SB_RESULTS_INVALID, obj, "attribute '%s': expected a string, found %s",
                       name, attr_found(&a, found, sizeof found));
    }
    sb_results_attr_free(&a);
    return st;
}

SbResultsStatus sb_results_read_attr_names(SbResultsReader *rd, const char *obj,
                                           const char *name, char ***names, int *n)
{
    *names = NULL;
    *n = 0;
    SbResultsAttr a;
    SbResultsStatus st = sb_results_read_attr(rd, obj, name, &a);
    if (st != SB_RESULTS_OK)
        return st;
    if (a.type == SB_RESULTS_STRING && a.n == 1) {
        *names = split_names(a.strs[0], n);
    } else if (a.type == SB_RESULTS_STRING && a.rank == 1 && a.n <= INT_MAX) {
        *names = a.strs;
        *n = (int)a.n;
        a.strs = NULL;
    } else {
        char found[64];
        st = read_fail(rd, SB_RESULTS_INVALID, obj,
                       "attribute '%s': expected a comma-separated string or an array of "
                       "strings, found %s",
                       name, attr_found(&a, found, sizeof found));
    }
    sb_results_attr_free(&a);
    return st;
}

SbResultsStatus sb_results_read_attr_doubles(SbResultsReader *rd, const char *obj,
                                             const char *name, int n, double *out)
{
    SbResultsAttr a;
    SbResultsStatus st = sb_results_read_attr(rd, obj, name, &a);
    if (st != SB_RESULTS_OK)
        return st;
    int numeric = a.type == SB_RESULTS_FLOAT || a.type == SB_RESULTS_INT;
    if (numeric && a.n == n && a.rank <= 1) {
        for (int i = 0; i < n; i++)
            out[i] = a.reals ? a.reals[i] : (double)a.ints[i];
    } else {
        char found[64];
        st = read_fail(rd, SB_RESULTS_INVALID, obj,
                       "attribute '%s': expected %d number%s, found %s", name, n, n == 1 ? "" : "s", attr_found(&a, found, sizeof found));
    }
    sb_results_attr_free(&a);
    return st;
}

/* ---- the unchecked forms ---- */

double *sb_results_read_table(SbResultsReader *rd, const char *path, int *rows, int *cols)
{
    SbResultsTable t;
    if (read_numeric(rd, path, &t) != SB_RESULTS_OK)
        return NULL;
    *rows = t.rows;
    *cols = t.cols;
    return t.data;
}

char *sb_results_read_attr_str(SbResultsReader *rd, const char *obj, const char *name)
{
    char *s;
    sb_results_read_attr_string(rd, obj, name, &s);
    return s;
}

int sb_results_read_attr_double(SbResultsReader *rd, const char *obj, const char *name, double *out)
{
    return sb_results_read_attr_doubles(rd, obj, name, 1, out) == SB_RESULTS_OK ? 0 : -1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names collected by H5Literate2, at most SB_RESULTS_MAX_LINKS. */
typedef struct {
    char **names;
    int n, cap;
} LinkNames;

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t LinkInfo;
#define link_iterate H5Literate2
#else
typedef H5L_info_t LinkInfo;
#define link_iterate H5Literate
#endif

static herr_t collect_link(hid_t group, const char *name, const LinkInfo *info, void *data)
{
    (void)group, (void)info;
    LinkNames *l = data;
    if (l->n == SB_RESULTS_MAX_LINKS)
        return 1; /* stop: more than a results file holds */
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->names = sb_realloc(l->names, sizeof *l->names * (size_t)(l->cap + 1));
    }
    l->names[l->n++] = sb_strdup(name);
    return 0;
}

char **sb_results_list(SbResultsReader *rd, const char *group, int *n)
{
    *n = 0;
    if (!path_exists(rd->file, group))
        return NULL;
    hid_t o = H5Oopen(rd->file, group, H5P_DEFAULT);
    if (o < 0) {
        H5Eclear2(H5E_DEFAULT);
        return NULL;
    }
    if (H5Iget_type(o) != H5I_GROUP) {
        H5Oclose(o);
        return NULL;
    }
    /* One pass in the order of the file (no table of every link, which
     * HDF5 1.10 builds for a lookup by index and mishandles in a corrupted
     * dense group), sorted here. */
    LinkNames l = {sb_calloc(1, sizeof(char *)), 0, 0};
    hsize_t idx = 0;
    link_iterate(o, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_link, &l);
    qsort(l.names, (size_t)l.n, sizeof *l.names, cmp_names);
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    *n = l.n;
    return l.names;
}

void sb_results_free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
