#!/bin/bash
# Workflow: sampling an instrument (docs/workflows.md, "Sampling an
# instrument"), as a user runs it: the shipped session
# sessions/samplesnake-fmsynth samples the fmsynth (samplesnake is a job:
# the session stops by itself when it is done), then
# `aiotone-sampletrim --same-gain` trims the set. Checked: the session
# ends with exit 0 and its job done (never FAILED, never restarted), the
# samples are in the sampler's session folder, every velocity layer keeps
# its level ratio through the trim within 0.5 dB, and the trimmed
# instrument files (SFZ, DecentSampler) name files that exist.
. "$(dirname "$0")/../integration/lib.sh"
at_start_jackd 48000 256
S=$AT_BIN/aiotone-session
W=$AT_TMP/sampling

# The user's copy of the session (the repository's copy stays clean), on
# the test's private server instead of the session's own.
cp -r "$AT_ROOT/sessions/samplesnake-fmsynth" "$W"
sed -i "s/server = \"aiotone-sampling\"/server = \"$JACK_DEFAULT_SERVER\"/" "$W/session.conf"
at_check "the session checks out (session.conf, programs, state files)" "$S" check "$W"

timeout 300 "$S" run "$W" >"$AT_TMP/run.log" 2>&1
rc=$?
sed 's/^/# /' "$AT_TMP/run.log" | grep -vE '\[samplesnake\] (\[|saved)' | head -n 40
at_check "aiotone-session run ends by itself with exit 0 (rc $rc)" test $rc -eq 0
at_check "the session reports its job done" \
    grep -q "the job is done: 'samplesnake' done; stopping the session" "$AT_TMP/run.log"
at_check "no client FAILED" bash -c "! grep -q FAILED $AT_TMP/run.log"
at_check "the sampler was never restarted" bash -c "! grep -q 'restarting in' $AT_TMP/run.log"
at_check "the sampler began only once the session was loaded" \
    grep -q "\[samplesnake\] samplesnake: the session is loaded: sampling begins" "$AT_TMP/run.log"

SAMPLES=$W/samplesnake/samples
n=$(ls "$SAMPLES"/fmsynth-*.wav 2>/dev/null | wc -l)
at_check "12 samples in the sampler's session folder ($n)" test "$n" -eq 12
at_check "the sampler wrote its instrument files" test -s "$SAMPLES/fmsynth.sfz" -a -s "$SAMPLES/fmsynth.dspreset"

"$AT_BIN/aiotone-sampletrim" --same-gain "$SAMPLES"/*.wav >"$AT_TMP/trim.log" 2>&1
rc=$?
sed 's/^/# /' "$AT_TMP/trim.log" | tail -n 5
at_check "aiotone-sampletrim --same-gain exits 0" test $rc -eq 0
OUT=$SAMPLES/44100_16bit
n=$(ls "$OUT"/fmsynth-*.wav 2>/dev/null | wc -l)
at_check "12 trimmed samples in 44100_16bit/ ($n)" test "$n" -eq 12

# Peak in dBFS of a file (the larger of its maximum and -minimum).
peak_db() {
    sox "$1" -n stat 2>&1 | awk '/^Maximum amplitude/ {mx=$3} /^Minimum amplitude/ {mn=-$3}
        END {p = mx > mn ? mx : mn; if (p <= 0) print "-inf"; else printf "%.3f\n", 20*log(p)/log(10)}'
}
for note in C3 E3 G3 C4 E4 G4; do
    r64=$(peak_db "$SAMPLES/fmsynth-$note-v64.wav")
    r127=$(peak_db "$SAMPLES/fmsynth-$note-v127.wav")
    t64=$(peak_db "$OUT/fmsynth-$note-v64.wav")
    t127=$(peak_db "$OUT/fmsynth-$note-v127.wav")
    at_check "$note: v127/v64 level ratio kept within 0.5 dB (recorded $r127 - $r64 dB, trimmed $t127 - $t64 dB)" \
        awk -v a="$r127" -v b="$r64" -v c="$t127" -v d="$t64" \
        'BEGIN { raw = a - b; trim = c - d; diff = raw - trim; if (diff < 0) diff = -diff;
                 exit !(raw > 1 && diff <= 0.5) }'
done

# The instrument files beside the trimmed samples name files that exist.
sfz=$(ls "$OUT"/*.sfz 2>/dev/null | head -n 1)
ds=$(ls "$OUT"/*.dspreset 2>/dev/null | head -n 1)
at_check "an SFZ file beside the trimmed samples" test -n "$sfz"
at_check "a DecentSampler file beside the trimmed samples" test -n "$ds"
refs_exist() { # file, then the sample names it references, one per line on stdin
    local f=$1 n=0 s
    while read -r s; do
        n=$((n + 1))
        [ -f "$(dirname "$f")/$s" ] || { echo "missing: $s"; return 1; }
    done
    [ "$n" -eq 12 ] || { echo "$n references, wanted 12"; return 1; }
}
if [ -n "$sfz" ]; then
    at_check "every SFZ region names a trimmed file that exists" \
        bash -c "$(declare -f refs_exist); grep -oE 'sample=[^ ]+\.wav' '$sfz' | sed 's/^sample=//' | refs_exist '$sfz'"
fi
if [ -n "$ds" ]; then
    at_check "every DecentSampler sample names a trimmed file that exists" \
        bash -c "$(declare -f refs_exist); grep -oE 'path=\"[^\"]+\"' '$ds' | sed 's/^path=\"//; s/\"\$//' | refs_exist '$ds'"
fi
at_done
