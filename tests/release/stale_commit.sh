#!/bin/sh
# Provenance (SPEC section 7): the results file names the commit the binary
# was built from. In a fresh clone: build and run, the file names HEAD;
# commit a change to one method and rebuild, the file names the new commit;
# change a file without committing, the commit gains "-dirty".
. tests/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q . "$tmp/repo" || { fail "git clone"; finish; exit 1; }
cd "$tmp/repo" || exit 1
git config user.email test@soupbench.invalid
git config user.name "soupbench test"

commit_in() { # commit_in FILE.h5: the git_commit root attribute
    h5dump -a /git_commit "$1" 2>/dev/null | sed -n 's/.*(0): "\(.*\)".*/\1/p'
}
run_tiny() {
    expect_exit 0 make -s soupbench
    expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/$1.h5" --quiet
}

run_tiny first
checks=$((checks + 1))
[ "$(commit_in "$tmp/first.h5")" = "$(git rev-parse --short=12 HEAD)" ] ||
    fail "first build: results name $(commit_in "$tmp/first.h5"), HEAD is $(git rev-parse --short=12 HEAD)"

echo "/* a comment added by tests/release/stale_commit.sh */" >> methods/mod.c
git commit -qam "test: touch one method"
run_tiny second
checks=$((checks + 1))
[ "$(commit_in "$tmp/second.h5")" = "$(git rev-parse --short=12 HEAD)" ] ||
    fail "after a commit: results name $(commit_in "$tmp/second.h5"), HEAD is $(git rev-parse --short=12 HEAD)"

echo "/* uncommitted */" >> methods/mod.c
run_tiny third
checks=$((checks + 1))
[ "$(commit_in "$tmp/third.h5")" = "$(git rev-parse --short=12 HEAD)-dirty" ] ||
    fail "with an uncommitted change: results name $(commit_in "$tmp/third.h5"), expected $(git rev-parse --short=12 HEAD)-dirty"
finish
