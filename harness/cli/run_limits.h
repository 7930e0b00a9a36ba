/* soupbench run: limits up front.
 *
 * Before any work, `run` estimates from the resolved config how much
 * memory the run needs at its peak and how much work it is (floating-point
 * operations, roughly), and refuses (exit 2) a config
 *   - above a documented cap on one key (SB_LIMITS, harness/README.md),
 *   - with an array of 2^31 or more elements (the harness indexes arrays
 *     with int), or
 *   - whose memory exceeds what the machine has: physical memory, the
 *     cgroup's memory.max, RLIMIT_AS, or $SOUPBENCH_MAX_MEMORY (bytes, or
 *     with a K, M, G or T suffix) when set,
 * naming the JSON path of the key behind the largest item and the
 * estimate. The estimate is a model of the harness's largest arrays (the
 * problem's per-pair tables, the networks, the basis, the protocols'
 * tables), not a measurement: within a factor of about 2 of the peak
 * resident size on the paper's configs. */
#ifndef SB_RUN_LIMITS_H
#define SB_RUN_LIMITS_H

#include "config.h"

/* The shape of the problem the config builds. From the config alone on
 * the synthetic track (sb_limits_shape); on real data from the loaded
 * candidate sets. */
typedef struct {
    double states, actions; /* n_states, V */
    double inputs;          /* network input size */
    double prompts;
    double trajectories;    /* per prompt */
    int horizon;
} SbShape;

typedef struct {
    double bytes;        /* peak memory */
    double work;         /* floating-point operations */
    double largest;      /* bytes of the largest item */
    const char *path;    /* its JSON path */
    char what[160];      /* and what it is */
    double max_elements; /* of the largest array */
    const char *max_path;
    char max_what[160];
} SbEstimate;

/* The synthetic MDP of the config's dataset keys, with horizon H and
 * transition t. */
SbShape sb_limits_shape(const SbConfig *cfg, int H, SbTransition t);
/* The estimate for a run of cfg on a problem of this shape. */
void sb_limits_estimate(const SbConfig *cfg, const SbShape *shape, SbEstimate *e);
/* Memory the run may use (bytes) and where the figure comes from. */
double sb_limits_memory(const char **source);
/* Check cfg (the file `label`) on this shape (synthetic: the one of
 * sb_limits_shape); on a config beyond a limit, sb_fail with exit 2
 * naming the JSON path and the estimate. The path is that of the key
 * whose default value would shrink the estimate most. */
void sb_limits_check(const SbConfig *cfg, const SbShape *shape, int synthetic, const char *label);
/* Print the estimate (run --estimate). */
void sb_limits_print(const SbConfig *cfg, const SbShape *shape);

#endif
