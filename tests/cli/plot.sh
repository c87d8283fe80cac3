#!/bin/sh
# `domino plot` end to end: a short run, then every expected PNG and SVG must
# exist, be non-empty and be what its extension says; bad folders exit 2; a
# missing gnuplot exits 1 with its one-line message. Also what the plots read
# from a run: breakers.csv only for variants with a breaker, and the timeline
# folded when a breaker flaps.
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
# flap.yaml: `flapping` has a breaker that flaps for two minutes, `stable` none.
"$domino" run tests/cli/data/flap.yaml --quiet --out "$tmp/out-dir" || bad "domino run flap failed"
flap="$tmp/out-dir/flap"

# breakers.csv: only for a variant with a breaker, one row per breaker per
# sample, the state ordered closed 0 < half-open 1 < open 2.
if [ -s "$flap/flapping/breakers.csv" ]; then ok; else bad "no breakers.csv for flap/flapping"; fi
[ -e "$flap/stable/breakers.csv" ] && bad "breakers.csv for flap/stable, which has no breaker"
if [ "$(head -1 "$flap/flapping/breakers.csv")" = "t_s,breaker,state" ] &&
    grep -q '^90.000,api -> db (db_call),[0-2]$' "$flap/flapping/breakers.csv" &&
    [ "$(sed 1d "$flap/flapping/breakers.csv" | wc -l)" -eq 180 ]; then ok; else
    bad "breakers.csv: unexpected content:"; head -3 "$flap/flapping/breakers.csv"; fi
# ... and one a rerun of a configuration without breakers does not keep.
echo "t_s,breaker,state" >"$res/base/breakers.csv"
"$domino" run tests/cli/data/small.yaml --quiet --out "$tmp/out-dir" || bad "domino rerun failed"
[ -e "$res/base/breakers.csv" ] && bad "a stale breakers.csv outlived a run without breakers"

# The timeline folds: the flapping breaker's thousands of transitions come
# out as at most 10 lines a minute plus one summary per minute.
tl="$flap/flapping/timeline.log"
n=$(grep -c 'breaker to db (db_call)' "$tl")
if [ "$n" -ge 20 ] && [ "$n" -le 40 ]; then ok; else bad "timeline: $n breaker lines, want 20..40"; fi
if grep -q '^00:00:30.003 api WARN \.\.\. [0-9]* similar lines folded (breaker to db (db_call)) from 23:59:30\.[0-9]* to 00:00:30\.000; the last: breaker to db (db_call) ' "$tl"; then
    ok; else bad "timeline: no fold summary at the end of the first window:"; cat "$tl"; fi

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

    # Breakers: plotted where breakers.csv is, and nowhere else; a breakers
    # plot an earlier run left in a folder without breakers.csv is removed.
    echo stale >"$flap/stable/breakers.png"
    expect_status 0 "domino plot flap" "$domino" plot "$flap"
    grep -qx "flapping: latency, threads, queues, breakers (.png, .svg) in $flap/flapping/" "$tmp/out" &&
        ok || { bad "plot flap: output was:"; cat "$tmp/out"; }
    for plot in latency threads queues breakers; do
        for ext in png svg; do check "$flap/flapping/$plot.$ext"; done
    done
    for f in breakers.dat breakersinfo.gp; do
        [ -s "$flap/flapping/$f" ] && ok || bad "missing or empty: $flap/flapping/$f"
    done
    for f in breakers.png breakers.svg breakers.dat breakersinfo.gp; do
        [ -e "$flap/stable/$f" ] && bad "flap/stable has no breaker but has $f"
        [ -e "$res/base/$f" ] && bad "small/base has no breaker but has $f"
    done
    for ext in png svg; do check "$flap/stable/threads.$ext"; done
    # The breaker's transitions: the timeline's, folded ones counted.
    grep -q "^breaker_1 = 'api -> db (db_call)'$" "$flap/flapping/breakersinfo.gp" &&
        grep -q '^breaker_svc_1 = 2$' "$flap/flapping/breakersinfo.gp" &&
        grep -q '^breaker_folded_1 = [1-9][0-9]*$' "$flap/flapping/breakersinfo.gp" &&
        ok || { bad "breakersinfo.gp:"; cat "$flap/flapping/breakersinfo.gp"; }

    # Paths reach gnuplot quoted (plot_gp_quote): a folder named with both
    # quotes still plots. So do results whose plotinfo.gp is from before the
    # quoter (strings in "..."), which `domino plot` must still read.
    odd="$tmp/it's \"odd\""
    mkdir -p "$odd" && cp -R "$res" "$odd/small"
    expect_status 0 "plot under a quoted path" "$domino" plot "$odd/small" --quiet
    check "$odd/small/base/threads.png"
    sed "s/^\([a-z_]*\) = '\(.*\)'\$/\1 = \"\2\"/" "$res/base/plotinfo.gp" >"$tmp/info" &&
        mv "$tmp/info" "$odd/small/base/plotinfo.gp"
    grep -q '^scenario = "small"$' "$odd/small/base/plotinfo.gp" && ok || bad "legacy plotinfo.gp not made"
    rm -f "$odd/small/base/threads.png"
    expect_status 0 "plot of a legacy plotinfo.gp" "$domino" plot "$odd/small" --quiet
    check "$odd/small/base/threads.png"
    # ... its strings read without their quotes: compareinfo.gp names the
    # scenario that plotinfo.gp gave as "small".
    grep -qx "scenario = 'small'" "$odd/small/compareinfo.gp" && ok ||
        bad "legacy plotinfo.gp's scenario: $(grep scenario "$odd/small/compareinfo.gp")"
fi

echo "plot: $pass passed, $fail failed"
[ $fail -eq 0 ]
