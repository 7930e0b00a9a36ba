#!/bin/sh
# MPI (harness/README.md, "Threads, MPI and shards"): soupbench built with
# `make MPI=1` (in build-mpi/, beside the plain build) run by mpirun on 1, 2
# and 4 ranks gives the numbers of one plain process, wall times aside; a
# rank whose unit fails makes the job fail with its rank, unit and message,
# and leaves no results file; --shard under mpirun is refused. Skipped
# (exit 77) when Open MPI cannot be installed.
. tests/lib.sh

if ! sh harness/ensure_deps.sh --mpi >/dev/null 2>&1; then
    echo "$0: skipped: Open MPI (libopenmpi-dev, openmpi-bin) is not installed and cannot be"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=tests/data/scaleout.json
mkdir -p "$tmp/r"
checks=$((checks + 1))
make -s --no-print-directory B=build-mpi BIN=build-mpi/soupbench MPI=1 build-mpi/soupbench > "$tmp/build.log" 2>&1 ||
    fail "make MPI=1 failed: $(tail -20 "$tmp/build.log")"
# root (CI) needs Open MPI's consent; --oversubscribe: more ranks than cores
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi() { n=$1; shift; mpirun --oversubscribe -n "$n" build-mpi/soupbench "$@"; }

expect_exit 0 ./soupbench run "$cfg" --out "$tmp/r/whole.h5" --quiet
for n in 1 2 4; do
    expect_exit 0 mpi "$n" run "$cfg" --out "$tmp/r/ranks$n.h5" --quiet
    expect_same_numbers "ranks$n"
done
# only rank 0 writes: no other rank's file is left behind
checks=$((checks + 1))
[ -z "$(ls "${TMPDIR:-/tmp}"/soupbench-rank* 2>/dev/null)" ] || fail "a rank left its private results file"

SOUPBENCH_FAIL_UNIT="offline#7" expect_exit 1 mpi 2 run "$cfg" --out "$tmp/failed.h5" --quiet
expect_grep "$tmp/stderr" "rank 1 of 2: unit offline#7: failure injected"
expect_no_file "$tmp/failed.h5"
expect_exit 2 mpi 2 run "$cfg" --shard 0/2 --out "$tmp/failed.h5" --quiet
expect_grep "$tmp/stderr" "use one of them"
expect_no_file "$tmp/failed.h5"
finish
