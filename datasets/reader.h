/* soupbench: streaming readers for the real datasets (SPEC section 5).
 *
 * Lines of a text file, gzip-compressed or not (zlib reads both), and
 * records of a JSON file, either one top-level array of objects (AlpacaEval,
 * UniEval) or JSON Lines (HH-RLHF, UltraFeedback), one record in memory at a
 * time. Bad input ends the run through sb_fail with exit code 2 and a
 * message naming the file, the line or record number, what was expected and
 * what was found (a truncated or corrupted gzip stream, a JSON syntax error,
 * a NUL character, a record that is not an object); with skip_bad a
 * malformed record is counted by kind, reported once at close, and skipped
 * instead. Text quoted from the file in a message is escaped
 * (sb_printable). */
#ifndef SB_READER_H
#define SB_READER_H

#include <cJSON.h>

typedef struct SbReader SbReader;

/* Open a text file (plain or gzip). A missing or unreadable file is an
 * error (exit 2) naming it. */
SbReader *sb_reader_open(const char *path);
/* The next line without its newline (valid until the next call), or NULL
 * at the end; *line_no (1-based) set when not NULL. Lines of any length. */
const char *sb_reader_line(SbReader *rd, long *line_no);
void sb_reader_close(SbReader *rd);

typedef struct SbJsonStream SbJsonStream;

/* Records of a JSON array file or a JSON Lines file (detected from the
 * first non-blank character: '[' or '{'). */
SbJsonStream *sb_json_open(const char *path, int skip_bad);
/* The next record (an object; the caller frees it with cJSON_Delete) or
 * NULL at the end; *record_no (1-based) set when not NULL. */
cJSON *sb_json_next(SbJsonStream *js, long *record_no);
/* Malformed records skipped so far (skip_bad only). */
long sb_json_skipped(const SbJsonStream *js);

/* Why a record is malformed. The stream finds the first four; loaders
 * report the others through sb_json_bad. */
typedef enum {
    SB_BAD_SYNTAX,     /* a JSON syntax error */
    SB_BAD_NUL,        /* a NUL character, raw or \u0000 (it would cut a string short) */
    SB_BAD_NOT_OBJECT, /* a record that is not an object */
    SB_BAD_MISSING,    /* an empty element of an array ("[1,,2]") */
    SB_BAD_SCHEMA,     /* a field missing or of the wrong type */
    SB_BAD_RANGE,      /* a value outside its range */
    SB_BAD_KINDS
} SbBadKind;

/* The current record is malformed: with skip_bad, counted under `kind`
 * (and returns 1: skip the record); otherwise the run ends through
 * sb_fail with exit 2 and the message. Records skipped are reported by
 * kind at close: "skipped 3 malformed records (1 JSON syntax error, 2
 * schema errors)". */
int sb_json_bad(SbJsonStream *js, SbBadKind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sb_json_close(SbJsonStream *js);

#endif
