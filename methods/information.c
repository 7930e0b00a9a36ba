/* soupbench: what each method is told about a user (methods/method.h,
 * SPEC section 2 "Information"). The protocols build every method's view
 * of a user here, so no method of the default comparison is handed w. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback.h"
#include "method.h"
#include "sb.h"

int sb_information_is_oracle(SbInformation info)
{
    return info == SB_INFO_TRUE_WEIGHTS || info == SB_INFO_EXACT_REWARDS || info == SB_INFO_EXACT_Q;
}

int sb_information_gets_truth(SbInformation info)
{
    return info == SB_INFO_REFERENCE_POINT || sb_information_is_oracle(info);
}

SbUser sb_method_user(const SbMethod *m, const SbPairs *feedback, const double *w, double l2, double *kept)
{
    SbUser u = {.feedback = feedback, .w = sb_information_gets_truth(m->information) ? w : NULL, .l2 = l2,
                .kept = kept};
    return u;
}

char *sb_method_information(const SbContext *ctx, const SbMethod *m)
{
    char buf[256];
    switch (m->information) {
    case SB_INFO_NONE:
        snprintf(buf, sizeof buf, "none");
        break;
    case SB_INFO_POPULATION:
        snprintf(buf, sizeof buf, "population: the %d training users' mean weights", ctx->p->n_train);
        break;
    case SB_INFO_FEEDBACK:
        if (m->needs & SB_NEEDS_LEARNED)
            snprintf(buf, sizeof buf, "feedback: %d pairs; learned aspect models: %d pi_ref rollouts",
                     ctx->cfg->soup.pairs, ctx->cfg->learned.samples);
        else
            snprintf(buf, sizeof buf, "feedback: %d pairs", ctx->cfg->soup.pairs);
        break;
    case SB_INFO_REFERENCE_POINT:
        snprintf(buf, sizeof buf, "reference point: the user's true reward");
        break;
    case SB_INFO_TRUE_WEIGHTS:
        snprintf(buf, sizeof buf, "oracle: true weights");
        break;
    case SB_INFO_EXACT_REWARDS:
        snprintf(buf, sizeof buf, "oracle: true weights, exact aspect rewards");
        break;
    case SB_INFO_EXACT_Q:
        snprintf(buf, sizeof buf, "oracle: exact Q-functions");
        break;
    }
    return sb_strdup(buf);
}

void sb_method_serve_offline(const SbContext *ctx, const SbMethod *m, void *state, const double *w, double *logits)
{
    sb_method_serve_kept(ctx, m, state, w, logits, NULL, 0);
}

void sb_method_serve_kept(const SbContext *ctx, const SbMethod *m, void *state, const double *w, double *logits,
                          double *kept, long serial)
{
    SbPairs fb = {0};
    int adaptive = m->online == SB_ONLINE_FEEDBACK;
    if (adaptive)
        fb = sb_user_feedback(ctx, w);
    int n_warm = m->warm_size ? m->warm_size(ctx, state) : 0;
    double *warm = n_warm ? sb_zeros(n_warm) : NULL;
    if (warm && m->prior)
        m->prior(ctx, state, warm);
    SbUser user = sb_method_user(m, &fb, w, ctx->cfg->soup.l2, kept);
    user.serial = serial;
    m->serve(ctx, state, &user, warm, logits);
    free(warm);
    if (adaptive)
        sb_pairs_free(&fb);
}
