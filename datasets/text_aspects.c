/* soupbench: conciseness, profanity, readability and formatting of a text
 * (definitions in text_aspects.h). */
#include "text_aspects.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

/* ------------------------------------------------------------------ */
/* profanity                                                          */

struct SbProfanity {
    char **entry;  /* sorted; an entry's tokens joined by single spaces */
    int n;
    int max_tokens; /* the longest entry, in tokens */
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Tokens first..first+len-1 joined by spaces into buf (large enough). */
static void join_tokens(const SbTokens *t, int first, int len, char *buf)
{
    char *o = buf;
    for (int k = 0; k < len; k++) {
        if (k)
            *o++ = ' ';
        size_t m = strlen(t->tok[first + k]);
        memcpy(o, t->tok[first + k], m);
        o += m;
    }
    *o = '\0';
}

SbProfanity *sb_profanity_load(const char *list_path)
{
    size_t len;
    char *data = sb_read_file(list_path, &len);
    if (!data)
        sb_fail(SB_EXIT_USAGE, "%s: cannot read the profanity list: %s", list_path, strerror(errno));
    SbProfanity *p = sb_calloc(1, sizeof *p);
    int cap = 64;
    p->entry = sb_malloc(sizeof *p->entry * (size_t)cap);
    for (char *line = data; line < data + len;) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        if (nl)
            *nl = '\0';
        SbTokens t;
        sb_tokenize(line, &t);
        if (t.n > 0) {
            size_t m = 3 * strlen(line) + (size_t)t.n + 1; /* U+FFFD may replace a byte */
            char *key = sb_malloc(m > 8 ? m : 8);
            join_tokens(&t, 0, t.n, key);
            if (p->n == cap)
                p->entry = sb_realloc(p->entry, sizeof *p->entry * (size_t)(cap *= 2));
            p->entry[p->n++] = key;
            if (t.n > p->max_tokens)
                p->max_tokens = t.n;
        }
        sb_tokens_free(&t);
        line = nl ? nl + 1 : data + len;
    }
    free(data);
    if (p->n == 0)
        sb_fail(SB_EXIT_USAGE, "%s: the profanity list has no entry", list_path);
    qsort(p->entry, (size_t)p->n, sizeof *p->entry, cmp_str);
    int distinct = 0; /* drop duplicates */
    for (int k = 0; k < p->n; k++) {
        if (distinct > 0 && strcmp(p->entry[distinct - 1], p->entry[k]) == 0)
            free(p->entry[k]);
        else
            p->entry[distinct++] = p->entry[k];
    }
    p->n = distinct;
    return p;
}

void sb_profanity_free(SbProfanity *p)
{
    if (!p)
        return;
    for (int k = 0; k < p->n; k++)
        free(p->entry[k]);
    free(p->entry);
    free(p);
}

int sb_profanity_size(const SbProfanity *p) { return p->n; }

double sb_profanity_rate_tokens(const SbProfanity *p, const SbTokens *t)
{
    if (t->n == 0)
        return 0.0;
    unsigned char *covered = sb_calloc((size_t)t->n, 1);
    size_t longest = 0;
    for (int k = 0; k < t->n; k++) {
        size_t m = strlen(t->tok[k]);
        if (m > longest)
            longest = m;
    }
    char *buf = sb_malloc((longest + 1) * (size_t)p->max_tokens + 1);
    for (int i = 0; i < t->n; i++)
        for (int len = 1; len <= p->max_tokens && i + len <= t->n; len++) {
            join_tokens(t, i, len, buf);
            const char *key = buf;
            if (bsearch(&key, p->entry, (size_t)p->n, sizeof *p->entry, cmp_str))
                memset(covered + i, 1, (size_t)len);
        }
    long hits = 0;
    for (int k = 0; k < t->n; k++)
        hits += covered[k];
    free(buf);
    free(covered);
    return (double)hits / (double)t->n;
}

double sb_profanity_rate(const SbProfanity *p, const char *text)
{
    SbTokens t;
    sb_tokenize(text, &t);
    double r = sb_profanity_rate_tokens(p, &t);
    sb_tokens_free(&t);
    return r;
}

/* ------------------------------------------------------------------ */
/* readability                                                        */

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }
static int is_consonant(char c) { return c >= 'a' && c <= 'z' && !is_vowel(c); }

int sb_syllables(const char *word)
{
    int groups = 0, in_group = 0;
    size_t n = strlen(word);
    for (size_t k = 0; k < n; k++) {
        int v = is_vowel(word[k]);
        groups += v && !in_group;
        in_group = v;
    }
    if (n >= 2 && word[n - 1] == 'e' && is_consonant(word[n - 2])) {
        int consonant_le = word[n - 2] == 'l' && n >= 3 && is_consonant(word[n - 3]);
        if (!consonant_le)
            groups--;
    }
    return groups > 1 ? groups : 1;
}

static double flesch_tokens(const SbTokens *t)
{
    if (t->n_words == 0)
        return 206.835;
    long syllables = 0;
    for (int k = 0; k < t->n; k++)
        if (t->is_word[k])
            syllables += sb_syllables(t->tok[k]);
    double words = t->n_words;
    return 206.835 - 1.015 * (words / t->n_sentences) - 84.6 * ((double)syllables / words);
}

double sb_flesch_reading_ease(const char *text)
{
    SbTokens t;
    sb_tokenize(text, &t);
    double r = flesch_tokens(&t);
    sb_tokens_free(&t);
    return r;
}

/* ------------------------------------------------------------------ */
/* conciseness and formatting                                         */

static double conciseness_of(long tokens) { return -log((double)(tokens > 0 ? tokens : 1)); }

double sb_conciseness(const char *text) { return conciseness_of(sb_text_counts(text).tokens); }

static int is_blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n;) {
        uint32_t c;
        k += (size_t)sb_utf8_decode(s + k, &c);
        if (!sb_unicode_is_space(c))
            return 0;
    }
    return 1;
}

/* Is the line s[0..n) a list item? */
static int is_list_item(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    size_t marker = 0;
    if (k < n && (s[k] == '-' || s[k] == '*' || s[k] == '+'))
        marker = 1;
    else if (k + 3 <= n && memcmp(s + k, "\xe2\x80\xa2", 3) == 0) /* U+2022 */
        marker = 3;
    else {
        size_t d = k;
        while (d < n && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d > k && d < n && (s[d] == '.' || s[d] == ')'))
            marker = d + 1 - k;
    }
    if (!marker)
        return 0;
    k += marker;
    return k == n || s[k] == ' ' || s[k] == '\t' || s[k] == '\r';
}

double sb_formatting(const char *text)
{
    if (!text)
        return 0.0;
    long lines = 0, items = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (!is_blank(line, n)) {
            lines++;
            items += is_list_item(line, n);
        }
        line += n + (nl != NULL);
    }
    return lines ? (double)items / (double)lines : 0.0;
}

/* ------------------------------------------------------------------ */

SbTextAspects sb_text_aspects(const SbVader *vader, const SbProfanity *profanity, const char *text)
{
    SbTokens t;
    sb_tokenize(text, &t);
    SbTextAspects a;
    a.conciseness = conciseness_of(t.n);
    a.sentiment = sb_vader_compound(vader, text ? text : "");
    a.profanity = sb_profanity_rate_tokens(profanity, &t);
    a.readability = flesch_tokens(&t);
    a.formatting = sb_formatting(text);
    sb_tokens_free(&t);
    return a;
}
