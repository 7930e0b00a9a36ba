/* Bad data records and configs: UltraFeedback ratings are range-checked
 * ("1e308", "nan", 0, 7 refused; "N/A" is the one missing value); a
 * record whose `completions` is an object is a schema error, which
 * --skip-bad skips like a syntax error, every skipped record counted by
 * kind; a NUL character (raw, or \u0000 in a string) is refused in
 * records and configs; bytes from the file are escaped in messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "candidates.h"
#include "child.h"
#include "config.h"
#include "reader.h"
#include "registries.h"
#include "sb.h"

static char dir[64];

static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[8][160];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 160, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
    return p;
}

/* One UltraFeedback record with one completion whose four ratings are
 * `rating` (JSON text) and whose completions are `completions` when not
 * NULL. */
static char *record(const char *instruction, const char *rating, const char *completions)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    fprintf(f, "{\"instruction\": \"%s\", \"completions\": ", instruction);
    if (completions) {
        fputs(completions, f);
    } else {
        fputs("[{\"model\": \"m\", \"response\": \"r\", \"annotations\": {", f);
        const char *aspects[] = {"helpfulness", "honesty", "instruction_following", "truthfulness"};
        for (int j = 0; j < 4; j++)
            fprintf(f, "%s\"%s\": {\"Rating\": %s}", j ? ", " : "", aspects[j], rating);
        fputs("}}]", f);
    }
    fputs("}\n", f);
    fclose(f);
    return s;
}

typedef struct {
    const char *path;
    int skip_bad;
    int n_prompts; /* out */
} Load;

static void child_load(void *arg)
{
    Load *l = arg;
    SbCandidateSets *c = sb_ultrafeedback_load(l->path, l->skip_bad);
    fprintf(stderr, "prompts=%d skipped=%ld\n", c->n_prompts, c->skipped);
    sb_candidates_free(c);
}

/* Load `text` as an UltraFeedback file in a child: its exit status, its
 * stderr in err. */
static int load(const char *text, size_t len, int skip_bad, char *err, size_t cap)
{
    Load l = {write_file("uf.jsonl", text, len), skip_bad, 0};
    return run_child(child_load, &l, err, cap);
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static void ratings_should_be_in_one_to_five_or_na(void **state)
{
    (void)state;
    char err[4096];
    const char *bad[] = {"\"1e308\"", "1e308", "\"nan\"", "\"NaN\"", "\"inf\"", "0", "7", "\"6\"", "\"\"", "\"5x\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *r = record("q", bad[i], NULL);
        assert_int_equal(load(r, strlen(r), 0, err, sizeof err), SB_EXIT_USAGE);
        assert_contains(err, "record 1: completions[0].annotations.helpfulness.Rating: expected a rating 1-5 or "
                             "\"N/A\", found");
        free(r);
    }
    const char *good[] = {"\"1\"", "\"5\"", "3", "\"N/A\"", "4.5"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *r = record("q", good[i], NULL);
        assert_int_equal(load(r, strlen(r), 0, err, sizeof err), 0);
        assert_contains(err, "prompts=1 skipped=0");
        free(r);
    }
}

/* The case: `completions` an object. */
static void schema_errors_should_stop_or_be_skipped(void **state)
{
    (void)state;
    char err[4096];
    char *r = record("q", NULL, "{\"model\": \"m\"}");
    assert_int_equal(load(r, strlen(r), 0, err, sizeof err), SB_EXIT_USAGE);
    assert_contains(err, "record 1: \"completions\": expected an array, found {\"model\":\"m\"}");
    assert_int_equal(load(r, strlen(r), 1, err, sizeof err), 0);
    assert_contains(err, "skipped 1 malformed record (1 schema error)");
    free(r);
}

/* One file with a good record, then one malformed record of each kind,
 * then a good one: --skip-bad keeps the two good ones and counts the rest
 * by kind. */
static void skip_bad_should_count_every_kind(void **state)
{
    (void)state;
    char *good = record("good", "\"4\"", NULL), *schema = record("s", NULL, "[{\"model\": 3}]");
    char *range = record("r", "\"9\"", NULL), *nul = record("n\\u0000cut", "\"4\"", NULL);
    char text[8192];
    int n = snprintf(text, sizeof text, "%s{\"instruction\": ,}\n[1, 2]\n%s%s%s", good, schema, range, nul);
    /* a raw NUL byte at the start of a line: not a blank line */
    text[n++] = '\0';
    n += snprintf(text + n, sizeof text - (size_t)n, "%s%s", good, good);
    char err[4096];
    assert_int_equal(load(text, (size_t)n, 1, err, sizeof err), 0);
    assert_contains(err, "skipped 6 malformed records (1 JSON syntax error, 2 NUL characters, 1 record not an "
                         "object, 1 schema error, 1 value out of range)");
    assert_contains(err, "prompts=2 skipped=6");
    /* without --skip-bad the first one stops the run, named */
    assert_int_equal(load(text, (size_t)n, 0, err, sizeof err), SB_EXIT_USAGE);
    assert_contains(err, "record 2 (line 2): JSON syntax error near");
    free(good), free(schema), free(range), free(nul);
}

static void nul_in_a_string_should_be_refused(void **state)
{
    (void)state;
    char err[4096];
    char *r = record("before\\u0000after", "\"4\"", NULL);
    assert_int_equal(load(r, strlen(r), 0, err, sizeof err), SB_EXIT_USAGE);
    assert_contains(err, "record 1 (line 1): a NUL character (\\u0000) in the record");
    free(r);
    /* an escaped backslash before "u0000" is no NUL */
    r = record("a\\\\u0000b", "\"4\"", NULL);
    assert_int_equal(load(r, strlen(r), 0, err, sizeof err), 0);
    free(r);
    /* a raw NUL byte inside a line */
    char raw[] = "{\"instruction\": \"a\0b\", \"completions\": []}\n";
    assert_int_equal(load(raw, sizeof raw - 1, 0, err, sizeof err), SB_EXIT_USAGE);
    assert_contains(err, "a NUL character (a raw NUL byte)");
}

static void messages_should_not_echo_binary_garbage(void **state)
{
    (void)state;
    char err[4096];
    const char garbage[] = "{\"instruction\": \x1b[2J\xff\xfe}\n";
    assert_int_equal(load(garbage, sizeof garbage - 1, 0, err, sizeof err), SB_EXIT_USAGE);
    assert_null(strchr(err, '\x1b'));
    assert_null(strstr(err, "\xff"));
    assert_contains(err, "J\\xFF\\xFE}");
    char *r = record("q", "\"\x1b]0;t\x07\"", NULL);
    assert_int_equal(load(r, strlen(r), 0, err, sizeof err), SB_EXIT_USAGE);
    assert_null(strchr(err, '\x1b'));
    free(r);
}

static void child_config(void *arg)
{
    SbConfig cfg;
    exit(sb_config_load(arg, &cfg) == 0 ? 0 : 2);
}

static void config_should_refuse_nul_and_escape_what_it_shows(void **state)
{
    (void)state;
    char err[4096];
    const char nul_text[] = "{\"name\": \"ok\",\n \"description\": \"cut\\u0000here\"}";
    const char *nul = write_file("nul.json", nul_text, sizeof nul_text - 1);
    assert_int_equal(run_child(child_config, (void *)nul, err, sizeof err), 2);
    assert_contains(err, "nul.json:2:21: expected no NUL character in a config, found \\u0000 in a string");
    const char raw[] = "{\"name\": \"ok\"}\0{\"seed\": 2}";
    const char *rawp = write_file("raw.json", raw, sizeof raw - 1);
    assert_int_equal(run_child(child_config, (void *)rawp, err, sizeof err), 2);
    assert_contains(err, "raw.json:1:15: expected no NUL character in a config, found a NUL byte");
    const char bin_text[] = "{\"seed\": \"\xff\x1b[2J\"}";
    const char *bin = write_file("bin.json", bin_text, sizeof bin_text - 1);
    assert_int_equal(run_child(child_config, (void *)bin, err, sizeof err), 2);
    assert_null(strchr(err, '\x1b'));
    assert_contains(err, "$.seed: expected an integer");
    assert_contains(err, "\\xFF");
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sb_test_bad_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

int main(void)
{
    sb_registries_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ratings_should_be_in_one_to_five_or_na),
        cmocka_unit_test(schema_errors_should_stop_or_be_skipped),
        cmocka_unit_test(skip_bad_should_count_every_kind),
        cmocka_unit_test(nul_in_a_string_should_be_refused),
        cmocka_unit_test(messages_should_not_echo_binary_garbage),
        cmocka_unit_test(config_should_refuse_nul_and_escape_what_it_shows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
