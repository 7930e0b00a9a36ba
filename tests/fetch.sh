#!/bin/sh
# Fetch rules (datasets/README.md, "Getting the data"): curl is asked for
# https only, redirects included, with the URL after "--" and the manifest's
# size as --max-filesize; a mirror is an https URL or a local folder
# (file:// only then), never plain http, another scheme, a relative path or
# something curl would read as an option; a download larger than the
# manifest's size is refused before its hash is checked, and nothing is
# kept. The binary is copied out of the checkout so that no shared data
# folder is found beside it.
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/fake" "$tmp/empty" "$tmp/run"
cp soupbench "$tmp/bin/soupbench"
sb="$tmp/bin/soupbench"
export SOUPBENCH_DATA="$tmp/empty" SOUPBENCH_CACHE="$tmp/cache"
cd "$tmp/run" || exit 1

# A stand-in curl that records its arguments and fails.
cat > "$tmp/fake/curl" <<'SH'
#!/bin/sh
printf '%s\n' "$@" > "$CURL_ARGS"
exit 22
SH
chmod +x "$tmp/fake/curl"
export CURL_ARGS="$tmp/curl_args"

# The upstream URL: https only, the URL after --, the size pinned.
PATH="$tmp/fake:$PATH" expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
tr '\n' ' ' < "$CURL_ARGS" > "$tmp/args_line"
expect_grep "$tmp/args_line" '^-fsSL --retry 2 --proto =https --proto-redir =https --max-filesize 1066 -o .*/hh-rlhf/LICENSE.part-[0-9]* -- https://'
expect_grep "$tmp/stderr" 'download from https://.* failed (curl exit status 22); nothing was kept'

# An https mirror: the same rules.
SOUPBENCH_MIRROR=https://mirror.example/data PATH="$tmp/fake:$PATH" expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
tr '\n' ' ' < "$CURL_ARGS" > "$tmp/args_line"
expect_grep "$tmp/args_line" '--proto =https --proto-redir =https .* -- https://mirror.example/data/hh-rlhf/LICENSE $'

# A local mirror: file:// only, given as a path or as file:///PATH.
mkdir -p "$tmp/mirror/hh-rlhf"
for m in "$tmp/mirror" "file://$tmp/mirror"; do
    SOUPBENCH_MIRROR=$m PATH="$tmp/fake:$PATH" expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
    tr '\n' ' ' < "$CURL_ARGS" > "$tmp/args_line"
    expect_grep "$tmp/args_line" "--proto =file --proto-redir =file .* -- file://$tmp/mirror/hh-rlhf/LICENSE \$"
done

# Refused mirrors: curl is never run.
for m in "http://mirror.example/data" "ftp://mirror.example/data" "gopher://x/" "-K/etc/passwd" \
    "--config=/etc/passwd" "relative/folder" "file://relative" "https:///no-host" "$(printf 'https://x/\nevil')"; do
    rm -f "$CURL_ARGS"
    SOUPBENCH_MIRROR=$m PATH="$tmp/fake:$PATH" expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
    expect_grep "$tmp/stderr" '\$SOUPBENCH_MIRROR: expected an https:// URL or a local folder'
    expect_no_file "$CURL_ARGS"
done

# With the real curl: a file larger than the manifest's size is refused
# before hashing, and nothing is kept.
if command -v curl > /dev/null; then
    head -c 5000 /dev/zero > "$tmp/mirror/hh-rlhf/LICENSE"
    SOUPBENCH_MIRROR=$tmp/mirror expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
    expect_grep "$tmp/stderr" "data file hh-rlhf/LICENSE: download from file://$tmp/mirror/hh-rlhf/LICENSE is larger than the 1066 bytes the manifest pins; nothing was kept"
    checks=$((checks + 1))
    [ -z "$(find "$tmp/cache" -type f 2>/dev/null)" ] || fail "kept: $(find "$tmp/cache" -type f)"
    # a stale partial download of a dead process is removed
    sh -c 'exit 0' &
    dead=$!
    wait $dead
    mkdir -p "$tmp/cache/hh-rlhf"
    : > "$tmp/cache/hh-rlhf/LICENSE.part-$dead"
    SOUPBENCH_MIRROR=$tmp/mirror expect_exit 2 "$sb" data fetch hh-rlhf/LICENSE
    expect_grep "$tmp/stderr" "removed $tmp/cache/hh-rlhf/LICENSE.part-$dead, left by process $dead"
    # the real file, when the shared data are here
    if [ -f "$OLDPWD/../shared/data/hh-rlhf/LICENSE" ]; then
        cp "$OLDPWD/../shared/data/hh-rlhf/LICENSE" "$tmp/mirror/hh-rlhf/LICENSE"
        SOUPBENCH_MIRROR=file://$tmp/mirror expect_exit 0 "$sb" data fetch hh-rlhf/LICENSE
        expect_file "$tmp/cache/hh-rlhf/LICENSE"
    fi
fi

finish
