#!/bin/sh
# The results file end to end: a tiny run, its structure (h5dump -H) against
# the stored dump, its numbers against the stored file (h5diff, absolute
# 1e-8: other processors round BLAS sums differently), and a second run
# identical to the first bit for bit.
# `sh tests/results_file.sh --update` rewrites both stored expectations after
# an intended change; review the diff of tests/expected/tiny.h5dump.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expected_dump=tests/expected/tiny.h5dump
expected_file=tests/expected/tiny.h5

# Structure only: string attribute lengths vary with provenance, so they
# are masked; the file name line is masked too.
structure() {
    h5dump -H "$1" | sed -E -e 's/STRSIZE [0-9]+;/STRSIZE n;/' -e '1s/.*/HDF5 "FILE" {/'
}

expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/a.h5" --quiet
if [ "${1:-}" = "--update" ]; then
    structure "$tmp/a.h5" > "$expected_dump"
    cp "$tmp/a.h5" "$expected_file"
    echo "updated $expected_dump and $expected_file"
    exit 0
fi

structure "$tmp/a.h5" > "$tmp/a.dump"
checks=$((checks + 1))
diff -u "$expected_dump" "$tmp/a.dump" > "$tmp/dump.diff" || fail "structure differs from $expected_dump:
$(head -40 "$tmp/dump.diff")"

# Numbers: every group that the run computes (the provenance attributes on
# the root legitimately differ).
for g in /data /methods /summary; do
    checks=$((checks + 1))
    h5diff -d 1e-8 "$expected_file" "$tmp/a.h5" "$g" "$g" > "$tmp/h5diff.txt" 2>&1 ||
        fail "numbers under $g differ from $expected_file: $(head -20 "$tmp/h5diff.txt")"
done

# Bit for bit: the same config, seed and thread count twice.
expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/b.h5" --quiet --threads 1
for g in /data /methods /summary; do
    checks=$((checks + 1))
    h5diff "$tmp/a.h5" "$tmp/b.h5" "$g" "$g" > "$tmp/h5diff.txt" 2>&1 ||
        fail "two runs differ under $g: $(head -20 "$tmp/h5diff.txt")"
done

# A different seed changes the numbers (the comparison above can fail).
expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/c.h5" --quiet --seed 4
checks=$((checks + 1))
h5diff "$tmp/a.h5" "$tmp/c.h5" /data /data > /dev/null 2>&1 && fail "--seed 4 gave the same /data as seed 3"

# The root carries the provenance of SPEC section 7.
h5dump -A -g / "$tmp/a.h5" > "$tmp/root.txt" 2>&1
for a in format_version harness_version git_commit created_utc command_line config seed blas_vendor blas_threads; do
    expect_grep "$tmp/root.txt" "ATTRIBUTE \"$a\""
done
finish
