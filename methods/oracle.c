/* soupbench method `oracle`: the exact soft-optimal policy pi* of the
 * user's reward r_u = sum_j w_j r_j, by backward induction over the
 * enumerated states (harness/solver.c). */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sb.h"
#include "solver.h"

static void oracle_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state, (void)warm;
    const SbProblem *p = ctx->p;
    double *r = sb_zeros((size_t)p->n_states * p->V);
    SB_ASSERT(user->w);
    sb_problem_user_reward(p, user->w, r);
    SbSoftSolution sol;
    sb_solve_soft(p, r, p->ref_logits, &sol);
    memcpy(logits, sol.logits, sizeof(double) * (size_t)p->n_states * p->V);
    sb_soft_solution_free(&sol);
    free(r);
}

const SbMethod sb_method_oracle = {
    .name = "oracle",
    .description = "the exact soft-optimal policy pi* of the user's reward (enumerable MDPs only)",
    .information = SB_INFO_REFERENCE_POINT,
    .serve = oracle_serve,
    .roles = SB_ROLE_ORACLE,
    .style = {.rgb = 0x000000, .point = 7},
};
