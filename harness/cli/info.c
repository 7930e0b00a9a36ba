/* soupbench info: a readable summary of a results file.
 *
 *     soupbench info FILE.h5 [--config]
 *
 * Prints the root provenance attributes, the tree of groups and datasets
 * (shape, type, description, other attributes), then the /summary table. */
#include "commands.h"
#include "results.h"
#include "sb.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *info_usage =
    "usage: soupbench info FILE.h5 [--config]\n"
    "\n"
    "Print a summary of a results file: its provenance (versions, git commit,\n"
    "time, command line, seed, BLAS), the groups and datasets with their\n"
    "shapes and descriptions, and the /summary table.\n"
    "\n"
    "  --config    also print the resolved configuration (JSON) of the run\n";

/* Provenance attributes of /, in the order printed (config is separate). */
static const char *provenance[] = {"format_version", "harness_version", "git_commit",
                                   "created_utc",    "command_line",    "seed",
                                   "blas_vendor",    "blas_threads",    "experiment"};
#define N_PROVENANCE (int)(sizeof provenance / sizeof provenance[0])

/* Values of arrays beyond this many are elided. */
#define INFO_MAX_VALUES 8

/* ------------------------------------------------------------------ */
/* attributes as text                                                 */

/* Any attribute as text: strings as they are, numbers (scalars or short
 * arrays) with full int64 precision. malloc'd; NULL if absent. */
static char *attr_text(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = H5Aget_type(a);
    hid_t sp = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5T_class_t c = H5Tget_class(ft);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (c == H5T_STRING && n == 1) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        if (H5Tis_variable_str(ft) > 0) {
            char *v = NULL;
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, &v) >= 0 && v) {
                fputs(v, f);
                H5free_memory(v);
            }
        } else {
            size_t size = H5Tget_size(ft);
            char *v = sb_calloc(size + 1, 1);
            H5Tset_size(mt, size + 1);
            if (H5Aread(a, mt, v) >= 0)
                fputs(v, f);
            free(v);
        }
        H5Tclose(mt);
    } else if ((c == H5T_INTEGER || c == H5T_FLOAT) && n >= 1) {
        int is_int = c == H5T_INTEGER;
        void *v = sb_malloc((size_t)n * 8);
        int ok = H5Aread(a, is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, v) >= 0;
        if (n > 1)
            fputc('[', f);
        for (hssize_t i = 0; ok && i < n && i < INFO_MAX_VALUES; i++) {
            if (i)
                fputs(", ", f);
            if (is_int)
                fprintf(f, "%lld", (long long)((int64_t *)v)[i]);
            else
                fprintf(f, "%.6g", ((double *)v)[i]);
        }
        if (n > INFO_MAX_VALUES)
            fprintf(f, ", ... (%lld values)", (long long)n);
        if (n > 1)
            fputc(']', f);
        free(v);
    } else {
        fputs(n == 0 ? "(empty)" : "(unprintable type)", f);
    }
    fclose(f);
    H5Sclose(sp);
    H5Tclose(ft);
    H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

typedef struct {
    char **names;
    int n;
} NameList;

static herr_t collect_attr(hid_t loc, const char *name, const H5A_info_t *ainfo, void *data)
{
    (void)loc, (void)ainfo;
    NameList *l = data;
    l->names = sb_realloc(l->names, sizeof *l->names * (size_t)(l->n + 1));
    l->names[l->n++] = sb_strdup(name);
    return 0;
}

/* Names of the attributes of obj, by name. */
static NameList attr_names(hid_t obj)
{
    NameList l = {NULL, 0};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &l);
    H5Eclear2(H5E_DEFAULT);
    return l;
}

static void free_names(NameList *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
}

/* "@k = v  @k2 = v2" for the attributes of obj not in skip[], wrapped at
 * INFO_WIDTH columns. */
#define INFO_WIDTH 100
static void print_other_attrs(hid_t obj, const char *const *skip, int n_skip, int indent)
{
    NameList l = attr_names(obj);
    int col = 0;
    for (int i = 0; i < l.n; i++) {
        int skipped = 0;
        for (int k = 0; k < n_skip; k++)
            skipped |= strcmp(l.names[i], skip[k]) == 0;
        if (skipped)
            continue;
        char *v = attr_text(obj, l.names[i]);
        char item[160];
        /* Long strings would swamp the tree. */
        if (v && strlen(v) > 60)
            snprintf(item, sizeof item, "@%s = %.57s...", l.names[i], v);
        else
            snprintf(item, sizeof item, "@%s = %s", l.names[i], v ? v : "");
        free(v);
        int len = (int)strlen(item);
        if (col > 0 && col + 2 + len > INFO_WIDTH) {
            putchar('\n');
            col = 0;
        }
        col += col ? printf("  %s", item) : printf("%*s%s", indent, "", item);
    }
    if (col)
        putchar('\n');
    free_names(&l);
}

/* ------------------------------------------------------------------ */
/* the tree                                                           */

static const char *type_name(hid_t t)
{
    switch (H5Tget_class(t)) {
    case H5T_FLOAT:
        return H5Tget_size(t) == 8 ? "float64" : "float32";
    case H5T_INTEGER:
        return H5Tget_size(t) == 8 ? "int64" : "int";
    case H5T_STRING:
        return "string";
    default:
        return "other";
    }
}

static void print_dataset(hid_t d, const char *name, int width, int indent)
{
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
    hsize_t dims[8] = {0};
    int rank = H5Sget_simple_extent_ndims(sp);
    char shape[64] = "scalar";
    if (rank > 0 && rank <= 8) {
        H5Sget_simple_extent_dims(sp, dims, NULL);
        int k = 0;
        for (int i = 0; i < rank; i++)
            k += snprintf(shape + k, sizeof shape - (size_t)k, "%s%llu", i ? " x " : "",
                          (unsigned long long)dims[i]);
    }
    char *desc = attr_text(d, "description");
    printf("%*s%-*s  %-7s  %-12s  %s\n", indent, "", width, name, type_name(t), shape,
           desc ? desc : "(no description)");
    free(desc);
    static const char *const skip[] = {"columns", "description"};
    print_other_attrs(d, skip, 2, indent + width + 2);
    H5Tclose(t);
    H5Sclose(sp);
}

static void print_tree(SbResultsReader *rd, hid_t file, const char *group, int indent)
{
    int n;
    char **names = sb_results_list(rd, group, &n);
    int width = 0;
    for (int i = 0; i < n; i++)
        if ((int)strlen(names[i]) + 1 > width)
            width = (int)strlen(names[i]) + 1;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", strcmp(group, "/") ? group : "", names[i]);
        hid_t o = H5Oopen(file, path, H5P_DEFAULT);
        if (o < 0) {
            H5Eclear2(H5E_DEFAULT);
            printf("%*s%s  (unreadable)\n", indent, "", names[i]);
            continue;
        }
        if (H5Iget_type(o) == H5I_GROUP) {
            char *desc = attr_text(o, "description");
            printf("%*s%s/%s%s\n", indent, "", names[i], desc ? "  " : "", desc ? desc : "");
            free(desc);
            static const char *const skip[] = {"description"};
            print_other_attrs(o, skip, 1, indent + 4);
            print_tree(rd, file, path, indent + 2);
        } else if (H5Iget_type(o) == H5I_DATASET) {
            print_dataset(o, names[i], width, indent);
        } else {
            printf("%*s%s  (named type)\n", indent, "", names[i]);
        }
        H5Oclose(o);
    }
    sb_results_free_names(names, n);
}

/* ------------------------------------------------------------------ */
/* the summary table                                                  */

/* Split a comma-separated list into exactly n malloc'd fields (missing
 * ones NULL). */
static char **split_commas(const char *s, int n)
{
    char **out = sb_calloc((size_t)n, sizeof *out);
    for (int i = 0; s && i < n; i++) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        out[i] = sb_malloc(len + 1);
        memcpy(out[i], s, len);
        out[i][len] = '\0';
        s = end ? end + 1 : NULL;
    }
    return out;
}

static void print_summary(SbResultsReader *rd)
{
    int rows, cols;
    double *t = sb_results_read_table(rd, "/summary", &rows, &cols);
    if (!t)
        return;
    char *cattr = sb_results_read_attr_str(rd, "/summary", "columns");
    char *rattr = sb_results_read_attr_str(rd, "/summary", "rows");
    char **cnames = split_commas(cattr, cols), **rnames = split_commas(rattr, rows);
    int w0 = (int)strlen("method");
    for (int r = 0; r < rows; r++)
        if (rnames[r] && (int)strlen(rnames[r]) > w0)
            w0 = (int)strlen(rnames[r]);
    int *w = sb_calloc((size_t)cols, sizeof *w);

    printf("\nsummary (mean over held-out users, 95%% bootstrap CI):\n  %-*s", w0, "method");
    for (int c = 0; c < cols; c++) {
        w[c] = cnames[c] && strlen(cnames[c]) > 10 ? (int)strlen(cnames[c]) : 10;
        if (cnames[c])
            printf("  %*s", w[c], cnames[c]);
        else
            printf("  %*s%-*d", w[c] - 3, "col", 3, c);
    }
    putchar('\n');
    for (int r = 0; r < rows; r++) {
        if (rnames[r])
            printf("  %-*s", w0, rnames[r]);
        else
            printf("  row %-*d", w0 - 4, r + 1);
        for (int c = 0; c < cols; c++)
            printf("  %*.4g", w[c], t[(size_t)r * cols + c]);
        putchar('\n');
    }
    free(w);
    sb_results_free_names(cnames, cols);
    sb_results_free_names(rnames, rows);
    free(cattr);
    free(rattr);
    free(t);
}

/* ------------------------------------------------------------------ */
/* the command                                                        */

int sb_cmd_info(int argc, char **argv)
{
    const char *file = NULL;
    int show_config = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(info_usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(argv[i], "--config") == 0) {
            show_config = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "soupbench info: unknown option %s\n%s", argv[i], info_usage);
            return SB_EXIT_USAGE;
        } else if (file) {
            fprintf(stderr, "soupbench info: more than one results file given: %s\n%s",
                    argv[i], info_usage);
            return SB_EXIT_USAGE;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fprintf(stderr, "soupbench info: missing the results file\n%s", info_usage);
        return SB_EXIT_USAGE;
    }
    SbResultsReader *rd = sb_results_open(file); /* prints why on failure */
    if (!rd)
        return SB_EXIT_USAGE;
    /* Attributes of any type and the object kinds need the HDF5 API; a
     * second read-only handle on the same file is cheap. */
    hid_t h5 = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t root = h5 >= 0 ? H5Oopen(h5, "/", H5P_DEFAULT) : -1;
    if (root < 0) {
        fprintf(stderr, "soupbench: %s: cannot open results file\n", file);
        if (h5 >= 0)
            H5Fclose(h5);
        sb_results_close(rd);
        return SB_EXIT_USAGE;
    }

    printf("%s: soupbench results file\n", file);
    for (int i = 0; i < N_PROVENANCE; i++) {
        char *v = attr_text(root, provenance[i]);
        printf("  %-16s %s\n", provenance[i], v ? v : "(absent)");
        free(v);
    }
    /* Root attributes beyond the provenance, if any. */
    const char *skip[N_PROVENANCE + 1];
    memcpy(skip, provenance, sizeof provenance);
    skip[N_PROVENANCE] = "config";
    print_other_attrs(root, skip, N_PROVENANCE + 1, 2);
    char *config = attr_text(root, "config");
    if (show_config)
        printf("  config:\n%s\n", config ? config : "(absent)");
    else if (config)
        printf("  %-16s (shown with --config)\n", "config");
    free(config);

    printf("\ncontents:\n");
    print_tree(rd, h5, "/", 2);
    print_summary(rd);

    H5Oclose(root);
    H5Fclose(h5);
    sb_results_close(rd);
    return SB_EXIT_OK;
}
