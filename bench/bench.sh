#!/bin/sh
# The benchmark table of `make bench`: each figure is the median of
# BENCH_RUNS runs (default 3; the machine may be shared, and the median
# shrugs off one disturbed run), for this build and, when a second build
# directory is given (make bench BENCH_BASE=<rev>), for that one too, with
# the change between them.
#
#   bench/bench.sh BUILD_DIR [BASE_BUILD_DIR [BASE_NAME]]
#
# A BUILD_DIR holds `domino` and `bench/bench_kernel`. The scenario files are
# always this checkout's (the file format is a stable contract), so both
# builds run the same models. Figures:
#   mm1, mm8          M/M/1 and M/M/8 at rho 0.9, about 1.1e6 customers each,
#                     from the file to summary.json: model events/s = the
#                     run's events / its wall time (perf.json): 2 per
#                     customer, warm-up included (its customers take wall
#                     time too), plus one sampler event per simulated second
#   plain M/M/1       bench/plain_mm1.c, the issue's yardstick (a plain C
#                     binary-heap program on the same model and random
#                     generator): model events/s, this checkout's program
#                     only, measured right after the mm1 row
#   hold 1e5          the kernel's event list with 100,000 pending: ns/event
#   inflight 1e5      bench/inflight.yaml, 100,000 requests in flight:
#                     ns per kernel event; the 60 s file spends its first
#                     ~20 s filling up (and faulting its memory in), the
#                     300 s row is the steady state
#   valentine         scenarios/valentine.yaml, every variant, --jobs 2: wall s;
#                     and valentine/none alone: M events/s
#   peak RSS          valentine/none at --duration 10m and 20m: MB (must not grow)
set -eu
cur=${1:?usage: bench/bench.sh BUILD_DIR [BASE_BUILD_DIR [BASE_NAME]]}
base=${2:-}
base_name=${3:-base}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { sed -n "s/^  \"$2\": \([0-9.e+-]*\).*/\1/p" "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }
mevents() { awk -v x="$(field "$1" events_per_s)" 'BEGIN { printf "%.2f", x / 1e6 }'; } # PERF_JSON

# One figure from one build: bench_<name> BUILD_DIR prints a number.
bench_mm() { # FILE
    "$1/domino" run "$2" --quiet --jobs 1 --out "$tmp/o" || return 1
    n=$(basename "$2" .yaml)
    mevents "$tmp/o/$n/base/perf.json"
}
bench_mm1() { bench_mm "$1" scenarios/mm1.yaml; }
bench_mm8() { bench_mm "$1" bench/mm8.yaml; }
# The number before UNIT in FILE's first line that has one, without a newline.
number_before() { printf %s "$(sed -n "s|.*: \([0-9.]*\) $1.*|\1|p" "$2" | head -1)"; }
bench_plain() {
    "$1/bench/plain_mm1" >"$tmp/plain" || return 1
    number_before "M model events/s" "$tmp/plain"
}
bench_hold() {
    "$1/bench/bench_kernel" 100000 10000000 >"$tmp/hold" || return 1
    number_before "ns/event" "$tmp/hold"
}
bench_inflight() { # [DURATION]
    "$1/domino" run bench/inflight.yaml ${2:+--duration "$2"} --quiet --jobs 1 --out "$tmp/o" || return 1
    p=$tmp/o/inflight/base/perf.json
    awk -v w="$(field "$p" wall_s)" -v e="$(field "$p" events)" 'BEGIN { printf "%.1f", w / e * 1e9 }'
}
bench_inflight300() { bench_inflight "$1" 300s; }
bench_valentine_wall() {
    a=$(now)
    "$1/domino" run scenarios/valentine.yaml --quiet --jobs 2 --out "$tmp/v" || return 1
    b=$(now)
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b - a }'
}
bench_valentine_none() {
    "$1/domino" run scenarios/valentine.yaml --variant none --quiet --jobs 1 --out "$tmp/o" || return 1
    mevents "$tmp/o/valentine/none/perf.json"
}
bench_rss() { # DURATION
    "$1/domino" run scenarios/valentine.yaml --variant none --duration "$2" --quiet --jobs 1 --out "$tmp/r" || return 1
    field "$tmp/r/valentine/none/perf.json" peak_rss_mb | awk '{ printf "%.1f", $1 }'
}
bench_rss10() { bench_rss "$1" 10m; }
bench_rss20() { bench_rss "$1" 20m; }

# A bench_<name> prints its figure without a newline: measure adds one, and
# an empty line would sort first and pull the median down.
measure() { # NAME BUILD_DIR -> median of $runs, or n/a when a run fails
    i=0
    : >"$tmp/figures"
    while [ $i -lt "$runs" ]; do
        if ! "bench_$1" "$2" >>"$tmp/figures" 2>"$tmp/err"; then
            sed "s/^/bench $1: /" "$tmp/err" >&2
            echo n/a
            return
        fi
        echo >>"$tmp/figures"
        i=$((i + 1))
    done
    median <"$tmp/figures"
}

row() { # LABEL NAME BETTER(higher|lower)
    c=$(measure "$2" "$cur")
    if [ -n "$base" ]; then
        b=$(measure "$2" "$base")
        awk -v l="$1" -v c="$c" -v b="$b" -v better="$3" 'BEGIN {
            if (c == "n/a" || b == "n/a") { printf "%-40s %12s %12s\n", l, c, b; exit }
            d = b != 0 ? (c - b) / b * 100 : 0
            good = (better == "higher") ? d > 0 : d < 0
            printf "%-40s %12s %12s %+8.1f%%%s\n", l, c, b, d, (d > 3 || d < -3) ? (good ? "  better" : "  WORSE") : "" }'
    else
        printf '%-40s %12s\n' "$1" "$c"
    fi
}

once() { # LABEL NAME: this checkout's figure only
    printf '%-40s %12s\n' "$1" "$(measure "$2" "$cur")"
}

if [ -n "$base" ]; then
    printf '%-40s %12s %12s %9s\n' "benchmark (median of $runs)" "this" "$base_name" "change"
else
    printf '%-40s %12s\n' "benchmark (median of $runs)" "this"
fi
row "mm1: M model events/s (aim >= 18)" mm1 higher
once "plain-C M/M/1 yardstick: M events/s" plain
row "mm8: M model events/s" mm8 higher
row "hold, 1e5 pending: ns/event" hold lower
row "inflight 1e5: ns/event (aim < 150)" inflight lower
row "inflight 1e5, 300 s: ns/event" inflight300 lower
row "valentine, 4 variants, --jobs 2: wall s" valentine_wall lower
row "valentine/none: M events/s" valentine_none higher
row "valentine/none 10m: peak RSS MB" rss10 lower
row "valentine/none 20m: peak RSS MB" rss20 lower
