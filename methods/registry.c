/* soupbench: the method registry. A new method is one file in methods/
 * and one line in each list below. */
#include <string.h>

#include "method.h"

extern const SbMethod sb_method_reference;
extern const SbMethod sb_method_oracle;
extern const SbMethod sb_method_bespoke_rlhf;
extern const SbMethod sb_method_rlhf_avg;

static const SbMethod *const registry[] = {
    &sb_method_reference,
    &sb_method_oracle,
    &sb_method_bespoke_rlhf,
    &sb_method_rlhf_avg,
};

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
