/* soupbench bench --scaling (harness/cli/bench.h). */
#include <stdio.h>

#include "bench.h"
#include "sb.h"

int sb_bench_scaling(const SbConfig *cfg, int repeats, int threads, const char *outdir)
{
    (void)cfg, (void)repeats, (void)threads, (void)outdir;
    fprintf(stderr, "soupbench bench: --scaling is not built yet\n");
    return SB_EXIT_FAIL;
}
