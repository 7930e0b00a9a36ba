/* soupbench: exact soft-optimal solution and exact policy evaluation on an
 * enumerable MDP (SPEC section 1), by backward and forward induction over
 * the enumerated states. */
#ifndef SB_SOLVER_H
#define SB_SOLVER_H

#include "problem.h"

typedef struct {
    double *Q;      /* [n_states * V]: Q*(s, a) */
    double *V;      /* [n_states]: V*(s) */
    double *logits; /* [n_states * V]: log pi*(a|s), a valid logit table */
    double value;   /* sum_x D_eval(x) V*(x): J_u(pi*) under p->eval_init */
} SbSoftSolution;

/* Soft-optimal Q*, V*, pi* of reward r [n_states * V] against the
 * reference logits ref_logits [n_states * V] with strength p->beta:
 *   Q*(s,a) = r(s,a) + E[V*(s')],  V*(s) = beta log sum_a pi_ref(a|s) exp(Q*(s,a)/beta),
 *   pi*(a|s) = pi_ref(a|s) exp((Q*(s,a) - V*(s)) / beta). */
void sb_solve_soft(const SbProblem *p, const double *r, const double *ref_logits, SbSoftSolution *out);
void sb_soft_solution_free(SbSoftSolution *sol);

/* Q^pi of reward r for the policy given by logits (no KL term):
 * Q(s,a) = r(s,a) + E[sum_a' pi(a'|s') Q(s',a')]. out [n_states * V]. */
void sb_policy_q(const SbProblem *p, const double *r, const double *logits, double *out);

/* The KL-regularised return J(pi) of reward r for the policy given by
 * logits, exactly; when dlogits [n_states * V] is not NULL it receives the
 * exact gradient dJ/dlogits (the "RLHF" trainer's gradient). */
double sb_policy_objective(const SbProblem *p, const double *r, const double *logits, double *dlogits);

/* The objective's tables, allocated once per trainer and reused by every
 * step: log pi_ref at every state (computed once: it is fixed), and log pi,
 * pi, Q, V and the occupancy of the policy of the last call. */
typedef struct SbObjectiveWork SbObjectiveWork;
SbObjectiveWork *sb_objective_work_new(const SbProblem *p);
void sb_objective_work_free(SbObjectiveWork *w);
/* sb_policy_objective with w's tables (one soft-max per state). */
double sb_policy_objective_work(SbObjectiveWork *w, const double *r, const double *logits, double *dlogits);

typedef struct {
    double J;       /* E[sum_t r_u] - beta * E[sum_t KL(pi || pi_ref)] */
    double reward;  /* E[sum_t r_u] */
    double KL;      /* E[sum_t KL(pi(.|s_t) || pi_ref(.|s_t))] */
    double *aspects; /* [m]: E[sum_t r_j], caller-provided */
} SbPolicyValue;

/* The same J under the evaluation distribution p->eval_init (no gradient):
 * what the protocols report, where sb_policy_objective is what trainers
 * optimise (on p->init). Equal on the synthetic track. */
double sb_policy_eval_objective(const SbProblem *p, const double *r, const double *logits);

/* Exact evaluation of the policy given by logits [n_states * V] for a user
 * with weights w [m], under p->eval_init; out->aspects must point to m
 * doubles. */
void sb_evaluate_policy(const SbProblem *p, const double *logits, const double *w, SbPolicyValue *out);

/* Expected visits of each state under the policy from p->init: occ
 * [n_states], summing to 1 within each step. */
void sb_occupancy(const SbProblem *p, const double *logits, double *occ);
/* The same from the evaluation prompts p->eval_init (what every reported
 * number is weighted by). */
void sb_occupancy_eval(const SbProblem *p, const double *logits, double *occ);

#endif
