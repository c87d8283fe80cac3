/* fault.h - scheduled faults: start and end events on their targets.
 *
 * crash (hang | refuse), pause, slow (factor, add), errors (rate) and pool
 * (size) act on a service, an endpoint or a pool from `at` to `until`.
 * Overlapping slow and errors faults compose: a target's modifiers are
 * recomputed from every active fault whenever one starts or ends (rare), so
 * no floating-point undo drift accumulates.
 */
#ifndef MODELS_FAULT_H
#define MODELS_FAULT_H

#include "models/world.h"

void fault_start_all(struct world *w);
void fault_fini(struct world *w);

#endif
