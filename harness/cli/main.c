/* soupbench: command-line entry point (SPEC section 8). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "registries.h"
#include "sb.h"

static const char usage[] =
    "usage: soupbench COMMAND [ARGS]\n"
    "\n"
    "  run CONFIG.json [--out FILE.h5] [--seed N] [--threads N] [--quiet]\n"
    "                      run an experiment, write an HDF5 results file\n"
    "  plot FILE.h5 [--outdir DIR] [--format png,svg,pdf]\n"
    "                      draw the figures of a results file with gnuplot\n"
    "  info FILE.h5        summarise a results file\n"
    "  list                list the methods, datasets and real-data aspects\n"
    "  bench [CONFIG.json] [--repeats N] [--threads N]\n"
    "                      time DGEMM, one training step and the basis on this machine\n"
    "  data verify|fetch|list [FILE...]\n"
    "                      check, download or list the real data files\n"
    "  verify [CLAIMS.json] [--results DIR]\n"
    "                      check the paper's and the harness's claims against results files\n"
    "  paper [--preset quick|full] [--only NAME,...]\n"
    "                      run paper/experiments, draw the figures, write paper/RESULTS.md, verify\n"
    "\n"
    "soupbench COMMAND --help describes each command. Exit status: 0 success,\n"
    "1 failed run, 2 bad usage or bad input.\n";

int main(int argc, char **argv)
{
    sb_registries_install();
    if (argc < 2) {
        fputs(usage, stderr);
        return SB_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return SB_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("soupbench %s\n", SB_VERSION);
        return SB_EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {{"run", sb_cmd_run}, {"plot", sb_cmd_plot}, {"info", sb_cmd_info}, {"list", sb_cmd_list},
                    {"bench", sb_cmd_bench}, {"data", sb_cmd_data}, {"verify", sb_cmd_verify},
                    {"paper", sb_cmd_paper}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "soupbench: unknown command '%s'\n\n%s", cmd, usage);
    return SB_EXIT_USAGE;
}
