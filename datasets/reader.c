/* soupbench: streaming readers for the real datasets (SPEC section 5).
 *
 * One buffered byte source over zlib's gzread (which reads gzip and plain
 * files alike) serves both readers. Lines are cut with memchr, so they may
 * hold any bytes and be of any length. JSON records are cut one at a time:
 * in JSON Lines each non-blank line is a record; in an array file a scanner
 * that follows strings, escapes and bracket depth finds where each
 * top-level element ends, and only that element is handed to cJSON. Memory
 * is bounded by the longest line or record, not by the file. */
#include "reader.h"
#include "sb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { READ_CHUNK = 64 * 1024 };

struct SbReader {
    gzFile gz;
    char *path;
    unsigned char *in; /* decompressed bytes, in[pos..len) not yet consumed */
    size_t pos, len;
    int eof;
    long line;   /* line of the next unread byte (1-based) */
    char *buf;   /* the current line (sb_reader_line) */
    size_t cap;
    size_t buf_len; /* its length: it may hold NUL bytes */
};

/* ------------------------------------------------------------------ */
/* the byte source                                                    */

SbReader *sb_reader_open(const char *path)
{
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        sb_fail(SB_EXIT_USAGE, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, READ_CHUNK);
    SbReader *rd = sb_calloc(1, sizeof *rd);
    rd->gz = gz;
    rd->path = sb_strdup(path);
    rd->in = sb_malloc(READ_CHUNK);
    rd->line = 1;
    rd->cap = 256;
    rd->buf = sb_malloc(rd->cap);
    sb_owned_push((void (*)(void *))sb_reader_close, rd);
    return rd;
}

void sb_reader_close(SbReader *rd)
{
    if (!rd)
        return;
    sb_owned_pop(rd);
    gzclose(rd->gz);
    free(rd->buf);
    free(rd->in);
    free(rd->path);
    free(rd);
}

/* Refill the buffer; 0 at the end of the data. A truncated gzip stream
 * (zlib: "unexpected end of file") or a corrupted one (a bad block, a CRC
 * or length mismatch in the trailer) ends the run, naming the line being
 * read. */
static int reader_fill(SbReader *rd)
{
    if (rd->eof)
        return 0;
    int n = gzread(rd->gz, rd->in, READ_CHUNK);
    int err = Z_OK;
    const char *msg = gzerror(rd->gz, &err);
    if (n < 0 || err != Z_OK) {
        if (err == Z_ERRNO)
            sb_fail(SB_EXIT_USAGE, "%s: line %ld: read error: %s", rd->path, rd->line, strerror(errno));
        /* zlib prefixes its message with the path it was given. */
        size_t lp = strlen(rd->path);
        if (msg && strncmp(msg, rd->path, lp) == 0 && strncmp(msg + lp, ": ", 2) == 0)
            msg += lp + 2;
        sb_fail(SB_EXIT_USAGE, "%s: line %ld: corrupted or truncated gzip stream (zlib: %s)", rd->path, rd->line,
                msg && *msg ? msg : "unknown error");
    }
    rd->pos = 0;
    rd->len = (size_t)n;
    if (n == 0)
        rd->eof = 1;
    return n > 0;
}

/* The next byte, or EOF. */
static int reader_getc(SbReader *rd)
{
    if (rd->pos == rd->len && !reader_fill(rd))
        return EOF;
    int c = rd->in[rd->pos++];
    if (c == '\n')
        rd->line++;
    return c;
}

/* Put back the byte just read by reader_getc (never a newline). */
static void reader_ungetc(SbReader *rd)
{
    SB_ASSERT(rd->pos > 0 && rd->in[rd->pos - 1] != '\n');
    rd->pos--;
}

static void buf_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    while (*cap < need)
        if (sb_size_mul(*cap, 2, cap) != 0)
            sb_fail(SB_EXIT_USAGE, "a line or record of more than %zu bytes: too long to hold", need);
    *buf = sb_realloc(*buf, *cap);
}

const char *sb_reader_line(SbReader *rd, long *line_no)
{
    size_t n = 0;
    long line = rd->line;
    int any = 0;
    for (;;) {
        if (rd->pos == rd->len && !reader_fill(rd))
            break;
        any = 1;
        const unsigned char *start = rd->in + rd->pos;
        size_t avail = rd->len - rd->pos;
        const unsigned char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        buf_reserve(&rd->buf, &rd->cap, n + take + 1);
        memcpy(rd->buf + n, start, take);
        n += take;
        rd->pos += take;
        if (nl) {
            rd->pos++; /* the newline */
            rd->line++;
            break;
        }
    }
    if (!any)
        return NULL;
    if (n > 0 && rd->buf[n - 1] == '\r') /* a CRLF line end */
        n--;
    rd->buf[n] = '\0';
    rd->buf_len = n;
    if (line_no)
        *line_no = line;
    return rd->buf;
}

/* ------------------------------------------------------------------ */
/* JSON records                                                       */

enum { JSON_LINES, JSON_ARRAY };

struct SbJsonStream {
    SbReader *rd;
    int format;
    int skip_bad;
    int done;
    long record;  /* records cut so far (the last one's number) */
    long skipped;
    long kinds[SB_BAD_KINDS]; /* skipped, by kind */
    char *elem;   /* the current array element's text */
    size_t cap;
};

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Up to 20 bytes of `at` (up to a line end) for a message, escaped
 * (malloc'd): binary garbage is not echoed raw. */
static char *snippet(const char *at, size_t left)
{
    size_t n = 0;
    while (n < 20 && n < left && at[n] != '\n' && at[n] != '\r' && at[n] != '\0')
        n++;
    char *raw = sb_malloc(n + 1);
    memcpy(raw, at, n);
    raw[n] = '\0';
    char *shown = sb_printable(raw, 0, 0);
    free(raw);
    return shown;
}

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    return "an object";
}

/* Taken back after a jump out of sb_fail: the stream's own memory (its
 * reader is taken back on its own). */
static void json_release(void *p)
{
    SbJsonStream *js = p;
    free(js->elem);
    free(js);
}

SbJsonStream *sb_json_open(const char *path, int skip_bad)
{
    SbJsonStream *js = sb_calloc(1, sizeof *js);
    js->rd = sb_reader_open(path);
    js->skip_bad = skip_bad;
    js->cap = 4096;
    js->elem = sb_malloc(js->cap);
    sb_owned_push(json_release, js);
    SbReader *rd = js->rd;
    int c;
    /* The first non-blank character decides; a UTF-8 byte-order mark is
     * skipped. */
    while ((c = reader_getc(rd)) != EOF && is_blank(c))
        ;
    if (c == 0xEF && rd->pos + 2 <= rd->len && rd->in[rd->pos] == 0xBB && rd->in[rd->pos + 1] == 0xBF) {
        rd->pos += 2;
        while ((c = reader_getc(rd)) != EOF && is_blank(c))
            ;
    }
    if (c == '[') {
        js->format = JSON_ARRAY;
    } else if (c == '{') {
        js->format = JSON_LINES;
        reader_ungetc(rd);
    } else if (c == EOF) {
        sb_fail(SB_EXIT_USAGE, "%s: expected a JSON array or JSON Lines, found an empty file", path);
    } else {
        reader_ungetc(rd);
        sb_fail(SB_EXIT_USAGE, "%s: expected a JSON array or JSON Lines, found '%s'", path,
                snippet((const char *)rd->in + rd->pos, rd->len - rd->pos));
    }
    return js;
}

static const char *const bad_kind_names[SB_BAD_KINDS][2] = {
    [SB_BAD_SYNTAX] = {"JSON syntax error", "JSON syntax errors"},
    [SB_BAD_NUL] = {"NUL character", "NUL characters"},
    [SB_BAD_NOT_OBJECT] = {"record not an object", "records not objects"},
    [SB_BAD_MISSING] = {"missing record", "missing records"},
    [SB_BAD_SCHEMA] = {"schema error", "schema errors"},
    [SB_BAD_RANGE] = {"value out of range", "values out of range"},
};

int sb_json_bad(SbJsonStream *js, SbBadKind kind, const char *fmt, ...)
{
    SB_ASSERT(kind >= 0 && kind < SB_BAD_KINDS);
    if (js->skip_bad) {
        js->skipped++;
        js->kinds[kind]++;
        return 1;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sb_fail(SB_EXIT_USAGE, "%s", msg);
}

void sb_json_close(SbJsonStream *js)
{
    if (!js)
        return;
    if (js->skipped > 0) {
        fprintf(stderr, "soupbench: %s: skipped %ld malformed record%s (", js->rd->path, js->skipped,
                js->skipped == 1 ? "" : "s");
        const char *sep = "";
        for (int k = 0; k < SB_BAD_KINDS; k++)
            if (js->kinds[k]) {
                fprintf(stderr, "%s%ld %s", sep, js->kinds[k], bad_kind_names[k][js->kinds[k] != 1]);
                sep = ", ";
            }
        fprintf(stderr, ")\n");
    }
    sb_owned_pop(js);
    sb_reader_close(js->rd);
    free(js->elem);
    free(js);
}

long sb_json_skipped(const SbJsonStream *js) { return js->skipped; }

/* Parse one record's text (len bytes, NUL-terminated) starting at line
 * `line`: the object, or NULL after counting it as skipped (skip_bad);
 * otherwise a malformed record ends the run. */
static cJSON *json_parse_record(SbJsonStream *js, const char *text, size_t len, long line)
{
    const char *nul = sb_json_find_nul(text, len);
    if (nul) {
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        sb_json_bad(js, SB_BAD_NUL,
                    "%s: record %ld (line %ld): a NUL character (%s) in the record: soupbench refuses it, it would "
                    "cut a string short",
                    js->rd->path, js->record, line, *nul ? "\\u0000" : "a raw NUL byte");
        return NULL;
    }
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (v) { /* only blanks may follow the value */
        while ((size_t)(end - text) < len && is_blank((unsigned char)*end))
            end++;
        if ((size_t)(end - text) < len) {
            cJSON_Delete(v);
            v = NULL;
        }
    }
    if (!v) {
        if (js->skip_bad)
            return sb_json_bad(js, SB_BAD_SYNTAX, "syntax"), NULL;
        if (!end || end < text || (size_t)(end - text) > len)
            end = text;
        for (const char *p = text; p < end; p++)
            if (*p == '\n')
                line++;
        size_t left = len - (size_t)(end - text);
        if (left == 0)
            sb_fail(SB_EXIT_USAGE, "%s: record %ld (line %ld): JSON syntax error at the end of the record",
                    js->rd->path, js->record, line);
        sb_fail(SB_EXIT_USAGE, "%s: record %ld (line %ld): JSON syntax error near '%s'", js->rd->path, js->record,
                line, snippet(end, left));
    }
    if (!cJSON_IsObject(v)) {
        const char *type = json_type_name(v);
        cJSON_Delete(v);
        sb_json_bad(js, SB_BAD_NOT_OBJECT, "%s: record %ld: expected an object, found %s", js->rd->path, js->record,
                    type);
        return NULL;
    }
    return v;
}

/* JSON Lines: the next non-blank line's text, or NULL at the end. */
static const char *next_line_record(SbJsonStream *js, size_t *len, long *line)
{
    const char *s;
    while ((s = sb_reader_line(js->rd, line))) {
        size_t i = 0, n = js->rd->buf_len;
        while (i < n && is_blank((unsigned char)s[i]))
            i++;
        if (i < n) {
            *len = js->rd->buf_len; /* NUL bytes included: refused when parsed */
            return s;
        }
    }
    return NULL;
}

/* Array: cut the next top-level element into js->elem, or return NULL at
 * the closing bracket. Strings are followed (with their escapes) so that
 * brackets and commas inside them do not count. */
static const char *next_array_record(SbJsonStream *js, size_t *len, long *line)
{
    SbReader *rd = js->rd;
    int c;
    while ((c = reader_getc(rd)) != EOF && is_blank(c))
        ;
    if (c == ']' && js->record == 0) { /* the empty array */
        js->done = 1;
        return NULL;
    }
    *line = rd->line;
    size_t n = 0;
    int depth = 0, in_string = 0, escaped = 0;
    for (; c != EOF; c = reader_getc(rd)) {
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            else if (c == ']') /* the end of the array */
                break;
        } else if (c == ',' && depth == 0) {
            break;
        }
        buf_reserve(&js->elem, &js->cap, n + 2);
        js->elem[n++] = (char)c;
    }
    js->elem[n] = '\0';
    js->record++;
    if (c == EOF)
        sb_fail(SB_EXIT_USAGE, "%s: record %ld (line %ld): unterminated JSON array at the end of the file "
                "(expected ',' or ']')",
                rd->path, js->record, *line);
    if (c == ']') {
        js->done = 1;
        /* Only blanks may follow the array. */
        int d;
        while ((d = reader_getc(rd)) != EOF && is_blank(d))
            ;
        if (d != EOF) {
            reader_ungetc(rd);
            sb_fail(SB_EXIT_USAGE, "%s: line %ld: expected the end of the file after the JSON array, found '%s'",
                    rd->path, rd->line, snippet((const char *)rd->in + rd->pos, rd->len - rd->pos));
        }
    }
    size_t b = 0;
    while (b < n && is_blank((unsigned char)js->elem[b]))
        b++;
    if (b == n) { /* "[1,,2]" or a trailing comma */
        sb_json_bad(js, SB_BAD_MISSING, "%s: record %ld (line %ld): JSON syntax error near '%c' (a missing record)",
                    rd->path, js->record, *line, c);
        *len = 0;
        return "";
    }
    *len = n;
    return js->elem;
}

cJSON *sb_json_next(SbJsonStream *js, long *record_no)
{
    for (;;) {
        if (js->done)
            return NULL;
        size_t len = 0;
        long line = 0;
        const char *text;
        if (js->format == JSON_LINES) {
            text = next_line_record(js, &len, &line);
            if (!text) {
                js->done = 1;
                return NULL;
            }
            js->record++;
        } else {
            text = next_array_record(js, &len, &line);
            if (!text)
                return NULL;
            if (len == 0) /* an empty element, already counted as skipped */
                continue;
        }
        cJSON *v = json_parse_record(js, text, len, line);
        if (v) {
            if (record_no)
                *record_no = js->record;
            return v;
        }
    }
}
