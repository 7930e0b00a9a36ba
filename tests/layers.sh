#!/bin/sh
# The rooms are layers: a file may include headers of its own room and of
# rooms below it, never above. The order is the Makefile's ROOMS, lowest
# first. Prints every upward include; fails if there is one.
. tests/lib.sh
rooms=$(sed -n '/^ROOMS *:=/,/[^\\]$/p' Makefile | sed 's/^ROOMS *:=//; s/\\//g' | tr -s ' \n' '  ')
level() { # level ROOM -> its index in $rooms, or empty
    i=0
    for r in $rooms; do
        [ "$r" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
}
# header -> room, for every header of every room
map=$(for r in $rooms; do for h in "$r"/*.h; do [ -e "$h" ] && echo "$(basename "$h") $r"; done; done)
checks=$((checks + 1))
[ -n "$rooms" ] || fail "no ROOMS in the Makefile"
upward=0
for r in $rooms; do
    lr=$(level "$r")
    for f in "$r"/*.c "$r"/*.h; do
        [ -e "$f" ] || continue
        for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
            hr=$(echo "$map" | awk -v h="$inc" '$1 == h { print $2; exit }')
            [ -n "$hr" ] || continue # generated (build/) or a test header
            lh=$(level "$hr")
            checks=$((checks + 1))
            if [ "$lh" -gt "$lr" ]; then
                fail "$f (room $r) includes $inc from the higher room $hr"
                upward=$((upward + 1))
            fi
        done
    done
done
echo "layers: $upward upward includes"
finish
