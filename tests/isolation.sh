#!/bin/sh
# info and plot read untrusted files in a child process: a fault while
# reading (one inside HDF5 on a malformed file, say) is reported with the
# file's name and exit 2 rather than a crash; SIGTERM reaches the child,
# which removes nothing it should not and exits 143. A file that made
# HDF5 1.10 free an invalid pointer (found by fuzzing) is now read with
# every problem named; a FIFO is refused instead of blocking.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/fake"
# gnuplot that takes its time: the reading child is then waiting for it
printf '#!/bin/sh\ncat > /dev/null\nsleep 30\n' > "$tmp/fake/gnuplot"
chmod +x "$tmp/fake/gnuplot"

# child_of PID: the first child process of PID (waits up to 10 s)
child_of() {
    n=0
    while [ $n -lt 200 ]; do
        c=$(ps -o pid= --ppid "$1" 2>/dev/null | head -1 | tr -d ' ')
        [ -n "$c" ] && echo "$c" && return 0
        sleep 0.05
        n=$((n + 1))
    done
    return 1
}

# A fault in the reading child: exit 2, the file named. (Under make asan,
# AddressSanitizer would catch the signal itself: it is told not to.)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=0" PATH="$tmp/fake:$PATH" ./soupbench plot tests/expected/tiny.h5 --outdir "$tmp/figs" > "$tmp/out" 2> "$tmp/err" &
parent=$!
child=$(child_of $parent)
checks=$((checks + 1))
[ -n "$child" ] || fail "no reading child under $parent"
kill -SEGV "$child"
wait $parent
rc=$?
checks=$((checks + 1))
[ $rc -eq 2 ] || fail "a faulting reader: exit $rc, expected 2: $(cat "$tmp/err")"
expect_grep "$tmp/err" "^soupbench: tests/expected/tiny.h5: reading it crashed (signal 11, Segmentation fault)"

# SIGTERM to soupbench reaches the child: 143, its message.
PATH="$tmp/fake:$PATH" ./soupbench plot tests/expected/tiny.h5 --outdir "$tmp/figs2" > "$tmp/out" 2> "$tmp/err" &
parent=$!
child_of $parent > /dev/null
kill -TERM $parent
wait $parent
rc=$?
checks=$((checks + 1))
[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, expected 143: $(cat "$tmp/err")"
expect_grep "$tmp/err" "stopped by SIGTERM"

# The fuzzing finding: HDF5's dense-group lookup freed an invalid pointer;
# now every unreadable object is named and info exits 2.
f=tests/fuzz/regressions/fuzz_results/hdf5_dense_group_invalid_free.h5
expect_exit 2 ./soupbench info "$f"
expect_grep "$tmp/stderr" "$f: /cost: cannot open: bad object header version number"
checks=$((checks + 1))
grep -q "crashed" "$tmp/stderr" && fail "info crashed on $f: $(cat "$tmp/stderr")"
expect_exit 2 ./soupbench plot "$f" --outdir "$tmp/figs3"

mkfifo "$tmp/fifo.h5"
expect_exit 2 timeout 10 ./soupbench info "$tmp/fifo.h5"
expect_grep "$tmp/stderr" "fifo.h5: not a regular file"

finish
