/* soupbench: the text aspects of the alpaca_eval dataset that are computed
 * from an answer's text (SPEC section 5), all on the tokens of tokenize.h.
 * (Helpfulness comes from the judge's preference, sentiment from vader.h.)
 *
 *   conciseness  -log(number of tokens); a text with no token counts as one
 *                token, so its conciseness is -log(1) = 0.
 *   profanity    the share of the text's tokens (words and punctuation
 *                marks alike) that lie inside an occurrence of an entry of
 *                the LDNOOBW list. Each entry is tokenized by the same rule,
 *                so a multi-word entry ("2 girls 1 cup", "g-spot") matches
 *                only its tokens in consecutive order; overlapping
 *                occurrences cover the union of their tokens. 0 for a text
 *                with no token.
 *   readability  Flesch reading ease,
 *                206.835 - 1.015 (words / sentences) - 84.6 (syllables / words),
 *                with the word and sentence counts of tokenize.h. A text
 *                with no word scores 206.835 (both ratios taken as 0).
 *                Syllables of a word: the groups of consecutive vowels
 *                (a, e, i, o, u, y; any other character separates groups),
 *                minus one for a silent final 'e' -- an 'e' that ends the
 *                word after a consonant letter, except a consonant + "le"
 *                ending ("table" keeps it, "whole" does not) -- and at
 *                least 1. So "the" 1, "make" 1, "agree" 2, "table" 2,
 *                "happy" 2, "2024" 1.
 *   formatting   the share of non-empty lines (lines with a non-space
 *                character) that are list items: after optional white
 *                space, "-", "*", "+" or U+2022 "•", or one or more digits
 *                and then "." or ")", the marker followed by white space or
 *                the end of the line (so "**bold**", "-5" and "1.5" are not
 *                items). 0 for a text with no non-empty line. */
#ifndef SB_TEXT_ASPECTS_H
#define SB_TEXT_ASPECTS_H

#include "tokenize.h"
#include "vader.h"

typedef struct SbProfanity SbProfanity;

/* Load a word list, one entry per line (blank lines skipped). An
 * unreadable file or a list with no entry is an error naming the file
 * (exit 2). */
SbProfanity *sb_profanity_load(const char *list_path);
void sb_profanity_free(SbProfanity *p);
/* Distinct entries loaded. */
int sb_profanity_size(const SbProfanity *p);

double sb_profanity_rate(const SbProfanity *p, const char *text);
double sb_profanity_rate_tokens(const SbProfanity *p, const SbTokens *t);

/* Syllables of one lower-cased word, by the rule above. */
int sb_syllables(const char *word);
double sb_flesch_reading_ease(const char *text);
double sb_conciseness(const char *text);
double sb_formatting(const char *text);

/* The five text aspects of one answer, tokenizing it once. */
typedef struct {
    double conciseness, sentiment, profanity, readability, formatting;
} SbTextAspects;
SbTextAspects sb_text_aspects(const SbVader *vader, const SbProfanity *profanity, const char *text);

#endif
