#!/bin/sh
# The real-data track end to end on the shared Topical-Chat copy: a small
# run writes the dataset, the per-aspect table, the example answers and the
# harmlessness model; its Pareto figures are named by aspect; a second run
# gives the same numbers bit for bit; an aspect the dataset lacks is refused
# with exit 2, the JSON path, and no results file.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_exit 0 ./soupbench run tests/data/tiny_topical.json --out "$tmp/a.h5"
expect_grep "$tmp/stdout" 'topical_chat candidate sets: 60 prompts (30 train / 30 test, 0 incomplete left out) x 6 candidates'
expect_grep "$tmp/stdout" '^per-aspect table'
expect_grep "$tmp/stdout" '^example answers'
expect_grep "$tmp/stdout" 'held-out pairwise accuracy 0\.[0-9]* \[0\.[0-9]*, 0\.[0-9]*\]'
h5ls -r "$tmp/a.h5" > "$tmp/ls.txt"
for d in /data/topical_chat/spectrum /data/topical_chat/aspect_rewards /data/topical_chat/candidate_index \
    /realdata/per_aspect /realdata/example_answers /realdata/harmlessness/theta \
    /methods/spectral_soup/pareto/engagingness_conciseness /methods/spectral_soup/online; do
    expect_grep "$tmp/ls.txt" "^$d "
done
expect_exit 0 ./soupbench plot "$tmp/a.h5" --outdir "$tmp/plots"
expect_file "$tmp/plots/pareto_engagingness_sentiment.png"
expect_file "$tmp/plots/learning_curves.png"

# bit for bit: everything but times and the command line
expect_exit 0 ./soupbench run tests/data/tiny_topical.json --out "$tmp/b.h5" --quiet
for g in /data /methods /summary /realdata /basis/lora/policy_0 /basis/full/policy_3; do
    checks=$((checks + 1))
    h5diff "$tmp/a.h5" "$tmp/b.h5" "$g" "$g" > "$tmp/diff.txt" 2>&1 || fail "rerun differs under $g: $(head -5 "$tmp/diff.txt")"
done

sed 's/"engagingness", "conciseness"/"engagingness", "judge"/' tests/data/tiny_topical.json > "$tmp/bad.json"
expect_exit 2 ./soupbench run "$tmp/bad.json" --out "$tmp/c.h5"
expect_grep "$tmp/stderr" "bad.json: \$.dataset.aspect_names\[1\]: \"judge\" is not a rating of topical_chat"
expect_no_file "$tmp/c.h5"
finish
