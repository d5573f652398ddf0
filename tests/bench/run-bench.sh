#!/bin/bash
# Run every benchmark: build/tests/bench/bench_* programs and
# tests/bench/bench_*.sh scripts. Each prints its figures as ratios
# (against real time, or against a peer run side by side).
set -u
cd "$(dirname "$0")/../.." || exit 2
export BUILD=${BUILD:-build}
status=0
for b in "$BUILD"/tests/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" || status=1
    echo
done
for s in tests/bench/bench_*.sh; do
    [ -f "$s" ] || continue
    echo "== $(basename "$s" .sh)"
    bash "$s" || status=1
    echo
done
exit $status
