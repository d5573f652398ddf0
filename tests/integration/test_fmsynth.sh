#!/bin/bash
# aiotone-fmsynth on a private dummy JACK server, driven by at-probe: frame
# accurate onsets, pitch (A4 = 440 Hz, +2 semitones bend = 493.9 Hz), OSC
# changes heard and echoed, presets, live polyphony changes, bad input,
# live output == offline --render output, and all 31 openmsx songs.
. "$(dirname "$0")/lib.sh"
P=1024 # frames per period: slack for a loaded machine
at_start_jackd 48000 $P
FM=$AT_BIN/aiotone-fmsynth
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))
PRESETS=$AT_ROOT/clients/fmsynth/presets

# ---- helpers ----

# Samples of channel CH (1 = left) of a WAV as text, from frame START, N frames.
samples() { # wav ch start n
    sox "$1" -t dat - remix "$2" trim "$3s" "$4s" 2>/dev/null | awk '!/^;/ {print $2}'
}
# Index of the first non-zero frame of channel CH.
first_sound() { # wav ch
    sox "$1" -t dat - remix "$2" 2>/dev/null | awk '!/^;/ {if ($2 + 0 != 0) {print n; exit} n++}'
}
# Frequency from rising zero crossings (interpolated), over N frames.
# (The median over windows of 2048 frames, so one glitch cannot move it.)
frequency() { # wav ch start n
    samples "$@" | awk -v rate=48000 '
        function flush() { if (c > 1) fr[k++] = (c - 1) * rate / (l - f); c = 0 }
        { x = $1 + 0; if (n % 2048 == 0) { flush(); p = 0 }
          if (n % 2048 > 0 && p < 0 && x >= 0) { t = n - 1 + p / (p - x);
            if (c == 0) f = t; l = t; c++ } p = x; n++ }
        END { flush(); if (k == 0) { print 0; exit }
              for (i = 0; i < k; i++) for (j = i + 1; j < k; j++)
                  if (fr[j] < fr[i]) { t = fr[i]; fr[i] = fr[j]; fr[j] = t }
              printf "%.2f\n", fr[int(k / 2)] }'
}
peak() { # wav ch start n
    samples "$@" | awk '{x = $1 < 0 ? -$1 : $1; if (x > m) m = x} END {printf "%.6f\n", m}'
}
near() { # value want tolerance
    awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN {d = v - w; if (d < 0) d = -d; exit !(d <= t)}'
}
# Byte offset of the sample data of a WAV (after the "data" chunk header).
wav_data() {
    local off
    off=$(grep -obUa data "$1" | head -n 1 | cut -d: -f1)
    echo $((off + 8))
}
osc() { "$T/at-osc" 127.0.0.1 $OSC "$@"; }

# ---- a pure-sine patch: op 1 alone, flat envelope ----
cat >"$AT_TMP/sine.conf" <<CONF
osc = { port = $OSC; };
audio = { polyphony = 1; };
patch = { algorithm = 11; feedback = 0.0; volume = 1.0;
  op1 = { wave = "sine"; ratio = 1.0; attack = 0.0; decay = 0.0; sustain = 1.0; release = "10ms"; level = 1.0; };
  op2 = { level = 0.0; sustain = 1.0; decay = 0.0; attack = 0.0; release = 0.0; };
  op3 = { level = 0.0; sustain = 1.0; decay = 0.0; attack = 0.0; release = 0.0; };
  op4 = { level = 0.0; sustain = 1.0; decay = 0.0; attack = 0.0; release = 0.0; };
};
CONF
# No preset-dir and no user presets: the presets come from the source
# tree of this build (BUILD/bin/../../clients/fmsynth/presets).
mkdir -p "$AT_TMP/nohome"
at_spawn fm env XDG_DATA_HOME="$AT_TMP/nohome" "$FM" -c "$AT_TMP/sine.conf" -n fm
at_check "fmsynth registers midi_in, out_L, out_R" \
    bash -c "$(declare -f at_wait_port); at_wait_port fm:midi_in && at_wait_port fm:out_L && at_wait_port fm:out_R"

xruns() { grep -c XRun "$AT_TMP/jackd.log"; }
# Play events (CYCLE:OFFSET:HEX) into fm and record its output. This
# machine may be loaded: a recording with an xrun in it has holes, so it is
# made again (up to 3 times) when jackd reported one meanwhile.
probe() { # wav cycles events...
    local wav=$1 cycles=$2 try before
    shift 2
    local args=(-e "0:0:b0 7b 00") # all notes off: a clean start
    for e in "$@"; do args+=(-e "$e"); done
    for try in 1 2 3; do
        before=$(xruns)
        "$T/at-probe" -n probe -o fm:midi_in -a fm:out_L -a fm:out_R -c "$cycles" -w "$wav" \
            "${args[@]}" >"$AT_TMP/probe.out" 2>"$AT_TMP/probe.err"
        [ "$(xruns)" = "$before" ] && return 0
        echo "# xrun during the recording of $(basename "$wav") (try $try)"
    done
    return 1
}

# Frame-accurate onset: a note at offset k of cycle 3 starts at frame 3P + k.
for k in 100 1001; do
    probe "$AT_TMP/onset.wav" 12 "3:$k:90 45 7f" "10:0:80 45 00"
    at_check "a note-on at frame offset $k of cycle 3 starts sounding at frame $((3 * P + k))" \
        test "$(first_sound "$AT_TMP/onset.wav" 1)" = $((3 * P + k))
done

# Pitch: A4 at 440 Hz; bent +2 semitones (value 8192 + 1365) -> 493.9 Hz.
probe "$AT_TMP/a4.wav" 40 "1:0:90 45 7f" "15:0:e0 55 4a" "37:0:80 45 00" "38:0:e0 00 40"
f=$(frequency "$AT_TMP/a4.wav" 1 4000 9000)
echo "# A4: $f Hz"
at_check "A4 with a pure-sine patch sounds at 440 Hz ($f)" near "$f" 440 0.5
f=$(frequency "$AT_TMP/a4.wav" 1 $((15 * P + 12000)) 9000)
echo "# A4 bent +2: $f Hz"
at_check "pitch bend +2 semitones gives 493.9 Hz ($f)" near "$f" 493.88 0.5
p=$(peak "$AT_TMP/a4.wav" 1 4000 9000)
at_check "one full-velocity voice at polyphony 1: centre pan, level 1/2 ($p)" near "$p" 0.5 0.002
at_check "both channels carry the centred voice" \
    test "$(peak "$AT_TMP/a4.wav" 2 4000 9000)" = "$p"

# OSC: a change is echoed and heard.
osc /fmsynth/volume f 0.5 >"$AT_TMP/o1.out"
at_check "OSC /fmsynth/volume is echoed" grep -qx "/fmsynth/volume f 0.5" "$AT_TMP/o1.out"
osc /fmsynth/op/1/ratio f 2.0 >"$AT_TMP/o2.out"
at_check "OSC /fmsynth/op/1/ratio is echoed" grep -qx "/fmsynth/op/1/ratio f 2" "$AT_TMP/o2.out"
probe "$AT_TMP/osc.wav" 16 "1:0:90 45 7f" "14:0:80 45 00"
p=$(peak "$AT_TMP/osc.wav" 1 4000 6000)
f=$(frequency "$AT_TMP/osc.wav" 1 4000 6000)
at_check "the volume change is heard (peak $p = 0.25)" near "$p" 0.25 0.002
at_check "the ratio change is heard ($f Hz = 880)" near "$f" 880 1
oscsend 127.0.0.1 $OSC /fmsynth/feedback f 0.25
osc /fmsynth/get s feedback >"$AT_TMP/o3b.out"
at_check "a change sent with liblo's oscsend is applied" grep -qx "/fmsynth/feedback f 0.25" "$AT_TMP/o3b.out"
oscsend 127.0.0.1 $OSC /fmsynth/feedback f 0
osc /fmsynth/get s op/1/ratio >"$AT_TMP/o3.out"
at_check "OSC get returns the value" grep -qx "/fmsynth/op/1/ratio f 2" "$AT_TMP/o3.out"
osc /fmsynth/op/1/wave s square >"$AT_TMP/o4.out"
at_check "OSC wave change by name is echoed" grep -qx "/fmsynth/op/1/wave s square" "$AT_TMP/o4.out"
osc /fmsynth/algorithm i 12 >"$AT_TMP/o5.out"
at_check "out-of-range algorithm is refused" grep -q "^/fmsynth/error ss /fmsynth/algorithm" "$AT_TMP/o5.out"
osc /fmsynth/op/1/level s loud >"$AT_TMP/o6.out"
at_check "a wrong OSC type is refused" grep -q "^/fmsynth/error ss /fmsynth/op/1/level" "$AT_TMP/o6.out"
osc /fmsynth/preset s nosuchpreset >"$AT_TMP/o7.out"
at_check "an unknown preset is refused with a reason" \
    grep -q "^/fmsynth/error ss /fmsynth/preset no preset 'nosuchpreset': looked for nosuchpreset.conf in $AT_TMP/nohome/aiotone/presets, $AT_ROOT/clients/fmsynth/presets, " "$AT_TMP/o7.out"
"$T/at-osc" -w 1500 127.0.0.1 $OSC /fmsynth/list >"$AT_TMP/o8.out"
at_check "list names every operator parameter" \
    test "$(grep -c '^/fmsynth/list .* /fmsynth/op/[1-4]/' "$AT_TMP/o8.out")" = 28

# Presets: loading one changes the patch (echoed), and is heard. Found
# from the build tree (no preset-dir in the config).
osc /fmsynth/preset s bell >"$AT_TMP/o9.out"
at_check "a preset load echoes the parameters it sets" \
    grep -qx "/fmsynth/algorithm i 8" "$AT_TMP/o9.out"
osc /fmsynth/get s op/4/ratio >"$AT_TMP/o10.out"
at_check "the preset's values are in place" grep -qx "/fmsynth/op/4/ratio f 3.53" "$AT_TMP/o10.out"

# Live polyphony change while notes sound: no crash, no dropout.
"$T/at-probe" -n probe -o fm:midi_in -a fm:out_L -c 30 -w "$AT_TMP/poly.wav" -e "1:0:90 45 7f" \
    -e "1:0:90 48 7f" -e "27:0:80 45 00" -e "27:0:80 48 00" >/dev/null 2>&1 &
pp=$!
sleep 0.6
osc /fmsynth/polyphony i 32 >"$AT_TMP/o11.out"
wait $pp
at_check "polyphony changes live (echoed)" grep -qx "/fmsynth/polyphony i 32" "$AT_TMP/o11.out"
gap=$(samples "$AT_TMP/poly.wav" 1 $((P + 4800)) $((25 * P - 4800)) |
    awk '{x = $1 < 0 ? -$1 : $1; if (x < 1e-4) z++; else z = 0; if (z > m) m = z} END {print m + 0}')
at_check "no dropout while the voices were swapped (longest near-silence $gap frames)" \
    test "$gap" -lt 64

# Bad MIDI (sysex, unknown CCs, program change): logged, the synth keeps playing.
osc /fmsynth/panic >/dev/null
probe "$AT_TMP/bad.wav" 14 "1:0:f0 7e 7f 09 01 f7" "1:1:b0 4d 10" "1:2:c0 05" "2:0:90 45 7f" \
    "12:0:80 45 00"
at_check "sysex, unknown CC and program change are logged" \
    at_wait_log fm "ignored" 3
at_check "and the synth keeps playing" test "$(first_sound "$AT_TMP/bad.wav" 1)" = $((2 * P))
at_check "fmsynth is still running" kill -0 "$AT_PID_fm"

# Panic over OSC silences at once.
# (Panic is sent every 0.2 s while the probe runs, so on a loaded machine
# at least one arrives after the note-on whenever the probe really starts.)
"$T/at-probe" -n probe -o fm:midi_in -a fm:out_L -c 100 -w "$AT_TMP/panic.wav" \
    -e "1:0:90 45 7f" >/dev/null 2>&1 &
pp=$!
while kill -0 $pp 2>/dev/null; do
    sleep 0.2
    osc /fmsynth/panic >/dev/null
done
wait $pp
at_check "the note sounded before the panic" test "$(peak "$AT_TMP/panic.wav" 1 $P $P)" != 0.000000
at_check "/fmsynth/panic silences every voice" \
    test "$(peak "$AT_TMP/panic.wav" 1 $((98 * P)) $P)" = 0.000000
at_kill fm

# ---- live output == offline render, same events, default patch ----
cat >"$AT_TMP/default.conf" <<CONF
osc = { port = 0; };
CONF
at_spawn fm "$FM" -c "$AT_TMP/default.conf" -n fm
at_wait_port fm:out_R
events=$(at_fm_phrase)
args=()
while read -r frame bytes; do
    args+=("$((frame / P)):$((frame % P)):$bytes")
done <<<"$events"
if probe "$AT_TMP/live.wav" 65 "${args[@]}"; then clean=1; else clean=0; fi
at_write_smf "$AT_TMP/seq.mid" <<<"$events"
"$FM" -c "$AT_TMP/default.conf" --render "$AT_TMP/seq.mid" -o "$AT_TMP/offline.wav" --period 100 \
    2>"$AT_TMP/render.err"
at_check "the test sequence renders offline" grep -q "0 bad samples" "$AT_TMP/render.err"
lo=$(wav_data "$AT_TMP/live.wav")
oo=$(wav_data "$AT_TMP/offline.wav")
# The offline file ends when the last release does; the live one goes on.
n=$(($(stat -c %s "$AT_TMP/offline.wav") - oo))
echo "# comparing $((n / 8)) frames"
at_check "the offline render includes the release tail (more than 50000 frames)" \
    test "$n" -gt $((50000 * 8))
if [ $clean = 1 ]; then
    at_check "live output (period $P) equals offline output (period 100) sample for sample" \
        cmp -n $n <(tail -c +$((lo + 1)) "$AT_TMP/live.wav") <(tail -c +$((oo + 1)) "$AT_TMP/offline.wav")
else
    at_ok "live output equals offline output # SKIP: xruns in 3 recordings (machine overloaded)"
fi
at_check "and it is not silence" test "$(peak "$AT_TMP/live.wav" 1 0 60000)" != 0.000000
at_kill fm

# ---- bad files ----
head -c 200 "$(ls /usr/share/games/openttd/baseset/openmsx*/*.mid | head -n 1)" >"$AT_TMP/trunc.mid"
"$FM" --render "$AT_TMP/trunc.mid" -o "$AT_TMP/t.wav" 2>"$AT_TMP/trunc.err"
rc=$?
at_check "a truncated MIDI file is refused with a message (exit $rc)" \
    bash -c "[ $rc = 1 ] && grep -q 'truncated' '$AT_TMP/trunc.err'"
"$FM" --render /etc/hostname -o "$AT_TMP/t.wav" 2>"$AT_TMP/junk.err"
at_check "a file that is not MIDI is refused with a message" \
    grep -q "not a Standard MIDI File" "$AT_TMP/junk.err"
"$FM" --render "$AT_TMP/seq.mid" 2>/dev/null
at_check "--render without -o is a usage error (exit 2)" test $? = 2

# ---- presets named in a config file, --save-preset ----
printf 'preset = "bell";\npreset-dir = "%s";\n' "$PRESETS" >"$AT_TMP/pb.conf"
"$FM" -c "$AT_TMP/pb.conf" --save-preset "$AT_TMP/saved.conf" 2>"$AT_TMP/pb.err"
at_check "a preset named in the config is loaded at start-up (--save-preset shows it)" \
    grep -q "algorithm = 8;" "$AT_TMP/saved.conf"
"$FM" -c "$AT_TMP/saved.conf" --save-preset - >"$AT_TMP/saved2.conf" 2>/dev/null
at_check "a saved preset loads back to the same patch" cmp "$AT_TMP/saved.conf" "$AT_TMP/saved2.conf"
printf 'preset = "nosuch";\n' >"$AT_TMP/pn.conf"
"$FM" -c "$AT_TMP/pn.conf" --render "$AT_TMP/seq.mid" -o "$AT_TMP/x.wav" 2>"$AT_TMP/pn.err"
rc=$?
at_check "an unknown preset in the config is a usage error (exit $rc)" \
    bash -c "[ $rc = 2 ] && grep -q \"no preset 'nosuch'\" '$AT_TMP/pn.err'"

# ---- all openmsx songs: no NaN, no crash, peaks within the mix rule ----
# Default patch: carriers 1 + 2 + 3 (levels 0.0312 + 0.45 + 0.324) at full
# velocity, 16 voices mixed at 1/8: at most 2 * 0.8052 per channel.
bad=0
count=0
for song in /usr/share/games/openttd/baseset/openmsx*/*.mid; do
    count=$((count + 1))
    if ! "$FM" --render "$song" -o "$AT_TMP/song.wav" 2>"$AT_TMP/song.err"; then
        echo "# $song: $(tail -n 1 "$AT_TMP/song.err")"
        bad=$((bad + 1))
        continue
    fi
    pk=$(sed -n 's/.*peak \([0-9.]*\), 0 bad samples.*/\1/p' "$AT_TMP/song.err")
    if [ -z "$pk" ] || ! awk -v p="$pk" 'BEGIN {exit !(p > 0.01 && p <= 2 * 0.8052)}'; then
        echo "# $song: $(tail -n 1 "$AT_TMP/song.err")"
        bad=$((bad + 1))
    fi
done
at_check "all $count openmsx songs render without NaN, crash or clipping beyond the mix rule" \
    test "$bad" = 0 -a "$count" = 31

at_done
