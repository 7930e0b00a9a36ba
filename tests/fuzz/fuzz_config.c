/* Fuzz target: the config parser (harness/io/config.c) and the limits
 * estimate of what it accepts. Oracles: an accepted config's resolved JSON
 * parses again to the same JSON (sb_config_to_json round trip), and the
 * estimate and the limits check end with exit 2 at most. */
#include "fuzz.h"

#include "config.h"
#include "run_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    const char *path = fuzz_file("config.json", data, size);
    static SbConfig cfg, again;
    if (sb_config_load(path, &cfg) != 0)
        return 0;
    char *json = sb_config_to_json(&cfg);
    if (sb_config_parse(json, "round trip", &again) != 0) {
        fprintf(stderr, "fuzz: the resolved config does not parse again:\n%s\n", json);
        abort();
    }
    char *json2 = sb_config_to_json(&again);
    if (strcmp(json, json2) != 0) {
        fprintf(stderr, "fuzz: the resolved config changes on a round trip:\n%s\n---\n%s\n", json, json2);
        abort();
    }
    free(json2);
    free(json);
    if (cfg.dataset.horizon >= 1 && cfg.dataset.horizon <= 8) {
        SbShape shape = sb_limits_shape(&cfg, cfg.dataset.horizon, cfg.dataset.transition);
        FUZZ_TRY(sb_limits_check(&cfg, &shape, 1, "fuzz"));
    }
    return 0;
}
