/* soupbench info: a readable summary of a results file.
 *
 *     soupbench info FILE.h5 [--config]
 *
 * Prints the root provenance attributes, the tree of groups and datasets
 * (shape, type, description, other attributes), then the /summary table. */
#include "commands.h"
#include "results.h"
#include "sb.h"

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

/* Everything info prints from the file goes through this: the file is
 * untrusted, and a name or a string may hold terminal control sequences. */
static char *shown(const char *s) { return sb_printable(s, 0, 0); }

/* Problems found in the file (reported on stderr): info exits 2. */
static int problems;

static void report(SbResultsReader *rd)
{
    fprintf(stderr, "soupbench: %s\n", sb_results_error(rd));
    problems++;
}

/* Any attribute as text: strings (escaped), numbers (scalars or short
 * arrays) with full int64 precision. malloc'd; NULL if absent. flags:
 * SB_PRINT_LINES keeps a string's newlines (the config). */
static char *attr_text_as(SbResultsReader *rd, const char *obj, const char *name, int flags)
{
    SbResultsAttr a;
    SbResultsStatus st = sb_results_read_attr(rd, obj, name, &a);
    if (st != SB_RESULTS_OK) {
        if (st == SB_RESULTS_ABSENT)
            return NULL;
        report(rd);
        return sb_strdup("(unreadable)");
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (a.type == SB_RESULTS_STRING && a.n == 1) {
        char *v = sb_printable(a.strs[0], 0, flags);
        fputs(v, f);
        free(v);
    } else if ((a.type == SB_RESULTS_INT || a.type == SB_RESULTS_FLOAT) && a.n >= 1) {
        if (a.n > 1)
            fputc('[', f);
        for (int64_t i = 0; i < a.n && i < INFO_MAX_VALUES; i++) {
            if (i)
                fputs(", ", f);
            if (a.ints)
                fprintf(f, "%lld", (long long)a.ints[i]);
            else
                fprintf(f, "%.6g", a.reals[i]);
        }
        if (a.n > INFO_MAX_VALUES)
            fprintf(f, ", ... (%lld values)", (long long)a.n);
        if (a.n > 1)
            fputc(']', f);
    } else {
        fputs(a.n == 0 ? "(empty)" : "(unprintable type)", f);
    }
    fclose(f);
    sb_results_attr_free(&a);
    return text;
}

static char *attr_text(SbResultsReader *rd, const char *obj, const char *name)
{
    return attr_text_as(rd, obj, name, 0);
}

/* "@k = v  @k2 = v2" for the attributes of obj not in skip[], wrapped at
 * INFO_WIDTH columns. */
#define INFO_WIDTH 100
static void print_other_attrs(SbResultsReader *rd, const char *obj, const char *const *skip,
                              int n_skip, int indent)
{
    int n;
    char **names = sb_results_list_attrs(rd, obj, &n);
    int col = 0;
    for (int i = 0; i < n; i++) {
        int skipped = 0;
        for (int k = 0; k < n_skip; k++)
            skipped |= strcmp(names[i], skip[k]) == 0;
        if (skipped)
            continue;
        char *v = attr_text(rd, obj, names[i]), *name = shown(names[i]);
        char item[160];
        /* Long strings would swamp the tree. */
        if (v && strlen(v) > 60)
            snprintf(item, sizeof item, "@%s = %.57s...", name, v);
        else
            snprintf(item, sizeof item, "@%s = %s", name, v ? v : "");
        free(v);
        free(name);
        int len = (int)strlen(item);
        if (col > 0 && col + 2 + len > INFO_WIDTH) {
            putchar('\n');
            col = 0;
        }
        col += col ? printf("  %s", item) : printf("%*s%s", indent, "", item);
    }
    if (col)
        putchar('\n');
    sb_results_free_names(names, n);
}

/* ------------------------------------------------------------------ */
/* the tree                                                           */

static const char *type_name(const SbResultsObject *o)
{
    switch (o->type) {
    case SB_RESULTS_FLOAT:
        return o->size == 8 ? "float64" : "float32";
    case SB_RESULTS_INT:
        return o->size == 8 ? "int64" : "int";
    case SB_RESULTS_STRING:
        return "string";
    default:
        return "other";
    }
}

static void print_dataset(SbResultsReader *rd, const char *path, const SbResultsObject *o,
                          const char *name, int width, int indent)
{
    char shape[64] = "scalar";
    if (o->rank > 0 && o->rank <= SB_RESULTS_MAX_RANK) {
        int k = 0;
        for (int i = 0; i < o->rank; i++)
            k += snprintf(shape + k, sizeof shape - (size_t)k, "%s%llu", i ? " x " : "",
                          (unsigned long long)o->dims[i]);
    }
    char *desc = attr_text(rd, path, "description"), *shown_name = shown(name);
    printf("%*s%-*s  %-7s  %-12s  %s\n", indent, "", width, shown_name, type_name(o), shape,
           desc ? desc : "(no description)");
    free(desc);
    free(shown_name);
    static const char *const skip[] = {"columns", "description"};
    print_other_attrs(rd, path, skip, 2, indent + width + 2);
}

/* The groups on the way from / to the one being printed: a link back to
 * one of them is a cycle. Every group shown, to show a shared one once. */
typedef struct {
    uint64_t *addr;
    char **path;
    int n, cap;
} GroupSet;

static void groups_add(GroupSet *g, uint64_t addr, const char *path)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->addr = sb_realloc(g->addr, sizeof *g->addr * (size_t)g->cap);
        g->path = sb_realloc(g->path, sizeof *g->path * (size_t)g->cap);
    }
    g->addr[g->n] = addr;
    g->path[g->n++] = sb_strdup(path);
}

static const char *groups_find(const GroupSet *g, uint64_t addr)
{
    for (int i = 0; i < g->n; i++)
        if (g->addr[i] == addr)
            return g->path[i];
    return NULL;
}

static void groups_free(GroupSet *g)
{
    for (int i = 0; i < g->n; i++)
        free(g->path[i]);
    free(g->addr);
    free(g->path);
    memset(g, 0, sizeof *g);
}

/* One group's entries; ancestors and shown as above. */
static void print_tree(SbResultsReader *rd, const char *group, int indent, GroupSet *ancestors,
                       GroupSet *shown_groups)
{
    int n;
    char **names = sb_results_list(rd, group, &n);
    int width = 0;
    for (int i = 0; i < n; i++)
        if ((int)strlen(names[i]) + 1 > width)
            width = (int)strlen(names[i]) + 1;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(group) + strlen(names[i]) + 2;
        char *path = sb_malloc(len), *name = shown(names[i]);
        snprintf(path, len, "%s/%s", strcmp(group, "/") ? group : "", names[i]);
        SbResultsObject o;
        const char *seen;
        if (sb_results_stat(rd, path, &o) != SB_RESULTS_OK) {
            report(rd);
            printf("%*s%s  (unreadable)\n", indent, "", name);
        } else if (o.kind == SB_RESULTS_GROUP && (seen = groups_find(ancestors, o.addr))) {
            char *at = shown(path), *to = shown(seen);
            fprintf(stderr, "soupbench: %s: %s: expected a tree of groups, found a link back to %s "
                    "(not followed)\n", sb_results_path(rd), at, to);
            problems++;
            printf("%*s%s/  (link back to %s: not followed)\n", indent, "", name, to);
            free(at), free(to);
        } else if (o.kind == SB_RESULTS_GROUP && (seen = groups_find(shown_groups, o.addr))) {
            char *to = shown(seen);
            printf("%*s%s/  (the group %s, shown above)\n", indent, "", name, to);
            free(to);
        } else if (o.kind == SB_RESULTS_GROUP) {
            char *desc = attr_text(rd, path, "description");
            printf("%*s%s/%s%s\n", indent, "", name, desc ? "  " : "", desc ? desc : "");
            free(desc);
            static const char *const skip[] = {"description"};
            print_other_attrs(rd, path, skip, 1, indent + 4);
            groups_add(shown_groups, o.addr, path);
            groups_add(ancestors, o.addr, path);
            print_tree(rd, path, indent + 2, ancestors, shown_groups);
            free(ancestors->path[--ancestors->n]);
        } else if (o.kind == SB_RESULTS_DATASET) {
            print_dataset(rd, path, &o, names[i], width, indent);
        } else {
            printf("%*s%s  (named type)\n", indent, "", name);
        }
        free(name);
        free(path);
    }
    sb_results_free_names(names, n);
}

/* ------------------------------------------------------------------ */
/* the summary table                                                  */

/* The /summary table, its rows named by the `rows` attribute (numbered
 * past the names given), its columns by `columns`. 0, or -1 after
 * reporting a malformed table. */
static int print_summary(SbResultsReader *rd)
{
    SbResultsTable t;
    SbResultsStatus st = sb_results_read_dataset(rd, "/summary", &t);
    if (st != SB_RESULTS_OK) {
        if (st == SB_RESULTS_INVALID)
            fprintf(stderr, "soupbench: %s\n", sb_results_error(rd));
        return st == SB_RESULTS_ABSENT ? 0 : -1;
    }
    int n_rows;
    char **rnames;
    if (sb_results_read_attr_names(rd, "/summary", "rows", &rnames, &n_rows) == SB_RESULTS_INVALID)
        report(rd);
    for (int r = 0; r < n_rows; r++) { /* names from the file, shown escaped */
        char *v = shown(rnames[r]);
        free(rnames[r]);
        rnames[r] = v;
    }
    for (int c = 0; t.names && c < t.cols; c++) {
        char *v = shown(t.names[c]);
        free(t.names[c]);
        t.names[c] = v;
    }
    int w0 = (int)strlen("method");
    for (int r = 0; r < n_rows && r < t.rows; r++)
        if ((int)strlen(rnames[r]) > w0)
            w0 = (int)strlen(rnames[r]);
    int *w = sb_calloc((size_t)t.cols, sizeof *w);

    printf("\nsummary (mean over held-out users, 95%% bootstrap CI):\n  %-*s", w0, "method");
    for (int c = 0; c < t.cols; c++) {
        const char *name = t.names ? t.names[c] : NULL;
        w[c] = name && strlen(name) > 10 ? (int)strlen(name) : 10;
        if (name)
            printf("  %*s", w[c], name);
        else
            printf("  %*s%-*d", w[c] - 3, "col", 3, c);
    }
    putchar('\n');
    for (int r = 0; r < t.rows; r++) {
        if (r < n_rows)
            printf("  %-*s", w0, rnames[r]);
        else
            printf("  row %-*d", w0 - 4, r + 1);
        for (int c = 0; c < t.cols; c++)
            printf("  %*.4g", w[c], t.data[(size_t)r * t.cols + c]);
        putchar('\n');
    }
    free(w);
    sb_results_free_names(rnames, n_rows);
    sb_results_table_free(&t);
    return 0;
}

/* ------------------------------------------------------------------ */
/* the command                                                        */

/* The command line: 0 (file set, *show_config), or -1 (--help printed),
 * or SB_EXIT_USAGE after a message. */
static int parse_args(int argc, char **argv, const char **file, int *show_config)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(info_usage, stdout);
            return -1;
        } else if (strcmp(argv[i], "--config") == 0) {
            *show_config = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "soupbench info: unknown option %s\n%s", argv[i], info_usage);
            return SB_EXIT_USAGE;
        } else if (*file) {
            fprintf(stderr, "soupbench info: more than one results file given: %s\n%s",
                    argv[i], info_usage);
            return SB_EXIT_USAGE;
        } else {
            *file = argv[i];
        }
    }
    if (!*file) {
        fprintf(stderr, "soupbench info: missing the results file\n%s", info_usage);
        return SB_EXIT_USAGE;
    }
    return 0;
}

/* The root attributes: provenance first, then any others, then config. */
static void print_provenance(SbResultsReader *rd, int show_config)
{
    for (int i = 0; i < N_PROVENANCE; i++) {
        char *v = attr_text(rd, "/", provenance[i]);
        printf("  %-16s %s\n", provenance[i], v ? v : "(absent)");
        free(v);
    }
    const char *skip[N_PROVENANCE + 1];
    memcpy(skip, provenance, sizeof provenance);
    skip[N_PROVENANCE] = "config";
    print_other_attrs(rd, "/", skip, N_PROVENANCE + 1, 2);
    char *config = attr_text_as(rd, "/", "config", SB_PRINT_LINES);
    if (show_config)
        printf("  config:\n%s\n", config ? config : "(absent)");
    else if (config)
        printf("  %-16s (shown with --config)\n", "config");
    free(config);
}

int sb_cmd_info(int argc, char **argv)
{
    const char *file = NULL;
    int show_config = 0;
    int rc = parse_args(argc, argv, &file, &show_config);
    if (rc != 0)
        return rc < 0 ? SB_EXIT_OK : rc;
    SbResultsReader *rd = sb_results_open(file); /* prints why on failure */
    if (!rd)
        return SB_EXIT_USAGE;
    problems = 0;
    printf("%s: soupbench results file\n", file);
    print_provenance(rd, show_config);
    printf("\ncontents:\n");
    GroupSet ancestors = {0}, shown_groups = {0};
    SbResultsObject root;
    if (sb_results_stat(rd, "/", &root) == SB_RESULTS_OK)
        groups_add(&ancestors, root.addr, "/");
    print_tree(rd, "/", 2, &ancestors, &shown_groups);
    groups_free(&ancestors);
    groups_free(&shown_groups);
    rc = print_summary(rd) == 0 && problems == 0 ? SB_EXIT_OK : SB_EXIT_USAGE;
    fflush(stdout);
    sb_results_close(rd);
    return rc;
}
