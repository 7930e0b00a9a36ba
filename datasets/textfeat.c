/* soupbench: hashed n-grams, TF-IDF and randomized truncated SVD
 * (datasets/textfeat.h). */
#include "textfeat.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

/* ------------------------------------------------------------------ */
/* hashing                                                            */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv1a64_continue(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fnv1a64_str(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t sb_fnv1a64(const void *bytes, size_t n) { return fnv1a64_continue(FNV_OFFSET, bytes, n); }

/* The hash of "a b" continues the hash of "a": h(a), then ' ', then b. */
static uint64_t bigram_hash(uint64_t ha, const char *b) { return fnv1a64_str(fnv1a64_continue(ha, (const unsigned char *)" ", 1), b); }

int sb_ngram_bucket(const char *a, const char *b, int buckets)
{
    SB_ASSERT(buckets > 0);
    uint64_t h = fnv1a64_str(FNV_OFFSET, a);
    if (b)
        h = bigram_hash(h, b);
    return (int)(h % (uint64_t)buckets);
}

/* ------------------------------------------------------------------ */
/* sparse matrices                                                    */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

SbSparse *sb_sparse_from_docs(const char *const *const *docs, const int *n_tokens, int n_docs, int buckets)
{
    if (buckets <= 0)
        sb_fail(SB_EXIT_USAGE, "text features: the number of hash buckets must be positive (got %d)", buckets);
    SbSparse *X = sb_calloc(1, sizeof *X);
    X->n_rows = n_docs;
    X->n_cols = buckets;
    X->row_ptr = sb_calloc((size_t)n_docs + 1, sizeof *X->row_ptr);
    size_t cap = 1024, nnz = 0, idcap = 0;
    X->col = sb_malloc(cap * sizeof *X->col);
    X->val = sb_malloc(cap * sizeof *X->val);
    int *ids = NULL;
    for (int i = 0; i < n_docs; i++) {
        int n = n_tokens[i];
        size_t m = n > 0 ? 2 * (size_t)n - 1 : 0;
        if (m > idcap)
            ids = sb_realloc(ids, (idcap = 2 * m) * sizeof *ids);
        for (int t = 0; t < n; t++) {
            uint64_t h = fnv1a64_str(FNV_OFFSET, docs[i][t]);
            ids[t] = (int)(h % (uint64_t)buckets);
            if (t + 1 < n)
                ids[n + t] = (int)(bigram_hash(h, docs[i][t + 1]) % (uint64_t)buckets);
        }
        qsort(ids, m, sizeof *ids, cmp_int);
        if (nnz + m > cap) {
            while (nnz + m > cap)
                cap *= 2;
            X->col = sb_realloc(X->col, cap * sizeof *X->col);
            X->val = sb_realloc(X->val, cap * sizeof *X->val);
        }
        for (size_t k = 0; k < m; k++) {
            if (k > 0 && ids[k] == ids[k - 1]) {
                X->val[nnz - 1] += 1.0;
                continue;
            }
            X->col[nnz] = ids[k];
            X->val[nnz++] = 1.0;
        }
        X->row_ptr[i + 1] = (int64_t)nnz;
    }
    free(ids);
    return X;
}

void sb_sparse_free(SbSparse *X)
{
    if (!X)
        return;
    free(X->val);
    free(X->col);
    free(X->row_ptr);
    free(X);
}

/* ------------------------------------------------------------------ */
/* TF-IDF                                                             */

SbTfidf *sb_tfidf_fit(const SbSparse *X, const int *rows, int n_rows, int sublinear_tf)
{
    if (!rows)
        n_rows = X->n_rows;
    SbTfidf *t = sb_calloc(1, sizeof *t);
    t->n_cols = X->n_cols;
    t->n_fitted = n_rows;
    t->sublinear_tf = sublinear_tf;
    t->idf = sb_zeros(X->n_cols);
    int *df = sb_calloc((size_t)X->n_cols, sizeof *df);
    for (int r = 0; r < n_rows; r++) {
        int i = rows ? rows[r] : r;
        SB_ASSERT(i >= 0 && i < X->n_rows);
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
            if (X->val[p] != 0)
                df[X->col[p]]++;
    }
    for (int j = 0; j < X->n_cols; j++)
        t->idf[j] = log((1.0 + n_rows) / (1.0 + df[j])) + 1.0;
    free(df);
    return t;
}

void sb_tfidf_apply(const SbTfidf *t, SbSparse *X)
{
    if (X->n_cols != t->n_cols)
        sb_fail(SB_EXIT_FAIL, "internal error: TF-IDF fitted on %d columns applied to %d", t->n_cols, X->n_cols);
    for (int i = 0; i < X->n_rows; i++) {
        double norm = 0;
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++) {
            double c = X->val[p];
            double tf = t->sublinear_tf && c > 0 ? 1.0 + log(c) : c;
            X->val[p] = tf * t->idf[X->col[p]];
            norm += X->val[p] * X->val[p];
        }
        if (norm > 0) {
            norm = sqrt(norm);
            for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
                X->val[p] /= norm;
        }
    }
}

void sb_tfidf_free(SbTfidf *t)
{
    if (!t)
        return;
    free(t->idf);
    free(t);
}

/* ------------------------------------------------------------------ */
/* randomized truncated SVD                                           */

/* The fitted rows as their own CSR matrix over the compact column index. */
static SbSparse *compact_rows(const SbSparse *X, const int *rows, int n_rows, const int *compact, int n_used)
{
    SbSparse *A = sb_calloc(1, sizeof *A);
    A->n_rows = n_rows;
    A->n_cols = n_used;
    A->row_ptr = sb_calloc((size_t)n_rows + 1, sizeof *A->row_ptr);
    int64_t nnz = 0;
    for (int r = 0; r < n_rows; r++) {
        int i = rows ? rows[r] : r;
        nnz += X->row_ptr[i + 1] - X->row_ptr[i];
    }
    A->col = sb_malloc((size_t)nnz * sizeof *A->col);
    A->val = sb_malloc((size_t)nnz * sizeof *A->val);
    nnz = 0;
    for (int r = 0; r < n_rows; r++) {
        int i = rows ? rows[r] : r;
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++) {
            A->col[nnz] = compact[X->col[p]];
            A->val[nnz++] = X->val[p];
        }
        A->row_ptr[r + 1] = nnz;
    }
    return A;
}

/* The dense rows the sparse products visit are scattered over a matrix
 * larger than the caches: ask for the row of an entry a few entries ahead
 * (a hint only; it does not change the result). */
#define PREFETCH_AHEAD 4

static inline void prefetch_row(const double *row, int l)
{
    for (int k = 0; k < l; k += 8) /* one 64-byte line holds 8 doubles */
        __builtin_prefetch(row + k);
}

/* out (A->n_rows x l) = A M, M (A->n_cols x l), all row-major. */
static void csr_times_dense(const SbSparse *A, const double *M, int l, double *out)
{
    int64_t nnz = A->row_ptr[A->n_rows];
    for (int i = 0; i < A->n_rows; i++) {
        double *o = out + (size_t)i * l;
        memset(o, 0, sizeof(double) * (size_t)l);
        for (int64_t p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
            if (p + PREFETCH_AHEAD < nnz)
                prefetch_row(M + (size_t)A->col[p + PREFETCH_AHEAD] * l, l);
            const double *m = M + (size_t)A->col[p] * l;
            double v = A->val[p];
            for (int k = 0; k < l; k++)
                o[k] += v * m[k];
        }
    }
}

/* out (A->n_cols x l) = A^T M, M (A->n_rows x l), all row-major. */
static void csr_t_times_dense(const SbSparse *A, const double *M, int l, double *out)
{
    memset(out, 0, sizeof(double) * (size_t)A->n_cols * l);
    int64_t nnz = A->row_ptr[A->n_rows];
    for (int i = 0; i < A->n_rows; i++) {
        const double *m = M + (size_t)i * l;
        for (int64_t p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
            if (p + PREFETCH_AHEAD < nnz)
                prefetch_row(out + (size_t)A->col[p + PREFETCH_AHEAD] * l, l);
            double *o = out + (size_t)A->col[p] * l;
            double v = A->val[p];
            for (int k = 0; k < l; k++)
                o[k] += v * m[k];
        }
    }
}

/* Replace M (m x k, row-major, m >= k) by the Q of its Householder QR:
 * orthonormal columns spanning at least M's column space, even when M is
 * rank-deficient. */
static void orthonormalise(double *M, int m, int k, double *tau)
{
    int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, k, M, k, tau);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dgeqrf failed (info %d) on a %d x %d matrix", info, m, k);
    info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, k, k, M, k, tau);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dorgqr failed (info %d) on a %d x %d matrix", info, m, k);
}

typedef struct {
    int64_t count;
    int col;
} ColCount;

/* Descending count, then increasing column. */
static int cmp_col_count(const void *a, const void *b)
{
    const ColCount *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

SbSvd *sb_svd_fit(const SbSparse *X, const int *rows, int n_rows, int d, int oversample, int power_iters,
                  uint64_t seed, double *US)
{
    if (!rows)
        n_rows = X->n_rows;
    if (d <= 0 || oversample < 0 || power_iters < 0)
        sb_fail(SB_EXIT_USAGE, "text features: SVD needs d > 0, oversample >= 0 and power_iters >= 0 (got %d, %d, %d)",
                d, oversample, power_iters);
    SbSvd *s = sb_calloc(1, sizeof *s);
    s->d = d;
    s->n_cols = X->n_cols;
    s->compact = sb_malloc((size_t)X->n_cols * sizeof *s->compact);
    s->used = sb_malloc((size_t)X->n_cols * sizeof *s->used);
    /* compact index: the used columns by descending number of entries
     * (ties by column), so that the rows of the dense n_used x l factors
     * that the sparse products touch most often sit together in cache */
    int64_t *count = sb_calloc((size_t)X->n_cols, sizeof *count);
    for (int r = 0; r < n_rows; r++) {
        int i = rows ? rows[r] : r;
        SB_ASSERT(i >= 0 && i < X->n_rows);
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
            count[X->col[p]]++;
    }
    ColCount *order = sb_malloc((size_t)X->n_cols * sizeof *order);
    for (int j = 0; j < X->n_cols; j++)
        if (count[j] > 0)
            order[s->n_used++] = (ColCount){count[j], j};
    qsort(order, (size_t)s->n_used, sizeof *order, cmp_col_count);
    for (int c = 0; c < s->n_used; c++)
        s->used[c] = order[c].col;
    free(order);
    free(count);
    for (int j = 0; j < X->n_cols; j++)
        s->compact[j] = -1;
    for (int c = 0; c < s->n_used; c++)
        s->compact[s->used[c]] = c;
    s->used = sb_realloc(s->used, (size_t)(s->n_used > 0 ? s->n_used : 1) * sizeof *s->used);
    s->sv = sb_zeros(d);
    s->V = sb_zeros((size_t)s->n_used * d);
    if (US)
        memset(US, 0, sizeof(double) * (size_t)n_rows * d);

    /* l columns, at most the smaller dimension; components past l stay 0 */
    int n = n_rows, nu = s->n_used, l = d + oversample;
    if (l > n)
        l = n;
    if (l > nu)
        l = nu;
    if (l == 0)
        return s;
    int k = d < l ? d : l;
    SbSparse *A = compact_rows(X, rows, n_rows, s->compact, nu);
    double *Y = sb_zeros((size_t)n * l), *Z = sb_zeros((size_t)nu * l), *tau = sb_zeros(l);

    SbRng rng;
    sb_rng_derive(&rng, seed, "textfeat-svd");
    for (size_t i = 0; i < (size_t)nu * l; i++)
        Z[i] = sb_rng_normal(&rng);
    csr_times_dense(A, Z, l, Y); /* Y = A Omega */
    orthonormalise(Y, n, l, tau);
    for (int it = 0; it < power_iters; it++) {
        csr_t_times_dense(A, Y, l, Z);
        orthonormalise(Z, nu, l, tau);
        csr_times_dense(A, Z, l, Y);
        orthonormalise(Y, n, l, tau);
    }
    csr_t_times_dense(A, Y, l, Z); /* Z = A^T Q = (Q^T A)^T */

    /* Z = Uz diag(sig) Vz^T, so Q^T A = Vz diag(sig) Uz^T: V = Uz, Ub = Vz */
    double *sig = sb_zeros(l), *Uz = sb_zeros((size_t)nu * l), *Vzt = sb_zeros((size_t)l * l);
    int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', nu, l, Z, l, sig, Uz, l, Vzt, l);
    if (info != 0)
        sb_fail(SB_EXIT_FAIL, "LAPACKE_dgesdd failed (info %d) on a %d x %d matrix", info, nu, l);
    for (int c = 0; c < k; c++) {
        /* sign: the largest-magnitude entry of V's column is positive */
        int best = 0;
        for (int j = 1; j < nu; j++)
            if (fabs(Uz[(size_t)j * l + c]) > fabs(Uz[(size_t)best * l + c]))
                best = j;
        double sign = Uz[(size_t)best * l + c] < 0 ? -1.0 : 1.0;
        s->sv[c] = sig[c];
        for (int j = 0; j < nu; j++)
            s->V[(size_t)j * d + c] = sign * Uz[(size_t)j * l + c];
        /* U S = Q Ub S; Ub's column c is row c of Vzt */
        if (US)
            for (int i = 0; i < n; i++) {
                double acc = 0;
                for (int q = 0; q < l; q++)
                    acc += Y[(size_t)i * l + q] * Vzt[(size_t)c * l + q];
                US[(size_t)i * d + c] = sign * acc * sig[c];
            }
    }
    free(Vzt);
    free(Uz);
    free(sig);
    free(tau);
    free(Z);
    free(Y);
    sb_sparse_free(A);
    return s;
}

void sb_svd_transform(const SbSvd *s, const SbSparse *X, const int *rows, int n_rows, double *out)
{
    if (X->n_cols != s->n_cols)
        sb_fail(SB_EXIT_FAIL, "internal error: SVD fitted on %d columns applied to %d", s->n_cols, X->n_cols);
    if (!rows)
        n_rows = X->n_rows;
    int d = s->d;
    for (int r = 0; r < n_rows; r++) {
        int i = rows ? rows[r] : r;
        SB_ASSERT(i >= 0 && i < X->n_rows);
        double *o = out + (size_t)r * d;
        memset(o, 0, sizeof(double) * (size_t)d);
        for (int64_t p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++) {
            int c = s->compact[X->col[p]];
            if (c < 0) /* a bucket absent from the fitted rows: V row 0 */
                continue;
            const double *v = s->V + (size_t)c * d;
            for (int q = 0; q < d; q++)
                o[q] += X->val[p] * v[q];
        }
    }
}

void sb_svd_free(SbSvd *s)
{
    if (!s)
        return;
    free(s->V);
    free(s->sv);
    free(s->used);
    free(s->compact);
    free(s);
}

/* ------------------------------------------------------------------ */
/* the pipeline                                                       */

void sb_textfeat_defaults(SbTextFeatConfig *cfg, int d, uint64_t seed)
{
    cfg->buckets = SB_TEXTFEAT_BUCKETS;
    cfg->sublinear_tf = 0;
    cfg->d = d;
    cfg->oversample = SB_TEXTFEAT_OVERSAMPLE;
    cfg->power_iters = SB_TEXTFEAT_POWER_ITERS;
    cfg->seed = seed;
}

void sb_textfeat_features(const char *const *const *docs, const int *n_tokens, int n_docs, const int *train,
                          int n_train, const SbTextFeatConfig *cfg, double *psi, double *sv)
{
    if (!train)
        n_train = n_docs;
    int d = cfg->d;
    SbSparse *X = sb_sparse_from_docs(docs, n_tokens, n_docs, cfg->buckets);
    SbTfidf *t = sb_tfidf_fit(X, train, n_train, cfg->sublinear_tf);
    sb_tfidf_apply(t, X);
    double *US = sb_zeros((size_t)n_train * d);
    SbSvd *s = sb_svd_fit(X, train, n_train, d, cfg->oversample, cfg->power_iters, cfg->seed, US);
    if (sv)
        memcpy(sv, s->sv, sizeof(double) * (size_t)d);

    /* training rows: U S; the others: X V */
    unsigned char *is_train = sb_calloc((size_t)n_docs, 1);
    for (int r = 0; r < n_train; r++) {
        int i = train ? train[r] : r;
        is_train[i] = 1;
        memcpy(psi + (size_t)i * d, US + (size_t)r * d, sizeof(double) * (size_t)d);
    }
    int *rest = sb_malloc((size_t)n_docs * sizeof *rest), n_rest = 0;
    for (int i = 0; i < n_docs; i++)
        if (!is_train[i])
            rest[n_rest++] = i;
    if (n_rest > 0) {
        double *out = sb_zeros((size_t)n_rest * d);
        sb_svd_transform(s, X, rest, n_rest, out);
        for (int r = 0; r < n_rest; r++)
            memcpy(psi + (size_t)rest[r] * d, out + (size_t)r * d, sizeof(double) * (size_t)d);
        free(out);
    }
    free(rest);
    free(is_train);
    free(US);
    sb_svd_free(s);
    sb_tfidf_free(t);
    sb_sparse_free(X);
}
