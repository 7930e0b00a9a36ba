/* Fuzz target: the JSON and JSON Lines record readers (datasets/reader.c),
 * plain and gzip (zlib reads both). The first byte picks skip_bad. Oracle:
 * every record handed out is an object; bad input ends with exit 2. */
#include "fuzz.h"

#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 1)
        return 0;
    int skip_bad = data[0] & 1;
    const char *path = fuzz_file("records.json", data + 1, size - 1);
    FUZZ_TRY({
        SbJsonStream *js = sb_json_open(path, skip_bad);
        cJSON *rec;
        long no, last = 0;
        while ((rec = sb_json_next(js, &no))) {
            if (!cJSON_IsObject(rec) || no <= last)
                abort();
            last = no;
            cJSON_Delete(rec);
        }
        sb_json_close(js);
    });
    return 0;
}
