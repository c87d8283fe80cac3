/* plot.h - `domino plot`: PNG and SVG plots of a scenario's results.
 *
 * The gnuplot scripts in plots/ draw; this module prepares what they read and
 * runs them. Division of labour:
 *
 *   - `domino run` writes OUT/<scenario>/<variant>/plotinfo.gp (plot_write_info):
 *     the facts only the configuration knows (clock origin, duration, fault
 *     windows, thread/queue/pool capacities), as gnuplot assignments.
 *   - `domino plot DIR` (DIR = OUT/<scenario>) writes, in each variant folder,
 *     series.dat (timeseries.csv split into one gnuplot data block per
 *     service: gnuplot cannot draw connected lines from interleaved rows) and
 *     series.gp (per-service down periods from timeline.log's CRASH and
 *     "restarted" lines, and value extremes the scripts size their axes with);
 *     where `run` wrote a breakers.csv, breakers.dat (one data block per
 *     breaker) and breakersinfo.gp (their names, dependencies and shares of
 *     samples open), and where it did not, removes what an earlier breakers
 *     plot left there; in DIR, compare.dat and compareinfo.gp (each variant's
 *     success rate and p99 per load source, read line by line from
 *     summary.json). Then it runs gnuplot once per script (breakers.gp only
 *     for variants with breakers), as a child process with an argument vector.
 *
 * Scripts are found in $DOMINO_PLOTS if set, else in the first `plots/`
 * folder holding common.gp in the directory of the running binary or one of
 * its four parents (./domino at the repository root, build/<config>/domino),
 * else in ./plots.
 */
#ifndef PLOT_H
#define PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "models/config.h"

/* Writes s as a gnuplot single-quoted string, in which nothing is special
 * but '' (one quote): names, labels and paths go through whatever they hold. */
void plot_gp_quote(FILE *f, const char *s);

/* Writes dir/plotinfo.gp for the variant `variant` run with `cfg`; `order` is
 * the variant's position in the run (compare plots variants in that order).
 * Atomic, like every results file. Returns false on an I/O error. */
bool plot_write_info(const char *dir, const struct world_config *cfg, const char *variant,
                     int order);

/* `domino plot DIR [--quiet]` (main.c handles --help): argv holds the
 * arguments after "plot"; argv0 is the program's own argv[0] (a fallback to
 * find plots/). Returns the exit status: 0; 1 when gnuplot is missing or
 * fails, or on an I/O error; 2 for bad usage or a DIR that is not a results
 * folder. */
int plot_main(int argc, char **argv, const char *argv0);

/* The plots/ folder (search order above), malloc'd; NULL with a message on
 * stderr when there is none. */
char *plot_find_scripts(const char *argv0);

enum plot_gp { PLOT_GP_OK, PLOT_GP_FAILED, PLOT_GP_MISSING };
/* Runs `gnuplot -e "dir='DIR'" PLOTS/SCRIPT.gp` as a child process (no shell)
 * and waits. PLOT_GP_MISSING: gnuplot is not installed (nothing printed);
 * PLOT_GP_FAILED: it could not run or failed (a message on stderr). */
enum plot_gp plot_run_script(const char *plots, const char *script, const char *dir);

#endif
