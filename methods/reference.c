/* soupbench method `reference`: pi_ref itself, the 0% point of the
 * normalised score. */
#include <string.h>

#include "method.h"

static void reference_serve(const SbProblem *p, void *state, const double *w, double *logits)
{
    (void)state;
    (void)w;
    memcpy(logits, p->ref_logits, sizeof(double) * (size_t)p->n_states * p->V);
}

const SbMethod sb_method_reference = {
    .name = "reference",
    .description = "the reference policy pi_ref, served unchanged to every user",
    .serve = reference_serve,
};
