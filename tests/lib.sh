# Shared helpers of the shell tests (sourced). Each check prints one line.
checks=0
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_exit CODE CMD...: run CMD, stdout to $tmp/stdout, stderr to $tmp/stderr.
expect_exit() {
    want=$1
    shift
    checks=$((checks + 1))
    "$@" > "$tmp/stdout" 2> "$tmp/stderr"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "'$*' exited $got, expected $want; stderr: $(head -c 400 "$tmp/stderr")"
    fi
}
expect_grep() {
    checks=$((checks + 1))
    grep -q -- "$2" "$1" || fail "$1 does not match '$2': $(head -c 400 "$1")"
}
expect_file() {
    checks=$((checks + 1))
    [ -s "$1" ] || fail "missing or empty file $1"
}
expect_no_file() {
    checks=$((checks + 1))
    [ ! -e "$1" ] || fail "file $1 should not exist"
}
# expect_same_numbers NAME: $tmp/r/NAME.h5 holds the numbers of
# $tmp/r/whole.h5, dataset by dataset and bit for bit, the wall times aside
# (soupbench verify's "identical": /cost and the seconds columns excluded).
expect_same_numbers() {
    cat > "$tmp/claims.json" <<JSON
{ "claims": [ { "id": "same_$1", "kind": "harness", "claim": "$1 equals the single run",
  "experiment": "whole", "compare": "identical", "other": "$1",
  "exclude": ["/cost"], "exclude_columns": ["seconds", "basis_seconds"] } ] }
JSON
    expect_exit 0 ./soupbench verify "$tmp/claims.json" --results "$tmp/r"
    expect_grep "$tmp/stdout" "holds"
}
finish() {
    echo "$0: $((checks - failures)) of $checks checks passed"
    [ "$failures" -eq 0 ]
}
# skip_without_shared: end this script as skipped (exit 77, see tests/run.sh)
# when the real data files of ../shared/data are not there.
skip_without_shared() {
    [ -f ../shared/data/SHA256SUMS ] && return 0
    echo "$0: skipped: it reads the real data files, and ../shared/data is missing (run 'make data', or put the shared folder beside the checkout)"
    exit 77
}
