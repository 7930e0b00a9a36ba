/* Fuzz target: the results-file readers behind `info` and `plot`, on files
 * built from the input with the HDF5 API, so that every input is a valid
 * HDF5 file and the fuzzer explores what soupbench's readers do with it:
 * groups, datasets of any type, rank and shape (huge declared shapes
 * included), attributes of any type and count (strings fixed and variable,
 * arrays of them), hard links (cycles), soft and external links, and
 * tables at the paths plot reads with column names that match or not.
 * Names and strings come from a table of soupbench's own and of hostile
 * ones (quotes, newlines, `system`), or from the input's bytes. */
#include "results_check.h"

#include <hdf5.h>

typedef struct {
    const uint8_t *p;
    size_t n;
} In;

static unsigned take(In *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static double take_double(In *in)
{
    unsigned b = take(in);
    if (b < 192) /* mostly small values, sometimes any bit pattern */
        return (double)(int)(b % 32) - 8 + (b % 3) * 0.5;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | take(in);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static const char *const names[] = {
    "methods", "data", "basis", "summary", "online", "online_active", "pareto", "gap", "results", "ablations",
    "K", "lora", "full", "update_spectra", "spectrum", "feature_spectrum", "implicit_q_spectrum", "synthetic",
    "oracle", "reference", "spectral_soup", "a1_a2", "helpfulness_conciseness", "columns", "rows", "aspects",
    "experiment", "label", "description", "reference_point", "hypervolume", "config", "seed", "git_commit",
    "x'\nsystem \"touch INJECTED\"\n'", "o' . system(\"touch INJECTED\") . '", "a\"\nEOD\nsystem \"id\"\n",
    "..", "-rf", "\x1b[2J", "\xff\xfe", "",
};
#define N_NAMES (sizeof names / sizeof names[0])

static const char *const strings[] = {
    "reference,oracle,spectral_soup", "a1,a2", "J_mean,J_lo,J_hi", "normalized_mean,normalized_lo,normalized_hi",
    "t,normalized_mean,normalized_lo,normalized_hi,cumregret_bespoke_mean,cumregret_bespoke_lo,cumregret_bespoke_hi",
    "w_a1,w_a2,r_a1,r_a2,J,KL,nondominated", "misspecification,linear,horizon,residual,residual_exact,gap_oracle",
    "policy,layer,sv_1,sv_2", "width,K,normalized_mean,normalized_lo,normalized_hi,effective_rank_lora",
    "singular_value", "x'\nsystem \"touch INJECTED\"\n'", "a\"\nEOD\nsystem \"id\"\n$Z << EOD\n\"", "", ",,,",
};
#define N_STRINGS (sizeof strings / sizeof strings[0])

/* A name: from the table, or up to 23 bytes of the input (no '/'). */
static void take_name(In *in, char *buf, size_t cap)
{
    unsigned b = take(in);
    if (b < 224) {
        snprintf(buf, cap, "%s", names[b % N_NAMES]);
    } else {
        size_t n = take(in) % 24, k = 0;
        for (size_t i = 0; i < n && k + 1 < cap; i++) {
            char c = (char)take(in);
            if (c && c != '/')
                buf[k++] = c;
        }
        buf[k] = '\0';
    }
    if (!buf[0] || strcmp(buf, ".") == 0)
        snprintf(buf, cap, "x");
}

static void take_string(In *in, char *buf, size_t cap)
{
    unsigned b = take(in);
    if (b < 200) {
        snprintf(buf, cap, "%s", strings[b % N_STRINGS]);
        return;
    }
    size_t n = take(in) % 64, k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        char c = (char)take(in);
        if (c)
            buf[k++] = c;
    }
    buf[k] = '\0';
}

/* The objects made so far: groups (to put things in) and any object (to
 * put attributes on, to link to). */
typedef struct {
    char group[32][640];
    int n_groups;
    char object[64][640];
    int n_objects;
} Made;

static void made_add(Made *m, const char *path, int group)
{
    if (group && m->n_groups < 32)
        snprintf(m->group[m->n_groups++], 640, "%s", path);
    if (m->n_objects < 64)
        snprintf(m->object[m->n_objects++], 640, "%s", path);
}

static void child_path(const char *parent, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", strcmp(parent, "/") ? parent : "", name);
}

static hid_t take_type(In *in, int *is_string)
{
    *is_string = 0;
    switch (take(in) % 6) {
    case 0:
        return H5Tcopy(H5T_IEEE_F64LE);
    case 1:
        return H5Tcopy(H5T_STD_I32LE);
    case 2:
        return H5Tcopy(H5T_STD_I8LE);
    case 3:
        return H5Tcopy(H5T_IEEE_F32BE);
    case 4: {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        *is_string = 1;
        return t;
    }
    default: {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, 1 + take(in) % 40);
        *is_string = 2;
        return t;
    }
    }
}

/* Write n values of the type from the input. */
static void write_values(In *in, hid_t obj, int is_attr, hid_t type, int is_string, size_t n)
{
    if (n > 4096)
        return;
    if (is_string) {
        size_t size = is_string == 1 ? 0 : H5Tget_size(type);
        char(*s)[128] = calloc(n ? n : 1, sizeof *s);
        char **v = calloc(n ? n : 1, sizeof *v);
        char *fixed = calloc(n ? n : 1, size ? size : 1);
        for (size_t i = 0; i < n; i++) {
            take_string(in, s[i], sizeof s[i]);
            v[i] = s[i];
            if (size)
                strncpy(fixed + i * size, s[i], size);
        }
        const void *buf = size ? (const void *)fixed : (const void *)v;
        if (is_attr)
            H5Awrite(obj, type, buf);
        else
            H5Dwrite(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(s), free(v), free(fixed);
        return;
    }
    double *x = calloc(n ? n : 1, sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = take_double(in);
    if (is_attr)
        H5Awrite(obj, H5T_NATIVE_DOUBLE, x);
    else
        H5Dwrite(obj, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
    free(x);
}

/* A dataspace: scalar, null, or rank 1-3 with small dims (or one huge,
 * never written). *n: its points; *huge set when it is not to be written. */
static hid_t take_space(In *in, size_t *n, int *huge)
{
    unsigned kind = take(in) % 8;
    *huge = 0;
    if (kind == 0) {
        *n = 1;
        return H5Screate(H5S_SCALAR);
    }
    if (kind == 1) {
        *n = 0;
        return H5Screate(H5S_NULL);
    }
    int rank = 1 + (int)(kind % 3);
    hsize_t dims[3];
    *n = 1;
    for (int i = 0; i < rank; i++) {
        unsigned b = take(in);
        dims[i] = b < 250 ? b % 13 : (hsize_t)1 << (20 + b % 20);
        *huge |= b >= 250;
        *n *= dims[i];
    }
    return H5Screate_simple(rank, dims, NULL);
}

static void op_dataset(In *in, hid_t f, Made *m, const char *path)
{
    int is_string, huge;
    size_t n;
    hid_t type = take_type(in, &is_string), space = take_space(in, &n, &huge);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    if (huge) {
        int rank = H5Sget_simple_extent_ndims(space);
        hsize_t chunk[3] = {1, 1, 1};
        H5Pset_chunk(dcpl, rank, chunk);
    }
    hid_t d = H5Dcreate2(f, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    if (d >= 0) {
        if (!huge && n > 0)
            write_values(in, d, 0, type, is_string, n);
        H5Dclose(d);
        made_add(m, path, 0);
    }
    H5Pclose(lcpl), H5Pclose(dcpl), H5Sclose(space), H5Tclose(type);
}

static void op_attribute(In *in, hid_t f, Made *m)
{
    if (!m->n_objects)
        return;
    const char *obj = m->object[take(in) % m->n_objects];
    char name[64];
    take_name(in, name, sizeof name);
    int is_string, huge;
    size_t n;
    hid_t type = take_type(in, &is_string), space = take_space(in, &n, &huge);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    if (o >= 0 && !huge) {
        if (H5Aexists(o, name) > 0)
            H5Adelete(o, name);
        hid_t a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
            if (n > 0)
                write_values(in, a, 1, type, is_string, n);
            H5Aclose(a);
        }
    }
    if (o >= 0)
        H5Oclose(o);
    H5Sclose(space), H5Tclose(type);
}

/* A table where plot looks for one, named columns that fit or not. */
static void op_table(In *in, hid_t f, Made *m)
{
    static const char *const paths[] = {"/summary", "/methods/oracle/pareto/a1_a2", "/methods/oracle/online",
                                        "/methods/spectral_soup/online_active", "/gap/results",
                                        "/basis/lora/update_spectra", "/ablations/K", "/data/synthetic/spectrum",
                                        "/basis/full/implicit_q_spectrum"};
    const char *path = paths[take(in) % (sizeof paths / sizeof paths[0])];
    char columns[512];
    take_string(in, columns, sizeof columns);
    int cols = 1;
    for (const char *c = columns; *c; c++)
        cols += *c == ',';
    cols += (int)(take(in) % 3) - 1 + 0 * cols; /* sometimes one off */
    if (cols < 1)
        cols = 1;
    hsize_t dims[2] = {take(in) % 12, (hsize_t)cols};
    int rank = cols == 1 && (take(in) & 1) ? 1 : 2;
    hid_t space = H5Screate_simple(rank, dims, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    if (H5Lexists(f, path, H5P_DEFAULT) > 0)
        H5Ldelete(f, path, H5P_DEFAULT);
    hid_t d = H5Dcreate2(f, path, H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) {
        write_values(in, d, 0, H5T_IEEE_F64LE, 0, (size_t)(dims[0] * (rank == 2 ? dims[1] : 1)));
        hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
        H5Tset_size(t, strlen(columns) + 1);
        hid_t a = H5Acreate2(d, "columns", t, s, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
            H5Awrite(a, t, columns);
            H5Aclose(a);
        }
        H5Sclose(s), H5Tclose(t), H5Dclose(d);
        made_add(m, path, 0);
    }
    H5Pclose(lcpl), H5Sclose(space);
}

static void build(In *in, const char *file)
{
    hid_t f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        abort();
    Made *m = calloc(1, sizeof *m);
    made_add(m, "/", 1);
    { /* format_version, mostly a good one */
        unsigned b = take(in);
        double v = b < 240 ? 1 : take_double(in);
        hid_t s = H5Screate(H5S_SCALAR), a = H5Acreate2(f, "format_version", H5T_IEEE_F64LE, s, H5P_DEFAULT,
                                                        H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
        H5Aclose(a), H5Sclose(s);
    }
    char name[64], path[600], target[600];
    for (int op = 0; op < 48 && in->n; op++) {
        const char *parent = m->group[take(in) % m->n_groups];
        switch (take(in) % 8) {
        case 0: {
            take_name(in, name, sizeof name);
            child_path(parent, name, path, sizeof path);
            hid_t g = H5Gcreate2(f, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g >= 0) {
                H5Gclose(g);
                made_add(m, path, 1);
            }
            break;
        }
        case 1:
            take_name(in, name, sizeof name);
            child_path(parent, name, path, sizeof path);
            op_dataset(in, f, m, path);
            break;
        case 2:
        case 3:
            op_attribute(in, f, m);
            break;
        case 4: /* a hard link to any object: cycles when it is a group above */
            take_name(in, name, sizeof name);
            child_path(parent, name, path, sizeof path);
            H5Lcreate_hard(f, m->object[take(in) % m->n_objects], f, path, H5P_DEFAULT, H5P_DEFAULT);
            break;
        case 5: /* a soft link, to an object or to nowhere */
            take_name(in, name, sizeof name);
            child_path(parent, name, path, sizeof path);
            if (take(in) & 1)
                snprintf(target, sizeof target, "%s", m->object[take(in) % m->n_objects]);
            else
                take_string(in, target, sizeof target);
            H5Lcreate_soft(target[0] ? target : "/", f, path, H5P_DEFAULT, H5P_DEFAULT);
            break;
        case 6:
            take_name(in, name, sizeof name);
            child_path(parent, name, path, sizeof path);
            H5Lcreate_external("/etc/passwd", "/", f, path, H5P_DEFAULT, H5P_DEFAULT);
            break;
        default:
            op_table(in, f, m);
            break;
        }
    }
    free(m);
    H5Fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    static int quiet;
    if (!quiet) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        quiet = 1;
    }
    In in = {data, size};
    const char *file = fuzz_file("built.h5", NULL, 0);
    build(&in, file);
    run_info_and_plot(file);
    return 0;
}
