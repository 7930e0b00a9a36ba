/* soupbench: VADER sentiment (Hutto & Gilbert 2014), the sentiment aspect
 * of the alpaca_eval dataset (SPEC section 5).
 *
 * A re-implementation in C of the reference vaderSentiment.py
 * (cjhutto/vaderSentiment, the version of the pinned lexicon, commit
 * 44fc044), rule by rule and in the same order of floating-point
 * operations, so that its scores are the reference's:
 *
 *   - words: the text split on Unicode white space, each piece stripped of
 *     leading and trailing ASCII punctuation unless that leaves 2 code
 *     points or fewer (which keeps emoticons such as ":)" whole); looked up
 *     lower-cased in the lexicon (the last of duplicated entries wins);
 *   - boosters and dampeners (+-0.293, sign following the word's valence)
 *     up to 3 words back, scaled by 1, 0.95, 0.9 with the distance; the
 *     booster itself and "kind" before "of" score 0;
 *   - ALL-CAPS emphasis (+-0.733) on a lexicon word or a booster written
 *     in capitals when the text mixes case (some but not all words are
 *     upper case);
 *   - negation by a NEGATE word or any word containing "n't", 1, 2 or 3
 *     words back (x -0.74 each time), except "never so/this" (x 1.25),
 *     "without doubt" (unchanged), and the reference's "so"/"this" right
 *     before the word when 3 words back is checked (x 1.25); "no" before a
 *     lexicon word (1-2 words back, or 3 with "or"/"nor" in between)
 *     negates it and scores 0 itself;
 *   - "least" right before the word negates it unless preceded by "at" or
 *     "very";
 *   - special idioms ("the shit", "kiss of death", ...) replace the
 *     valence, and "kind of" / "sort of" / "just enough" 2 or 3 words back
 *     add -0.293, when the word is at least the 4th of the text and the
 *     word 3 back is not in the lexicon (as the reference does);
 *   - "but": words before the first "but" x 0.5, after it x 1.5,
 *     reproducing the reference's list.index() lookup, which rescales the
 *     first equal value when two words have the same valence;
 *   - emphasis added to the sum's magnitude: 0.292 per '!' (at most 4), and
 *     0.18 per '?' when there are 2 or 3, 0.96 for 4 or more;
 *   - compound = x / sqrt(x^2 + 15) of the sum x, clipped to [-1, 1];
 *     pos, neu, neg as the reference's proportions.
 *
 * Deviations: the reference first replaces emoji characters by their
 * descriptions from emoji_utf8_lexicon.txt, which is not among the
 * project's data files, so emoji here are ordinary words missing from the
 * lexicon; letter case is known for ASCII, Latin-1, Latin Extended-A,
 * Greek and basic Cyrillic (tokenize.h), other cased scripts count as
 * uncased; scores are not rounded (the reference rounds compound to 4 and
 * pos/neu/neg to 3 decimals when it returns them), and the sum is a plain
 * left-to-right sum (Python 3.12's sum() compensates, a difference in
 * the last bits). */
#ifndef SB_VADER_H
#define SB_VADER_H

typedef struct SbVader SbVader;

typedef struct {
    double neg, neu, pos; /* proportions, summing to 1 (0 for a text with no word) */
    double compound;      /* normalised sum in [-1, 1] */
} SbVaderScores;

/* Load the lexicon TSV (token<TAB>mean<TAB>sd<TAB>ratings; only the first
 * two fields are used). An unreadable file or a malformed line (no tab,
 * a mean that is not a finite number) is an error naming the file and the
 * line (exit 2). */
SbVader *sb_vader_load(const char *lexicon_path);
void sb_vader_free(SbVader *v);

/* Entries in the lexicon (distinct tokens). */
int sb_vader_size(const SbVader *v);
/* The mean valence of a lexicon token (as written in the file); 0 and
 * *found = 0 when it is absent. */
double sb_vader_valence(const SbVader *v, const char *token, int *found);

SbVaderScores sb_vader_scores(const SbVader *v, const char *text);
double sb_vader_compound(const SbVader *v, const char *text);

#endif
