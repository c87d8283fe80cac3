#!/bin/sh
# `domino sweep` end to end on tests/cli/data/sweep.yaml, a 2x2 grid (db pool
# size 3,8 x caller timeout 50ms,100ms): the CSV's header and rows, the same
# numbers as `domino run` at the point that repeats the base, the same bytes
# whatever --jobs, --emit-jobs + each job + --collect giving the local CSV
# byte for byte (through GNU parallel when installed, else sh), the plot or
# the note without gnuplot, and exit 2 with a message and nothing written on
# bad input.
# Usage: tests/cli/sweep.sh DOMINO
set -u
domino=${1:?usage: tests/cli/sweep.sh DOMINO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "sweep: $*"; fail=$((fail + 1)); }
check() { # name, file1, file2
    if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; diff "$2" "$3" | head -10; fi
}
scn=tests/cli/data/sweep.yaml
grid="--set services.db.pools.conn.size=3,8 --set policies.db_call.timeout=50ms,100ms"

# shellcheck disable=SC2086 # $grid is two options on purpose
"$domino" sweep "$scn" $grid --replications 2 --jobs 1 --out "$tmp/a" >"$tmp/o1" 2>"$tmp/e1" ||
    bad "sweep --jobs 1 failed: $(cat "$tmp/e1")"
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --replications 2 --jobs 2 --quiet --out "$tmp/b" >"$tmp/o2" 2>&1 ||
    bad "sweep --jobs 2 failed: $(cat "$tmp/o2")"
csv=$tmp/a/swp/sweep/sweep.csv
check "sweep.csv, jobs 1 vs 2" "$csv" "$tmp/b/swp/sweep/sweep.csv"
for p in p000 p001 p002 p003; do
    check "$p summary.json, jobs 1 vs 2" "$tmp/a/swp/sweep/$p/summary.json" \
        "$tmp/b/swp/sweep/$p/summary.json"
done
if [ ! -s "$tmp/o2" ]; then ok; else bad "--quiet printed: $(cat "$tmp/o2")"; fi
if grep -q "^sweep: 4 points x 2 replications, 5 metrics: $csv$" "$tmp/o1"; then ok; else
    bad "summary line: $(cat "$tmp/o1")"; fi

# Header and rows: a column per path, then metric,mean,ci95; 4 points x 5
# metrics (users x 3, api, db), points in grid order, first path slowest.
if [ "$(head -1 "$csv")" = "services.db.pools.conn.size,policies.db_call.timeout,metric,mean,ci95" ]
then ok; else bad "header: $(head -1 "$csv")"; fi
n=$(wc -l <"$csv")
if [ "$n" -eq 21 ]; then ok; else bad "sweep.csv has $n lines, want 21"; fi
got=$(cut -d, -f1,2 "$csv" | sed 1d | uniq | tr '\n' ' ')
if [ "$got" = "3,50ms 3,100ms 8,50ms 8,100ms " ]; then ok; else bad "point order: $got"; fi
got=$(sed -n '2,6p' "$csv" | cut -d, -f3 | tr '\n' ',')
if [ "$got" = "users success_rate,users goodput_rps,users p99_ms,api blocked_fraction,db blocked_fraction," ]
then ok; else bad "metrics: $got"; fi
if grep -q '^8,100ms,users success_rate,0\.9[0-9]*,[0-9.e-]*$' "$csv"; then ok; else
    bad "a row with mean and ci95: $(grep '^8,100ms,users success_rate' "$csv")"; fi

# Point p001 (size 3, timeout 100ms) is the base: compare's numbers for it
# (computed by the same rule), and run's summary.json but for its name.
"$domino" compare "$scn" --variant base --replications 2 --format csv --quiet --out "$tmp/r" \
    >"$tmp/cmp.csv" || bad "compare failed"
grep '^3,100ms,' "$csv" | cut -d, -f3- >"$tmp/p001"
sed 1d "$tmp/cmp.csv" | awk -F, '{ print $1 "," $3 "," $4 }' >"$tmp/base"
check "point equal to the base vs compare" "$tmp/p001" "$tmp/base"
grep -v '"variant"' "$tmp/a/swp/sweep/p001/summary.json" >"$tmp/s1"
grep -v '"variant"' "$tmp/r/swp/base/summary.json" >"$tmp/s2"
check "p001 summary.json vs run's base" "$tmp/s1" "$tmp/s2"
# ... and one replication: empty ci95 column.
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --quiet --out "$tmp/one" || bad "sweep with 1 replication failed"
if grep -q '^3,50ms,users success_rate,[0-9.]*,$' "$tmp/one/swp/sweep/sweep.csv"; then ok; else
    bad "1 replication: $(sed -n 2p "$tmp/one/swp/sweep/sweep.csv")"; fi

# The plot when gnuplot is there; without it a note, exit 0, the data kept.
if command -v gnuplot >/dev/null 2>&1; then
    for f in sweep.png sweep.svg sweep.dat sweepinfo.gp; do
        if [ -s "$tmp/a/swp/sweep/$f" ]; then ok; else bad "no $f"; fi
    done
    # A path that changes nothing gives a flat line whose every point has
    # the same 95% bar (common random numbers): the plot's y range must hold
    # the bar, not just the line (it once ran +-1% around the mean). The
    # script is run again to read the range gnuplot chose.
    flat=$tmp/flat/small/sweep
    "$domino" sweep tests/cli/data/small.yaml --set description=a,b --replications 2 \
        --metric "users goodput_rps" --quiet --out "$tmp/flat" || bad "flat sweep failed"
    range=$(gnuplot -e "dir='$flat'; out='$tmp/flat/again'" plots/sweep.gp \
        -e 'print GPVAL_Y_MIN, GPVAL_Y_MAX' 2>&1)
    if awk -v r="$range" '!/^#/ && NF == 3 { split(r, y, " "); ci = $3 > 0
        if (!(y[1] <= $2 - $3 && y[2] >= $2 + $3)) bad = 1 }
        END { exit !(ci && !bad) }' "$flat/sweep.dat"
    then ok; else bad "flat line: y range $range does not hold $(sed -n 3p "$flat/sweep.dat")"; fi
fi
# shellcheck disable=SC2086
PATH=/nonexistent "$domino" sweep "$scn" $grid --out "$tmp/ng" >/dev/null 2>"$tmp/eng"
st=$?
if [ $st -eq 0 ] && grep -q "gnuplot not found" "$tmp/eng" && [ "$(wc -l <"$tmp/eng")" -eq 1 ] &&
    [ -s "$tmp/ng/swp/sweep/sweep.dat" ] && [ ! -e "$tmp/ng/swp/sweep/sweep.png" ]; then ok; else
    bad "without gnuplot: exit $st, stderr: $(cat "$tmp/eng")"; fi

# Jobs: one command per point; each run alone, then collected.
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --replications 2 --out "$tmp/j" --emit-jobs >"$tmp/jobs.txt" ||
    bad "--emit-jobs failed"
n=$(wc -l <"$tmp/jobs.txt")
if [ "$n" -eq 4 ]; then ok; else bad "--emit-jobs printed $n lines, want 4"; fi
if sed -n 3p "$tmp/jobs.txt" | grep -q -- "--point p002 --replications 2 --out $tmp/j --quiet$"
then ok; else bad "job line: $(sed -n 3p "$tmp/jobs.txt")"; fi
if [ ! -e "$tmp/j" ]; then ok; else bad "--emit-jobs wrote results"; fi
# Collecting before the jobs ran names the missing points.
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --replications 2 --collect "$tmp/j" >/dev/null 2>"$tmp/ec"
st=$?
if [ $st -eq 2 ] && [ "$(grep -c 'no results of point' "$tmp/ec")" -eq 4 ]; then ok; else
    bad "collect with no results: exit $st: $(cat "$tmp/ec")"; fi
if command -v parallel >/dev/null 2>&1; then
    parallel --will-cite -j 2 <"$tmp/jobs.txt" || bad "parallel < jobs.txt failed"
else
    while IFS= read -r line; do sh -c "$line" || bad "job failed: $line"; done <"$tmp/jobs.txt"
fi
if [ ! -e "$tmp/j/swp/sweep/sweep.csv" ] && [ -s "$tmp/j/swp/sweep/p003/replications.tree" ]
then ok; else bad "a --point job wrote sweep.csv, or no replications.tree"; fi
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --replications 2 --collect "$tmp/j" --quiet ||
    bad "--collect failed"
check "sweep.csv, jobs + --collect vs local" "$tmp/j/swp/sweep/sweep.csv" "$csv"
check "sweep.dat, jobs + --collect vs local" "$tmp/j/swp/sweep/sweep.dat" "$tmp/a/swp/sweep/sweep.dat"
# Collecting with another command line than the jobs' is refused.
# shellcheck disable=SC2086
"$domino" sweep "$scn" $grid --replications 3 --collect "$tmp/j" >/dev/null 2>"$tmp/ec"
st=$?
if [ $st -eq 2 ] && grep -q "another sweep (its replications differ)" "$tmp/ec"; then ok; else
    bad "collect with other replications: exit $st: $(cat "$tmp/ec")"; fi
"$domino" sweep "$scn" --set services.db.pools.conn.size=3,9 \
    --set policies.db_call.timeout=50ms,100ms --replications 2 --collect "$tmp/j" \
    >/dev/null 2>"$tmp/ec"
st=$?
if [ $st -eq 2 ] && grep -q "its --set values differ" "$tmp/ec"; then ok; else
    bad "collect with other values: exit $st: $(cat "$tmp/ec")"; fi

# Bad input: exit 2, a message, nothing on stdout, nothing written.
expect2() { # name, message, args...
    name=$1 msg=$2
    shift 2
    "$domino" sweep "$@" --out "$tmp/x" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "$msg" "$tmp/err"; then ok; else
        bad "$name: exit $got (want 2), stdout $(wc -c <"$tmp/out") bytes, stderr:"
        cat "$tmp/err"
    fi
}
expect2 "bad path" "no item named 'dbb' in services; did you mean 'db'?" \
    "$scn" --set services.dbb.threads=3,4
expect2 "bad key" "unknown key \"sise\" in a pool of service 'db'; did you mean 'size'?" \
    "$scn" --set services.db.pools.conn.sise=3,4
expect2 "bad value in one point" "sweep.yaml:21:14: error: threads must be an integer >= 1" \
    "$scn" --set services.db.threads=4,-1
expect2 "bad value, jobs" "got \"soon\"" "$scn" --set policies.db_call.timeout=1s,soon --emit-jobs
expect2 "no --set" "at least one --set" "$scn"
expect2 "empty value" "empty value" "$scn" --set services.db.threads=4,
expect2 "two variants" "at most one --variant" "$scn" --set seed=1 --variant base --variant slow
expect2 "unknown variant" "no variant \"nope\"" "$scn" --set seed=1 --variant nope
expect2 "point past the grid" "--point must be a grid point" "$scn" --set seed=1,2 --point 2
expect2 "bad metric" "--metric \"users p98\" is not a metric" "$scn" --set seed=1 \
    --metric "users p98"
expect2 "collect and out" "leave out --out" "$scn" --set seed=1 --collect "$tmp/j"
if [ ! -e "$tmp/x" ]; then ok; else bad "bad input left output in $tmp/x"; fi

if "$domino" sweep --help | grep -q "^usage: domino sweep FILE --set PATH=V1,V2"; then ok; else
    bad "--help"; fi
if "$domino" --help | grep -q "^  sweep FILE"; then ok; else bad "top-level usage lacks sweep"; fi

echo "sweep: $pass passed, $fail failed"
[ $fail -eq 0 ]
