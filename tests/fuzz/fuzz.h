/* soupbench fuzz targets: what every libFuzzer target shares.
 *
 * Bad input ends soupbench through sb_fail (exit 2); a target must go on
 * to the next input, so sb_fail's handler jumps back to the target
 * (FUZZ_TRY). What a run allocated before the jump is leaked: targets run
 * with -detect_leaks=0 (tests/fuzz/run.sh). Inputs reach the readers as
 * files, as in soupbench. */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registries.h"
#include "sb.h"

static jmp_buf fuzz_jump;
static int fuzz_exit_code;

static void fuzz_on_fail(int code)
{
    fuzz_exit_code = code;
    sb_owned_release_all(); /* the readers' files and buffers */
    longjmp(fuzz_jump, 1);
}

/* Once per process: the registries (names in configs) and the handler. */
static void fuzz_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    sb_registries_install();
    sb_fail_set_handler(fuzz_on_fail);
}

/* Run `body`; on sb_fail, continue after it. An exit code other than 2
 * (bad input) is a finding: an internal error or an allocation that
 * failed. */
#define FUZZ_TRY(...)                                                                           \
    do {                                                                                        \
        if (setjmp(fuzz_jump) == 0) {                                                           \
            __VA_ARGS__;                                                                        \
        } else if (fuzz_exit_code != SB_EXIT_USAGE) {                                           \
            fprintf(stderr, "fuzz: sb_fail with exit code %d (expected 2)\n", fuzz_exit_code);  \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

static char fuzz_paths[4][256];

static void fuzz_remove_files(void)
{
    for (int i = 0; i < 4; i++)
        if (fuzz_paths[i][0])
            unlink(fuzz_paths[i]);
}

/* A file of its own per process, name[0..n) written to it; its path. The
 * files are removed at exit. */
static const char *fuzz_file(const char *name, const uint8_t *data, size_t n)
{
    static int k;
    if (k == 0)
        atexit(fuzz_remove_files);
    char *p = fuzz_paths[k++ % 4];
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(p, 256, "%s/sb_fuzz_%ld_%s", dir, (long)getpid(), name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", p, strerror(errno));
        abort();
    }
    if (n && fwrite(data, 1, n, f) != n)
        abort();
    fclose(f);
    return p;
}

#endif
