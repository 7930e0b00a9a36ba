/* soupbench: the data manifest, SHA-256, the data search path, the streaming
 * readers and `soupbench data` (datasets/manifest.c, sha256.c, reader.c,
 * harness/data_cmd.c).
 *
 * SHA-256 is pinned by the FIPS 180-4 / NIST example vectors; the manifest
 * by the published ../shared/data/SHA256SUMS and the files themselves; the
 * readers by files written here with zlib and by the record counts the data
 * README states (2,312 HH-RLHF pairs, 805 AlpacaEval instructions). Every
 * error is run in a forked child and pinned by its exit status and message.
 * Runs from the repository root, where the shared data is ../shared/data;
 * nothing is written there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "commands.h"
#include "digest.h"
#include "manifest.h"
#include "reader.h"
#include "sb.h"

#include "child.h"
#include "shared_data.h"


/* ------------------------------------------------------------------ */
/* helpers                                                            */

static void to_hex(const unsigned char d[32], char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text) { write_bytes(path, text, strlen(text)); }

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* A fresh temporary folder; its path in dir[64]. */
static void temp_dir(char *dir)
{
    strcpy(dir, "/tmp/sb_test_data_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void join(char *out, size_t cap, const char *a, const char *b) { snprintf(out, cap, "%s/%s", a, b); }

static void assert_starts_with(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* ------------------------------------------------------------------ */
/* SHA-256 against FIPS 180-4 / NIST examples                         */

static void assert_sha256(const void *data, unsigned long n, const char *expected)
{
    unsigned char d[32];
    char hex[65];
    sb_sha256(data, n, d);
    to_hex(d, hex);
    assert_string_equal(hex, expected);
}

static const char MILLION_A[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void sha256_should_match_the_nist_example_vectors(void **state)
{
    (void)state;
    assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_sha256(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu";
    assert_sha256(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    assert_sha256(a, 1000000, MILLION_A);
    free(a);
}

static void sha256_file_should_stream_across_its_read_buffer(void **state)
{
    (void)state;
    /* One million 'a's is 15.3 reads of 64 KiB: the streaming path. */
    char path[] = "/tmp/sb_test_data_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    write_bytes(path, a, 1000000);
    free(a);
    char hex[65];
    assert_int_equal(sb_sha256_file(path, hex), 0);
    assert_string_equal(hex, MILLION_A);
    unlink(path);
    assert_int_equal(sb_sha256_file("/nonexistent/sb_test_data", hex), -1);
}

/* ------------------------------------------------------------------ */
/* the manifest against the shared data                               */

static void manifest_should_hold_every_file_of_shared_sha256sums(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    FILE *f = fopen(SHARED "/SHA256SUMS", "r");
    assert_non_null(f);
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        char sha[65], path[900];
        assert_int_equal(sscanf(line, "%64s %899s", sha, path), 2);
        const char *rel = strncmp(path, "./", 2) == 0 ? path + 2 : path;
        const SbDataFile *e = sb_manifest_find(rel);
        if (!e)
            fail_msg("%s is in SHA256SUMS but not in the manifest", rel);
        assert_string_equal(e->sha256, sha);
        lines++;
    }
    fclose(f);
    int n;
    sb_manifest_all(&n);
    assert_int_equal(n, lines);
    assert_int_equal(n, 28);
}

static void sha256_of_every_shared_file_should_equal_the_manifest(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    int n;
    const SbDataFile *all = sb_manifest_all(&n);
    for (int i = 0; i < n; i++) {
        char path[1024], hex[65];
        join(path, sizeof path, SHARED, all[i].path);
        struct stat st;
        if (stat(path, &st) != 0)
            fail_msg("%s: missing", path);
        assert_int_equal(st.st_size, all[i].size);
        assert_int_equal(sb_sha256_file(path, hex), 0);
        if (strcmp(hex, all[i].sha256) != 0)
            fail_msg("%s: SHA-256 %s, manifest %s", path, hex, all[i].sha256);
        assert_true(all[i].licence[0] && all[i].citation[0]);
    }
}

static void manifest_urls_should_pin_upstream_commit_and_path(void **state)
{
    (void)state;
    /* Spelled out from the data README's table and URL pattern. */
    static const char *const expected[][2] = {
        {"vader/vader_lexicon.txt", "https://raw.githubusercontent.com/cjhutto/vaderSentiment/"
                                    "44fc044cd877310ee8278a0eadf34bcd50d41d06/vaderSentiment/vader_lexicon.txt"},
        {"hh-rlhf/harmless-base/test.jsonl.gz", "https://raw.githubusercontent.com/anthropics/hh-rlhf/"
                                                "354e5c3cb8960630860dd5774a6ac2a58313bf4d/harmless-base/test.jsonl.gz"},
        {"unieval/dialogue/topical_chat.json", "https://raw.githubusercontent.com/maszhongming/UniEval/"
                                               "d33e7b6cfebe97b2bafe435adbd818230d5a416a/reproduce/data/dialogue/"
                                               "topical_chat.json"},
        {"alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv",
         "https://raw.githubusercontent.com/tatsu-lab/alpaca_eval/cd543a149df89434d8a54582c0151c0b945c3d20/src/"
         "alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"},
        {"alpaca_eval/results/phi-2/weighted_alpaca_eval_gpt4_turbo/annotations.json",
         "https://raw.githubusercontent.com/tatsu-lab/alpaca_eval/cd543a149df89434d8a54582c0151c0b945c3d20/results/"
         "phi-2/weighted_alpaca_eval_gpt4_turbo/annotations.json"},
        {"ldnoobw/en", "https://raw.githubusercontent.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-"
                       "Words/5faf2ba42d7b1c0977169ec3611df25a3c08eb13/en"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const SbDataFile *e = sb_manifest_find(expected[i][0]);
        assert_non_null(e);
        assert_string_equal(e->url, expected[i][1]);
    }
    int n;
    const SbDataFile *all = sb_manifest_all(&n);
    for (int i = 0; i < n; i++) {
        assert_starts_with(all[i].url, "https://raw.githubusercontent.com/");
        /* The local folder (the first component) is never part of the URL's tail. */
        const char *tail = strchr(all[i].path, '/') + 1;
        size_t lu = strlen(all[i].url), lt = strlen(tail);
        assert_true(lu > lt && strcmp(all[i].url + lu - lt, tail) == 0);
    }
    assert_null(sb_manifest_find("vader/nope.txt"));
}

/* ------------------------------------------------------------------ */
/* sb_data_path                                                       */

static void data_path_should_find_the_shared_copy(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    unsetenv("SOUPBENCH_DATA");
    char *expected = realpath(SHARED "/vader/vader_lexicon.txt", NULL);
    assert_non_null(expected);
    char *p = sb_data_path("vader/vader_lexicon.txt");
    char *q = sb_data_path("vader/vader_lexicon.txt"); /* verified once, then remembered */
    assert_string_equal(p, expected);
    assert_string_equal(q, expected);
    free(p);
    free(q);
    free(expected);
}

typedef struct {
    const char *data, *cache, *cwd, *mirror, *file;
    char **argv;
    int argc;
} ChildEnv;

static void child_setenv(const ChildEnv *c)
{
    if (c->data)
        setenv("SOUPBENCH_DATA", c->data, 1);
    else
        unsetenv("SOUPBENCH_DATA");
    if (c->cache)
        setenv("SOUPBENCH_CACHE", c->cache, 1);
    if (c->mirror)
        setenv("SOUPBENCH_MIRROR", c->mirror, 1);
    if (c->cwd && chdir(c->cwd) != 0)
        _exit(99);
}

static void child_data_path(void *arg)
{
    const ChildEnv *c = arg;
    child_setenv(c);
    free(sb_data_path(c->file));
}

static void data_path_should_fail_on_a_checksum_mismatch(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    char dir[64], sub[128], path[160], err[2048], expected[1024];
    temp_dir(dir);
    join(sub, sizeof sub, dir, "ldnoobw");
    assert_int_equal(mkdir(sub, 0777), 0);
    join(path, sizeof path, sub, "en");
    size_t n;
    char *text = sb_read_file(SHARED "/ldnoobw/en", &n);
    assert_non_null(text);
    text[n / 2] ^= 0x01;
    write_bytes(path, text, n);
    unsigned char d[32];
    char found[65];
    sb_sha256(text, n, d);
    to_hex(d, found);
    free(text);

    ChildEnv c = {.data = dir, .file = "ldnoobw/en"};
    int rc = run_child(child_data_path, &c, err, sizeof err);
    snprintf(expected, sizeof expected,
             "soupbench: data file ldnoobw/en (found at %s): SHA-256 mismatch: expected "
             "af851ecef1d5f212caba17339b12ac39cc2fef7d78c74876f67237644fcee8bd, found %s; delete it and run "
             "'soupbench data fetch'\n",
             path, found);
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, expected);
    rm_rf(dir);
}

static void data_path_should_name_the_fetch_command_when_missing(void **state)
{
    (void)state;
    /* Empty data and cache folders, and a current folder with no
     * ../shared beside it (the test binary's own folder has none either). */
    char dir[64], data[128], cache[128], cwd[128], err[2048], expected[1024];
    temp_dir(dir);
    join(data, sizeof data, dir, "data");
    join(cache, sizeof cache, dir, "cache");
    join(cwd, sizeof cwd, dir, "a/b");
    assert_int_equal(mkdir(data, 0777), 0);
    assert_int_equal(mkdir(cache, 0777), 0);
    assert_int_equal(sb_mkdir_p(cwd), 0);

    ChildEnv c = {.data = data, .cache = cache, .cwd = cwd, .file = "vader/vader_lexicon.txt"};
    int rc = run_child(child_data_path, &c, err, sizeof err);
    snprintf(expected, sizeof expected,
             "soupbench: data file vader/vader_lexicon.txt: not found in $SOUPBENCH_DATA, ../shared/data or %s; "
             "run 'soupbench data fetch' (or 'make data') to download it\n",
             cache);
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, expected);

    c.file = "vader/nope.txt";
    rc = run_child(child_data_path, &c, err, sizeof err);
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, "soupbench: data file vader/nope.txt: not in the data manifest "
                             "(datasets/manifest.json; 'soupbench data list' lists it)\n");
    rm_rf(dir);
}

/* ------------------------------------------------------------------ */
/* line reader                                                        */

/* Lines of random lowercase text (compresses poorly, so the gzip stream
 * spans many zlib blocks), one longer than the 64 KiB read buffer, a CRLF
 * line, an empty line, and a last line without a newline. */
#define N_LINES 60
static char *test_lines[N_LINES];

static void make_lines(void)
{
    SbRng rng;
    sb_rng_seed(&rng, 7);
    for (int i = 0; i < N_LINES; i++) {
        int len = i == 5 ? 200000 : i == 9 ? 0 : 500 + sb_rng_below(&rng, 3000);
        test_lines[i] = malloc((size_t)len + 1);
        for (int k = 0; k < len; k++)
            test_lines[i][k] = (char)('a' + sb_rng_below(&rng, 26));
        test_lines[i][len] = '\0';
    }
}

static void write_gzip_lines(const char *path)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    for (int i = 0; i < N_LINES; i++) {
        gzputs(gz, test_lines[i]);
        if (i == 12)
            gzputs(gz, "\r\n");
        else if (i < N_LINES - 1)
            gzputs(gz, "\n");
    }
    assert_int_equal(gzclose(gz), Z_OK);
}

static void read_all_lines(const char *path)
{
    SbReader *rd = sb_reader_open(path);
    long no;
    int i = 0;
    const char *s;
    while ((s = sb_reader_line(rd, &no))) {
        assert_true(i < N_LINES);
        assert_int_equal(no, i + 1);
        assert_string_equal(s, test_lines[i]);
        i++;
    }
    assert_int_equal(i, N_LINES);
    sb_reader_close(rd);
}

static void reader_should_read_back_gzip_and_plain_lines(void **state)
{
    (void)state;
    char dir[64], gz[128], plain[128];
    temp_dir(dir);
    join(gz, sizeof gz, dir, "lines.gz");
    join(plain, sizeof plain, dir, "lines.txt");
    write_gzip_lines(gz);
    read_all_lines(gz);
    FILE *f = fopen(plain, "w");
    for (int i = 0; i < N_LINES; i++)
        fprintf(f, "%s%s", test_lines[i], i == 12 ? "\r\n" : i < N_LINES - 1 ? "\n" : "");
    fclose(f);
    read_all_lines(plain);
    write_text(plain, "");
    SbReader *rd = sb_reader_open(plain);
    assert_null(sb_reader_line(rd, NULL));
    sb_reader_close(rd);
    rm_rf(dir);
}

static void child_read_lines(void *arg)
{
    SbReader *rd = sb_reader_open(arg);
    while (sb_reader_line(rd, NULL))
        ;
    sb_reader_close(rd);
}

/* Write the gzip test file, damage its bytes with `damage` (which may
 * shorten *n), read it in a child: exit 2, the message names the file and
 * the line and contains `expected`. */
static void assert_damaged_gzip_fails(void (*damage)(char *bytes, size_t *n), const char *expected)
{
    char dir[64], path[128], err[2048], prefix[256];
    temp_dir(dir);
    join(path, sizeof path, dir, "lines.gz");
    write_gzip_lines(path);
    size_t n;
    char *bytes = sb_read_file(path, &n);
    assert_true(n > 50000);
    damage(bytes, &n);
    write_bytes(path, bytes, n);
    free(bytes);
    int rc = run_child(child_read_lines, path, err, sizeof err);
    assert_int_equal(rc, SB_EXIT_USAGE);
    snprintf(prefix, sizeof prefix, "soupbench: %s: line ", path);
    assert_starts_with(err, prefix);
    assert_contains(err, expected);
    rm_rf(dir);
}

static void cut_in_half(char *bytes, size_t *n)
{
    (void)bytes;
    *n /= 2;
}

static void flip_a_middle_byte(char *bytes, size_t *n) { bytes[*n / 2] ^= 0x5a; }

static void reader_should_fail_on_a_truncated_gzip_stream(void **state)
{
    (void)state;
    assert_damaged_gzip_fails(cut_in_half, ": corrupted or truncated gzip stream (zlib: unexpected end of file)\n");
}

static void reader_should_fail_on_a_corrupted_gzip_stream(void **state)
{
    (void)state;
    assert_damaged_gzip_fails(flip_a_middle_byte, ": corrupted or truncated gzip stream (zlib: ");
}

static void reader_should_name_a_missing_file(void **state)
{
    (void)state;
    char err[1024];
    int rc = run_child(child_read_lines, "/nonexistent/sb_test.txt", err, sizeof err);
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, "soupbench: /nonexistent/sb_test.txt: cannot open: No such file or directory\n");
}

/* ------------------------------------------------------------------ */
/* JSON records                                                       */

/* Brackets, commas, quotes and escapes inside strings must not cut a record. */
static const char ARRAY_OK[] = "[\n"
                               "  {\"id\": 1, \"text\": \"a, [b] {c}\", \"nested\": {\"list\": [1, 2, {\"x\": \"]\"}]}},\n"
                               "  {\"id\": 2, \"text\": \"quote \\\" and backslash \\\\\", \"u\": \"\\u00e9\"},\n"
                               "  {\"id\": 3,\n"
                               "   \"text\": \"two\\nlines\", \"empty\": []}\n"
                               "]\n";
static const char *const ARRAY_TEXT[] = {"a, [b] {c}", "quote \" and backslash \\", "two\nlines"};

static void assert_records(const char *path, int skip_bad, const int *ids, const long *numbers, int n)
{
    SbJsonStream *js = sb_json_open(path, skip_bad);
    cJSON *v;
    long no;
    int i = 0;
    while ((v = sb_json_next(js, &no))) {
        assert_true(i < n);
        assert_int_equal(no, numbers[i]);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");
        assert_true(cJSON_IsNumber(id));
        assert_int_equal(id->valueint, ids[i]);
        cJSON_Delete(v);
        i++;
    }
    assert_int_equal(i, n);
    assert_null(sb_json_next(js, &no));
    sb_json_close(js);
}

static void json_should_stream_array_records_one_at_a_time(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir);
    join(path, sizeof path, dir, "a.json");
    write_text(path, ARRAY_OK);
    SbJsonStream *js = sb_json_open(path, 0);
    for (int i = 0; i < 3; i++) {
        long no;
        cJSON *v = sb_json_next(js, &no);
        assert_non_null(v);
        assert_int_equal(no, i + 1);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "text")->valuestring, ARRAY_TEXT[i]);
        if (i == 0) {
            const cJSON *list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "nested"), "list");
            assert_int_equal(cJSON_GetArraySize(list), 3);
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, 2), "x")->valuestring, "]");
        }
        if (i == 1)
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "u")->valuestring, "\xc3\xa9");
        cJSON_Delete(v);
    }
    assert_null(sb_json_next(js, NULL));
    assert_int_equal(sb_json_skipped(js), 0);
    sb_json_close(js);

    write_text(path, "  [ ]  \n");
    assert_records(path, 0, NULL, NULL, 0);
    rm_rf(dir);
}

static void json_should_stream_json_lines_plain_and_gzip(void **state)
{
    (void)state;
    static const char text[] = "\n{\"id\": 1, \"s\": \"[\"}\n\n  \n{\"id\": 2}\r\n{\"id\": 3, \"s\": \"}{\"}";
    static const int ids[] = {1, 2, 3};
    static const long numbers[] = {1, 2, 3};
    char dir[64], path[128], gzpath[128];
    temp_dir(dir);
    join(path, sizeof path, dir, "a.jsonl");
    join(gzpath, sizeof gzpath, dir, "a.jsonl.gz");
    write_text(path, text);
    assert_records(path, 0, ids, numbers, 3);
    gzFile gz = gzopen(gzpath, "wb");
    gzputs(gz, text);
    gzclose(gz);
    assert_records(gzpath, 0, ids, numbers, 3);
    rm_rf(dir);
}

typedef struct {
    const char *path;
    int skip_bad;
} JsonArgs;

static void child_read_json(void *arg)
{
    const JsonArgs *a = arg;
    SbJsonStream *js = sb_json_open(a->path, a->skip_bad);
    cJSON *v;
    while ((v = sb_json_next(js, NULL)))
        cJSON_Delete(v);
    sb_json_close(js);
}

/* The message of reading `text` as a file (exit status 2 expected), with
 * "FILE" in `expected` standing for the file's path. */
static void assert_json_fails(const char *text, const char *expected_fmt)
{
    char dir[64], path[128], err[2048], expected[1024];
    temp_dir(dir);
    join(path, sizeof path, dir, "bad.json");
    write_text(path, text);
    JsonArgs a = {path, 0};
    int rc = run_child(child_read_json, &a, err, sizeof err);
    snprintf(expected, sizeof expected, expected_fmt, path);
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, expected);
    rm_rf(dir);
}

static const char ARRAY_BAD3[] = "[\n"
                                 "  {\"id\": 1},\n"
                                 "  {\"id\": 2},\n"
                                 "  {\"id\": 3,\n"
                                 "   \"text\" \"x\"},\n"
                                 "  {\"id\": 4}\n"
                                 "]\n";
static const char LINES_BAD3[] = "{\"id\": 1}\n"
                                 "{\"id\": 2}\n"
                                 "\n"
                                 "{\"id\": 3,}\n"
                                 "{\"id\": 4}\n";

static void json_should_name_the_record_and_line_of_a_syntax_error(void **state)
{
    (void)state;
    /* Record 3 starts on line 4; the missing ':' is on line 5. */
    assert_json_fails(ARRAY_BAD3, "soupbench: %s: record 3 (line 5): JSON syntax error near '\"x\"}'\n");
    assert_json_fails(LINES_BAD3, "soupbench: %s: record 3 (line 4): JSON syntax error near '}'\n");
    assert_json_fails("{\"id\": 1} x\n", "soupbench: %s: record 1 (line 1): JSON syntax error near 'x'\n");
}

/* Read with skip_bad in a child; exit 3 unless the records read are ids
 * 1, 2, 4 numbered 1, 2, 4 with one skipped. */
static void child_read_skipping(void *arg)
{
    SbJsonStream *js = sb_json_open(arg, 1);
    static const int ids[] = {1, 2, 4};
    cJSON *v;
    long no;
    int i = 0;
    while ((v = sb_json_next(js, &no))) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");
        if (i >= 3 || !cJSON_IsNumber(id) || id->valueint != ids[i] || no != ids[i])
            exit(3);
        cJSON_Delete(v);
        i++;
    }
    if (i != 3 || sb_json_skipped(js) != 1)
        exit(3);
    sb_json_close(js);
}

static void json_should_skip_malformed_records_with_skip_bad(void **state)
{
    (void)state;
    const char *texts[] = {ARRAY_BAD3, LINES_BAD3};
    for (int t = 0; t < 2; t++) {
        char dir[64], path[128], err[2048], expected[512];
        temp_dir(dir);
        join(path, sizeof path, dir, "bad.json");
        write_text(path, texts[t]);
        int rc = run_child(child_read_skipping, path, err, sizeof err);
        snprintf(expected, sizeof expected, "soupbench: %s: skipped 1 malformed record (1 JSON syntax error)\n", path);
        assert_int_equal(rc, 0);
        assert_string_equal(err, expected);
        rm_rf(dir);
    }
}

static void json_should_reject_records_that_are_not_objects(void **state)
{
    (void)state;
    assert_json_fails("{\"id\": 1}\n[1, 2]\n", "soupbench: %s: record 2: expected an object, found an array\n");
    assert_json_fails("[{\"id\": 1}, \"two\"]", "soupbench: %s: record 2: expected an object, found a string\n");
}

static void json_should_reject_other_files_and_unterminated_arrays(void **state)
{
    (void)state;
    assert_json_fails("\n  hello world\n", "soupbench: %s: expected a JSON array or JSON Lines, found 'hello world'\n");
    assert_json_fails("", "soupbench: %s: expected a JSON array or JSON Lines, found an empty file\n");
    assert_json_fails("[{\"id\": 1},\n {\"id\": 2}\n",
                      "soupbench: %s: record 2 (line 2): unterminated JSON array at the end of the file "
                      "(expected ',' or ']')\n");
    assert_json_fails("[{\"id\": 1}, {\"s\": \"]}\n",
                      "soupbench: %s: record 2 (line 1): unterminated JSON array at the end of the file "
                      "(expected ',' or ']')\n");
    assert_json_fails("[{\"id\": 1},]\n", "soupbench: %s: record 2 (line 1): JSON syntax error near ']' "
                                          "(a missing record)\n");
    assert_json_fails("[{\"id\": 1}]\n]\n",
                      "soupbench: %s: line 2: expected the end of the file after the JSON array, found ']'\n");
}

/* ------------------------------------------------------------------ */
/* the shared files through the streaming reader                      */

static void hh_rlhf_harmless_test_should_hold_2312_pairs(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    unsetenv("SOUPBENCH_DATA");
    char *path = sb_data_path("hh-rlhf/harmless-base/test.jsonl.gz");
    SbJsonStream *js = sb_json_open(path, 0);
    cJSON *v;
    long n = 0, no = 0;
    while ((v = sb_json_next(js, &no))) {
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "chosen")));
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "rejected")));
        cJSON_Delete(v);
        n++;
    }
    assert_int_equal(n, 2312);
    assert_int_equal(no, 2312);
    sb_json_close(js);
    free(path);
}

static void alpaca_eval_annotations_should_hold_805_array_records(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    unsetenv("SOUPBENCH_DATA");
    char *path = sb_data_path("alpaca_eval/results/alpaca-7b/weighted_alpaca_eval_gpt4_turbo/annotations.json");
    SbJsonStream *js = sb_json_open(path, 0);
    cJSON *v;
    long n = 0;
    while ((v = sb_json_next(js, NULL))) {
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "instruction")));
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "output_2")));
        const cJSON *pref = cJSON_GetObjectItemCaseSensitive(v, "preference");
        assert_true(cJSON_IsNumber(pref) && pref->valuedouble >= 1 && pref->valuedouble <= 2);
        cJSON_Delete(v);
        n++;
    }
    assert_int_equal(n, 805);
    sb_json_close(js);
    free(path);
}

/* ------------------------------------------------------------------ */
/* soupbench data                                                     */

static void child_data_cmd(void *arg)
{
    const ChildEnv *c = arg;
    child_setenv(c);
    exit(sb_cmd_data(c->argc, c->argv));
}

static void data_verify_should_pass_on_the_shared_copy_and_fail_without_it(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    char err[4096], dir[64], empty[128], cwd[128];
    char *argv[] = {"data", "verify", NULL};
    ChildEnv c = {.argc = 2, .argv = argv};
    assert_int_equal(run_child(child_data_cmd, &c, err, sizeof err), 0);
    assert_string_equal(err, "");

    temp_dir(dir);
    join(empty, sizeof empty, dir, "empty");
    join(cwd, sizeof cwd, dir, "a/b");
    assert_int_equal(mkdir(empty, 0777), 0);
    assert_int_equal(sb_mkdir_p(cwd), 0);
    ChildEnv none = {.data = empty, .cache = empty, .cwd = cwd, .argc = 2, .argv = argv};
    assert_int_equal(run_child(child_data_cmd, &none, err, sizeof err), SB_EXIT_USAGE);
    assert_string_equal(err, "soupbench: data verify: 28 of 28 files missing or invalid; delete the invalid ones "
                             "and run 'soupbench data fetch' (or 'make data')\n");
    rm_rf(dir);
}

static int have_curl(void) { return system("curl --version >/dev/null 2>&1") == 0; }

/* No network here: a file:// mirror laid out like ../shared/data stands in
 * for the upstream URLs ($SOUPBENCH_MIRROR). */
static void data_fetch_should_download_verify_and_leave_nothing_on_failure(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    if (!have_curl())
        skip();
    char dir[64], empty[128], cache[128], cwd[128], mirror[1100], bad[128], err[4096], path[256];
    temp_dir(dir);
    join(empty, sizeof empty, dir, "empty");
    join(cache, sizeof cache, dir, "cache");
    join(cwd, sizeof cwd, dir, "a/b");
    join(bad, sizeof bad, dir, "mirror");
    assert_int_equal(mkdir(empty, 0777), 0);
    assert_int_equal(sb_mkdir_p(cwd), 0);
    char *shared = realpath(SHARED, NULL);
    assert_non_null(shared);
    snprintf(mirror, sizeof mirror, "file://%s", shared);
    free(shared);

    /* A missing file is downloaded into the cache, byte for byte. */
    char *fetch_en[] = {"data", "fetch", "ldnoobw/en", NULL};
    ChildEnv c = {.data = empty, .cache = cache, .cwd = cwd, .mirror = mirror, .argc = 3, .argv = fetch_en};
    assert_int_equal(run_child(child_data_cmd, &c, err, sizeof err), 0);
    assert_string_equal(err, "");
    join(path, sizeof path, cache, "ldnoobw/en");
    size_t n1, n2;
    char *got = sb_read_file(path, &n1), *want = sb_read_file(SHARED "/ldnoobw/en", &n2);
    assert_non_null(got);
    assert_int_equal(n1, n2);
    assert_memory_equal(got, want, n1);
    free(got);
    free(want);
    /* Present now: verified, not downloaded again (no mirror needed). */
    c.mirror = "file:///nonexistent";
    assert_int_equal(run_child(child_data_cmd, &c, err, sizeof err), 0);

    /* A download with the wrong bytes is refused and not kept. */
    char sub[160], file[200], expected[1024];
    join(sub, sizeof sub, bad, "ldnoobw");
    assert_int_equal(sb_mkdir_p(sub), 0);
    join(file, sizeof file, sub, "LICENSE");
    write_text(file, "not the licence\n");
    char url[256];
    snprintf(url, sizeof url, "file://%s/ldnoobw/LICENSE", bad);
    char mirror_bad[160];
    snprintf(mirror_bad, sizeof mirror_bad, "file://%s", bad);
    char *fetch_lic[] = {"data", "fetch", "ldnoobw/LICENSE", NULL};
    ChildEnv b = {.data = empty, .cache = cache, .cwd = cwd, .mirror = mirror_bad, .argc = 3, .argv = fetch_lic};
    assert_int_equal(run_child(child_data_cmd, &b, err, sizeof err), SB_EXIT_USAGE);
    unsigned char d[32];
    char found[65];
    sb_sha256("not the licence\n", 16, d);
    to_hex(d, found);
    snprintf(expected, sizeof expected,
             "soupbench: data file ldnoobw/LICENSE: downloaded from %s: SHA-256 mismatch: expected "
             "55bfbc1759943f7d19acfc68e35644b7fbe10cd8d39ab3551ce5ecff5dda9979, found %s; nothing was kept\n",
             url, found);
    assert_string_equal(err, expected);

    /* A failed download (absent from the mirror) names the file and the URL. */
    char *fetch_hh[] = {"data", "fetch", "hh-rlhf/LICENSE", NULL};
    b.argv = fetch_hh;
    assert_int_equal(run_child(child_data_cmd, &b, err, sizeof err), SB_EXIT_USAGE);
    snprintf(expected, sizeof expected, "soupbench: data file hh-rlhf/LICENSE: download from file://%s/hh-rlhf/LICENSE failed (curl exit status ",
             bad);
    assert_contains(err, expected);
    assert_contains(err, "); nothing was kept\n");

    /* Nothing but the one good download is in the cache. */
    char listing[512];
    snprintf(listing, sizeof listing, "test \"$(find %s -type f | wc -l)\" -eq 1", cache);
    assert_int_equal(system(listing), 0);
    rm_rf(dir);
}

int main(void)
{
    make_lines();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_should_match_the_nist_example_vectors),
        cmocka_unit_test(sha256_file_should_stream_across_its_read_buffer),
        cmocka_unit_test(manifest_should_hold_every_file_of_shared_sha256sums),
        cmocka_unit_test(sha256_of_every_shared_file_should_equal_the_manifest),
        cmocka_unit_test(manifest_urls_should_pin_upstream_commit_and_path),
        cmocka_unit_test(data_path_should_find_the_shared_copy),
        cmocka_unit_test(data_path_should_fail_on_a_checksum_mismatch),
        cmocka_unit_test(data_path_should_name_the_fetch_command_when_missing),
        cmocka_unit_test(reader_should_read_back_gzip_and_plain_lines),
        cmocka_unit_test(reader_should_fail_on_a_truncated_gzip_stream),
        cmocka_unit_test(reader_should_fail_on_a_corrupted_gzip_stream),
        cmocka_unit_test(reader_should_name_a_missing_file),
        cmocka_unit_test(json_should_stream_array_records_one_at_a_time),
        cmocka_unit_test(json_should_stream_json_lines_plain_and_gzip),
        cmocka_unit_test(json_should_name_the_record_and_line_of_a_syntax_error),
        cmocka_unit_test(json_should_skip_malformed_records_with_skip_bad),
        cmocka_unit_test(json_should_reject_records_that_are_not_objects),
        cmocka_unit_test(json_should_reject_other_files_and_unterminated_arrays),
        cmocka_unit_test(hh_rlhf_harmless_test_should_hold_2312_pairs),
        cmocka_unit_test(alpaca_eval_annotations_should_hold_805_array_records),
        cmocka_unit_test(data_verify_should_pass_on_the_shared_copy_and_fail_without_it),
        cmocka_unit_test(data_fetch_should_download_verify_and_leave_nothing_on_failure),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i < N_LINES; i++)
        free(test_lines[i]);
    return rc;
}
