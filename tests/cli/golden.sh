#!/bin/sh
# Regression on seeded runs: each tests/golden/<scenario>/<variant>/summary.json
# must equal a fresh run byte for byte. The golden scenarios are short runs of
# the shipped ones (tests/golden/<scenario>.args holds the arguments).
# Usage: tests/cli/golden.sh [--update] DOMINO
set -u
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
domino=${1:?usage: tests/cli/golden.sh [--update] DOMINO}
root=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for args in "$root"/*.args; do
    [ -e "$args" ] || continue
    name=$(basename "$args" .args)
    # shellcheck disable=SC2046
    if ! "$domino" run $(cat "$args") --quiet --out "$tmp/$name" >"$tmp/log" 2>&1; then
        echo "golden: $name: domino failed:"; cat "$tmp/log"
        fail=$((fail + 1)); continue
    fi
    for got in "$tmp/$name"/*/*/summary.json; do
        variant=$(basename "$(dirname "$got")")
        want="$root/$name/$variant/summary.json"
        if [ $update = 1 ]; then
            mkdir -p "$(dirname "$want")"; cp "$got" "$want"
            echo "golden: updated $want"; pass=$((pass + 1))
        elif cmp -s "$got" "$want"; then
            pass=$((pass + 1))
        else
            echo "golden: $want differs from a fresh run:"
            diff "$want" "$got" | head -20
            fail=$((fail + 1))
        fi
    done
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
