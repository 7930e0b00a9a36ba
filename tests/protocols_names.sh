#!/bin/sh
# The protocols pick methods by what they declare they can do
# (methods/method.h), never by name: no string literal in
# harness/protocols/*.c may name a registered method. A literal (adjacent
# literals joined) names one when it is the name, has it as a /-separated
# component ("online/spectral_soup"), or, for a name with an underscore
# (never an English word, unlike "reference" or "oracle"), contains it as
# a word. Comments do not count. The names come from
# `soupbench list`; set NAMES_DIRS to check other folders too.
. tests/lib.sh
dirs=${NAMES_DIRS:-harness/protocols}
names=$(./soupbench list | awk '/^methods:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1 }')
checks=$((checks + 1))
[ -n "$names" ] || fail "no method names from ./soupbench list"
files=$(for d in $dirs; do ls "$d"/*.c; done)
hits=$(perl -e '
    my @names = split /\s+/, shift;
    for my $file (@ARGV) {
        open my $fh, "<", $file or die "$file: $!";
        my $src = do { local $/; <$fh> };
        my ($line, $lit, $at) = (1, undef, 0);
        my $flush = sub {
            return unless defined $lit;
            for my $n (@names) {
                my $word = $n =~ /_/ && $lit =~ /(?<![A-Za-z0-9_])\Q$n\E(?![A-Za-z0-9_])/;
                if ($lit eq $n || grep({ $_ eq $n } split m{/}, $lit) || $word) {
                    print "$file:$at: \"$lit\" names the method $n\n";
                }
            }
            undef $lit;
        };
        while ($src =~ m{\G(?:(/\*.*?\*/)|(//[^\n]*)|"((?:\\.|[^"\\\n])*)"|(\x27(?:\\.|[^\x27\\\n])*\x27)|(\n)|([ \t\r]+)|([^/"\x27\n \t\r]+|/))}gs) {
            if (defined $1) { $line += ($1 =~ tr/\n//) }
            elsif (defined $3) { $at = $line unless defined $lit; $lit = (defined $lit ? $lit : "") . $3 }
            elsif (defined $5) { $line++ }
            elsif (defined $6 || defined $2) { }
            else { $flush->() }
        }
        $flush->();
    }' "$names" $files)
checks=$((checks + 1))
if [ -n "$hits" ]; then
    printf "%s\n" "$hits"
    fail "method names in string literals of $dirs: pick the method by a capability (methods/method.h)"
fi
echo "protocols_names: $(echo "$files" | wc -w) files, $(echo "$names" | wc -w) method names"
finish
