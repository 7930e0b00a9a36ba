/* soupbench: the text aspects of alpaca_eval (datasets/tokenize.c,
 * datasets/vader.c, datasets/text_aspects.c).
 *
 * VADER compound scores are pinned against arithmetic written out here from
 * the lexicon entries (looked up in ../shared/data/vader/vader_lexicon.txt,
 * line numbers in the comments, and checked against the file by this test's
 * own reader) and the reference's constants: booster 0.293, ALL-CAPS 0.733,
 * negation -0.74, "but" 0.5 / 1.5, '!' 0.292 (at most 4), '?' 0.18 each for
 * 2-3 and 0.96 for 4+, compound = x / sqrt(x^2 + 15). A second group of
 * sentences is pinned against the outputs printed in the reference's own
 * README.rst ("Output for the above example code", cjhutto/vaderSentiment),
 * which it gives rounded to 4 decimals. The readability, profanity,
 * formatting and conciseness cases are counted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sb.h"
#include "text_aspects.h"
#include "tokenize.h"
#include "vader.h"

#include "child.h"
#include "shared_data.h"

#define LEXICON SHARED "/vader/vader_lexicon.txt"
#define LDNOOBW SHARED "/ldnoobw/en"
#define TOL 1e-4

/* VADER's constants, written again here. */
#define BOOST 0.293
#define CAPS 0.733
#define NEG (-0.74)
#define EXCL 0.292

static SbVader *vader;

static int setup(void **state)
{
    (void)state;
    vader = shared_file_present(LEXICON) ? sb_vader_load(LEXICON) : NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (vader)
        sb_vader_free(vader);
    return 0;
}

/* The lexicon, or the running test skips when the shared data is missing. */
static SbVader *need_vader(void)
{
    SKIP_WITHOUT(LEXICON);
    return vader;
}

static double norm(double x) { return x / sqrt(x * x + 15); }

static void assert_compound(const char *text, double expected)
{
    double got = sb_vader_compound(need_vader(), text);
    if (fabs(got - expected) > TOL)
        fail_msg("compound(\"%s\") = %.6f, expected %.6f", text, got, expected);
}

/* ------------------------------------------------------------------ */
/* independent helpers                                                */

/* The mean of a token in the lexicon file, read here without the module
 * (the last of duplicated lines wins, as in the reference's dict). */
static double lexicon_mean(const char *token, int *found)
{
    SKIP_WITHOUT(LEXICON);
    FILE *f = fopen(LEXICON, "r");
    assert_non_null(f);
    char line[4096];
    double mean = 0;
    *found = 0;
    size_t n = strlen(token);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, token, n) == 0 && line[n] == '\t') {
            mean = strtod(line + n + 1, NULL);
            *found = 1;
        }
    fclose(f);
    return mean;
}

/* A temporary file holding `text`; its path in path[64]. */
static void temp_file(const char *text, char *path)
{
    strcpy(path, "/tmp/sb_test_text_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static void assert_tokens(const char *text, const char *const *expected, int n)
{
    SbTokens t;
    sb_tokenize(text, &t);
    if (t.n != n) {
        for (int k = 0; k < t.n; k++)
            fprintf(stderr, "  token %d: [%s]\n", k, t.tok[k]);
        fail_msg("\"%s\": %d tokens, expected %d", text, t.n, n);
    }
    for (int k = 0; k < n; k++)
        assert_string_equal(t.tok[k], expected[k]);
    sb_tokens_free(&t);
}

/* ------------------------------------------------------------------ */
/* tokenizer                                                          */

static void tokenize_splits_lowercased_words_and_punctuation_marks(void **state)
{
    (void)state;
    static const char *const want[] = {"hello", ",", "world", "!", "don't", "stop", "."};
    assert_tokens("Hello, World! Don't stop.", want, 7);
    SbTokens t;
    sb_tokenize("Hello, World! Don't stop.", &t);
    assert_int_equal(t.n_words, 4);
    assert_int_equal(t.n_sentences, 2);
    static const unsigned char is_word[] = {1, 0, 1, 0, 1, 1, 0};
    assert_memory_equal(t.is_word, is_word, 7);
    sb_tokens_free(&t);
}

static void tokenize_keeps_apostrophes_only_inside_words(void **state)
{
    (void)state;
    static const char *const want[] = {"'", "quoted", "'", "dogs", "'", "rock'n'roll", "'"};
    assert_tokens("'quoted' dogs' rock'n'roll '", want, 7);
    /* U+2019 inside a word becomes ASCII ', at a word's edge it is a mark */
    static const char *const curly[] = {"don't", "\xe2\x80\x99", "x"};
    assert_tokens("Don\xe2\x80\x99t \xe2\x80\x99x", curly, 3);
}

static void tokenize_splits_hyphens_numbers_and_symbols(void **state)
{
    (void)state;
    static const char *const want[] = {"well", "-", "known", "3", ".", "14", "$", "5", "(", "ok", ")"};
    assert_tokens("Well-known 3.14 $5 (ok)", want, 11);
}

static void tokenize_lowercases_accented_greek_and_cyrillic_letters(void **state)
{
    (void)state;
    static const char *const want[] = {"\xc3\xa9" "cole", "stra\xc3\x9f" "e", "\xce\xb1\xce\xb2\xce\xb3",
                                       "\xd0\xbc\xd0\xb8\xd1\x80"};
    /* "ÉCOLE Straße ΑΒΓ МИР" */
    assert_tokens("\xc3\x89" "COLE Stra\xc3\x9f" "e \xce\x91\xce\x92\xce\x93 \xd0\x9c\xd0\x98\xd0\xa0", want, 4);
}

static void tokenize_makes_each_emoji_a_token_and_drops_non_breaking_spaces(void **state)
{
    (void)state;
    static const char *const want[] = {"ok", "\xf0\x9f\x91\x8d", "fine"};
    assert_tokens("OK\xf0\x9f\x91\x8d\xc2\xa0" "fine", want, 3);
}

static void tokenize_counts_sentences_at_terminators_followed_by_space_and_at_line_breaks(void **state)
{
    (void)state;
    assert_int_equal(sb_text_counts("One. Two! Three?").sentences, 3);
    assert_int_equal(sb_text_counts("Wait... what?!").sentences, 2);
    assert_int_equal(sb_text_counts("It costs 3.50 today").sentences, 1);
    assert_int_equal(sb_text_counts("\"Done.\" He left.").sentences, 2);
    assert_int_equal(sb_text_counts("**Bold.** Next").sentences, 2);
    assert_int_equal(sb_text_counts("- first item\n- second item").sentences, 2);
    assert_int_equal(sb_text_counts("no terminator at the end").sentences, 1);
    assert_int_equal(sb_text_counts("1. Mix. 2. Bake.").sentences, 2);
    assert_int_equal(sb_text_counts("1. 2. 3.").sentences, 1);
    assert_int_equal(sb_text_counts("... !!").sentences, 0);
    SbTextCounts c = sb_text_counts("");
    assert_int_equal(c.tokens, 0);
    assert_int_equal(c.words, 0);
    assert_int_equal(c.sentences, 0);
    c = sb_text_counts(NULL);
    assert_int_equal(c.tokens, 0);
}

static void text_counts_agree_with_the_stored_tokens(void **state)
{
    (void)state;
    const char *text = "A list:\n1. Don't panic!\n2. Use a towel (it's 100% useful).\n\nThat's all...";
    SbTokens t;
    sb_tokenize(text, &t);
    SbTextCounts c = sb_text_counts(text);
    assert_int_equal(c.tokens, t.n);
    assert_int_equal(c.words, t.n_words);
    assert_int_equal(c.sentences, t.n_sentences);
    /* a list : 1 . don't panic ! 2 . use a towel ( it's 100 % useful ) . that's all . . .
     * sentences: "A list:" (line break), "1. Don't panic!" (the list's
     * "1." alone is no sentence), "2. Use ... useful).", "That's all..." */
    assert_int_equal(t.n, 25);
    assert_int_equal(t.n_words, 14);
    assert_int_equal(t.n_sentences, 4);
    sb_tokens_free(&t);
}

/* ------------------------------------------------------------------ */
/* VADER: the lexicon                                                 */

static void lexicon_entries_used_by_the_hand_computations_are_as_written(void **state)
{
    (void)state;
    static const struct {
        const char *token;
        double mean; /* from the file; line number in the lexicon */
    } entries[] = {
        {"good", 1.9},  /* 3331 */
        {"bad", -2.5},  /* 946 */
        {"great", 3.1}, /* 3422 */
        {"kind", 2.4},  /* 4282 */
        {"no", -1.2},   /* 4818 */
        {"shit", -2.6}, /* 6020 */
        {":)", 2.0},    /* 105 */
        {"acceptance", 2.0}, /* 482 */
        {"advantage", 1.0},  /* 564 */
        {"lol", 1.8},   /* the second of its two lines: the later one wins */
    };
    for (size_t k = 0; k < sizeof entries / sizeof entries[0]; k++) {
        int in_file, in_module;
        double file_mean = lexicon_mean(entries[k].token, &in_file);
        double mean = sb_vader_valence(need_vader(), entries[k].token, &in_module);
        assert_true(in_file && in_module);
        assert_true(file_mean == entries[k].mean);
        assert_true(mean == entries[k].mean);
    }
    /* words the computations take to be absent from the lexicon */
    static const char *const absent[] = {"the", "food", "is", "very", "much", "not", "isn't", "isnt", "at",
                                         "all", "least", "this", "of", "was", "it", "never", "so", "but",
                                         "a", "an", "day", "be", "mayn't", "slightly", "movie", "service"};
    for (size_t k = 0; k < sizeof absent / sizeof absent[0]; k++) {
        int in_file, in_module;
        lexicon_mean(absent[k], &in_file);
        sb_vader_valence(need_vader(), absent[k], &in_module);
        if (in_file || in_module)
            fail_msg("'%s' is in the lexicon", absent[k]);
    }
    /* 7,520 lines, 14 of them repeating an earlier token */
    assert_int_equal(sb_vader_size(need_vader()), 7506);
}

static void load_malformed_lexicon(void *path) { sb_vader_load(path); }

static void vader_load_rejects_a_malformed_line_with_file_and_line(void **state)
{
    (void)state;
    char path[64], err[1024];
    temp_file("good\t1.9\t0.5\t[1, 2]\nbad\t-2.5\t0.5\t[1, 2]\nbroken line without a tab\n", path);
    int code = run_child(load_malformed_lexicon, path, err, sizeof err);
    assert_int_equal(code, 2);
    char where[96];
    snprintf(where, sizeof where, "%s:3: malformed VADER lexicon line", path);
    if (!strstr(err, where))
        fail_msg("stderr: %s", err);
    assert_non_null(strstr(err, "found \"broken line without a tab\""));
    unlink(path);

    temp_file("good\tvery\t0.5\n", path);
    code = run_child(load_malformed_lexicon, path, err, sizeof err);
    assert_int_equal(code, 2);
    snprintf(where, sizeof where, "%s:1: malformed", path);
    assert_non_null(strstr(err, where));
    unlink(path);

    code = run_child(load_malformed_lexicon, (void *)"/nonexistent/lexicon.txt", err, sizeof err);
    assert_int_equal(code, 2);
    assert_non_null(strstr(err, "/nonexistent/lexicon.txt: cannot read the VADER lexicon"));
}

/* ------------------------------------------------------------------ */
/* VADER: one rule at a time, by hand                                 */

static void vader_plain_sentence_is_the_normalised_valence(void **state)
{
    (void)state;
    /* good 1.9; the, food, is absent: sum 1.9 */
    assert_compound("The food is good.", norm(1.9));
    /* pos/neu/neg: pos_sum = 1.9 + 1, three neutral words, total 5.9 */
    SbVaderScores s = sb_vader_scores(need_vader(), "The food is good.");
    assert_true(fabs(s.pos - 2.9 / 5.9) < 1e-12);
    assert_true(fabs(s.neu - 3.0 / 5.9) < 1e-12);
    assert_true(s.neg == 0.0);
    /* no lexicon word, and no word at all */
    assert_compound("The food is here.", 0.0);
    s = sb_vader_scores(need_vader(), "");
    assert_true(s.compound == 0 && s.pos == 0 && s.neu == 0 && s.neg == 0);
    /* punctuation around a word is stripped: "(good)," is good */
    assert_compound("The food is (good),", norm(1.9));
}

static void vader_booster_and_dampener_shift_the_valence_and_decay_with_distance(void **state)
{
    (void)state;
    assert_compound("The food is very good.", norm(1.9 + BOOST));
    /* against a negative word the booster pushes down */
    assert_compound("The food is very bad.", norm(-2.5 - BOOST));
    /* dampener */
    assert_compound("The food is slightly good.", norm(1.9 - BOOST));
    /* two words back: x 0.95 ("much" is no booster) */
    assert_compound("The food is very much good.", norm(1.9 + BOOST * 0.95));
    /* three words back: x 0.9 */
    assert_compound("It was very much a good day.", norm(1.9 + BOOST * 0.9));
}

static void vader_all_caps_adds_emphasis_only_when_the_text_mixes_case(void **state)
{
    (void)state;
    assert_compound("The food is GOOD.", norm(1.9 + CAPS));
    assert_compound("The food is BAD.", norm(-2.5 - CAPS));
    /* every word in capitals: no emphasis */
    assert_compound("THE FOOD IS GOOD.", norm(1.9));
    /* a booster in capitals: 0.293 + 0.733 */
    assert_compound("The food is VERY good.", norm(1.9 + BOOST + CAPS));
}

static void vader_negation_flips_and_scales_within_three_words(void **state)
{
    (void)state;
    assert_compound("The food is not good.", norm(1.9 * NEG));
    assert_compound("The food isn't good.", norm(1.9 * NEG));
    assert_compound("The food isnt good.", norm(1.9 * NEG));
    /* any word containing "n't" negates */
    assert_compound("The food mayn't be good.", norm(1.9 * NEG));
    assert_compound("The food was never good.", norm(1.9 * NEG));
    /* two back, after the booster one back: (1.9 + 0.293) x -0.74 */
    assert_compound("The food is not very good.", norm((1.9 + BOOST) * NEG));
    /* three back */
    assert_compound("The food was not at all good.", norm(1.9 * NEG));
    /* four back: out of the window */
    assert_compound("Not the food is good.", norm(1.9));
    /* "no" before a lexicon word: "no" scores 0, good x -0.74 */
    assert_compound("It is no good.", norm(1.9 * NEG));
}

static void vader_but_halves_before_and_boosts_after(void **state)
{
    (void)state;
    /* good x 0.5 + bad x 1.5 = 0.95 - 3.75 */
    assert_compound("The food is good but the service is bad.", norm(1.9 * 0.5 + -2.5 * 1.5));
    assert_compound("good but bad", norm(1.9 * 0.5 + -2.5 * 1.5));
    /* The reference looks each value up with list.index(): acceptance 2.0
     * becomes 1.0 first; advantage's 1.0 after "but" is then found at
     * position 0 and rescales that entry (x 0.5) instead of its own
     * (x 1.5): [0.5, 0, 0, 1.0], not [1.0, 0, 0, 1.5]. */
    assert_compound("Acceptance but an advantage.", norm(2.0 * 0.5 * 0.5 + 1.0));
}

static void vader_exclamation_points_add_up_to_four_times_0_292(void **state)
{
    (void)state;
    assert_compound("The food is good!", norm(1.9 + EXCL));
    assert_compound("The food is good!!!", norm(1.9 + 3 * EXCL));
    assert_compound("The food is good!!!!!!", norm(1.9 + 4 * EXCL));
    /* the emphasis follows the sign of the sum */
    assert_compound("The food is bad!", norm(-2.5 - EXCL));
    /* and leaves a neutral text neutral */
    assert_compound("The food!!!", 0.0);
}

static void vader_question_marks_count_from_two(void **state)
{
    (void)state;
    assert_compound("Is the food good?", norm(1.9));
    assert_compound("Is the food good??", norm(1.9 + 2 * 0.18));
    assert_compound("Is the food good???", norm(1.9 + 3 * 0.18));
    assert_compound("Is the food good?????", norm(1.9 + 0.96));
    /* with exclamation points: both add */
    assert_compound("Is the food good?!?", norm(1.9 + EXCL + 2 * 0.18));
}

static void vader_least_negates_unless_after_at_or_very(void **state)
{
    (void)state;
    assert_compound("This is the least good food.", norm(1.9 * NEG));
    assert_compound("It is at least good.", norm(1.9));
    /* "very" two back still boosts: x 0.95 */
    assert_compound("It is very least good.", norm(1.9 + BOOST * 0.95));
    /* second word of the text */
    assert_compound("Least good.", norm(1.9 * NEG));
}

static void vader_kind_of_dampens_and_kind_alone_is_positive(void **state)
{
    (void)state;
    /* "kind" before "of" scores 0 (not its 2.4); "kind of" two back adds
     * -0.293 through the idiom check, which runs because the word three
     * back ("was") is not in the lexicon */
    assert_compound("The food was kind of good.", norm(1.9 - BOOST));
    assert_compound("She is kind.", norm(2.4));
    /* as in the reference, nothing dampens a word that is the 3rd of the
     * text: the idiom check needs three words before it */
    assert_compound("Kind of good.", norm(1.9));
}

static void vader_never_so_and_this_amplify(void **state)
{
    (void)state;
    /* "so" is a booster: 1.9 + 0.293; "never so" two back: x 1.25; and the
     * reference's three-back check multiplies by 1.25 again when the word
     * right before is "so" or "this" */
    assert_compound("It was never so good.", norm((1.9 + BOOST) * 1.25 * 1.25));
    /* "this" is no booster; only the three-back check fires here, the word
     * two back being "been"; then one '!' */
    assert_compound("Sentiment analysis has never been this good!", norm(1.9 * 1.25 + EXCL));
}

static void vader_special_idioms_replace_the_valence(void **state)
{
    (void)state;
    /* "the shit" is worth 3 instead of shit -2.6 */
    assert_compound("This movie is the shit", norm(3.0));
    /* only from the 4th word on, as in the reference */
    assert_compound("the shit", norm(-2.6));
}

static void vader_keeps_emoticons_whole(void **state)
{
    (void)state;
    /* great 3.1 + ":)" 2.0 (stripping ":)" would leave nothing, so it is kept) */
    assert_compound("Great day :)", norm(3.1 + 2.0));
}

static void vader_matches_the_outputs_printed_in_the_reference_readme(void **state)
{
    (void)state;
    /* README.rst of cjhutto/vaderSentiment, "Output for the above example
     * code" (compound rounded to 4 decimals there). Its emoji sentence is
     * left out: the reference first replaces emoji by their descriptions
     * from a second lexicon that soupbench does not use. */
    static const struct {
        const char *text;
        double compound;
    } readme[] = {
        {"VADER is smart, handsome, and funny.", 0.8316},
        {"VADER is smart, handsome, and funny!", 0.8439},
        {"VADER is very smart, handsome, and funny.", 0.8545},
        {"VADER is VERY SMART, handsome, and FUNNY.", 0.9227},
        {"VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342},
        {"VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469},
        {"VADER is not smart, handsome, nor funny.", -0.7424},
        {"The book was good.", 0.4404},
        {"At least it isn't a horrible book.", 0.431},
        {"The book was only kind of good.", 0.3832},
        {"The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042},
        {"Today SUX!", -0.5461},
        {"Today only kinda sux! But I'll get by, lol", 0.5249},
        {"Make sure you :) or :D today!", 0.8633},
        {"Not bad at all", 0.431},
    };
    for (size_t k = 0; k < sizeof readme / sizeof readme[0]; k++)
        assert_compound(readme[k].text, readme[k].compound);
    /* pos/neu/neg of the first line: 0.746, 0.254, 0.0 (3 decimals) */
    SbVaderScores s = sb_vader_scores(need_vader(), readme[0].text);
    assert_true(fabs(s.pos - 0.746) < 5e-4 && fabs(s.neu - 0.254) < 5e-4 && s.neg == 0);
}

/* ------------------------------------------------------------------ */
/* readability                                                        */

static void syllables_count_vowel_groups_minus_a_silent_final_e(void **state)
{
    (void)state;
    static const struct {
        const char *word;
        int syllables;
    } cases[] = {
        {"the", 1},  {"make", 1},  {"table", 2},    {"whole", 1},  {"agree", 2},     {"happy", 2},
        {"2024", 1}, {"rhythm", 1}, {"beautiful", 3}, {"don't", 1}, {"queue", 1},    {"reading", 2},
        {"a", 1},    {"be", 1},    {"little", 2},   {"syllable", 3},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        if (sb_syllables(cases[k].word) != cases[k].syllables)
            fail_msg("syllables(%s) = %d, expected %d", cases[k].word, sb_syllables(cases[k].word),
                     cases[k].syllables);
}

static void flesch_reading_ease_follows_the_formula(void **state)
{
    (void)state;
    /* 11 words, 2 sentences; syllables 1 each except happy (2): 12 */
    double want = 206.835 - 1.015 * (11.0 / 2.0) - 84.6 * (12.0 / 11.0);
    assert_true(fabs(sb_flesch_reading_ease("The cat sat on the mat. It was a happy day.") - want) < 1e-9);
    /* make 1 + the 1 + table 2 + agree 2 = 6 syllables, 4 words, 1 sentence */
    want = 206.835 - 1.015 * 4.0 - 84.6 * (6.0 / 4.0);
    assert_true(fabs(sb_flesch_reading_ease("Make the table agree.") - want) < 1e-9);
    /* no word: both ratios taken as 0 */
    assert_true(sb_flesch_reading_ease("") == 206.835);
    assert_true(sb_flesch_reading_ease("?!") == 206.835);
}

/* ------------------------------------------------------------------ */
/* profanity                                                          */

static void profanity_rate_is_the_share_of_tokens_inside_list_entries(void **state)
{
    (void)state;
    SKIP_WITHOUT(LDNOOBW);
    SbProfanity *p = sb_profanity_load(LDNOOBW);
    assert_int_equal(sb_profanity_size(p), 403);
    /* he saw the ball gag , what an ass . : 10 tokens, "ball gag" (an
     * entry of two words) and "ass" cover 3 */
    assert_true(fabs(sb_profanity_rate(p, "He saw the BALL GAG, what an ass.") - 3.0 / 10.0) < 1e-12);
    /* whole tokens only; a multi-word entry needs its words in a row */
    assert_true(sb_profanity_rate(p, "The assistant passed the ball to the gag writer.") == 0.0);
    /* "g-spot" is three tokens in the list and in the text: 3 of 4 */
    assert_true(fabs(sb_profanity_rate(p, "the g-spot") - 3.0 / 4.0) < 1e-12);
    /* the list's emoji entry */
    assert_true(fabs(sb_profanity_rate(p, "ok \xf0\x9f\x96\x95") - 0.5) < 1e-12);
    assert_true(sb_profanity_rate(p, "") == 0.0);
    sb_profanity_free(p);
}

static void load_missing_list(void *path) { sb_profanity_load(path); }

static void profanity_load_rejects_a_missing_or_empty_list(void **state)
{
    (void)state;
    char err[1024], path[64];
    assert_int_equal(run_child(load_missing_list, (void *)"/nonexistent/en", err, sizeof err), 2);
    assert_non_null(strstr(err, "/nonexistent/en: cannot read the profanity list"));
    temp_file("\n  \n", path);
    assert_int_equal(run_child(load_missing_list, path, err, sizeof err), 2);
    assert_non_null(strstr(err, "has no entry"));
    unlink(path);
}

/* ------------------------------------------------------------------ */
/* formatting and conciseness                                         */

static void formatting_is_the_share_of_non_empty_lines_that_are_list_items(void **state)
{
    (void)state;
    const char *answer = "Here are the steps:\n"
                         "\n"
                         "1. Mix the flour.\n"
                         "2) Bake it.\r\n"
                         "- Serve warm\n"
                         "  * Enjoy\n"
                         "\xe2\x80\xa2 Share\n"
                         "+ Repeat\n"
                         "   \n"
                         "**Note:** not an item\n"
                         "-5 degrees is cold\n"
                         "Done.";
    /* 10 non-empty lines, 6 items (1. 2) - * • +) */
    assert_true(fabs(sb_formatting(answer) - 0.6) < 1e-12);
    assert_true(sb_formatting("No list here.") == 0.0);
    assert_true(sb_formatting("") == 0.0);
    assert_true(sb_formatting("- a\n- b\n") == 1.0);
}

static void conciseness_is_minus_log_of_the_token_count(void **state)
{
    (void)state;
    assert_true(fabs(sb_conciseness("Hello, world!") - -log(4.0)) < 1e-12);
    assert_true(sb_conciseness("word") == 0.0);
    assert_true(sb_conciseness("") == 0.0); /* -log(1) */
}

static void text_aspects_agree_with_the_single_scorers(void **state)
{
    (void)state;
    SKIP_WITHOUT(LDNOOBW);
    SbProfanity *p = sb_profanity_load(LDNOOBW);
    const char *text = "Sure! Here is a plan:\n- Wake up early.\n- Don't be an ass.\nIt is not bad at all.";
    SbTextAspects a = sb_text_aspects(need_vader(), p, text);
    assert_true(a.conciseness == sb_conciseness(text));
    assert_true(a.sentiment == sb_vader_compound(need_vader(), text));
    assert_true(a.profanity == sb_profanity_rate(p, text));
    assert_true(a.readability == sb_flesch_reading_ease(text));
    assert_true(a.formatting == sb_formatting(text));
    assert_true(a.profanity > 0 && fabs(a.formatting - 2.0 / 4.0) < 1e-12);
    sb_profanity_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokenize_splits_lowercased_words_and_punctuation_marks),
        cmocka_unit_test(tokenize_keeps_apostrophes_only_inside_words),
        cmocka_unit_test(tokenize_splits_hyphens_numbers_and_symbols),
        cmocka_unit_test(tokenize_lowercases_accented_greek_and_cyrillic_letters),
        cmocka_unit_test(tokenize_makes_each_emoji_a_token_and_drops_non_breaking_spaces),
        cmocka_unit_test(tokenize_counts_sentences_at_terminators_followed_by_space_and_at_line_breaks),
        cmocka_unit_test(text_counts_agree_with_the_stored_tokens),
        cmocka_unit_test(lexicon_entries_used_by_the_hand_computations_are_as_written),
        cmocka_unit_test(vader_load_rejects_a_malformed_line_with_file_and_line),
        cmocka_unit_test(vader_plain_sentence_is_the_normalised_valence),
        cmocka_unit_test(vader_booster_and_dampener_shift_the_valence_and_decay_with_distance),
        cmocka_unit_test(vader_all_caps_adds_emphasis_only_when_the_text_mixes_case),
        cmocka_unit_test(vader_negation_flips_and_scales_within_three_words),
        cmocka_unit_test(vader_but_halves_before_and_boosts_after),
        cmocka_unit_test(vader_exclamation_points_add_up_to_four_times_0_292),
        cmocka_unit_test(vader_question_marks_count_from_two),
        cmocka_unit_test(vader_least_negates_unless_after_at_or_very),
        cmocka_unit_test(vader_kind_of_dampens_and_kind_alone_is_positive),
        cmocka_unit_test(vader_never_so_and_this_amplify),
        cmocka_unit_test(vader_special_idioms_replace_the_valence),
        cmocka_unit_test(vader_keeps_emoticons_whole),
        cmocka_unit_test(vader_matches_the_outputs_printed_in_the_reference_readme),
        cmocka_unit_test(syllables_count_vowel_groups_minus_a_silent_final_e),
        cmocka_unit_test(flesch_reading_ease_follows_the_formula),
        cmocka_unit_test(profanity_rate_is_the_share_of_tokens_inside_list_entries),
        cmocka_unit_test(profanity_load_rejects_a_missing_or_empty_list),
        cmocka_unit_test(formatting_is_the_share_of_non_empty_lines_that_are_list_items),
        cmocka_unit_test(conciseness_is_minus_log_of_the_token_count),
        cmocka_unit_test(text_aspects_agree_with_the_single_scorers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
