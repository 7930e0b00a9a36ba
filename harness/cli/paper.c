/* soupbench paper: every experiment of paper/experiments, its figures,
 * paper/RESULTS.md and the claims (`make paper`).
 *
 *     soupbench paper [--preset quick|full] [--only NAME,...] [--force] [--no-run] [--jobs N]
 *
 * For each config paper/experiments/NAME.json (with the preset's merge
 * patch paper/experiments/<preset>/NAME.json applied, when there is one):
 *
 *  1. run it, unless its results file is up to date: same resolved config,
 *     same seed, and results made by a build of the same code (the same
 *     commit, or a commit whose code -- harness/, methods/, datasets/,
 *     plots/, the Makefile, documentation aside -- does not differ from
 *     this build's); a file made by a build from a dirty tree only while
 *     the tree keeps that code (harness/cli/uptodate.h);
 *  2. draw its figures into paper/figures/NAME/ (PNG and PDF);
 *  3. write paper/RESULTS.md (one section per experiment: figures with
 *     captions, the tables behind them, the config, the commit and the run
 *     time) and the LaTeX tables of paper/generated/;
 *  4. check paper/claims.json (soupbench verify) and return its exit code.
 *
 * The quickstart also runs a second time (quickstart_rerun.h5), for the
 * claim that reruns are bit-identical. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "config.h"
#include "doctable.h"
#include "results.h"
#include "sb.h"
#include "uptodate.h"

static const char usage[] =
    "usage: soupbench paper [--preset quick|full] [--only NAME,...] [--force] [--no-run] [--jobs N]\n"
    "                       [--mpirun \"CMD\"] [--shards N]\n"
    "\n"
    "Run every experiment of paper/experiments (skipping those whose results file\n"
    "is up to date: same resolved config, seed and code), draw its figures into\n"
    "paper/figures/NAME/, write paper/RESULTS.md and the LaTeX tables of\n"
    "paper/generated/, then check paper/claims.json (soupbench verify).\n"
    "\n"
    "  --preset P    quick (default: the sizes of paper/experiments/quick/*.json,\n"
    "                results in paper/results/) or full (the configs as they are,\n"
    "                with paper/experiments/full/*.json if any; paper/results/full/)\n"
    "  --only LIST   only these experiments (comma-separated); the others' results\n"
    "                are used as they are\n"
    "  --force       rerun even the experiments that are up to date\n"
    "  --no-run      run nothing: figures, RESULTS.md and claims from the results\n"
    "                files as they are (stale ones reported)\n"
    "  --jobs N      experiments run side by side (default 2; 1 with --mpirun)\n"
    "  --mpirun CMD  run each experiment under CMD (\"mpirun -n 4\"; a soupbench\n"
    "                built with make MPI=1): its units split across the ranks\n"
    "  --shards N    run nothing: print, per stale experiment, the N shard\n"
    "                commands of a job array and the merge that follows them\n"
    "  --help        this text\n"
    "\n"
    "Exit status: that of soupbench verify (0 every harness claim holds, 1 one\n"
    "fails), 1 when an experiment fails, 2 bad usage or bad input.\n";

#define PAPER_DIR "paper"
#define PATH_LEN 1024
#define MAX_EXPERIMENTS 64
#define MAX_FIGURES 64

/* The experiment run twice for the claim rerun_bit_identical. */
static const char *const rerun_of = "quickstart";

/* The order of the sections; configs not listed follow, by name. */
static const char *const section_order[] = {
    "quickstart",          "paper_setting",       "paper_setting_online", "pareto_synthetic",
    "online_synthetic",    "ablation_K",          "ablation_width",       "exactness",
    "pareto_alpaca_eval",  "online_alpaca_eval",  "pareto_topical_chat",  "online_topical_chat",
};
#define N_SECTION_ORDER (int)(sizeof section_order / sizeof section_order[0])

typedef struct {
    char name[SB_NAME_MAX + 16];
    char config_path[PATH_LEN]; /* paper/experiments/NAME.json */
    char patch_path[PATH_LEN];  /* the preset's patch, "" if none */
    char *patch_text;           /* the patch, compact JSON, NULL if none */
    char run_config[PATH_LEN];  /* the config given to soupbench run */
    char results[PATH_LEN];     /* RESULTS_DIR/NAME.h5 */
    char log[PATH_LEN];
    char *resolved;             /* the resolved config (sb_config_to_json) */
    uint64_t seed;
    char stale[512];            /* why it must run; "" when up to date */
    int selected;               /* in --only */
    int n_methods;              /* $.methods: Pareto fronts are shown when they compare methods */
    int is_rerun;
    pid_t pid;
    int failed;
    double started, seconds;    /* this invocation's run, 0 if skipped */
    double last_wall;           /* wall_seconds of the results file found, NAN if none */
    char *figures[MAX_FIGURES]; /* PNG paths written, relative to paper/ */
    int n_figures;
} Experiment;

typedef struct {
    const char *preset;
    char results_dir[PATH_LEN];
    char figures_dir[PATH_LEN];
    char generated_dir[PATH_LEN];
    char self[PATH_LEN];
    Experiment *ex;
    int n;
    int jobs;              /* experiments side by side */
    char mpirun[PATH_LEN]; /* --mpirun: the launcher of each run, or "" */
} Paper;

static void __attribute__((format(printf, 3, 4))) bprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------ */
/* configs and presets                                                */

/* RFC 7396 JSON merge patch: objects merge key by key, null deletes, any
 * other value replaces. */
static void merge_patch(cJSON *target, const cJSON *patch)
{
    for (const cJSON *p = patch->child; p; p = p->next) {
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
            continue;
        }
        cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);
        if (cJSON_IsObject(p) && t && cJSON_IsObject(t)) {
            merge_patch(t, p);
            continue;
        }
        cJSON *value;
        if (cJSON_IsObject(p)) {
            value = cJSON_CreateObject();
            merge_patch(value, p);
        } else {
            value = cJSON_Duplicate(p, 1);
        }
        if (t)
            cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, value);
        else
            cJSON_AddItemToObject(target, p->string, value);
    }
}

static cJSON *parse_json_file(const char *path)
{
    size_t len;
    char *text = sb_read_file(path, &len);
    if (!text)
        sb_fail(SB_EXIT_USAGE, "%s: cannot read (%s)", path, strerror(errno));
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        int line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        sb_fail(SB_EXIT_USAGE, "%s:%d: JSON syntax error near '%.20s'", path, line, end ? end : "");
    }
    if (!cJSON_IsObject(j))
        sb_fail(SB_EXIT_USAGE, "%s: $: expected an object", path);
    free(text);
    return j;
}

/* The config of an experiment with its preset's patch, resolved and
 * validated; writes the merged input for soupbench run when patched. */
static void load_experiment(Paper *pp, Experiment *e)
{
    cJSON *config = parse_json_file(e->config_path);
    char label[2 * PATH_LEN + 8];
    bprintf(label, sizeof label, "%s", e->config_path);
    if (e->patch_path[0]) {
        cJSON *patch = parse_json_file(e->patch_path);
        merge_patch(config, patch);
        e->patch_text = cJSON_PrintUnformatted(patch);
        cJSON_Delete(patch);
        bprintf(label, sizeof label, "%s patched by %s", e->config_path, e->patch_path);
    }
    char *text = cJSON_Print(config);
    cJSON_Delete(config);
    SbConfig *cfg = sb_calloc(1, sizeof *cfg);
    if (sb_config_parse(text, label, cfg) != 0)
        sb_fail(SB_EXIT_USAGE, "%s: the experiment's config is not valid (above)", e->config_path);
    e->resolved = sb_config_to_json(cfg);
    e->seed = cfg->seed;
    e->n_methods = cfg->n_methods;
    free(cfg);
    if (e->patch_path[0]) {
        bprintf(e->run_config, sizeof e->run_config, "%s/%s.json", pp->results_dir, e->name);
        FILE *f = fopen(e->run_config, "w");
        if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0)
            sb_fail(SB_EXIT_FAIL, "%s: cannot write (%s)", e->run_config, strerror(errno));
    } else {
        bprintf(e->run_config, sizeof e->run_config, "%s", e->config_path);
    }
    free(text);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int section_rank(const char *name)
{
    for (int i = 0; i < N_SECTION_ORDER; i++)
        if (strcmp(name, section_order[i]) == 0)
            return i;
    return N_SECTION_ORDER;
}

static int by_section(const void *x, const void *y)
{
    const Experiment *a = x, *b = y;
    int ra = section_rank(a->name), rb = section_rank(b->name);
    return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

static void find_experiments(Paper *pp)
{
    const char *dir = PAPER_DIR "/experiments";
    DIR *d = opendir(dir);
    if (!d)
        sb_fail(SB_EXIT_USAGE, "%s: cannot open (%s); run soupbench paper from the repository's root", dir,
                strerror(errno));
    pp->ex = sb_calloc(MAX_EXPERIMENTS, sizeof *pp->ex);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 || len - 5 > SB_NAME_MAX)
            continue;
        if (pp->n == MAX_EXPERIMENTS - 1)
            sb_fail(SB_EXIT_USAGE, "%s: more than %d configs", dir, MAX_EXPERIMENTS - 1);
        Experiment *e = &pp->ex[pp->n++];
        bprintf(e->name, sizeof e->name, "%.*s", (int)(len - 5), de->d_name);
        bprintf(e->config_path, sizeof e->config_path, "%s/%s", dir, de->d_name);
        bprintf(e->patch_path, sizeof e->patch_path, "%s/%s/%s", dir, pp->preset, de->d_name);
        if (!file_exists(e->patch_path))
            e->patch_path[0] = '\0';
    }
    closedir(d);
    qsort(pp->ex, (size_t)pp->n, sizeof *pp->ex, by_section);
    /* a patch without its config is a mistake worth stopping for */
    char pdir[PATH_LEN];
    bprintf(pdir, sizeof pdir, "%s/%s", dir, pp->preset);
    if ((d = opendir(pdir))) {
        while ((de = readdir(d))) {
            size_t len = strlen(de->d_name);
            if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
                continue;
            int found = 0;
            for (int i = 0; i < pp->n; i++)
                found |= strncmp(pp->ex[i].name, de->d_name, len - 5) == 0 && strlen(pp->ex[i].name) == len - 5;
            if (!found)
                sb_fail(SB_EXIT_USAGE, "%s/%s: a patch of the %s preset for no config of %s", pdir, de->d_name,
                        pp->preset, dir);
        }
        closedir(d);
    }
}

/* ------------------------------------------------------------------ */
/* up to date?                                                        */

static char *root_string(SbResultsReader *rd, const char *name)
{
    char *s = NULL;
    if (sb_results_read_attr_string(rd, "/", name, &s) != SB_RESULTS_OK)
        return NULL;
    return s;
}

/* Why the experiment must run (into e->stale), "" when its results file is
 * up to date (harness/cli/uptodate.h). */
static void check_stale(Experiment *e)
{
    sb_results_stale(e->results, e->resolved, e->seed, sb_git_commit, e->stale, sizeof e->stale, &e->last_wall);
}

/* ------------------------------------------------------------------ */
/* running                                                            */

static pid_t spawn(const char *self, char *const *args, const char *log)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        sb_fail(SB_EXIT_FAIL, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(self, args);
        fprintf(stderr, "soupbench paper: cannot run %s: %s\n", self, strerror(errno));
        _exit(SB_EXIT_FAIL);
    }
    return pid;
}

/* The launcher's words (--mpirun, split at blanks), then soupbench run. */
static void start_run(Paper *pp, Experiment *e, int index, int total)
{
    bprintf(e->log, sizeof e->log, "%s/%s.log", pp->results_dir, e->name);
    char launcher[PATH_LEN], *args[64];
    int n = 0;
    bprintf(launcher, sizeof launcher, "%s", pp->mpirun);
    for (char *w = strtok(launcher, " \t"); w && n < 56; w = strtok(NULL, " \t"))
        args[n++] = w;
    char threads[16]; /* the cores shared by the experiments side by side; one per MPI rank */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    bprintf(threads, sizeof threads, "%ld", n || cores < pp->jobs ? 1 : cores / pp->jobs);
    char *rest[] = {pp->self, "run", e->run_config, "--out", e->results, "--threads", threads, NULL};
    memcpy(args + n, rest, sizeof rest);
    fprintf(stderr, "[%2d/%d] %-22s running%s%s: %s\n", index, total, e->name, n ? " under " : "", pp->mpirun,
            e->stale);
    e->started = sb_now();
    e->pid = spawn(args[0], args, e->log);
}

/* --shards N: a job array's commands for each stale experiment. */
static void print_shards(const Paper *pp, int shards)
{
    printf("# soupbench paper --shards %d: per experiment, %d shard commands (one per task of a job array:\n"
           "# SHARD = 0 .. %d, e.g. $SLURM_ARRAY_TASK_ID), then the merge once they are all done; then\n"
           "# soupbench paper --no-run for the figures, RESULTS.md and the claims.\n",
           shards, shards, shards - 1);
    for (int i = 0; i < pp->n; i++) {
        const Experiment *e = &pp->ex[i];
        if (!e->stale[0])
            continue;
        int stem = (int)strlen(e->results) - 3; /* without .h5 */
        printf("\n# %s (%s)\n%s run %s --shard $SHARD/%d --out %.*s.shard$SHARD.h5 --quiet\n%s merge", e->name,
               e->stale, pp->self, e->run_config, shards, stem, e->results, pp->self);
        for (int k = 0; k < shards; k++)
            printf(" %.*s.shard%d.h5", stem, e->results, k);
        printf(" --out %s --quiet\n", e->results);
    }
}

static void print_tail(const char *log)
{
    size_t len;
    char *text = sb_read_file(log, &len);
    if (!text)
        return;
    const char *start = text + len;
    for (int lines = 0; start > text && lines < 12; start--)
        if (start[-1] == '\n' && start != text + len)
            lines++;
    fprintf(stderr, "  | %s", start);
    if (len && text[len - 1] != '\n')
        fputc('\n', stderr);
    free(text);
}

/* Run every stale experiment, `jobs` at a time, the longest first. */
static const Paper *sort_paper;

/* Where the last run time is unknown (a fresh clone), this order stands
 * for it, longest first: only a schedule, so that two jobs end together. */
static const char *const usually_longest[] = {"online_alpaca_eval", "online_synthetic", "pareto_alpaca_eval",
                                              "quickstart", "paper_setting", "quickstart_rerun",
                                              "paper_setting_online", "pareto_synthetic", "ablation_width"};

static double expected_wall(const Experiment *e)
{
    if (!isnan(e->last_wall))
        return e->last_wall;
    int n = (int)(sizeof usually_longest / sizeof usually_longest[0]);
    for (int i = 0; i < n; i++)
        if (strcmp(e->name, usually_longest[i]) == 0)
            return 1e9 - i; /* above every known time, in this order */
    return 1e9 - n;
}

/* Longest first. */
static int by_last_wall(const void *x, const void *y)
{
    double a = expected_wall(&sort_paper->ex[*(const int *)x]), b = expected_wall(&sort_paper->ex[*(const int *)y]);
    if (a != b)
        return (a < b) - (a > b);
    return *(const int *)x - *(const int *)y; /* then in section order */
}

static int run_all(Paper *pp, int jobs)
{
    int *queue = sb_calloc((size_t)pp->n, sizeof *queue), n_queue = 0, failures = 0;
    for (int i = 0; i < pp->n; i++)
        if (pp->ex[i].stale[0])
            queue[n_queue++] = i;
    sort_paper = pp;
    qsort(queue, (size_t)n_queue, sizeof *queue, by_last_wall);
    int total = n_queue, next = 0, running = 0;
    while (next < n_queue || running > 0) {
        while (running < jobs && next < n_queue) {
            /* a run and its rerun may share the CPUs: one BLAS thread each,
             * the numbers do not depend on timing */
            start_run(pp, &pp->ex[queue[next]], next + 1, total);
            next++;
            running++;
        }
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < pp->n; i++) {
            Experiment *e = &pp->ex[i];
            if (e->pid != pid)
                continue;
            e->pid = 0;
            e->seconds = sb_now() - e->started;
            running--;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                fprintf(stderr, "       %-22s done in %.1f s\n", e->name, e->seconds);
                /* a dirty build's results stay up to date while the tree keeps its code */
                size_t len = strlen(sb_git_commit);
                if (len > 6 && strcmp(sb_git_commit + len - 6, "-dirty") == 0)
                    sb_code_note_write(e->results, sb_git_commit);
            } else {
                e->failed = 1;
                failures++;
                fprintf(stderr, "       %-22s FAILED (%s %d) after %.1f s; its log %s ends:\n", e->name,
                        WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                        e->seconds, e->log);
                print_tail(e->log);
            }
        }
    }
    free(queue);
    return failures;
}

static void plot_experiment(Paper *pp, Experiment *e)
{
    char outdir[PATH_LEN], log[PATH_LEN];
    bprintf(outdir, sizeof outdir, "%s/%s", pp->figures_dir, e->name);
    bprintf(log, sizeof log, "%s/%s.plot.log", pp->results_dir, e->name);
    char *args[] = {pp->self, "plot", e->results, "--outdir", outdir, "--format", "png,pdf", NULL};
    pid_t pid = spawn(pp->self, args, log);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "soupbench paper: %s: plot failed; its log %s ends:\n", e->name, log);
        print_tail(log);
    }
    /* the PNGs it wrote, as paths relative to paper/ */
    size_t len;
    char *text = sb_read_file(log, &len);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        if (n < 4 || strcmp(line + n - 4, ".png") != 0 || e->n_figures == MAX_FIGURES)
            continue;
        const char *rel = strncmp(line, PAPER_DIR "/", strlen(PAPER_DIR "/")) == 0 ? line + strlen(PAPER_DIR "/") : line;
        e->figures[e->n_figures++] = sb_strdup(rel);
    }
    free(text);
}

/* ------------------------------------------------------------------ */
/* RESULTS.md and the LaTeX tables                                    */

typedef struct {
    const char *prefix, *caption;
} Caption;

static const Caption captions[] = {
    {"pareto_", "Pareto fronts of one aspect pair (the pair in the file name): each method's expected aspect "
                "rewards over the same weight grid, non-dominated points joined; the reference point is pi_ref's."},
    {"spectrum", "Singular values (log scale) of the reference representation psi, of the features (real data: "
                 "the TF-IDF matrix) and of the basis implicit-Q matrices."},
    {"lora_spectra", "Singular values of each basis LoRA update (alpha/r) B_k A_k."},
    {"summary", "J_u per method, mean over held-out users with its 95% bootstrap interval."},
    {"normalized_score_pooled", "Pooled normalised score, 100 sum(J - J_ref) / sum(J_bespoke - J_ref) over "
                                "held-out users, with its 95% bootstrap interval."},
    {"normalized_score", "Normalised score per method, mean of the per-user ratios with its 95% bootstrap "
                         "interval (guarded users left out)."},
    {"gap", "The spectral-gap sweep: residual of Q*_u on the basis span and each method's gap to the oracle, "
            "against the horizon, per transition structure and misspecification."},
    {"learning_curves_pooled", "Online: pooled normalised score against the number of answers (log x), 95% "
                               "bands; active queries dashed."},
    {"learning_curves", "Online: normalised score (mean of per-user ratios) against the number of answers (log "
                        "x), 95% bands; active queries dashed."},
    {"regret_curves", "Online: cumulative regret against bespoke_rlhf against the number of answers, 95% bands."},
    {"ablation_K", "Basis-size ablation: spectral_soup's final online score against K per reference width (95% "
                   "intervals), the basis's effective and exact ranks on the right axis."},
    {"implicit_budget", "The implicit soup's proposal budget M: share of the explicit soup's gain (95% interval) "
                        "and the exact and measured acceptance and fallback rates, log x."},
};

/* The figures RESULTS.md shows, and the repository keeps as PNG (the
 * others are drawn too and listed by name): the scores and curves behind
 * the claims, the spectra and the first Pareto pair. */
static int shown_figure(const char *base, const char *first_pareto, int compares_methods)
{
    static const char *const kinds[] = {"normalized_score_pooled.png", "learning_curves_pooled.png", "gap.png",
                                        "ablation_K.png", "spectrum.png"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(base, kinds[i]) == 0)
            return 1;
    if (strncmp(base, "implicit_budget", 15) == 0)
        return 1;
    return compares_methods && first_pareto && strcmp(base, first_pareto) == 0;
}

/* More than the two yardsticks (reference, oracle) in the experiment named
 * `dir` (1 when there is no such experiment). */
static int compares_methods(const Paper *pp, const char *dir)
{
    for (int i = 0; i < pp->n; i++)
        if (strcmp(pp->ex[i].name, dir) == 0)
            return pp->ex[i].n_methods > 2;
    return 1;
}

/* paper/figures/.gitignore: every PDF and the PNGs RESULTS.md does not
 * show, from what is in the folder (so --only keeps the others right). */
static void write_figures_gitignore(const Paper *pp)
{
    char path[PATH_LEN];
    bprintf(path, sizeof path, "%s/.gitignore", pp->figures_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        sb_fail(SB_EXIT_FAIL, "%s: cannot write (%s)", path, strerror(errno));
    fprintf(f, "# Written by soupbench paper: the repository keeps the PNGs that RESULTS.md shows;\n"
               "# every PDF and the other PNGs are drawn again by make paper.\n*.pdf\n");
    DIR *d = opendir(pp->figures_dir);
    struct dirent *de;
    char **dirs = NULL;
    int n_dirs = 0;
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.') {
            dirs = sb_realloc(dirs, (size_t)(n_dirs + 1) * sizeof *dirs);
            dirs[n_dirs++] = sb_strdup(de->d_name);
        }
    if (d)
        closedir(d);
    qsort(dirs, (size_t)n_dirs, sizeof *dirs, by_string);
    for (int i = 0; i < n_dirs; i++) {
        char sub[PATH_LEN];
        bprintf(sub, sizeof sub, "%s/%s", pp->figures_dir, dirs[i]);
        DIR *s = opendir(sub);
        char **pngs = NULL;
        int n = 0;
        while (s && (de = readdir(s))) {
            size_t len = strlen(de->d_name);
            if (len > 4 && strcmp(de->d_name + len - 4, ".png") == 0) {
                pngs = sb_realloc(pngs, (size_t)(n + 1) * sizeof *pngs);
                pngs[n++] = sb_strdup(de->d_name);
            }
        }
        if (s)
            closedir(s);
        qsort(pngs, (size_t)n, sizeof *pngs, by_string);
        const char *first_pareto = NULL;
        for (int k = 0; k < n && !first_pareto; k++)
            if (strncmp(pngs[k], "pareto_", 7) == 0)
                first_pareto = pngs[k];
        for (int k = 0; k < n; k++)
            if (!shown_figure(pngs[k], first_pareto, compares_methods(pp, dirs[i])))
                fprintf(f, "/%s/%s\n", dirs[i], pngs[k]);
        for (int k = 0; k < n; k++)
            free(pngs[k]);
        free(pngs);
        free(dirs[i]);
    }
    free(dirs);
    fclose(f);
}

static const char *caption_of(const char *png)
{
    const char *base = strrchr(png, '/');
    base = base ? base + 1 : png;
    for (size_t i = 0; i < sizeof captions / sizeof captions[0]; i++)
        if (strncmp(base, captions[i].prefix, strlen(captions[i].prefix)) == 0)
            return captions[i].caption;
    return "";
}

static void number(double x, char *buf, size_t n) { sb_doc_number(x, buf, n); }

static void interval(const double *row, int k, char *buf, size_t n)
{
    sb_doc_interval(row[k], row[k + 1], row[k + 2], buf, n);
}

/* Emit a table in Markdown into md, and in LaTeX into generated/<exp>-<tag>.tex. */
static void emit(Paper *pp, FILE *md, const Experiment *e, const char *tag, const char *title, SbDocTable *t,
                 const char *spec)
{
    fprintf(md, "**%s**\n\n", title);
    sb_doc_table_markdown(t, md);
    fputc('\n', md);
    char path[PATH_LEN];
    bprintf(path, sizeof path, "%s/%s-%s.tex", pp->generated_dir, e->name, tag);
    FILE *f = fopen(path, "w");
    if (!f)
        sb_fail(SB_EXIT_FAIL, "%s: cannot write (%s)", path, strerror(errno));
    fprintf(f, "%% Written by soupbench paper (preset %s) from %s: do not edit.\n", pp->preset, e->results);
    char caption[512], label[128];
    bprintf(caption, sizeof caption, "%s: %s.", e->name, title);
    bprintf(label, sizeof label, "tab:%s-%s", e->name, tag);
    sb_doc_table_latex(t, f, spec, caption, label);
    fclose(f);
    sb_doc_table_free(t);
}

static int read_table(SbResultsReader *rd, const char *path, SbResultsTable *t)
{
    return sb_results_exists(rd, path) && sb_results_read_dataset(rd, path, t) == SB_RESULTS_OK;
}

#define COL(t, name) sb_results_table_column(&(t), name)
#define AT(t, r, k) ((t).data[(size_t)(r) * (t).cols + (k)])

static void table_summary(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd)
{
    SbResultsTable t;
    if (!read_table(rd, "/summary", &t))
        return;
    char **rows = NULL, **info = NULL;
    int n_rows = 0, n_info = 0;
    sb_results_read_attr_names(rd, "/summary", "rows", &rows, &n_rows);
    char *infos = NULL;
    sb_results_read_attr_string(rd, "/summary", "information", &infos);
    /* information is |-separated */
    if (infos) {
        info = sb_calloc((size_t)n_rows + 1, sizeof *info);
        for (char *s = infos, *tok; (tok = strsep(&s, "|")) && n_info < n_rows;)
            info[n_info++] = tok;
    }
    static const char *const headers[] = {"method", "information", "J_u", "normalised %", "pooled %",
                                          "win-rate vs pi_ref"};
    SbDocTable *d = sb_doc_table_new(6, headers);
    int kJ = COL(t, "J_mean"), kN = COL(t, "normalized_mean"), kP = COL(t, "normalized_pooled_mean"),
        kW = COL(t, "winrate_mean");
    for (int pass = 0; pass < 2; pass++) { /* the oracle-information variants apart, after the others */
        int first = 1;
        for (int r = 0; r < t.rows && r < n_rows; r++) {
            const char *inf = r < n_info ? info[r] : "";
            int oracle_info = strncmp(inf, "oracle:", 7) == 0;
            if (oracle_info != pass)
                continue;
            if (pass && first)
                sb_doc_table_section(d, "oracle-information variants (reported apart)");
            first = 0;
            char c[4][96];
            const double *row = t.data + (size_t)r * t.cols;
            if (kJ >= 0) interval(row, kJ, c[0], sizeof c[0]); else bprintf(c[0], sizeof c[0], "-");
            if (kN >= 0) interval(row, kN, c[1], sizeof c[1]); else bprintf(c[1], sizeof c[1], "-");
            if (kP >= 0) interval(row, kP, c[2], sizeof c[2]); else bprintf(c[2], sizeof c[2], "-");
            if (kW >= 0) interval(row, kW, c[3], sizeof c[3]); else bprintf(c[3], sizeof c[3], "-");
            char method[96];
            bprintf(method, sizeof method, "`%s`", rows[r]);
            const char *cells[] = {method, inf, c[0], c[1], c[2], c[3]};
            sb_doc_table_row(d, cells);
        }
    }
    char title[256];
    double guarded = NAN;
    sb_results_read_attr_doubles(rd, "/summary", "normalized_guarded_users", 1, &guarded);
    bprintf(title, sizeof title,
            "Offline summary: mean over held-out users [95%% bootstrap CI]; normalised and pooled scores in %% of "
            "bespoke_rlhf%s",
            guarded > 0 ? " (users left out of the per-user mean by the guard: see /summary)" : "");
    emit(pp, md, e, "summary", title, d, "lp{4.6cm}rrrr");
    free(infos);
    free(info);
    sb_results_free_names(rows, n_rows);
    sb_results_table_free(&t);
}

static void table_hypervolume(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd)
{
    char **rows = NULL;
    int n_rows = 0;
    if (sb_results_read_attr_names(rd, "/summary", "rows", &rows, &n_rows) != SB_RESULTS_OK || n_rows == 0)
        return;
    char group[256];
    bprintf(group, sizeof group, "/methods/%s/pareto", rows[0]);
    int n_pairs = 0;
    char **pairs = sb_results_list(rd, group, &n_pairs);
    if (!pairs || n_pairs == 0) {
        sb_results_free_names(rows, n_rows);
        return;
    }
    const char **headers = sb_calloc((size_t)n_pairs + 1, sizeof *headers);
    headers[0] = "method";
    for (int p = 0; p < n_pairs; p++)
        headers[p + 1] = pairs[p];
    SbDocTable *d = sb_doc_table_new(n_pairs + 1, headers);
    char (*cells)[48] = sb_calloc((size_t)n_pairs + 1, sizeof *cells);
    const char **ptrs = sb_calloc((size_t)n_pairs + 1, sizeof *ptrs);
    for (int r = 0; r < n_rows; r++) {
        bprintf(cells[0], sizeof cells[0], "`%s`", rows[r]);
        ptrs[0] = cells[0];
        for (int p = 0; p < n_pairs; p++) {
            char path[512];
            bprintf(path, sizeof path, "/methods/%s/pareto/%s", rows[r], pairs[p]);
            double hv = NAN;
            sb_results_read_attr_doubles(rd, path, "hypervolume", 1, &hv);
            number(hv, cells[p + 1], sizeof cells[p + 1]);
            ptrs[p + 1] = cells[p + 1];
        }
        sb_doc_table_row(d, ptrs);
    }
    emit(pp, md, e, "hypervolume", "Hypervolume of each method's Pareto front per aspect pair (reference point: pi_ref's aspect values)",
         d, NULL);
    free(cells);
    free(ptrs);
    free(headers);
    sb_results_free_names(pairs, n_pairs);
    sb_results_free_names(rows, n_rows);
}

static void table_online(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd)
{
    char **rows = NULL;
    int n_rows = 0;
    if (sb_results_read_attr_names(rd, "/summary", "rows", &rows, &n_rows) != SB_RESULTS_OK)
        return;
    /* the checkpoints of the first online table */
    static const char *const tables[] = {"online", "online_active"};
    double ts[32];
    int n_ts = 0;
    SbDocTable *d = NULL;
    for (int r = 0; r < n_rows; r++)
        for (int k = 0; k < 2; k++) {
            char path[512];
            bprintf(path, sizeof path, "/methods/%s/%s", rows[r], tables[k]);
            SbResultsTable t;
            if (!read_table(rd, path, &t))
                continue;
            int kt = COL(t, "t"), kp = COL(t, "normalized_pooled_mean");
            if (kt < 0 || kp < 0) {
                sb_results_table_free(&t);
                continue;
            }
            if (!d) {
                /* t = 0, 1, 4, 16, 64, ... and the last */
                for (int i = 0; i < t.rows && n_ts < 30; i++) {
                    double x = AT(t, i, kt);
                    int keep = x == 0 || x == 1 || i == t.rows - 1;
                    for (double p = 4; p <= x; p *= 4)
                        keep |= p == x;
                    if (keep)
                        ts[n_ts++] = x;
                }
                const char **headers = sb_calloc((size_t)n_ts + 1, sizeof *headers);
                char (*hs)[32] = sb_calloc((size_t)n_ts + 1, sizeof *hs);
                headers[0] = "method";
                for (int i = 0; i < n_ts; i++) {
                    bprintf(hs[i], sizeof hs[i], "t = %g%s", ts[i], i == n_ts - 1 ? " [95% CI]" : "");
                    headers[i + 1] = hs[i];
                }
                d = sb_doc_table_new(n_ts + 1, headers);
                free(headers);
                free(hs);
            }
            char (*cells)[64] = sb_calloc((size_t)n_ts + 1, sizeof *cells);
            const char **ptrs = sb_calloc((size_t)n_ts + 1, sizeof *ptrs);
            bprintf(cells[0], sizeof cells[0], "`%s`%s", rows[r], k ? ", active queries" : "");
            ptrs[0] = cells[0];
            for (int i = 0; i < n_ts; i++) {
                bprintf(cells[i + 1], sizeof cells[i + 1], "-");
                for (int j = 0; j < t.rows; j++)
                    if (AT(t, j, kt) == ts[i]) {
                        if (i == n_ts - 1)
                            interval(t.data + (size_t)j * t.cols, kp, cells[i + 1], sizeof cells[i + 1]);
                        else
                            number(AT(t, j, kp), cells[i + 1], sizeof cells[i + 1]);
                    }
                ptrs[i + 1] = cells[i + 1];
            }
            sb_doc_table_row(d, ptrs);
            free(cells);
            free(ptrs);
            sb_results_table_free(&t);
        }
    if (d)
        emit(pp, md, e, "online",
             "Online: pooled normalised score (% of bespoke_rlhf) after t answers, over users x answer streams", d, NULL);
    sb_results_free_names(rows, n_rows);
}

/* A stored table as it is, the columns listed (with "_mean" columns shown
 * with their intervals). */
static void table_columns(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd, const char *path,
                          const char *tag, const char *title, const char *const *cols, int n_cols)
{
    SbResultsTable t;
    if (!read_table(rd, path, &t))
        return;
    int *k = sb_calloc((size_t)n_cols, sizeof *k), *ci = sb_calloc((size_t)n_cols, sizeof *ci);
    const char **headers = sb_calloc((size_t)n_cols, sizeof *headers);
    char (*hs)[64] = sb_calloc((size_t)n_cols, sizeof *hs);
    int used = 0;
    for (int c = 0; c < n_cols; c++) {
        char name[64];
        bprintf(name, sizeof name, "%s_mean", cols[c]);
        int km = COL(t, name);
        char lo[64];
        bprintf(lo, sizeof lo, "%s_lo", cols[c]);
        if (km >= 0 && COL(t, lo) == km + 1) {
            k[used] = km;
            ci[used] = 1;
            bprintf(hs[used], sizeof hs[used], "%s [95%% CI]", cols[c]);
        } else if ((km = COL(t, cols[c])) >= 0) {
            k[used] = km;
            bprintf(hs[used], sizeof hs[used], "%s", cols[c]);
        } else {
            continue;
        }
        headers[used] = hs[used];
        used++;
    }
    if (used) {
        SbDocTable *d = sb_doc_table_new(used, headers);
        char (*cells)[64] = sb_calloc((size_t)used, sizeof *cells);
        const char **ptrs = sb_calloc((size_t)used, sizeof *ptrs);
        for (int r = 0; r < t.rows; r++) {
            for (int c = 0; c < used; c++) {
                if (ci[c])
                    interval(t.data + (size_t)r * t.cols, k[c], cells[c], sizeof cells[c]);
                else
                    number(AT(t, r, k[c]), cells[c], sizeof cells[c]);
                ptrs[c] = cells[c];
            }
            sb_doc_table_row(d, ptrs);
        }
        emit(pp, md, e, tag, title, d, NULL);
        free(cells);
        free(ptrs);
    }
    free(k);
    free(ci);
    free(headers);
    free(hs);
    sb_results_table_free(&t);
}

static void table_cost(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd)
{
    static const char *const cols[] = {"K", "T", "adapt_flops", "bespoke_flops", "adapt_in_bespoke",
                                       "per_answer_in_bespoke", "crossover_K", "basis_in_bespoke", "break_even_users"};
    table_columns(pp, md, e, rd, "/cost/scale_free", "cost",
                  "Cost of adapting one user (spectral_soup's refits over T answers) against training one bespoke "
                  "policy, in FLOPs and in bespoke policies; the crossover basis size and the users after which the "
                  "basis pays for itself",
                  cols, 9);
}

static void table_realdata(Paper *pp, FILE *md, const Experiment *e, SbResultsReader *rd)
{
    SbResultsTable t;
    if (!read_table(rd, "/realdata/per_aspect", &t))
        return;
    char **rows = NULL;
    int n_rows = 0;
    sb_results_read_attr_names(rd, "/realdata/per_aspect", "rows", &rows, &n_rows);
    const char **headers = sb_calloc((size_t)t.cols + 1, sizeof *headers);
    headers[0] = "method";
    for (int c = 0; c < t.cols; c++)
        headers[c + 1] = t.names ? t.names[c] : "";
    SbDocTable *d = sb_doc_table_new(t.cols + 1, headers);
    char (*cells)[64] = sb_calloc((size_t)t.cols + 1, sizeof *cells);
    const char **ptrs = sb_calloc((size_t)t.cols + 1, sizeof *ptrs);
    for (int r = 0; r < t.rows; r++) {
        bprintf(cells[0], sizeof cells[0], "`%s`", r < n_rows ? rows[r] : "?");
        ptrs[0] = cells[0];
        for (int c = 0; c < t.cols; c++) {
            number(AT(t, r, c), cells[c + 1], sizeof cells[c + 1]);
            ptrs[c + 1] = cells[c + 1];
        }
        sb_doc_table_row(d, ptrs);
    }
    emit(pp, md, e, "per_aspect", "Expected aspect rewards (standardised) and KL on the test prompts, mean over held-out users", d, NULL);
    free(cells);
    free(ptrs);
    free(headers);
    sb_results_free_names(rows, n_rows);
    sb_results_table_free(&t);
}

static void write_section(Paper *pp, FILE *md, Experiment *e)
{
    fprintf(md, "## %s\n\n", e->name);
    if (!file_exists(e->results)) {
        fprintf(md, "Not run yet: `make paper` (or `./soupbench paper --only %s`).\n\n", e->name);
        return;
    }
    SbResultsReader *rd = sb_results_open(e->results);
    if (!rd) {
        fprintf(md, "The results file %s is unreadable: rerun with `./soupbench paper --only %s --force`.\n\n",
                e->results, e->name);
        return;
    }
    char *config = root_string(rd, "config"), *commit = root_string(rd, "git_commit"),
         *created = root_string(rd, "created_utc"), *command = root_string(rd, "command_line");
    double wall = NAN, seed = NAN;
    sb_results_read_attr_doubles(rd, "/", "wall_seconds", 1, &wall);
    sb_results_read_attr_doubles(rd, "/", "seed", 1, &seed);
    cJSON *cj = config ? cJSON_Parse(config) : NULL;
    const cJSON *desc = cj ? cJSON_GetObjectItemCaseSensitive(cj, "description") : NULL;
    if (desc && cJSON_IsString(desc))
        fprintf(md, "%s\n\n", desc->valuestring);
    fprintf(md, "Config [`%s`](%s)", e->config_path + strlen(PAPER_DIR "/"), e->config_path + strlen(PAPER_DIR "/"));
    if (e->patch_text)
        fprintf(md, " with the %s preset's sizes [`%s`](%s): `%s`", pp->preset, e->patch_path + strlen(PAPER_DIR "/"),
                e->patch_path + strlen(PAPER_DIR "/"), e->patch_text);
    fprintf(md, ". Commit `%s`, seed %.0f, run %s in %.1f s (`%s`).\n\n", commit ? commit : "?", seed,
            created ? created : "?", wall, command ? command : "?");

    const char *first_pareto = NULL;
    for (int i = 0; i < e->n_figures; i++) {
        const char *base = strrchr(e->figures[i], '/');
        base = base ? base + 1 : e->figures[i];
        if (strncmp(base, "pareto_", 7) == 0 && (!first_pareto || strcmp(base, first_pareto) < 0))
            first_pareto = base;
    }
    for (int i = 0; i < e->n_figures; i++) {
        const char *png = e->figures[i], *base = strrchr(png, '/');
        base = base ? base + 1 : png;
        if (shown_figure(base, first_pareto, e->n_methods > 2))
            fprintf(md, "![%s](%s)\n\n*%.*s*: %s\n\n", base, png, (int)(strlen(base) - 4), base, caption_of(png));
    }
    int others = 0;
    for (int i = 0; i < e->n_figures; i++) {
        const char *base = strrchr(e->figures[i], '/');
        base = base ? base + 1 : e->figures[i];
        if (shown_figure(base, first_pareto, e->n_methods > 2))
            continue;
        fprintf(md, "%s%.*s", others++ ? ", " : "Also drawn (kept out of the repository): ", (int)(strlen(base) - 4),
                base);
    }
    if (e->n_figures)
        fprintf(md, "%s Each figure is in `figures/%s/` as PNG and PDF.\n\n", others ? "." : "", e->name);
    table_summary(pp, md, e, rd);
    table_hypervolume(pp, md, e, rd);
    table_realdata(pp, md, e, rd);
    table_online(pp, md, e, rd);
    {
        static const char *const cols[] = {"width", "K", "normalized", "rank_lora", "rank_full",
                                           "effective_rank_lora", "effective_rank_full", "residual_trained",
                                           "residual_exact", "rank_exact"};
        table_columns(pp, md, e, rd, "/ablations/K", "ablation",
                      "Ablation: spectral_soup's final online score (% of bespoke_rlhf) per reference width and basis "
                      "size K, ranks of the basis implicit-Q matrix, residuals of the users' Q* on the trained and the "
                      "exact basis span",
                      cols, 10);
    }
    {
        SbResultsTable t;
        if (read_table(rd, "/gap/results", &t)) {
            const char **cols = sb_calloc((size_t)t.cols, sizeof *cols);
            for (int c = 0; c < t.cols; c++)
                cols[c] = t.names ? t.names[c] : "";
            table_columns(pp, md, e, rd, "/gap/results", "gap",
                          "Spectral-gap sweep: mean over held-out users of the residual of Q*_u on the basis span "
                          "(trained implicit Q, exact basis Q*) and of each method's gap to the oracle",
                          cols, t.cols);
            free(cols);
            sb_results_table_free(&t);
        }
    }
    {
        static const char *const cols[] = {"M", "gain_share", "acceptance_exact", "acceptance_measured",
                                           "proposals_per_token_exact", "fallback_rate_exact", "kl_to_target"};
        table_columns(pp, md, e, rd, "/methods/spectral_soup_implicit/budget_sweep", "budget",
                      "The implicit soup's budget sweep: share of the explicit soup's gain over pi_ref (%, pooled over "
                      "users) per proposal budget M, with the sampler's statistics (means over users)",
                      cols, 7);
    }
    table_cost(pp, md, e, rd);
    if (cj) {
        char *pretty = cJSON_Print(cj);
        fprintf(md, "<details><summary>resolved config</summary>\n\n```json\n%s\n```\n\n</details>\n\n", pretty);
        free(pretty);
    }
    cJSON_Delete(cj);
    free(config);
    free(commit);
    free(created);
    free(command);
    sb_results_close(rd);
}

static void write_results_md(Paper *pp)
{
    char path[PATH_LEN];
    bprintf(path, sizeof path, "%s/RESULTS.md", PAPER_DIR);
    /* keep the claims block verify wrote last; verify rewrites it next */
    size_t len;
    char *old = sb_read_file(path, &len);
    char *keep = NULL;
    const char *begin = "<!-- BEGIN soupbench verify -->", *end = "<!-- END soupbench verify -->";
    char *b = old ? strstr(old, begin) : NULL, *e = b ? strstr(b, end) : NULL;
    if (b && e)
        keep = strndup(b, (size_t)(e - b) + strlen(end));
    char *text = NULL;
    size_t text_len = 0;
    FILE *md = open_memstream(&text, &text_len);
    /* only what the results files say, so that a make paper that runs
     * nothing rewrites the same file */
    int total = 0;
    double walls = 0;
    char newest[64] = "", newest_commit[64] = "?";
    for (int i = 0; i < pp->n; i++) {
        Experiment *ex = &pp->ex[i];
        if (!file_exists(ex->results))
            continue;
        SbResultsReader *rd = sb_results_open(ex->results);
        if (!rd)
            continue;
        total++;
        double w = 0;
        if (sb_results_read_attr_doubles(rd, "/", "wall_seconds", 1, &w) == SB_RESULTS_OK)
            walls += w;
        char *created = root_string(rd, "created_utc"), *commit = root_string(rd, "git_commit");
        if (created && strcmp(created, newest) > 0) {
            bprintf(newest, sizeof newest, "%s", created);
            bprintf(newest_commit, sizeof newest_commit, "%s", commit ? commit : "?");
        }
        free(created);
        free(commit);
        sb_results_close(rd);
    }
    fprintf(md, "# Measured results\n\n");
    fprintf(md,
            "Generated by `make paper` (`soupbench paper --preset %s`) from the results files in `%s/` (the newest "
            "written %s by build `%s`): do not edit by hand, every number below is read from those files. How the "
            "configs, protocols and metrics work is in [`harness/README.md`](../harness/README.md), the methods in "
            "[`methods/README.md`](../methods/README.md), `make paper`, the presets, their times and the claims "
            "file's format in [`README.md`](README.md). Hand-written notes (the equal-information comparison before "
            "and after, the benchmark timings, older measurements) are in [`NOTES.md`](NOTES.md).\n\n",
            pp->preset, pp->results_dir, newest[0] ? newest : "?", newest_commit);
    fprintf(md,
            "Preset **%s**: %s. The %d results files took %.0f s of run time in all (the sum of their "
            "`wall_seconds`, one BLAS thread each; `make paper` runs two at a time).\n\n",
            pp->preset,
            strcmp(pp->preset, "quick") == 0
                ? "the configs of `paper/experiments/` with the smaller sizes of `paper/experiments/quick/` (stated in "
                  "each section), for a `make paper` under 10 minutes on 2 cores"
                : "the configs of `paper/experiments/` as they are (with `paper/experiments/full/` where present)",
            total, walls);
    fprintf(md, "## Contents\n\n- [Claims](#claims)\n");
    for (int i = 0; i < pp->n; i++)
        if (!pp->ex[i].is_rerun)
            fprintf(md, "- [%s](#%s)\n", pp->ex[i].name, pp->ex[i].name);
    fprintf(md, "\n## Claims\n\n");
    fprintf(md, "%s\n\n", keep ? keep : "<!-- BEGIN soupbench verify -->\nNot checked yet: `./soupbench verify`.\n"
                                        "<!-- END soupbench verify -->");
    for (int i = 0; i < pp->n; i++)
        if (!pp->ex[i].is_rerun)
            write_section(pp, md, &pp->ex[i]);
    fclose(md);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(text, 1, text_len, f) != text_len || fclose(f) != 0)
        sb_fail(SB_EXIT_FAIL, "%s: cannot write (%s)", path, strerror(errno));
    fprintf(stderr, "wrote %s\n", path);
    free(text);
    free(keep);
    free(old);
}

/* ------------------------------------------------------------------ */

static int selected(const char *only, const char *name)
{
    if (!only)
        return 1;
    size_t n = strlen(name);
    for (const char *s = only; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && strncmp(s, name, n) == 0)
            return 1;
        s += len + (comma ? 1 : 0);
    }
    return 0;
}

int sb_cmd_paper(int argc, char **argv)
{
    const char *preset = "quick", *only = NULL;
    int force = 0, no_run = 0;
    long jobs = 2, shards = 0;
    int jobs_given = 0;
    const char *mpirun = "";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--no-run") == 0) {
            no_run = 1;
        } else if (strcmp(a, "--preset") == 0 || strcmp(a, "--only") == 0 || strcmp(a, "--jobs") == 0 ||
                   strcmp(a, "--mpirun") == 0 || strcmp(a, "--shards") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench paper: %s needs a value\n%s", a, usage);
                return SB_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--preset") == 0) {
                if (strcmp(v, "quick") != 0 && strcmp(v, "full") != 0) {
                    fprintf(stderr, "soupbench paper: --preset: expected quick or full, found \"%s\"\n", v);
                    return SB_EXIT_USAGE;
                }
                preset = v;
            } else if (strcmp(a, "--only") == 0) {
                only = v;
            } else if (strcmp(a, "--mpirun") == 0) {
                if (!*v || strlen(v) >= PATH_LEN) {
                    fprintf(stderr, "soupbench paper: --mpirun: expected a command such as \"mpirun -n 4\"\n");
                    return SB_EXIT_USAGE;
                }
                mpirun = v;
            } else if (strcmp(a, "--shards") == 0) {
                char *end;
                shards = strtol(v, &end, 10);
                if (*end || end == v || shards < 1 || shards > 100000) {
                    fprintf(stderr, "soupbench paper: --shards: expected an integer in [1, 100000], found \"%s\"\n", v);
                    return SB_EXIT_USAGE;
                }
            } else {
                char *end;
                jobs_given = 1;
                jobs = strtol(v, &end, 10);
                if (*end || end == v || jobs < 1 || jobs > 64) {
                    fprintf(stderr, "soupbench paper: --jobs: expected an integer in [1, 64], found \"%s\"\n", v);
                    return SB_EXIT_USAGE;
                }
            }
        } else {
            fprintf(stderr, "soupbench paper: unknown argument %s\n%s", a, usage);
            return SB_EXIT_USAGE;
        }
    }
    double start = sb_now();
    Paper pp = {.preset = preset};
    bprintf(pp.mpirun, sizeof pp.mpirun, "%s", mpirun);
    if (*mpirun && !jobs_given)
        jobs = 1; /* one MPI job at a time: it takes the ranks it was given */
    ssize_t n = readlink("/proc/self/exe", pp.self, sizeof pp.self - 1);
    if (n <= 0)
        sb_fail(SB_EXIT_FAIL, "cannot find the soupbench binary (/proc/self/exe: %s)", strerror(errno));
    pp.self[n] = '\0';
    bprintf(pp.results_dir, sizeof pp.results_dir, "%s/results%s%s", PAPER_DIR,
            strcmp(preset, "quick") == 0 ? "" : "/", strcmp(preset, "quick") == 0 ? "" : preset);
    bprintf(pp.figures_dir, sizeof pp.figures_dir, "%s/figures", PAPER_DIR);
    bprintf(pp.generated_dir, sizeof pp.generated_dir, "%s/generated", PAPER_DIR);
    const char *dirs[] = {pp.results_dir, pp.figures_dir, pp.generated_dir};
    for (int i = 0; i < 3; i++)
        if (sb_mkdir_p(dirs[i]) != 0)
            sb_fail(SB_EXIT_FAIL, "%s: cannot create (%s)", dirs[i], strerror(errno));

    find_experiments(&pp);
    if (only)
        for (const char *s = only; *s;) {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            int found = 0;
            for (int i = 0; i < pp.n; i++)
                found |= strlen(pp.ex[i].name) == len && strncmp(pp.ex[i].name, s, len) == 0;
            if (!found)
                sb_fail(SB_EXIT_USAGE, "--only: no config %s/experiments/%.*s.json", PAPER_DIR, (int)len, s);
            s += len + (comma ? 1 : 0);
        }
    int base_n = pp.n;
    for (int i = 0; i < base_n; i++) {
        Experiment *e = &pp.ex[i];
        load_experiment(&pp, e);
        bprintf(e->results, sizeof e->results, "%s/%s.h5", pp.results_dir, e->name);
        e->selected = selected(only, e->name);
        if (strcmp(e->name, rerun_of) == 0) {
            Experiment *r = &pp.ex[pp.n++];
            *r = *e;
            r->is_rerun = 1;
            r->patch_text = e->patch_text ? sb_strdup(e->patch_text) : NULL;
            r->resolved = sb_strdup(e->resolved);
            bprintf(r->name, sizeof r->name, "%s_rerun", e->name);
            bprintf(r->results, sizeof r->results, "%s/%s_rerun.h5", pp.results_dir, e->name);
        }
    }
    fprintf(stderr, "soupbench paper: preset %s, %d experiments (%s run twice), results in %s/, figures in %s/\n",
            preset, base_n, rerun_of, pp.results_dir, pp.figures_dir);
    int to_run = 0;
    for (int i = 0; i < pp.n; i++) {
        Experiment *e = &pp.ex[i];
        if (!e->selected) {
            e->stale[0] = '\0';
            continue;
        }
        check_stale(e);
        if (force && !e->stale[0])
            bprintf(e->stale, sizeof e->stale, "--force");
        if (e->stale[0] && no_run) {
            fprintf(stderr, "       %-22s stale (%s), not run (--no-run)\n", e->name, e->stale);
            e->stale[0] = '\0';
        } else if (e->stale[0])
            to_run++;
        else
            fprintf(stderr, "       %-22s up to date (%.1f s when it ran)\n", e->name, e->last_wall);
    }
    if (shards) {
        print_shards(&pp, (int)shards);
        return SB_EXIT_OK;
    }
    double run_start = sb_now();
    pp.jobs = (int)jobs;
    int failures = run_all(&pp, (int)jobs);
    double run_seconds = sb_now() - run_start;
    if (failures)
        sb_fail(SB_EXIT_FAIL, "%d experiment%s failed (above); RESULTS.md left as it was", failures,
                failures == 1 ? "" : "s");
    if (to_run)
        fprintf(stderr, "soupbench paper: %d run%s in %.1f s\n", to_run, to_run == 1 ? "" : "s", run_seconds);

    for (int i = 0; i < pp.n; i++)
        if (!pp.ex[i].is_rerun && file_exists(pp.ex[i].results))
            plot_experiment(&pp, &pp.ex[i]);
    write_figures_gitignore(&pp);
    write_results_md(&pp);

    char claims[PATH_LEN], tex[PATH_LEN];
    bprintf(claims, sizeof claims, "%s/claims.json", PAPER_DIR);
    bprintf(tex, sizeof tex, "%s/claims.tex", pp.generated_dir);
    char *args[] = {"verify", claims, "--results", pp.results_dir, "--tex", tex, NULL};
    fflush(stdout);
    int rc = sb_cmd_verify(6, args);
    fprintf(stderr, "soupbench paper: done in %.1f s\n", sb_now() - start);
    for (int i = 0; i < pp.n; i++) {
        free(pp.ex[i].resolved);
        free(pp.ex[i].patch_text);
        for (int k = 0; k < pp.ex[i].n_figures; k++)
            free(pp.ex[i].figures[k]);
    }
    free(pp.ex);
    return rc;
}
