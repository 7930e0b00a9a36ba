/* soupbench: the one tokenizer behind every text feature (SPEC section 5).
 *
 * The rule, applied to UTF-8 text one code point at a time:
 *
 *   - Spaces separate tokens and are dropped: the Unicode white space of
 *     Python's str.split (ASCII space, \t \n \v \f \r, U+001C-001F, U+0085,
 *     U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000),
 *     other control characters, and the invisible format characters
 *     U+200B-200F, U+2060-206F, U+FE00-FE0F, U+FEFF.
 *   - A word is a maximal run of word characters: ASCII letters and digits,
 *     and every other code point that is not a space or a mark below
 *     (accented letters, CJK, ...). An apostrophe (' or U+2019) belongs to
 *     the word when it stands between two word characters ("don't",
 *     "rock'n'roll" are one word each), and is then written as ASCII ';
 *     elsewhere it is a token of its own.
 *     Words are lower-cased (ASCII, Latin-1, Latin Extended-A, Greek and
 *     basic Cyrillic; other scripts are kept as they are).
 *   - Every other character is a token of its own: ASCII punctuation and
 *     symbols, U+00A1-00BF (except the letters ª µ º), U+00D7, U+00F7,
 *     the general punctuation, currency, arrow, mathematical, technical,
 *     box, shape and dingbat blocks (U+2010-2027, U+2030-205E,
 *     U+20A0-20CF, U+2190-2BFF), CJK punctuation (U+3001-303F),
 *     and emoji and pictographs (U+1F000-1FAFF). So "well-known." is the
 *     four tokens "well" "-" "known" ".", and "3.14" is "3" "." "14".
 *
 * A sentence ends at a line break, and at a run of '.', '!', '?' or '…'
 * (U+2026) that is followed, after any closing quotes, brackets or
 * markdown emphasis (" ' ) ] } * _ ` U+2019 U+201D U+00BB), by a space or
 * the end of the text (so the '.' inside "3.14" does not end one) and that
 * closes at least one word that is not a number (so the "1." of a numbered
 * list is not a sentence of its own). A sentence is counted only if it
 * holds at least one word; the text after the last end counts if it holds
 * a word. Text with no word has no sentence, text with a word at least one. */
#ifndef SB_TOKENIZE_H
#define SB_TOKENIZE_H

#include <stdint.h>

typedef struct {
    int n;                /* tokens */
    int n_words;          /* tokens that are words */
    int n_sentences;      /* sentences holding at least one word */
    char **tok;           /* n lower-cased, NUL-terminated tokens */
    unsigned char *is_word; /* 1 for a word, 0 for a punctuation mark or symbol */
    char *buf;            /* storage behind tok (owned) */
} SbTokens;

/* Tokenize `text` (UTF-8; NULL is the empty text) into *out; release it
 * with sb_tokens_free. */
void sb_tokenize(const char *text, SbTokens *out);
void sb_tokens_free(SbTokens *t);

/* The counts of sb_tokenize without storing the tokens. */
typedef struct {
    long tokens, words, sentences;
} SbTextCounts;
SbTextCounts sb_text_counts(const char *text);

/* ---- UTF-8 and letter case, shared by the text scorers ---- */

/* Decode the code point at s (not at a NUL); returns the bytes used (1-4).
 * A malformed byte decodes as U+FFFD and uses one byte. */
int sb_utf8_decode(const char *s, uint32_t *cp);
/* Encode cp into out (4 bytes at least); returns the bytes written. */
int sb_utf8_encode(uint32_t cp, char *out);
/* White space as Python's str.isspace (the list at the top). */
int sb_unicode_is_space(uint32_t cp);
/* +1 for an upper-case letter, -1 for a lower-case one, 0 for anything
 * else, over the scripts listed at the top. */
int sb_unicode_case(uint32_t cp);
/* The simple lower-case mapping of cp over the same scripts. */
uint32_t sb_unicode_lower(uint32_t cp);

#endif
