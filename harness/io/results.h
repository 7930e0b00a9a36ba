/* soupbench: the HDF5 results file (SPEC section 7).
 *
 * A results file is written under a temporary name (FILE.tmp.<pid>, which
 * sb_fail removes) and renamed to FILE by sb_results_commit, so a reader
 * never sees a half-written file. Every dataset is float64 (or int64 for
 * indices) and carries two string attributes: `columns` (comma-separated
 * column names, one per column of a 2-D table; for a 1-D array the name of
 * its single column) and `description` (one line). Datasets with more than
 * SB_RESULTS_CHUNK_MIN elements are chunked and deflate-compressed.
 * Intermediate groups in a path ("/methods/oracle/pareto/a1_a2") are
 * created on demand. */
#ifndef SB_RESULTS_H
#define SB_RESULTS_H

#include <stdint.h>

#define SB_RESULTS_CHUNK_MIN 1024

typedef struct SbResults SbResults;

/* Check, before any work, that `path` can receive a results file: it is
 * not a folder, a FIFO, a device or a socket, its folder exists (created if
 * missing) and FILE.tmp.<pid> can be created in it (created and removed).
 * Temporary files of processes that are gone (FILE.tmp.<pid>) are removed.
 * A problem is reported through sb_fail with exit code 2 naming the path
 * and the reason ("Permission denied", "Read-only file system"). */
void sb_results_check_out(const char *path);

/* Open FILE.tmp.<pid> for writing, after sb_results_check_out. A write
 * that fails (a full disk) ends the run through sb_fail with exit code 1
 * naming the file, the object and the system's reason; the temporary file
 * is removed. */
SbResults *sb_results_create(const char *path);

/* Attributes on an object (group or dataset) given by absolute path; the
 * object is created as a group first if it does not exist. */
void sb_results_attr_str(SbResults *r, const char *obj, const char *name, const char *value);
void sb_results_attr_double(SbResults *r, const char *obj, const char *name, double value);
void sb_results_attr_int(SbResults *r, const char *obj, const char *name, int64_t value);
void sb_results_attr_doubles(SbResults *r, const char *obj, const char *name, const double *v, int n);

/* A rows x cols row-major table of doubles at `path`. cols == 1 with
 * rows = n writes a 1-D dataset of n elements. */
void sb_results_write_table(SbResults *r, const char *path, int rows, int cols, const double *data,
                            const char *columns, const char *description);
/* The same for int64 data (indices, counts). */
void sb_results_write_ints(SbResults *r, const char *path, int rows, int cols, const int64_t *data,
                           const char *columns, const char *description);

/* Close and rename the temporary file to its final name. */
void sb_results_commit(SbResults *r);
/* Close and remove the temporary file. */
void sb_results_abort(SbResults *r);

/* ---- reading (info, plot, tests) ---- */
typedef struct SbResultsReader SbResultsReader;

/* Open an existing results file; NULL (with a message on stderr naming the
 * file and the reason) if it is missing or not a soupbench results file.
 * The file is untrusted input: external links are not followed, and the
 * readers below check everything they read. */
SbResultsReader *sb_results_open(const char *path);
void sb_results_close(SbResultsReader *rd);
/* The path it was opened with. */
const char *sb_results_path(const SbResultsReader *rd);
/* 1 if the object exists. */
int sb_results_exists(SbResultsReader *rd, const char *path);
/* Names of the direct children of a group (the first
 * SB_RESULTS_MAX_LINKS), sorted; *n set; NULL if the group is absent.
 * Free with sb_results_free_names. */
#define SB_RESULTS_MAX_LINKS (1 << 20)
char **sb_results_list(SbResultsReader *rd, const char *group, int *n);
void sb_results_free_names(char **names, int n);

/* The readers below check what they find before using it. Each returns
 * SB_RESULTS_OK, SB_RESULTS_ABSENT (no such object or attribute) or
 * SB_RESULTS_INVALID (there is one, but not of the rank, shape or type
 * asked for); on anything but OK, sb_results_error says what, naming the
 * file and the HDF5 path:
 *   "q.h5: /summary: expected a numeric dataset of rank 1 or 2, found rank 3"
 * and every output is left empty (NULL, 0). */
typedef enum {
    SB_RESULTS_OK = 0,
    SB_RESULTS_ABSENT,
    SB_RESULTS_INVALID,
} SbResultsStatus;

/* The message of the last failed read (empty if none), with anything
 * from the file in it escaped for a terminal (sb_printable). */
const char *sb_results_error(const SbResultsReader *rd);

/* Element types, as found in the file. */
typedef enum {
    SB_RESULTS_FLOAT,
    SB_RESULTS_INT,
    SB_RESULTS_STRING,
    SB_RESULTS_OTHER,
} SbResultsType;

typedef enum {
    SB_RESULTS_GROUP,
    SB_RESULTS_DATASET,
    SB_RESULTS_NAMED_TYPE,
} SbResultsKind;

#define SB_RESULTS_MAX_RANK 8
/* The most a reader takes from one dataset (values: 512 MiB of doubles)
 * and one attribute (bytes); anything larger is INVALID. */
#define SB_RESULTS_MAX_ELEMENTS (1 << 26)
#define SB_RESULTS_MAX_ATTR_BYTES (1 << 26)

/* What an object is: its kind and, for a dataset, its element type and
 * shape (dims filled when 0 < rank <= SB_RESULTS_MAX_RANK). */
typedef struct {
    uint64_t addr; /* where it is in the file: two links to one object share it */
    SbResultsKind kind;
    SbResultsType type;
    int size; /* bytes per element */
    int rank; /* 0 for a scalar */
    uint64_t dims[SB_RESULTS_MAX_RANK];
} SbResultsObject;

/* The object at `path`; INVALID if its link leads nowhere. With
 * sb_results_list, this walks the file (info). */
SbResultsStatus sb_results_stat(SbResultsReader *rd, const char *path, SbResultsObject *o);

/* A numeric dataset of rank 1 or 2 read as doubles (int64 converted), with
 * its `columns` attribute split into one name per column. */
typedef struct {
    double *data;   /* rows x cols, row-major */
    int rows, cols; /* a 1-D dataset of n values: rows = n, cols = 1 */
    int rank;       /* 1 or 2 */
    char **names;   /* cols names; NULL if the dataset has no `columns` */
} SbResultsTable;

/* INVALID if the dataset is not numeric, not of rank 1 or 2, or its
 * `columns` attribute is not a string naming exactly cols columns. */
SbResultsStatus sb_results_read_dataset(SbResultsReader *rd, const char *path, SbResultsTable *t);
/* Index of the column called `name`, -1 if there is none. */
int sb_results_table_column(const SbResultsTable *t, const char *name);
void sb_results_table_free(SbResultsTable *t);

/* Any attribute, as found: n elements (1 for a scalar, 0 for an empty
 * dataspace) of one type, in the array of that type (the others NULL). */
typedef struct {
    SbResultsType type;
    int size;       /* bytes per element in the file */
    int rank;       /* of its dataspace: 0 for a scalar or an empty one */
    int64_t n;
    char **strs;    /* SB_RESULTS_STRING */
    int64_t *ints;  /* SB_RESULTS_INT */
    double *reals;  /* SB_RESULTS_FLOAT */
} SbResultsAttr;

/* INVALID only if the attribute cannot be read. */
SbResultsStatus sb_results_read_attr(SbResultsReader *rd, const char *obj, const char *name,
                                     SbResultsAttr *a);
void sb_results_attr_free(SbResultsAttr *a);
/* Names of the attributes of obj, sorted; *n set; NULL if obj is absent.
 * Free with sb_results_free_names. */
char **sb_results_list_attrs(SbResultsReader *rd, const char *obj, int *n);

/* A single string (malloc'd into *out). */
SbResultsStatus sb_results_read_attr_string(SbResultsReader *rd, const char *obj,
                                            const char *name, char **out);
/* A list of names: a comma-separated string ("a1,a2") or a 1-D array of
 * strings; *names malloc'd (free with sb_results_free_names), *n set. */
SbResultsStatus sb_results_read_attr_names(SbResultsReader *rd, const char *obj,
                                           const char *name, char ***names, int *n);
/* Exactly n numbers (a scalar when n = 1) into out[0..n-1]. */
SbResultsStatus sb_results_read_attr_doubles(SbResultsReader *rd, const char *obj,
                                             const char *name, int n, double *out);

/* Unchecked forms (NULL or -1 for absent and invalid alike), for callers
 * that only need "there or not". */
/* Read a float64 dataset: returns a malloc'd row-major array and its shape
 * (cols = 1 for 1-D), or NULL if absent. */
double *sb_results_read_table(SbResultsReader *rd, const char *path, int *rows, int *cols);
/* Read a string attribute into a malloc'd string, NULL if absent. */
char *sb_results_read_attr_str(SbResultsReader *rd, const char *obj, const char *name);
/* Read a scalar numeric attribute; returns 0 on success, -1 if absent. */
int sb_results_read_attr_double(SbResultsReader *rd, const char *obj, const char *name, double *out);

#endif
