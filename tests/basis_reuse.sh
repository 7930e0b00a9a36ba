#!/bin/sh
# A basis saved in one results file is reused by a later run ($.basis.load):
# the same weights and the same method results without retraining, and a
# file from a different reference is refused with exit 2.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/a.h5" --quiet
sed "s|\"train\": { \"steps\": 100 },|\"train\": { \"steps\": 100 }, \"basis\": { \"load\": \"$tmp/a.h5\" },|" \
    tests/data/tiny.json > "$tmp/reuse.json"
expect_grep "$tmp/reuse.json" '"load"'
expect_exit 0 ./soupbench run "$tmp/reuse.json" --out "$tmp/b.h5" --quiet
for g in /basis/lora/policy_0 /basis/full/policy_1 /basis/R /basis/lora/implicit_q_spectrum /methods /summary; do
    checks=$((checks + 1))
    h5diff "$tmp/a.h5" "$tmp/b.h5" "$g" "$g" > "$tmp/diff.txt" 2>&1 || fail "reused basis differs under $g: $(head -5 "$tmp/diff.txt")"
done
# nothing was trained for the basis the second time
checks=$((checks + 1))
h5ls -r "$tmp/b.h5" | grep -q '^/cost/basis' && fail "the reused basis was retrained (/cost/basis present)"
h5dump -a /basis/loaded_from "$tmp/b.h5" > "$tmp/attr.txt" 2>&1
expect_grep "$tmp/attr.txt" "$tmp/a.h5"

# another seed gives another reference: refused, nothing written
expect_exit 2 ./soupbench run "$tmp/reuse.json" --seed 9 --out "$tmp/c.h5"
expect_grep "$tmp/stderr" '\$.basis.load: .*reference policy differs'
expect_no_file "$tmp/c.h5"

# a basis of feature directions (d = 3, so K = 4 adds one random direction)
# round-trips with its directions; an aspect-combination config refuses it
sed 's|"train": { "steps": 100 },|"train": { "steps": 100 }, "basis": { "kind": "feature_svd", "size": 4 },|' \
    tests/data/tiny.json > "$tmp/feat.json"
expect_exit 0 ./soupbench run "$tmp/feat.json" --out "$tmp/f.h5" --quiet
sed "s|\"size\": 4 },|\"size\": 4, \"load\": \"$tmp/f.h5\" },|" "$tmp/feat.json" > "$tmp/feat_reuse.json"
expect_grep "$tmp/feat_reuse.json" '"load"'
expect_exit 0 ./soupbench run "$tmp/feat_reuse.json" --out "$tmp/g.h5" --quiet
for g in /basis/directions /basis/full/policy_3 /basis/lora/implicit_q_spectrum /methods /summary; do
    checks=$((checks + 1))
    h5diff "$tmp/f.h5" "$tmp/g.h5" "$g" "$g" > "$tmp/diff.txt" 2>&1 || fail "reused feature basis differs under $g: $(head -5 "$tmp/diff.txt")"
done
sed "s|\"kind\": \"feature_svd\", ||" "$tmp/feat_reuse.json" | sed 's|"size": 4, |"kind": "random", "size": 4, |' > "$tmp/mismatch.json"
expect_exit 2 ./soupbench run "$tmp/mismatch.json" --out "$tmp/h.h5"
expect_grep "$tmp/stderr" 'no /basis/R with one column per aspect'
expect_no_file "$tmp/h.h5"
finish
