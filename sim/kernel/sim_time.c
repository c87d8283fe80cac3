/* sim_time.c - integer nanosecond time: conversion, parsing, printing.
 *
 * The one rounding rule (nearest nanosecond, halves away from zero) lives in
 * sim_time_from_s() for doubles and is reproduced exactly, in integers, by the
 * parser: "0.0000000015s" is 2 ns, never 1 ns because of a binary fraction.
 * The parser never goes through double. A term's fraction is multiplied by its
 * unit with Horner's rule from the last digit, keeping only integers; the
 * carried remainder is below one unit of the last step, so the final decimal
 * digit alone decides the rounding (see term_fraction_ns). Any number of
 * fraction digits is therefore exact, with no 128-bit arithmetic.
 *
 * Printing is the parser's inverse: hours and minutes as integers, then the
 * rest below a minute in the largest unit it reaches (s, ms, us, ns) with the
 * fraction's trailing zeros trimmed, so parse(format(t)) == t for every
 * t >= 0 and the text is what a person would write (15m10s, 1.5ms).
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_assert.h"
#include "sim_time.h"

/* 100 Julian years: far beyond any scenario, far below int64 overflow, so a
 * parsed duration can be added to any time a run reaches. */
#define PARSE_MAX ((sim_time)3155760000 * SIM_S)

sim_time sim_time__from_s_slow(double seconds)
{
    SIM_ASSERT(!isnan(seconds));
    double ns = round(seconds * 1e9);
    /* 2^63 is exactly representable; anything at or past it saturates. */
    if (ns >= 9223372036854775808.0) return SIM_TIME_MAX;
    if (ns <= -9223372036854775808.0) return -SIM_TIME_MAX;
    return (sim_time)ns;
}

double sim_time_to_s(sim_time t)
{
    return (double)t / 1e9;
}
double sim_time_to_ms(sim_time t)
{
    return (double)t / 1e6;
}

/* ---- parsing ------------------------------------------------------------ */

struct unit {
    const char *name;
    sim_time ns;
};

/* Smallest first: a compound's units must have strictly decreasing indices.
 * "ms" is tried before "m" and a name must not run into another letter, so
 * "5ms" is milliseconds and "5mss" is an error. */
enum { UNIT_NS, UNIT_US, UNIT_MS, UNIT_S, UNIT_M, UNIT_H, NUNITS };
static const struct unit units[NUNITS] = {
    {"ns", SIM_NS}, {"us", SIM_US}, {"ms", SIM_MS}, {"s", SIM_S}, {"m", SIM_MIN}, {"h", SIM_HOUR},
};

static const char MSG_EMPTY[] = "empty duration";
static const char MSG_NUMBER[] = "expected a number with a unit ns, us, ms, s, m or h";
static const char MSG_UNIT[] = "expected a unit ns, us, ms, s, m or h after the number";
static const char MSG_NEGATIVE[] = "a duration cannot be negative";
static const char MSG_ORDER[] = "units must go from the largest down, each once (1h30m, 15m10s)";
static const char MSG_LARGE[] = "duration too large (over 100 years)";

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Matches a unit name at s; returns its index in units[] or -1. */
static int match_unit(const char *s, size_t *len)
{
    for (int u = 0; u < NUNITS; u++) {
        const char *n = units[u].name;
        size_t k = 0;
        while (n[k] && s[k] == n[k])
            k++;
        if (!n[k] && !(s[k] >= 'a' && s[k] <= 'z')) {
            *len = k;
            return u;
        }
    }
    return -1;
}

/* Nanoseconds of 0.<digits> times `unit`, rounded half up (the value is
 * positive, so that is half away from zero). Horner from the last digit:
 * q_i = unit * d_i + floor(q_{i+1} / 10). Dropping the fraction of q_{i+1}/10
 * never changes a later floor, because q is an integer plus a part below 1;
 * the exact result is q_1 / 10 plus less than 1/10, so it rounds up exactly
 * when q_1 mod 10 >= 5. q stays below 10 * unit (3.6e13 for hours). */
static sim_time term_fraction_ns(const char *digits, size_t n, sim_time unit)
{
    sim_time q = 0;
    for (size_t i = n; i-- > 0;)
        q = unit * (digits[i] - '0') + q / 10;
    return q / 10 + (q % 10 >= 5);
}

const char *sim_time_parse(const char *s, sim_time *out)
{
    if (!s || !*s) return MSG_EMPTY;
    if (*s == '-') return MSG_NEGATIVE;
    const char *p = s;
    sim_time total = 0;
    int last_unit = NUNITS;
    while (*p) {
        /* number: digits, optionally '.' and digits, at least one digit */
        sim_time ip = 0;
        bool ip_huge = false;
        const char *start = p;
        while (is_digit(*p)) {
            if (ip > (INT64_MAX - 9) / 10)
                ip_huge = true; /* keep scanning; reported once the unit is known */
            else
                ip = ip * 10 + (*p - '0');
            p++;
        }
        const char *frac = p;
        size_t nfrac = 0;
        if (*p == '.') {
            frac = ++p;
            while (is_digit(*p))
                p++;
            nfrac = (size_t)(p - frac);
        }
        if (p == start || (p - start == 1 && *start == '.')) return MSG_NUMBER;

        int u;
        size_t ulen = 0;
        if (!*p && start == s) {
            u = UNIT_S; /* a bare number is seconds */
        } else if ((u = match_unit(p, &ulen)) < 0) {
            return MSG_UNIT;
        }
        if (u >= last_unit) return MSG_ORDER;
        last_unit = u;
        p += ulen;

        sim_time unit = units[u].ns;
        if (ip_huge || ip > PARSE_MAX / unit) return MSG_LARGE;
        sim_time v = ip * unit + term_fraction_ns(frac, nfrac, unit);
        if (v > PARSE_MAX - total) return MSG_LARGE;
        total += v;
    }
    *out = total;
    return NULL;
}

/* ---- printing ----------------------------------------------------------- */

/* Appends with snprintf semantics: `len` counts what would have been written,
 * the buffer always ends in NUL when n > 0. */
struct out {
    char *buf;
    size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) SIM_PRINTF(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = o->len < o->n ? o->buf + o->len : NULL;
    size_t room = dst ? o->n - o->len : 0;
    int k = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    SIM_ASSERT(k >= 0);
    o->len += (size_t)k;
}

/* v in units of `unit` ns, e.g. 1500000 ns in ms -> "1.5". */
static void put_decimal(struct out *o, uint64_t v, uint64_t unit, const char *name)
{
    uint64_t whole = v / unit, frac = v % unit;
    if (!frac) {
        put(o, "%llu%s", (unsigned long long)whole, name);
        return;
    }
    int digits = 0;
    for (uint64_t u = unit; u > 1; u /= 10)
        digits++;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    put(o, "%llu.%0*llu%s", (unsigned long long)whole, digits, (unsigned long long)frac, name);
}

size_t sim_time_format(sim_time t, char *buf, size_t n)
{
    struct out o = {buf, n, 0};
    if (n) buf[0] = '\0';
    uint64_t v = (uint64_t)t;
    if (t < 0) {
        put(&o, "-"); /* not a duration, but differences of times can be shown */
        v = 0 - v;
    }
    if (v == 0) {
        put(&o, "0s");
        return o.len;
    }
    uint64_t h = v / (uint64_t)SIM_HOUR, m = v % (uint64_t)SIM_HOUR / (uint64_t)SIM_MIN;
    uint64_t rest = v % (uint64_t)SIM_MIN;
    if (h) put(&o, "%lluh", (unsigned long long)h);
    if (m) put(&o, "%llum", (unsigned long long)m);
    if (rest >= (uint64_t)SIM_S)
        put_decimal(&o, rest, (uint64_t)SIM_S, "s");
    else if (rest >= (uint64_t)SIM_MS)
        put_decimal(&o, rest, (uint64_t)SIM_MS, "ms");
    else if (rest >= (uint64_t)SIM_US)
        put_decimal(&o, rest, (uint64_t)SIM_US, "us");
    else if (rest)
        put_decimal(&o, rest, 1, "ns");
    return o.len;
}

size_t sim_time_clock(sim_time t, sim_time origin, char *buf, size_t n)
{
    const int64_t day_ms = 86400 * 1000;
    /* Floor division, so a label never rounds into the next millisecond and
     * times before the origin still read as the previous day's clock. */
    int64_t ms = t / SIM_MS - (t % SIM_MS < 0);
    ms = (ms % day_ms + (origin % 86400) * 1000) % day_ms;
    if (ms < 0) ms += day_ms;
    int k = snprintf(buf, n, "%02d:%02d:%02d.%03d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                     (int)(ms / 1000 % 60), (int)(ms % 1000));
    SIM_ASSERT(k >= 0);
    return (size_t)k;
}
