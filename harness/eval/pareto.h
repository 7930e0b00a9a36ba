/* soupbench: Pareto fronts of two maximised objectives (SPEC section 6). */
#ifndef SB_PARETO_H
#define SB_PARETO_H

/* flag[i] = 1 if no other point is at least as good in both objectives and
 * strictly better in one; duplicates of a non-dominated point are all kept. */
void sb_pareto_nondominated(const double *x, const double *y, int n, int *flag);

/* Exact area of the region dominated by the points and dominating the
 * reference point (rx, ry): the 2-D hypervolume. Points that do not
 * dominate the reference contribute nothing. */
double sb_hypervolume_2d(const double *x, const double *y, int n, double rx, double ry);

#endif
