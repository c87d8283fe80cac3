# common.gp - the look every domino plot shares; each script loads it first.
#
# Inputs, given with gnuplot -e before the script:
#   dir      the results folder to read (and, by default, to write the images in)
#   out      optional: path of the images without extension (default dir/<plot>)
#   png_w, png_h   optional: image size in pixels (default 1200x800; SVG the same)
#   formats  optional: "png svg" (default), "png" or "svg"
# Per-variant scripts also load dir/plotinfo.gp (written by `domino run`: clock
# origin, duration, faults, capacities) and read dir/series.dat (written by
# `domino plot`: timeseries.csv split into one block per service).

if (!exists("dir")) {
    print "usage: gnuplot -e \"dir='FOLDER'\" SCRIPT.gp (see plots/common.gp)"
    exit status 2
}
if (!exists("png_w")) png_w = 1200
if (!exists("png_h")) png_h = 800
if (!exists("formats")) formats = "png svg"

# ---- palette: one meaning per colour across every plot ----------------------
# Blue is work, red is waiting: a reader who learns it on the threads plot reads
# the others without the legend.
c_busy    = "#1f77b4"
c_blocked = "#d62728"
c_p50     = "#1f77b4"
c_p99     = "#e6550d"
c_queue   = "#7b4fa6"
c_pool    = "#2ca02c"
c_limit   = "#444444"
c_fault   = "#f2b134"
c_grid    = "#d9d9d9"
# Variants side by side (compare): colour-blind-safe Okabe-Ito order.
c_variant(i) = word("#0072b2 #e69f00 #009e73 #cc79a7 #56b4e9 #d55e00 #f0e442 #000000", (i - 1) % 8 + 1)

# Fonts scale with the image so a 900x600 README copy stays legible.
font_px = png_w >= 1100 ? 11 : 9
font_name = "DejaVu Sans"
font_main = sprintf("%s,%d", font_name, font_px)
font_title = sprintf("%s Bold,%d", font_name, font_px + 3)
font_small = sprintf("%s,%d", font_name, font_px - 1)

# eval'd once per format inside each script's `do for [fmt in formats]` loop,
# so a single plot body writes both files.
term_png = "set terminal pngcairo size png_w,png_h enhanced font font_main linewidth 1.2 background rgb '#ffffff'"
term_svg = "set terminal svg size png_w,png_h dynamic enhanced font font_main linewidth 1.2 background rgb '#ffffff'"
set_term(fmt) = fmt eq "png" ? term_png : term_svg

set encoding utf8
# Axes on the left and bottom only; the key strip turns them off and restores
# them with this.
style_axes = "\
    set border 3 lc rgb '#555555';\
    set xtics nomirror out scale 0.6 textcolor rgb '#333333';\
    set ytics nomirror out scale 0.6 textcolor rgb '#333333';\
    unset x2tics; unset y2tics;\
    set grid xtics ytics lc rgb c_grid lw 0.8 dt 1"
eval style_axes
set style fill solid 1.0 noborder

# ---- time axis ---------------------------------------------------------------
# Samples are seconds since the start (t_s). With a `clock:` the axis shows the
# wall-clock time of the incident (t_s + clock0, formatted as a time of day);
# without, the elapsed time. Short runs get seconds, or every label would read
# the same minute.
# Seconds are shown when the ticks are less than a minute apart (a short run,
# or a long one in a narrow panel), or two ticks would read the same minute.
set_time_axis = "\
    set xdata time; set timefmt '%s';\
    t_step = tic_step(duration, pw * png_w / (duration <= 300 && clock0 >= 0 ? 75.0 : 55.0));\
    if (t_step < 60 && (clock0 >= 0 || duration >= 3600) && pw * png_w / 75.0 < duration / t_step) {\
        t_step = tic_step(duration, pw * png_w / 75.0)\
    };\
    if (clock0 >= 0) {\
        set format x (t_step < 60 ? '%H:%M:%S' : '%H:%M');\
        time_label = t_step < 60 ? 'wall-clock time (HH:MM:SS)' : 'wall-clock time (HH:MM)'\
    } else {\
        set format x (duration < 3600 ? '%M:%S' : t_step < 60 ? '%H:%M:%S' : '%H:%M');\
        time_label = duration < 3600 ? 'time since start (mm:ss)' : \
            t_step < 60 ? 'time since start (hh:mm:ss)' : 'time since start (hh:mm)'\
    };\
    set xrange [xt(0):xt(duration)];\
    set xtics t_step"
xt(s) = s + (clock0 >= 0 ? clock0 : 0)
# The smallest round time step (seconds) that puts at most `fit` labels over
# `span` seconds: labels of a narrow panel would otherwise run together.
# gnuplot aligns the ticks on multiples of the step (whole minutes, ...).
tic_steps = "1 2 5 10 15 30 60 120 300 600 900 1800 3600 7200 10800 21600 43200 86400"
tic_step(span, fit) = tic_step_from(span, fit, 1)
tic_step_from(span, fit, k) = k >= words(tic_steps) || span / nth(tic_steps, k) <= fit ? \
    nth(tic_steps, k) : tic_step_from(span, fit, k + 1)

# Fault windows in every time plot that follows: shaded behind the data, and
# edged by dashed lines in front of it, so a window stays visible where a
# filled area covers the shading.
c_fault_edge = "#c98a00"
shade_faults = "\
    unset object; unset arrow;\
    do for [k=1:nfaults] {\
        fx0 = xt(value(sprintf('fault_from_%d', k)));\
        fx1 = xt(value(sprintf('fault_to_%d', k)));\
        set object 100+k rect from fx0, graph 0 to fx1, graph 1\
            behind fillcolor rgb c_fault fillstyle solid 0.28 noborder;\
        set arrow 100+2*k from fx0, graph 0 to fx0, graph 1 nohead front lc rgb c_fault_edge lw 1.2 dt (4, 3);\
        set arrow 101+2*k from fx1, graph 0 to fx1, graph 1 nohead front lc rgb c_fault_edge lw 1.2 dt (4, 3)\
    }"

# The key entry for the shading (objects have none): an invisible data point
# drawn with the fault colour.
fault_key = "NaN with boxes fc rgb c_fault fs solid 0.28 border lc rgb c_fault_edge title 'fault window'"

# A 1-2-5 step that puts at most `fit` labels over `range` (y axes of short
# panels), and the count that fits a panel: a label per 24 pixels.
nice_step(range, fit) = nice_from(range, fit, 10.0**floor(log10(range / fit)))
nice_from(range, fit, b) = range / b <= fit ? b : range / (2 * b) <= fit ? 2 * b : \
    range / (5 * b) <= fit ? 5 * b : 10 * b
y_fit(unused) = ph * png_h / 24.0
# The same for counts (threads, requests, connections): never below 1.
count_step(range) = nice_step(range, y_fit(0)) < 1 ? 1 : nice_step(range, y_fit(0))

# i-th word of a space-separated list, as a number.
nth(list, i) = word(list, i) + 0

# ---- small multiples: one panel per service ------------------------------------
# Up to 3 services stack in one column, up to 8 in two, more in three; panels
# read left to right, top to bottom, in the scenario's service order. Panels
# are placed by hand (not `multiplot layout`) so the header (title, subtitle and
# one key strip for the whole figure) gets fixed pixel heights and nothing
# overlaps at any image size. n: the number of panels; y1_room, y2_room: extra
# pixels a script needs for wide left tick labels, for a right axis.
y1_room = 0
y2_room = 0
# A narrow image's key takes two rows, and the panels move down to make room.
key_rows = png_w >= 1100 ? 1 : 2
key_extra = 16.0 * (key_rows - 1)
layout_panels(n) = sprintf("npanels = %d;", n)."\
    nsvc = words(services);\
    cols = npanels <= 3 ? 1 : (npanels <= 8 ? 2 : 3);\
    rows = int((npanels + cols - 1) / cols);\
    m_left = (y1_room + 82.0) / png_w; m_right = 1 - (y2_room + 40.0) / png_w;\
    m_top = 1 - (112.0 + key_extra) / png_h; m_bottom = 55.0 / png_h;\
    sp_x = (y1_room + y2_room + 85.0) / png_w; sp_y = 62.0 / png_h;\
    pw = (m_right - m_left - (cols - 1) * sp_x) / cols;\
    ph = (m_top - m_bottom - (rows - 1) * sp_y) / rows"
panel_x0(i) = m_left + ((i - 1) % cols) * (pw + sp_x)
panel_y1(i) = m_top - int((i - 1) / cols) * (ph + sp_y)
place_panel(p) = sprintf("\
    set lmargin at screen %.6f; set rmargin at screen %.6f;\
    set tmargin at screen %.6f; set bmargin at screen %.6f",\
    panel_x0(p), panel_x0(p) + pw, panel_y1(p), panel_y1(p) - ph)
# Title and subtitle of the whole figure, as screen labels (drawn with the
# next plot; unset them after it).
header(title, sub) = sprintf("\
    set label 91 '%s' at screen 0.5, screen 1 - 20.0 / png_h center font font_title front;\
    set label 92 '%s' at screen 0.5, screen 1 - 44.0 / png_h center font font_small front",\
    title, sub)
# The key strip under the header: an empty full-width plot whose only content
# is the key: `entries` are plot elements that draw nothing (NaN).
key_strip(entries) = "\
    set lmargin at screen 0.02; set rmargin at screen 0.98;\
    set tmargin at screen 1 - 62.0 / png_h; set bmargin at screen 1 - (88.0 + key_extra) / png_h;\
    unset border; unset tics; unset grid; unset title; unset xlabel; unset ylabel;\
    unset y2label; unset logscale; unset object; unset arrow;\
    set xrange [0:1]; set yrange [0:1]; unset xdata;\
    set key inside center center horizontal maxrows key_rows reverse Left samplen 2 width 1 font font_main;\
    plot ".entries.";\
    unset label 91; unset label 92; eval style_axes"

# Service i's down periods (from series.gp, written by `domino plot` from the
# timeline's CRASH and "restarted" lines), as a dark strip along the bottom of
# its panel. Object ids 100000+ (the previous panel's are cleared first; the
# fault windows are 100+).
c_down = "#333333"
down_prev = 0
mark_down(s) = sprintf("svc = %d;", s)."\
    do for [k=1:down_prev] { unset object 100000+k };\
    down_prev = value(sprintf('down_n_%d', svc));\
    do for [k=1:down_prev] {\
        set object 100000+k rect from xt(value(sprintf('down_from_%d_%d', svc, k))), graph 0\
            to xt(value(sprintf('down_to_%d_%d', svc, k))), graph 0.045\
            front fillcolor rgb c_down fillstyle solid 0.85 noborder\
    }"
down_key = "NaN with boxes fc rgb c_down fs solid 0.85 noborder title 'down (crashed)'"

# Key entries of the time plots' shading, only for what the plot shows; a
# script appends them after its own entries. A function, so it is evaluated
# once plotinfo.gp and series.gp are loaded (the argument is unused).
time_keys(unused) = (nfaults > 0 ? ", ".fault_key : "").(down_any ? ", ".down_key : "")

# Names may hold "_", which enhanced text would turn into a subscript.
esc(s) = strstrt(s, "_") ? s[1:strstrt(s, "_") - 1]."\\_".esc(s[strstrt(s, "_") + 1:]) : s
