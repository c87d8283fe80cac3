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
# tally WHAT: counts a pass when $why is empty, else a failure named WHAT.
tally() {
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: $why"
    fi
}
nbad=0
for f in tests/bad/*.yaml; do
    [ -e "$f" ] || continue
    nbad=$((nbad + 1))
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
    tally "$f"
done
# Options refused after the scenario is built (the variants are freed on the
# way out): exit 2 with the one message, nothing written, no crash. The
# warm-up case once freed the variants twice (abort, exit 134).
check_option() { # expected-stderr-line, then the arguments
    want=$1
    shift
    $limit "$domino" "$@" --out "$tmp/o" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    why=""
    if [ $rc -ne 2 ]; then
        why="exit status $rc, expected 2"
    elif ! grep -qxF "$want" "$tmp/err"; then
        why="stderr lacks: $want"
    elif [ -e "$tmp/o" ]; then
        why="wrote $tmp/o"
    fi
    tally "domino $*"
}
check_option "domino: error: --duration must be longer than the warm-up (1m) of variant none" \
    run scenarios/valentine.yaml --duration 60s --quiet
check_option "domino: error: --duration must be longer than the warm-up (20s) of variant base" \
    run scenarios/mm1.yaml --duration 10s --variant base --quiet

if [ $nbad -eq 0 ]; then
    echo "FAIL no tests/bad/*.yaml found"
    fail=1
fi
echo "bad-input: $pass passed, $fail failed"
[ $fail -eq 0 ]
