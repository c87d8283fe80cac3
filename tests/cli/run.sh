#!/bin/sh
# End-to-end checks through the domino binary: bad input (exact error lines),
# goldens (summary.json byte for byte), determinism (reruns, --jobs), plots,
# compare, sweep and sagas.
# Usage: tests/cli/run.sh path/to/domino
set -u
domino=${1:?usage: tests/cli/run.sh DOMINO}
here=$(dirname "$0")
status=0
"$here/bad_input.sh" "$domino" || status=1
"$here/golden.sh" "$domino" || status=1
"$here/determinism.sh" "$domino" || status=1
"$here/plot.sh" "$domino" || status=1
"$here/compare.sh" "$domino" || status=1
"$here/sweep.sh" "$domino" || status=1
"$here/sagas.sh" "$domino" || status=1
exit $status
