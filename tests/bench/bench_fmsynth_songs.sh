#!/bin/bash
# bench_fmsynth_songs - every openmsx song (Debian openttd-openmsx)
# rendered through the fmsynth core on every SIMD path this CPU has
# (tests/tools/fm-songhash: 16 voices, default patch, 48 kHz, period 256):
# the output bits must be the same on every path (exit 1 if not), and the
# CPU time of each path over the whole set is printed as a ratio to the
# baseline path. The unit tests check the first seconds of three songs;
# this checks all of them, too slow for `make check`.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
TOOL=$BUILD/tests/tools/fm-songhash
if [ ! -x "$TOOL" ]; then
    echo "bench_fmsynth_songs: $TOOL not built (make tests)" >&2
    exit 2
fi
songs=(/usr/share/games/openttd/baseset/openmsx*/*.mid)
if [ ! -f "${songs[0]}" ]; then
    echo "bench_fmsynth_songs: openttd-openmsx not installed, skipped"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$TOOL" --path all "${songs[@]}" >"$out"
status=$?
awk -v n="${#songs[@]}" -v status="$status" '
    $3 == "skipped" { skipped[$2] = 1; next }
    NF >= 7 { cpu[$2] += $7; if (!($2 in seen)) { order[k++] = $2; seen[$2] = 1 }
              if ($1 in h && h[$1] != $3) bad[$1] = 1; h[$1] = $3; count[$2]++ }
    END {
        nb = 0; for (s in bad) { print "  DIFFERENT BITS between paths: " s; nb++ }
        for (p in skipped) printf "  path %s: not supported by this CPU, not run\n", p
        base = cpu[order[0]]
        for (i = 0; i < k; i++)
            printf "  path %-6s: %d songs in %.1f s CPU, %.2fx the speed of %s\n", order[i],
                count[order[i]], cpu[order[i]], base / cpu[order[i]], order[0]
        if (nb == 0 && status == 0)
            printf "  all %d songs: the same output bits on all %d paths\n", n, k
        else
            printf "  %d of %d songs differ between paths (FAILED)\n", nb, n
    }' "$out"
exit $status
