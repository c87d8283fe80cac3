# compare.gp - the variants of one scenario side by side, per load source:
# success rate (left) and p99 latency (right, log scale), one bar per variant.
#
# Both come from each variant's summary.json (compare.dat, written by `domino
# plot`): the success rate is the share of requests whose end user saw a
# success; the p99 counts every outcome they saw, failures and timeouts
# included, so a timeout shows as a p99 at the timeout.
# Usage: gnuplot -e "dir='OUT/scenario'" plots/compare.gp
# Writes dir/compare.png and dir/compare.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("compare.gp")]
load plots_dir."common.gp"
load dir."/compareinfo.gp"
if (!exists("out")) out = dir."/compare"
data = dir."/compare.dat"

nvar = words(variants)
nload = words(loads)
# Bars of a group share 80% of a unit; group k (a load source) is centred on k.
bw = 0.8 / nvar
bar_x(k, j) = k + (j - (nvar + 1) / 2.0) * bw
# Value labels: side by side above their bars while they fit; with more than
# three variants they would run into each other, so they stand up. (A macro,
# expanded when the block below is read, so it is set out here.)
lbl = nvar > 3 ? "rotate by 90 left offset 0, 0.3" : "center offset 0, 0.7"
fmt_pct(v) = v != v ? "" : sprintf("%.0f%%", v)
fmt_ms(v) = v != v ? "" : v < 10 ? sprintf("%.1fms", v) : v < 1000 ? sprintf("%.0fms", v) : \
            v < 10000 ? sprintf("%.1fs", v / 1000) : sprintf("%.0fs", v / 1000)

keys = ""
do for [j=1:nvar] {
    keys = keys.(j > 1 ? ", " : "").\
        sprintf("NaN with boxes fc rgb '%s' title '%s'", c_variant(j), esc(word(variants, j)))
}

set style fill solid 0.9 noborder

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(sprintf("%s: variants side by side, per load source", esc(scenario)), \
        "success = share of requests the end user saw succeed; p99 over every outcome they saw (timeouts included)".\
        (replications > 1 ? sprintf("; means of %d replications", replications) : ""))
    eval key_strip(keys)
    eval style_axes
    unset key
    # One tic per load source, labelled with its name (after style_axes,
    # which resets the tics).
    set grid noxtics ytics
    set xtics () scale 0
    do for [k=1:nload] { set xtics add (esc(word(loads, k)) k) }
    set xrange [0.4 : nload + 0.6]

    # Left: success rate.
    set lmargin at screen 82.0 / png_w
    set rmargin at screen 0.5 - 40.0 / png_w
    set tmargin at screen 1 - (112.0 + key_extra) / png_h
    set bmargin at screen 55.0 / png_h
    set title "{/:Bold success rate}" offset 0, -0.6
    unset logscale y
    set yrange [0:112]
    set ytics 0, 20, 100 format "%g%%"
    set ylabel "requests that succeeded (%)"
    set xlabel "load source"
    plot for [j=1:nvar] data using (bar_x($0 + 1, j)):(column(2 * j)):(bw * 0.92) \
             with boxes fc rgb c_variant(j) notitle, \
         for [j=1:nvar] '' using (bar_x($0 + 1, j)):(column(2 * j)):(fmt_pct(column(2 * j))) \
             with labels @lbl font font_small notitle

    # Right: p99 on whole decades; bars rise from the bottom of the axis
    # (boxxyerror: a log axis has no zero to start from).
    set lmargin at screen 0.5 + 60.0 / png_w
    set rmargin at screen 1 - 25.0 / png_w
    set title "{/:Bold p99 latency} (log scale)" offset 0, -0.6
    set logscale y
    lo = p99_min == p99_min ? 10.0**floor(log10(p99_min)) : 1
    hi = p99_max == p99_max ? p99_max : 1000
    # Headroom for the value label above the tallest bar.
    set yrange [0.999 * lo : (hi * 2.5 > lo * 10 ? hi * 2.5 : lo * 10)]
    set ytics ("10us" 0.01, "0.1ms" 0.1, "1ms" 1, "10ms" 10, "100ms" 100, "1s" 1000, \
               "10s" 10000, "100s" 100000, "1000s" 1e6)
    set format y "%g"
    set ylabel "p99 latency"
    plot for [j=1:nvar] data using (bar_x($0 + 1, j)):(column(2 * j + 1)):\
             (bar_x($0 + 1, j) - bw * 0.46):(bar_x($0 + 1, j) + bw * 0.46):(lo):(column(2 * j + 1)) \
             with boxxyerror fc rgb c_variant(j) notitle, \
         for [j=1:nvar] '' using (bar_x($0 + 1, j)):(column(2 * j + 1)):(fmt_ms(column(2 * j + 1))) \
             with labels @lbl font font_small notitle
    unset multiplot
    set output
}
