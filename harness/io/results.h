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

/* Open FILE.tmp.<pid> for writing (its parent folder is created if
 * missing). An error (unwritable folder, ...) is reported through sb_fail
 * with exit code 2 naming the path. */
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
 * file and the reason) if it is missing or not a soupbench results file. */
SbResultsReader *sb_results_open(const char *path);
void sb_results_close(SbResultsReader *rd);
/* 1 if the object exists. */
int sb_results_exists(SbResultsReader *rd, const char *path);
/* Read a float64 dataset: returns a malloc'd row-major array and its shape
 * (cols = 1 for 1-D), or NULL if absent. */
double *sb_results_read_table(SbResultsReader *rd, const char *path, int *rows, int *cols);
/* Read a string attribute into a malloc'd string, NULL if absent. */
char *sb_results_read_attr_str(SbResultsReader *rd, const char *obj, const char *name);
/* Read a scalar numeric attribute; returns 0 on success, -1 if absent. */
int sb_results_read_attr_double(SbResultsReader *rd, const char *obj, const char *name, double *out);
/* Names of the direct children of a group, sorted; *n set; NULL if the
 * group is absent. Free with sb_results_free_names. */
char **sb_results_list(SbResultsReader *rd, const char *group, int *n);
void sb_results_free_names(char **names, int n);

#endif
