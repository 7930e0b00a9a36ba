/* soupbench: trainers (harness/train.h). */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "solver.h"

void sb_policy_logits_cached(const SbProblem *p, const SbPolicy *pol, double *logits, SbPolicyCache *cache)
{
    sb_policy_forward(pol, p->inputs, p->n_states, logits, cache);
    if (p->logit_offset) {
        size_t n_sa = (size_t)p->n_states * p->V;
        for (size_t i = 0; i < n_sa; i++)
            logits[i] += p->logit_offset[i];
    }
}

void sb_policy_logits(const SbProblem *p, const SbPolicy *pol, double *logits)
{
    sb_policy_logits_cached(p, pol, logits, NULL);
}

/* ------------------------------------------------------------------ */
/* one step                                                           */

struct SbTrainWork {
    const SbProblem *p;
    const SbPolicy *pol;
    const SbPairs *pairs;     /* DPO training pairs; NULL for pg */
    SbPolicyWork *passes;     /* forward and backward buffers */
    SbDpoWork *dpo;           /* DPO: log pi_ref once, log pi and pi per step */
    SbObjectiveWork *pg;      /* pg: log pi_ref once, the objective's tables */
    double *logits, *dlogits; /* [n_states * V] */
};

SbTrainWork *sb_train_work_new(const SbProblem *p, const SbPolicy *pol, const SbPairs *pairs)
{
    SbTrainWork *w = sb_calloc(1, sizeof *w);
    size_t n_sa = (size_t)p->n_states * p->V;
    w->p = p, w->pol = pol, w->pairs = pairs;
    w->passes = sb_policy_work_new(pol, p->n_states);
    if (pairs)
        w->dpo = sb_dpo_work_new(p);
    else
        w->pg = sb_objective_work_new(p);
    w->logits = sb_zeros(n_sa);
    w->dlogits = sb_zeros(n_sa);
    return w;
}

void sb_train_work_free(SbTrainWork *w)
{
    if (!w)
        return;
    sb_policy_work_free(w->passes);
    sb_dpo_work_free(w->dpo);
    sb_objective_work_free(w->pg);
    free(w->dlogits);
    free(w->logits);
    free(w);
}

/* The logits at the current weights (kept in w for the backward pass). */
static void work_forward(SbTrainWork *w)
{
    const SbProblem *p = w->p;
    sb_policy_forward_work(w->pol, p->inputs, p->n_states, w->logits, w->passes);
    if (p->logit_offset) {
        size_t n_sa = (size_t)p->n_states * p->V;
        for (size_t i = 0; i < n_sa; i++)
            w->logits[i] += p->logit_offset[i];
    }
}

/* Forward, the training loss and its gradient with respect to the logits
 * (in w->dlogits); with heldout pairs, their loss too (DPO). */
static double work_loss(SbTrainWork *w, const double *r, const SbPairs *heldout, double *heldout_loss)
{
    const SbProblem *p = w->p;
    work_forward(w);
    double loss;
    if (w->pairs) {
        sb_dpo_work_set_logits(w->dpo, w->logits);
        loss = sb_dpo_work_loss(w->dpo, w->pairs, w->dlogits, NULL);
        if (heldout)
            *heldout_loss = sb_dpo_work_loss(w->dpo, heldout, NULL, NULL);
    } else {
        loss = -sb_policy_objective_work(w->pg, r, w->logits, w->dlogits);
        for (size_t i = 0; i < (size_t)p->n_states * p->V; i++)
            w->dlogits[i] = -w->dlogits[i];
        if (heldout_loss)
            *heldout_loss = loss;
    }
    return loss;
}

double sb_train_work_step(SbTrainWork *w, const double *r, double *grad)
{
    double loss = work_loss(w, r, NULL, NULL);
    sb_policy_backward_work(w->pol, w->passes, w->dlogits, grad);
    return loss;
}

/* ------------------------------------------------------------------ */
/* the training loop                                                  */

static void check_finite(const SbPolicy *pol, const double *v, int n, const char *label, int step, const char *what)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            char name[64];
            if (pol)
                sb_policy_param_name(pol, i, name, sizeof name);
            else
                snprintf(name, sizeof name, "logit %d", i);
            sb_fail(SB_EXIT_FAIL, "training %s: step %d: %s of %s is %g (non-finite); check the rewards, or lower $.train.lr", label,
                    step, what, name, v[i]);
        }
}

static double learning_rate(const SbTrainConfig *tc, int step)
{
    double warm = tc->warmup > 0 && step < tc->warmup ? (double)(step + 1) / (tc->warmup + 1) : 1.0;
    return tc->lr * warm * 0.5 * (1.0 + cos(M_PI * step / tc->steps));
}

void sb_train(const SbProblem *p, SbPolicy *pol, const double *r, const SbTrainConfig *tc, uint64_t seed,
              const char *label, SbTrainStats *st)
{
    double start = sb_now(), flops0 = sb_mlp_flops();
    int n = pol->n_params;
    size_t n_sa = (size_t)p->n_states * p->V;
    int dpo = tc->trainer == SB_TRAINER_DPO;
    SbPairs train = {0}, heldout = {0};
    if (dpo) {
        SbRng rng;
        sb_rng_seed(&rng, seed);
        SbPairLabels labels = {tc->labels, tc->label_temperature, 1};
        train = sb_pairs_sample(p, r, tc->pairs, 0, p->n_prompts, &labels, &rng);
        heldout = sb_pairs_sample(p, r, tc->heldout_pairs, 0, p->n_prompts, &labels, &rng);
    }
    double *m = sb_zeros(n), *v = sb_zeros(n), *grad = sb_zeros(n), *best = sb_zeros(n);
    SbTrainWork *w = sb_train_work_new(p, pol, dpo ? &train : NULL);
    double best_heldout = INFINITY, best_loss = NAN;
    int since_best = 0, step;
    memcpy(best, pol->theta, sizeof(double) * (size_t)n);
    st->best_step = 0;
    for (step = 0; step < tc->steps; step++) {
        double heldout_loss;
        double loss = work_loss(w, r, dpo ? &heldout : NULL, &heldout_loss);
        if (!isfinite(loss))
            sb_fail(SB_EXIT_FAIL, "training %s: step %d: the loss is %g (non-finite); check the rewards, or lower $.train.lr", label,
                    step, loss);
        check_finite(NULL, w->dlogits, (int)n_sa, label, step, "the gradient");
        if (step == 0 || heldout_loss < best_heldout - 1e-12 * fabs(best_heldout)) {
            best_heldout = heldout_loss;
            best_loss = loss;
            memcpy(best, pol->theta, sizeof(double) * (size_t)n);
            st->best_step = step;
            since_best = 0;
        } else if (++since_best >= tc->patience) {
            break;
        }
        sb_policy_backward_work(pol, w->passes, w->dlogits, grad);
        check_finite(pol, grad, n, label, step, "the gradient");
        double lr = learning_rate(tc, step);
        double c1 = 1.0 - pow(0.9, step + 1), c2 = 1.0 - pow(0.999, step + 1);
        for (int i = 0; i < n; i++) {
            m[i] = 0.9 * m[i] + 0.1 * grad[i];
            v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
            pol->theta[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + 1e-8);
        }
        /* the optimiser and the loss: a dozen operations per parameter and pair */
        sb_mlp_count_flops(12.0 * n + 20.0 * (double)n_sa);
    }
    memcpy(pol->theta, best, sizeof(double) * (size_t)n);
    st->steps = step;
    st->loss = best_loss;
    st->heldout_loss = best_heldout;
    st->heldout_accuracy = NAN;
    if (dpo) {
        work_forward(w);
        sb_dpo_work_set_logits(w->dpo, w->logits);
        sb_dpo_work_loss(w->dpo, &heldout, NULL, &st->heldout_accuracy);
    }
    sb_train_work_free(w);
    if (dpo) {
        sb_pairs_free(&train);
        sb_pairs_free(&heldout);
    }
    st->seconds = sb_now() - start;
    st->flops = sb_mlp_flops() - flops0;
    free(best);
    free(grad);
    free(v);
    free(m);
}
