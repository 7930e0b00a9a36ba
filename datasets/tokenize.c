/* soupbench: the tokenizer of the text features (rule in tokenize.h). */
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#include "sb.h"

/* ------------------------------------------------------------------ */
/* UTF-8                                                              */

int sb_utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0)
        n = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        n = 4, v = c & 0x07, min = 0x10000;
    else
        goto bad;
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) /* also stops at the NUL */
            goto bad;
        v = (v << 6) | (p[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return n;
bad:
    *cp = 0xFFFD;
    return 1;
}

int sb_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int sb_unicode_is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

/* ------------------------------------------------------------------ */
/* letter case: ASCII, Latin-1, Latin Extended-A, Greek, basic Cyrillic */

/* +1 upper (lower-case form in *lo), -1 lower, 0 uncased; *lo = c unless upper. */
static int case_map(uint32_t c, uint32_t *lo)
{
    *lo = c;
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z') {
            *lo = c + 32;
            return 1;
        }
        return (c >= 'a' && c <= 'z') ? -1 : 0;
    }
    if (c < 0x100) {
        if (c == 0xAA || c == 0xB5 || c == 0xBA)
            return -1;
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7) {
            *lo = c + 32;
            return 1;
        }
        return (c >= 0xDF && c != 0xF7) ? -1 : 0;
    }
    if (c < 0x180) {
        /* Pairs (upper, lower) start on an even code point except in
         * U+0139-0148 and U+0179-017E; a few letters stand alone. */
        if (c == 0x130) {
            *lo = 'i';
            return 1;
        }
        if (c == 0x178) {
            *lo = 0xFF;
            return 1;
        }
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return -1;
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if ((c & 1) == (uint32_t)odd_upper) {
            *lo = c + 1;
            return 1;
        }
        return -1;
    }
    if (c >= 0x386 && c <= 0x3CE) {
        if (c == 0x386) {
            *lo = 0x3AC;
            return 1;
        }
        if (c >= 0x388 && c <= 0x38A) {
            *lo = c + 37;
            return 1;
        }
        if (c == 0x38C) {
            *lo = 0x3CC;
            return 1;
        }
        if (c == 0x38E || c == 0x38F) {
            *lo = c + 63;
            return 1;
        }
        if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) {
            *lo = c + 32;
            return 1;
        }
        return (c == 0x390 || c >= 0x3AC) ? -1 : 0;
    }
    if (c >= 0x400 && c <= 0x45F) {
        if (c < 0x410) {
            *lo = c + 80;
            return 1;
        }
        if (c < 0x430) {
            *lo = c + 32;
            return 1;
        }
        return -1;
    }
    return 0;
}

int sb_unicode_case(uint32_t cp)
{
    uint32_t lo;
    return case_map(cp, &lo);
}

uint32_t sb_unicode_lower(uint32_t cp)
{
    uint32_t lo;
    case_map(cp, &lo);
    return lo;
}

/* ------------------------------------------------------------------ */
/* character classes of the rule                                      */

enum { CL_SPACE, CL_WORD, CL_APOS, CL_MARK };

static int char_class(uint32_t c)
{
    if (sb_unicode_is_space(c) || c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        return CL_SPACE;
    if ((c >= 0x200B && c <= 0x200F) || (c >= 0x2060 && c <= 0x206F) || (c >= 0xFE00 && c <= 0xFE0F) ||
        c == 0xFEFF)
        return CL_SPACE;
    if (c == '\'' || c == 0x2019)
        return CL_APOS;
    if (c < 0x80)
        return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? CL_WORD : CL_MARK;
    if (c <= 0xBF)
        return (c == 0xAA || c == 0xB5 || c == 0xBA) ? CL_WORD : CL_MARK;
    if (c == 0xD7 || c == 0xF7)
        return CL_MARK;
    if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) || (c >= 0x20A0 && c <= 0x20CF) ||
        (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x3001 && c <= 0x303F) || (c >= 0x1F000 && c <= 0x1FAFF))
        return CL_MARK;
    return CL_WORD;
}

static int is_line_break(uint32_t c) { return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029; }

static int is_terminator(uint32_t c) { return c == '.' || c == '!' || c == '?' || c == 0x2026; }

/* What may follow a sentence's final mark before the space: closing
 * quotes, brackets and markdown emphasis. */
static int is_closer(uint32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '*' || c == '_' || c == '`' ||
           c == 0x2019 || c == 0x201D || c == 0xBB;
}

/* Does the terminator ending at byte `i` close a sentence? */
static int ends_sentence(const char *text, size_t i)
{
    uint32_t c;
    for (;;) {
        if (text[i] == '\0')
            return 1;
        int len = sb_utf8_decode(text + i, &c);
        if (is_terminator(c) || is_closer(c)) {
            i += (size_t)len;
            continue;
        }
        return char_class(c) == CL_SPACE;
    }
}

/* ------------------------------------------------------------------ */
/* the scanner, storing tokens or only counting them                  */

typedef struct {
    int store;
    char *buf;
    size_t len, cap;
    size_t *off;
    unsigned char *is_word;
    int n, ncap;
    long tokens, words, sentences;
    int open_sentence; /* words seen since the last sentence end */
    int open_text;     /* ... and one of them is not a number */
} Scan;

static void put_bytes(Scan *s, const char *b, size_t n)
{
    if (!s->store)
        return;
    if (s->len + n + 1 > s->cap) {
        while (s->len + n + 1 > s->cap)
            s->cap *= 2;
        s->buf = sb_realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, b, n);
    s->len += n;
}

static void token_begin(Scan *s, int word)
{
    s->tokens++;
    if (word) {
        s->words++;
        s->open_sentence = 1;
    }
    if (!s->store)
        return;
    if (s->n == s->ncap) {
        s->ncap *= 2;
        s->off = sb_realloc(s->off, sizeof *s->off * (size_t)s->ncap);
        s->is_word = sb_realloc(s->is_word, (size_t)s->ncap);
    }
    s->off[s->n] = s->len;
    s->is_word[s->n] = (unsigned char)word;
    s->n++;
}

static void token_end(Scan *s) { put_bytes(s, "", 1); }

/* A line break or the end of the text closes any sentence with a word; a
 * '.', '!', '?' only one with a word that is not a number (so a list's
 * "1." does not make a sentence of its own). */
static void sentence_end(Scan *s, int at_terminator)
{
    if (at_terminator && !s->open_text)
        return;
    if (s->open_sentence)
        s->sentences++;
    s->open_sentence = s->open_text = 0;
}

static void scan(const char *text, Scan *s)
{
    if (!text)
        text = "";
    size_t i = 0;
    int in_word = 0;
    char enc[4];
    while (text[i]) {
        uint32_t c;
        int len = sb_utf8_decode(text + i, &c);
        int cl = char_class(c);
        if (cl == CL_APOS && in_word) {
            uint32_t next;
            if (text[i + (size_t)len]) {
                sb_utf8_decode(text + i + len, &next);
                if (char_class(next) == CL_WORD) {
                    put_bytes(s, "'", 1);
                    i += (size_t)len;
                    continue;
                }
            }
        }
        if (cl == CL_WORD) {
            if (!in_word) {
                token_begin(s, 1);
                in_word = 1;
            }
            if (c < '0' || c > '9')
                s->open_text = 1;
            put_bytes(s, enc, (size_t)sb_utf8_encode(sb_unicode_lower(c), enc));
            i += (size_t)len;
            continue;
        }
        if (in_word) {
            token_end(s);
            in_word = 0;
        }
        if (cl == CL_SPACE) {
            if (is_line_break(c))
                sentence_end(s, 0);
        } else { /* a mark, or an apostrophe outside a word */
            token_begin(s, 0);
            put_bytes(s, text + i, (size_t)len);
            token_end(s);
            if (is_terminator(c) && ends_sentence(text, i + (size_t)len))
                sentence_end(s, 1);
        }
        i += (size_t)len;
    }
    if (in_word)
        token_end(s);
    sentence_end(s, 0);
}

void sb_tokenize(const char *text, SbTokens *out)
{
    Scan s = {0};
    s.store = 1;
    s.cap = 2 * (text ? strlen(text) : 0) + 16;
    s.buf = sb_malloc(s.cap);
    s.ncap = 64;
    s.off = sb_malloc(sizeof *s.off * (size_t)s.ncap);
    s.is_word = sb_malloc((size_t)s.ncap);
    scan(text, &s);
    SB_ASSERT(s.tokens == s.n);
    out->n = s.n;
    out->n_words = (int)s.words;
    out->n_sentences = (int)s.sentences;
    out->buf = s.buf;
    out->is_word = s.is_word;
    out->tok = sb_malloc(sizeof *out->tok * (size_t)(s.n > 0 ? s.n : 1));
    for (int k = 0; k < s.n; k++)
        out->tok[k] = s.buf + s.off[k];
    free(s.off);
}

void sb_tokens_free(SbTokens *t)
{
    if (!t)
        return;
    free(t->tok);
    free(t->is_word);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

SbTextCounts sb_text_counts(const char *text)
{
    Scan s = {0};
    scan(text, &s);
    SbTextCounts c = {s.tokens, s.words, s.sentences};
    return c;
}
