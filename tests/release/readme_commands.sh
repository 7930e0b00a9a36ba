#!/bin/sh
# The README's two set-up commands, tried as a new user would: in a fresh
# clone of the committed tree (with ../shared beside it when this checkout
# has one), `make run` must produce the results file and the figures, and
# `make test` must pass.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top=$(pwd)

# The two commands as the README states them, in its first code block.
cmds=$(awk '/^```/{n++; next} n==1' README.md)
checks=$((checks + 1))
echo "$cmds" | grep -q '^make run$' || fail "README's first code block lacks 'make run': $cmds"
checks=$((checks + 1))
echo "$cmds" | grep -q '^make test$' || fail "README's first code block lacks 'make test': $cmds"

mkdir -p "$tmp/work"
git clone -q "$top" "$tmp/work/soupbench" || { fail "git clone"; finish; exit 1; }
[ -d "$top/../shared" ] && ln -s "$top/../shared" "$tmp/work/shared"
cd "$tmp/work/soupbench" || exit 1
expect_exit 0 make run
cp "$tmp/stdout" "$tmp/run.log"
expect_file results/quickstart.h5
expect_file plots/quickstart/pareto_a1_a2.png
expect_file plots/quickstart/spectrum.png
expect_grep "$tmp/run.log" 'oracle'
expect_exit 0 make test
[ "$failures" -eq 0 ] || { echo "--- make run / make test output"; tail -n 40 "$tmp/stdout" "$tmp/stderr"; }
finish
