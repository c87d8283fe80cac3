/* ledger.h - the effects ledger of one saga instance: the truth at the
 * participants, whatever the callers saw.
 *
 * A ledger is 2 * n cells for the scenario's n effects: cells[e] counts
 * effect e in place, cells[n + e] counts its tombstones. A participant
 * endpoint that succeeds applies its `effect` or its `undo`:
 *
 *   | operation     | ledger before        | result           | after                  |
 *   |---------------|----------------------|------------------|------------------------|
 *   | apply         | a tombstone          | LEDGER_VOIDED    | tombstone consumed     |
 *   | apply         | none in place        | LEDGER_APPLIED   | count 1                |
 *   | apply         | in place, idempotent | LEDGER_REPEAT    | unchanged              |
 *   | apply         | in place, not idemp. | LEDGER_DUPLICATE | count + 1 (a double    |
 *   |               |                      |                  | charge)                |
 *   | undo          | in place             | LEDGER_UNDONE    | count - 1              |
 *   | undo          | none, commutative    | LEDGER_TOMBSTONE | tombstone + 1: the     |
 *   |               |                      |                  | late effect is voided  |
 *   | undo          | none, not commut.    | LEDGER_NOTHING   | unchanged: a refund of |
 *   |               |                      |                  | nothing; the late      |
 *   |               |                      |                  | charge will stay       |
 *
 * One undo removes one application: a charge made twice and refunded once
 * leaves one charge. The cells are int16_t; a count saturates rather than
 * wrap (no real instance applies one effect 32767 times).
 */
#ifndef MODELS_LEDGER_H
#define MODELS_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

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
