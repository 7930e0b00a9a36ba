/* soupbench: the registries as the config and `soupbench list` see them
 * (harness/cli/registries.h). */
#include "registries.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "dataset.h"
#include "method.h"
#include "sb.h"

static const char *dataset_name(int i)
{
    const SbDataset *d = sb_dataset_at(i);
    return d ? d->name : NULL;
}

static const char *aspect_name(int i)
{
    const SbAspect *a = sb_aspect_at(i);
    return a ? a->name : NULL;
}

static const char *method_name(int i)
{
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    return i < n ? all[i]->name : NULL;
}

void sb_registries_install(void)
{
    sb_config_set_names(SB_NAMES_DATASET, dataset_name);
    sb_config_set_names(SB_NAMES_ASPECT, aspect_name);
    sb_config_set_names(SB_NAMES_METHOD, method_name);
}

/* soupbench list: every registry, in its order */
int sb_cmd_list(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("usage: soupbench list\n\nList the methods a config may name in $.methods, the datasets of\n"
                 "$.dataset.kind and the aspects of $.dataset.aspect_names.");
            return SB_EXIT_OK;
        }
        fprintf(stderr, "soupbench list: unexpected argument %s\n", argv[i]);
        return SB_EXIT_USAGE;
    }
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    printf("methods:\n");
    for (int i = 0; i < n; i++)
        printf("  %-24s %s\n", all[i]->name, all[i]->description);
    printf("datasets:\n");
    const SbDataset *d;
    for (int i = 0; (d = sb_dataset_at(i)); i++)
        printf("  %-24s %s\n", d->name, d->description);
    printf("aspects of the real datasets ($.dataset.aspect_names):\n");
    const SbAspect *a;
    for (int i = 0; (a = sb_aspect_at(i)); i++)
        printf("  %-24s %s\n", a->name, a->description);
    return SB_EXIT_OK;
}
