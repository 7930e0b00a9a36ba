#!/bin/sh
# Limits up front (harness/README.md, "Limits"): configs beyond a cap,
# beyond the int index range or beyond the memory allowed are refused
# before any work, with exit 2, the JSON path and the estimate; the sizes
# that used to overflow or cut a buffer run.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# refused CONFIG_KEYS PATH PATTERN: a config of these keys is refused,
# naming PATH, quickly (nothing was built), and leaves no file.
refused() {
    printf '{"name": "x", %s}\n' "$1" > "$tmp/c.json"
    expect_exit 2 timeout 10 ./soupbench run "$tmp/c.json" --out "$tmp/out/x.h5"
    expect_grep "$tmp/stderr" "$tmp/c.json: $2: $3"
    expect_no_file "$tmp/out/x.h5"
    [ -z "$(ls "$tmp/out" 2>/dev/null)" ] || fail "files left behind: $(ls "$tmp/out")"
}

# The sizes of the issue: an int product in refnet.c (width 65537), users,
# bootstrap resamples and a vocabulary that grew to gigabytes.
refused '"reference": {"width": 65537}' '\$.reference.width' 'expected at most 16384'
refused '"users": {"test": 1000000000}' '\$.users.test' 'expected at most 1000000'
refused '"bootstrap": 2147483647' '\$.bootstrap' 'expected at most 1000000 .*the run would need about'
refused '"dataset": {"vocab": 2147483647, "horizon": 1}' '\$.dataset.vocab' 'the run would hold an array of'
refused '"dataset": {"prompts": 3000000, "horizon": 1, "inputs": "onehot"}' '\$.dataset.prompts' 'the run would hold an array of .* more than the 2147483647 the harness indexes'
refused '"dataset": {"vocab": 40, "horizon": 5}' '\$.dataset' 'the MDP would have .* states .* more than 4000000'
refused '"reference": {"width": 16000}' '\$.reference.width' 'the run would need about .* GiB of memory'
refused '"winrate": {"samples": 2000000000}' '\$.winrate.samples' 'expected at most 100000000'

# The memory the machine allows, or $SOUPBENCH_MAX_MEMORY.
SOUPBENCH_MAX_MEMORY=100K expect_exit 2 ./soupbench run paper/experiments/quickstart.json --out "$tmp/q.h5"
expect_grep "$tmp/stderr" 'quickstart.json: \$\..*: the run would need about .* allowed by \$SOUPBENCH_MAX_MEMORY'
expect_no_file "$tmp/q.h5"

# --estimate prints the estimate and runs nothing.
expect_exit 0 ./soupbench run paper/experiments/quickstart.json --estimate --out "$tmp/e.h5"
expect_grep "$tmp/stdout" '^estimate: .* of memory (allowed: .*), .* floating-point operations'
expect_grep "$tmp/stdout" 'problem: 168 states x 4 actions'
expect_no_file "$tmp/e.h5"

# Sizes that used to fail after the work: a LoRA rank past 600 cut the
# column names of /basis/lora/update_spectra, a spectrum_rows near
# INT_MAX overflowed an int.
cat > "$tmp/rank.json" <<'JSON'
{ "name": "rank", "dataset": {"prompts": 2, "vocab": 3, "horizon": 2, "aspects": 2},
  "reference": {"width": 4, "layers": 1}, "users": {"train": 2, "test": 2},
  "lora": {"rank": 700}, "train": {"steps": 3}, "basis": {"spectrum_rows": 2147483647},
  "methods": ["reference", "spectral_soup"], "bootstrap": 10, "pareto": {"grid": 2} }
JSON
expect_exit 0 ./soupbench run "$tmp/rank.json" --out "$tmp/rank.h5" --quiet
h5dump -a /basis/lora/update_spectra/columns "$tmp/rank.h5" > "$tmp/columns.txt" 2>&1
expect_grep "$tmp/columns.txt" 'sv_699,sv_700"'
h5dump -a /basis/lora/principal_angles/columns "$tmp/rank.h5" > "$tmp/angles.txt" 2>&1
expect_grep "$tmp/angles.txt" 'angle_700"'

finish
