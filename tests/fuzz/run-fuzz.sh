#!/bin/bash
# Run every fuzz target for FUZZ_SECONDS each (default 60). Targets are
# built by `make fuzz`; crashes are written to build/fuzz/artifacts/.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SECONDS:-60}
ONLY=${1:-}
mkdir -p "$BUILD/fuzz/artifacts"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
status=0
for bin in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    [ -n "$ONLY" ] && [ "$name" != "$ONLY" ] && continue
    corpus=$BUILD/fuzz/corpus-$name
    mkdir -p "$corpus"
    seeds=()
    [ -d "tests/fuzz/seeds/$name" ] && seeds=("tests/fuzz/seeds/$name")
    log=$BUILD/fuzz/$name.log
    extra=()
    if [ -f "tests/fuzz/$name.options" ]; then
        read -r -a extra < <(grep -v '^#' "tests/fuzz/$name.options" | tr '\n' ' ')
    fi
    "$bin" "${extra[@]}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$BUILD/fuzz/artifacts/$name-" "$corpus" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    runs=$(grep -aoE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
    if [ $rc -eq 0 ]; then
        echo "fuzz $name: ${SECONDS_EACH}s, ${runs:-?} runs, nothing found"
    else
        echo "fuzz $name: FAILED (exit $rc), see $log"
        grep -E 'ERROR|SUMMARY' "$log" | head -5
        status=1
    fi
done
exit $status
