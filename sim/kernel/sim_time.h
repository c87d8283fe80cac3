/* sim_time.h - simulated time: int64_t nanoseconds since t=0.
 *
 * There is no floating-point clock. Durations read from scenarios and samples
 * drawn from distributions (doubles, in seconds) become sim_time through one
 * rounding rule, sim_time_from_s(): round to the nearest nanosecond, halves
 * away from zero. int64 nanoseconds cover +-292 years.
 *
 * Duration strings (the scenario contract, section 2): a bare number is
 * seconds ("1.5"); otherwise one or more <number><unit> terms, units ns, us,
 * ms, s, m, h, written from the largest down ("15m10s", "1h30m", "250us").
 * Negative durations are not durations: the parser rejects them.
 */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS       ((sim_time)1)
#define SIM_US       ((sim_time)1000)
#define SIM_MS       ((sim_time)1000000)
#define SIM_S        ((sim_time)1000000000)
#define SIM_MIN      (60 * SIM_S)
#define SIM_HOUR     (3600 * SIM_S)
#define SIM_TIME_MAX INT64_MAX

/* The one rounding rule. Saturates at +-SIM_TIME_MAX. */
sim_time sim_time__from_s_slow(double seconds);
static inline sim_time sim_time_from_s(double seconds)
{
    /* Every draw of every distribution comes through here. For the usual
     * case, 0 <= ns < 2^52, truncation and the fraction are exact, so this is
     * round() to the bit without the libm call; the rest (negative, huge,
     * NaN) takes the general path. */
    double ns = seconds * 1e9;
    if (ns >= 0 && ns < 4503599627370496.0) {
        sim_time t = (sim_time)ns;
        return t + (ns - (double)t >= 0.5);
    }
    return sim_time__from_s_slow(seconds);
}
double sim_time_to_s(sim_time t);
double sim_time_to_ms(sim_time t);

/* Parse a duration string. Returns NULL on success, else a static message
 * ("expected a number with a unit ns, us, ms, s, m or h", ...). The whole
 * string must be consumed. Values above 100 years are rejected as too large. */
const char *sim_time_parse(const char *s, sim_time *out);

/* Shortest exact form in the parser's syntax: 0s, 250us, 1.5ms, 15m10s.
 * Always NUL-terminates; returns the length it would have written. */
size_t sim_time_format(sim_time t, char *buf, size_t n);

/* Wall-clock label "HH:MM:SS.mmm" of t seen from a clock origin (seconds
 * since midnight, e.g. 14:00:00 = 50400). Wraps at 24h. */
size_t sim_time_clock(sim_time t, sim_time origin, char *buf, size_t n);

#endif
