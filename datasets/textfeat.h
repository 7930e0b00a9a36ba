/* soupbench: text to numbers for the real-data track (SPEC section 5):
 * hashed word 1-grams and 2-grams, TF-IDF, and a truncated SVD to d
 * dimensions whose projections are the reference features psi(x, y) and
 * whose singular values are the dataset's spectrum.
 *
 * Input is already tokenized (tokenize.h): a document is an array of
 * NUL-terminated token strings.
 *
 *   hashing  every token (1-gram) and every pair of consecutive tokens
 *            (2-gram, the bytes "tok1 tok2" with one ASCII space between)
 *            goes to bucket FNV-1a-64(bytes) mod B. Tokens never hold a
 *            space (tokenize.h drops them), so a 1-gram and a 2-gram never
 *            hash the same string. Colliding n-grams share a bucket and
 *            their counts add. A document of n >= 1 tokens has n 1-grams
 *            and n - 1 2-grams.
 *   TF-IDF   value = tf * idf, each row then divided by its L2 norm (a row
 *            with no entry stays empty). tf = the raw count within the
 *            document (scikit-learn's default), or 1 + log(count) when
 *            `sublinear_tf` is set. idf = log((1 + N) / (1 + df)) + 1,
 *            N the number of fitted rows and df the number of them in
 *            which the bucket occurs (scikit-learn's smooth_idf): fitted
 *            on the training split, applied to every row; a bucket unseen
 *            in training gets log(1 + N) + 1.
 *   SVD      truncated SVD of the fitted rows, not centred (latent semantic
 *            analysis, as scikit-learn's TruncatedSVD): the randomized
 *            range finder with subspace iteration of Halko, Martinsson and
 *            Tropp (2011), Algorithm 4.4 then 5.1. With l = d + oversample
 *            columns: Omega (Gaussian, seeded), Q = qr(A Omega), then
 *            `power_iters` times Q = qr(A qr(A^T Q)) (Householder QR,
 *            LAPACKE_dgeqrf + dorgqr), then the SVD of the small
 *            Q^T A = Ub S V^T (LAPACKE_dgesdd), U = Q Ub. The sign of each
 *            component makes the largest-magnitude entry of its V column
 *            positive (the first one on a tie). Products with A are
 *            written for CSR: no dense n x B matrix is ever formed.
 *            Deterministic: the same input and seed give the same bits
 *            (on one machine and BLAS).
 *   memory   V is kept only for the buckets that occur in the fitted rows
 *            (a compact index; the V row of a bucket absent from the
 *            fitted rows is exactly 0, so nothing is lost). With B = 2^16,
 *            d = 64 that is at most 2^16 x 64 doubles = 34 MB. A large
 *            corpus fills nearly every bucket (15,000 documents of 200
 *            tokens fill all 2^16), so in practice B itself bounds the
 *            memory, and the default B is 2^16 rather than scikit-learn's
 *            2^20: the fit
 *            holds, besides a compact copy of the fitted rows (12 bytes per
 *            entry), one n x l and two to four n_used x l dense matrices
 *            (LAPACKE's row-major copies included): 39 MB each for
 *            n_used = 2^16, l = 74, and four times that for B = 2^18. */
#ifndef SB_TEXTFEAT_H
#define SB_TEXTFEAT_H

#include <stddef.h>
#include <stdint.h>

/* Defaults: B as argued above; oversampling and power iterations as
 * scikit-learn's TruncatedSVD (10 and 5). */
#define SB_TEXTFEAT_BUCKETS (1 << 16)
#define SB_TEXTFEAT_OVERSAMPLE 10
#define SB_TEXTFEAT_POWER_ITERS 5

/* FNV-1a, 64 bits: offset basis 0xcbf29ce484222325, prime 0x100000001b3;
 * for each byte, h ^= byte then h *= prime. */
uint64_t sb_fnv1a64(const void *bytes, size_t n);
/* The bucket of a 1-gram (b == NULL) or of the 2-gram "a b". */
int sb_ngram_bucket(const char *a, const char *b, int buckets);

/* ---- sparse matrices (CSR) ---- */

/* Row i holds the entries row_ptr[i] .. row_ptr[i + 1] - 1 of col and val,
 * with strictly increasing column indices. */
typedef struct {
    int n_rows, n_cols;
    int64_t *row_ptr; /* n_rows + 1 */
    int *col;         /* nnz */
    double *val;      /* nnz */
} SbSparse;

/* The document-term matrix of n_docs documents (document i: n_tokens[i]
 * tokens docs[i][0..n_tokens[i]-1]) over `buckets` hashed 1- and 2-grams;
 * values are counts. Free with sb_sparse_free. */
SbSparse *sb_sparse_from_docs(const char *const *const *docs, const int *n_tokens, int n_docs, int buckets);
static inline int64_t sb_sparse_nnz(const SbSparse *X) { return X->row_ptr[X->n_rows]; }
void sb_sparse_free(SbSparse *X);

/* ---- TF-IDF ---- */

typedef struct {
    int n_cols;
    int n_fitted;     /* N: the rows the idf was fitted on */
    int sublinear_tf; /* 0: tf = count; 1: tf = 1 + log(count) */
    double *idf;      /* n_cols */
} SbTfidf;

/* Fit the idf on rows[0..n_rows-1] of X (all rows when rows is NULL). */
SbTfidf *sb_tfidf_fit(const SbSparse *X, const int *rows, int n_rows, int sublinear_tf);
/* Replace every value of X (counts) by its L2-normalised TF-IDF, in place. */
void sb_tfidf_apply(const SbTfidf *t, SbSparse *X);
void sb_tfidf_free(SbTfidf *t);

/* ---- truncated SVD ---- */

typedef struct {
    int d;        /* components */
    int n_cols;   /* columns of the fitted matrix (the buckets) */
    int n_used;   /* columns that occur in the fitted rows */
    int *used;    /* n_used: those columns, by descending number of
                   * fitted rows holding them (ties by column), which
                   * keeps the often-visited rows of the dense factors
                   * together in cache */
    int *compact; /* n_cols: the index of a column in `used`, or -1 */
    double *sv;   /* d singular values, descending (0 past the rank the
                   * l = d + oversample columns can reach) */
    double *V;    /* n_used x d, row-major: the right singular vectors */
} SbSvd;

/* Fit on rows[0..n_rows-1] of X (all rows when rows is NULL). When US is
 * not NULL it receives the projections of those rows, U_d S_d (n_rows x d,
 * row-major, in the order of `rows`). */
SbSvd *sb_svd_fit(const SbSparse *X, const int *rows, int n_rows, int d, int oversample, int power_iters,
                  uint64_t seed, double *US);
/* out[i] = X[rows[i]] V_d (n_rows x d, row-major; all rows when rows is
 * NULL). For the fitted rows this equals U_d S_d up to the error of the
 * randomized range (exactly, in exact arithmetic, when l >= rank). */
void sb_svd_transform(const SbSvd *s, const SbSparse *X, const int *rows, int n_rows, double *out);
void sb_svd_free(SbSvd *s);

/* ---- the whole pipeline ---- */

typedef struct {
    int buckets;      /* SB_TEXTFEAT_BUCKETS */
    int sublinear_tf; /* 0 */
    int d;            /* components (the spectral dimension) */
    int oversample;   /* SB_TEXTFEAT_OVERSAMPLE */
    int power_iters;  /* SB_TEXTFEAT_POWER_ITERS */
    uint64_t seed;
} SbTextFeatConfig;

void sb_textfeat_defaults(SbTextFeatConfig *cfg, int d, uint64_t seed);

/* psi (n_docs x d, row-major) and the spectrum sv (d) of the documents:
 * TF-IDF and SVD fitted on train[0..n_train-1] (all documents when train
 * is NULL); training rows get U_d S_d, the others X V_d. */
void sb_textfeat_features(const char *const *const *docs, const int *n_tokens, int n_docs, const int *train,
                          int n_train, const SbTextFeatConfig *cfg, double *psi, double *sv);

#endif
