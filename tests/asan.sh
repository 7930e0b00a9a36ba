#!/bin/sh
# make asan: make test's suites with the AddressSanitizer and
# UndefinedBehaviorSanitizer build. The shell checks call ./soupbench, so
# they run from build-asan/run/checkout: links to the checkout's inputs,
# with ./soupbench the sanitized program (and ../shared the shared data,
# when it is beside the checkout). Arguments: the sanitized test binaries.
# ASAN_OPTIONS and UBSAN_OPTIONS given by the caller are kept.
# build-asan/run/checkout: the links; build-asan/run/shared: the shared data
# (../shared as seen from the checkout). Not build-asan/shared: the test
# binaries look for EXEDIR/../shared/data, and must not find it there.
run=build-asan/run/checkout
rm -rf build-asan/run build-asan/shared
mkdir -p "$run"
for f in tests paper plots datasets harness methods Makefile README.md; do
    [ -e "$f" ] && ln -s "../../../$f" "$run/$f"
done
ln -s ../../soupbench "$run/soupbench"
[ -d ../shared ] && ln -s ../../../shared build-asan/run/shared
# Leaks are not reported: libraries (OpenBLAS, HDF5) keep memory until exit,
# and sb_fail exits without freeing; invalid accesses and undefined
# behaviour are, and fail the test.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}"
bins=
for b in "$@"; do
    bins="$bins ../../${b#build-asan/}"
done
cd "$run" || exit 1
# shellcheck disable=SC2086
sh tests/run.sh $bins
