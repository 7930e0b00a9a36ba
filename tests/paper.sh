#!/bin/sh
# soupbench paper end to end, on a tiny experiment in a throwaway paper/
# folder: it runs every config (the quickstart twice), skips what is up to
# date, reruns when the resolved config changes (a preset's patch
# included), writes the figures, RESULTS.md with the claims table and the
# LaTeX tables, and exits as verify does. (The commit rule is pinned by
# test_uptodate.)
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sb=$PWD/soupbench

mkdir -p "$tmp/paper/experiments/quick"
# named quickstart: the experiment soupbench paper runs twice
sed 's/"name": "tiny"/"name": "quickstart"/' tests/data/tiny.json > "$tmp/paper/experiments/quickstart.json"
cat > "$tmp/paper/claims.json" <<'EOF'
{ "claims": [
  { "id": "oracle_first", "kind": "harness", "claim": "The oracle is above every method.",
    "experiment": "quickstart", "quantity": { "path": "/methods/{method}/users", "column": "J" },
    "compare": "above_all", "method": "oracle", "tolerance": 1e-9 },
  { "id": "rerun", "kind": "harness", "claim": "Reruns are bit-identical.",
    "experiment": "quickstart", "compare": "identical", "other": "quickstart_rerun",
    "exclude": ["/cost"], "exclude_columns": ["seconds", "basis_seconds"] },
  { "id": "bespoke_high", "kind": "paper", "claim": "A claim the data refute.",
    "experiment": "quickstart", "quantity": { "path": "/summary", "row": "rlhf_avg", "stat": "normalized_pooled" },
    "compare": ">=", "threshold": 1000 }
] }
EOF
cd "$tmp" || exit 1
# a repository for the code fingerprint of a dirty build (nothing of the code is in it)
git init -q . && git -c user.name=t -c user.email=t@example.org -c commit.gpgsign=false commit -q --allow-empty -m x

expect_exit 0 "$sb" paper --jobs 2
cp "$tmp/stderr" first.err
expect_grep first.err 'quickstart  *running: no results file'
expect_grep first.err 'quickstart_rerun  *running: no results file'
expect_file paper/results/quickstart.h5
expect_file paper/results/quickstart_rerun.h5
expect_file paper/figures/quickstart/summary.png
expect_file paper/figures/quickstart/summary.pdf
expect_grep paper/figures/.gitignore '^\*\.pdf$'
expect_grep paper/RESULTS.md '^## quickstart'
expect_grep paper/RESULTS.md '^| rerun | .* | holds |$'
expect_grep paper/RESULTS.md '^| oracle_first | .* | holds |$'
expect_grep paper/RESULTS.md '^| bespoke_high | .* | refuted |$'
expect_grep paper/RESULTS.md '| `oracle` | reference point'
expect_file paper/generated/claims.tex
expect_file paper/generated/quickstart-summary.tex
expect_grep "$tmp/stdout" 'harness claims: 2 (2 hold, 0 fail)'

# Nothing changed: nothing runs, and what is written is the same, byte for byte.
cp paper/RESULTS.md results.before
cp paper/generated/quickstart-summary.tex summary.before
expect_exit 0 "$sb" paper
expect_grep "$tmp/stderr" 'quickstart  *up to date'
expect_grep "$tmp/stderr" 'quickstart_rerun  *up to date'
checks=$((checks + 1))
grep -q 'running' "$tmp/stderr" && fail "an up-to-date experiment ran again: $(cat "$tmp/stderr")"
checks=$((checks + 1))
cmp -s results.before paper/RESULTS.md || fail "RESULTS.md changed though nothing ran: $(diff results.before paper/RESULTS.md | head -5)"
checks=$((checks + 1))
cmp -s summary.before paper/generated/quickstart-summary.tex || fail "a generated table changed though nothing ran"

# The config changed: both run again.
sed 's/"seed": 3/"seed": 4/' paper/experiments/quickstart.json > q.json && mv q.json paper/experiments/quickstart.json
expect_exit 0 "$sb" paper
expect_grep "$tmp/stderr" 'quickstart  *running: the resolved config changed'
expect_grep "$tmp/stderr" 'quickstart_rerun  *running: the resolved config changed'

# The preset's patch changes the resolved config too, and RESULTS.md says so.
echo '{ "users": { "test": 4 } }' > paper/experiments/quick/quickstart.json
expect_exit 0 "$sb" paper --only quickstart
expect_grep "$tmp/stderr" 'quickstart  *running: the resolved config changed'
expect_grep paper/RESULTS.md "quick preset's sizes"
expect_grep paper/results/quickstart.json '"test":[[:space:]]*4'

# The full preset has its own folder.
expect_exit 0 "$sb" paper --preset full --only quickstart
expect_file paper/results/full/quickstart.h5
expect_grep paper/RESULTS.md 'Preset \*\*full\*\*'

# --shards N: the job array's commands, run here by hand, then --no-run
# finds the merged file up to date.
expect_exit 0 "$sb" paper --only quickstart --force --shards 2
cp "$tmp/stdout" shards.txt
expect_grep shards.txt 'run paper/results/quickstart.json --shard \$SHARD/2 --out paper/results/quickstart.shard\$SHARD.h5'
for i in 0 1; do
    expect_exit 0 sh -c "$(grep -- '--shard \$SHARD/2 --out paper/results/quickstart.shard' shards.txt | sed "s/\\\$SHARD/$i/g")"
done
expect_exit 0 sh -c "$(grep -- ' merge .*quickstart.shard0.h5' shards.txt)"
expect_exit 0 "$sb" paper --only quickstart
expect_grep "$tmp/stderr" 'quickstart  *up to date'

# A harness claim that fails makes paper exit 1; a patch without a config, 2.
sed 's/"method": "oracle"/"method": "reference", "over": ["oracle"]/' paper/claims.json > c.json && mv c.json paper/claims.json
expect_exit 1 "$sb" paper --no-run
expect_grep paper/RESULTS.md '^| oracle_first | .* | FAILS |$'
echo '{}' > paper/experiments/quick/nothing.json
expect_exit 2 "$sb" paper --no-run
expect_grep "$tmp/stderr" 'nothing.json: a patch of the quick preset for no config'

finish
