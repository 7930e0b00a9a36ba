/* soupbench: non-dominated filter and exact 2-D hypervolume (harness/pareto.h). */
#include "pareto.h"

#include <stdlib.h>

#include "sb.h"

void sb_pareto_nondominated(const double *x, const double *y, int n, int *flag)
{
    /* O(n^2) is fine for the grids of a Pareto sweep (tens of points). */
    for (int i = 0; i < n; i++) {
        flag[i] = 1;
        for (int j = 0; j < n && flag[i]; j++)
            if (x[j] >= x[i] && y[j] >= y[i] && (x[j] > x[i] || y[j] > y[i]))
                flag[i] = 0;
    }
}

typedef struct {
    double x, y;
} Point;

static int by_x_descending(const void *a, const void *b)
{
    const Point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? 1 : -1;
    return (p->y < q->y) - (p->y > q->y); /* then y descending */
}

double sb_hypervolume_2d(const double *x, const double *y, int n, double rx, double ry)
{
    Point *pts = sb_calloc((size_t)n, sizeof *pts);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (x[i] > rx && y[i] > ry)
            pts[k++] = (Point){x[i], y[i]};
    qsort(pts, (size_t)k, sizeof *pts, by_x_descending);
    /* Sweep from the largest x: each point that raises the best y so far
     * adds the strip between the old and new best y, of width x - rx. */
    double area = 0, best_y = ry;
    for (int i = 0; i < k; i++)
        if (pts[i].y > best_y) {
            area += (pts[i].x - rx) * (pts[i].y - best_y);
            best_y = pts[i].y;
        }
    free(pts);
    return area;
}
