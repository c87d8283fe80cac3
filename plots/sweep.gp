# sweep.gp - one metric over the grid of `domino sweep`: a heatmap over the
# first two --set paths (one cell per pair of values, its mean printed in it),
# or, with one path, a line through the values with 95% intervals.
#
# Values are categories, spaced evenly in the order given (30s, 1m, 5m; or
# 100, 200, 400): a sweep's values are chosen by hand, and gnuplot cannot
# place "30s" on a number line anyway. Paths past the second are held at
# their first value; the subtitle names them.
#
# Reads dir/sweep.dat and dir/sweepinfo.gp, both written by `domino sweep`.
# Usage: gnuplot -e "dir='OUT/scenario/sweep'" plots/sweep.gp
# Writes dir/sweep.png and dir/sweep.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("sweep.gp")]
load plots_dir."common.gp"
load dir."/sweepinfo.gp"
if (!exists("out")) out = dir."/sweep"
data = dir."/sweep.dat"

# Fractions are read in percent, like compare's table.
scale = rate ? 100.0 : 1.0
unit = rate ? "%" : (strstrt(metric, "_ms") ? " ms" : (strstrt(metric, "_rps") ? " req/s" : ""))
fmt_v(v) = v != v ? "" : (rate ? sprintf("%.1f%%", v) : (abs(v) >= 100 ? sprintf("%.0f", v) : \
           abs(v) >= 10 ? sprintf("%.1f", v) : sprintf("%.3g", v)))
ylab = esc(metric).(rate ? " (%)" : (unit ne "" ? " (".unit[2:].")" : ""))

heat = npaths >= 2
title = sprintf("%s: %s per grid point", esc(scenario), esc(metric))
sub = sprintf("sweep of variant %s; %s", variant, \
    replications > 1 ? sprintf("mean of %d replications", replications).(heat ? "" : ", bars: 95% CI") \
                     : "1 replication").\
    (npaths > 2 ? sprintf("; the first two of %d --set paths", npaths) : "")
# Paths past the second, on a line of their own (cut when too long for it).
held = "the others at their first value: ".fixed
held = strlen(held) > 160 ? held[1:157]."..." : held

# Cells: a sequential colour-blind-safe ramp (viridis); its ends are the
# extremes of the sweep so neighbouring values stay apart.
set palette defined (0 "#440154", 0.25 "#3b528b", 0.5 "#21918c", 0.75 "#5ec962", 1 "#fde725")
lo = vmin == vmin ? vmin * scale : 0
hi = vmax == vmax ? vmax * scale : 1
# A metric null at every point (blocked_fraction of unlimited threads): an
# empty frame that says so, which gnuplot would otherwise refuse to draw.
nodata = vmin != vmin
# Every cell the same: a mid colour, and no scale to read it on.
flat = hi <= lo
if (flat) { d = lo == 0 ? 1 : abs(lo) * 0.01; hi = lo + d; lo = lo - d }
# A flat line with intervals: its range must hold the widest bar as well
# (common random numbers give every point the same interval when the swept
# value changes nothing).
ci = 0
if (flat && !heat && replications > 1) { stats data using 3 name "CI" nooutput; ci = CI_max * scale }

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(title, sub)
    # Values may hold { } ^ _ @, which enhanced text would interpret.
    set label 92 noenhanced
    if (npaths > 2) {
        set label 93 held at screen 0.5, screen 1 - 62.0 / png_h center font font_small front noenhanced
    }
    eval style_axes
    unset key
    set lmargin at screen 150.0 / png_w
    set rmargin at screen 1 - (heat ? 170.0 : 40.0) / png_w
    set tmargin at screen 1 - (npaths > 2 ? 95.0 : 80.0) / png_h
    set bmargin at screen 90.0 / png_h
    set xtics () scale 0 noenhanced
    do for [i=1:nx] { set xtics add (value(sprintf("x_%d", i)) i - 1) }
    set xrange [-0.5 : nx - 0.5]
    set xlabel esc(xpath)
    if (nodata) {
        set grid noxtics noytics
        if (heat) {
            set ytics () scale 0 noenhanced
            do for [i=1:ny] { set ytics add (value(sprintf("y_%d", i)) i - 1) }
            set yrange [-0.5 : ny - 0.5]
            set ylabel esc(ypath)
        } else {
            unset ytics
            set yrange [0 : 1]
            set ylabel ylab
        }
        set label 94 "no value at any point (null in summary.json)" at graph 0.5, graph 0.5 \
            center font font_main
        plot NaN notitle
        unset label 94
    } else {
        if (heat) {
            set grid noxtics noytics
            set ytics () scale 0 noenhanced
            do for [i=1:ny] { set ytics add (value(sprintf("y_%d", i)) i - 1) }
            set yrange [-0.5 : ny - 0.5]
            set ylabel esc(ypath)
            set cbrange [lo : hi]
            set cblabel ylab offset 2.5, 0
            set colorbox vertical user origin screen 1 - 150.0 / png_w, screen 90.0 / png_h \
                size screen 18.0 / png_w, screen 1 - (npaths > 2 ? 185.0 : 170.0) / png_h
            set cbtics nomirror out scale 0.6 textcolor rgb "#333333"
            if (flat) { unset colorbox }
            if (rate) { set format cb "%g%%" } else { set format cb "%g" }
            # Values printed in the cells on a white box: readable on every colour.
            set style textbox opaque fillcolor rgb "#ffffff" noborder margins 2, 1
            plot data using 1:2:($3 * scale) with image notitle, \
                 '' using 1:2:(fmt_v($3 * scale)) with labels boxed font font_small notitle
        } else {
            set grid noxtics ytics
            set ylabel ylab
            # Every metric is >= 0; an interval reaching below is cut at 0.
            # One value everywhere: the widened range, which autoscale would
            # call empty.
            if (flat) { set yrange [(lo - ci > 0 ? lo - ci : 0) : hi + ci] } else { set yrange [0 < * : *] }
            set offsets 0, 0, graph 0.12, graph 0.05
            if (rate) { set format y "%g%%" } else { set format y "%g" }
            if (replications > 1) {
                plot data using 1:($2 * scale):($3 * scale) with yerrorlines lw 2 pt 7 ps 1.1 \
                         lc rgb c_variant(1) notitle, \
                     '' using 1:($2 * scale):(fmt_v($2 * scale)) with labels left offset 0.8, 0.8 \
                         font font_small notitle
            } else {
                plot data using 1:($2 * scale) with linespoints lw 2 pt 7 ps 1.1 \
                         lc rgb c_variant(1) notitle, \
                     '' using 1:($2 * scale):(fmt_v($2 * scale)) with labels left offset 0.8, 0.8 \
                         font font_small notitle
            }
        }
    }
    unset multiplot
    set output
}
