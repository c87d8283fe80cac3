#!/bin/sh
# `domino compare` end to end on tests/cli/data/compare.yaml (variants base,
# same = base, big-pool): a row per load-source metric and per service, the
# CSV header, exact zero differences for an identical variant (common random
# numbers), the same bytes whatever --jobs, the results `domino run` would
# write, and exit 2 on bad usage with nothing on stdout.
# Usage: tests/cli/compare.sh DOMINO
set -u
domino=${1:?usage: tests/cli/compare.sh DOMINO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "compare: $*"; fail=$((fail + 1)); }
check() { # name, file1, file2
    if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; diff "$2" "$3" | head -10; fi
}
scn=tests/cli/data/compare.yaml

"$domino" compare "$scn" --replications 3 --jobs 1 --quiet --out "$tmp/a" >"$tmp/t1" 2>"$tmp/e1" ||
    bad "compare --jobs 1 failed: $(cat "$tmp/e1")"
"$domino" compare "$scn" --replications 3 --jobs 2 --quiet --out "$tmp/b" >"$tmp/t2" 2>"$tmp/e2" ||
    bad "compare --jobs 2 failed: $(cat "$tmp/e2")"
check "table, jobs 1 vs 2" "$tmp/t1" "$tmp/t2"
if [ -s "$tmp/e1" ]; then bad "--quiet still wrote to stderr: $(cat "$tmp/e1")"; else ok; fi

# One row per load-source metric (users, batch) and per service (edge, api, db).
for row in "users success_rate" "users goodput_rps" "users p99_ms" "batch success_rate" \
    "batch goodput_rps" "batch p99_ms" "edge blocked_fraction" "api blocked_fraction" \
    "db blocked_fraction"; do
    n=$(grep -c "^$row " "$tmp/t1")
    if [ "$n" -eq 1 ]; then ok; else bad "table has $n rows \"$row\", want 1"; fi
done
if head -1 "$tmp/t1" | grep -q "^cmp: seed 11, 3 replications, 20s simulated"; then ok; else
    bad "table header line: $(head -1 "$tmp/t1")"; fi
if grep -q "^metric  *base  *same  *diff  *big-pool  *diff$" "$tmp/t1"; then ok; else
    bad "table column header missing:"; cat "$tmp/t1"; fi
if grep -q "^diff = variant - base over 3 paired replications" "$tmp/t1"; then ok; else
    bad "legend missing"; fi
# Unlimited threads: no blocked fraction.
if grep -q "^edge blocked_fraction  *-  *-  *-  *-  *-$" "$tmp/t1"; then ok; else
    bad "edge blocked_fraction is not all \"-\": $(grep '^edge' "$tmp/t1")"; fi
# big-pool changes what db's callers wait for: api blocks less, significantly.
if grep "^api blocked_fraction" "$tmp/t1" | grep -q "\*$"; then ok; else
    bad "big-pool's api blocked_fraction difference is not marked: $(grep '^api' "$tmp/t1")"; fi
width=$(awk '{ n = length($0); if (n > w) w = n } END { print w }' "$tmp/t1")
if [ "$width" -le 130 ]; then ok; else bad "table is $width columns wide"; fi

# The results `domino run` writes, byte for byte.
"$domino" run "$scn" --replications 3 --quiet --out "$tmp/r" || bad "run failed"
for v in base same big-pool; do
    check "summary.json of $v, compare vs run" "$tmp/a/cmp/$v/summary.json" "$tmp/r/cmp/$v/summary.json"
done

# CSV: header, a row per metric and variant, exact zeros for `same`.
"$domino" compare "$scn" --replications 3 --jobs 1 --quiet --format csv --out "$tmp/a" >"$tmp/c1" ||
    bad "compare --format csv failed"
"$domino" compare "$scn" --replications 3 --jobs 2 --quiet --format csv --out "$tmp/b" >"$tmp/c2" ||
    bad "compare --format csv --jobs 2 failed"
check "csv, jobs 1 vs 2" "$tmp/c1" "$tmp/c2"
if [ "$(head -1 "$tmp/c1")" = "metric,variant,mean,ci95,diff,diff_ci95" ]; then ok; else
    bad "csv header: $(head -1 "$tmp/c1")"; fi
n=$(wc -l <"$tmp/c1")
if [ "$n" -eq $((1 + 9 * 3)) ]; then ok; else bad "csv has $n lines, want 28"; fi
n=$(grep -c ',same,' "$tmp/c1")
z=$(grep ',same,' "$tmp/c1" | grep -v 'edge' | grep -c ',0,0$')
if [ "$n" -eq 9 ] && [ "$z" -eq 8 ]; then ok; else
    bad "identical variant: $z of 8 rows with diff exactly 0,0"; grep ',same,' "$tmp/c1"; fi
if grep -q '^edge blocked_fraction,same,,,,$' "$tmp/c1"; then ok; else bad "csv null row"; fi
if grep -q '^users success_rate,base,[0-9.]*,[0-9.e-]*,,$' "$tmp/c1"; then ok; else
    bad "first variant's diff columns not empty: $(grep '^users success_rate,base' "$tmp/c1")"; fi
# One replication: no ci95, the plain difference.
"$domino" compare "$scn" --quiet --format csv --variant big-pool --variant base --out "$tmp/a" \
    >"$tmp/c3" || bad "compare with 1 replication failed"
if grep -q '^users p99_ms,big-pool,[0-9.]*,,,$' "$tmp/c3" &&
    grep -q '^users p99_ms,base,[0-9.]*,,[0-9.]*,$' "$tmp/c3"; then ok; else
    bad "1 replication, big-pool first:"; cat "$tmp/c3"; fi

# Without --quiet, the table stays alone on stdout; a note goes to stderr.
"$domino" compare "$scn" --variant base --out "$tmp/a" >"$tmp/t4" 2>"$tmp/e4" ||
    bad "compare without --quiet failed"
if grep -q "^domino: results in $tmp/a/cmp/" "$tmp/e4" && grep -q '^metric' "$tmp/t4" &&
    ! grep -q 'events' "$tmp/t4"; then ok; else bad "stdout/stderr split"; cat "$tmp/t4" "$tmp/e4"; fi

# Bad usage or scenario: exit 2, nothing on stdout.
expect2() { # name, args...
    name=$1; shift
    "$domino" compare "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq 2 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ]; then ok; else
        bad "$name: exit $got (want 2), stdout $(wc -c <"$tmp/out") bytes"; cat "$tmp/err"; fi
}
expect2 "no FILE"
expect2 "bad format" "$scn" --format xml --out "$tmp/x"
expect2 "format without value" "$scn" --out "$tmp/x" --format
expect2 "zero replications" "$scn" --replications 0 --out "$tmp/x"
expect2 "unknown variant" "$scn" --variant nope --out "$tmp/x"
expect2 "variant twice" "$scn" --variant base --variant base --out "$tmp/x"
expect2 "unknown option" "$scn" --bogus --out "$tmp/x"
expect2 "missing file" "$tmp/none.yaml" --out "$tmp/x"
if [ ! -e "$tmp/x" ]; then ok; else bad "bad usage left output in $tmp/x"; fi
# --format belongs to compare, not run.
"$domino" run "$scn" --format csv --out "$tmp/x" >/dev/null 2>&1
if [ $? -eq 2 ]; then ok; else bad "run accepted --format"; fi
if "$domino" compare --help | grep -q "^usage: domino compare FILE"; then ok; else bad "--help"; fi
if "$domino" --help | grep -q "^  compare FILE"; then ok; else bad "top-level usage lacks compare"; fi

echo "compare: $pass passed, $fail failed"
[ $fail -eq 0 ]
