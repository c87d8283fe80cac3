/* summary.h - the summary.json tree of one run (SCENARIO.md section 3).
 *
 * Reads the world's metrics after world_finish() and builds the report tree
 * in the contract's key order. Nothing measured about the run itself (wall
 * time, events per second) goes here: that is perf.json's.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "models/world.h"
#include "sim/app/report.h"

struct report *summary_build(const struct world *w, const char *variant, int replications);

#endif
