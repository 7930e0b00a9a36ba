#!/bin/sh
# Run every test binary given as an argument, then every shell check
# tests/*.sh (or, with --scripts, only the scripts given),
# and close with one line "tests: N passed, N failed, N skipped". A suite
# that exits 77 was skipped (it needs the real data files and says so).
passed=0
failed=0
skipped=0
failures=""
if [ "${1:-}" = --scripts ]; then
    shift
else
    set -- "$@" tests/*.sh
fi
for t in "$@"; do
    case "$t" in tests/run.sh | tests/lib.sh | tests/asan.sh) continue ;; esac
    echo "== $t"
    case "$t" in
        *.sh) sh "$t" ;;
        *) "./$t" ;;
    esac
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1))
    else
        failed=$((failed + 1))
        failures="$failures $t"
    fi
done
echo
[ -n "$failures" ] && echo "failing:$failures"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
