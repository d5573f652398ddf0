#!/bin/bash
# The LV2 plugins inside Ardour 7, headless: ardour7-lua with Ardour's
# "None (Dummy)" backend (no JACK, no sound card). fmsynth in a MIDI track
# plays notes recorded from Ardour's virtual keyboard into a non-silent
# exported WAV, and Ardour saves the plugin's state with the session;
# mothergen before fmsynth in one track plays with no clock track, and four
# times the session tempo gives about four times the notes. Run by
# `make check-ardour` (Ardour is about 200 MB: not part of `make check`).
. "$(dirname "$0")/../integration/lib.sh"
export LV2_PATH=$BUILD/lv2
export XDG_CONFIG_HOME=$AT_TMP/config XDG_CACHE_HOME=$AT_TMP/cache
cd "$AT_TMP" || exit 1
if ! command -v ardour7-lua >/dev/null; then
    at_fail "ardour7-lua is installed (scripts/install-deps.sh ardour)"
    at_done
fi
lua() { # script log [VAR=value...]
    local script=$1 log=$2
    shift 2
    env OUT="$AT_TMP" "$@" timeout 300 ardour7-lua "$AT_ROOT/tests/hosts/$script" >"$log" 2>&1
    local rc=$?
    if [ $rc != 0 ]; then
        echo "# ardour7-lua $script exited with status $rc; the end of its log:"
        grep -v 'format.*encoder is not available\|midnam\|^\^\|^$' "$log" | tail -n 8 | sed 's/^/#   /'
    fi
}
peak() { sox "$1" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}'; }
# note onsets: 10 ms windows whose peak rises above -80 dBFS after one below
onsets() {
    sox "$1" -t f32 -c 1 - 2>/dev/null | od -An -v -tf4 -w4 |
        awk '{x = $1 < 0 ? -$1 : $1; if (x > m) m = x
              if (++n == 480) {on = m > 1e-4; if (on && !was) c++; was = on; m = 0; n = 0}}
             END {print c + 0}'
}

lua ardour-fmsynth.lua fm.log
grep -E '^(plugin|regions|export):' fm.log | sed 's/^/# /'
W=$(ls export-fm/*.wav 2>/dev/null | head -n 1)
at_check "Ardour loads urn:aiotone:fmsynth in a MIDI track" grep -q '^plugin:.*aiotone fmsynth' fm.log
at_check "Ardour records the notes into a region and exports a WAV" \
    bash -c "grep -q '^regions:.*1' fm.log && grep -q '^export:.*true' fm.log && [ -s '$W' ]"
echo "# peak of the export: $(peak "$W")"
at_check "the exported WAV is not silent (peak above 0.01)" \
    awk -v p="$(peak "$W")" 'BEGIN {exit !(p > 0.01)}'
at_check "Ardour saved the plugin's state with the session (the tool's state file: polyphony, patch)" \
    bash -c "grep -rqs 'polyphony = 16;' fm-session/plugins && grep -rqs 'algorithm = 10;' fm-session/plugins"

for bpm in 60 240; do
    lua ardour-mothergen.lua "mg$bpm.log" BPM=$bpm
    grep -E '^(chain|export):' "mg$bpm.log" | sed 's/^/# /'
done
n60=$(onsets export-mg/mg60.wav)
n240=$(onsets export-mg/mg240.wav)
echo "# notes in 8 s: $n60 at 60 BPM, $n240 at 240 BPM"
at_check "mothergen in Ardour plays with no clock track (it follows the transport): notes at 60 BPM" \
    test "${n60:-0}" -ge 3
at_check "mothergen follows Ardour's session tempo: 240 BPM gives more than 2.5 times the notes of 60 BPM" \
    awk -v a="${n60:-0}" -v b="${n240:-0}" 'BEGIN {exit !(a > 0 && b > 2.5 * a)}'
at_done
