#!/bin/sh
# Signals and disks (harness/README.md, "Signals, disks and --out"):
# SIGTERM and SIGINT stop a run, remove its temporary file and exit
# 128 + the signal; temporary files of dead processes are removed; a full
# disk is exit 1 with the system's reason and nothing left behind; --out is
# checked (folder, FIFO, device, read-only or unwritable folder) before
# any work.
. tests/lib.sh

tmp=$(mktemp -d)
mnt=
cleanup() {
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- signals: the quickstart runs for seconds; stop it once its
# temporary file exists.
stop_with() {
    sig=$1 want=$2
    ./soupbench run paper/experiments/quickstart.json --out "$tmp/sig/q.h5" --quiet 2> "$tmp/sig.err" &
    pid=$!
    n=0
    while [ ! -e "$tmp/sig/q.h5.tmp.$pid" ] && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    checks=$((checks + 1))
    [ -e "$tmp/sig/q.h5.tmp.$pid" ] || fail "no temporary file $tmp/sig/q.h5.tmp.$pid after 10 s"
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    checks=$((checks + 1))
    [ "$rc" -eq "$want" ] || fail "SIG$sig: exit $rc, expected $want: $(cat "$tmp/sig.err")"
    expect_grep "$tmp/sig.err" "^soupbench: stopped by SIG$sig (removed $tmp/sig/q.h5.tmp.$pid)\$"
    expect_no_file "$tmp/sig/q.h5"
    [ -z "$(ls "$tmp/sig")" ] || fail "SIG$sig left: $(ls "$tmp/sig")"
}
mkdir -p "$tmp/sig"
stop_with TERM 143
stop_with INT 130

# ---- stale temporary files: one of a process that is gone is removed,
# one of a live process is kept.
sh -c 'exit 0' &
dead=$!
wait $dead
mkdir -p "$tmp/stale"
: > "$tmp/stale/t.h5.tmp.$dead"
: > "$tmp/stale/t.h5.tmp.$$"
expect_exit 0 ./soupbench run tests/data/tiny.json --out "$tmp/stale/t.h5" --quiet
expect_grep "$tmp/stderr" "removed $tmp/stale/t.h5.tmp.$dead, left by process $dead, which is gone"
expect_no_file "$tmp/stale/t.h5.tmp.$dead"
expect_file "$tmp/stale/t.h5"
checks=$((checks + 1))
[ -e "$tmp/stale/t.h5.tmp.$$" ] || fail "the temporary file of a live process was removed"

# ---- a full disk: RLIMIT_FSIZE (write fails with EFBIG), always; a
# small tmpfs (ENOSPC) when this user may mount one.
mkdir -p "$tmp/fsize"
(ulimit -f 40 && exec ./soupbench run tests/data/tiny.json --out "$tmp/fsize/t.h5" --quiet) \
    > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
checks=$((checks + 1))
[ "$rc" -eq 1 ] || fail "RLIMIT_FSIZE: exit $rc, expected 1: $(cat "$tmp/stderr")"
expect_grep "$tmp/stderr" "$tmp/fsize/t.h5: cannot .*: File too large"
[ -z "$(ls "$tmp/fsize")" ] || fail "RLIMIT_FSIZE left: $(ls "$tmp/fsize")"

mkdir -p "$tmp/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=24k tmpfs "$tmp/full" 2>/dev/null; then
    mnt=$tmp/full
    expect_exit 1 ./soupbench run tests/data/tiny.json --out "$tmp/full/t.h5" --quiet
    expect_grep "$tmp/stderr" "$tmp/full/t.h5: cannot .*: No space left on device"
    [ -z "$(ls "$tmp/full")" ] || fail "full disk left: $(ls "$tmp/full")"
    umount "$tmp/full"
    # a read-only file system
    mount -t tmpfs -o size=24k,ro tmpfs "$tmp/full"
    expect_exit 2 ./soupbench run tests/data/tiny.json --out "$tmp/full/t.h5"
    expect_grep "$tmp/stderr" "$tmp/full/t.h5: cannot create .*: Read-only file system"
    umount "$tmp/full"
    mnt=
else
    echo "$0: no tmpfs (needs root and mount): the full-disk case is checked with RLIMIT_FSIZE only"
fi

# ---- --out, before any work: nothing is printed (the description line
# comes after the problem is built) and nothing is written.
out_refused() {
    expect_exit 2 ./soupbench run tests/data/tiny.json --out "$1"
    expect_grep "$tmp/stderr" "$2"
    checks=$((checks + 1))
    [ ! -s "$tmp/stdout" ] || fail "--out $1: work was done before the check: $(cat "$tmp/stdout")"
}
mkdir -p "$tmp/dir.h5"
out_refused "$tmp/dir.h5" "$tmp/dir.h5: is a folder"
mkfifo "$tmp/fifo.h5"
out_refused "$tmp/fifo.h5" "$tmp/fifo.h5: is a FIFO, not a regular file; refusing to replace it"
out_refused /dev/null "/dev/null: is a character device, not a regular file"
out_refused /dev/full "/dev/full: is a character device"
checks=$((checks + 1))
[ -p "$tmp/fifo.h5" ] || fail "the FIFO was replaced"
: > "$tmp/file"
out_refused "$tmp/file/x.h5" "$tmp/file/x.h5: cannot write the results file: Not a directory"
# an unwritable folder: as an unprivileged user (root may write anywhere)
mkdir -p "$tmp/ro"
chmod 755 "$tmp" "$tmp/ro"
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
elif [ "$(id -u)" -ne 0 ]; then
    chmod 555 "$tmp/ro"
    as_user=
else
    as_user=none
fi
if [ "$as_user" != none ]; then
    expect_exit 2 $as_user ./soupbench run tests/data/tiny.json --out "$tmp/ro/x.h5"
    expect_grep "$tmp/stderr" "$tmp/ro/x.h5: cannot create $tmp/ro/x.h5.tmp.[0-9]*: Permission denied"
fi

finish
