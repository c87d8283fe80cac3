# latency.gp - p50 and p99 latency over time, one panel per service.
#
# A service's latency counts completed requests only, from arrival to response
# (queue wait included), over each sample interval; an interval in which
# nothing completed leaves a gap rather than a misleading zero. Log scale: a
# 50x slowdown or a 30 s timeout sits on the same axis as 5 ms of normal work.
# Usage: gnuplot -e "dir='OUT/scenario/variant'" plots/latency.gp
# Writes dir/latency.png and dir/latency.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("latency.gp")]
load plots_dir."common.gp"
load dir."/plotinfo.gp"
load dir."/series.gp"
if (!exists("out")) out = dir."/latency"
series = dir."/series.dat"
eval layout_panels(words(services))

keys = "NaN with lines lw 1.6 lc rgb c_p50 title 'p50', ".\
       "NaN with lines lw 1.6 lc rgb c_p99 title 'p99'".\
       time_keys(0)

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(sprintf("%s / %s: latency per service", esc(scenario), esc(variant)), \
        "completed requests, arrival to response, per ".sample_text.\
        " interval (dots: samples; gaps: nothing completed); ".esc(faults_text))
    eval key_strip(keys)
    eval set_time_axis
    eval shade_faults
    unset key
    set logscale y
    # Units on the tick labels: a reader should not count zeros to see 30 s.
    set ytics ("10us" 0.01, "0.1ms" 0.1, "1ms" 1, "10ms" 10, "100ms" 100, "1s" 1000, \
               "10s" 10000, "100s" 100000, "1000s" 1e6)
    set mytics 10
    set ylabel "latency (log scale)"
    do for [i=1:nsvc] {
        eval place_panel(i)
        eval mark_down(i)
        set title sprintf("{/:Bold %s}", esc(word(services, i))) offset 0, -0.6
        # Whole decades (a hair wider: a tick exactly on the edge can be dropped by
        # rounding), so both ends carry a labelled tick (series.gp has the
        # extremes; autoscale would stop at the data).
        lo = value(sprintf("lat_min_%d", i)); hi = value(sprintf("lat_max_%d", i))
        unset label 1
        if (lo == lo) {
            set yrange [0.999 * 10.0**floor(log10(lo)) : 1.001 * 10.0**ceil(log10(hi * 1.0001))]
        } else {
            set yrange [1:1000]
            set label 1 "nothing completed" at graph 0.5, graph 0.5 center textcolor rgb c_limit
        }
        set xlabel (i > npanels - cols ? time_label : "")
        plot series index i-1 using (xt($1)):9 with linespoints lw 1.2 pt 7 ps 0.25 lc rgb c_p50 notitle, \
             '' index i-1 using (xt($1)):10 with linespoints lw 1.2 pt 7 ps 0.25 lc rgb c_p99 notitle
    }
    unset multiplot
    set output
}
