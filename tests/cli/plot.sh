#!/bin/sh
# `domino plot` end to end: a short run, then every expected PNG and SVG must
# exist, be non-empty and be what its extension says; bad folders exit 2; a
# missing gnuplot exits 1 with its one-line message.
# Usage: tests/cli/plot.sh DOMINO
set -u
domino=${1:?usage: tests/cli/plot.sh DOMINO}
# Absolute, so it still runs when PATH is emptied below.
domino=$(cd "$(dirname "$domino")" && pwd)/$(basename "$domino")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "plot: $*"; fail=$((fail + 1)); }

expect_status() { # want, name, command...
    want=$1 name=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        bad "$name: exit $got, want $want"; cat "$tmp/err"; fi
}

"$domino" run tests/cli/data/small.yaml --quiet --out "$tmp/out-dir" || bad "domino run failed"
res="$tmp/out-dir/small"

# Bad input, before anything is rendered: exit 2.
expect_status 2 "no DIR" "$domino" plot
expect_status 2 "missing folder" "$domino" plot "$tmp/nowhere"
mkdir "$tmp/empty"
expect_status 2 "folder without variants" "$domino" plot "$tmp/empty"
expect_status 2 "a variant folder" "$domino" plot "$res/base"
expect_status 2 "unknown option" "$domino" plot "$res" --bogus

# No gnuplot on PATH: exit 1 and the install hint.
expect_status 1 "gnuplot missing" env PATH="$tmp/empty" "$domino" plot "$res"
if grep -qx "domino: gnuplot not found; install gnuplot-nox" "$tmp/err"; then ok; else
    bad "gnuplot missing: message was:"; cat "$tmp/err"; fi
expect_status 1 "DOMINO_PLOTS without scripts" env DOMINO_PLOTS="$tmp/empty" "$domino" plot "$res"

# scripts/deps.sh installs gnuplot with everything else: its absence is a
# failure, not a reason to skip.
if ! command -v gnuplot >/dev/null 2>&1; then
    bad "gnuplot not installed (apt-get install gnuplot-nox): nothing rendered"
else
    expect_status 0 "domino plot" "$domino" plot "$res" --quiet
    [ -s "$tmp/out" ] && bad "--quiet printed: $(cat "$tmp/out")"
    check() { # an image file
        if [ ! -s "$1" ]; then bad "missing or empty: $1"; return; fi
        case $1 in
        *.png) head -c 8 "$1" | grep -q PNG && ok || bad "not a PNG: $1" ;;
        *.svg) grep -q "<svg" "$1" && ok || bad "not an SVG: $1" ;;
        esac
    }
    for plot in latency threads queues; do
        for ext in png svg; do check "$res/base/$plot.$ext"; done
    done
    for ext in png svg; do check "$res/compare.$ext"; done
    # The data the scripts read, next to what they drew.
    for f in base/plotinfo.gp base/series.dat base/series.gp compare.dat compareinfo.gp; do
        [ -s "$res/$f" ] && ok || bad "missing or empty: $res/$f"
    done
fi

echo "plot: $pass passed, $fail failed"
[ $fail -eq 0 ]
