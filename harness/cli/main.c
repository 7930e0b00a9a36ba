/* soupbench: command-line entry point (SPEC section 8). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <malloc.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "registries.h"
#include "sb.h"
#include "units.h"

static const char usage[] =
    "usage: soupbench COMMAND [ARGS]\n"
    "\n"
    "  run CONFIG.json [--out FILE.h5] [--seed N] [--threads N] [--shard I/N] [--quiet]\n"
    "                      run an experiment, write an HDF5 results file\n"
    "  merge SHARD.h5... --out FILE.h5\n"
    "                      combine the shard files of `run --shard I/N` into one results file\n"
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
    "1 failed run, 2 bad usage or bad input, 128 + N stopped by signal N\n"
    "(130 SIGINT, 143 SIGTERM).\n";

/* ------------------------------------------------------------------ */
/* commands that read untrusted results files                         */

static pid_t reader_child;

static void forward_signal(int sig)
{
    if (reader_child > 0)
        kill(reader_child, sig);
}

/* Run a command that reads a results file (info, plot) in a child
 * process: the file may come from anyone, and HDF5 itself can fault on a
 * malformed one (an invalid free in its dense-group code, found by
 * fuzzing). A child that dies of a signal is reported, naming the file,
 * with exit 2; SIGTERM and SIGHUP are passed on to it (SIGINT from the
 * terminal reaches both). */
static int run_isolated(int (*fn)(int, char **), int argc, char **argv)
{
    fflush(stdout);
    fflush(stderr);
    reader_child = fork();
    if (reader_child < 0) /* no process to spare: run it here */
        return fn(argc, argv);
    if (reader_child == 0) {
        int rc = fn(argc, argv);
        fflush(NULL);
        _exit(rc);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN; /* the child reports it */
    sigaction(SIGINT, &sa, NULL);
    int status;
    while (waitpid(reader_child, &status, 0) < 0)
        if (errno != EINTR)
            return SB_EXIT_FAIL;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    int sig = WTERMSIG(status);
    const char *file = NULL;
    for (int i = 1; i < argc && !file; i++)
        if (argv[i][0] != '-' && !(i > 1 && (strcmp(argv[i - 1], "--outdir") == 0 || strcmp(argv[i - 1], "--format") == 0)))
            file = argv[i];
    fprintf(stderr,
            "soupbench: %s: reading it crashed (signal %d, %s) inside the HDF5 library or soupbench: the file is "
            "malformed or hostile\n",
            file ? file : "the results file", sig, strsignal(sig));
    return SB_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* Buffers of a training step or a served policy are a few MB: glibc
     * would mmap and unmap each one (its threshold adapts per process, and
     * every thread's arena starts at the default), faulting its pages in
     * again on every step; keep them on the heaps instead. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    sb_units_mpi_init(&argc, &argv);
    sb_registries_install();
    sb_signals_install(); /* SIGINT, SIGTERM: remove temporary files, exit 128 + N */
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
                    {"paper", sb_cmd_paper}, {"merge", sb_cmd_merge}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0) {
            int reads_results = commands[i].fn == sb_cmd_plot || commands[i].fn == sb_cmd_info;
            return reads_results ? run_isolated(commands[i].fn, argc - 1, argv + 1) : commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "soupbench: unknown command '%s'\n\n%s", cmd, usage);
    return SB_EXIT_USAGE;
}
