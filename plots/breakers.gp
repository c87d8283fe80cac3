# breakers.gp - circuit-breaker state over time, one panel per breaker.
#
# A breaker guards one dependency of one caller (policy.h): closed, every call
# goes through; open, every call is short-circuited (refused at once, or
# answered by a fallback); half-open, a few trial calls test the dependency.
# The state is sampled with the time series (breakers.csv, one row per breaker
# per sample) and drawn as a step line on three levels, shaded below so an
# open stretch reads as a block; one that flaps shows as a comb. What lasts
# less than a sample (a half-open trial of a few milliseconds, a close that a
# failure undoes at once) only the timeline sees: its breaker lines are the
# dots, at their exact times and levels (beyond 10 a minute the timeline folds
# them: the panel's title counts them, and the last of each fold has its dot). The dependency's down periods (when it is a
# service that crashed) are the dark strip along the bottom: the cause next to
# the reaction.
# Usage: gnuplot -e "dir='OUT/scenario/variant'" plots/breakers.gp
# Writes dir/breakers.png and dir/breakers.svg (see common.gp for the options).

plots_dir = ARG0[1:strlen(ARG0) - strlen("breakers.gp")]
load plots_dir."common.gp"
load dir."/plotinfo.gp"
load dir."/series.gp"
load dir."/breakersinfo.gp"
if (!exists("out")) out = dir."/breakers"
data = dir."/breakers.dat"
y1_room = 30
eval layout_panels(nbreakers)

c_breaker = "#8e0152"
c_breaker_fill = "#f1b6da"

# Only the dependencies' down periods appear here, not every service's.
dep_down = 0
do for [i=1:nbreakers] {
    svc = value(sprintf("breaker_svc_%d", i))
    if (svc > 0) { if (value(sprintf("down_n_%d", svc)) > 0) { dep_down = 1 } }
}
keys = "NaN with filledcurves y1=0 fc rgb c_breaker_fill fs solid 1.0 border lc rgb c_breaker lw 1.8 ".\
       "title 'state at each sample', ".\
       "NaN with points pt 7 ps 0.7 lc rgb c_breaker title 'transition (timeline.log)'".\
       (nfaults > 0 ? ", ".fault_key : "").\
       (dep_down ? ", NaN with boxes fc rgb c_down fs solid 0.85 noborder title 'dependency down (crashed)'" : "")

# A breaker's share of samples in a state, for its title: "41%", "<1%", "0%".
pct(x) = x == 0 ? "0%" : x < 1 ? "<1%" : sprintf("%.0f%%", x)

do for [fmt in formats] {
    eval set_term(fmt)
    set output out.".".fmt
    set multiplot
    eval header(sprintf("%s / %s: circuit breakers", esc(scenario), esc(variant)), \
        "sampled every ".sample_text."; open: calls short-circuited; half-open: trial calls only; ".\
        esc(faults_text))
    eval key_strip(keys)
    eval set_time_axis
    eval shade_faults
    unset key
    set yrange [-0.15 : 2.45]
    set ytics ("closed" 0, "half-open" 1, "open" 2)
    set grid noytics
    set ylabel "breaker state"
    do for [i=1:npanels] {
        eval place_panel(i)
        svc = value(sprintf("breaker_svc_%d", i))
        if (svc > 0) {
            eval mark_down(svc)
        } else {
            do for [k=1:down_prev] { unset object 100000+k }
            down_prev = 0
        }
        # The title: the breaker, then as much of its numbers as the panel's
        # width holds (about 6.5 pixels a character).
        name = value(sprintf("breaker_%d", i))
        folded = value(sprintf("breaker_folded_%d", i))
        op = pct(value(sprintf("breaker_open_%d", i))); hp = pct(value(sprintf("breaker_half_%d", i)))
        long = sprintf("  (open in %s of samples, half-open in %s%s)", op, hp, \
            folded > 0 ? sprintf("; %d more transitions folded in the timeline, no dots", folded) : "")
        short = sprintf("  (open %s, half-open %s%s)", op, hp, \
            folded > 0 ? sprintf("; %d folded", folded) : "")
        room = pw * png_w / 6.5 - strlen(name)
        set title sprintf("{/:Bold %s}%s", esc(name), \
            strlen(long) <= room ? long : strlen(short) <= room ? short : "") offset 0, -0.6
        unset label 1
        if (value(sprintf("breaker_marks_%d", i)) == 0 && value(sprintf("breaker_open_%d", i)) == 0 \
            && value(sprintf("breaker_half_%d", i)) == 0) {
            set label 1 "closed throughout the run" at graph 0.5, first 0.5 center textcolor rgb c_limit
        }
        set xlabel (i > npanels - cols ? time_label : "")
        # Level lines on the three states only (the grid would draw between them).
        plot for [lv=0:2] lv with lines lc rgb c_grid lw 0.8 notitle, \
             data index i-1 using (xt($1)):2 with fillsteps fc rgb c_breaker_fill fs solid 1.0 notitle, \
             '' index i-1 using (xt($1)):2 with steps lw 1.8 lc rgb c_breaker notitle, \
             '' index nbreakers+i-1 using (xt($1)):2 with points pt 7 ps 0.7 lc rgb c_breaker notitle
    }
    unset multiplot
    set output
}
