/* scn_errors.c - collecting the loader's diagnostics, and the two message
 * helpers every stage uses: "did you mean" and quoting what the user wrote.
 *
 * Diagnostics are stored formatted, in the order found. Two rules keep the
 * list useful rather than long: an identical line is stored once (an error
 * in the base document is found again while building each variant), and
 * after SCN__MAX_ERRORS lines one closing line says the rest were dropped,
 * so a generated file with a million bad entries cannot flood the terminal
 * or make the duplicate check quadratic in a large number.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

void scn_errors_init(struct scn_errors *e)
{
    memset(e, 0, sizeof *e);
}

void scn_errors_fini(struct scn_errors *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->lines[i]);
    free(e->lines);
    memset(e, 0, sizeof *e);
}

void scn_errors_print(const struct scn_errors *e, FILE *f)
{
    for (int i = 0; i < e->n; i++) {
        fputs(e->lines[i], f);
        fputc('\n', f);
    }
}

static void push_line(struct scn_errors *e, char *line)
{
    if (e->n == e->cap) {
        size_t cap = (size_t)e->cap;
        e->lines = sim_xgrow(e->lines, &cap, (size_t)e->n + 1, sizeof *e->lines);
        e->cap = (int)cap;
    }
    e->lines[e->n++] = line;
}

char *scn__vformat(const char *fmt, va_list ap)
{
    /* Most messages fit the stack buffer; a long one is formatted twice. */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    SIM_ASSERT(len >= 0);
    char *s = sim_xmalloc((size_t)len + 1);
    if ((size_t)len < sizeof small)
        memcpy(s, small, (size_t)len + 1);
    else
        vsnprintf(s, (size_t)len + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) SIM_PRINTF(1, 2);
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = scn__vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Takes ownership of a formatted line: drops a repeat, caps the count. */
static void add_line(struct scn_errors *e, const char *path, char *full)
{
    if (e->n > SCN__MAX_ERRORS) {
        free(full);
        return;
    }
    for (int i = 0; i < e->n; i++) {
        if (strcmp(e->lines[i], full) == 0) {
            free(full);
            return;
        }
    }
    if (e->n == SCN__MAX_ERRORS) {
        free(full);
        full =
            format("%s: error: more than %d errors; the rest are not shown", path, SCN__MAX_ERRORS);
    }
    push_line(e, full);
}

void scn__verror_at(struct scn_errors *e, const char *path, int line, int col, const char *fmt,
                    va_list ap)
{
    if (e->n > SCN__MAX_ERRORS) return;
    char *msg = scn__vformat(fmt, ap);
    char *full = line > 0 ? format("%s:%d:%d: error: %s", path, line, col, msg)
                          : format("%s: error: %s", path, msg);
    free(msg);
    add_line(e, path, full);
}

/* Position of a line "PATH:LINE:COL: ..." as one number. A line without
 * one (the "more than N errors" line) sorts last. */
static long long position(const char *s, const char *path)
{
    size_t pl = strlen(path);
    if (strncmp(s, path, pl) != 0 || s[pl] != ':') return LLONG_MAX;
    char *end;
    long line = strtol(s + pl + 1, &end, 10);
    if (end == s + pl + 1 || *end != ':') return LLONG_MAX;
    long col = strtol(end + 1, NULL, 10);
    return (long long)line * 1000000 + col;
}

void scn__errors_move_sorted(struct scn_errors *dst, struct scn_errors *src, const char *path)
{
    /* Insertion sort: stable, and a build reports at most a few hundred. */
    for (int i = 1; i < src->n; i++) {
        char *line = src->lines[i];
        long long key = position(line, path);
        int j = i;
        while (j > 0 && position(src->lines[j - 1], path) > key) {
            src->lines[j] = src->lines[j - 1];
            j--;
        }
        src->lines[j] = line;
    }
    for (int i = 0; i < src->n; i++)
        add_line(dst, path, src->lines[i]);
    src->n = 0;
    scn_errors_fini(src);
}

void scn__error_at(struct scn_errors *e, const char *path, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scn__verror_at(e, path, line, col, fmt, ap);
    va_end(ap);
}

/* ---- did you mean ------------------------------------------------------- */

/* Names longer than this are never close to anything worth suggesting, and
 * the bound keeps the distance table on the stack. */
#define DYM_MAX 64

/* Levenshtein distance with one rolling row: O(|a| |b|) time, O(|b|) space. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > DYM_MAX || lb > DYM_MAX) return DYM_MAX;
    int row[DYM_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Close means at most 2 edits, or a third of the word for long words (a
 * long key with three typos is still recognisable), and always fewer edits
 * than the word has letters: "x" is not a typo of "at". */
const char *scn__did_you_mean(const char *word, const char *const *cands, int n)
{
    int len = (int)strlen(word);
    int limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    int bestd = limit + 1;
    for (int i = 0; i < n; i++) {
        if (!cands[i]) continue;
        int d = edit_distance(word, cands[i]);
        if (d < bestd && d < len && d > 0) {
            best = cands[i];
            bestd = d;
        }
    }
    return best;
}

/* ---- quoting -------------------------------------------------------------- */

/* What the user wrote is shown up to this many bytes; a 10 kB scalar in an
 * error line helps nobody. */
#define QUOTE_MAX 40

void scn__quote(const char *s, char *buf, size_t n)
{
    SIM_ASSERT(n >= 16);
    size_t o = 0;
    buf[o++] = '"';
    size_t shown = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, shown++) {
        /* Room for the longest item (4 bytes, "\x1b") and then the tail
         * "...\"" and the NUL (5), which the next pass may have to add. */
        if (shown == QUOTE_MAX || o + 9 > n) {
            /* Back off to a UTF-8 boundary so the line stays valid text. */
            while (o > 1 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 1 && ((unsigned char)buf[o - 1] & 0xC0) == 0xC0) o--;
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (*p == '"' || *p == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
}
