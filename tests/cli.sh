#!/bin/sh
# The command line end to end: exit codes of SPEC section 8, bad configs
# reported with file and JSON path, nothing written on failure.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_exit 2 ./soupbench
expect_exit 0 ./soupbench --help
expect_exit 2 ./soupbench frobnicate
for cmd in run plot info list bench verify paper; do
    expect_exit 0 ./soupbench $cmd --help
done
expect_exit 2 ./soupbench run
expect_exit 2 ./soupbench run tests/data/tiny.json --threads 0
expect_exit 2 ./soupbench run tests/data/tiny.json --seed -4
expect_exit 2 ./soupbench run tests/data/tiny.json --bogus
expect_exit 2 ./soupbench info "$tmp/missing.h5"
expect_exit 2 ./soupbench plot "$tmp/missing.h5"

./soupbench list > "$tmp/list.txt" 2>&1
expect_grep "$tmp/list.txt" '^  reference '
expect_grep "$tmp/list.txt" '^  oracle '

# A bad config: exit 2, the message names the file and the JSON path, and
# neither the results file nor its temporary exists afterwards.
sed 's/"horizon": 2/"horizon": "3"/' tests/data/tiny.json > "$tmp/bad.json"
expect_exit 2 ./soupbench run "$tmp/bad.json" --out "$tmp/out/bad.h5"
expect_grep "$tmp/stderr" "$tmp/bad.json: \\\$.dataset.horizon: expected an integer"
expect_no_file "$tmp/out/bad.h5"
[ -z "$(ls "$tmp/out" 2>/dev/null)" ] || fail "files left behind: $(ls "$tmp/out")"

printf '{ "name": "x",\n  "seed": 1,,\n}\n' > "$tmp/syntax.json"
expect_exit 2 ./soupbench run "$tmp/syntax.json" --out "$tmp/syntax.h5"
expect_grep "$tmp/stderr" "$tmp/syntax.json:2:"
expect_no_file "$tmp/syntax.h5"

# An oracle variant the dataset cannot serve (exact Q on candidate sets) is
# refused before any data is read, naming the method's JSON path.
printf '{ "dataset": { "kind": "topical_chat" }, "methods": ["reference", "pad_sf_exact"] }\n' > "$tmp/exactq.json"
expect_exit 2 ./soupbench run "$tmp/exactq.json" --out "$tmp/exactq.h5"
expect_grep "$tmp/stderr" "$tmp/exactq.json: \\\$.methods\[1\]: \"pad_sf_exact\" needs exact Q-functions"
expect_no_file "$tmp/exactq.h5"

# A good run: exit 0, the file exists, info reads it, and a sampled
# (non-enumerable) win-rate path also works.
expect_exit 0 ./soupbench run tests/data/tiny_linear.json --out "$tmp/lin.h5" --quiet
expect_exit 0 ./soupbench info "$tmp/lin.h5"
expect_grep "$tmp/stdout" 'oracle'

finish
