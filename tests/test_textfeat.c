/* Text features against independent computations: FNV-1a against its
 * published test vectors, the document-term matrix against n-gram counts
 * done by hand, TF-IDF against the formula evaluated by hand, and the
 * randomized SVD against LAPACKE's full SVD of the densified matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "textfeat.h"

/* ------------------------------------------------------------------ */
/* helpers                                                            */

/* FNV-1a of a NUL-terminated string, written again from its definition. */
static uint64_t ref_fnv(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int ref_bucket(const char *ngram, int buckets) { return (int)(ref_fnv(ngram) % (uint64_t)buckets); }

/* The value of X at (i, j), 0 when absent. */
static double entry(const SbSparse *X, int i, int j)
{
    for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
        if (X->col[p] == j)
            return X->val[p];
    return 0.0;
}

static void assert_columns_increasing(const SbSparse *X)
{
    for (int i = 0; i < X->n_rows; i++)
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++) {
            assert_true(X->col[p] >= 0 && X->col[p] < X->n_cols);
            if (p > X->row_ptr[i])
                assert_true(X->col[p] > X->col[p - 1]);
        }
}

typedef struct {
    const char *ngram;
    double count;
} Gram;

/* ------------------------------------------------------------------ */
/* hashing and the document-term matrix                               */

static void fnv1a64_should_match_published_test_vectors(void **state)
{
    (void)state;
    assert_true(sb_fnv1a64("", 0) == 0xcbf29ce484222325ULL);
    assert_true(sb_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(sb_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL);
    /* a 2-gram hashes the bytes "a b" */
    assert_int_equal(sb_ngram_bucket("the", "cat", 1 << 20), ref_bucket("the cat", 1 << 20));
    assert_int_equal(sb_ngram_bucket("cat", NULL, 1000), ref_bucket("cat", 1000));
}

static const char *doc0[] = {"the", "cat", "sat", "on", "the", "mat"};
static const char *doc1[] = {"a", "a", "a"};
static const char *doc3[] = {"hello"};
/* counted by hand */
static const Gram grams0[] = {{"the", 2},     {"cat", 1},     {"sat", 1},    {"on", 1},     {"mat", 1},
                              {"the cat", 1}, {"cat sat", 1}, {"sat on", 1}, {"on the", 1}, {"the mat", 1}};
static const Gram grams1[] = {{"a", 3}, {"a a", 2}};
static const Gram grams3[] = {{"hello", 1}};

static void check_corpus_counts(int buckets, int expect_distinct)
{
    const char *const *docs[4] = {doc0, doc1, NULL, doc3};
    const int n_tokens[4] = {6, 3, 0, 1};
    const Gram *grams[4] = {grams0, grams1, NULL, grams3};
    const int n_grams[4] = {10, 2, 0, 1};
    SbSparse *X = sb_sparse_from_docs(docs, n_tokens, 4, buckets);
    assert_int_equal(X->n_rows, 4);
    assert_int_equal(X->n_cols, buckets);
    assert_columns_increasing(X);
    for (int i = 0; i < 4; i++) {
        double *dense = calloc((size_t)buckets, sizeof(double));
        for (int g = 0; g < n_grams[i]; g++)
            dense[ref_bucket(grams[i][g].ngram, buckets)] += grams[i][g].count;
        int nz = 0;
        for (int j = 0; j < buckets; j++) {
            nz += dense[j] != 0;
            assert_true(entry(X, i, j) == dense[j]);
        }
        assert_int_equal(X->row_ptr[i + 1] - X->row_ptr[i], nz);
        if (expect_distinct)
            assert_int_equal(nz, n_grams[i]);
        free(dense);
    }
    sb_sparse_free(X);
}

static void sparse_from_docs_should_count_unigrams_and_bigrams(void **state)
{
    (void)state;
    check_corpus_counts(1 << 20, 1);
}

static void sparse_from_docs_should_sum_ngrams_that_collide(void **state)
{
    (void)state;
    /* 3 buckets: the 10 n-grams of the first document must share */
    check_corpus_counts(3, 0);
    check_corpus_counts(1, 0);
}

/* ------------------------------------------------------------------ */
/* TF-IDF                                                             */

/* d0 = "a b", d1 = "a c a", d2 = "b z". */
static const char *td0[] = {"a", "b"};
static const char *td1[] = {"a", "c", "a"};
static const char *td2[] = {"b", "z"};

static SbSparse *tfidf_corpus(int buckets)
{
    const char *const *docs[3] = {td0, td1, td2};
    const int n_tokens[3] = {2, 3, 2};
    const char *all[] = {"a", "b", "c", "z", "a b", "a c", "c a", "b z"};
    for (int i = 0; i < 8; i++) /* no collision, so values are per n-gram */
        for (int j = 0; j < i; j++)
            assert_int_not_equal(ref_bucket(all[i], buckets), ref_bucket(all[j], buckets));
    return sb_sparse_from_docs(docs, n_tokens, 3, buckets);
}

/* Row i of X is the n-grams g[0..n-1] with unnormalised weights w. */
static void assert_row(const SbSparse *X, int i, const char *const *g, const double *w, int n, int buckets)
{
    double norm = 0;
    for (int k = 0; k < n; k++)
        norm += w[k] * w[k];
    norm = sqrt(norm);
    assert_int_equal(X->row_ptr[i + 1] - X->row_ptr[i], n);
    for (int k = 0; k < n; k++)
        assert_true(fabs(entry(X, i, ref_bucket(g[k], buckets)) - w[k] / norm) < 1e-14);
}

static void tfidf_should_match_hand_computation_on_three_documents(void **state)
{
    (void)state;
    const int B = 1 << 20;
    SbSparse *X = tfidf_corpus(B);
    SbTfidf *t = sb_tfidf_fit(X, NULL, 3, 0);
    /* N = 3; df: a 2, b 2, c 1, z 1, every 2-gram 1 */
    double idf2 = log(4.0 / 3.0) + 1, idf1 = log(4.0 / 2.0) + 1;
    assert_true(fabs(t->idf[ref_bucket("a", B)] - idf2) < 1e-15);
    assert_true(fabs(t->idf[ref_bucket("c a", B)] - idf1) < 1e-15);
    /* a bucket no document uses: df = 0 */
    int unused = 0;
    for (int i = 0; i < 3; i++)
        while (entry(X, 0, unused) || entry(X, 1, unused) || entry(X, 2, unused))
            unused++;
    assert_true(fabs(t->idf[unused] - (log(4.0) + 1)) < 1e-15);
    sb_tfidf_apply(t, X);
    {
        const char *g[] = {"a", "b", "a b"};
        double w[] = {idf2, idf2, idf1};
        assert_row(X, 0, g, w, 3, B);
    }
    {
        const char *g[] = {"a", "c", "a c", "c a"};
        double w[] = {2 * idf2, idf1, idf1, idf1};
        assert_row(X, 1, g, w, 4, B);
    }
    {
        const char *g[] = {"b", "z", "b z"};
        double w[] = {idf2, idf1, idf1};
        assert_row(X, 2, g, w, 3, B);
    }
    sb_tfidf_free(t);
    sb_sparse_free(X);
}

static void tfidf_should_fit_on_training_rows_and_apply_to_others(void **state)
{
    (void)state;
    const int B = 1 << 20;
    SbSparse *X = tfidf_corpus(B);
    const int train[2] = {0, 1};
    SbTfidf *t = sb_tfidf_fit(X, train, 2, 1); /* sublinear tf */
    assert_int_equal(t->n_fitted, 2);
    /* N = 2; df over d0, d1: a 2, b 1, c 1, z 0, "b z" 0 */
    double idf_a = log(3.0 / 3.0) + 1, idf_1 = log(3.0 / 2.0) + 1, idf_0 = log(3.0) + 1;
    sb_tfidf_apply(t, X);
    {
        const char *g[] = {"a", "c", "a c", "c a"};
        double w[] = {(1 + log(2.0)) * idf_a, idf_1, idf_1, idf_1};
        assert_row(X, 1, g, w, 4, B);
    }
    {
        const char *g[] = {"b", "z", "b z"};
        double w[] = {idf_1, idf_0, idf_0};
        assert_row(X, 2, g, w, 3, B);
    }
    sb_tfidf_free(t);
    sb_sparse_free(X);
}

static void tfidf_should_leave_an_empty_row_empty(void **state)
{
    (void)state;
    const char *const *docs[2] = {td0, NULL};
    const int n_tokens[2] = {2, 0};
    SbSparse *X = sb_sparse_from_docs(docs, n_tokens, 2, 64);
    SbTfidf *t = sb_tfidf_fit(X, NULL, 2, 0);
    sb_tfidf_apply(t, X);
    assert_int_equal(X->row_ptr[2] - X->row_ptr[1], 0);
    for (int64_t p = 0; p < X->row_ptr[1]; p++)
        assert_true(isfinite(X->val[p]));
    sb_tfidf_free(t);
    sb_sparse_free(X);
}

/* ------------------------------------------------------------------ */
/* randomized SVD                                                     */

enum { ROWS = 60, COLS = 200, RANK = 8 };

/* A ROWS x COLS sparse matrix of rank RANK: each row mixes two or three of
 * RANK sparse base rows (15 random columns of the first 150, so columns
 * 150..199 are never used), with weights decaying by base so that the
 * singular values are distinct. When noise > 0 every row also gets 4
 * random entries of that size (full rank). Returned dense and as CSR. */
static SbSparse *test_matrix(uint64_t seed, double noise, double *dense)
{
    SbRng rng;
    sb_rng_seed(&rng, seed);
    double base[RANK][COLS];
    memset(base, 0, sizeof base);
    for (int k = 0; k < RANK; k++)
        for (int e = 0; e < 15; e++)
            base[k][sb_rng_below(&rng, 150)] = sb_rng_normal(&rng);
    memset(dense, 0, sizeof(double) * ROWS * COLS);
    for (int i = 0; i < ROWS; i++) {
        int mix = 2 + sb_rng_below(&rng, 2);
        for (int m = 0; m < mix; m++) {
            int k = (i + m * 3) % RANK; /* every base row is used */
            double c = sb_rng_normal(&rng) * pow(0.7, k);
            for (int j = 0; j < COLS; j++)
                dense[i * COLS + j] += c * base[k][j];
        }
        if (noise > 0)
            for (int e = 0; e < 4; e++)
                dense[i * COLS + sb_rng_below(&rng, COLS)] += noise * sb_rng_normal(&rng);
    }
    SbSparse *X = sb_calloc(1, sizeof *X);
    X->n_rows = ROWS;
    X->n_cols = COLS;
    X->row_ptr = sb_calloc(ROWS + 1, sizeof *X->row_ptr);
    X->col = sb_malloc(sizeof(int) * ROWS * COLS);
    X->val = sb_malloc(sizeof(double) * ROWS * COLS);
    int64_t nnz = 0;
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++)
            if (dense[i * COLS + j] != 0) {
                X->col[nnz] = j;
                X->val[nnz++] = dense[i * COLS + j];
            }
        X->row_ptr[i + 1] = nnz;
    }
    return X;
}

/* Full SVD of the dense ROWS x COLS matrix: sv [ROWS], U [ROWS x ROWS],
 * Vt [ROWS x COLS], row-major. */
static void full_svd(const double *dense, double *sv, double *U, double *Vt)
{
    double *a = malloc(sizeof(double) * ROWS * COLS);
    memcpy(a, dense, sizeof(double) * ROWS * COLS);
    int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', ROWS, COLS, a, COLS, sv, U, ROWS, Vt, COLS);
    assert_int_equal(info, 0);
    free(a);
}

/* The d columns of the compact V spread over all COLS columns. */
static double *expand_V(const SbSvd *s)
{
    double *V = calloc((size_t)COLS * s->d, sizeof(double));
    for (int c = 0; c < s->n_used; c++)
        memcpy(V + (size_t)s->used[c] * s->d, s->V + (size_t)c * s->d, sizeof(double) * s->d);
    return V;
}

/* Smallest cosine of the principal angles between span(V[:, :d]) (COLS x d)
 * and span of the first d rows of Vt (the reference right vectors). */
static double min_cosine(const double *V, const double *Vt, int d)
{
    double *M = calloc((size_t)d * d, sizeof(double)), *cs = calloc(d, sizeof(double));
    for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++)
            for (int j = 0; j < COLS; j++)
                M[a * d + b] += V[j * d + a] * Vt[b * COLS + j];
    int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', d, d, M, d, cs, NULL, 1, NULL, 1); /* values of M^T = of M */
    assert_int_equal(info, 0);
    double m = cs[d - 1];
    free(cs);
    free(M);
    return m;
}

static void check_exact_rank(int d, int oversample, int power_iters, uint64_t seed)
{
    double *dense = malloc(sizeof(double) * ROWS * COLS);
    double sv[ROWS], *U = malloc(sizeof(double) * ROWS * ROWS), *Vt = malloc(sizeof(double) * ROWS * COLS);
    SbSparse *X = test_matrix(11, 0.0, dense);
    full_svd(dense, sv, U, Vt);
    assert_true(sv[RANK - 1] > 1e-3 * sv[0] && sv[RANK] < 1e-12 * sv[0]); /* rank RANK as built */
    double *US = malloc(sizeof(double) * ROWS * d);
    SbSvd *s = sb_svd_fit(X, NULL, 0, d, oversample, power_iters, seed, US);
    assert_int_equal(s->d, d);
    assert_true(s->n_used <= 150);
    for (int k = 0; k < d; k++) {
        double want = k < RANK ? sv[k] : 0.0;
        assert_true(fabs(s->sv[k] - want) <= 1e-8 * sv[0]);
        if (k < RANK)
            assert_true(fabs(s->sv[k] - want) <= 1e-8 * want);
    }
    int dd = d < RANK ? d : RANK;
    double *V = expand_V(s);
    /* V orthonormal, and the same subspace as LAPACK's */
    for (int a = 0; a < dd; a++)
        for (int b = 0; b < dd; b++) {
            double dot = 0;
            for (int j = 0; j < COLS; j++)
                dot += V[j * d + a] * V[j * d + b];
            assert_true(fabs(dot - (a == b)) < 1e-12);
        }
    double *Vdd = malloc(sizeof(double) * COLS * dd);
    for (int j = 0; j < COLS; j++)
        for (int a = 0; a < dd; a++)
            Vdd[j * dd + a] = V[j * d + a];
    assert_true(min_cosine(Vdd, Vt, dd) > 1 - 1e-12);
    /* each component separately (distinct singular values): U S = +-U_ref S */
    for (int c = 0; c < dd; c++) {
        double plus = 0, minus = 0;
        for (int i = 0; i < ROWS; i++) {
            double ref = U[i * ROWS + c] * sv[c];
            plus = fmax(plus, fabs(US[i * d + c] - ref));
            minus = fmax(minus, fabs(US[i * d + c] + ref));
        }
        assert_true(fmin(plus, minus) < 1e-9 * sv[0]);
    }
    free(Vdd);
    free(V);
    sb_svd_free(s);
    free(US);
    sb_sparse_free(X);
    free(Vt);
    free(U);
    free(dense);
}

static void svd_should_match_full_lapack_svd_when_columns_cover_the_rank(void **state)
{
    (void)state;
    check_exact_rank(5, 3, 2, 1);  /* l = 8 = rank */
    check_exact_rank(4, 10, 1, 2); /* l = 14 > rank */
    check_exact_rank(8, 2, 3, 3);  /* d = rank */
    check_exact_rank(10, 4, 2, 4); /* d > rank: the extra values are 0 */
}

static void svd_should_approximate_a_noisy_low_rank_matrix_from_below(void **state)
{
    (void)state;
    double *dense = malloc(sizeof(double) * ROWS * COLS);
    double sv[ROWS], *U = malloc(sizeof(double) * ROWS * ROWS), *Vt = malloc(sizeof(double) * ROWS * COLS);
    SbSparse *X = test_matrix(12, 0.01, dense);
    full_svd(dense, sv, U, Vt);
    assert_true(sv[ROWS - 1] > 0); /* full rank */
    const int d = 4;
    SbSvd *s = sb_svd_fit(X, NULL, 0, d, 4, 5, 7, NULL);
    double *V = expand_V(s);
    for (int k = 0; k < d; k++) {
        /* the values of Q^T A never exceed A's */
        assert_true(s->sv[k] <= sv[k] * (1 + 1e-12));
        assert_true(s->sv[k] >= sv[k] * (1 - 1e-10));
    }
    assert_true(min_cosine(V, Vt, d) > 1 - 1e-10);
    free(V);
    sb_svd_free(s);
    sb_sparse_free(X);
    free(Vt);
    free(U);
    free(dense);
}

static void svd_transform_of_fitting_rows_should_equal_u_times_s(void **state)
{
    (void)state;
    double *dense = malloc(sizeof(double) * ROWS * COLS);
    SbSparse *X = test_matrix(13, 0.0, dense);
    const int d = 6, rows[5] = {3, 17, 0, 42, 59};
    double US[ROWS * 6], XV[ROWS * 6];
    SbSvd *s = sb_svd_fit(X, NULL, 0, d, 4, 2, 5, US);
    sb_svd_transform(s, X, NULL, 0, XV);
    for (int i = 0; i < ROWS * d; i++)
        assert_true(fabs(US[i] - XV[i]) < 1e-10 * s->sv[0]);
    /* a subset of rows, in the order given */
    sb_svd_transform(s, X, rows, 5, XV);
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < d; c++)
            assert_true(fabs(XV[r * d + c] - US[rows[r] * d + c]) < 1e-10 * s->sv[0]);
    sb_svd_free(s);
    sb_sparse_free(X);
    free(dense);
}

static void svd_fitted_on_a_subset_should_project_other_rows_by_v(void **state)
{
    (void)state;
    double *dense = malloc(sizeof(double) * ROWS * COLS);
    SbSparse *X = test_matrix(14, 0.05, dense);
    int train[40];
    for (int r = 0; r < 40; r++)
        train[r] = r;
    const int d = 5;
    SbSvd *s = sb_svd_fit(X, train, 40, d, 6, 2, 9, NULL);
    /* the noise reaches columns 150..199, some only in held-out rows */
    int unseen = 0;
    for (int64_t p = X->row_ptr[40]; p < X->row_ptr[ROWS]; p++)
        unseen += s->compact[X->col[p]] < 0;
    assert_true(unseen > 0);
    double *V = expand_V(s), out[20 * 5];
    int held[20];
    for (int r = 0; r < 20; r++)
        held[r] = 40 + r;
    sb_svd_transform(s, X, held, 20, out);
    for (int r = 0; r < 20; r++)
        for (int c = 0; c < d; c++) {
            double ref = 0;
            for (int j = 0; j < COLS; j++)
                ref += dense[held[r] * COLS + j] * V[j * d + c];
            assert_true(fabs(out[r * d + c] - ref) < 1e-12 * (1 + fabs(ref)));
        }
    free(V);
    sb_svd_free(s);
    sb_sparse_free(X);
    free(dense);
}

static void svd_should_give_the_same_bits_for_the_same_seed(void **state)
{
    (void)state;
    double *dense = malloc(sizeof(double) * ROWS * COLS);
    SbSparse *X = test_matrix(15, 0.02, dense);
    const int d = 5;
    double US1[ROWS * 5], US2[ROWS * 5], US3[ROWS * 5];
    SbSvd *a = sb_svd_fit(X, NULL, 0, d, 5, 2, 42, US1);
    SbSvd *b = sb_svd_fit(X, NULL, 0, d, 5, 2, 42, US2);
    SbSvd *c = sb_svd_fit(X, NULL, 0, d, 5, 2, 43, US3);
    assert_int_equal(a->n_used, b->n_used);
    assert_memory_equal(a->sv, b->sv, sizeof(double) * d);
    assert_memory_equal(a->V, b->V, sizeof(double) * (size_t)a->n_used * d);
    assert_memory_equal(US1, US2, sizeof US1);
    /* another seed: other bits */
    assert_memory_not_equal(a->V, c->V, sizeof(double) * (size_t)a->n_used * d);
    sb_svd_free(c);
    sb_svd_free(b);
    sb_svd_free(a);
    sb_sparse_free(X);
    free(dense);
}

/* ------------------------------------------------------------------ */
/* the pipeline                                                       */

static void textfeat_features_of_training_rows_should_have_orthogonal_columns_of_norm_sv(void **state)
{
    (void)state;
    enum { DOCS = 80, TOK = 30 };
    static const char *words[] = {"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta",
                                  "iota",  "kappa", "lambda", "mu",   "nu",  "xi",   "pi",  "rho"};
    SbRng rng;
    sb_rng_seed(&rng, 3);
    const char **store = malloc(sizeof(char *) * DOCS * TOK);
    const char *const *docs[DOCS];
    int n_tokens[DOCS], train[60];
    for (int i = 0; i < DOCS; i++) {
        n_tokens[i] = 1 + sb_rng_below(&rng, TOK);
        for (int t = 0; t < n_tokens[i]; t++)
            store[i * TOK + t] = words[sb_rng_below(&rng, 8 + (i % 2) * 8)];
        docs[i] = store + i * TOK;
    }
    for (int r = 0; r < 60; r++)
        train[r] = 79 - r; /* the last 60 documents, in reverse */
    SbTextFeatConfig cfg;
    sb_textfeat_defaults(&cfg, 6, 99);
    double psi[DOCS * 6], sv[6];
    sb_textfeat_features(docs, n_tokens, DOCS, train, 60, &cfg, psi, sv);
    for (int a = 0; a < 6; a++) {
        assert_true(sv[a] > 0 && (a == 0 || sv[a] <= sv[a - 1]));
        for (int b = 0; b < 6; b++) {
            double dot = 0;
            for (int r = 0; r < 60; r++)
                dot += psi[train[r] * 6 + a] * psi[train[r] * 6 + b];
            assert_true(fabs(dot - (a == b) * sv[a] * sv[a]) < 1e-10);
        }
    }
    /* TF-IDF rows have norm 1, so no projection exceeds 1 */
    for (int i = 0; i < DOCS; i++) {
        double n2 = 0;
        for (int c = 0; c < 6; c++)
            n2 += psi[i * 6 + c] * psi[i * 6 + c];
        assert_true(n2 <= 1 + 1e-12);
    }
    free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fnv1a64_should_match_published_test_vectors),
        cmocka_unit_test(sparse_from_docs_should_count_unigrams_and_bigrams),
        cmocka_unit_test(sparse_from_docs_should_sum_ngrams_that_collide),
        cmocka_unit_test(tfidf_should_match_hand_computation_on_three_documents),
        cmocka_unit_test(tfidf_should_fit_on_training_rows_and_apply_to_others),
        cmocka_unit_test(tfidf_should_leave_an_empty_row_empty),
        cmocka_unit_test(svd_should_match_full_lapack_svd_when_columns_cover_the_rank),
        cmocka_unit_test(svd_should_approximate_a_noisy_low_rank_matrix_from_below),
        cmocka_unit_test(svd_transform_of_fitting_rows_should_equal_u_times_s),
        cmocka_unit_test(svd_fitted_on_a_subset_should_project_other_rows_by_v),
        cmocka_unit_test(svd_should_give_the_same_bits_for_the_same_seed),
        cmocka_unit_test(textfeat_features_of_training_rows_should_have_orthogonal_columns_of_norm_sv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
