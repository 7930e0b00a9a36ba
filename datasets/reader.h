/* soupbench: streaming readers for the real datasets (SPEC section 5).
 *
 * Lines of a text file, gzip-compressed or not (zlib reads both), and
 * records of a JSON file, either one top-level array of objects (AlpacaEval,
 * UniEval) or JSON Lines (HH-RLHF, UltraFeedback), one record in memory at a
 * time. Bad input ends the run through sb_fail with exit code 2 and a
 * message naming the file, the line or record number, what was expected and
 * what was found (a truncated or corrupted gzip stream, a JSON syntax error,
 * a record that is not an object); with skip_bad a malformed record is
 * counted, reported once at close, and skipped instead. */
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
void sb_json_close(SbJsonStream *js);

#endif
