/* soupbench paper: is a results file up to date? (harness/cli/uptodate.h) */
#include "uptodate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "digest.h"
#include "results.h"
#include "sb.h"

/* The code a results file depends on, as git pathspecs. */
static const char *const code_paths = "harness methods datasets plots Makefile ':(exclude)*.md'";

static void __attribute__((format(printf, 3, 4))) say(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

static int dirty(const char *commit)
{
    size_t n = strlen(commit);
    return n > 6 && strcmp(commit + n - 6, "-dirty") == 0;
}

/* A commit as git takes it: hexadecimal digits only, so nothing from a
 * file reaches the shell. */
static int plain_commit(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

/* 1 when the code at commit `from` is the code at `to` (NULL: the working
 * tree); 0 when it differs or git cannot tell. */
static int same_code(const char *from, const char *to)
{
    char cmd[512];
    say(cmd, sizeof cmd, "git diff --quiet %s %s -- %s >/dev/null 2>&1", from, to ? to : "", code_paths);
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

int sb_code_fingerprint(char hex[65])
{
    char cmd[1024];
    say(cmd, sizeof cmd,
        "git rev-parse --verify -q HEAD && git diff HEAD --binary -- %s && "
        "git ls-files -o --exclude-standard -- %s | while IFS= read -r f; do echo \"== $f\"; cat \"$f\"; done",
        code_paths, code_paths);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char buf[65536];
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) {
        if (len + got > cap) {
            cap = 2 * (len + got);
            text = sb_realloc(text, cap);
        }
        memcpy(text + len, buf, got);
        len += got;
    }
    int rc = pclose(p);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0 || len == 0) {
        free(text);
        return -1;
    }
    unsigned char digest[32];
    sb_sha256(text, len, digest);
    sb_sha256_hex(digest, hex);
    free(text);
    return 0;
}

static void note_path(const char *results, char *out, size_t n) { say(out, n, "%s.code", results); }

int sb_code_note_write(const char *results, const char *build)
{
    char hex[65], path[4096];
    if (sb_code_fingerprint(hex) != 0)
        return -1;
    note_path(results, path, sizeof path);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "%s %s\n", build, hex);
    return fclose(f) == 0 ? 0 : -1;
}

/* The dirty build `commit` ("X-dirty") wrote the file: its note records that
 * commit and the fingerprint of the tree's code then, and this build, dirty
 * or not, is of the same commit X with a tree of the same fingerprint (a
 * tree dirty in its documentation only has the fingerprint of a clean one). */
static int same_dirty_code(const char *results, const char *commit, const char *build)
{
    size_t base = strlen(commit) - 6; /* without "-dirty" */
    if (strncmp(commit, build, base) != 0 || (build[base] != '\0' && strcmp(build + base, "-dirty") != 0))
        return 0;
    char path[4096], line[256], hex[65];
    note_path(results, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    char want[256];
    say(want, sizeof want, "%s ", commit);
    if (!ok || strncmp(line, want, strlen(want)) != 0 || sb_code_fingerprint(hex) != 0)
        return 0;
    return strncmp(line + strlen(want), hex, 64) == 0;
}

static char *root_string(SbResultsReader *rd, const char *name)
{
    char *s = NULL;
    if (sb_results_read_attr_string(rd, "/", name, &s) != SB_RESULTS_OK)
        return NULL;
    return s;
}

int sb_results_stale(const char *path, const char *resolved, uint64_t seed, const char *build, char *why,
                     size_t n, double *wall)
{
    *wall = NAN;
    why[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0) {
        say(why, n, "no results file");
        return 1;
    }
    SbResultsReader *rd = sb_results_open(path);
    if (!rd) {
        say(why, n, "unreadable results file");
        return 1;
    }
    char *config = root_string(rd, "config"), *commit = root_string(rd, "git_commit");
    double file_seed = NAN;
    sb_results_read_attr_doubles(rd, "/", "seed", 1, &file_seed);
    sb_results_read_attr_doubles(rd, "/", "wall_seconds", 1, wall);
    sb_results_close(rd);
    char build_commit[64];
    say(build_commit, sizeof build_commit, "%s", build);
    int build_dirty = dirty(build_commit);
    if (build_dirty)
        build_commit[strlen(build_commit) - 6] = '\0';
    if (!config || strcmp(config, resolved) != 0)
        say(why, n, "the resolved config changed");
    else if (file_seed != (double)seed)
        say(why, n, "the seed changed");
    else if (!commit)
        say(why, n, "no commit recorded");
    else if (dirty(commit)) {
        if (!same_dirty_code(path, commit, build))
            say(why, n, "written by a build from a dirty tree (%s) whose code this tree no longer has, or no note "
                        "records", commit);
    }
    else if (strcmp(commit, build) == 0)
        ; /* the same clean commit */
    else if (!plain_commit(commit) || !plain_commit(build_commit) ||
             !same_code(commit, build_dirty ? NULL : build_commit))
        say(why, n, "the code changed since %s (this build: %s)", commit, build);
    free(config);
    free(commit);
    return why[0] != '\0';
}
