/* soupbench: the offline basis (harness/basis.h). */
#include "basis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "regime.h"
#include "refnet.h"
#include "sb.h"
#include "units.h"
#include "spectrum.h"

int sb_basis_size(const SbConfig *cfg, int m)
{
    if (cfg->basis.kind == SB_BASIS_NONE)
        return 0;
    return cfg->basis.kind == SB_BASIS_ASPECTS ? m : cfg->basis.size;
}

int sb_basis_kind_is_feature(SbBasisKind kind)
{
    return kind == SB_BASIS_FEATURE_SVD || kind == SB_BASIS_FEATURE_RANDOM;
}

void sb_basis_feature_directions(const SbProblem *p, const SbConfig *cfg, SbBasisKind kind, int K, double *dirs,
                                 double *sv)
{
    SB_ASSERT(sb_basis_kind_is_feature(kind));
    size_t n_sa = (size_t)p->n_states * p->V;
    int d = p->d, n_svd = 0;
    if (kind == SB_BASIS_FEATURE_SVD) {
        /* phi's right singular vectors are the left ones of phi^T (d x n_sa) */
        int k = (size_t)d < n_sa ? d : (int)n_sa;
        double *phiT = sb_zeros((size_t)d * n_sa), *U = sb_zeros((size_t)d * k), *s = sb_zeros(k);
        for (size_t i = 0; i < n_sa; i++)
            for (int j = 0; j < d; j++)
                phiT[(size_t)j * n_sa + i] = p->phi[i * d + j];
        int rank = sb_column_space(phiT, d, (int)n_sa, cfg->basis.rank_tol, U);
        sb_singular_values(p->phi, (int)n_sa, d, s);
        n_svd = rank < K ? rank : K;
        for (int c = 0; c < n_svd; c++) {
            int top = 0; /* the sign: the largest entry positive (the first of equals) */
            for (int j = 1; j < d; j++)
                if (fabs(U[(size_t)j * k + c]) > fabs(U[(size_t)top * k + c]))
                    top = j;
            double sign = U[(size_t)top * k + c] < 0 ? -1.0 : 1.0;
            for (int j = 0; j < d; j++)
                dirs[(size_t)c * d + j] = sign * U[(size_t)j * k + c];
            sv[c] = s[c];
        }
        free(s), free(U), free(phiT);
    }
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "basis/directions");
    for (int c = n_svd; c < K; c++) {
        double *v = dirs + (size_t)c * d, norm = 0;
        for (int j = 0; j < d; j++) {
            v[j] = sb_rng_normal(&rng);
            norm += v[j] * v[j];
        }
        for (int j = 0; j < d; j++)
            v[j] /= sqrt(norm);
        sv[c] = NAN;
    }
}

/* rho = <phi, v> on every pair; returns the c making its standard
 * deviation over the pairs 1 (scale only, as the aspect rewards: an added
 * constant would leave the span of phi). */
static double direction_reward(const SbProblem *p, const double *v, double *rho)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double mean = 0, var = 0;
    for (size_t i = 0; i < n_sa; i++) {
        double acc = 0;
        for (int j = 0; j < p->d; j++)
            acc += p->phi[i * p->d + j] * v[j];
        mean += (rho[i] = acc);
    }
    mean /= (double)n_sa;
    for (size_t i = 0; i < n_sa; i++)
        var += (rho[i] - mean) * (rho[i] - mean);
    return var > 0 ? 1.0 / sqrt(var / (double)n_sa) : 1.0;
}

void sb_basis_reward(const SbProblem *p, const SbBasis *b, int k, double *rho)
{
    SB_ASSERT(k >= 0 && k < b->K);
    if (b->R) {
        sb_problem_user_reward(p, b->R + (size_t)k * p->m, rho);
        return;
    }
    SB_ASSERT(b->directions && b->d == p->d);
    direction_reward(p, b->directions + (size_t)k * p->d, rho);
    size_t n_sa = (size_t)p->n_states * p->V;
    for (size_t i = 0; i < n_sa; i++)
        rho[i] *= b->direction_scale[k];
}

/* The rewards of a feature kind: directions and their scales into b. */
static void basis_set_directions(SbBasis *b, const SbProblem *p, const SbConfig *cfg)
{
    int K = b->K, d = p->d;
    b->directions = sb_zeros((size_t)K * d);
    b->direction_sv = sb_zeros(K);
    b->direction_scale = sb_zeros(K);
    sb_basis_feature_directions(p, cfg, cfg->basis.kind, K, b->directions, b->direction_sv);
    double *rho = sb_zeros((size_t)p->n_states * p->V);
    for (int k = 0; k < K; k++)
        b->direction_scale[k] = direction_reward(p, b->directions + (size_t)k * d, rho);
    free(rho);
}

static double *basis_weights(const SbConfig *cfg, int K, int m)
{
    double *R = sb_zeros((size_t)K * m);
    if (cfg->basis.kind == SB_BASIS_ASPECTS) {
        for (int k = 0; k < K; k++)
            R[(size_t)k * m + k] = 1.0;
        return R;
    }
    SbRng rng;
    sb_rng_derive(&rng, cfg->seed, "basis/weights");
    for (int k = 0; k < K; k++) {
        double norm = 0;
        for (int j = 0; j < m; j++)
            norm += fabs(R[(size_t)k * m + j] = sb_rng_normal(&rng));
        for (int j = 0; j < m; j++)
            R[(size_t)k * m + j] /= norm;
    }
    return R;
}

static SbBasis *basis_alloc(const SbProblem *p, int K, const char *name)
{
    SbBasis *b = sb_calloc(1, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->K = K;
    b->m = p->m;
    b->d = p->d;
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        b->policies[f] = sb_calloc((size_t)K, sizeof(SbPolicy *));
        b->logits[f] = sb_zeros((size_t)K * p->n_states * p->V);
        b->stats[f] = sb_calloc((size_t)K, sizeof(SbTrainStats));
    }
    return b;
}

/* ---- loading a basis written by an earlier run ---------------------- */

static void load_fail(const char *file, const char *what) __attribute__((noreturn));
static void load_fail(const char *file, const char *what)
{
    sb_fail(SB_EXIT_USAGE, "$.basis.load: %s: %s", file, what);
}

static SbBasis *basis_load(const SbProblem *p, const SbConfig *cfg)
{
    const char *file = cfg->basis.load;
    SbResultsReader *rd = sb_results_open(file);
    if (!rd)
        load_fail(file, "cannot open it as a soupbench results file (see the message above)");
    int rows, cols;
    char *ref = sb_results_read_attr_str(rd, "/", "reference_sha256"), mine[65];
    sb_problem_reference_sha256(p, mine);
    if (!ref || strcmp(ref, mine) != 0)
        load_fail(file, "its reference policy differs from this config's (same dataset, reference and seed "
                        "needed to reuse a basis)");
    free(ref);
    /* the rewards: aspect weights R, or the feature directions (singular
     * value, scale, v_k) of a feature kind */
    int feature = sb_basis_kind_is_feature(cfg->basis.kind);
    double *R = sb_results_read_table(rd, feature ? "/basis/directions" : "/basis/R", &rows, &cols);
    if (!R || cols != (feature ? 2 + p->d : p->m))
        load_fail(file, feature ? "no /basis/directions with 2 + spectral_dim columns: was it run with a basis of "
                                  "kind feature_svd or feature_random?"
                                : "no /basis/R with one column per aspect: was it run with a basis of aspect "
                                  "combinations?");
    int K = rows;
    if (K != sb_basis_size(cfg, p->m))
        sb_fail(SB_EXIT_USAGE, "$.basis.load: %s: holds %d basis policies, the config asks for %d", file, K,
                sb_basis_size(cfg, p->m));
    SbBasis *b = basis_alloc(p, K, "basis");
    if (feature) {
        b->directions = sb_zeros((size_t)K * p->d);
        b->direction_sv = sb_zeros(K);
        b->direction_scale = sb_zeros(K);
        for (int k = 0; k < K; k++) {
            b->direction_sv[k] = R[(size_t)k * cols];
            b->direction_scale[k] = R[(size_t)k * cols + 1];
            memcpy(b->directions + (size_t)k * p->d, R + (size_t)k * cols + 2, sizeof(double) * (size_t)p->d);
        }
        free(R);
    } else {
        b->R = R;
    }
    b->loaded = 1;
    snprintf(b->loaded_from, sizeof b->loaded_from, "%s", file);
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
        for (int k = 0; k < K; k++) {
            char path[128];
            snprintf(path, sizeof path, "/basis/%s/policy_%d", sb_policy_form_name(f), k);
            double *theta = sb_results_read_table(rd, path, &rows, &cols);
            double rank = 0, alpha = 0;
            sb_results_read_attr_double(rd, path, "rank", &rank);
            sb_results_read_attr_double(rd, path, "alpha", &alpha);
            /* from a file: a whole number in $.lora.rank's range before it
             * becomes an int */
            if (!(rank >= 0 && rank <= 1024 && rank == floor(rank)))
                load_fail(file, "a basis policy's rank attribute is not a whole number in [0, 1024]");
            if (!theta || (f == SB_POLICY_LORA && ((int)rank != cfg->lora.rank || alpha != cfg->lora.alpha)) ||
                rows * cols != sb_policy_param_count(p->ref_net, f, (int)rank))
                load_fail(file, "a basis policy is missing, or its shape or LoRA rank/alpha differ from $.lora");
            b->policies[f][k] = sb_policy_with_theta(p->ref_net, f, (int)rank, alpha, theta, rows * cols);
            free(theta);
        }
    sb_results_close(rd);
    return b;
}

/* ---- training -------------------------------------------------------- */

SbTrainConfig sb_basis_train_config(const SbConfig *cfg)
{
    SbTrainConfig tc = cfg->train;
    tc.trainer = cfg->basis.trainer;
    tc.pairs = cfg->basis.pairs;
    tc.heldout_pairs = cfg->basis.heldout_pairs;
    tc.labels = cfg->basis.labels;
    tc.label_temperature = cfg->basis.label_temperature;
    return tc;
}

/* The training of b's K policies in both forms as independent units
 * (harness/base/units.h), LoRA first (the order of the cost ledger and the
 * progress bar); every policy has its own named random streams; b's name
 * ("basis", "experts") prefixes the streams and the cost groups. A unit's
 * output: the trained theta (padded to the larger form's size), then its
 * training statistics. */
typedef struct {
    const SbProblem *p;
    const SbConfig *cfg;
    const SbBasis *b;
    SbTrainConfig tc;
    int n_params[SB_POLICY_FORMS];
    SbProgress *pg;
} BasisStage;

enum { ST_STEPS, ST_BEST, ST_SECONDS, ST_FLOPS, ST_LOSS, ST_HELDOUT_LOSS, ST_HELDOUT_ACC, ST_COLS };

static SbPolicy *basis_init(const BasisStage *st, SbPolicyForm f, int k)
{
    char purpose[96];
    snprintf(purpose, sizeof purpose, "%s/init/%s/%d", st->b->name, sb_policy_form_name(f), k);
    SbRng rng;
    sb_rng_derive(&rng, st->cfg->seed, purpose);
    return sb_policy_new(st->p->ref_net, f, st->cfg->lora.rank, st->cfg->lora.alpha, &rng);
}

static void basis_unit(void *arg, long unit, double *out)
{
    const BasisStage *st = arg;
    const SbProblem *p = st->p;
    const char *name = st->b->name;
    SbPolicyForm f = (SbPolicyForm)(unit / st->b->K);
    int k = (int)(unit % st->b->K);
    SbPolicy *pol = basis_init(st, f, k);
    double *rho = sb_zeros((size_t)p->n_states * p->V);
    sb_basis_reward(p, st->b, k, rho);
    char purpose[96], label[96], item[16];
    snprintf(label, sizeof label, "%s %s %d", name, sb_policy_form_name(f), k);
    snprintf(purpose, sizeof purpose, "%s/pairs/%d", name, k); /* both forms see the same pairs */
    SbRng pairs_rng;
    sb_rng_derive(&pairs_rng, st->cfg->seed, purpose);
    SbTrainStats ts;
    sb_train(p, pol, rho, &st->tc, sb_rng_u64(&pairs_rng), label, &ts);
    snprintf(purpose, sizeof purpose, "%s/%s", name, sb_policy_form_name(f));
    snprintf(item, sizeof item, "%d", k);
    sb_cost_record(purpose, item, &ts);
    sb_regime_record(purpose, item, p, pol, NULL, rho);
    int width = st->n_params[0] > st->n_params[1] ? st->n_params[0] : st->n_params[1];
    memcpy(out, pol->theta, sizeof(double) * (size_t)pol->n_params);
    double stats[ST_COLS] = {ts.steps, ts.best_step, ts.seconds, ts.flops, ts.loss, ts.heldout_loss,
                             ts.heldout_accuracy};
    memcpy(out + width, stats, sizeof stats);
    sb_policy_free(pol);
    free(rho);
    sb_progress_advance(st->pg, 1);
}

static SbBasis *basis_train(const SbProblem *p, const SbConfig *cfg, SbBasis *b, SbProgress *pg)
{
    BasisStage st = {.p = p, .cfg = cfg, .b = b, .tc = sb_basis_train_config(cfg), .pg = pg};
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        SbPolicy *probe = basis_init(&st, f, 0);
        st.n_params[f] = probe->n_params;
        sb_policy_free(probe);
    }
    int width = st.n_params[0] > st.n_params[1] ? st.n_params[0] : st.n_params[1];
    long n = (long)SB_POLICY_FORMS * b->K, cols = width + ST_COLS;
    double *outs = sb_zeros((size_t)(n * cols) + 1);
    char stage[64];
    snprintf(stage, sizeof stage, "%s/train", b->name);
    sb_units_run(stage, n, cols, outs, basis_unit, &st, SB_UNITS_SHARED);
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
        for (int k = 0; k < b->K; k++) {
            const double *o = outs + ((size_t)f * b->K + k) * cols;
            b->policies[f][k] = sb_policy_with_theta(p->ref_net, f, cfg->lora.rank, cfg->lora.alpha, o,
                                                     st.n_params[f]);
            const double *t = o + width;
            b->stats[f][k] = (SbTrainStats){.steps = (int)t[ST_STEPS], .best_step = (int)t[ST_BEST],
                                            .seconds = t[ST_SECONDS], .flops = t[ST_FLOPS], .loss = t[ST_LOSS],
                                            .heldout_loss = t[ST_HELDOUT_LOSS],
                                            .heldout_accuracy = t[ST_HELDOUT_ACC]};
        }
    free(outs);
    return b;
}

static void basis_forward(SbBasis *b, const SbProblem *p)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++)
        for (int k = 0; k < b->K; k++)
            sb_policy_logits(p, b->policies[f][k], b->logits[f] + (size_t)k * n_sa);
}

SbBasis *sb_basis_build(const SbProblem *p, const SbConfig *cfg, SbProgress *pg)
{
    int K = sb_basis_size(cfg, p->m);
    if (K == 0)
        return NULL;
    SbBasis *b;
    if (cfg->basis.load[0]) {
        b = basis_load(p, cfg);
    } else {
        b = basis_alloc(p, K, "basis");
        if (sb_basis_kind_is_feature(cfg->basis.kind))
            basis_set_directions(b, p, cfg);
        else
            b->R = basis_weights(cfg, K, p->m);
        basis_train(p, cfg, b, pg);
    }
    basis_forward(b, p);
    return b;
}

SbBasis *sb_experts_build(const SbProblem *p, const SbConfig *cfg, SbProgress *pg)
{
    SbBasis *b = basis_alloc(p, p->m, "experts");
    b->R = sb_zeros((size_t)p->m * p->m);
    for (int j = 0; j < p->m; j++)
        b->R[(size_t)j * p->m + j] = 1.0;
    basis_train(p, cfg, b, pg);
    basis_forward(b, p);
    return b;
}

void sb_basis_implicit_q(const SbBasis *b, const SbProblem *p, SbPolicyForm f, double *out)
{
    int V = p->V;
    size_t n_sa = (size_t)p->n_states * V;
    double *lp = sb_zeros(V), *lr = sb_zeros(V);
    for (int k = 0; k < b->K; k++)
        for (int s = 0; s < p->n_states; s++) {
            sb_log_softmax(b->logits[f] + (size_t)k * n_sa + (size_t)s * V, V, lp);
            sb_log_softmax(p->ref_logits + (size_t)s * V, V, lr);
            for (int a = 0; a < V; a++)
                out[(size_t)k * n_sa + (size_t)s * V + a] = p->beta * (lp[a] - lr[a]);
        }
    free(lr);
    free(lp);
}

/* ---- writing --------------------------------------------------------- */

/* Rows of the implicit-Q matrix: every pair when there are at most
 * spectrum_rows, else every action of states drawn uniformly without
 * replacement until spectrum_rows rows are reached. */
static int spectrum_rows(const SbProblem *p, const SbConfig *cfg, int **rows_out)
{
    /* in 64 bits: spectrum_rows may be as large as INT_MAX */
    long long n_sa = (long long)p->n_states * p->V, want = cfg->basis.spectrum_rows;
    int *rows = sb_calloc((size_t)(n_sa < want + p->V ? n_sa : want + p->V), sizeof(int));
    int n = 0;
    if (n_sa <= want) {
        for (int i = 0; i < n_sa; i++)
            rows[n++] = i;
    } else {
        int *order = sb_calloc((size_t)p->n_states, sizeof(int));
        for (int s = 0; s < p->n_states; s++)
            order[s] = s;
        SbRng rng;
        sb_rng_derive(&rng, cfg->seed, "basis/spectrum_rows");
        for (int i = 0; n < want; i++) {
            int j = i + sb_rng_below(&rng, p->n_states - i); /* partial Fisher-Yates */
            int s = order[j];
            order[j] = order[i];
            order[i] = s;
            for (int a = 0; a < p->V; a++)
                rows[n++] = s * p->V + a;
        }
        free(order);
    }
    *rows_out = rows;
    return n;
}

/* Singular values of the implicit-Q matrix of form f (rows: pairs,
 * columns: basis policies) into a malloc'd array of *k; *rows_used set. */
static double *implicit_q_spectrum(const SbBasis *b, const SbProblem *p, const SbConfig *cfg, SbPolicyForm f,
                                   int *k, int *rows_used)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    double *q = sb_zeros((size_t)b->K * n_sa);
    sb_basis_implicit_q(b, p, f, q);
    int *rows, n = spectrum_rows(p, cfg, &rows);
    double *M = sb_zeros((size_t)n * b->K);
    for (int i = 0; i < n; i++)
        for (int c = 0; c < b->K; c++)
            M[(size_t)i * b->K + c] = q[(size_t)c * n_sa + rows[i]];
    *k = n < b->K ? n : b->K;
    double *sv = sb_zeros(*k);
    sb_singular_values(M, n, b->K, sv);
    *rows_used = n;
    free(M);
    free(rows);
    free(q);
    return sv;
}

int sb_basis_numerical_rank(const SbBasis *b, const SbProblem *p, const SbConfig *cfg, SbPolicyForm f,
                            double *effective)
{
    int k, n;
    double *sv = implicit_q_spectrum(b, p, cfg, f, &k, &n);
    int rank = sv[0] > 0 ? sb_numerical_rank(sv, k, cfg->basis.rank_tol) : 0;
    if (effective)
        *effective = sb_effective_rank(sv, k);
    free(sv);
    return rank;
}

static void write_implicit_q_spectrum(SbResults *r, const SbBasis *b, const SbProblem *p, const SbConfig *cfg,
                                      SbPolicyForm f)
{
    int k, n;
    double *sv = implicit_q_spectrum(b, p, cfg, f, &k, &n);
    char path[96];
    snprintf(path, sizeof path, "/%s/%s/implicit_q_spectrum", b->name, sb_policy_form_name(f));
    sb_results_write_table(r, path, k, 1, sv, "singular_value",
                           "singular values of the basis implicit-Q matrix (rows: state-action pairs, columns: basis "
                           "policies)");
    int rank = sv[0] > 0 ? sb_numerical_rank(sv, k, cfg->basis.rank_tol) : 0;
    sb_results_attr_int(r, path, "numerical_rank", rank);
    sb_results_attr_double(r, path, "effective_rank", sb_effective_rank(sv, k));
    char label[96];
    snprintf(label, sizeof label, "%s implicit Q (%s), K = %d, numerical rank %d, effective rank %.1f", b->name,
             f == SB_POLICY_LORA ? "LoRA" : "full fine-tuning", b->K, rank, sb_effective_rank(sv, k));
    sb_results_attr_str(r, path, "label", label);
    sb_results_attr_double(r, path, "rank_tol", cfg->basis.rank_tol);
    sb_results_attr_int(r, path, "rows", n);
    free(sv);
}

/* Singular values of each LoRA update (alpha/r) B_k A_k and the principal
 * angles between the column spaces of every pair of adapters, per layer. */
static void write_lora_spectra(SbResults *r, const SbBasis *b, const SbConfig *cfg)
{
    const SbRefNet *ref = b->policies[SB_POLICY_LORA][0]->ref;
    int K = b->K, L = ref->layers, rank = cfg->lora.rank, W = ref->width;
    int cols = 2 + rank;
    double *sv_table = sb_zeros((size_t)K * L * cols);
    int n_pairs = K * (K - 1) / 2;
    double *angles = sb_zeros((size_t)(n_pairs > 0 ? n_pairs : 1) * L * (3 + rank));
    for (int l = 0; l < L; l++) {
        int fan_in = l == 0 ? ref->n_in : W, kmax = W < fan_in ? W : fan_in;
        double *update = sb_zeros((size_t)W * fan_in), *sv = sb_zeros(kmax);
        double *U = sb_zeros((size_t)K * W * kmax);
        int *dim = sb_calloc((size_t)K, sizeof(int));
        for (int k = 0; k < K; k++) {
            sb_policy_lora_update(b->policies[SB_POLICY_LORA][k], l, update);
            sb_singular_values(update, W, fan_in, sv);
            double *row = sv_table + ((size_t)k * L + l) * cols;
            row[0] = k;
            row[1] = l;
            for (int i = 0; i < rank; i++)
                row[2 + i] = i < kmax ? sv[i] : 0.0;
            dim[k] = sb_column_space(update, W, fan_in, cfg->basis.rank_tol, U + (size_t)k * W * kmax);
        }
        int pair = 0;
        for (int a = 0; a < K; a++)
            for (int c = a + 1; c < K; c++, pair++) {
                double *row = angles + ((size_t)pair * L + l) * (3 + rank);
                row[0] = l;
                row[1] = a;
                row[2] = c;
                int k = dim[a] < dim[c] ? dim[a] : dim[c];
                for (int i = 0; i < rank; i++)
                    row[3 + i] = NAN; /* fewer angles when an update has lower rank */
                if (k > 0)
                    sb_principal_angles(U + (size_t)a * W * kmax, dim[a], U + (size_t)c * W * kmax, dim[c], W,
                                        kmax, row + 3);
            }
        free(dim);
        free(U);
        free(sv);
        free(update);
    }
    /* sized for the rank (a fixed buffer cut the names past rank 600) */
    char *names = sb_column_names("sv_", 1, rank);
    size_t len = strlen(names) + 64;
    char *columns = sb_malloc(len);
    snprintf(columns, len, "policy,layer,%s", names);
    char path[96];
    snprintf(path, sizeof path, "/%s/lora/update_spectra", b->name);
    sb_results_write_table(r, path, K * L, cols, sv_table, columns,
                           "singular values of each LoRA update (alpha/r) B_k A_k, per basis policy and layer");
    free(names);
    if (n_pairs > 0) {
        names = sb_column_names("angle_", 1, rank);
        columns = sb_realloc(columns, len = strlen(names) + 64);
        snprintf(columns, len, "layer,policy_a,policy_b,%s", names);
        snprintf(path, sizeof path, "/%s/lora/principal_angles", b->name);
        sb_results_write_table(r, path, n_pairs * L, 3 + rank, angles, columns,
                               "principal angles (radians, ascending) between the column spaces of two basis "
                               "adapters' updates, per layer; NaN past the smaller rank");
        free(names);
    }
    free(columns);
    free(angles);
    free(sv_table);
}

void sb_basis_write(SbResults *r, const SbBasis *b, const SbProblem *p, const SbConfig *cfg)
{
    char root[32], path[96];
    snprintf(root, sizeof root, "/%s", b->name);
    if (b->R) {
        char *aspects = sb_aspect_columns(p, "");
        snprintf(path, sizeof path, "%s/R", root);
        sb_results_write_table(r, path, b->K, p->m, b->R, aspects, "reward weights: rho_k = sum_j R[k, j] r_j");
        free(aspects);
    } else {
        int cols = 2 + p->d;
        double *table = sb_zeros((size_t)b->K * cols);
        for (int k = 0; k < b->K; k++) {
            table[(size_t)k * cols] = b->direction_sv[k];
            table[(size_t)k * cols + 1] = b->direction_scale[k];
            memcpy(table + (size_t)k * cols + 2, b->directions + (size_t)k * p->d, sizeof(double) * (size_t)p->d);
        }
        char *names = sb_column_names("v_", 1, p->d), columns[4096];
        snprintf(columns, sizeof columns, "singular_value,scale,%s", names);
        snprintf(path, sizeof path, "%s/directions", root);
        sb_results_write_table(r, path, b->K, cols, table, columns,
                               "feature directions of the basis rewards: rho_k(s,a) = scale_k <phi(s,a), v_k> "
                               "(unit standard deviation over all pairs); singular_value: of phi along v_k, NaN "
                               "for a seeded random direction");
        free(names);
        free(table);
    }
    sb_results_attr_str(r, root, "description",
                        strcmp(b->name, "basis") == 0
                            ? "the spectral basis: K policies trained from the same reference on the basis "
                              "rewards, in LoRA and full fine-tuning form"
                            : "aspect experts: one policy per aspect (R = I) for the merging baselines, in LoRA "
                              "and full fine-tuning form");
    SbBasisKind kind = strcmp(b->name, "basis") == 0 ? cfg->basis.kind : SB_BASIS_ASPECTS;
    sb_results_attr_str(r, root, "kind", sb_basis_kind_name(kind));
    sb_results_attr_int(r, root, "K", b->K);
    sb_results_attr_str(r, root, "trainer", sb_trainer_name(cfg->train.trainer));
    sb_results_attr_str(r, root, "loaded_from", b->loaded ? b->loaded_from : "");
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        double *stats = sb_zeros((size_t)b->K * 7);
        for (int k = 0; k < b->K; k++) {
            const SbPolicy *pol = b->policies[f][k];
            snprintf(path, sizeof path, "%s/%s/policy_%d", root, sb_policy_form_name(f), k);
            sb_results_write_table(r, path, pol->n_params, 1, pol->theta, "theta",
                                   "trainable parameters of a basis policy, in harness/policy.c's layout "
                                   "(reload with $.basis.load)");
            sb_results_attr_str(r, path, "form", sb_policy_form_name(f));
            sb_results_attr_int(r, path, "rank", pol->rank);
            sb_results_attr_double(r, path, "alpha", pol->alpha);
            const SbTrainStats *st = &b->stats[f][k];
            double row[7] = {st->steps, st->best_step, st->seconds, st->flops, st->loss, st->heldout_loss,
                             st->heldout_accuracy};
            memcpy(stats + (size_t)k * 7, row, sizeof row);
        }
        if (!b->loaded) {
            snprintf(path, sizeof path, "%s/%s/training", root, sb_policy_form_name(f));
            sb_results_write_table(r, path, b->K, 7, stats,
                                   "steps,best_step,seconds,flops,loss,heldout_loss,heldout_accuracy",
                                   "training of each basis policy: steps run, step kept, wall seconds, FLOPs, "
                                   "losses at the kept weights (PG: -J), DPO held-out pairwise accuracy");
        }
        free(stats);
        write_implicit_q_spectrum(r, b, p, cfg, f);
    }
    write_lora_spectra(r, b, cfg);
}

void sb_basis_free(SbBasis *b)
{
    if (!b)
        return;
    for (SbPolicyForm f = 0; f < SB_POLICY_FORMS; f++) {
        for (int k = 0; k < b->K; k++)
            sb_policy_free(b->policies[f][k]);
        free(b->policies[f]);
        free(b->logits[f]);
        free(b->stats[f]);
    }
    free(b->R);
    free(b->directions);
    free(b->direction_scale);
    free(b->direction_sv);
    free(b);
}

int sb_experts_are_basis(const SbConfig *cfg, const SbBasis *basis)
{
    return basis && cfg->basis.kind == SB_BASIS_ASPECTS;
}

const SbBasis *sb_experts_for(const SbProblem *p, const SbConfig *cfg, const SbBasis *basis, SbProgress *pg,
                              SbBasis **trained)
{
    *trained = NULL;
    if (sb_experts_are_basis(cfg, basis))
        return basis;
    return *trained = sb_experts_build(p, cfg, pg);
}
