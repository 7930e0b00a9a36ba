/* soupbench paper: is a results file up to date?
 *
 * A results file records the resolved config, the seed and the commit of
 * the build that wrote it (root attributes config, seed, git_commit). It is
 * up to date for an experiment when the config and seed are the same and
 * it was written by a build of the same code: the same commit, or a commit
 * whose code (harness/, methods/, datasets/, plots/ and the Makefile,
 * Markdown aside) does not differ from the build's, by `git diff` in the
 * current folder. A file written by a build from a dirty tree ("-dirty")
 * is up to date only when a note beside it (FILE.code, written by
 * `soupbench paper` after the run) records the fingerprint of that tree's
 * code and the tree still has it; otherwise its code cannot be known. */
#ifndef SB_UPTODATE_H
#define SB_UPTODATE_H

#include <stddef.h>
#include <stdint.h>

/* 0 when the file at `path` is up to date for this resolved config (the
 * text of sb_config_to_json), seed and build commit (sb_git_commit, or
 * another commit for tests); 1 otherwise, with the reason in why[n] ("no
 * results file", "the resolved config changed", ...). *wall gets the
 * file's wall_seconds (NAN when there is none). */
int sb_results_stale(const char *path, const char *resolved, uint64_t seed, const char *build, char *why,
                     size_t n, double *wall);

/* The fingerprint of the working tree's code: SHA-256 of its difference
 * from HEAD (git diff) and of the code files git does not track, as hex;
 * -1 when git cannot tell (not a repository). */
int sb_code_fingerprint(char hex[65]);
/* Write the note FILE.code for a results file written by a build from a
 * dirty tree (build: its commit); 0 on success. */
int sb_code_note_write(const char *results, const char *build);

#endif
