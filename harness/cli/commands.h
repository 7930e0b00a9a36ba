/* soupbench: the subcommands of SPEC section 8. Each takes the arguments
 * after the program name (argv[0] is the subcommand's own name), handles
 * --help, and returns an exit code of enum sb_exit. */
#ifndef SB_COMMANDS_H
#define SB_COMMANDS_H

#include "config.h"

int sb_cmd_run(int argc, char **argv);
int sb_cmd_plot(int argc, char **argv);
int sb_cmd_info(int argc, char **argv);
int sb_cmd_list(int argc, char **argv);
int sb_cmd_bench(int argc, char **argv);
int sb_cmd_data(int argc, char **argv);
int sb_cmd_verify(int argc, char **argv);
int sb_cmd_paper(int argc, char **argv);
int sb_cmd_merge(int argc, char **argv);
/* `run` of a parsed config whose units are replayed (sb_units_replay):
 * label names the config in messages; argv is recorded as the command. */
int sb_run_replayed(const char *label, SbConfig *cfg, const char *out, int threads, int quiet, int argc,
                    char **argv);

#endif
