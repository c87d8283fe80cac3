# threads.gp - busy and blocked threads over time, one panel per service.
#
# The picture of a cascade: a slow or dead dependency shows up as its callers'
# thread pools filling with red (threads blocked waiting on a call, a
# connection or a retry backoff) while almost none are blue (working).
# Usage: gnuplot -e "dir='OUT/scenario/variant'" plots/threads.gp
# Writes dir/threads.png and dir/threads.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("threads.gp")]
load plots_dir."common.gp"
load dir."/plotinfo.gp"
load dir."/series.gp"
if (!exists("out")) out = dir."/threads"
series = dir."/series.dat"
eval layout_panels(words(services))

keys = "NaN with boxes fc rgb c_busy title 'busy (working)', ".\
       "NaN with boxes fc rgb c_blocked title 'blocked (waiting)', ".\
       "NaN with lines dt (6, 4) lw 1.4 lc rgb c_limit title 'thread pool size'".\
       time_keys(0)

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(sprintf("%s / %s: threads in use per service", esc(scenario), esc(variant)), \
        "in use = busy + blocked (on a call, a connection or a retry backoff); sampled every ".\
        sample_text."; ".esc(faults_text))
    eval key_strip(keys)
    eval set_time_axis
    eval shade_faults
    unset key
    set ylabel "threads" offset 1, 0
    do for [i=1:nsvc] {
        eval place_panel(i)
        eval mark_down(i)
        cap = nth(threads, i)
        set title sprintf("{/:Bold %s}  (%s)", esc(word(services, i)), \
            cap > 0 ? sprintf("%d threads", cap) : "unlimited threads") offset 0, -0.6
        if (cap > 0) { set yrange [0:cap * 1.08] } else { set yrange [0:*] }
        # Whole threads (a small pool would get ticks at halves), and no more
        # labels than the panel's height holds.
        if (cap > 0) { set ytics 0, count_step(cap) } else { set ytics autofreq }
        set xlabel (i > npanels - cols ? time_label : "")
        plot series index i-1 using (xt($1)):($2 + $3) with filledcurves y1=0 fc rgb c_blocked notitle, \
             '' index i-1 using (xt($1)):2 with filledcurves y1=0 fc rgb c_busy notitle, \
             (cap > 0 ? cap : NaN) with lines dt (6, 4) lw 1.4 lc rgb c_limit notitle
    }
    unset multiplot
    set output
}
