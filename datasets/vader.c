/* soupbench: VADER sentiment, rule by rule as the reference
 * vaderSentiment.py computes it (the rules and deviations are listed in
 * vader.h). Each function below corresponds to one step of the reference
 * and keeps its order of floating-point operations, because the "but"
 * rule compares valences for equality. */
#include "vader.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "tokenize.h"

/* Empirical constants of Hutto & Gilbert (2014), as in the reference. */
#define B_INCR 0.293
#define B_DECR (-0.293)
#define C_INCR 0.733
#define N_SCALAR (-0.74)

static const char *const NEGATE[] = {
    "aint",    "arent",    "cannot",   "cant",    "couldnt",  "darent",   "didnt",   "doesnt",  "ain't",
    "aren't",  "can't",    "couldn't", "daren't", "didn't",   "doesn't",  "dont",    "hadnt",   "hasnt",
    "havent",  "isnt",     "mightnt",  "mustnt",  "neither",  "don't",    "hadn't",  "hasn't",  "haven't",
    "isn't",   "mightn't", "mustn't",  "neednt",  "needn't",  "never",    "none",    "nope",    "nor",
    "not",     "nothing",  "nowhere",  "oughtnt", "shant",    "shouldnt", "uhuh",    "wasnt",   "werent",
    "oughtn't", "shan't",  "shouldn't", "uh-uh",  "wasn't",   "weren't",  "without", "wont",    "wouldnt",
    "won't",   "wouldn't", "rarely",   "seldom",  "despite",
};

/* Single-word boosters (+) and dampeners (-). The reference's multi-word
 * entries ("just enough", "kind of", "sort of") can never equal one
 * whitespace-free word; they act through MULTI_BOOSTERS below. */
static const char *const BOOST_UP[] = {
    "absolutely", "amazingly",    "awfully",     "completely", "considerable", "considerably", "decidedly",
    "deeply",     "effing",       "enormous",    "enormously", "entirely",     "especially",   "exceptional",
    "exceptionally", "extreme",   "extremely",   "fabulously", "flipping",     "flippin",      "frackin",
    "fracking",   "fricking",     "frickin",     "frigging",   "friggin",      "fully",        "fuckin",
    "fucking",    "fuggin",       "fugging",     "greatly",    "hella",        "highly",       "hugely",
    "incredible", "incredibly",   "intensely",   "major",      "majorly",      "more",         "most",
    "particularly", "purely",     "quite",       "really",     "remarkably",   "so",           "substantially",
    "thoroughly", "total",        "totally",     "tremendous", "tremendously", "uber",         "unbelievably",
    "unusually",  "utter",        "utterly",     "very",
};
static const char *const BOOST_DOWN[] = {
    "almost",     "barely",  "hardly",    "kinda",      "kindof", "kind-of", "less",     "little",
    "marginal",   "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight",
    "slightly",   "somewhat", "sorta",    "sortof",     "sort-of",
};

typedef struct {
    const char *w[3];
    int n;
    double value;
} Phrase;

/* The reference's SPECIAL_CASES (its one-word key "badass" can never match
 * the space-joined words it is compared with, so it is left out). */
static const Phrase SPECIAL_CASES[] = {
    {{"the", "shit"}, 2, 3},       {{"the", "bomb"}, 2, 3},         {{"bad", "ass"}, 2, 1.5},
    {{"bus", "stop"}, 2, 0.0},     {{"yeah", "right"}, 2, -2},      {{"kiss", "of", "death"}, 3, -1.5},
    {{"to", "die", "for"}, 3, 3},  {{"beating", "heart"}, 2, 3.1},  {{"broken", "heart"}, 2, -2.9},
};
static const Phrase MULTI_BOOSTERS[] = {
    {{"just", "enough"}, 2, B_DECR},
    {{"kind", "of"}, 2, B_DECR},
    {{"sort", "of"}, 2, B_DECR},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* string -> double hash table (open addressing)                      */

typedef struct {
    const char **key;
    double *val;
    size_t cap; /* a power of two */
    int n;
} Table;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void table_init(Table *t, size_t expected)
{
    t->cap = 16;
    while (t->cap < 2 * expected)
        t->cap *= 2;
    t->key = sb_calloc(t->cap, sizeof *t->key);
    t->val = sb_calloc(t->cap, sizeof *t->val);
    t->n = 0;
}

static void table_free(Table *t)
{
    free(t->key);
    free(t->val);
}

/* Insert or overwrite (a later duplicate wins, as in a Python dict). The
 * key must outlive the table. */
static void table_put(Table *t, const char *key, double v)
{
    SB_ASSERT((size_t)t->n < t->cap / 2);
    size_t i = hash_str(key) & (t->cap - 1);
    while (t->key[i] && strcmp(t->key[i], key) != 0)
        i = (i + 1) & (t->cap - 1);
    if (!t->key[i]) {
        t->key[i] = key;
        t->n++;
    }
    t->val[i] = v;
}

static const double *table_get(const Table *t, const char *key)
{
    size_t i = hash_str(key) & (t->cap - 1);
    while (t->key[i]) {
        if (strcmp(t->key[i], key) == 0)
            return &t->val[i];
        i = (i + 1) & (t->cap - 1);
    }
    return NULL;
}

struct SbVader {
    char *data; /* the lexicon file; the lexicon keys point into it */
    Table lexicon, booster, negate;
};

/* ------------------------------------------------------------------ */
/* loading                                                            */

static int is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void malformed(const char *path, long line_no, const char *line, size_t len)
{
    sb_fail(SB_EXIT_USAGE,
            "%s:%ld: malformed VADER lexicon line: expected 'token<TAB>mean<TAB>...' with a finite number as "
            "mean, found \"%.*s\"%s",
            path, line_no, (int)(len > 60 ? 60 : len), line, len > 60 ? "..." : "");
}

SbVader *sb_vader_load(const char *lexicon_path)
{
    size_t len;
    char *data = sb_read_file(lexicon_path, &len);
    if (!data)
        sb_fail(SB_EXIT_USAGE, "%s: cannot read the VADER lexicon: %s", lexicon_path, strerror(errno));
    SbVader *v = sb_calloc(1, sizeof *v);
    v->data = data;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    table_init(&v->lexicon, lines);

    long line_no = 0;
    for (size_t start = 0; start < len;) {
        char *line = data + start;
        char *nl = memchr(line, '\n', len - start);
        size_t n = nl ? (size_t)(nl - line) : len - start;
        start += n + 1;
        line_no++;
        if (n == 0) /* the reference skips empty lines */
            continue;
        if (memchr(line, '\0', n))
            malformed(lexicon_path, line_no, line, strnlen(line, n));
        /* Like the reference: strip the line, then token and mean are the
         * first two tab-separated fields. */
        char *a = line, *b = line + n;
        while (a < b && is_ascii_space(*a))
            a++;
        while (b > a && is_ascii_space(b[-1]))
            b--;
        char *tab = memchr(a, '\t', (size_t)(b - a));
        if (!tab || tab == a)
            malformed(lexicon_path, line_no, line, n);
        char *mean = tab + 1, *mean_end = memchr(mean, '\t', (size_t)(b - mean));
        if (!mean_end)
            mean_end = b;
        char *end;
        char saved = *mean_end;
        *mean_end = '\0';
        double x = strtod(mean, &end);
        while (end < mean_end && is_ascii_space(*end))
            end++;
        int ok = end != mean && end == mean_end && isfinite(x);
        *mean_end = saved;
        if (!ok)
            malformed(lexicon_path, line_no, line, n);
        *tab = '\0';
        table_put(&v->lexicon, a, x);
    }
    if (v->lexicon.n == 0)
        sb_fail(SB_EXIT_USAGE, "%s: the VADER lexicon has no entry", lexicon_path);

    table_init(&v->booster, (size_t)(COUNT(BOOST_UP) + COUNT(BOOST_DOWN)));
    for (int k = 0; k < COUNT(BOOST_UP); k++)
        table_put(&v->booster, BOOST_UP[k], B_INCR);
    for (int k = 0; k < COUNT(BOOST_DOWN); k++)
        table_put(&v->booster, BOOST_DOWN[k], B_DECR);
    table_init(&v->negate, (size_t)COUNT(NEGATE));
    for (int k = 0; k < COUNT(NEGATE); k++)
        table_put(&v->negate, NEGATE[k], 1);
    return v;
}

void sb_vader_free(SbVader *v)
{
    if (!v)
        return;
    table_free(&v->lexicon);
    table_free(&v->booster);
    table_free(&v->negate);
    free(v->data);
    free(v);
}

int sb_vader_size(const SbVader *v) { return v->lexicon.n; }

double sb_vader_valence(const SbVader *v, const char *token, int *found)
{
    const double *x = table_get(&v->lexicon, token);
    if (found)
        *found = x != NULL;
    return x ? *x : 0.0;
}

/* ------------------------------------------------------------------ */
/* the words of a text (the reference's SentiText)                    */

typedef struct {
    const char *lw;   /* lower-cased */
    int upper;        /* str.isupper() of the word as written */
    int in_lex;
    double lex;
    int is_booster;
    double booster;
    int negated;      /* in NEGATE or contains "n't" */
} Word;

/* string.punctuation */
static int is_ascii_punct(unsigned c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static size_t code_points(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += (size_t)sb_utf8_decode(s + i, &c);
        k++;
    }
    return k;
}

/* Split on white space, strip the punctuation of each piece unless that
 * leaves <= 2 code points, lower-case into `arena`. Returns the count. */
static int split_words(const SbVader *v, const char *text, Word *w, char *arena)
{
    int n = 0;
    size_t i = 0;
    char enc[4];
    while (text[i]) {
        uint32_t c;
        int len = sb_utf8_decode(text + i, &c);
        if (sb_unicode_is_space(c)) {
            i += (size_t)len;
            continue;
        }
        size_t a = i, b = i;
        while (text[b]) {
            len = sb_utf8_decode(text + b, &c);
            if (sb_unicode_is_space(c))
                break;
            b += (size_t)len;
        }
        i = b;
        size_t sa = a, sbe = b;
        while (sa < sbe && is_ascii_punct((unsigned char)text[sa]))
            sa++;
        while (sbe > sa && is_ascii_punct((unsigned char)text[sbe - 1]))
            sbe--;
        if (code_points(text + sa, sbe - sa) > 2)
            a = sa, b = sbe;

        Word *word = &w[n++];
        word->lw = arena;
        int has_upper = 0, has_lower = 0;
        for (size_t k = a; k < b;) {
            k += (size_t)sb_utf8_decode(text + k, &c);
            int cs = sb_unicode_case(c);
            has_upper |= cs > 0;
            has_lower |= cs < 0;
            if (c == 0x130) { /* Python lower-cases U+0130 to "i" + U+0307 */
                memcpy(arena, "i\xcc\x87", 3);
                arena += 3;
                continue;
            }
            int m = sb_utf8_encode(sb_unicode_lower(c), enc);
            memcpy(arena, enc, (size_t)m);
            arena += m;
        }
        *arena++ = '\0';
        word->upper = has_upper && !has_lower;
        const double *x = table_get(&v->lexicon, word->lw);
        word->in_lex = x != NULL;
        word->lex = x ? *x : 0.0;
        x = table_get(&v->booster, word->lw);
        word->is_booster = x != NULL;
        word->booster = x ? *x : 0.0;
        word->negated = table_get(&v->negate, word->lw) != NULL || strstr(word->lw, "n't") != NULL;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* the rules                                                          */

static int is(const Word *w, int k, const char *s) { return strcmp(w[k].lw, s) == 0; }

/* The reference's scalar_inc_dec: a booster's push, signed as the valence. */
static double scalar_inc_dec(const Word *word, double valence, int cap_diff)
{
    double scalar = 0.0;
    if (word->is_booster) {
        scalar = word->booster;
        if (valence < 0)
            scalar *= -1;
        if (word->upper && cap_diff) {
            if (valence > 0)
                scalar += C_INCR;
            else
                scalar -= C_INCR;
        }
    }
    return scalar;
}

/* The reference's _negation_check for the word start_i + 1 back of i. */
static double negation_check(double valence, const Word *w, int start_i, int i)
{
    if (start_i == 0) {
        if (w[i - 1].negated)
            valence = valence * N_SCALAR;
    } else if (start_i == 1) {
        if (is(w, i - 2, "never") && (is(w, i - 1, "so") || is(w, i - 1, "this")))
            valence = valence * 1.25;
        else if (is(w, i - 2, "without") && is(w, i - 1, "doubt"))
            ;
        else if (w[i - 2].negated)
            valence = valence * N_SCALAR;
    } else {
        /* The reference's precedence: (never and (so|this)) or (so|this) one back. */
        if ((is(w, i - 3, "never") && (is(w, i - 2, "so") || is(w, i - 2, "this"))) ||
            (is(w, i - 1, "so") || is(w, i - 1, "this")))
            valence = valence * 1.25;
        else if (is(w, i - 3, "without") && (is(w, i - 2, "doubt") || is(w, i - 1, "doubt")))
            ;
        else if (w[i - 3].negated)
            valence = valence * N_SCALAR;
    }
    return valence;
}

/* The phrase of `table` spelled by words first..first+len-1, or NULL. */
static const Phrase *phrase_at(const Phrase *table, int count, const Word *w, int first, int len)
{
    for (int p = 0; p < count; p++) {
        if (table[p].n != len)
            continue;
        int k = 0;
        while (k < len && is(w, first + k, table[p].w[k]))
            k++;
        if (k == len)
            return &table[p];
    }
    return NULL;
}

/* The reference's _special_idioms_check (called with i >= 3). */
static double special_idioms_check(double valence, const Word *w, int n, int i)
{
    /* onezero, twoonezero, twoone, threetwoone, threetwo: the first match wins */
    static const int first[5] = {1, 2, 2, 3, 3}, len[5] = {2, 3, 2, 3, 2};
    for (int s = 0; s < 5; s++) {
        const Phrase *p = phrase_at(SPECIAL_CASES, COUNT(SPECIAL_CASES), w, i - first[s], len[s]);
        if (p) {
            valence = p->value;
            break;
        }
    }
    const Phrase *p;
    if (n - 1 > i && (p = phrase_at(SPECIAL_CASES, COUNT(SPECIAL_CASES), w, i, 2)))
        valence = p->value;
    if (n - 1 > i + 1 && (p = phrase_at(SPECIAL_CASES, COUNT(SPECIAL_CASES), w, i, 3)))
        valence = p->value;
    /* booster n-grams threetwoone, threetwo, twoone (only 2-word ones exist) */
    static const int nfirst[3] = {3, 3, 2}, nlen[3] = {3, 2, 2};
    for (int s = 0; s < 3; s++)
        if ((p = phrase_at(MULTI_BOOSTERS, COUNT(MULTI_BOOSTERS), w, i - nfirst[s], nlen[s])))
            valence = valence + p->value;
    return valence;
}

/* The reference's _least_check. */
static double least_check(double valence, const Word *w, int i)
{
    if (i > 1 && !w[i - 1].in_lex && is(w, i - 1, "least")) {
        if (!is(w, i - 2, "at") && !is(w, i - 2, "very"))
            valence = valence * N_SCALAR;
    } else if (i > 0 && !w[i - 1].in_lex && is(w, i - 1, "least")) {
        valence = valence * N_SCALAR;
    }
    return valence;
}

/* The reference's sentiment_valence for word i. */
static double sentiment_valence(const Word *w, int n, int i, int cap_diff)
{
    if (!w[i].in_lex)
        return 0.0;
    double valence = w[i].lex;
    if (is(w, i, "no") && i != n - 1 && w[i + 1].in_lex)
        valence = 0.0; /* "no" negates the next word instead */
    if ((i > 0 && is(w, i - 1, "no")) || (i > 1 && is(w, i - 2, "no")) ||
        (i > 2 && is(w, i - 3, "no") && (is(w, i - 1, "or") || is(w, i - 1, "nor"))))
        valence = w[i].lex * N_SCALAR;
    if (w[i].upper && cap_diff) {
        if (valence > 0)
            valence += C_INCR;
        else
            valence -= C_INCR;
    }
    for (int start_i = 0; start_i < 3; start_i++) {
        if (i > start_i && !w[i - (start_i + 1)].in_lex) {
            double s = scalar_inc_dec(&w[i - (start_i + 1)], valence, cap_diff);
            if (start_i == 1 && s != 0)
                s = s * 0.95;
            if (start_i == 2 && s != 0)
                s = s * 0.9;
            valence = valence + s;
            valence = negation_check(valence, w, start_i, i);
            if (start_i == 2)
                valence = special_idioms_check(valence, w, n, i);
        }
    }
    return least_check(valence, w, i);
}

/* The reference's _but_check, including its sentiments.index(value)
 * lookup: each value rescales the first equal entry of the list. */
static void but_check(const Word *w, int n, double *s)
{
    int bi = -1;
    for (int k = 0; k < n && bi < 0; k++)
        if (is(w, k, "but"))
            bi = k;
    if (bi < 0)
        return;
    for (int k = 0; k < n; k++) {
        double x = s[k];
        int si = 0;
        while (s[si] != x)
            si++;
        if (si < bi)
            s[si] = x * 0.5;
        else if (si > bi)
            s[si] = x * 1.5;
    }
}

/* The reference's _punctuation_emphasis. */
static double punctuation_emphasis(const char *text)
{
    long ep = 0, qm = 0;
    for (const char *p = text; *p; p++) {
        ep += *p == '!';
        qm += *p == '?';
    }
    if (ep > 4)
        ep = 4;
    double ep_amp = (double)ep * 0.292, qm_amp = 0;
    if (qm > 1)
        qm_amp = qm <= 3 ? (double)qm * 0.18 : 0.96;
    return ep_amp + qm_amp;
}

/* ------------------------------------------------------------------ */
/* scoring                                                            */

SbVaderScores sb_vader_scores(const SbVader *v, const char *text)
{
    SbVaderScores out = {0, 0, 0, 0};
    if (!text)
        return out;
    size_t len = strlen(text);
    Word *w = sb_malloc(sizeof *w * (len / 2 + 1));
    /* lower-casing never lengthens a code point, but a malformed byte
     * becomes the 3-byte U+FFFD */
    char *arena = sb_malloc(3 * len + 2);
    int n = split_words(v, text, w, arena);
    if (n == 0) {
        free(w);
        free(arena);
        return out;
    }
    int caps = 0;
    for (int k = 0; k < n; k++)
        caps += w[k].upper;
    int cap_diff = 0 < n - caps && n - caps < n;

    double *s = sb_malloc(sizeof *s * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (w[i].is_booster || (i < n - 1 && is(w, i, "kind") && is(w, i + 1, "of")))
            s[i] = 0.0;
        else
            s[i] = sentiment_valence(w, n, i, cap_diff);
    }
    but_check(w, n, s);

    /* score_valence */
    double sum = 0;
    for (int k = 0; k < n; k++)
        sum += s[k];
    double amp = punctuation_emphasis(text);
    if (sum > 0)
        sum += amp;
    else if (sum < 0)
        sum -= amp;
    double compound = sum / sqrt((sum * sum) + 15);
    out.compound = compound < -1.0 ? -1.0 : compound > 1.0 ? 1.0 : compound;

    double pos_sum = 0.0, neg_sum = 0.0, neu = 0;
    for (int k = 0; k < n; k++) {
        if (s[k] > 0)
            pos_sum += (s[k] + 1);
        if (s[k] < 0)
            neg_sum += (s[k] - 1);
        if (s[k] == 0)
            neu += 1;
    }
    if (pos_sum > fabs(neg_sum))
        pos_sum += amp;
    else if (pos_sum < fabs(neg_sum))
        neg_sum -= amp;
    double total = pos_sum + fabs(neg_sum) + neu;
    out.pos = fabs(pos_sum / total);
    out.neg = fabs(neg_sum / total);
    out.neu = fabs(neu / total);
    free(s);
    free(w);
    free(arena);
    return out;
}

double sb_vader_compound(const SbVader *v, const char *text) { return sb_vader_scores(v, text).compound; }
