/* soupbench: the registries (datasets/dataset.h, methods/method.h) as the
 * rest of the program sees them. */
#ifndef SB_REGISTRIES_H
#define SB_REGISTRIES_H

/* Hand the registries' names down to the config (harness/io/config.h:
 * $.dataset.kind, $.dataset.aspect_names, $.methods, $.gap.methods). Once,
 * before any config naming them is parsed: main() does it, and so must a
 * test that parses such names. */
void sb_registries_install(void);

#endif
