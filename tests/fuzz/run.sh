#!/bin/sh
# make fuzz: run each libFuzzer target for SECONDS, from its seed corpus
# (tests/fuzz/corpus/<target>, committed) and its working corpus
# (build-fuzz/corpus/<target>, grown by earlier runs), in libFuzzer's fork
# mode so that a crash does not end the run. Every crash, timeout, memory
# blow-up or failed oracle is written to build-fuzz/findings/<target>/ and
# classified by re-running it: "libhdf5" when the fault is inside the HDF5
# library (a malformed file it cannot parse; `info` and `plot` report those
# with exit 2, see tests/hdf5_crashes.sh), "soupbench" otherwise. Only
# soupbench findings fail the run. One line per target: executions,
# seconds, corpus size, findings.
#   sh tests/fuzz/run.sh SECONDS build-fuzz/fuzz/fuzz_config ...
seconds=${1:-60}
shift
status=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
for bin in "$@"; do
    t=$(basename "$bin")
    corpus=build-fuzz/corpus/$t findings=build-fuzz/findings/$t
    mkdir -p "$corpus" "$findings"
    log=build-fuzz/$t.log
    dict=
    [ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
    # stdout and stderr of the target closed: soupbench's messages on bad
    # input are expected (libFuzzer keeps its own output)
    "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
        -close_fd_mask=3 -detect_leaks=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" $dict \
        "$corpus" "tests/fuzz/corpus/$t" > "$log" 2>&1
    runs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' "$log" | tail -1)
    n_corpus=$(find "$corpus" -type f | wc -l)
    hdf5=0 ours=0
    for f in "$findings"/*; do
        [ -f "$f" ] || continue
        # the first frame in the HDF5 library or in soupbench's sources
        where=$("$bin" "$f" 2>&1 | grep -E '^ *#[0-9]+ ' | grep -m 1 -oE 'libhdf5|/(harness|datasets|methods|tests)/')
        if [ "$where" = libhdf5 ]; then
            hdf5=$((hdf5 + 1))
        else
            ours=$((ours + 1))
            echo "  $t: soupbench finding $f (see $log)" >&2
        fi
    done
    printf '%-20s %9s executions in %ss, corpus %5s, findings: %s in soupbench, %s in libhdf5\n' "$t" \
        "${runs:-?}" "$seconds" "$n_corpus" "$ours" "$hdf5"
    [ "$ours" -eq 0 ] || status=1
done
rm -f /dev/shm/sb_fuzz_* /tmp/sb_fuzz_* 2>/dev/null
rm -rf /tmp/sb_fuzz_*_figs 2>/dev/null
exit $status
