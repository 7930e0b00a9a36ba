#!/bin/sh
# Run every test binary given as an argument, then every tests/*.sh check,
# and close with one line "tests: N passed, N failed".
passed=0
failed=0
failures=""
for t in "$@" tests/*.sh; do
    case "$t" in tests/run.sh | tests/lib.sh) continue ;; esac
    echo "== $t"
    case "$t" in
        *.sh) sh "$t" ;;
        *) "./$t" ;;
    esac
    if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures $t"; fi
done
echo
[ -n "$failures" ] && echo "failing:$failures"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
