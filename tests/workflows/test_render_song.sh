#!/bin/bash
# Workflow: rendering a song (docs/workflows.md, "Rendering a song").
# A real MIDI song from the openttd-openmsx package is rendered as a user
# would; the WAV is read back without libsndfile (wavinfo.py) and its
# length checked against the song's own duration (midi.py, which reads
# the tempo map itself) by the documented rule; then what the render
# tells the user: progress, skipped events, notes on other channels,
# presets found from a build tree; and a render past 4 GiB (RF64).
. "$(dirname "$0")/../integration/lib.sh"
WF=$AT_ROOT/tests/workflows
# The system python starts in 0.1 s (a version-manager shim can take 2 s).
PY=$(command -v /usr/bin/python3 || command -v python3)
FM=$AT_BIN/aiotone-fmsynth
cd "$AT_TMP" || exit 1

# ---- a real song ----
song=$(dpkg -L openttd-openmsx 2>/dev/null | grep -m1 '/busy_schedule\.mid$')
[ -n "$song" ] || song=$(dpkg -L openttd-openmsx 2>/dev/null | grep -m1 '\.mid$')
if [ -z "$song" ] || [ ! -f "$song" ]; then
    at_ok "render a real song # SKIP: openttd-openmsx is not installed"
    at_done
fi
cp "$song" song.mid
"$FM" --render song.mid -o song.wav 2>render.err
at_check "aiotone-fmsynth --render song.mid -o song.wav exits 0" test $? = 0
at_check "it says what it wrote" grep -q "wrote song.wav: .*, 0 bad samples" render.err
read -r container tag channels rate bits frames < <("$PY" "$WF/wavinfo.py" song.wav)
at_check "the WAV's header describes the file (RIFF, IEEE float, stereo, 48 kHz, 32 bit)" \
    test "$container $tag $channels $rate $bits" = "RIFF 3 2 48000 32"
# The documented rule: the render plays to the song's last event, releases
# every voice at the next 32-frame grid frame and goes on until all are
# silent (at most the patch's longest release: 0.5 s for the default
# patch), in whole periods (256 frames).
dur=$("$PY" "$WF/midi.py" duration song.mid)
echo "# song: $song, $dur s; WAV: $frames frames"
at_check "the WAV lasts the song plus its release tail (at most 0.5 s), in whole periods" \
    "$PY" -c "
d, n = $dur, $frames
end = (round(d * 48000) // 32 + 1) * 32
assert n % 256 == 0, n
assert end <= n <= end + 0.5 * 48000 + 256, (end, n)
"
at_check "it is not silence" grep -qE "peak 0\.[0-9]*[1-9]" render.err

# ---- progress: never more than the song ----
"$PY" "$WF/midi.py" song held.mid 0:903c64 0:903e64 3:803c00 3:803e00
script -qfec "$FM --render held.mid -o held.wav" /dev/null >progress.tty 2>&1
tr '\r' '\n' <progress.tty | grep 'rendering held.mid' >progress.lines
echo "# last progress line: $(tail -n 1 progress.lines)"
at_check "the progress line is shown on a terminal" test -s progress.lines
at_check "progress never passes the song's length (the release tail is shown apart)" \
    awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "s" && $(i+2) == "of") { if ($i + 0 > $(i+3) + 0) bad = 1 } }
         END { exit bad }' progress.lines
at_check "the last progress line is 3.0 s of 3.0 s and names the release tail" \
    grep -q "3\.0 s of 3\.0 s (100%) + 0\.[1-5] s release tail" progress.lines

# ---- what is skipped, and why ----
"$PY" "$WF/midi.py" song skip.mid 0:903c64 1:803c00 0.5:f07e7f0901f7 16200:903c64 16201:803c00
"$FM" --render skip.mid -o skip.wav 2>skip.err
at_check "a render with a sysex and events past 4 h exits 0" test $? = 0
at_check "the sysex is reported as a sysex" grep -q "skip.mid: skipped 1 sysex message (the synth takes none)" skip.err
at_check "events past the renderer's limit are reported as such, with their time" \
    grep -q "skip.mid: skipped 2 events later than 4 h (the first at 4.5 h)" skip.err
read -r _ _ _ _ _ skipframes < <("$PY" "$WF/wavinfo.py" skip.wav)
at_check "and the render stops after the last event it plays (not at 4.5 h)" test "$skipframes" -lt $((3 * 48000))

# ---- midi.channel that the song does not use ----
printf 'midi = { channel = 2; };\n' >ch2.conf
"$FM" -c ch2.conf --render held.mid -o ch2.wav 2>ch2.err
at_check "midi.channel = 2 on a channel-1 song says the notes were ignored, and why" \
    grep -q "held.mid: 2 of 2 notes ignored: they are on channel 1, and midi.channel = 2" ch2.err

# ---- presets from a build tree ----
# A copy of the program in a build tree of its own: it must find the
# presets of that tree (clients/fmsynth/presets), not installed ones.
mkdir -p tree/build/bin tree/clients/fmsynth/presets empty
cp "$FM" tree/build/bin/
printf 'patch = { algorithm = 3; };\n' >tree/clients/fmsynth/presets/bell.conf
printf 'preset = "bell";\n' >pb.conf
XDG_DATA_HOME=$AT_TMP/empty tree/build/bin/aiotone-fmsynth -c pb.conf --save-preset - >pb.out 2>pb.err
at_check "a preset is found in the build tree's clients/fmsynth/presets" \
    grep -q "algorithm = 3;" pb.out
XDG_DATA_HOME=$AT_TMP/empty "$FM" -c pb.conf --save-preset - >pb2.out 2>&1
at_check "the shipped bell preset is found from this build tree" grep -q "algorithm = 8;" pb2.out
printf 'preset = "nosuch";\n' >pn.conf
XDG_DATA_HOME=$AT_TMP/empty tree/build/bin/aiotone-fmsynth -c pn.conf --save-preset - 2>pn.err
rc=$?
at_check "an unknown preset is a usage error (exit 2) naming every folder it looked in" \
    bash -c "[ $rc = 2 ] && grep -q \"no preset 'nosuch': looked for nosuch.conf in $AT_TMP/empty/aiotone/presets, $AT_TMP/tree/clients/fmsynth/presets, .*/usr/share/aiotone/presets\" pn.err"

# ---- past 4 GiB: RF64, never a wrapped header ----
# 1420 s at 384 kHz, stereo float: 4.36 GB. About 30 s on this machine;
# needs 10 GB free where TMPDIR is.
free_kb=$(df -Pk "$AT_TMP" | awk 'NR == 2 { print $4 }')
if [ "${free_kb:-0}" -lt 10000000 ] || [ "${AT_SKIP_BIG:-0}" = 1 ]; then
    at_ok "a render past 4 GiB is an RF64 file # SKIP: less than 10 GB free in $AT_TMP"
else
    "$PY" "$WF/midi.py" song long.mid 0:903c64 0.5:803c00 1420:903c01 1420.1:803c00
    "$FM" --render long.mid -o long.wav --rate 384000 2>long.err
    at_check "a render past 4 GiB exits 0" test $? = 0
    "$PY" "$WF/wavinfo.py" long.wav >long.info 2>&1
    echo "# $(cat long.info)"
    read -r container _ _ lrate _ lframes <long.info
    at_check "it is an RF64 file whose header describes it" test "$container $lrate" = "RF64 384000"
    at_check "it reads back at the song's length plus release tail" \
        "$PY" -c "
n = int('${lframes:-0}')
end = (round(1420.1 * 384000) // 32 + 1) * 32
assert end <= n <= end + 0.5 * 384000 + 256, (end, n)
"
    rm -f long.wav
fi

at_done
