#!/bin/sh
# Same scenario, variant and seed give byte-identical summary.json: on a rerun,
# with --jobs 1 and --jobs 2, and with replications. Adding an unrelated
# service leaves every other element's results unchanged (common random
# numbers): the summaries match once the new service's own entry is removed.
# Usage: tests/cli/determinism.sh DOMINO
set -u
domino=${1:?usage: tests/cli/determinism.sh DOMINO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, file1, file2
    if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
        echo "determinism: $1: $2 and $3 differ"; diff "$2" "$3" | head -10; fail=$((fail + 1)); fi
}
scn=tests/cli/data/small.yaml
"$domino" run "$scn" --quiet --jobs 1 --out "$tmp/a" || fail=$((fail + 1))
"$domino" run "$scn" --quiet --jobs 1 --out "$tmp/b" || fail=$((fail + 1))
"$domino" run "$scn" --quiet --jobs 2 --out "$tmp/c" || fail=$((fail + 1))
for v in "$tmp"/a/small/*/; do
    v=$(basename "$v")
    check "rerun $v" "$tmp/a/small/$v/summary.json" "$tmp/b/small/$v/summary.json"
    check "jobs 1 vs 2 $v" "$tmp/a/small/$v/summary.json" "$tmp/c/small/$v/summary.json"
    check "timeline $v" "$tmp/a/small/$v/timeline.log" "$tmp/c/small/$v/timeline.log"
    check "timeseries $v" "$tmp/a/small/$v/timeseries.csv" "$tmp/c/small/$v/timeseries.csv"
done
"$domino" run "$scn" --quiet --jobs 1 --replications 3 --out "$tmp/r1" || fail=$((fail + 1))
"$domino" run "$scn" --quiet --jobs 2 --replications 3 --out "$tmp/r2" || fail=$((fail + 1))
check "replications jobs 1 vs 2" "$tmp/r1/small/base/summary.json" "$tmp/r2/small/base/summary.json"
# Common random numbers: the same file plus an unrelated service.
"$domino" run tests/cli/data/small_plus.yaml --quiet --jobs 1 --out "$tmp/p" || fail=$((fail + 1))
strip() { # drop the unrelated service's block and the event count
    awk '/^    "(unrelated|pings)": \{/{skip=1} skip&&/^    \}/{skip=0; next} !skip' "$1" |
        grep -v '"events"' | sed 's/^\(    }\),$/\1/' >"$2"
}
strip "$tmp/a/small/base/summary.json" "$tmp/s1"
strip "$tmp/p/small/base/summary.json" "$tmp/s2"
check "unrelated service leaves others unchanged" "$tmp/s1" "$tmp/s2"
echo "determinism: $pass passed, $fail failed"
[ $fail -eq 0 ]
