/* soupbench method `reference`: pi_ref itself, the 0% point of the
 * normalised score. */
#include <string.h>

#include "method.h"

static void reference_serve(const SbContext *ctx, void *state, const SbUser *user, double *warm, double *logits)
{
    (void)state, (void)user, (void)warm;
    memcpy(logits, ctx->p->ref_logits, sizeof(double) * (size_t)ctx->p->n_states * ctx->p->V);
}

const SbMethod sb_method_reference = {
    .name = "reference",
    .description = "the reference policy pi_ref, served unchanged to every user",
    .information = SB_INFO_NONE,
    .serve = reference_serve,
    .same_for_all = 1,
    .roles = SB_ROLE_REFERENCE,
    .style = {.rgb = 0x7f7f7f, .point = 5},
};
