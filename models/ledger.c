/* ledger.c - the effects ledger (see ledger.h for the table). */
#include "models/ledger.h"

#include "sim/kernel/sim_assert.h"

static void bump(int16_t *c)
{
    if (*c < INT16_MAX) (*c)++;
}

enum ledger_result ledger_apply(int16_t *cells, int n, int effect, bool idempotent)
{
    SIM_ASSERT(effect >= 0 && effect < n);
    int16_t *count = &cells[effect], *tomb = &cells[n + effect], *made = &cells[2 * n + effect];
    if (idempotent && *made > 0) return LEDGER_REPEAT;
    bool again = *made > 0;
    bump(made);
    if (*tomb > 0) {
        (*tomb)--;
        return LEDGER_VOIDED;
    }
    bump(count);
    return again ? LEDGER_DUPLICATE : LEDGER_APPLIED;
}

enum ledger_result ledger_undo(int16_t *cells, int n, int effect, bool commutative)
{
    SIM_ASSERT(effect >= 0 && effect < n);
    int16_t *count = &cells[effect];
    if (*count > 0) {
        (*count)--;
        return LEDGER_UNDONE;
    }
    if (!commutative) return LEDGER_NOTHING;
    bump(&cells[n + effect]);
    return LEDGER_TOMBSTONE;
}

int ledger_left(const int16_t *cells, int n)
{
    int left = 0;
    for (int e = 0; e < n; e++)
        left += cells[e];
    return left;
}

int ledger_first(const int16_t *cells, int n)
{
    for (int e = 0; e < n; e++)
        if (cells[e] > 0) return e;
    return -1;
}
