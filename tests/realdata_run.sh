#!/bin/sh
# The real-data track end to end on the shared Topical-Chat copy: a small
# run writes the dataset, the per-aspect table, the example answers and the
# harmlessness model; its Pareto figures are named by aspect; a second run
# gives the same numbers bit for bit; an aspect the dataset lacks is refused
# with exit 2, the JSON path, and no results file; a malformed record of a
# user's UltraFeedback file stops the run (or is skipped with --skip-bad).
. tests/lib.sh
skip_without_shared

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

# a user's UltraFeedback file with a malformed record: exit 2 naming the
# file, the record and the line, nothing written; --skip-bad counts it
sed 's/"instruction": "Why is the sky blue?"/"instruction": "Why is the sky blue?", "oops": }/' \
    tests/data/ultrafeedback_run.jsonl > "$tmp/uf.jsonl"
cat > "$tmp/uf.json" <<EOF
{"name": "uf", "beta": 0.3,
 "dataset": {"kind": "ultrafeedback", "path": "$tmp/uf.jsonl", "prompts": 100, "spectral_dim": 4},
 "reference": {"width": 8, "layers": 1, "temperature": 4}, "users": {"train": 2, "test": 2},
 "train": {"steps": 20}, "methods": ["reference", "oracle", "spectral_soup"], "bootstrap": 50}
EOF
expect_exit 2 ./soupbench run "$tmp/uf.json" --out "$tmp/d.h5"
expect_grep "$tmp/stderr" "uf.jsonl: record 11 (line 11): JSON syntax error"
expect_no_file "$tmp/d.h5"
expect_exit 0 ./soupbench run "$tmp/uf.json" --out "$tmp/d.h5" --skip-bad
expect_grep "$tmp/stderr" "uf.jsonl: skipped 1 malformed record"
expect_grep "$tmp/stdout" "ultrafeedback candidate sets: 11 prompts"
h5dump -a /data/ultrafeedback/malformed_records_skipped "$tmp/d.h5" > "$tmp/attr.txt" 2>&1
expect_grep "$tmp/attr.txt" "(0): 1"
finish
