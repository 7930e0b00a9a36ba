/* soupbench: preference pairs (harness/pairs.h). */
#include "pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vmath.h"

/* An array of n doubles every element of which is written before it is
 * read (no zeroing: calloc's memset is wasted work on every pass). */
static double *uninit(size_t n) { return sb_malloc(sizeof(double) * (n > 0 ? n : 1)); }

static double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)); }

void sb_pairs_reserve(SbPairs *pairs, int H, int capacity)
{
    memset(pairs, 0, sizeof *pairs);
    pairs->H = H;
    pairs->cap = capacity;
    pairs->s = sb_calloc((size_t)(capacity > 0 ? capacity : 1) * 2 * H, sizeof(int));
    pairs->a = sb_calloc((size_t)(capacity > 0 ? capacity : 1) * 2 * H, sizeof(int));
    pairs->y = sb_zeros(capacity > 0 ? capacity : 1);
}

void sb_pairs_add(const SbProblem *p, SbPairs *pairs, const double *r, int x_lo, int x_hi, const double *logits1,
                  const double *logits2, const SbPairLabels *labels, SbRng *rng)
{
    SB_ASSERT(0 <= x_lo && x_lo < x_hi && x_hi <= p->n_prompts && pairs->n < pairs->cap);
    int H = p->H, i = pairs->n++;
    int *s = pairs->s + (size_t)i * 2 * H, *a = pairs->a + (size_t)i * 2 * H;
    double *pi = sb_zeros(p->V), *row = sb_zeros(sb_problem_max_layer(p));
    double r1 = 0, r2 = 0;
    /* noise-free answers need distinct returns: redraw ties (a bounded
     * number of times; a tie left over is answered either way) */
    for (int tries = 0; tries < 100; tries++) {
        int x = x_lo + sb_rng_categorical(rng, p->init + x_lo, x_hi - x_lo);
        r1 = sb_problem_sample(p, logits1, r, x, rng, s, a, pi, row);
        r2 = sb_problem_sample(p, logits2, r, x, rng, s + H, a + H, pi, row);
        if (labels->kind != SB_LABELS_NOISE_FREE || r1 != r2)
            break;
    }
    double prob = sigmoid((r1 - r2) / labels->temperature), y;
    switch (labels->kind) {
    case SB_LABELS_NOISE_FREE:
        y = r1 >= r2;
        break;
    case SB_LABELS_SAMPLED:
        y = sb_rng_uniform(rng) < prob;
        break;
    default:
        y = prob;
    }
    if (labels->winner_first && y < 0.5) {
        for (int t = 0; t < H; t++) {
            int ts = s[t], ta = a[t];
            s[t] = s[H + t], a[t] = a[H + t];
            s[H + t] = ts, a[H + t] = ta;
        }
        y = 1.0 - y;
    }
    pairs->y[i] = y;
    free(row);
    free(pi);
}

SbPairs sb_pairs_sample(const SbProblem *p, const double *r, int n, int x_lo, int x_hi, const SbPairLabels *labels,
                        SbRng *rng)
{
    SbPairs pairs;
    sb_pairs_reserve(&pairs, p->H, n);
    for (int i = 0; i < n; i++)
        sb_pairs_add(p, &pairs, r, x_lo, x_hi, p->ref_logits, p->ref_logits, labels, rng);
    return pairs;
}

void sb_pairs_free(SbPairs *pairs)
{
    free(pairs->s);
    free(pairs->a);
    free(pairs->y);
    memset(pairs, 0, sizeof *pairs);
}

void sb_pairs_features(const SbProblem *p, const SbPairs *pairs, const double *g, int K, double *X)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    int H = pairs->H;
    for (int i = 0; i < pairs->n; i++) {
        const int *s = pairs->s + (size_t)i * 2 * H, *a = pairs->a + (size_t)i * 2 * H;
        for (int k = 0; k < K; k++) {
            double acc = 0;
            for (int t = 0; t < 2 * H; t++)
                acc += (t < H ? 1 : -1) * g[(size_t)k * n_sa + (size_t)s[t] * p->V + a[t]];
            X[(size_t)i * K + k] = acc;
        }
    }
}

struct SbDpoWork {
    const SbProblem *p;
    double *logref;     /* [n_states * V]: log pi_ref, computed once */
    double *logpi, *pi; /* [n_states * V]: of the logits last set */
    double *scratch;    /* [n_states * (V + 1)]: the soft-max's */
    int cap;            /* pairs the per-pair arrays hold */
    double *z, *e, *sp; /* [cap]: beta * margin, exp(-|z|), log1p(exp(-|z|)) */
};

SbDpoWork *sb_dpo_work_new(const SbProblem *p)
{
    size_t n_sa = (size_t)p->n_states * p->V;
    SbDpoWork *w = sb_calloc(1, sizeof *w);
    w->p = p;
    w->logref = uninit(n_sa);
    w->logpi = uninit(n_sa);
    w->pi = uninit(n_sa);
    w->scratch = uninit((size_t)p->n_states * (p->V + 1));
    sb_vlog_softmax_rows(p->ref_logits, p->n_states, p->V, w->logref, NULL, w->scratch);
    return w;
}

void sb_dpo_work_free(SbDpoWork *w)
{
    if (!w)
        return;
    free(w->logref);
    free(w->logpi);
    free(w->pi);
    free(w->scratch);
    free(w->z);
    free(w->e);
    free(w->sp);
    free(w);
}

void sb_dpo_work_set_logits(SbDpoWork *w, const double *logits)
{
    /* log pi at every state (cheap on enumerable MDPs), and pi once per
     * state rather than once per pair, token and action */
    sb_vlog_softmax_rows(logits, w->p->n_states, w->p->V, w->logpi, w->pi, w->scratch);
}

double sb_dpo_work_loss(const SbDpoWork *w_in, const SbPairs *pairs, double *dlogits, double *accuracy)
{
    SbDpoWork *w = (SbDpoWork *)w_in; /* the per-pair arrays are scratch */
    const SbProblem *p = w->p;
    int V = p->V, H = pairs->H, n = pairs->n;
    double beta = p->beta, loss = 0;
    int correct = 0;
    const double *logpi = w->logpi, *logref = w->logref;
    if (n > w->cap) {
        free(w->z), free(w->e), free(w->sp);
        w->cap = n;
        w->z = uninit((size_t)n), w->e = uninit((size_t)n), w->sp = uninit((size_t)n);
    }
    for (int i = 0; i < n; i++) {
        const int *s = pairs->s + (size_t)i * 2 * H, *a = pairs->a + (size_t)i * 2 * H;
        double margin = 0; /* log-ratio(first) - log-ratio(second) */
        for (int t = 0; t < 2 * H; t++) {
            size_t k = (size_t)s[t] * V + a[t];
            margin += (t < H ? 1 : -1) * (logpi[k] - logref[k]);
        }
        w->z[i] = beta * margin;
        w->e[i] = -fabs(w->z[i]);
        correct += (pairs->y[i] >= 0.5) == (margin > 0);
    }
    /* e = exp(-|z|) and log1p(e), vectorised over the pairs */
    sb_vexp(w->e, (size_t)n);
    memcpy(w->sp, w->e, sizeof(double) * (size_t)n);
    sb_vlog1p(w->sp, (size_t)n);
    if (dlogits)
        memset(dlogits, 0, sizeof(double) * (size_t)p->n_states * V);
    for (int i = 0; i < n; i++) {
        double z = w->z[i], y = pairs->y[i], e = w->e[i];
        /* -log sigmoid(z) = softplus(-z) = max(-z, 0) + log1p(exp(-|z|)) */
        double sp_neg = z > 0 ? w->sp[i] : -z + w->sp[i];
        loss += y * sp_neg + (1.0 - y) * (sp_neg + z);
        if (!dlogits)
            continue;
        /* d loss / dz = sigmoid(z) - y; d log pi(a|s) / dz(s,.) = e_a - pi(.|s) */
        double sig = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        double coef = beta * (sig - y) / n;
        const int *s = pairs->s + (size_t)i * 2 * H, *a = pairs->a + (size_t)i * 2 * H;
        for (int t = 0; t < 2 * H; t++) {
            double sign = t < H ? 1 : -1;
            double *d = dlogits + (size_t)s[t] * V;
            const double *pi = w->pi + (size_t)s[t] * V;
            for (int b = 0; b < V; b++)
                d[b] += coef * sign * ((b == a[t]) - pi[b]);
        }
    }
    if (accuracy)
        *accuracy = (double)correct / n;
    return loss / n;
}

double sb_dpo_loss(const SbProblem *p, const SbPairs *pairs, const double *logits, double *dlogits,
                   double *accuracy)
{
    SbDpoWork *w = sb_dpo_work_new(p);
    sb_dpo_work_set_logits(w, logits);
    double loss = sb_dpo_work_loss(w, pairs, dlogits, accuracy);
    sb_dpo_work_free(w);
    return loss;
}
