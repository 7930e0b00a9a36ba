/* Tests of the up-to-date check of soupbench paper
 * (harness/cli/uptodate.c), in a throwaway git repository: a results file
 * is remade when its config, its seed or the code changes (a commit that
 * touches harness/, or a dirty tree whose code moved since the run) and
 * kept otherwise (the same commit, a commit that changes documentation
 * only, a dirty tree that still has the code it ran). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"
#include "sb.h"
#include "uptodate.h"

static char dir[64], here[4096];
static char c1[64], c2[64], c3[64];
static const char *const config = "{\n  \"name\": \"tiny\",\n  \"seed\": 1\n}";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void sh(const char *cmd)
{
    char full[1024];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    if (system(full) != 0)
        fail_msg("command failed: %s", cmd);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void head(char *out, size_t n)
{
    FILE *p = popen("git rev-parse --short=12 HEAD", "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)n, p));
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

#define GIT "git -c user.name=t -c user.email=t@example.org -c commit.gpgsign=false "

/* c1: code and a README; c2: the README only; c3: the code. */
static int setup(void **state)
{
    (void)state;
    if (!getcwd(here, sizeof here))
        return -1;
    strcpy(dir, "/tmp/sb_test_uptodate_XXXXXX");
    if (!mkdtemp(dir) || chdir(dir) != 0)
        return -1;
    sh("git init -q . && mkdir harness");
    write_text("harness/a.c", "int a;\n");
    write_text("README.md", "one\n");
    sh("git add -A && " GIT "commit -q -m c1");
    head(c1, sizeof c1);
    write_text("README.md", "two\n");
    sh(GIT "commit -q -am c2");
    head(c2, sizeof c2);
    write_text("harness/a.c", "int a = 2;\n");
    sh(GIT "commit -q -am c3");
    head(c3, sizeof c3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(here) != 0)
        return -1;
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A results file as run would write it, by a build of `commit`. */
static void write_results(const char *path, const char *commit)
{
    SbResults *r = sb_results_create(path);
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    sb_results_attr_str(r, "/", "config", config);
    sb_results_attr_int(r, "/", "seed", 1);
    sb_results_attr_str(r, "/", "git_commit", commit);
    sb_results_attr_double(r, "/", "wall_seconds", 12.5);
    sb_results_commit(r);
}

static int stale(const char *build, const char *resolved, uint64_t seed, char *why, size_t n)
{
    double wall;
    int rc = sb_results_stale("run.h5", resolved, seed, build, why, n, &wall);
    if (!rc || strcmp(why, "no results file") != 0)
        assert_true(wall == 12.5);
    return rc;
}

static void stale_should_rerun_when_the_config_the_seed_or_the_code_changes(void **state)
{
    (void)state;
    char why[512];
    assert_int_equal(stale(c1, config, 1, why, sizeof why), 1);
    assert_string_equal(why, "no results file");
    write_results("run.h5", c1);
    assert_int_equal(stale(c1, config, 1, why, sizeof why), 0);
    assert_string_equal(why, "");
    assert_int_equal(stale(c1, "{\n  \"name\": \"tiny\",\n  \"seed\": 2\n}", 1, why, sizeof why), 1);
    assert_string_equal(why, "the resolved config changed");
    assert_int_equal(stale(c1, config, 2, why, sizeof why), 1);
    assert_string_equal(why, "the seed changed");
    /* a commit that changes documentation only keeps the file */
    assert_int_equal(stale(c2, config, 1, why, sizeof why), 0);
    /* one that changes harness/ does not */
    assert_int_equal(stale(c3, config, 1, why, sizeof why), 1);
    assert_non_null(strstr(why, "the code changed since"));
    /* nor does a commit git does not know */
    assert_int_equal(stale("0123456789ab", config, 1, why, sizeof why), 1);
}

static void stale_should_keep_a_dirty_run_only_while_the_tree_has_its_code(void **state)
{
    (void)state;
    char why[512], build[80];
    snprintf(build, sizeof build, "%s-dirty", c3);
    write_results("run.h5", build);
    /* no note: the code it ran cannot be known */
    assert_int_equal(stale(build, config, 1, why, sizeof why), 1);
    assert_non_null(strstr(why, "dirty tree"));
    write_text("harness/a.c", "int a = 3;\n"); /* the dirty change */
    assert_int_equal(sb_code_note_write("run.h5", build), 0);
    assert_int_equal(stale(build, config, 1, why, sizeof why), 0);
    write_text("README.md", "three\n"); /* documentation: still the same code */
    assert_int_equal(stale(build, config, 1, why, sizeof why), 0);
    write_text("harness/a.c", "int a = 4;\n"); /* the code moved on */
    assert_int_equal(stale(build, config, 1, why, sizeof why), 1);
    write_text("harness/a.c", "int a = 3;\n");
    assert_int_equal(stale(build, config, 1, why, sizeof why), 0);
    write_text("harness/b.c", "int b;\n"); /* a new, untracked code file */
    assert_int_equal(stale(build, config, 1, why, sizeof why), 1);
    remove("harness/b.c");

    /* dirty in its documentation only: a clean build of the commit has its code */
    sh("git checkout -q harness/a.c");
    assert_int_equal(sb_code_note_write("run.h5", build), 0); /* README.md still changed */
    assert_int_equal(stale(c3, config, 1, why, sizeof why), 0);
    assert_int_equal(stale(c2, config, 1, why, sizeof why), 1); /* another commit */
    write_text("harness/a.c", "int a = 3;\n");
    assert_int_equal(stale(c3, config, 1, why, sizeof why), 1); /* the code the note does not record */

    /* a clean run read by a dirty build: the commit against the tree */
    write_results("run.h5", c3);
    assert_int_equal(stale(build, config, 1, why, sizeof why), 1); /* a.c differs from c3 */
    sh("git checkout -q harness/a.c");
    assert_int_equal(stale(build, config, 1, why, sizeof why), 0); /* README.md only */
    sh("git checkout -q README.md");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stale_should_rerun_when_the_config_the_seed_or_the_code_changes),
        cmocka_unit_test(stale_should_keep_a_dirty_run_only_while_the_tree_has_its_code),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
