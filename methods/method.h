/* soupbench: the one interface every method implements (SPEC section 2).
 *
 * A method is one file in methods/ defining a `const SbMethod` and one line
 * in registry.c. Given a problem and a user's weights w (m numbers), a
 * method serves a policy as logits on every enumerated state. */
#ifndef SB_METHOD_H
#define SB_METHOD_H

#include "basis.h"
#include "config.h"
#include "problem.h"

typedef struct SbMethod {
    const char *name;
    const char *description;
    /* Offline stage, once per experiment, with the shared basis (NULL when
     * the config has none); NULL if the method needs no offline stage.
     * Returns the method's state. */
    void *(*prepare)(const SbProblem *p, const SbConfig *cfg, const SbBasis *basis);
    /* The policy served to a user with weights w: n_states x vocab logits. */
    void (*serve)(const SbProblem *p, void *state, const double *w, double *logits);
    /* Frees what prepare returned; NULL if prepare is NULL. */
    void (*release)(void *state);
} SbMethod;

/* The registered method of that name, or NULL. */

const SbMethod *sb_method_find(const char *name);
/* Every registered method, in registry order; *n set. */
const SbMethod *const *sb_method_all(int *n);

#endif
