/* soupbench run: one experiment from a config to one results file. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "ablation.h"
#include "basis.h"
#include "config.h"
#include "cost.h"
#include "cost_report.h"
#include "dataset.h"
#include "gap.h"
#include "run_limits.h"
#include "online.h"
#include "method.h"
#include "offline.h"
#include "progress.h"
#include "results.h"
#include "sb.h"
#include "realdata.h"
#include "realdata_report.h"
#include "regime_report.h"
#include "synthetic.h"
#include "units.h"
#include "unitstore.h"
#include <unistd.h>

/* A method whose information a dataset cannot give (exact Q-functions on
 * candidate sets, which have no enumerable MDP behind them) is refused
 * before any work, naming its JSON path. */
static void refuse_impossible_information(const SbConfig *cfg, const SbDataset *dataset, const char *config_path)
{
    if (!dataset->load)
        return; /* the synthetic track gives everything */
    for (int k = 0; k < cfg->n_methods; k++) {
        const SbMethod *m = sb_method_find(cfg->methods[k]);
        if (m && m->information == SB_INFO_EXACT_Q)
            sb_fail(SB_EXIT_USAGE,
                    "%s: $.methods[%d]: \"%s\" needs exact Q-functions of an enumerable MDP, which the %s "
                    "candidate sets cannot give; expected a method without exact-Q information (for example "
                    "pad_exact)",
                    config_path, k, m->name, dataset->name);
    }
}

/* The learned aspect models' held-out error, one line per aspect. */
static void print_learned(const SbProblem *p, const SbLearnedAspects *la)
{
    printf("learned aspect models (%d pi_ref rollouts on the training prompts): held-out RMSE / RMS of the truth\n",
           la->samples);
    for (int j = 0; j < p->m; j++)
        printf("  %-16s reward %.3g / %.3g   successor features %.3g / %.3g\n", p->aspect_names[j],
               la->reward_rmse[j], la->reward_scale[j], la->sf_rmse[j], la->sf_scale[j]);
}

static const char usage[] =
    "usage: soupbench run CONFIG.json [--out FILE.h5] [--seed N] [--threads N] [--shard I/N] [--quiet]\n"
    "                     [--skip-bad] [--estimate]\n"
    "\n"
    "Run the experiment described by CONFIG.json and write every number to one\n"
    "HDF5 results file (written under a temporary name, renamed when complete).\n"
    "\n"
    "  --out FILE.h5   results file (default: results/<config name>.h5)\n"
    "  --seed N        override the config's seed\n"
    "  --threads N     threads for the independent units (users, front points,\n"
    "                  online streams, basis policies, sweep points; default: the\n"
    "                  machine's cores, 1 per MPI rank); the numbers do not\n"
    "                  depend on it, bit for bit\n"
    "  --quiet         no progress bar and no summary table\n"
    "  --skip-bad      skip (count and report) malformed records of a user's data\n"
    "                  file ($.dataset.path) instead of stopping at the first one\n"
    "  --estimate      print the estimated memory and work of the run, and stop\n"
    "  --shard I/N     compute shard I of N (0 <= I < N) of the independent units\n"
    "                  (job arrays); `soupbench merge` combines the N shard files\n"
    "                  into the results file of the whole run\n"
    "  --help          this text\n"
    "\n"
    "Under mpirun (a build with `make MPI=1`) the units are split across the ranks\n"
    "and rank 0 writes the one results file, the same as a single process's.\n"
    "\n"
    "A config whose estimated memory exceeds the machine's (or $SOUPBENCH_MAX_MEMORY),\n"
    "or above a documented cap, is refused before any work. SIGINT and SIGTERM stop\n"
    "the run and remove its temporary file.\n"
    "\n"
    "Exit status: 0 success, 1 failed run, 2 bad usage or bad input, 128 + N stopped\n"
    "by signal N (130 SIGINT, 143 SIGTERM).\n";

/* Parse a non-negative integer option value; -1 when it is not one. */
static long long parse_count(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    return v;
}

static void write_provenance(SbResults *r, const SbConfig *cfg, int argc, char **argv, int threads)
{
    char line[4096] = "soupbench";
    for (int i = 0; i < argc; i++) {
        strncat(line, " ", sizeof line - strlen(line) - 1);
        strncat(line, argv[i], sizeof line - strlen(line) - 1);
    }
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    char *json = sb_config_to_json(cfg);
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    sb_results_attr_str(r, "/", "harness_version", SB_VERSION);
    sb_results_attr_str(r, "/", "git_commit", sb_git_commit);
    sb_results_attr_str(r, "/", "created_utc", when);
    sb_results_attr_str(r, "/", "command_line", line);
    sb_results_attr_str(r, "/", "config", json);
    sb_results_attr_int(r, "/", "seed", (int64_t)cfg->seed);
    sb_results_attr_str(r, "/", "blas_vendor", openblas_get_config());
    sb_results_attr_int(r, "/", "blas_threads", 1);
    sb_results_attr_int(r, "/", "threads", threads);
    sb_results_attr_str(r, "/", "experiment", cfg->name);
    free(json);
}

/* One line for a cost group of the ledger, if this run filled it; the
 * heading before the first. */
static void print_cost_group(const char *group, int *printed)
{
    double seconds, flops;
    int count;
    sb_cost_total(group, &seconds, &flops, &count);
    if (!count)
        return;
    if (!(*printed)++)
        printf("\ntraining cost (wall time, floating-point operations):\n");
    printf("  %-14s %3d polic%s  %8.3f s  %8.3f GFLOP  (%.4f s, %.4f GFLOP each)\n", group, count,
           count == 1 ? "y " : "ies", seconds, flops * 1e-9, seconds / count, flops * 1e-9 / count);
}

/* The shared basis and experts, then the methods' own groups (their
 * names) in the order of SbCostGroup. */
static void print_cost(void)
{
    static const char *const shared[] = {"basis/lora", "basis/full", "experts/lora", "experts/full"};
    int printed = 0, n;
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        print_cost_group(shared[i], &printed);
    const SbMethod *const *all = sb_method_all(&n);
    for (int c = SB_COST_OFFLINE; c <= SB_COST_PER_USER_ADAPTATION; c++)
        for (int k = 0; k < n; k++)
            if ((int)all[k]->cost == c)
                print_cost_group(all[k]->name, &printed);
}

/* What `run` was asked to do. */
typedef struct {
    const char *config_path, *out;
    long long seed, threads;
    int quiet, skip_bad, estimate;
    int shard_index, shard_count; /* --shard I/N; count 0: the whole run */
} RunArgs;

/* "I/N" with 0 <= I < N <= 100000; -1 when it is not that. */
static int parse_shard(const char *v, RunArgs *a)
{
    int i, n, used = 0;
    if (sscanf(v, "%d/%d%n", &i, &n, &used) != 2 || v[used] || n < 1 || n > 100000 || i < 0 || i >= n)
        return -1;
    a->shard_index = i;
    a->shard_count = n;
    return 0;
}

/* Parse the command line; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, RunArgs *a)
{
    *a = (RunArgs){.seed = -1, .threads = -1};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return SB_EXIT_OK;
        } else if (strcmp(o, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(o, "--skip-bad") == 0) {
            a->skip_bad = 1;
        } else if (strcmp(o, "--estimate") == 0) {
            a->estimate = 1;
        } else if (strcmp(o, "--out") == 0 || strcmp(o, "--seed") == 0 || strcmp(o, "--threads") == 0 ||
                   strcmp(o, "--shard") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "soupbench run: %s needs a value\n%s", o, usage);
                return SB_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(o, "--out") == 0) {
                a->out = v;
            } else if (strcmp(o, "--shard") == 0) {
                if (parse_shard(v, a) != 0) {
                    fprintf(stderr, "soupbench run: --shard: expected I/N with 0 <= I < N, found \"%s\"\n", v);
                    return SB_EXIT_USAGE;
                }
            } else if (strcmp(o, "--seed") == 0) {
                if ((a->seed = parse_count(v)) < 0 || a->seed > (1LL << 53)) {
                    fprintf(stderr, "soupbench run: --seed: expected an integer in [0, 2^53], found \"%s\"\n", v);
                    return SB_EXIT_USAGE;
                }
            } else if ((a->threads = parse_count(v)) < 1 || a->threads > 256) {
                fprintf(stderr, "soupbench run: --threads: expected an integer in [1, 256], found \"%s\"\n", v);
                return SB_EXIT_USAGE;
            }
        } else if (o[0] == '-') {
            fprintf(stderr, "soupbench run: unknown option %s\n%s", o, usage);
            return SB_EXIT_USAGE;
        } else if (a->config_path) {
            fprintf(stderr, "soupbench run: one config at a time (got %s and %s)\n", a->config_path, o);
            return SB_EXIT_USAGE;
        } else {
            a->config_path = o;
        }
    }
    if (!a->config_path) {
        fprintf(stderr, "soupbench run: missing CONFIG.json\n%s", usage);
        return SB_EXIT_USAGE;
    }
    return -1;
}

/* The problem (synthetic or candidate sets), after the limits checks that
 * can be made before any work; NULL when only the estimate was asked. */
static SbProblem *load_problem(const SbConfig *cfg, const RunArgs *a, SbRealData **rd)
{
    /* Limits up front: the output and the size of the run, before any
     * work (real data: once its candidate sets are loaded). */
    const SbDataset *dataset = sb_dataset_find(cfg->dataset.kind);
    SB_ASSERT(dataset); /* the config checked the kind against the registry */
    refuse_impossible_information(cfg, dataset, a->config_path);
    if (!a->estimate)
        sb_results_check_out(a->out);
    if (!dataset->load) {
        SbShape shape = sb_limits_shape(cfg, cfg->dataset.horizon, cfg->dataset.transition);
        if (a->estimate) {
            sb_limits_print(cfg, &shape);
            return NULL;
        }
        sb_limits_check(cfg, &shape, 1, a->config_path);
    }
    *rd = NULL;
    SbProblem *p = dataset->load ? sb_realdata_build(cfg, a->config_path, a->skip_bad, rd) : sb_synthetic_build(cfg);
    if (dataset->load) {
        SbShape shape = {.states = p->n_states, .actions = p->V, .inputs = p->n_in, .prompts = p->n_prompts,
                         .trajectories = p->V, .horizon = p->H};
        if (a->estimate) {
            sb_limits_print(cfg, &shape);
            sb_problem_free(p);
            sb_realdata_free(*rd);
            return NULL;
        }
        sb_limits_check(cfg, &shape, 0, a->config_path);
    }
    if (!a->quiet) {
        char desc[512];
        if (*rd)
            sb_realdata_describe(p, *rd, desc, sizeof desc);
        else
            sb_synthetic_describe(p, desc, sizeof desc);
        printf("%s: %s\n", cfg->name, desc);
    }
    return p;
}

/* What the selected methods build on, trained (or loaded) once and stored:
 * the basis, the aspect experts, the learned aspect models. */
typedef struct {
    SbBasis *basis, *experts; /* experts: trained here, NULL when the basis serves */
    const SbBasis *expert_set;
    SbLearnedAspects *learned;
} Inputs;

static Inputs build_inputs(const SbProblem *p, const SbConfig *cfg, int needs, SbResults *r, int quiet)
{
    Inputs in = {0};
    SbProgress pg;
    int K = sb_basis_size(cfg, p->m);
    sb_progress_start(&pg, cfg->basis.load[0] ? "loading basis" : "training basis",
                      cfg->basis.load[0] ? 0 : (long)K * SB_POLICY_FORMS, quiet || K == 0);
    in.basis = sb_basis_build(p, cfg, &pg);
    sb_progress_finish(&pg);
    if (in.basis)
        sb_basis_write(r, in.basis, p, cfg);
    /* the merging baselines' aspect experts: the basis itself when it has
     * one policy per aspect, else trained here */
    if (needs & SB_NEEDS_EXPERTS) {
        /* silent when the experts are the basis itself (nothing to train) */
        sb_progress_start(&pg, "training experts", (long)p->m * SB_POLICY_FORMS,
                          quiet || sb_experts_are_basis(cfg, in.basis));
        in.expert_set = sb_experts_for(p, cfg, in.basis, &pg, &in.experts);
        sb_progress_finish(&pg);
        if (in.experts)
            sb_basis_write(r, in.experts, p, cfg);
    }
    if (needs & SB_NEEDS_LEARNED) {
        in.learned = sb_learned_for(p, cfg);
        sb_learned_aspects_write(in.learned, r, "/learned");
        if (!quiet)
            print_learned(p, in.learned);
    }
    return in;
}

/* The protocols in order: offline (and the real-data report), the cost
 * and regime blocks, online, the gap sweep and the ablations. */
static void run_protocols(const SbContext *ctx, const SbMethod *const *methods, int n, const SbRealData *rd,
                          SbResults *r, int quiet)
{
    const SbConfig *cfg = ctx->cfg;
    SbMethodResult *res = sb_calloc((size_t)n, sizeof *res);
    SbProgress pg;
    long per_method = sb_offline_serves(ctx);
    sb_progress_start(&pg, "offline protocol", per_method * n, quiet);
    sb_offline_run(ctx, methods, n, &pg, res);
    sb_progress_finish(&pg);
    sb_offline_write(r, ctx, res, n);
    if (!quiet)
        sb_offline_print_summary(ctx, res, n);
    if (rd)
        sb_realdata_report(ctx, rd, res, n, r, quiet);
    if (!quiet)
        print_cost();
    sb_regime_report(ctx, r, quiet);
    void **states = sb_calloc((size_t)n, sizeof *states);
    for (int k = 0; k < n; k++)
        states[k] = res[k].state;
    int n_curves;
    SbOnlineCurve *curves = sb_online_run(ctx, methods, states, n, quiet, &n_curves);
    sb_online_write(r, curves, n_curves);
    if (!quiet)
        sb_online_print(ctx, curves, n_curves);
    sb_cost_report(ctx, curves, n_curves, r, quiet);
    sb_online_free(curves, n_curves);
    free(states);
    sb_gap_run(cfg, r, quiet);
    sb_ablation_run(cfg, r, quiet);
    for (int k = 0; k < n; k++)
        sb_method_result_free(&res[k]);
    free(res);
}

/* The experiment of cfg into a.out (the config parsed, the options set). */
static int run_experiment(RunArgs a, SbConfig cfg, int argc, char **argv)
{
    if (a.threads < 0) { /* the default: every core, or one per MPI rank */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        a.threads = sb_units_size() > 1 || cores < 1 ? 1 : cores > 256 ? 256 : cores;
    }
    /* threads run a stage's units (harness/base/units.h); BLAS stays on
     * one thread, so the numbers do not depend on the count */
    openblas_set_num_threads(1);
    sb_units_set_threads((int)a.threads);
    if (a.shard_count)
        sb_units_shard(a.shard_index, a.shard_count);
    /* under MPI every rank runs the experiment, rank 0 alone writes and
     * prints; the others write a private file, removed at the end */
    char rank_out[256] = "";
    if (sb_units_rank() > 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(rank_out, sizeof rank_out, "%s/soupbench-rank%d-%d.h5", tmp && *tmp ? tmp : "/tmp",
                 sb_units_rank(), (int)getpid());
        a.out = rank_out;
        a.quiet = 1;
    }

    double start = sb_now();
    SbRealData *rd = NULL;
    SbProblem *p = load_problem(&cfg, &a, &rd);
    if (!p)
        return SB_EXIT_OK; /* --estimate */
    SbResults *r = sb_results_create(a.out);
    write_provenance(r, &cfg, argc, argv, (int)a.threads);
    char reference_sha256[65];
    sb_problem_reference_sha256(p, reference_sha256);
    sb_results_attr_str(r, "/", "reference_sha256", reference_sha256);
    if (rd)
        sb_realdata_write(r, p, rd, &cfg);
    else
        sb_synthetic_write(r, p, &cfg);

    const SbMethod **methods = sb_calloc((size_t)cfg.n_methods, sizeof *methods);
    int needs = 0;
    for (int k = 0; k < cfg.n_methods; k++) {
        methods[k] = sb_method_find(cfg.methods[k]);
        SB_ASSERT(methods[k]); /* the config validated the names */
        needs |= methods[k]->needs;
    }
    if ((needs & SB_NEEDS_BASIS) && sb_basis_size(&cfg, p->m) == 0)
        sb_fail(SB_EXIT_USAGE, "%s: $.basis.kind: the spectral soup methods need a basis, found \"none\"",
                a.config_path);
    Inputs in = build_inputs(p, &cfg, needs, r, a.quiet);
    SbContext ctx = {.p = p, .cfg = &cfg, .basis = in.basis, .experts = in.expert_set, .learned = in.learned};
    run_protocols(&ctx, methods, cfg.n_methods, rd, r, a.quiet);
    sb_cost_write(r);
    if (a.shard_count)
        sb_unitstore_write(r, sb_units_recorded(), a.shard_index, a.shard_count);
    if (sb_units_size() > 1)
        sb_results_attr_int(r, "/", "mpi_ranks", sb_units_size());
    sb_results_attr_double(r, "/", "wall_seconds", sb_now() - start);
    sb_results_commit(r);
    if (rank_out[0])
        unlink(rank_out);
    if (!a.quiet)
        printf("\nwrote %s%s (%.1f s)\n", a.out, a.shard_count ? " (a shard: soupbench merge combines them)" : "",
               sb_now() - start);

    free(methods);
    sb_learned_aspects_free(in.learned);
    sb_basis_free(in.experts);
    sb_basis_free(in.basis);
    sb_problem_free(p);
    sb_realdata_free(rd);
    return SB_EXIT_OK;
}

int sb_cmd_run(int argc, char **argv)
{
    RunArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.shard_count && sb_units_size() > 1) {
        fprintf(stderr, "soupbench run: --shard and mpirun split the same units: use one of them\n");
        return SB_EXIT_USAGE;
    }
    SbConfig cfg;
    if (sb_config_load(a.config_path, &cfg) != 0)
        return SB_EXIT_USAGE;
    if (a.seed >= 0)
        cfg.seed = (uint64_t)a.seed;
    char default_out[SB_NAME_MAX + 16];
    if (!a.out) {
        snprintf(default_out, sizeof default_out, "results/%s.h5", cfg.name);
        a.out = default_out;
    }
    return run_experiment(a, cfg, argc, argv);
}

int sb_run_replayed(const char *label, SbConfig *cfg, const char *out, int threads, int quiet, int argc, char **argv)
{
    RunArgs a = {.config_path = label, .out = out, .seed = -1, .threads = threads, .quiet = quiet};
    return run_experiment(a, *cfg, argc, argv);
}
