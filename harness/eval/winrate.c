/* soupbench: exact and sampled win-rates (harness/winrate.h). */
#include "winrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double sb_trajectories_per_prompt(const SbProblem *p)
{
    double n = 1;
    for (int t = 0; t < p->H; t++) {
        n *= p->V;
        if (t + 1 < p->H && p->transition == SB_TRANSITION_LINEAR)
            n *= sb_problem_layer_size(p, t + 1);
    }
    return n;
}

typedef struct {
    const SbProblem *p;
    const double *r, *logits;
    double *ret, *prob;
    int n;
} Enumeration;

static void enumerate_from(Enumeration *e, int s, double ret, double prob)
{
    const SbProblem *p = e->p;
    int V = p->V, t = sb_problem_step(p, s);
    double *pi = sb_zeros(V);
    sb_softmax(e->logits + (size_t)s * V, V, pi);
    int n_next = t + 1 < p->H ? sb_problem_layer_size(p, t + 1) : 0;
    double *row = n_next ? sb_zeros(n_next) : NULL;
    for (int a = 0; a < V; a++) {
        double r = ret + e->r[(size_t)s * V + a], q = prob * pi[a];
        if (t + 1 == p->H) {
            e->ret[e->n] = r;
            e->prob[e->n] = q;
            e->n++;
            continue;
        }
        sb_problem_transition_row(p, s, a, row);
        for (int j = 0; j < n_next; j++)
            if (row[j] > 0)
                enumerate_from(e, p->layer_offset[t + 1] + j, r, q * row[j]);
    }
    free(row);
    free(pi);
}

void sb_enumerate_trajectories(const SbProblem *p, const double *r, const double *logits, int x, double **ret,
                               double **prob, int *n)
{
    size_t cap = (size_t)sb_trajectories_per_prompt(p);
    Enumeration e = {p, r, logits, sb_zeros(cap), sb_zeros(cap), 0};
    enumerate_from(&e, x, 0.0, 1.0);
    *ret = e.ret;
    *prob = e.prob;
    *n = e.n;
}

typedef struct {
    double ret, prob;
} Outcome;

static int by_return(const void *a, const void *b)
{
    double x = ((const Outcome *)a)->ret, y = ((const Outcome *)b)->ret;
    return (x > y) - (x < y);
}

static Outcome *sorted_outcomes(const SbProblem *p, const double *r, const double *logits, int x, int *n)
{
    double *ret, *prob;
    sb_enumerate_trajectories(p, r, logits, x, &ret, &prob, n);
    Outcome *o = sb_calloc((size_t)*n, sizeof *o);
    for (int i = 0; i < *n; i++)
        o[i] = (Outcome){ret[i], prob[i]};
    qsort(o, (size_t)*n, sizeof *o, by_return);
    free(ret);
    free(prob);
    return o;
}

/* P(A > B) + 0.5 P(A = B) for two sorted outcome lists, by one merge. */
static double merge_winrate(const Outcome *a, int na, const Outcome *b, int nb)
{
    double win = 0, below = 0; /* below: P(B < current a) */
    int j = 0;
    for (int i = 0; i < na; i++) {
        while (j < nb && b[j].ret < a[i].ret)
            below += b[j++].prob;
        double equal = 0;
        for (int k = j; k < nb && b[k].ret == a[i].ret; k++)
            equal += b[k].prob;
        win += a[i].prob * (below + 0.5 * equal);
    }
    return win;
}

void sb_wilson(double phat, int n, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double z2 = z * z / n;
    double centre = (phat + 0.5 * z2) / (1 + z2);
    double half = z * sqrt(phat * (1 - phat) / n + z * z / (4.0 * n * n)) / (1 + z2);
    *lo = centre - half;
    *hi = centre + half;
}

SbWinRate sb_winrate(const SbProblem *p, const double *r, const double *logits_a, const double *logits_b,
                     int64_t max_enumerate, int samples, SbRng *rng)
{
    SbWinRate w = {0, 0, 0, 0};
    double n_traj = sb_trajectories_per_prompt(p);
    if (n_traj * n_traj <= (double)max_enumerate) {
        for (int x = 0; x < p->n_prompts; x++) {
            int na, nb;
            Outcome *a = sorted_outcomes(p, r, logits_a, x, &na);
            Outcome *b = sorted_outcomes(p, r, logits_b, x, &nb);
            w.rate += p->eval_init[x] * merge_winrate(a, na, b, nb);
            free(a);
            free(b);
        }
        w.lo = w.hi = w.rate;
        w.exact = 1;
        return w;
    }
    double *pi = sb_zeros(p->V), *row = sb_zeros(sb_problem_max_layer(p));
    double score = 0;
    for (int i = 0; i < samples; i++) {
        int x = sb_rng_categorical(rng, p->eval_init, p->n_prompts);
        double ra = sb_problem_sample(p, logits_a, r, x, rng, NULL, NULL, pi, row);
        double rb = sb_problem_sample(p, logits_b, r, x, rng, NULL, NULL, pi, row);
        score += ra > rb ? 1.0 : ra == rb ? 0.5 : 0.0;
    }
    free(row);
    free(pi);
    w.rate = score / samples;
    sb_wilson(w.rate, samples, &w.lo, &w.hi);
    return w;
}
