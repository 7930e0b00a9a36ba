/* soupbench: the method registry. A new method is one file in methods/
 * and one line in each list below. */
#include <string.h>

#include "method.h"

extern const SbMethod sb_method_reference;
extern const SbMethod sb_method_oracle;
extern const SbMethod sb_method_spectral_soup;
extern const SbMethod sb_method_spectral_soup_implicit;
extern const SbMethod sb_method_spectral_soup_param;
extern const SbMethod sb_method_bespoke_rlhf;
extern const SbMethod sb_method_rlhf_avg;
extern const SbMethod sb_method_rewarded_soup;
extern const SbMethod sb_method_lora_soup;
extern const SbMethod sb_method_lora_soup_psoups;
extern const SbMethod sb_method_lora_soup_cat;
extern const SbMethod sb_method_mod;
extern const SbMethod sb_method_pad;
extern const SbMethod sb_method_pad_sf;

static const SbMethod *const registry[] = {
    &sb_method_reference,
    &sb_method_oracle,
    &sb_method_spectral_soup,
    &sb_method_spectral_soup_implicit,
    &sb_method_spectral_soup_param,
    &sb_method_bespoke_rlhf,
    &sb_method_rlhf_avg,
    &sb_method_rewarded_soup,
    &sb_method_lora_soup,
    &sb_method_lora_soup_psoups,
    &sb_method_lora_soup_cat,
    &sb_method_mod,
    &sb_method_pad,
    &sb_method_pad_sf,
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
