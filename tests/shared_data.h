/* soupbench tests: the real data files are optional. A test that reads
 * them from ../shared/data skips, saying why, when they are not there (a
 * fresh clone without the shared folder); a suite that needs them
 * throughout exits with SB_TEST_SKIPPED, which tests/run.sh counts as
 * skipped, not passed. Include after <cmocka.h>. */
#ifndef SB_TEST_SHARED_DATA_H
#define SB_TEST_SHARED_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define SHARED "../shared/data"
#define SB_TEST_SKIPPED 77

static inline int shared_file_present(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The shared folder as the data README lays it out (its checksum list). */
static inline int shared_data_present(void) { return shared_file_present(SHARED "/SHA256SUMS"); }

/* Skip the running cmocka test when `path` (under ../shared/data) is missing. */
#define SKIP_WITHOUT(path)                                                                  \
    do {                                                                                    \
        if (!shared_file_present(path)) {                                                   \
            print_message("skipped: %s is missing (the real data files: ../shared/data or " \
                          "'make data')\n",                                                 \
                          (path));                                                          \
            skip();                                                                         \
        }                                                                                   \
    } while (0)
#define SKIP_WITHOUT_SHARED() SKIP_WITHOUT(SHARED "/SHA256SUMS")

/* Exit the whole suite as skipped when the shared data is missing. */
static inline void skip_suite_without_shared(const char *suite)
{
    if (shared_data_present())
        return;
    printf("%s: skipped: it reads the real data files, and %s is missing (run 'make data', or put the "
           "shared folder beside the checkout)\n",
           suite, SHARED);
    exit(SB_TEST_SKIPPED);
}

#endif
