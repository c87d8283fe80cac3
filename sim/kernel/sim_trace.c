/* sim_trace.c - the trace sink.
 *
 * The kernel never opens a file: the app installs a sink. Formatting happens
 * only when a sink is set, into a 512-byte stack buffer, so a run without a
 * timeline pays one branch per call and allocates nothing. Longer messages
 * are truncated (vsnprintf always NUL-terminates); transitions are short.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "sim.h"
#include "sim_trace.h"

void sim_trace_set(struct sim *sim, sim_trace_fn *fn, void *ctx)
{
    sim->trace_fn = fn;
    sim->trace_ctx = ctx;
}

bool sim_trace_enabled(const struct sim *sim)
{
    return sim->trace_fn != NULL;
}

void sim_trace(struct sim *sim, enum sim_trace_level level, const char *who, const char *fmt, ...)
{
    if (!sim->trace_fn) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) buf[0] = '\0'; /* an encoding error: report the event, lose the text */
    sim->trace_fn(sim->trace_ctx, sim->now, level, who, buf);
}

const char *sim_trace_level_name(enum sim_trace_level level)
{
    switch (level) {
    case SIM_TRACE_INFO:
        return "INFO";
    case SIM_TRACE_WARN:
        return "WARN";
    case SIM_TRACE_ERROR:
        return "ERROR";
    }
    SIM_UNREACHABLE();
}
