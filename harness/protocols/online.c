/* soupbench: the online protocol (harness/online.h). */
#include "online.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "regime.h"
#include "feedback.h"
#include "offline.h"
#include "logreg.h"
#include "mlp.h"
#include "progress.h"
#include "sb.h"
#include "solver.h"
#include "stats.h"
#include "units.h"
#include "winrate.h"

enum { M_NORM, M_WIN, M_CUM_B, M_CUM_O, M_SIMPLE, M_GAIN, N_METRICS };
/* Curve columns: t, mean/lo/hi per metric, then the pooled score's three. */
enum { COL_POOLED = 1 + 3 * N_METRICS };
_Static_assert(COL_POOLED + 3 == SB_ONLINE_COLS, "SB_ONLINE_COLS must match the metrics");

int sb_online_checkpoints(int T, int *out)
{
    int n = 0;
    out[n++] = 0;
    for (long t = 1; t < T; t *= 2)
        out[n++] = (int)t;
    if (T > 0)
        out[n++] = T;
    return n;
}

/* One method's run inside a stream. */
typedef struct {
    const SbMethod *m;
    void *state;
    double *logits, *warm;
    double J;                /* J_u of the current policy */
    double cum_b, cum_o;     /* cumulative regrets so far */
    double seconds, flops;   /* adaptation cost in this stream */
} Run;

/* What a stream needs to know about its user (the truth: the methods see
 * only what sb_method_user hands them). */
typedef struct {
    const double *w;
    double *r;               /* r_u on every pair */
    double J_ref, J_bespoke, J_oracle;
    int guarded;             /* left out of the per-user normalised mean (sb_normalized_guarded) */
} User;

static SbPairLabels online_labels(const SbConfig *cfg)
{
    SbPairLabels labels = {cfg->online.labels, cfg->online.temperature, 0};
    return labels;
}

/* Serve run k the answers so far (every method the same answers; w only
 * to the methods whose information includes it), timing the adaptation. */
static void serve_run(const SbContext *ctx, Run *run, const User *user, const SbPairs *answers)
{
    SbUser seen = sb_method_user(run->m, answers, user->w, ctx->cfg->online.l2, NULL);
    double start = sb_now(), f0 = sb_mlp_flops();
    run->m->serve(ctx, run->state, &seen, run->warm, run->logits);
    if (run->m->online == SB_ONLINE_FEEDBACK) {
        run->seconds += sb_now() - start;
        run->flops += sb_mlp_flops() - f0;
    }
    run->J = sb_policy_eval_objective(ctx->p, user->r, run->logits);
}

/* The policy of run k after the answers so far. */
static void refresh(const SbContext *ctx, Run *run, const User *user, const SbPairs *answers, int checkpoint)
{
    if (run->m->online == SB_ONLINE_FIXED)
        return; /* served once per user */
    if (run->m->adapt_at_checkpoints && !checkpoint)
        return;
    serve_run(ctx, run, user, answers);
}

/* Active query: online.candidates pairs from the stream's policies, of
 * which the run's method picks the one to ask (its active_query, given
 * the answers so far and its coefficients fitted to them). */
static void add_active(const SbContext *ctx, const Run *run, SbPairs *answers, const User *user, const double *l1,
                       const double *l2, int x_hi, const SbPairLabels *labels, SbRng *rng)
{
    const SbProblem *p = ctx->p;
    int c = ctx->cfg->online.candidates, H = p->H;
    SbPairs cand;
    sb_pairs_reserve(&cand, H, c);
    for (int i = 0; i < c; i++)
        sb_pairs_add(p, &cand, user->r, 0, x_hi, l1, l2, labels, rng);
    int best = run->m->active_query(ctx, run->state, answers, run->warm, &cand);
    SB_ASSERT(best >= 0 && best < cand.n);
    int n = answers->n++;
    SB_ASSERT(n < answers->cap);
    memcpy(answers->s + (size_t)n * 2 * H, cand.s + (size_t)best * 2 * H, sizeof(int) * 2 * (size_t)H);
    memcpy(answers->a + (size_t)n * 2 * H, cand.a + (size_t)best * 2 * H, sizeof(int) * 2 * (size_t)H);
    answers->y[n] = cand.y[best];
    sb_pairs_free(&cand);
}

/* Metrics of every run at a checkpoint into out[run][metric]. */
static void record(const SbContext *ctx, Run *runs, int n_runs, const User *user, SbRng *rng, double *out)
{
    const SbConfig *cfg = ctx->cfg;
    for (int k = 0; k < n_runs; k++) {
        double *o = out + (size_t)k * N_METRICS;
        o[M_NORM] = user->guarded ? NAN : 100.0 * (runs[k].J - user->J_ref) / (user->J_bespoke - user->J_ref);
        o[M_WIN] = sb_winrate(ctx->p, user->r, runs[k].logits, ctx->p->ref_logits, cfg->winrate_max_enumerate,
                              cfg->winrate_samples, rng).rate;
        o[M_CUM_B] = runs[k].cum_b;
        o[M_CUM_O] = runs[k].cum_o;
        o[M_SIMPLE] = user->J_oracle - runs[k].J;
        o[M_GAIN] = runs[k].J - user->J_ref;
    }
}

/* One answer stream for one user: out [n_cp x n_runs x N_METRICS]. The
 * stream's responses come from runs[driver] (or pi_ref when driver < 0). */
static void run_stream(const SbContext *ctx, Run *runs, int n_runs, int driver, int active, const User *user,
                       uint64_t seed, int T, const int *cps, int n_cp, double *out)
{
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    SbRng rng, eval_rng;
    sb_rng_seed(&rng, seed);
    sb_rng_seed(&eval_rng, seed ^ 0xe7a1ULL);
    SbPairLabels labels = online_labels(cfg);
    int x_hi = sb_train_prompts(ctx);
    SbPairs answers;
    sb_pairs_reserve(&answers, p->H, T);
    /* round 0: every method from its population prior, before any answer */
    for (int k = 0; k < n_runs; k++) {
        Run *run = &runs[k];
        run->cum_b = run->cum_o = run->seconds = run->flops = 0;
        if (run->m->warm_size && run->m->prior)
            run->m->prior(ctx, run->state, run->warm);
        serve_run(ctx, run, user, &answers);
    }
    int c = 0;
    if (cps[c] == 0)
        record(ctx, runs, n_runs, user, &eval_rng, out + (size_t)(c++) * n_runs * N_METRICS);
    for (int t = 1; t <= T; t++) {
        for (int k = 0; k < n_runs; k++) { /* regret of the policy that meets round t */
            runs[k].cum_b += user->J_bespoke - runs[k].J;
            runs[k].cum_o += user->J_oracle - runs[k].J;
        }
        const double *lead = driver >= 0 ? runs[driver].logits : p->ref_logits;
        const double *l1 = cfg->online.responses == SB_RESPONSES_REFERENCE ? p->ref_logits : lead;
        const double *l2 = cfg->online.responses == SB_RESPONSES_SOUP ? lead : p->ref_logits;
        if (active)
            add_active(ctx, &runs[driver], &answers, user, l1, l2, x_hi, &labels, &rng);
        else
            sb_pairs_add(p, &answers, user->r, 0, x_hi, l1, l2, &labels, &rng);
        int cp = c < n_cp && cps[c] == t;
        for (int k = 0; k < n_runs; k++)
            refresh(ctx, &runs[k], user, &answers, cp);
        if (cp)
            record(ctx, runs, n_runs, user, &eval_rng, out + (size_t)(c++) * n_runs * N_METRICS);
    }
    sb_pairs_free(&answers);
}

static Run *make_runs(const SbContext *ctx, const SbMethod *const *methods, void *const *states, int n)
{
    size_t n_sa = (size_t)ctx->p->n_states * ctx->p->V;
    Run *runs = sb_calloc((size_t)n, sizeof *runs);
    for (int k = 0; k < n; k++) {
        runs[k].m = methods[k];
        runs[k].state = states[k];
        runs[k].logits = sb_zeros(n_sa);
        if (methods[k]->warm_size)
            runs[k].warm = sb_zeros(methods[k]->warm_size(ctx, states[k]));
    }
    return runs;
}

static void free_runs(Run *runs, int n)
{
    for (int k = 0; k < n; k++) {
        free(runs[k].logits);
        free(runs[k].warm);
    }
    free(runs);
}

/* The user's fixed points of comparison: pi_ref, the normaliser (bespoke),
 * pi*. With bespoke NULL pi_ref stands in for it (J_bespoke = J_ref), for
 * streams where only the coefficients and the regret matter. */
static void user_setup(const SbContext *ctx, const SbMethod *bespoke, void *bespoke_state, const double *w,
                       User *user)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    user->w = w;
    user->r = sb_zeros(n_sa);
    sb_problem_user_reward(p, w, user->r);
    SbSoftSolution sol;
    sb_solve_soft(p, user->r, p->ref_logits, &sol);
    user->J_oracle = sol.value;
    sb_soft_solution_free(&sol);
    user->J_ref = sb_policy_eval_objective(p, user->r, p->ref_logits);
    double *bl = sb_zeros(n_sa);
    if (bespoke)
        sb_method_serve_offline(ctx, bespoke, bespoke_state, w, bl);
    else
        memcpy(bl, p->ref_logits, sizeof(double) * n_sa);
    user->J_bespoke = sb_policy_eval_objective(p, user->r, bl);
    user->guarded = sb_guard_applies(user->J_bespoke - user->J_ref, user->J_oracle - user->J_ref,
                                     ctx->cfg->normalized_guard);
    free(bl);
}

/* The two stages of the protocol (harness/base/units.h): per user its
 * points of comparison (J_ref, J_bespoke, J_oracle, guarded), then per
 * stream (user x seed) every run's metrics at every checkpoint and its
 * adaptation cost (seconds, flops). */
typedef struct {
    const SbContext *ctx;
    const SbMethod *const *methods, *const *act_methods;
    void *const *states, *const *act_states;
    int n, n_active, n_runs, driver, T, n_cp, cps[64];
    const SbMethod *bespoke;
    void *bespoke_state;
    const double *users; /* [users x 4] from the first stage */
    SbProgress *pg;
} OnlineStage;

enum { U_J_REF, U_J_BESPOKE, U_J_ORACLE, U_GUARDED, U_COLS };

static void user_unit(void *arg, long u, double *out)
{
    const OnlineStage *st = arg;
    User user;
    user_setup(st->ctx, st->bespoke, st->bespoke_state, st->ctx->p->users_test + (size_t)u * st->ctx->p->m, &user);
    out[U_J_REF] = user.J_ref;
    out[U_J_BESPOKE] = user.J_bespoke;
    out[U_J_ORACLE] = user.J_oracle;
    out[U_GUARDED] = user.guarded;
    free(user.r);
}

/* A stream's output: [n_cp x n_runs x N_METRICS], then seconds [n_runs], flops [n_runs]. */
static void stream_unit(void *arg, long stream, double *out)
{
    const OnlineStage *st = arg;
    const SbContext *ctx = st->ctx;
    const SbConfig *cfg = ctx->cfg;
    const SbProblem *p = ctx->p;
    int u = (int)(stream / cfg->online.seeds), sd = (int)(stream % cfg->online.seeds), n = st->n, n_cp = st->n_cp;
    const double *uo = st->users + (size_t)u * U_COLS;
    User user = {.w = p->users_test + (size_t)u * p->m, .r = sb_zeros((size_t)p->n_states * p->V),
                 .J_ref = uo[U_J_REF], .J_bespoke = uo[U_J_BESPOKE], .J_oracle = uo[U_J_ORACLE],
                 .guarded = (int)uo[U_GUARDED]};
    sb_problem_user_reward(p, user.w, user.r);
    char purpose[64];
    snprintf(purpose, sizeof purpose, "online/%d/%d", u, sd);
    SbRng seeder;
    sb_rng_derive(&seeder, cfg->seed, purpose);
    uint64_t seed = sb_rng_u64(&seeder);
    Run *runs = make_runs(ctx, st->methods, st->states, n);
    Run *act = st->n_active ? make_runs(ctx, st->act_methods, st->act_states, st->n_active) : NULL;
    double *res = sb_zeros((size_t)n_cp * n * N_METRICS), *res_a = sb_zeros((size_t)n_cp * N_METRICS);
    run_stream(ctx, runs, n, st->driver, 0, &user, seed, st->T, st->cps, n_cp, res);
    for (int c = 0; c < n_cp; c++)
        memcpy(out + (size_t)c * st->n_runs * N_METRICS, res + (size_t)c * n * N_METRICS,
               sizeof(double) * n * N_METRICS);
    for (int a = 0; a < st->n_active; a++) {
        run_stream(ctx, &act[a], 1, 0, 1, &user, seed, st->T, st->cps, n_cp, res_a);
        for (int c = 0; c < n_cp; c++)
            memcpy(out + ((size_t)c * st->n_runs + n + a) * N_METRICS, res_a + (size_t)c * N_METRICS,
                   sizeof(double) * N_METRICS);
    }
    double *cost = out + (size_t)n_cp * st->n_runs * N_METRICS;
    for (int k = 0; k < st->n_runs; k++) {
        const Run *run = k < n ? &runs[k] : &act[k - n];
        cost[k] = run->seconds;
        cost[st->n_runs + k] = run->flops;
    }
    free(res_a), free(res);
    free_runs(runs, n);
    if (act)
        free_runs(act, st->n_active);
    free(user.r);
    sb_progress_advance(st->pg, 1);
}

SbOnlineCurve *sb_online_run(const SbContext *ctx, const SbMethod *const *methods, void *const *states, int n,
                             int quiet, int *n_curves)
{
    const SbConfig *cfg = ctx->cfg;
    const SbProblem *p = ctx->p;
    int T = cfg->online.rounds;
    *n_curves = 0;
    if (T == 0)
        return NULL;
    int users = cfg->online.users < p->n_test ? cfg->online.users : p->n_test;
    int streams = users * cfg->online.seeds;
    OnlineStage st = {.ctx = ctx, .methods = methods, .states = states, .n = n, .T = T};
    st.n_cp = sb_online_checkpoints(T, st.cps);
    int n_cp = st.n_cp;
    /* the driver proposes the responses; every method with active queries
     * also runs in streams of its own that it drives, asking its queries */
    st.driver = sb_method_index_with_role(methods, n, SB_ROLE_DRIVER);
    const SbMethod **act_methods = sb_calloc((size_t)n + 1, sizeof *act_methods);
    void **act_states = sb_calloc((size_t)n + 1, sizeof *act_states);
    int n_active = 0;
    for (int k = 0; k < n && cfg->online.active; k++)
        if (methods[k]->active_query) {
            act_methods[n_active] = methods[k];
            act_states[n_active++] = states[k];
        }
    int n_runs = n + n_active;
    st.act_methods = act_methods;
    st.act_states = act_states;
    st.n_active = n_active;
    st.n_runs = n_runs;
    /* the normaliser is the 100% point of the normalised score, run or not;
     * its policies are the offline protocol's (seeded by the weights), so
     * reusing them does not count their cost twice */
    st.bespoke = sb_method_with_role(SB_ROLE_NORMALISER);
    SB_ASSERT(st.bespoke);
    st.bespoke_state = st.bespoke->prepare ? st.bespoke->prepare(ctx) : NULL;
    int ledger = sb_cost_mark(), regime = sb_regime_mark();
    double *user_out = sb_zeros((size_t)users * U_COLS + 1);
    sb_units_run("online/users", users, U_COLS, user_out, user_unit, &st, SB_UNITS_SHARED);
    st.users = user_out;
    SbProgress pg;
    st.pg = &pg;
    sb_progress_start(&pg, "online protocol", streams, quiet);
    /* samples [stream][checkpoint][run][metric], then the stream's cost */
    long cols = (long)n_cp * n_runs * N_METRICS + 2 * n_runs;
    double *samples = sb_zeros((size_t)streams * cols + 1);
    sb_units_run("online/streams", streams, cols, samples, stream_unit, &st, SB_UNITS_SPLIT);
    sb_progress_finish(&pg);
    sb_cost_truncate(ledger);
    sb_regime_truncate(regime);
    if (st.bespoke->release)
        st.bespoke->release(st.bespoke_state);
    double *cost_s = sb_zeros(n_runs), *cost_f = sb_zeros(n_runs), *span = sb_zeros(streams);
    for (int s = 0; s < streams; s++) {
        const double *uo = user_out + (size_t)(s / cfg->online.seeds) * U_COLS;
        span[s] = uo[U_J_BESPOKE] - uo[U_J_REF];
        const double *cost = samples + (size_t)s * cols + (size_t)n_cp * n_runs * N_METRICS;
        for (int k = 0; k < n_runs; k++) {
            cost_s[k] += cost[k] / streams;
            cost_f[k] += cost[n_runs + k] / streams;
        }
    }
    free(user_out);

    SbOnlineCurve *curves = sb_calloc((size_t)n_runs, sizeof *curves);
    double *x = sb_zeros(streams), *gain = sb_zeros(streams);
    for (int k = 0; k < n_runs; k++) {
        SbOnlineCurve *cv = &curves[k];
        cv->method = k < n ? methods[k] : act_methods[k - n];
        cv->active = k >= n;
        cv->n_checkpoints = n_cp;
        cv->curve = sb_zeros((size_t)n_cp * SB_ONLINE_COLS);
        cv->adapt_seconds = cost_s[k];
        cv->adapt_flops = cost_f[k];
        char purpose[96];
        snprintf(purpose, sizeof purpose, "online/bootstrap/%s%s", cv->method->name, cv->active ? "/active" : "");
        SbRng rng, rng_gain;
        sb_rng_derive(&rng, cfg->seed, purpose);
        /* the gain and the pooled score draw from their own stream, so the
         * other intervals are those of a run without them */
        snprintf(purpose, sizeof purpose, "online/bootstrap_gain/%s%s", cv->method->name, cv->active ? "/active" : "");
        sb_rng_derive(&rng_gain, cfg->seed, purpose);
        for (int c = 0; c < n_cp; c++) {
            double *row = cv->curve + (size_t)c * SB_ONLINE_COLS;
            row[0] = st.cps[c];
            for (int mt = 0; mt < N_METRICS; mt++) {
                int kept = 0; /* the normalised score skips the guarded users' streams (NaN) */
                for (int s = 0; s < streams; s++) {
                    double v = samples[(size_t)s * cols + ((size_t)c * n_runs + k) * N_METRICS + mt];
                    if (!isnan(v))
                        x[kept++] = v;
                }
                if (kept == 0) {
                    row[1 + 3 * mt] = row[2 + 3 * mt] = row[3 + 3 * mt] = NAN;
                    continue;
                }
                row[1 + 3 * mt] = sb_mean(x, kept);
                sb_bootstrap_mean_ci(x, kept, cfg->bootstrap, mt == M_GAIN ? &rng_gain : &rng, &row[2 + 3 * mt],
                                     &row[3 + 3 * mt]);
                if (mt == M_GAIN)
                    memcpy(gain, x, sizeof(double) * (size_t)streams);
            }
            /* the pooled normalised score: 100 sum(J - J_ref) / sum(J_bespoke - J_ref),
             * undefined when the normaliser gains nothing over pi_ref in total */
            double *pooled = row + COL_POOLED, total = 0;
            for (int s = 0; s < streams; s++)
                total += span[s];
            if (total > 0) {
                pooled[0] = 100.0 * sb_bootstrap_ratio_ci(gain, span, streams, cfg->bootstrap, &rng_gain, &pooled[1],
                                                          &pooled[2]);
                pooled[1] *= 100.0;
                pooled[2] *= 100.0;
            } else {
                pooled[0] = pooled[1] = pooled[2] = NAN;
            }
        }
    }
    free(x), free(gain), free(span), free(cost_f), free(cost_s), free(samples);
    free(act_states);
    free(act_methods);
    *n_curves = n_runs;
    return curves;
}

static const char *const curve_columns =
    "t,normalized_mean,normalized_lo,normalized_hi,winrate_ref_mean,winrate_ref_lo,winrate_ref_hi,"
    "cumregret_bespoke_mean,cumregret_bespoke_lo,cumregret_bespoke_hi,cumregret_oracle_mean,cumregret_oracle_lo,"
    "cumregret_oracle_hi,simple_regret_mean,simple_regret_lo,simple_regret_hi,gain_mean,gain_lo,gain_hi,"
    "normalized_pooled_mean,normalized_pooled_lo,normalized_pooled_hi";

void sb_online_write(SbResults *r, const SbOnlineCurve *curves, int n)
{
    const SbMethod *bespoke = sb_method_with_role(SB_ROLE_NORMALISER);
    char description[1024];
    snprintf(description, sizeof description,
             "online protocol at checkpoints t = 0, 1, 2, 4, ..., T answers: normalised score, win-rate against "
             "pi_ref, cumulative regret against %s and the oracle, simple regret, gain J - J_ref; mean and 95%% "
             "bootstrap interval over users x seeds; then the pooled normalised score 100 sum(J - J_ref) / "
             "sum(J_bespoke - J_ref) over users x seeds with its bootstrap interval",
             bespoke->name);
    for (int k = 0; k < n; k++) {
        const SbOnlineCurve *cv = &curves[k];
        char path[256];
        snprintf(path, sizeof path, "/methods/%s/%s", cv->method->name, cv->active ? "online_active" : "online");
        sb_results_write_table(r, path, cv->n_checkpoints, SB_ONLINE_COLS, cv->curve, curve_columns, description);
    }
    /* wall times differ between runs: they go under /cost, not /methods */
    double *table = sb_zeros((size_t)n * 2);
    size_t len = 1;
    for (int k = 0; k < n; k++)
        len += strlen(curves[k].method->name) + 10;
    char *rows = sb_calloc(len, 1);
    for (int k = 0; k < n; k++) {
        table[2 * k] = curves[k].adapt_seconds;
        table[2 * k + 1] = curves[k].adapt_flops;
        if (k)
            strcat(rows, ",");
        strcat(rows, curves[k].method->name);
        if (curves[k].active)
            strcat(rows, "/active");
    }
    if (n) {
        sb_results_write_table(r, "/cost/online", n, 2, table, "seconds,flops",
                               "adaptation cost of one user stream (all its answers), mean over users x seeds, per "
                               "method of the online protocol (0 for methods that do not adapt)");
        sb_results_attr_str(r, "/cost/online", "rows", rows);
    }
    free(rows);
    free(table);
}

static void print_curve(const SbOnlineCurve *cv)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s", cv->method->name, cv->active ? " (active)" : "");
    printf("%-24s", name);
    for (int c = 0; c < cv->n_checkpoints; c++) {
        double v = cv->curve[(size_t)c * SB_ONLINE_COLS + 1];
        isnan(v) ? printf(" %6s", "-") : printf(" %6.1f", v); /* NaN: every user guarded */
    }
    const double *last = cv->curve + (size_t)(cv->n_checkpoints - 1) * SB_ONLINE_COLS;
    char pooled[64], ci[64];
    if (isnan(last[COL_POOLED]))
        snprintf(pooled, sizeof pooled, "-");
    else
        snprintf(pooled, sizeof pooled, "%.1f [%.1f, %.1f]", last[COL_POOLED], last[COL_POOLED + 1],
                 last[COL_POOLED + 2]);
    if (isnan(last[2]))
        snprintf(ci, sizeof ci, "%14s", "-");
    else
        snprintf(ci, sizeof ci, "[%5.1f, %5.1f]", last[2], last[3]);
    printf("   %s   %-22s %8.3f\n", ci, pooled, last[7]);
}

void sb_online_print(const SbContext *ctx, const SbOnlineCurve *curves, int n)
{
    (void)ctx;
    if (n == 0)
        return;
    const SbOnlineCurve *first = &curves[0];
    printf("\nonline protocol: normalised score %% after t answers (mean over users x seeds; [95%% CI] at the "
           "last checkpoint)\n%-24s", "method");
    for (int c = 0; c < first->n_checkpoints; c++)
        printf(" %6d", (int)first->curve[(size_t)c * SB_ONLINE_COLS]);
    printf("   CI at T          pooled at T [CI]       cum. regret vs bespoke\n");
    for (int pass = 0, oracle = 0; pass < 2; pass++)
        for (int k = 0; k < n; k++) {
            const SbOnlineCurve *cv = &curves[k];
            if (sb_information_is_oracle(cv->method->information) != pass)
                continue; /* the default comparison first, then the oracle-information variants */
            if (pass && !oracle++)
                printf("-- oracle-information variants (not part of the comparison) --\n");
            print_curve(cv);
        }
    /* the driver's cost of adapting to one user against training one
     * policy of the normaliser (its ledger group is its name) */
    const SbMethod *bespoke = sb_method_with_role(SB_ROLE_NORMALISER);
    double b_seconds, b_flops;
    int b_count;
    sb_cost_total(bespoke->name, &b_seconds, &b_flops, &b_count);
    for (int k = 0; k < n; k++) {
        const SbOnlineCurve *cv = &curves[k];
        if (!(cv->method->roles & SB_ROLE_DRIVER) || cv->active || b_count == 0)
            continue;
        int T = (int)cv->curve[(size_t)(cv->n_checkpoints - 1) * SB_ONLINE_COLS];
        printf("\ncost of one user: %s adapting over %d answers %.4f s, %.4f GFLOP; one %s "
               "policy %.4f s, %.4f GFLOP;\nratio bespoke / soup: %.1fx in time, %.1fx in FLOPs\n",
               cv->method->name, T, cv->adapt_seconds, cv->adapt_flops * 1e-9, bespoke->name, b_seconds / b_count,
               b_flops * 1e-9 / b_count, b_seconds / b_count / cv->adapt_seconds, b_flops / b_count / cv->adapt_flops);
    }
}

void sb_online_free(SbOnlineCurve *curves, int n)
{
    for (int k = 0; k < n; k++)
        free(curves[k].curve);
    free(curves);
}

double sb_online_soup_final(const SbContext *ctx, const SbMethod *soup, void *state, const double *w, uint64_t seed,
                            int T, double *lam)
{
    const SbMethod *const methods[1] = {soup};
    void *const states[1] = {state};
    Run *runs = make_runs(ctx, methods, states, 1);
    User user;
    user_setup(ctx, NULL, NULL, w, &user); /* no normaliser: only lam and the regret matter */
    int cps[64], n_cp = sb_online_checkpoints(T, cps);
    double *out = sb_zeros((size_t)n_cp * N_METRICS);
    run_stream(ctx, runs, 1, 0, 0, &user, seed, T, cps, n_cp, out);
    memcpy(lam, runs[0].warm, sizeof(double) * (size_t)soup->warm_size(ctx, state));
    double regret = out[(size_t)(n_cp - 1) * N_METRICS + M_SIMPLE];
    free(out);
    free(user.r);
    free_runs(runs, 1);
    return regret;
}
