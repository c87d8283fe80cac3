#!/bin/sh
# Scenario benchmarks (make bench): end-to-end runs of ./domino from a scenario
# file to summary.json. Figures come from perf.json (wall time, events, peak
# RSS of the worker that ran the simulation). Timings vary with machine load:
# take the median of several runs before comparing.
# Usage: bench/scenarios.sh DOMINO
set -eu
domino=${1:?usage: bench/scenarios.sh DOMINO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/^  \"$2\": \([0-9.e+-]*\).*/\1/p" "$1"; }

# M/M/1 at rho 0.9, about 1.1e6 customers. Model events/s = 2 per customer / wall.
"$domino" run scenarios/mm1.yaml --quiet --out "$tmp"
p=$tmp/mm1/base/perf.json
sent=$(sed -n 's/^      "sent": \([0-9]*\).*/\1/p' "$tmp/mm1/base/summary.json")
wall=$(field "$p" wall_s)
awk -v n="$sent" -v w="$wall" -v ev="$(field "$p" events)" 'BEGIN {
    printf "mm1 (rho 0.9, %d customers): %.1f M model events/s (2 per customer), %.1f M kernel events/s, %.3f s wall\n",
        n, 2 * n / w / 1e6, ev / w / 1e6, w }'

# Valentine, every variant, two jobs.
start=$(date +%s.%N)
"$domino" run scenarios/valentine.yaml --quiet --jobs 2 --out "$tmp"
end=$(date +%s.%N)
for v in "$tmp"/valentine/*/; do
    p=$v/perf.json
    printf 'valentine/%s: %.1f M events/s, %.0f events, %.2f s, peak RSS %.1f MB\n' \
        "$(basename "$v")" "$(field "$p" events_per_s | awk '{print $1/1e6}')" \
        "$(field "$p" events)" "$(field "$p" wall_s)" "$(field "$p" peak_rss_mb)"
done
awk -v a="$start" -v b="$end" 'BEGIN { printf "valentine, all variants, --jobs 2: %.2f s wall\n", b - a }'

# Memory must not grow with simulated duration: the same scenario at 10 and 20 min.
for d in 10m 20m; do
    "$domino" run scenarios/valentine.yaml --quiet --duration "$d" --out "$tmp/d$d"
    for v in "$tmp/d$d"/valentine/*/; do
        printf 'valentine/%s --duration %s: peak RSS %.1f MB\n' "$(basename "$v")" "$d" \
            "$(field "$v/perf.json" peak_rss_mb)"
    done
done
