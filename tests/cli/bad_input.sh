#!/bin/sh
# Bad input: `domino check FILE` on every tests/bad/*.yaml must exit 2, print
# nothing on stdout, and print on stderr exactly the lines of the matching
# .expect file (FILE:LINE:COL: error: MESSAGE, with FILE as given on the
# command line, so it runs from the repository root).
#
#   tests/cli/bad_input.sh build/release/domino
#
# One line per failure, then "bad-input: N passed, M failed"; exit status 1
# if anything failed.
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 path/to/domino" >&2
    exit 2
fi
domino=$1
case $domino in
/*) ;;
*) domino=$(pwd)/$domino ;;
esac
cd "$(dirname "$0")/../.." || exit 2

# A loader that loops on a hostile file (an alias bomb) must fail the test,
# not hang the build.
limit=""
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 20"
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
for f in tests/bad/*.yaml; do
    [ -e "$f" ] || continue
    expect=${f%.yaml}.expect
    $limit "$domino" check "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    why=""
    if [ ! -f "$expect" ]; then
        why="no $expect"
    elif [ $rc -ne 2 ]; then
        why="exit status $rc, expected 2"
    elif [ -s "$tmp/out" ]; then
        why="printed on stdout: $(head -n 1 "$tmp/out" | cut -c1-120)"
    elif ! cmp -s "$tmp/err" "$expect"; then
        first=$(diff "$expect" "$tmp/err" | grep '^[<>]' | head -n 1 | cut -c1-160)
        why="stderr differs from $expect: $first"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $f: $why"
    fi
done
if [ $((pass + fail)) -eq 0 ]; then
    echo "FAIL no tests/bad/*.yaml found"
    fail=1
fi
echo "bad-input: $pass passed, $fail failed"
[ $fail -eq 0 ]
