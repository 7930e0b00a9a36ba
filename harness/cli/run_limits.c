/* soupbench run: limits up front (run_limits.h).
 *
 * The estimate walks the run in the order `run` does it: the problem and
 * its reference network, the basis (both forms) and the experts, training
 * one policy, the offline protocol (users, Pareto sweeps, win-rates,
 * bootstrap), the online protocol, then the gap sweep and the ablations,
 * each of which builds fresh problems while the main one is still held.
 * Every item is counted in doubles (8 bytes) or ints (4 bytes); sizes are
 * computed in double, so nothing here can overflow. */
#include "run_limits.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "method.h"
#include "sb.h"

#define INT_INDEX_MAX 2147483647.0 /* arrays are indexed with int */
#define STATES_MAX 4000000.0       /* as datasets/synthetic.c refuses */

/* ------------------------------------------------------------------ */
/* caps on single keys                                                */

/* Values no meaningful run needs, which would otherwise ask for
 * gigabytes or days (harness/README.md, "Limits"). */
static const struct {
    const char *path;
    size_t offset;
    double cap;
} caps[] = {
    {"$.reference.width", offsetof(SbConfig, reference.width), 16384},
    {"$.users.train", offsetof(SbConfig, users.train), 1000000},
    {"$.users.test", offsetof(SbConfig, users.test), 1000000},
    {"$.train.steps", offsetof(SbConfig, train.steps), 10000000},
    {"$.train.pairs", offsetof(SbConfig, train.pairs), 10000000},
    {"$.train.heldout_pairs", offsetof(SbConfig, train.heldout_pairs), 10000000},
    {"$.soup.pairs", offsetof(SbConfig, soup.pairs), 10000000},
    {"$.soup.cat_steps", offsetof(SbConfig, soup.cat_steps), 10000000},
    {"$.soup.implicit_samples", offsetof(SbConfig, soup.implicit_samples), 100000000},
    {"$.online.users", offsetof(SbConfig, online.users), 1000000},
    {"$.online.seeds", offsetof(SbConfig, online.seeds), 1000000},
    {"$.online.candidates", offsetof(SbConfig, online.candidates), 1000000},
    {"$.ablation.users", offsetof(SbConfig, ablation.users), 1000000},
    {"$.winrate.samples", offsetof(SbConfig, winrate_samples), 100000000},
    {"$.bootstrap", offsetof(SbConfig, bootstrap), 1000000},
};

/* ------------------------------------------------------------------ */
/* the estimate                                                       */

static void add(SbEstimate *e, const char *path, double elements, double bytes_each, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add(SbEstimate *e, const char *path, double elements, double bytes_each, const char *fmt, ...)
{
    double bytes = elements * bytes_each;
    e->bytes += bytes;
    va_list ap;
    if (bytes > e->largest) {
        e->largest = bytes;
        e->path = path;
        va_start(ap, fmt);
        vsnprintf(e->what, sizeof e->what, fmt, ap);
        va_end(ap);
    }
    if (elements > e->max_elements) {
        e->max_elements = elements;
        e->max_path = path;
        va_start(ap, fmt);
        vsnprintf(e->max_what, sizeof e->max_what, fmt, ap);
        va_end(ap);
    }
}

SbShape sb_limits_shape(const SbConfig *cfg, int H, SbTransition t)
{
    const SbDatasetConfig *dc = &cfg->dataset;
    double P = dc->prompts, V = dc->vocab, S = 0, size = P, T = 1;
    for (int h = 0; h < H; h++) {
        if (h > 0)
            size = t == SB_TRANSITION_TREE ? size * V : dc->states;
        S += size;
        T *= V * (t == SB_TRANSITION_LINEAR && h + 1 < H ? dc->states : 1);
    }
    double n_in = dc->inputs == SB_INPUTS_ONEHOT ? S : 8 + (t == SB_TRANSITION_TREE ? H * V : 0) + H;
    return (SbShape){.states = S, .actions = V, .inputs = n_in, .prompts = P, .trajectories = T, .horizon = H};
}

/* Parameters of the full and the LoRA form of a width-W network. */
static void params(const SbConfig *cfg, const SbShape *s, double W, double *full, double *lora)
{
    double L = cfg->reference.layers, r = cfg->lora.rank;
    *full = s->inputs * W + W + (L - 1) * (W * W + W) + s->actions * W + s->actions;
    *lora = r * (s->inputs + W) + (L - 1) * r * 2 * W;
}

/* One problem with its reference of width W and a basis of K policies:
 * what the basis and the synthetic builders allocate. */
static void problem_items(const SbConfig *cfg, const SbShape *s, double W, double K, SbEstimate *e)
{
    const SbDatasetConfig *dc = &cfg->dataset;
    double S = s->states, SA = S * s->actions, m = dc->aspects, d = dc->spectral_dim, L = cfg->reference.layers;
    add(e, "$.dataset.spectral_dim", SA * d, 8, "features phi: %.4g state-action pairs x d = %g", SA, d);
    add(e, "$.dataset.aspects", SA * m, 8, "aspect rewards: %.4g state-action pairs x %g aspects", SA, m);
    add(e, "$.dataset.vocab", 4 * SA, 8, "per-pair tables (logits, offsets, transitions): %.4g pairs", SA);
    add(e, "$.dataset.inputs", S * s->inputs, 8, "network inputs: %.4g states x %.4g inputs", S, s->inputs);
    add(e, "$.reference.width", S * W, 8, "representation psi: %.4g states x width %g", S, W);
    double full, lora;
    params(cfg, s, W, &full, &lora);
    add(e, "$.reference.width", full, 8, "reference network: %.4g weights (width %g)", full, W);
    /* training one policy: Adam's moments, the gradient, the best weights,
     * and a forward and backward pass over every state */
    add(e, "$.reference.width", 5 * full, 8, "training: 5 x %.4g weights (width %g)", full, W);
    add(e, "$.reference.width", 3 * L * S * W, 8, "forward and backward passes: %g layers x %.4g states x width %g",
        L, S, W);
    add(e, "$.dataset.inputs", S * fmax(s->inputs, W), 8, "input gradients: %.4g states x %.4g", S,
        fmax(s->inputs, W));
    add(e, "$.dataset.vocab", 4 * SA, 8, "training logits and their gradients: %.4g pairs", SA);
    /* the basis in both forms and the experts, each with its logits */
    double n_pol = K + m;
    add(e, "$.basis.size", n_pol * (full + lora), 8, "basis and experts: %g policies x %.4g weights", n_pol, full + lora);
    add(e, "$.basis.size", 2 * n_pol * SA, 8, "basis and experts' logits: %g policies x 2 forms x %.4g pairs", n_pol, SA);
    /* the implicit-Q matrix and its spectrum */
    double rows = fmin(SA, (double)cfg->basis.spectrum_rows + s->actions);
    add(e, "$.basis.size", K * SA, 8, "implicit Q of the basis: K = %g x %.4g pairs", K, SA);
    add(e, "$.basis.spectrum_rows", 3 * rows * K, 8, "implicit-Q matrix and its SVD: %.4g rows x K = %g", rows, K);
    /* LoRA spectra: one update, the column spaces, the tables */
    double r = cfg->lora.rank, fan = fmax(s->inputs, W);
    add(e, "$.reference.width", W * fan + K * W * fmin(W, fan), 8, "LoRA update spectra: %g x %.4g, K = %g", W, fan, K);
    add(e, "$.lora.rank", (K * L + K * (K - 1) / 2 * L) * (3 + r), 8, "LoRA spectra tables: rank %g, K = %g", r, K);
}

/* Floating-point operations of training one policy. */
static double train_flops(const SbConfig *cfg, const SbShape *s, double W)
{
    double full, lora;
    params(cfg, s, W, &full, &lora);
    return (double)cfg->train.steps * 6 * s->states * full;
}

/* The offline and online protocols on the main problem. */
static void protocol_items(const SbConfig *cfg, const SbShape *s, double K, SbEstimate *e)
{
    double SA = s->states * s->actions, m = cfg->dataset.aspects, n_methods = cfg->n_methods;
    double users = (double)cfg->users.train + cfg->users.test;
    add(e, "$.users.test", users * m, 8, "users' weights: %.4g users x %g aspects", users, m);
    add(e, "$.users.test", cfg->users.test * n_methods * (10 + 2 * m), 8,
        "per-user tables: %d held-out users x %d methods", cfg->users.test, cfg->n_methods);
    add(e, "$.dataset.vocab", 8 * SA, 8, "solver and evaluation: 8 x %.4g pairs", SA);
    double pairs = m * (m - 1) / 2;
    add(e, "$.pareto.grid", pairs * cfg->pareto_grid * 8 * n_methods, 8, "Pareto sweeps: %g pairs x %d points x %d methods",
        pairs, cfg->pareto_grid, cfg->n_methods);
    add(e, "$.bootstrap", 2.0 * cfg->bootstrap, 8, "bootstrap: %d resamples", cfg->bootstrap);
    double T = s->trajectories;
    if (T * T <= (double)cfg->winrate_max_enumerate)
        add(e, "$.winrate.max_enumerate", 8 * T, 8, "exact win-rates: %.4g trajectories per prompt", T);
    else
        add(e, "$.winrate.samples", 2.0 * cfg->winrate_samples, 8, "sampled win-rates: %d pairs", cfg->winrate_samples);
    add(e, "$.soup.pairs", (double)cfg->soup.pairs * (K + m + 4), 8, "feedback pairs: %d pairs x (K + m)", cfg->soup.pairs);
    if (cfg->train.trainer == SB_TRAINER_DPO)
        add(e, "$.train.pairs", ((double)cfg->train.pairs + cfg->train.heldout_pairs) * (4.0 * s->horizon + 1), 8,
            "DPO pairs: %d + %d pairs x horizon %d", cfg->train.pairs, cfg->train.heldout_pairs, s->horizon);
    if (cfg->online.rounds > 0) {
        double streams = (double)cfg->online.users * cfg->online.seeds;
        double cps = 2 + log2((double)cfg->online.rounds);
        add(e, "$.online.users", streams * cps * (n_methods + 1) * 12, 8,
            "online samples: %.4g users x seeds x %.3g checkpoints x %d methods", streams, cps, cfg->n_methods);
        add(e, "$.online.rounds", (double)cfg->online.rounds * (K + m + 4), 8, "online answers: %d rounds x (K + m)",
            cfg->online.rounds);
        add(e, "$.dataset.vocab", (n_methods + 2 + m) * SA, 8, "online policies: %d methods x %.4g pairs", cfg->n_methods, SA);
        add(e, "$.online.candidates", (double)cfg->online.candidates * (K + 2), 8, "active queries: %d candidates",
            cfg->online.candidates);
    }
}

void sb_limits_estimate(const SbConfig *cfg, const SbShape *s, SbEstimate *e)
{
    memset(e, 0, sizeof *e);
    double m = cfg->dataset.aspects;
    double K = cfg->basis.kind == SB_BASIS_NONE ? 0 : cfg->basis.kind == SB_BASIS_ASPECTS ? m : cfg->basis.size;
    double W = cfg->reference.width;
    problem_items(cfg, s, W, K, e);
    protocol_items(cfg, s, K, e);

    /* work: the basis and experts in both forms, rlhf_avg, a policy per
     * user for the methods trained per user, the evaluations */
    double per_user = 0;
    for (int k = 0; k < cfg->n_methods; k++) {
        const SbMethod *method = sb_method_find(cfg->methods[k]);
        per_user += method && method->cost == SB_COST_PER_USER_TRAINING;
    }
    double trained = 2 * (K + m) + 1 + per_user * cfg->users.test;
    double SA = s->states * s->actions;
    e->work = trained * train_flops(cfg, s, W);
    e->work += (double)cfg->users.test * cfg->n_methods * (SA * 50 + cfg->bootstrap * 20.0);
    e->work += m * m / 2 * cfg->pareto_grid * cfg->n_methods * SA * 50;
    e->work += (double)cfg->online.rounds * cfg->online.users * cfg->online.seeds * cfg->n_methods * SA * 20;

    /* the gap sweep and the ablations build fresh problems, one at a time,
     * while the main problem is held: the largest one counts */
    SbEstimate extra = {0}, one;
    for (int h = 0; h < cfg->gap.n_horizons; h++)
        for (int t = 0; t < cfg->gap.n_transitions; t++) {
            SbShape g = sb_limits_shape(cfg, (int)cfg->gap.horizons[h], cfg->gap.transitions[t]);
            memset(&one, 0, sizeof one);
            problem_items(cfg, &g, W, K ? K : m, &one);
            protocol_items(cfg, &g, K ? K : m, &one);
            e->work += cfg->gap.n_misspecification * (2 * (K + m) + 1) * train_flops(cfg, &g, W);
            if (one.bytes > extra.bytes)
                extra = one;
            if (one.max_elements > e->max_elements) {
                e->max_elements = one.max_elements;
                e->max_path = "$.gap.horizons";
                snprintf(e->max_what, sizeof e->max_what, "gap sweep, horizon %g: %.100s", cfg->gap.horizons[h],
                         one.max_what);
            }
        }
    int n_widths = cfg->ablation.n_widths ? cfg->ablation.n_widths : 1;
    for (int w = 0; w < n_widths && cfg->ablation.n_K > 0; w++)
        for (int k = 0; k < cfg->ablation.n_K; k++) {
            double width = cfg->ablation.n_widths ? cfg->ablation.widths[w] : W, Kk = cfg->ablation.K[k];
            memset(&one, 0, sizeof one);
            problem_items(cfg, s, width, Kk, &one);
            e->work += 2 * Kk * train_flops(cfg, s, width) +
                       (double)cfg->ablation.rounds * cfg->ablation.users * SA * 20;
            if (one.bytes > extra.bytes) {
                extra = one;
                extra.path = cfg->ablation.n_widths && width > W ? "$.ablation.widths" : "$.ablation.K";
            }
            if (one.max_elements > e->max_elements) {
                e->max_elements = one.max_elements;
                e->max_path = cfg->ablation.n_widths && width > W ? "$.ablation.widths" : "$.ablation.K";
                snprintf(e->max_what, sizeof e->max_what, "ablation, width %g, K = %g: %.100s", width, Kk, one.max_what);
            }
        }
    e->bytes += extra.bytes;
    if (extra.largest > e->largest) {
        e->largest = extra.largest;
        e->path = extra.path;
        snprintf(e->what, sizeof e->what, "%s", extra.what);
    }
}

/* ------------------------------------------------------------------ */
/* which key to blame                                                 */

/* The keys that size a run. The one blamed for an estimate is the one
 * whose default value would shrink it most: the JSON path a message
 * names is then the key to change, whatever array it makes large. */
#define SIZE_KEY(path, field) {path, offsetof(SbConfig, field), sizeof(((SbConfig *)0)->field), 0, 0}
#define SIZE_LIST(path, field, count)                                                                   \
    {path, offsetof(SbConfig, field), sizeof(((SbConfig *)0)->field), offsetof(SbConfig, count), 1}
static const struct {
    const char *path;
    size_t offset, size, count_offset;
    int list;
} size_keys[] = {
    SIZE_KEY("$.dataset.prompts", dataset.prompts),
    SIZE_KEY("$.dataset.vocab", dataset.vocab),
    SIZE_KEY("$.dataset.horizon", dataset.horizon),
    SIZE_KEY("$.dataset.states", dataset.states),
    SIZE_KEY("$.dataset.spectral_dim", dataset.spectral_dim),
    SIZE_KEY("$.dataset.aspects", dataset.aspects),
    SIZE_KEY("$.dataset.inputs", dataset.inputs),
    SIZE_KEY("$.reference.width", reference.width),
    SIZE_KEY("$.reference.layers", reference.layers),
    SIZE_KEY("$.users.train", users.train),
    SIZE_KEY("$.users.test", users.test),
    SIZE_KEY("$.lora.rank", lora.rank),
    SIZE_KEY("$.train.steps", train.steps),
    SIZE_KEY("$.train.pairs", train.pairs),
    SIZE_KEY("$.train.heldout_pairs", train.heldout_pairs),
    SIZE_KEY("$.basis.size", basis.size),
    SIZE_KEY("$.basis.spectrum_rows", basis.spectrum_rows),
    SIZE_KEY("$.soup.pairs", soup.pairs),
    SIZE_LIST("$.gap.horizons", gap.horizons, gap.n_horizons),
    SIZE_KEY("$.online.rounds", online.rounds),
    SIZE_KEY("$.online.users", online.users),
    SIZE_KEY("$.online.seeds", online.seeds),
    SIZE_KEY("$.online.candidates", online.candidates),
    SIZE_LIST("$.ablation.K", ablation.K, ablation.n_K),
    SIZE_LIST("$.ablation.widths", ablation.widths, ablation.n_widths),
    SIZE_KEY("$.pareto.grid", pareto_grid),
    SIZE_KEY("$.winrate.max_enumerate", winrate_max_enumerate),
    SIZE_KEY("$.winrate.samples", winrate_samples),
    SIZE_KEY("$.bootstrap", bootstrap),
};

/* Re-estimate with key i at its default; synthetic: the shape follows. */
static void estimate_with_default(const SbConfig *cfg, const SbShape *s, int synthetic, size_t i, SbEstimate *e)
{
    static SbConfig def, trial;
    sb_config_defaults(&def);
    trial = *cfg;
    memcpy((char *)&trial + size_keys[i].offset, (const char *)&def + size_keys[i].offset, size_keys[i].size);
    if (size_keys[i].list)
        memcpy((char *)&trial + size_keys[i].count_offset, (const char *)&def + size_keys[i].count_offset,
               sizeof(int));
    SbShape shape = synthetic ? sb_limits_shape(&trial, trial.dataset.horizon, trial.dataset.transition) : *s;
    sb_limits_estimate(&trial, &shape, e);
}

/* The key whose default shrinks `what(e)` most; `fallback` if none does. */
static const char *blame(const SbConfig *cfg, const SbShape *s, int synthetic, double (*what)(const SbEstimate *),
                         const char *fallback)
{
    SbEstimate e;
    sb_limits_estimate(cfg, s, &e);
    double best = what(&e);
    const char *path = fallback;
    for (size_t i = 0; i < sizeof size_keys / sizeof size_keys[0]; i++) {
        estimate_with_default(cfg, s, synthetic, i, &e);
        if (what(&e) < best) {
            best = what(&e);
            path = size_keys[i].path;
        }
    }
    return path;
}

static double total_bytes(const SbEstimate *e) { return e->bytes; }
static double largest_array(const SbEstimate *e) { return e->max_elements; }

/* ------------------------------------------------------------------ */
/* what the machine allows                                            */

/* "12G", "512M", "1000000": bytes, or -1. */
static double parse_bytes(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0))
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end) : NULL;
    if (*end && (!u || end[1]))
        return -1;
    return u ? v * pow(1024, (double)(u - units + 1)) : v;
}

double sb_limits_memory(const char **source)
{
    const char *env = getenv("SOUPBENCH_MAX_MEMORY");
    if (env && *env && parse_bytes(env) > 0) {
        *source = "$SOUPBENCH_MAX_MEMORY";
        return parse_bytes(env);
    }
    double limit = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    *source = "physical memory";
    FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
    if (f) {
        char buf[64];
        if (fgets(buf, sizeof buf, f)) {
            buf[strcspn(buf, "\n")] = '\0';
            double v = parse_bytes(buf);
            if (v > 0 && v < limit)
                limit = v, *source = "the cgroup's memory.max";
        }
        fclose(f);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < limit)
        limit = (double)rl.rlim_cur, *source = "RLIMIT_AS (ulimit -v)";
    return limit;
}

/* "1.5 GiB" into buf. */
static const char *human(double bytes, char *buf, size_t n)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6)
        bytes /= 1024, u++;
    snprintf(buf, n, u ? "%.3g %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

void sb_limits_check(const SbConfig *cfg, const SbShape *shape, int synthetic, const char *label)
{
    SbEstimate e;
    sb_limits_estimate(cfg, shape, &e);
    char mem[32], big[32], lim[32];
    human(e.bytes, mem, sizeof mem);
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int v = *(const int *)((const char *)cfg + caps[i].offset);
        if (v > caps[i].cap)
            sb_fail(SB_EXIT_USAGE,
                    "%s: %s: expected at most %.0f (a cap of harness/README.md, Limits), found %d; the run would "
                    "need about %s of memory and %.3g floating-point operations",
                    label, caps[i].path, caps[i].cap, v, mem, e.work);
    }
    if (shape->states > STATES_MAX)
        sb_fail(SB_EXIT_USAGE,
                "%s: $.dataset: the MDP would have %.4g states (prompts %d, vocab %d, horizon %d), more than "
                "%.0f; make it smaller",
                label, shape->states, cfg->dataset.prompts, cfg->dataset.vocab, shape->horizon, STATES_MAX);
    if (e.max_elements > INT_INDEX_MAX)
        sb_fail(SB_EXIT_USAGE,
                "%s: %s: the run would hold an array of %.4g elements (%s), more than the %.0f the harness "
                "indexes; the run would need about %s of memory",
                label, blame(cfg, shape, synthetic, largest_array, e.max_path), e.max_elements, e.max_what,
                INT_INDEX_MAX, mem);
    const char *source;
    double limit = sb_limits_memory(&source);
    if (e.bytes > limit)
        sb_fail(SB_EXIT_USAGE,
                "%s: %s: the run would need about %s of memory (largest item: %s, %s), more than the %s "
                "allowed by %s; make it smaller (estimate: %.3g floating-point operations)",
                label, blame(cfg, shape, synthetic, total_bytes, e.path), mem, e.what,
                human(e.largest, big, sizeof big), human(limit, lim, sizeof lim), source, e.work);
}

void sb_limits_print(const SbConfig *cfg, const SbShape *shape)
{
    SbEstimate e;
    sb_limits_estimate(cfg, shape, &e);
    const char *source;
    double limit = sb_limits_memory(&source);
    char mem[32], big[32], lim[32];
    printf("estimate: %s of memory (allowed: %s, %s), %.3g floating-point operations\n", human(e.bytes, mem, sizeof mem),
           human(limit, lim, sizeof lim), source, e.work);
    printf("  largest item: %s, %s (%s)\n", e.what, human(e.largest, big, sizeof big), e.path);
    printf("  largest array: %.4g elements, %s (%s)\n", e.max_elements, e.max_what, e.max_path);
    printf("  problem: %.4g states x %.4g actions, %.4g inputs, %.4g trajectories per prompt\n", shape->states,
           shape->actions, shape->inputs, shape->trajectories);
}
