#!/bin/bash
# bench_sampletrim.sh - aiotone-sampletrim against sox doing the same chain
# (convert to 44.1 kHz 16-bit with TPDF dither, normalize, trim both ends,
# fade out) on a batch of real recorded drum samples (hydrogen-drumkits:
# WAV, FLAC and AIFF, 44.1 kHz/16-bit and 48 kHz/24-bit). Both run side by
# side on the same files, alternating, for several rounds; prints the
# medians and the ratio against its goal (sampletrim >= 2x faster than sox
# with one job, on each subset and on the whole batch), then the rate
# conversion quality table (sox rate -h against sampletrim, measured by
# tests/tools/at-srcq as in tests/integration/test_sampletrim_quality.sh).
#
#   BUILD=build tests/bench/bench_sampletrim.sh [ROUNDS]
#
# sox runs one process per file (that is how sox batches); sampletrim takes
# the whole batch in one process, once with --jobs 1 (the ratio) and once
# with --jobs 2; and, for information, once as one process per file too.
# sox's `silence` trims on a running RMS, not on 16-frame peaks, so the two
# keep slightly different lengths: this times comparable work, it does not
# compare outputs.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
ROUNDS=${1:-${BENCH_ROUNDS:-5}}
BIN=$BUILD/bin/aiotone-sampletrim
KITS=/usr/share/hydrogen/data/drumkits

[ -x "$BIN" ] || { echo "bench_sampletrim: $BIN missing (make first)" >&2; exit 2; }
command -v sox >/dev/null || { echo "bench_sampletrim: sox missing" >&2; exit 2; }
[ -d "$KITS" ] || { echo "bench_sampletrim: $KITS missing (hydrogen-drumkits)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-sampletrim.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/in" "$TMP/sox"

# A fixed, mixed batch: the first N files of kits in each format and rate,
# in two groups so the cost of rate conversion shows on its own.
pick() { # group kit pattern count
    find "$KITS/$2" -maxdepth 1 -type f -name "$3" | sort | head -n "$4" |
        while IFS= read -r f; do
            # Distinct names: kits reuse file names.
            mkdir -p "$TMP/in/$1"
            cp "$f" "$TMP/in/$1/$(echo "$2" | tr -c 'A-Za-z0-9\n' _)_$(basename "$f")"
        done
}
pick 44k Audiophob '*.wav' 14             # WAV 44.1k/16 mono
pick 44k "The Black Pearl 1.0" '*.wav' 30 # WAV 44.1k/16 mono
pick 44k BJA_Pacific '*.aiff' 30          # AIFF 44.1k/16 stereo
pick 44k ElectricEmpireKit '*.flac' 32    # FLAC 44.1k/16 mono
pick 48k ForzeeStereo '*.wav' 20          # WAV 48k/24 stereo
pick 48k rumpf_kit_z01_h2 '*.flac' 30     # FLAC 48k/24 mono
nfiles=$(find "$TMP/in" -type f | wc -l)
n44=$(find "$TMP/in/44k" -type f | wc -l)
n48=$(find "$TMP/in/48k" -type f | wc -l)
bytes=$(du -sb "$TMP/in" | cut -f1)

now() { date +%s.%N; }

run_sox() { # group
    local f out
    for f in "$TMP/in/$1"/*; do
        out=$TMP/sox/$(basename "${f%.*}").wav
        # rate, normalize, trim start, reverse, trim end + fade (as a fade
        # in of the reversed signal), reverse back, TPDF dither to 16 bit.
        sox -q "$f" -b 16 "$out" rate -h 44100 norm silence 1 16s 0.5% reverse \
            silence 1 16s 0.1% fade q 44s reverse dither || return 1
    done
}

run_st() { # jobs group...
    local j=$1
    shift
    local g files=()
    for g in "$@"; do
        files+=("$TMP/in/$g"/*)
    done
    "$BIN" --no-progress -j "$j" -o "$TMP/st" "${files[@]}" || return 1
}

run_st_each() { # one process per file, as sox runs
    local f
    for f in "$TMP"/in/*/*; do
        "$BIN" --no-progress -j 1 -o "$TMP/st" "$f" || return 1
    done
}

time_it() { # cmd...
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; echo fail; return; }
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}

median() { # file
    sort -g "$1" | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

for t in sox44 sox48 st44 st48 sox st1 st2 ste; do : >"$TMP/$t.t"; done
for ((r = 1; r <= ROUNDS; r++)); do
    a=$(time_it run_sox 44k)
    b=$(time_it run_sox 48k)
    c=$(time_it run_st 1 44k)
    d=$(time_it run_st 1 48k)
    e=$(time_it run_st 2 44k 48k)
    f=$(time_it run_st_each)
    if [[ "$a $b $c $d $e $f" == *fail* ]]; then
        echo "bench_sampletrim: a run failed" >&2
        exit 1
    fi
    echo "$a" >>"$TMP/sox44.t"
    echo "$b" >>"$TMP/sox48.t"
    echo "$c" >>"$TMP/st44.t"
    echo "$d" >>"$TMP/st48.t"
    echo "$a + $b" | bc -l >>"$TMP/sox.t"
    echo "$c + $d" | bc -l >>"$TMP/st1.t"
    echo "$e" >>"$TMP/st2.t"
    echo "$f" >>"$TMP/ste.t"
done

m() { median "$TMP/$1.t"; }
ratio() { echo "$(m "$1") / $(m "$2")" | bc -l; }
goal() { # ratio: "(goal >= 2: met)" or "(goal >= 2: NOT met)"
    awk -v r="$1" 'BEGIN {printf "(goal >= 2: %s)", (r >= 2 ? "met" : "NOT met")}'
}
printf 'sampletrim: %d files (%.1f MB; WAV/FLAC/AIFF), %d rounds alternating, medians:\n' \
    "$nfiles" "$(echo "$bytes / 1000000" | bc -l)" "$ROUNDS"
printf '  %-34s sox %7.3f s  sampletrim -j1 %7.3f s  ratio %5.2f %s\n' \
    "44.1k/16 ($n44 files, no resampling)" "$(m sox44)" "$(m st44)" "$(ratio sox44 st44)" "$(goal "$(ratio sox44 st44)")"
printf '  %-34s sox %7.3f s  sampletrim -j1 %7.3f s  ratio %5.2f %s\n' \
    "48k/24 ($n48 files, resampled)" "$(m sox48)" "$(m st48)" "$(ratio sox48 st48)" "$(goal "$(ratio sox48 st48)")"
printf '  %-34s sox %7.3f s  sampletrim -j1 %7.3f s  ratio %5.2f %s\n' \
    "all $nfiles files" "$(m sox)" "$(m st1)" "$(ratio sox st1)" "$(goal "$(ratio sox st1)")"
printf '  %-34s                  sampletrim -j2 %7.3f s  ratio %5.2f\n' \
    "all $nfiles files, --jobs 2" "$(m st2)" "$(ratio sox st2)"
printf '  %-34s                  sampletrim      %7.3f s  ratio %5.2f\n' \
    "all, one process per file (as sox)" "$(m ste)" "$(ratio sox ste)"
printf 'sampletrim vs sox ratio (one job, whole batch): %.2f %s\n' "$(ratio sox st1)" "$(goal "$(ratio sox st1)")"

# Quality of the rate conversion, 48 kHz float -> 44.1 kHz 24-bit dithered.
Q=$BUILD/tests/tools/at-srcq
if [ -x "$Q" ]; then
    mkdir -p "$TMP/q/in" "$TMP/q/sox" "$TMP/q/st"
    "$Q" gen "$TMP/q/in"
    for f in "$TMP"/q/in/*.wav; do
        sox -q "$f" -b 24 "$TMP/q/sox/$(basename "$f")" rate -h 44100 dither 2>/dev/null
    done
    "$BIN" --no-progress --bits 24 --no-normalize -s 0 -e 0 -f 0 -o "$TMP/q/st" "$TMP"/q/in/*.wav
    "$Q" measure "$TMP/q/sox" >"$TMP/q/sox.q" && "$Q" measure "$TMP/q/st" >"$TMP/q/st.q" &&
        awk 'FNR == NR {s[$1] = $2; next}
             BEGIN {name["ripple_db"] = "passband ripple 20 Hz-20 kHz (dB, lower is better)"
                    name["alias_db"] = "alias rejection (dB, higher is better)"
                    name["thdn_db"] = "THD+N (dB, lower is better)"
                    printf "rate conversion quality (48k float -> 44.1k/24, dithered):\n"
                    printf "  %-52s %12s %12s\n", "", "sox rate -h", "sampletrim"}
             {printf "  %-52s %12s %12s\n", name[$1], s[$1], $2}' "$TMP/q/sox.q" "$TMP/q/st.q"
else
    echo "bench_sampletrim: $Q missing: no quality table (make tests)" >&2
fi
