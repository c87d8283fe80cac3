# queues.gp - accept-queue length and connection-pool use per service.
#
# Requests pile up in a queue when every thread is taken; a pool at its size
# means callers wait for (or are refused) a connection. The queue is on the
# left axis (requests), the pool on the right one (connections): their scales
# differ by orders of magnitude, and each is drawn against its own limit.
# Services that never queued and have no pool get no panel (an empty panel
# says nothing); the subtitle names them.
# Usage: gnuplot -e "dir='OUT/scenario/variant'" plots/queues.gp
# Writes dir/queues.png and dir/queues.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("queues.gp")]
load plots_dir."common.gp"
load dir."/plotinfo.gp"
load dir."/series.gp"
if (!exists("out")) out = dir."/queues"
series = dir."/series.dat"

shown = ""
quiet = ""
do for [i=1:words(services)] {
    if (value(sprintf("queue_max_%d", i)) > 0 || nth(pool_size, i) > 0) {
        shown = shown.sprintf(" %d", i)
    } else {
        quiet = quiet.(quiet eq "" ? "" : ", ").esc(word(services, i))
    }
}
if (shown eq "") {
    # Nothing ever queued anywhere: show every service's flat line rather
    # than an empty image.
    do for [i=1:words(services)] { shown = shown.sprintf(" %d", i) }
    quiet = ""
}
y2_room = 60
eval layout_panels(words(shown))

any_pool = 0
do for [i=1:words(services)] { if (nth(pool_size, i) > 0) { any_pool = 1 } }
keys = "NaN with boxes fc rgb c_queue fs solid 0.55 title 'queue".(any_pool ? " (left)" : "")."', ".\
       (any_pool ? "NaN with lines lw 1.6 lc rgb c_pool title 'pool in use (right)', " : "").\
       "NaN with lines dt (6, 4) lw 1.4 lc rgb c_limit title 'capacity'".\
       time_keys(0)

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(sprintf("%s / %s: queues and connection pools per service", esc(scenario), esc(variant)), \
        "levels at the end of each ".sample_text." sample".\
        (quiet eq "" ? "" : "; never queued, no pool: ".quiet)."; ".esc(faults_text))
    eval key_strip(keys)
    eval set_time_axis
    eval shade_faults
    unset key
    set format y "%.0s%c"
    set ylabel "queued requests" textcolor rgb c_queue
    do for [p=1:npanels] {
        i = word(shown, p) + 0
        eval place_panel(p)
        eval mark_down(i)
        qcap = nth(queue_cap, i)
        qmax = value(sprintf("queue_max_%d", i))
        psize = nth(pool_size, i)
        set title sprintf("{/:Bold %s}  (queue %s%s)", esc(word(services, i)), \
            qcap < 0 ? "unbounded" : qcap == 0 ? "none" : sprintf("%d", qcap), \
            (qmax == 0 ? ", never queued" : "").\
            (psize > 0 ? sprintf("; pools: %d connections", psize) : "")) offset 0, -0.6
        # The capacity line only when the queue came near it: a 10,000 line
        # would flatten a queue of 50 into the axis.
        show_qcap = qcap > 0 && qmax >= 0.1 * qcap
        ytop = show_qcap ? qcap : (qmax > 0 ? qmax : 10)
        set yrange [0 : ytop * 1.08]
        set ytics 0, count_step(ytop)
        set xlabel (p > npanels - cols ? time_label : "")
        if (psize > 0) {
            set y2tics 0, count_step(psize) nomirror out scale 0.6 \
                textcolor rgb c_pool
            set y2label "connections in use" textcolor rgb c_pool
            set y2range [0 : psize * 1.08]
            plot series index i-1 using (xt($1)):4 with filledcurves y1=0 fc rgb c_queue fs solid 0.55 notitle, \
                 (show_qcap ? qcap : NaN) with lines dt (6, 4) lw 1.4 lc rgb c_queue notitle, \
                 '' index i-1 using (xt($1)):11 axes x1y2 with lines lw 1.4 lc rgb c_pool notitle, \
                 psize axes x1y2 with lines dt (6, 4) lw 1.4 lc rgb c_pool notitle
        } else {
            unset y2tics; unset y2label
            plot series index i-1 using (xt($1)):4 with filledcurves y1=0 fc rgb c_queue fs solid 0.55 notitle, \
                 (show_qcap ? qcap : NaN) with lines dt (6, 4) lw 1.4 lc rgb c_queue notitle
        }
    }
    unset multiplot
    set output
}
