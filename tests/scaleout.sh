#!/bin/sh
# Threads and shards (harness/README.md, "Threads, MPI and shards"): the same
# config gives the same numbers, wall times aside, with 1 and 2 threads and
# as 3 merged shards; merge refuses a missing or duplicated shard, shards of
# two configs or two seeds, and a file that is not a shard, with exit 2 and
# no results file. Compared with `soupbench verify`'s "identical" (every
# dataset bit for bit, /cost and the seconds columns aside).
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=tests/data/scaleout.json
mkdir -p "$tmp/r"

expect_exit 0 ./soupbench run "$cfg" --out "$tmp/r/whole.h5" --quiet
expect_exit 0 ./soupbench run "$cfg" --out "$tmp/r/threads2.h5" --quiet --threads 2
expect_same_numbers threads2

for i in 0 1 2; do
    expect_exit 0 ./soupbench run "$cfg" --shard "$i/3" --out "$tmp/s$i.h5" --quiet
done
expect_exit 0 ./soupbench merge "$tmp/s2.h5" "$tmp/s0.h5" "$tmp/s1.h5" --out "$tmp/r/merged.h5" --quiet
expect_same_numbers merged

# refusals: exit 2, a message naming the problem, nothing written
expect_exit 2 ./soupbench merge "$tmp/s0.h5" "$tmp/s1.h5" --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "shard 2/3 is missing"
expect_no_file "$tmp/bad.h5"
expect_exit 2 ./soupbench merge "$tmp/s0.h5" "$tmp/s1.h5" "$tmp/s1.h5" --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "shard 1/3 given twice"
expect_no_file "$tmp/bad.h5"
expect_exit 0 ./soupbench run "$cfg" --shard 1/3 --seed 6 --out "$tmp/seed6.h5" --quiet
expect_exit 2 ./soupbench merge "$tmp/s0.h5" "$tmp/seed6.h5" "$tmp/s2.h5" --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "expected seed 5"
expect_no_file "$tmp/bad.h5"
sed 's/"steps": 60/"steps": 61/' "$cfg" > "$tmp/other.json"
expect_exit 0 ./soupbench run "$tmp/other.json" --shard 1/3 --out "$tmp/other.h5" --quiet
expect_exit 2 ./soupbench merge "$tmp/s0.h5" "$tmp/other.h5" "$tmp/s2.h5" --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "different configs"
expect_no_file "$tmp/bad.h5"
expect_exit 2 ./soupbench merge "$tmp/r/whole.h5" --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "not a shard"
expect_no_file "$tmp/bad.h5"
expect_exit 2 ./soupbench run "$cfg" --shard 3/3 --out "$tmp/bad.h5"
expect_grep "$tmp/stderr" "expected I/N with 0 <= I < N"
expect_no_file "$tmp/bad.h5"
finish
