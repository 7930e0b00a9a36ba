/* soupbench: the method registry. A new method is one file in methods/
 * and one line in the list below; the list's order is the order of
 * `soupbench list` and of every figure's legend. */
#include <string.h>

#include "method.h"

/* X(id): the method defined as `const SbMethod sb_method_<id>`. */
#define SB_METHODS(X) \
    X(reference) \
    X(oracle) \
    X(spectral_soup) \
    X(spectral_soup_implicit) \
    X(spectral_soup_param) \
    X(bespoke_rlhf) \
    X(rlhf_avg) \
    X(rewarded_soup) \
    X(lora_soup) \
    X(lora_soup_psoups) \
    X(lora_soup_cat) \
    X(mod) \
    X(pad) \
    X(pad_sf) \
    X(spectral_soup_exact) \
    X(mod_truew) \
    X(rewarded_soup_truew) \
    X(pad_exact) \
    X(pad_sf_exact)

#define SB_DECLARE(id) extern const SbMethod sb_method_##id;
SB_METHODS(SB_DECLARE)
#define SB_ENTRY(id) &sb_method_##id,
static const SbMethod *const registry[] = {SB_METHODS(SB_ENTRY)};

const SbMethod *const *sb_method_all(int *n)
{
    *n = (int)(sizeof registry / sizeof registry[0]);
    return registry;
}

const SbMethod *sb_method_find(const char *name)
{
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

const SbMethod *sb_method_with_role(unsigned role)
{
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    int i = sb_method_index_with_role(all, n, role);
    return i < 0 ? NULL : all[i];
}

int sb_method_index_with_role(const SbMethod *const *methods, int n, unsigned role)
{
    for (int i = 0; i < n; i++)
        if ((methods[i]->roles & role) == role)
            return i;
    return -1;
}
