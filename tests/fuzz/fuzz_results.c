/* Fuzz target: the results-file readers behind `info` and `plot`, on the
 * input's bytes as an HDF5 file. Mutations of real results files reach
 * HDF5's own parser first: a fault inside libhdf5 is reported as such in
 * the findings (it is not soupbench's code). */
#include "results_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    run_info_and_plot(fuzz_file("results.h5", data, size));
    return 0;
}
