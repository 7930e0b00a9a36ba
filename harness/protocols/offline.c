/* soupbench: the offline protocol (harness/offline.h). */
#include "offline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "pareto.h"
#include "sb.h"
#include "solver.h"
#include "stats.h"
#include "units.h"
#include "winrate.h"

static const char *const summary_columns =
    "J_mean,J_lo,J_hi,KL_mean,winrate_mean,winrate_lo,winrate_hi,winrate_avg_mean,winrate_avg_lo,"
    "winrate_avg_hi,normalized_mean,normalized_lo,normalized_hi,normalized_pooled_mean,normalized_pooled_lo,"
    "normalized_pooled_hi";

int sb_aspect_pairs(int m) { return m * (m - 1) / 2; }

void sb_aspect_pair(int m, int k, int *i, int *j)
{
    for (int a = 0; a < m; a++)
        for (int b = a + 1; b < m; b++)
            if (k-- == 0) {
                *i = a;
                *j = b;
                return;
            }
    SB_ASSERT(0 && "aspect pair index out of range");
}

static void rng_for(SbRng *rng, const SbConfig *cfg, const char *what, const char *method)
{
    char purpose[320];
    snprintf(purpose, sizeof purpose, "%s/%s", what, method);
    sb_rng_derive(rng, cfg->seed, purpose);
}

/* pi_ref's expected aspect rewards: the reference point of every front. */
static void reference_point(const SbProblem *p, double *out)
{
    double *zero = sb_zeros(p->m);
    SbPolicyValue v = {.aspects = out};
    sb_evaluate_policy(p, p->ref_logits, zero, &v);
    free(zero);
}

static void put_winrate(double *at, SbWinRate w)
{
    at[0] = w.rate;
    at[1] = w.lo;
    at[2] = w.hi;
}

/* The distinct weights of the Pareto sweeps (the single-aspect corners
 * recur across aspect pairs and are served once) and, per pair and grid
 * point, the index of its weights among them. */
typedef struct {
    int n;
    double *w; /* [n x m] */
    int *at;   /* [pairs x grid] */
} FrontWeights;

static FrontWeights front_weights(const SbProblem *p, int grid)
{
    int pairs = sb_aspect_pairs(p->m), m = p->m;
    FrontWeights fw = {0, sb_zeros((size_t)pairs * grid * m + 1), sb_calloc((size_t)pairs * grid + 1, sizeof(int))};
    double *w = sb_zeros(m);
    for (int k = 0; k < pairs; k++) {
        int i, j;
        sb_aspect_pair(m, k, &i, &j);
        for (int q = 0; q < grid; q++) {
            memset(w, 0, sizeof(double) * (size_t)m);
            w[i] = (double)q / (grid - 1);
            w[j] = 1.0 - w[i];
            int f = 0;
            while (f < fw.n && memcmp(fw.w + (size_t)f * m, w, sizeof(double) * (size_t)m) != 0)
                f++;
            if (f == fw.n)
                memcpy(fw.w + (size_t)fw.n++ * m, w, sizeof(double) * (size_t)m);
            fw.at[k * grid + q] = f;
        }
    }
    free(w);
    return fw;
}

/* The offline stage's units: method k serving serve s, the held-out users
 * first (s < n_test), then the distinct front weights. A unit's output:
 * J, KL, reward_total, the m expected aspect rewards, the win-rate against
 * pi_ref and against the population baseline (rate, lo, hi each; NaN where
 * absent), then what the method keeps of the serve (kept_cols). */
typedef struct {
    const SbContext *ctx;
    const SbMethod *const *methods;
    SbMethodResult *res;
    const double *avg; /* the population baseline's policy, or NULL */
    FrontWeights fw;
    long per_method;
    int kept_at, cols;
    SbProgress *pg;
} OfflineStage;

static const double *serve_weights(const OfflineStage *st, long s)
{
    const SbProblem *p = st->ctx->p;
    return s < p->n_test ? p->users_test + (size_t)s * p->m : st->fw.w + (size_t)(s - p->n_test) * p->m;
}

static void offline_unit(void *arg, long unit, double *out)
{
    const OfflineStage *st = arg;
    const SbContext *ctx = st->ctx;
    const SbProblem *p = ctx->p;
    const SbConfig *cfg = ctx->cfg;
    const SbMethod *m = st->methods[unit / st->per_method];
    void *state = st->res[unit / st->per_method].state;
    long s = unit % st->per_method;
    int user = s < p->n_test;
    const double *w = serve_weights(st, s);
    size_t n_sa = (size_t)p->n_states * p->V;
    double *logits = sb_zeros(n_sa), *r = sb_zeros(n_sa);
    sb_method_serve_kept(ctx, m, state, w, logits, m->kept_cols ? out + st->kept_at : NULL, s);
    SbPolicyValue v = {.aspects = out + SB_U_ASPECTS};
    sb_evaluate_policy(p, logits, w, &v);
    out[SB_U_J] = v.J;
    out[SB_U_KL] = v.KL;
    out[SB_U_REWARD] = v.reward;
    sb_problem_user_reward(p, w, r);
    /* each serve's win-rate samples (when trajectories are not enumerated)
     * from a stream of its own */
    char stream[160];
    snprintf(stream, sizeof stream, "%s/%ld", m->name, user ? s : s - p->n_test);
    SbRng rng;
    rng_for(&rng, cfg, user ? "winrate" : "pareto_winrate", stream);
    put_winrate(out + sb_user_col_winref(p->m),
                sb_winrate(p, r, logits, p->ref_logits, cfg->winrate_max_enumerate, cfg->winrate_samples, &rng));
    double *avg = out + sb_user_col_winavg(p->m);
    if (user && st->avg)
        put_winrate(avg, sb_winrate(p, r, logits, st->avg, cfg->winrate_max_enumerate, cfg->winrate_samples, &rng));
    else
        avg[0] = avg[1] = avg[2] = NAN;
    free(r);
    free(logits);
    sb_progress_advance(st->pg, 1);
}

/* Method k's users table and fronts from the stage's outputs. */
static void gather_method(const OfflineStage *st, const double *outs, const double *ref_point, int k)
{
    const SbProblem *p = st->ctx->p;
    SbMethodResult *res = &st->res[k];
    const double *mine = outs + (size_t)k * st->per_method * st->cols;
    for (int u = 0; u < res->n_users; u++) {
        double *row = res->users + (size_t)u * res->user_cols;
        memcpy(row, mine + (size_t)u * st->cols, sizeof(double) * (size_t)sb_user_col_norm(p->m));
        row[sb_user_col_norm(p->m)] = NAN;
    }
    int g = res->grid;
    double *x = sb_zeros(g), *y = sb_zeros(g);
    int *flag = sb_calloc((size_t)g, sizeof(int));
    for (int q = 0; q < res->n_pairs; q++) {
        int i, j;
        sb_aspect_pair(p->m, q, &i, &j);
        double *block = res->pareto + (size_t)q * g * SB_PARETO_COLS;
        for (int t = 0; t < g; t++) {
            int f = st->fw.at[q * g + t];
            const double *o = mine + (size_t)(p->n_test + f) * st->cols, *w = st->fw.w + (size_t)f * p->m;
            double values[SB_PARETO_COLS - 1] = {w[i], w[j], o[SB_U_ASPECTS + i], o[SB_U_ASPECTS + j],
                                                 o[SB_U_J], o[SB_U_KL], o[sb_user_col_winref(p->m)]};
            memcpy(block + (size_t)t * SB_PARETO_COLS, values, sizeof values);
            x[t] = values[2];
            y[t] = values[3];
        }
        sb_pareto_nondominated(x, y, g, flag);
        for (int t = 0; t < g; t++)
            block[(size_t)t * SB_PARETO_COLS + SB_PARETO_COLS - 1] = flag[t];
        res->hypervolume[q] = sb_hypervolume_2d(x, y, g, ref_point[i], ref_point[j]);
    }
    free(flag);
    free(y);
    free(x);
    if (res->method->kept_cols) {
        int kc = res->method->kept_cols(st->ctx, res->state);
        double *rows = sb_zeros((size_t)st->per_method * kc + 1);
        for (long s = 0; s < st->per_method; s++)
            memcpy(rows + s * kc, mine + s * st->cols + st->kept_at, sizeof(double) * (size_t)kc);
        res->method->adopt(st->ctx, res->state, rows, st->per_method);
        free(rows);
    }
}

/* Mean and 95% bootstrap interval of one users-table column into s[0..2],
 * over the users where it is defined (not NaN: the normalised score of a
 * guarded user); NaN when it is defined for none. */
static void column_ci(const SbConfig *cfg, const SbMethodResult *res, int col, const char *what, double *s)
{
    int n = 0;
    double *x = sb_zeros(res->n_users);
    for (int u = 0; u < res->n_users; u++) {
        double v = res->users[(size_t)u * res->user_cols + col];
        if (!isnan(v))
            x[n++] = v;
    }
    if (n == 0) {
        s[0] = s[1] = s[2] = NAN;
    } else {
        SbRng rng;
        char stream[128];
        snprintf(stream, sizeof stream, "%s/%s", what, res->method->name);
        rng_for(&rng, cfg, "bootstrap", stream);
        s[0] = sb_mean(x, n);
        sb_bootstrap_mean_ci(x, n, cfg->bootstrap, &rng, &s[1], &s[2]);
    }
    free(x);
}

static void summarise(const SbConfig *cfg, SbMethodResult *res, int m)
{
    double *s = res->summary;
    column_ci(cfg, res, SB_U_J, "J", s);
    double kl[3];
    column_ci(cfg, res, SB_U_KL, "KL", kl);
    s[3] = kl[0];
    column_ci(cfg, res, sb_user_col_winref(m), "winrate_ref", s + 4);
    column_ci(cfg, res, sb_user_col_winavg(m), "winrate_avg", s + 7);
    column_ci(cfg, res, sb_user_col_norm(m), "normalized", s + 10);
}

/* The pooled normalised score 100 sum_u (J_u - J_ref,u) / sum_u (J_bespoke,u
 * - J_ref,u) with its bootstrap interval over users into summary[13..15]:
 * unlike the mean of per-user ratios it stays stable when some users'
 * bespoke policy barely beats pi_ref. NaN without bespoke_rlhf. */
static void pooled_score(const SbConfig *cfg, SbMethodResult *res, const double *J_ref, const double *span)
{
    double *s = res->summary + 13;
    if (!J_ref) {
        s[0] = s[1] = s[2] = NAN;
        return;
    }
    int n = res->n_users;
    double total = 0;
    for (int u = 0; u < n; u++)
        total += span[u];
    if (!(total > 0)) { /* the normaliser gains nothing over pi_ref in total: no 100% to scale by */
        s[0] = s[1] = s[2] = NAN;
        return;
    }
    double *gain = sb_zeros(n);
    for (int u = 0; u < n; u++)
        gain[u] = res->users[(size_t)u * res->user_cols + SB_U_J] - J_ref[u];
    SbRng rng;
    char stream[128];
    snprintf(stream, sizeof stream, "normalized_pooled/%s", res->method->name);
    rng_for(&rng, cfg, "bootstrap", stream);
    s[0] = 100.0 * sb_bootstrap_ratio_ci(gain, span, n, cfg->bootstrap, &rng, &s[1], &s[2]);
    s[1] *= 100.0;
    s[2] *= 100.0;
    free(gain);
}

/* The first result of a method holding role, or NULL. */
static const SbMethodResult *find_result(const SbMethodResult *res, int n, unsigned role)
{
    for (int i = 0; i < n; i++)
        if (res[i].method->roles & role)
            return &res[i];
    return NULL;
}

/* The name of the registered method holding role, for descriptions that
 * name the comparison whether it is run or not. */
static const char *role_name(unsigned role)
{
    const SbMethod *m = sb_method_with_role(role);
    SB_ASSERT(m);
    return m->name;
}

long sb_offline_serves(const SbContext *ctx)
{
    FrontWeights fw = front_weights(ctx->p, ctx->cfg->pareto_grid);
    free(fw.w), free(fw.at);
    return ctx->p->n_test + fw.n;
}

void sb_offline_run(const SbContext *ctx, const SbMethod *const *methods, int n, SbProgress *pg,
                    SbMethodResult *res)
{
    const SbProblem *p = ctx->p;
    size_t n_sa = (size_t)p->n_states * p->V;
    double *avg = NULL;
    double *ref_point = sb_zeros(p->m), *zero = sb_zeros(p->m), *w_bar = sb_zeros(p->m);
    sb_population_weights(p, w_bar);
    reference_point(p, ref_point);
    int kept = 0;
    for (int k = 0; k < n; k++) {
        memset(&res[k], 0, sizeof res[k]);
        res[k].method = methods[k];
        res[k].state = methods[k]->prepare ? methods[k]->prepare(ctx) : NULL;
        if (methods[k]->kept_cols && methods[k]->kept_cols(ctx, res[k].state) > kept)
            kept = methods[k]->kept_cols(ctx, res[k].state);
        if (!avg && (methods[k]->roles & SB_ROLE_POPULATION)) {
            SB_ASSERT(methods[k]->same_for_all); /* served once, for every user */
            avg = sb_zeros(n_sa);
            sb_method_serve_offline(ctx, methods[k], res[k].state, w_bar, avg);
        }
    }
    for (int k = 0; k < n; k++) {
        SbMethodResult *out = &res[k];
        out->n_users = p->n_test;
        out->user_cols = 10 + p->m;
        out->users = sb_zeros((size_t)out->n_users * out->user_cols);
        out->n_pairs = sb_aspect_pairs(p->m);
        out->grid = ctx->cfg->pareto_grid;
        out->pareto = sb_zeros((size_t)out->n_pairs * out->grid * SB_PARETO_COLS);
        out->hypervolume = sb_zeros(out->n_pairs);
    }
    OfflineStage st = {.ctx = ctx, .methods = methods, .res = res, .avg = avg,
                       .fw = front_weights(p, ctx->cfg->pareto_grid), .kept_at = sb_user_col_norm(p->m), .pg = pg};
    st.per_method = p->n_test + st.fw.n;
    st.cols = st.kept_at + kept;
    double *outs = sb_zeros((size_t)n * st.per_method * st.cols + 1);
    sb_units_run("offline", n * st.per_method, st.cols, outs, offline_unit, &st, SB_UNITS_SPLIT);
    for (int k = 0; k < n; k++)
        gather_method(&st, outs, ref_point, k);
    free(outs);
    free(st.fw.w);
    free(st.fw.at);
    /* normalised score: 100 (J(pi) - J(pi_ref)) / (J(bespoke) - J(pi_ref)),
     * left out (NaN) for a user whose bespoke policy gains less than
     * $.normalized_guard of the oracle's gain (sb_normalized_guarded) */
    const SbMethodResult *bespoke = find_result(res, n, SB_ROLE_NORMALISER);
    double *J_ref = sb_zeros(p->n_test), *span = sb_zeros(p->n_test);
    int guarded = 0;
    if (bespoke)
        for (int u = 0; u < p->n_test; u++) {
            const double *w = p->users_test + (size_t)u * p->m;
            SbPolicyValue v = {.aspects = zero};
            sb_evaluate_policy(p, p->ref_logits, w, &v);
            J_ref[u] = v.J;
            span[u] = bespoke->users[(size_t)u * bespoke->user_cols + SB_U_J] - v.J;
            int out = sb_normalized_guarded(p, w, v.J, span[u], ctx->cfg->normalized_guard);
            guarded += out;
            for (int k = 0; k < n; k++) {
                double *row = res[k].users + (size_t)u * res[k].user_cols;
                row[sb_user_col_norm(p->m)] = out ? NAN : 100.0 * (row[SB_U_J] - v.J) / span[u];
            }
        }
    for (int k = 0; k < n; k++)
        res[k].guarded = bespoke ? guarded : -1;
    for (int k = 0; k < n; k++) {
        summarise(ctx->cfg, &res[k], p->m);
        pooled_score(ctx->cfg, &res[k], bespoke ? J_ref : NULL, span);
    }
    free(span);
    free(J_ref);
    free(w_bar);
    free(zero);
    free(ref_point);
    free(avg);
}

double sb_users_policy_tv(const SbProblem *p, const double *users, int n)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    int V = p->V;
    /* pi_ref's visits from the held-out prompts */
    double *visits = sb_zeros(p->n_states);
    sb_occupancy_eval(p, p->ref_logits, visits);
    double *pi = sb_zeros((size_t)n * n_sa), *r = sb_zeros(n_sa);
    for (int u = 0; u < n; u++) {
        sb_problem_user_reward(p, users + (size_t)u * p->m, r);
        SbSoftSolution sol;
        sb_solve_soft(p, r, p->ref_logits, &sol);
        for (int s = 0; s < p->n_states; s++)
            sb_softmax(sol.logits + (size_t)s * V, V, pi + (size_t)u * n_sa + (size_t)s * V);
        sb_soft_solution_free(&sol);
    }
    double total = 0;
    long pairs = 0;
    for (int u = 0; u < n; u++)
        for (int v = u + 1; v < n; v++, pairs++) {
            const double *a = pi + (size_t)u * n_sa, *b = pi + (size_t)v * n_sa;
            double tv = 0;
            for (int s = 0; s < p->n_states; s++) {
                if (visits[s] == 0)
                    continue;
                double l1 = 0;
                for (int k = 0; k < V; k++)
                    l1 += fabs(a[(size_t)s * V + k] - b[(size_t)s * V + k]);
                tv += visits[s] * 0.5 * l1;
            }
            total += tv / p->H;
        }
    free(r);
    free(pi);
    free(visits);
    return pairs ? total / (double)pairs : 0.0;
}

double sb_population_optimum_share(const SbProblem *p, const double *w_bar, const double *users, int n)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *r = sb_zeros(n_sa), *aspects = sb_zeros(p->m);
    sb_problem_user_reward(p, w_bar, r);
    SbSoftSolution avg;
    sb_solve_soft(p, r, p->ref_logits, &avg);
    double gain = 0, oracle_gain = 0;
    for (int u = 0; u < n; u++) {
        const double *w = users + (size_t)u * p->m;
        SbPolicyValue ref = {.aspects = aspects}, served = {.aspects = aspects};
        sb_evaluate_policy(p, p->ref_logits, w, &ref);
        sb_evaluate_policy(p, avg.logits, w, &served);
        sb_problem_user_reward(p, w, r);
        SbSoftSolution sol;
        sb_solve_soft(p, r, p->ref_logits, &sol);
        gain += served.J - ref.J;
        oracle_gain += sol.value - ref.J;
        sb_soft_solution_free(&sol);
    }
    sb_soft_solution_free(&avg);
    free(aspects);
    free(r);
    return oracle_gain > 0 ? 100.0 * gain / oracle_gain : NAN;
}

/* The diversity measures of the held-out users (offline.h): [0] the mean
 * pairwise TV of their optimal policies, [1] the exact population
 * optimum's share of the oracle's gain, [2] the population baseline's
 * pooled normalised score (NaN unless it and the normaliser are run). */
static void users_diversity(const SbContext *ctx, const SbMethodResult *res, int n, double out[3])
{
    const SbProblem *p = ctx->p;
    double *w_bar = sb_zeros(p->m);
    sb_population_weights(p, w_bar);
    out[0] = sb_users_policy_tv(p, p->users_test, p->n_test);
    out[1] = sb_population_optimum_share(p, w_bar, p->users_test, p->n_test);
    const SbMethodResult *avg = find_result(res, n, SB_ROLE_POPULATION);
    out[2] = avg ? avg->summary[13] : NAN;
    free(w_bar);
}

static void write_method(SbResults *r, const SbContext *ctx, SbMethodResult *res)
{
    const SbProblem *p = ctx->p;
    char path[256], columns[1024], description[1024];
    const char *name = res->method->name;
    snprintf(path, sizeof path, "/methods/%s", name);
    sb_results_attr_str(r, path, "description", res->method->description);
    char *info = sb_method_information(ctx, res->method);
    sb_results_attr_str(r, path, "information", info);
    free(info);

    char *aspects = sb_aspect_columns(p, "r_");
    snprintf(columns, sizeof columns,
             "J,KL,reward_total,%s,winrate_ref,winrate_ref_lo,winrate_ref_hi,winrate_avg,winrate_avg_lo,"
             "winrate_avg_hi,normalized",
             aspects);
    free(aspects);
    snprintf(path, sizeof path, "/methods/%s/users", name);
    const char *avg = role_name(SB_ROLE_POPULATION), *bespoke = role_name(SB_ROLE_NORMALISER);
    snprintf(description, sizeof description,
             "per held-out user, true weights: exact J_u, KL to pi_ref, E[r_u], expected aspect rewards, win-rates "
             "against pi_ref and %s with 95%% intervals, normalised score (NaN where %s or %s is not run)",
             avg, avg, bespoke);
    sb_results_write_table(r, path, res->n_users, res->user_cols, res->users, columns, description);

    for (int k = 0; k < res->n_pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        const char *ai = p->aspect_names[i], *aj = p->aspect_names[j];
        snprintf(path, sizeof path, "/methods/%s/pareto/%s_%s", name, ai, aj);
        snprintf(columns, sizeof columns, "w_%s,w_%s,r_%s,r_%s,J,KL,winrate_ref,nondominated", ai, aj, ai, aj);
        sb_results_write_table(r, path, res->grid, SB_PARETO_COLS,
                               res->pareto + (size_t)k * res->grid * SB_PARETO_COLS, columns,
                               "weight sweep over one aspect pair: exact expected aspect rewards, J, KL, win-rate "
                               "against pi_ref and the non-dominated flag");
        sb_results_attr_double(r, path, "hypervolume", res->hypervolume[k]);
        double *ref_point = sb_zeros(p->m);
        reference_point(p, ref_point);
        double rp[2] = {ref_point[i], ref_point[j]};
        free(ref_point);
        sb_results_attr_doubles(r, path, "reference_point", rp, 2);
        char pair[2 * SB_NAME_MAX + 2];
        snprintf(pair, sizeof pair, "%s,%s", ai, aj);
        sb_results_attr_str(r, path, "aspects", pair);
    }
    if (res->method->write) {
        snprintf(path, sizeof path, "/methods/%s", name);
        res->method->write(ctx, res->state, r, path);
    }
}

char *sb_method_result_names(const SbMethodResult *res, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(res[i].method->name) + 1;
    char *names = sb_calloc(len, 1);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(names, ",");
        strcat(names, res[i].method->name);
    }
    return names;
}

void sb_offline_write(SbResults *r, const SbContext *ctx, SbMethodResult *res, int n)
{
    double *table = sb_zeros((size_t)n * SB_SUMMARY_COLS);
    char *rows = sb_method_result_names(res, n);
    for (int i = 0; i < n; i++) {
        write_method(r, ctx, &res[i]);
        memcpy(table + (size_t)i * SB_SUMMARY_COLS, res[i].summary, sizeof res[i].summary);
    }
    char description[1024];
    snprintf(description, sizeof description,
             "per method over held-out users: mean J_u, mean KL, mean win-rates against pi_ref and %s, mean "
             "normalised score, pooled normalised score (ratio of the sums over users), each with its 95%% "
             "bootstrap interval over users",
             role_name(SB_ROLE_POPULATION));
    sb_results_write_table(r, "/summary", n, SB_SUMMARY_COLS, table, summary_columns, description);
    sb_results_attr_str(r, "/summary", "rows", rows);
    char *infos = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&infos, &len);
    for (int i = 0; i < n; i++) {
        char *info = sb_method_information(ctx, res[i].method);
        fprintf(f, "%s%s", i ? "|" : "", info);
        free(info);
    }
    fclose(f);
    sb_results_attr_str(r, "/summary", "information", infos);
    free(infos);
    if (n > 0 && res[0].guarded >= 0) {
        sb_results_attr_int(r, "/summary", "normalized_guarded_users", res[0].guarded);
        sb_results_attr_double(r, "/summary", "normalized_guard", ctx->cfg->normalized_guard);
    }
    double diversity[3];
    users_diversity(ctx, res, n, diversity);
    sb_results_attr_double(r, "/summary", "diversity_policy_tv", diversity[0]);
    sb_results_attr_double(r, "/summary", "diversity_population_optimum", diversity[1]);
    if (!isnan(diversity[2]))
        sb_results_attr_double(r, "/summary", "diversity_population_pooled", diversity[2]);
    free(rows);
    free(table);
}

/* Width of the hypervolume column of aspect pair k: its heading's. */
static int hv_width(const SbProblem *p, int k)
{
    int i, j;
    sb_aspect_pair(p->m, k, &i, &j);
    int w = 4 + (int)(strlen(p->aspect_names[i]) + strlen(p->aspect_names[j]));
    return w < 8 ? 8 : w;
}

int sb_normalized_guarded(const SbProblem *p, const double *w, double J_ref, double span, double guard)
{
    double *r = sb_zeros((size_t)p->n_states * p->V);
    sb_problem_user_reward(p, w, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    double oracle_gain = sol.value - J_ref;
    sb_soft_solution_free(&sol);
    free(r);
    return sb_guard_applies(span, oracle_gain, guard);
}

static void print_row(const SbContext *ctx, const SbMethodResult *res)
{
    const SbProblem *p = ctx->p;
    int pairs = sb_aspect_pairs(p->m);
    const double *s = res->summary;
    char ci[64], win[64], avg[64], norm[64], pooled[64];
    snprintf(ci, sizeof ci, "%.3f [%.3f, %.3f]", s[0], s[1], s[2]);
    snprintf(win, sizeof win, "%.3f [%.3f, %.3f]", s[4], s[5], s[6]);
    if (isnan(s[7]))
        snprintf(avg, sizeof avg, "-");
    else
        snprintf(avg, sizeof avg, "%.3f [%.3f, %.3f]", s[7], s[8], s[9]);
    if (isnan(s[10]))
        snprintf(norm, sizeof norm, "-");
    else
        snprintf(norm, sizeof norm, "%.1f [%.1f, %.1f]", s[10], s[11], s[12]);
    if (isnan(s[13]))
        snprintf(pooled, sizeof pooled, "-");
    else
        snprintf(pooled, sizeof pooled, "%.1f [%.1f, %.1f]", s[13], s[14], s[15]);
    printf("%-23s %-25s %-7.3f %-21s %-21s %-21s %-21s", res->method->name, ci, s[3], win, avg, norm, pooled);
    for (int k = 0; k < pairs; k++)
        printf(" %-*.3f", hv_width(p, k), res->hypervolume[k]);
    char *info = sb_method_information(ctx, res->method);
    printf("  %s\n", info);
    free(info);
}

void sb_offline_print_summary(const SbContext *ctx, const SbMethodResult *res, int n)
{
    const SbProblem *p = ctx->p;
    int pairs = sb_aspect_pairs(p->m);
    char win_avg[96];
    snprintf(win_avg, sizeof win_avg, "win vs %s", role_name(SB_ROLE_POPULATION));
    printf("\n%-23s %-25s %-7s %-21s %-21s %-21s %-21s", "method", "J_u mean [95% CI]", "KL", "win vs pi_ref",
           win_avg, "normalised score %", "pooled score %");
    for (int k = 0; k < pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        char head[2 * SB_NAME_MAX + 8];
        snprintf(head, sizeof head, "HV %s-%s", p->aspect_names[i], p->aspect_names[j]);
        printf(" %-*s", hv_width(p, k), head);
    }
    printf("  information\n");
    for (int r = 0; r < n; r++)
        if (!sb_information_is_oracle(res[r].method->information))
            print_row(ctx, &res[r]);
    int oracle = 0;
    for (int r = 0; r < n; r++)
        if (sb_information_is_oracle(res[r].method->information)) {
            if (!oracle++)
                printf("-- oracle-information variants (handed what the methods above must learn; not part of "
                       "the comparison) --\n");
            print_row(ctx, &res[r]);
        }
    printf("(J_u = E[sum_t r_u] - beta E[sum_t KL], exact; win-rates exact when trajectories are enumerable;\n"
           " normalised score: mean over users of 100 (J - J_ref) / (J_bespoke - J_ref); pooled: 100 sum(J - J_ref)\n"
           " / sum(J_bespoke - J_ref) over users; HV: exact hypervolume of each Pareto front over pi_ref's aspect\n"
           " rewards; intervals: 95%% bootstrap over held-out users)\n");
    if (n > 0 && res[0].guarded > 0)
        printf("(%d of %d held-out users left out of the per-user normalised mean: their %s policy gains less "
               "than %g of the oracle's gain over pi_ref; the pooled score keeps them)\n",
               res[0].guarded, res[0].n_users, role_name(SB_ROLE_NORMALISER), ctx->cfg->normalized_guard);

    /* how much personalisation can matter on this problem */
    const SbConfig *cfg = ctx->cfg;
    double diversity[3];
    users_diversity(ctx, res, n, diversity);
    char users[96];
    if (cfg->users.weights == SB_WEIGHTS_SIMPLEX)
        snprintf(users, sizeof users, "simplex weights, concentration %g", cfg->users.concentration);
    else
        snprintf(users, sizeof users, "signed weights");
    printf("\nusers' diversity (%d held-out users, %s): policy TV %.3f, population optimum %.1f%%", p->n_test, users,
           diversity[0], diversity[1]);
    if (!isnan(diversity[2]))
        printf(", %s pooled score %.1f%%", role_name(SB_ROLE_POPULATION), diversity[2]);
    printf("\n(policy TV: mean over user pairs of the total-variation distance between their optimal policies, per "
           "step, under pi_ref's visits, 0 when all agree;\n population optimum: the share of the oracle's gain that "
           "the exact optimum of the mean weights reaches, pooled over users)\n");
    double *corr = sb_zeros((size_t)p->m * p->m);
    sb_problem_aspect_correlation(p, corr);
    printf("aspect reward correlation over all %d state-action pairs:", p->n_states * p->V);
    for (int k = 0; k < pairs; k++) {
        int i, j;
        sb_aspect_pair(p->m, k, &i, &j);
        printf("%s %s-%s %.3f", k ? "," : "", p->aspect_names[i], p->aspect_names[j], corr[i * p->m + j]);
    }
    printf("\n");
    free(corr);
}

void sb_method_result_free(SbMethodResult *res)
{
    if (res->method && res->method->release)
        res->method->release(res->state);
    free(res->users);
    free(res->pareto);
    free(res->hypervolume);
    memset(res, 0, sizeof *res);
}
