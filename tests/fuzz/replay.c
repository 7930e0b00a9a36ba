/* Replays fuzz inputs without libFuzzer, so that the seed corpora and every
 * finding kept as a regression run in `make test` (and `make asan`) with
 * the normal build: main() feeds each file given, or each file of each
 * folder given, to the target's LLVMFuzzerTestOneInput; a failed oracle
 * aborts. With no argument: tests/fuzz/corpus/fuzz_<target> and
 * tests/fuzz/regressions/fuzz_<target> (FUZZ_TARGET, set by the
 * Makefile). What the commands print on bad input is expected and
 * silenced (as libFuzzer's -close_fd_mask=3); each input's name is said
 * first, so that an abort names it. SB_REPLAY_VERBOSE=1 keeps the output. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int saved_out = -1, saved_err = -1;

static void silence(int on)
{
    if (getenv("SB_REPLAY_VERBOSE"))
        return;
    fflush(stdout);
    fflush(stderr);
    if (on) {
        int null = open("/dev/null", O_WRONLY);
        saved_out = dup(1), saved_err = dup(2);
        dup2(null, 1), dup2(null, 2), close(null);
    } else {
        dup2(saved_out, 1), dup2(saved_err, 2), close(saved_out), close(saved_err);
    }
}

static int replay_file(const char *path)
{
    size_t n;
    char *data = sb_read_file(path, &n);
    if (!data) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 0;
    }
    fprintf(stderr, "replay: %s\n", path);
    silence(1);
    LLVMFuzzerTestOneInput((const uint8_t *)data, n);
    silence(0);
    free(data);
    return 1;
}

static int replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    DIR *d = opendir(path);
    char **names = NULL;
    int n = 0, done = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "README.md") != 0) {
            names = sb_realloc(names, sizeof *names * (size_t)(n + 1));
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            names[n] = sb_malloc(len);
            snprintf(names[n++], len, "%s/%s", path, e->d_name);
        }
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        done += replay_file(names[i]);
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    int done = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            done += replay(argv[i]);
    } else {
        done += replay("tests/fuzz/corpus/fuzz_" FUZZ_TARGET);
        done += replay("tests/fuzz/regressions/fuzz_" FUZZ_TARGET);
    }
    printf("replay fuzz_%s: %d inputs, every oracle held\n", FUZZ_TARGET, done);
    return done > 0 ? 0 : 1;
}
