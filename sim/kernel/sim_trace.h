/* sim_trace.h - the kernel's only output path.
 *
 * Models report notable transitions (pool exhausted, breaker opened, crash)
 * through sim_trace(). The app layer installs a sink that writes timeline.log;
 * the kernel never opens a file. With no sink installed the call costs one
 * branch and formats nothing, so models need not guard it. Transitions are
 * rare (not per event), so formatting here is acceptable.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>

#include "sim_assert.h"
#include "sim_time.h"

struct sim;

enum sim_trace_level { SIM_TRACE_INFO, SIM_TRACE_WARN, SIM_TRACE_ERROR };

/* `who` is the element (a service name, "load", "fault"); `msg` is the text. */
typedef void sim_trace_fn(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                          const char *msg);

void sim_trace_set(struct sim *sim, sim_trace_fn *fn, void *ctx);
bool sim_trace_enabled(const struct sim *sim);
/* Messages longer than 511 bytes are truncated. */
void sim_trace(struct sim *sim, enum sim_trace_level level, const char *who, const char *fmt, ...)
    SIM_PRINTF(4, 5);
const char *sim_trace_level_name(enum sim_trace_level level); /* "INFO", "WARN", "ERROR" */

#endif
