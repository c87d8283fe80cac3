/* ledger.h - the effects ledger of one saga instance: the truth at the
 * participants, whatever the callers saw.
 *
 * A ledger is LEDGER_CELLS(n) cells for the scenario's n effects: for effect
 * e, cells[e] counts applications in place, cells[n + e] tombstones, and
 * cells[2n + e] applications ever made (what an idempotency key remembers).
 * A participant endpoint that succeeds applies its `effect` or its `undo`:
 *
 *   | operation | ledger before               | result           | after               |
 *   |-----------|-----------------------------|------------------|---------------------|
 *   | apply     | idempotent, made before     | LEDGER_REPEAT    | unchanged: the key  |
 *   |           |                             |                  | is known            |
 *   | apply     | a tombstone                 | LEDGER_VOIDED    | tombstone consumed  |
 *   | apply     | never made                  | LEDGER_APPLIED   | in place + 1        |
 *   | apply     | made before, not idempotent | LEDGER_DUPLICATE | in place + 1: a     |
 *   |           |                             |                  | second charge       |
 *   | undo      | in place                    | LEDGER_UNDONE    | in place - 1        |
 *   | undo      | none in place, commutative  | LEDGER_TOMBSTONE | tombstone + 1: the  |
 *   |           |                             |                  | late effect is void |
 *   | undo      | none, not commutative       | LEDGER_NOTHING   | unchanged: a refund |
 *   |           |                             |                  | of nothing; a late  |
 *   |           |                             |                  | charge will stay    |
 *
 * Every apply but a REPEAT counts as made (a voided one too: its key was
 * seen). One undo removes one application: a charge made twice and refunded
 * once leaves one charge. Cells are int16_t and saturate rather than wrap.
 */
#ifndef MODELS_LEDGER_H
#define MODELS_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#define LEDGER_CELLS(n) (3 * (n))

enum ledger_result {
    LEDGER_APPLIED,
    LEDGER_REPEAT,
    LEDGER_DUPLICATE,
    LEDGER_VOIDED,
    LEDGER_UNDONE,
    LEDGER_TOMBSTONE,
    LEDGER_NOTHING
};

enum ledger_result ledger_apply(int16_t *cells, int n, int effect, bool idempotent);
enum ledger_result ledger_undo(int16_t *cells, int n, int effect, bool commutative);
/* Applications in place, all effects together. */
int ledger_left(const int16_t *cells, int n);
/* The first effect in place, or -1 (for the timeline's explanation). */
int ledger_first(const int16_t *cells, int n);

#endif
