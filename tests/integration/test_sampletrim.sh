#!/bin/bash
# aiotone-sampletrim on real recorded drum samples (hydrogen-drumkits) in
# WAV, FLAC and AIFF, 44.1 kHz/16-bit and 48 kHz/24-bit: output format,
# peak level, trimmed length (recomputed here from the input's samples),
# fade curve, the >= 99% and last-sample-zero rules, batch error handling,
# --jobs, seeds and options. Outputs are read back with sox/soxi.
. "$(dirname "$0")/lib.sh"
ST=$AT_BIN/aiotone-sampletrim
KITS=/usr/share/hydrogen/data/drumkits
K=$AT_TMP/kit
mkdir -p "$K"

cp "$KITS/Audiophob/99931__menegass__noise-tom1.wav" "$K/tom.wav"          # WAV 44.1k/16 mono
cp "$KITS/ElectricEmpireKit/EE_Kick_Low_1.flac" "$K/kick.flac"            # FLAC 44.1k/16 mono
cp "$KITS/BJA_Pacific/HH2_07.aiff" "$K/hat.aiff"                          # AIFF 44.1k/16 stereo
cp "$KITS/ForzeeStereo/AgogoHigh-0.wav" "$K/agogo.wav"                    # WAV 48k/24 stereo
cp "$(find "$KITS/rumpf_kit_z01_h2" -name '*.flac' | sort | head -n 1)" "$K/rumpf.flac" # 48k/24
# The same 48k/24 sample in the two other formats, made with sox.
sox "$K/agogo.wav" "$K/agogo-as.flac"
sox "$K/agogo.wav" "$K/agogo-as.aiff"

# sox's text format (CRLF lines: strip the CRs).
sox_dat() {
    sox "$1" -t dat - | tr -d '\r'
}
# Sample values as "frame ch1 ch2 ..." lines in units of 1/32768.
dat() {
    sox_dat "$1" | awk '!/^;/ {printf "%d", NR - 3; for (i = 2; i <= NF; i++) printf " %.0f", $i * 32768; print ""}'
}
# Largest absolute sample of a file, in units of 1/32768.
peak() {
    dat "$1" | awk '{for (i = 2; i <= NF; i++) {v = $i < 0 ? -$i : $i; if (v > p) p = v}} END {print p + 0}'
}
# The frame count the trim rules (docs/man/aiotone-sampletrim.1) give for a 44.1 kHz input: normalize
# unless peak >= 99%, first 16-frame window above 0.5% to the end of the
# last end-aligned window above 0.1%.
expected_len() {
    sox_dat "$1" | awk '
        !/^;/ {m = 0; for (i = 2; i <= NF; i++) {v = $i < 0 ? -$i : $i; if (v > m) m = v}
               a[n++] = m; if (m > p) p = m}
        function wpeak(lo, hi,   i, w) {w = 0; for (i = lo; i < hi; i++) if (a[i] > w) w = a[i]; return w}
        END {
            g = (p >= 0.99 || p == 0) ? 1 : (32767 / 32768) / p
            s = 0
            for (o = 0; o < n; o += 16) if (wpeak(o, o + 16 < n ? o + 16 : n) * g > 0.005) {s = o; break}
            e = n
            for (h = n; h > 0; h -= 16) if (wpeak(h > 16 ? h - 16 : 0, h) * g > 0.001) {e = h; break}
            print e - s
        }'
}
frames() { soxi -s "$1"; }

out=$K/44100_16bit
at_check "processes WAV, FLAC and AIFF (44.1k/16, 48k/24) in one batch" \
    "$ST" --seed 7 "$K"/tom.wav "$K"/kick.flac "$K"/hat.aiff "$K"/agogo.wav "$K"/rumpf.flac
for n in tom kick hat agogo rumpf; do
    f=$out/$n.wav
    at_check "$n: written as a 44.1 kHz 16-bit WAV" \
        test "$(soxi -t "$f") $(soxi -r "$f") $(soxi -b "$f")" = "wav 44100 16"
    in=$(ls "$K/$n".*)
    at_check "$n: channel count kept" test "$(soxi -c "$f")" = "$(soxi -c "$in")"
    # Inputs peak below 99%: normalized to full scale (32767, or 32766 by dither).
    at_check "$n: normalized to full scale" test "$(peak "$f")" -ge 32766
    at_check "$n: ends on a zero sample (faded out)" \
        test "$(dat "$f" | tail -n 1 | awk '{for (i = 2; i <= NF; i++) if ($i != 0) exit 1}' && echo 0)" = 0
done
for n in tom kick hat; do
    at_check "$n: trimmed to the length the trim rules give ($(expected_len "$K/$n".*) frames)" \
        test "$(frames "$out/$n.wav")" = "$(expected_len "$K/$n".*)"
done
at_check "hat: trimming really removed something (start or end)" \
    test "$(frames "$out/hat.wav")" -lt "$(frames "$K/hat.aiff")"
# Leading silence: 1000 frames of zeros plus a quiet bed at 0.3% of the
# peak in front of the hit are cut (at a 16-frame window boundary).
sox -n -r 44100 -b 16 -c 1 "$AT_TMP/bed.wav" synth 1000s sine 3000 vol 0.0012
sox "$AT_TMP/bed.wav" "$K/tom.wav" "$AT_TMP/lead.wav" pad 1000s 0
"$ST" -o "$AT_TMP/lead" "$AT_TMP/lead.wav"
at_check "leading silence: trimmed to the length the rules give ($(expected_len "$AT_TMP/lead.wav"))" \
    test "$(frames "$AT_TMP/lead/lead.wav")" = "$(expected_len "$AT_TMP/lead.wav")"
at_check "leading silence and quiet bed cut (< 16 frames of them left)" \
    test "$(frames "$AT_TMP/lead/lead.wav")" -le $(($(frames "$K/tom.wav") + 15))
# 48k: length at most the converted input length, and not absurdly short.
for n in agogo rumpf; do
    conv=$(($(frames "$K/$n".*) * 147 / 160))
    got=$(frames "$out/$n.wav")
    at_check "$n: 48k input converted to 44.1k length ($got <= $conv + 2 frames)" \
        test "$got" -le $((conv + 2)) -a "$got" -gt $((conv / 4))
done
# Same audio in WAV, FLAC and AIFF: bit-identical outputs (same seed, one file each).
for e in wav flac aiff; do
    src=$K/agogo.wav
    [ $e = wav ] || src=$K/agogo-as.$e
    "$ST" --seed 3 -o "$AT_TMP/fmt-$e" "$src" 2>>"$AT_TMP/fmt.err" || at_fail "format $e run"
done
at_check "FLAC decodes to the same output as WAV" \
    cmp "$AT_TMP/fmt-wav/agogo.wav" "$AT_TMP/fmt-flac/agogo-as.wav"
at_check "AIFF decodes to the same output as WAV" \
    cmp "$AT_TMP/fmt-wav/agogo.wav" "$AT_TMP/fmt-aiff/agogo-as.wav"

# Fade: compare against the same run with --fade 0 (same seed, so the same
# dither numbers): frames before the fade identical, the last 44 frames
# within 1.5 LSB of (1 - x^3) times the unfaded frames, x = i / 43.
"$ST" --seed 9 -o "$AT_TMP/fade" "$K/hat.aiff"
"$ST" --seed 9 --fade 0 -o "$AT_TMP/nofade" "$K/hat.aiff"
dat "$AT_TMP/fade/hat.wav" >"$AT_TMP/fade.dat"
dat "$AT_TMP/nofade/hat.wav" >"$AT_TMP/nofade.dat"
n=$(wc -l <"$AT_TMP/fade.dat")
at_check "fade: same length with and without the fade" test "$n" = "$(wc -l <"$AT_TMP/nofade.dat")"
at_check "fade: frames before the last 44 untouched" \
    cmp <(head -n $((n - 44)) "$AT_TMP/fade.dat") <(head -n $((n - 44)) "$AT_TMP/nofade.dat")
at_check "fade: last 44 frames follow 1 - x^3" bash -c '
    paste -d " " <(tail -n 44 "$1") <(tail -n 44 "$2") | awk "
        {x = (NR - 1) / 43; g = 1 - x * x * x; nc = NF / 2 - 1
         for (c = 1; c <= nc; c++) {d = \$(1 + c) - g * \$(nc + 2 + c); if (d > 1.5 || d < -1.5) bad++}}
        END {exit bad}"' _ "$AT_TMP/fade.dat" "$AT_TMP/nofade.dat"
at_check "fade: the unfaded tail was not silent (the fade had work to do)" \
    test "$(tail -n 1 "$AT_TMP/nofade.dat" | cut -d' ' -f2-)" != "0 0"

# Last-sample-zero rule: with 100 frames of digital silence appended and
# --end-threshold 0, the kept part ends in zeros, so no fade is applied.
sox "$K/hat.aiff" "$AT_TMP/padded.wav" pad 0 100s
"$ST" --seed 2 --end-threshold 0 -o "$AT_TMP/pz" "$AT_TMP/padded.wav"
"$ST" --seed 2 --end-threshold 0 --fade 0 -o "$AT_TMP/pz0" "$AT_TMP/padded.wav"
at_check "last sample already 0: no fade (same as --fade 0)" \
    cmp "$AT_TMP/pz/padded.wav" "$AT_TMP/pz0/padded.wav"
at_check "last sample already 0: output does end in silence" \
    test "$(dat "$AT_TMP/pz/padded.wav" | tail -n 1 | cut -d' ' -f2-)" = "0 0"
# The control: without the appended silence the same options do fade.
"$ST" --seed 2 --end-threshold 0 -o "$AT_TMP/nz" "$K/hat.aiff"
"$ST" --seed 2 --end-threshold 0 --fade 0 -o "$AT_TMP/nz0" "$K/hat.aiff"
at_check "last sample not 0: the fade changes the output" \
    bash -c '! cmp -s "$1" "$2"' _ "$AT_TMP/nz/hat.wav" "$AT_TMP/nz0/hat.wav"

# The >= 99% rule: a sample already at 99.5% keeps its level; at 98% it is raised.
sox "$K/tom.wav" "$AT_TMP/loud.wav" gain -n -0.0436 # peak 0.995
sox "$K/tom.wav" "$AT_TMP/soft.wav" gain -n -0.1755 # peak 0.98
"$ST" --no-dither -o "$AT_TMP/lvl" "$AT_TMP/loud.wav" "$AT_TMP/soft.wav"
pl=$(peak "$AT_TMP/loud.wav")
at_check "peak >= 99% ($pl/32768): level left alone" \
    test "$(peak "$AT_TMP/lvl/loud.wav")" -eq "$pl"
at_check "peak < 99% ($(peak "$AT_TMP/soft.wav")/32768): normalized to 32767" \
    test "$(peak "$AT_TMP/lvl/soft.wav")" -eq 32767

# Batch errors: missing and corrupt files are reported, the rest processed.
for i in $(seq 200); do echo "not audio at all $i"; done >"$AT_TMP/junk.wav"
head -c 30 "$K/tom.wav" >"$AT_TMP/cut.wav" # header cut inside the fmt chunk
"$ST" -o "$AT_TMP/batch" "$AT_TMP/nothere.flac" "$AT_TMP/junk.wav" "$K/tom.wav" "$AT_TMP/cut.wav" \
    >"$AT_TMP/batch.out" 2>"$AT_TMP/batch.err"
rc=$?
at_check "batch with failures exits 1" test "$rc" = 1
at_check "missing file reported by name" grep -q "nothere.flac: No such file" "$AT_TMP/batch.err"
at_check "text file reported by name" grep -q "junk.wav: " "$AT_TMP/batch.err"
at_check "truncated header reported by name" grep -q "cut.wav: " "$AT_TMP/batch.err"
at_check "good file in the same batch still written" test -s "$AT_TMP/batch/tom.wav"
at_check "only the good file's output is left (no partial files)" \
    test "$(ls "$AT_TMP/batch")" = tom.wav
at_check "no progress line when stderr is not a tty" bash -c '! grep -q "\[1/4\]" "$1"' _ "$AT_TMP/batch.err"

# --jobs: the same bytes whatever the parallelism; seeds reproduce.
all=("$K"/tom.wav "$K"/kick.flac "$K"/hat.aiff "$K"/agogo.wav "$K"/rumpf.flac)
"$ST" -j 1 --seed 5 -o "$AT_TMP/j1" "${all[@]}"
"$ST" -j 3 --seed 5 --progress -o "$AT_TMP/j3" "${all[@]}" 2>"$AT_TMP/j3.err"
at_check "--jobs 3 writes the same files as --jobs 1" diff -r "$AT_TMP/j1" "$AT_TMP/j3"
at_check "--progress counts every file" grep -q "\[5/5\]" "$AT_TMP/j3.err"
"$ST" -j 1 --seed 6 -o "$AT_TMP/s6" "$K/agogo.wav"
at_check "another seed gives other dither" bash -c '! cmp -s "$1" "$2"' _ "$AT_TMP/j1/agogo.wav" "$AT_TMP/s6/agogo.wav"
at_check "--no-dither differs from dithered output" bash -c \
    '"$1" --no-dither -o "$2/nd" "$3" && ! cmp -s "$2/nd/agogo.wav" "$2/s6/agogo.wav"' _ "$ST" "$AT_TMP" "$K/agogo.wav"

# Options: rate, bit depth and the folder named after them.
at_check "--rate 48000 --bits 24 writes 48000_24bit/" "$ST" -r 48000 -b 24 "$K/rumpf.flac"
at_check "48000_24bit output is 48 kHz 24-bit" \
    test "$(soxi -r "$K/48000_24bit/rumpf.wav") $(soxi -b "$K/48000_24bit/rumpf.wav")" = "48000 24"
at_check "--bits 8 writes an 8-bit WAV" bash -c '"$1" -b 8 -o "$2/b8" "$3" && test "$(soxi -b "$2/b8/tom.wav")" = 8' \
    _ "$ST" "$AT_TMP" "$K/tom.wav"
at_check "two inputs with one output name: the second is refused" bash -c '
    cp "$2/tom.wav" "$2/kick.wav"; "$1" -o "$3/clash" "$2/kick.flac" "$2/kick.wav" 2>"$3/clash.err"
    test $? = 1 && grep -q "name clash" "$3/clash.err" && test -s "$3/clash/kick.wav"' _ "$ST" "$K" "$AT_TMP"

at_check "an output that would overwrite its input is refused" bash -c '
    cp "$2/tom.wav" "$3/self.wav"; cd "$3" && "$1" -o . self.wav 2>self.err
    test $? = 1 && grep -q "overwrite the input" self.err && cmp self.wav "$2/tom.wav"' _ "$ST" "$K" "$AT_TMP"

# --same-gain: velocity layers recorded 14 dB apart stay 14 dB apart; the
# loudest peak meets full scale. Without it each is normalized on its own.
sox "$K/tom.wav" "$AT_TMP/v127.wav" gain -n -6
sox "$K/tom.wav" "$AT_TMP/v64.wav" gain -n -20
"$ST" --same-gain --no-dither -o "$AT_TMP/sg" "$AT_TMP/v127.wav" "$AT_TMP/v64.wav"
"$ST" --no-dither -o "$AT_TMP/ind" "$AT_TMP/v127.wav" "$AT_TMP/v64.wav"
db() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", 20 * log(a / b) / log(10)}'; }
at_check "--same-gain: the loudest layer meets full scale" test "$(peak "$AT_TMP/sg/v127.wav")" -ge 32767
ratio=$(db "$(peak "$AT_TMP/sg/v127.wav")" "$(peak "$AT_TMP/sg/v64.wav")")
at_check "--same-gain: layers keep their 14 dB ratio (got $ratio dB)" \
    awk -v r="$ratio" 'BEGIN {exit !(r > 13.9 && r < 14.1)}'
at_check "without --same-gain each layer is normalized on its own" \
    test "$(peak "$AT_TMP/ind/v64.wav")" -ge 32767
at_check "--same-gain with --no-normalize: exit 2" bash -c \
    '"$1" --same-gain --no-normalize x.wav 2>/dev/null; test $? = 2' _ "$ST"

# Float input above full scale (peak 2.0): brought down, not clipped.
python3 - "$AT_TMP/hot.wav" <<'PY'
import math, struct, sys
n = 4410
data = b"".join(struct.pack("<f", 2.0 * math.sin(2 * math.pi * i / 100)) for i in range(n))
fmt = struct.pack("<HHIIHH", 3, 1, 44100, 44100 * 4, 4, 32)
body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
open(sys.argv[1], "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
PY
"$ST" -v --no-dither -o "$AT_TMP/hot" "$AT_TMP/hot.wav" >"$AT_TMP/hot.out"
at_check "float peak 2.0: gain -6.02 dB reported" grep -q "gain -6.02 dB" "$AT_TMP/hot.out"
rail=$(dat "$AT_TMP/hot/hot.wav" | awk '{if ($2 >= 32767 || $2 <= -32768) n++} END {print n + 0}')
at_check "float peak 2.0: only the crests reach full scale ($rail samples), none clipped" \
    test "$rail" -le 100
"$ST" --no-normalize -o "$AT_TMP/hotn" "$AT_TMP/hot.wav" 2>"$AT_TMP/hotn.err"
at_check "float peak 2.0 with --no-normalize: the clipping is reported" \
    grep -q "hot.wav: warning: [0-9]* samples clipped" "$AT_TMP/hotn.err"

# Near-silent input (+-1 LSB noise) is raised by --max-gain (40 dB) at most.
sox -n -r 44100 -b 16 -c 1 "$AT_TMP/hiss.wav" synth 0.5 whitenoise vol 0.00003
"$ST" --no-dither -o "$AT_TMP/hiss" "$AT_TMP/hiss.wav" 2>"$AT_TMP/hiss.err"
hp=$(peak "$AT_TMP/hiss/hiss.wav")
at_check "near-silent input: not turned into full-scale noise (peak $hp/32768 <= 100 x the input)" \
    test "$hp" -le $(($(peak "$AT_TMP/hiss.wav") * 100 + 1))
at_check "near-silent input: the gain limit is reported" grep -q "hiss.wav: warning: .*--max-gain" "$AT_TMP/hiss.err"
# One frame of 1 LSB (no fade, which would zero it): at most +40 dB too.
printf 'RIFF\046\0\0\0WAVEfmt \020\0\0\0\001\0\001\0\104\254\0\0\210\130\001\0\002\0\020\0data\002\0\0\0\001\0' \
    >"$AT_TMP/one.wav"
"$ST" --no-dither --fade 0 -o "$AT_TMP/one" "$AT_TMP/one.wav" 2>"$AT_TMP/one.err"
at_check "one frame of 1 LSB: raised to 100 LSB at most (got $(peak "$AT_TMP/one/one.wav"))" \
    test "$(peak "$AT_TMP/one/one.wav")" -le 100 -a "$(frames "$AT_TMP/one/one.wav")" = 1
at_check "one frame of 1 LSB: the gain limit is reported" grep -q "one.wav: warning: .*--max-gain" "$AT_TMP/one.err"
"$ST" --no-dither --max-gain 6 -o "$AT_TMP/mg6" "$AT_TMP/v64.wav" 2>/dev/null
mg=$(db "$(peak "$AT_TMP/mg6/v64.wav")" "$(peak "$AT_TMP/v64.wav")")
at_check "--max-gain 6 raises by 6 dB only (got $mg)" awk -v r="$mg" 'BEGIN {exit !(r > 5.9 && r < 6.1)}'

# Instrument files written by samplesnake beside the samples: a trimmed
# copy beside the outputs, pointing at the trimmed files, offsets and
# loops moved by the rate conversion and the trimmed start.
I=$AT_TMP/inst
mkdir -p "$I"
sox -n -r 48000 -b 24 -c 1 "$I/C4_v64.wav" synth 1 sine 262 vol 0.1 pad 0.5 0.2
sox -n -r 48000 -b 24 -c 1 "$I/C4_v127.wav" synth 1 sine 262 vol 0.5 pad 0.5 0.2
cat >"$I/kit.sfz" <<'SFZ'
// Written by aiotone-samplesnake. The samples are beside this file.
<control>
default_path=

<global>

<group>
<region> sample=C4_v64.wav lokey=0 hikey=127 pitch_keycenter=60 lovel=1 hivel=64 offset=24000 loop_start=48000 loop_end=60000
<region> sample=C4_v127.wav lokey=0 hikey=127 pitch_keycenter=60 lovel=65 hivel=127
SFZ
cat >"$I/kit.dspreset" <<'DS'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by aiotone-samplesnake. The samples are beside this file. -->
<DecentSampler minVersion="1.0.0">
  <groups>
    <group>
      <sample path="C4_v64.wav" rootNote="60" loNote="0" hiNote="127" loVel="1" hiVel="64" start="24000" loopStart="48000" loopEnd="60000"/>
      <sample path="C4_v127.wav" rootNote="60" loNote="0" hiNote="127" loVel="65" hiVel="127"/>
    </group>
  </groups>
</DecentSampler>
DS
"$ST" -v --same-gain "$I"/*.wav >"$AT_TMP/inst.out" 2>"$AT_TMP/inst.err"
at_check "instrument files: the run succeeds" test $? = 0
at_check "instrument files: trimmed SFZ and .dspreset written beside the outputs" \
    test -s "$I/44100_16bit/kit.sfz" -a -s "$I/44100_16bit/kit.dspreset"
for f in kit.sfz kit.dspreset; do
    refs=$(grep -oE '(sample=|path=")[^ "]+' "$I/44100_16bit/$f" | sed -E 's/^(sample=|path=")//')
    at_check "$f: names both trimmed samples" test "$(echo "$refs" | wc -l)" = 2
    for r in $refs; do
        at_check "$f: $r exists beside it (a trimmed 44.1 kHz file)" \
            test "$(soxi -r "$I/44100_16bit/$r")" = 44100
    done
done
# kept frames a..b: offset 24000 at 48k = 22050 at 44.1k, minus a.
start=$(sed -nE 's|^.*C4_v64.wav -> .*kept frames ([0-9]+)[.][.].*$|\1|p' "$AT_TMP/inst.out")
len=$(frames "$I/44100_16bit/C4_v64.wav")
at_check "kit.sfz: offset and loop follow the trim (start $start)" \
    grep -q "offset=$((22050 - start)) loop_start=$((44100 - start)) loop_end=$((55125 - start))" "$I/44100_16bit/kit.sfz"
at_check "kit.sfz: the loop lies inside the trimmed file ($len frames)" test $((55125 - start)) -lt "$len"
at_check "kit.dspreset: start and loop follow the trim" \
    grep -q "start=\"$((22050 - start))\" loopStart=\"$((44100 - start))\" loopEnd=\"$((55125 - start))\"" "$I/44100_16bit/kit.dspreset"
at_check "kit.sfz: key and velocity mapping kept" grep -q "lovel=65 hivel=127" "$I/44100_16bit/kit.sfz"
"$ST" -o "$AT_TMP/inst1" "$I/C4_v64.wav" 2>"$AT_TMP/inst1.err"
at_check "instrument files: with a sample not trimmed in the run, not written, and said so" \
    bash -c '! test -e "$1/kit.sfz" && grep -q "kit.sfz: warning: instrument not written: 1 of its 2 samples" "$2"' \
    _ "$AT_TMP/inst1" "$AT_TMP/inst1.err"

# Progress within a long file (a line at every 10% when not a terminal).
sox -n -r 48000 -b 16 -c 1 "$AT_TMP/long.wav" synth 30 sine 440 vol 0.5
"$ST" --progress -o "$AT_TMP/longout" "$AT_TMP/long.wav" 2>"$AT_TMP/long.err"
at_check "a long single file shows progress within it ($(grep -c '%' "$AT_TMP/long.err") lines)" \
    grep -q '^\[0/1\] .*long.wav 50%$' "$AT_TMP/long.err"
at_check "... and then the file count" grep -q '^\[1/1\] .*long.wav$' "$AT_TMP/long.err"

# A read-only output folder: the message names the path. root writes
# anyway, so as root the tool runs as nobody (setpriv) on a folder nobody
# can read but not write.
RO=$(mktemp -d "${TMPDIR:-/tmp}/aiotone-ro.XXXXXX")
chmod 755 "$RO"
mkdir "$RO/out"
cp "$K/tom.wav" "$RO/"
chmod 555 "$RO/out"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as_user[@]}" "$ST" -o "$RO/out" "$RO/tom.wav" 2>"$AT_TMP/ro.err"
rc=$?
at_check "read-only output folder: exit 1, the output path named ($(cat "$AT_TMP/ro.err"))" \
    bash -c 'test "$1" = 1 && grep -q "$2/out/tom.wav: Permission denied" "$3"' _ "$rc" "$RO" "$AT_TMP/ro.err"
at_check "read-only output folder: nothing left in it" test -z "$(ls -A "$RO/out")"
chmod 755 "$RO/out"
rm -rf "$RO"

# Command line.
at_check "--help exits 0 and shows usage" bash -c '"$1" --help | grep -q "^Usage: aiotone-sampletrim"' _ "$ST"
at_check "--version prints the version" bash -c '"$1" --version | grep -Eq "^aiotone-sampletrim [0-9]+\.[0-9]+"' _ "$ST"
at_check "no files: exit 2" bash -c '"$1" 2>/dev/null; test $? = 2' _ "$ST"
at_check "bad option value: exit 2 with the allowed range" bash -c \
    '"$1" --bits 12 x.wav 2>"$2/bad.err"; test $? = 2 && grep -q "8, 16 or 24" "$2/bad.err"' _ "$ST" "$AT_TMP"
at_check "unknown option: exit 2" bash -c '"$1" --frobnicate x.wav 2>/dev/null; test $? = 2' _ "$ST"
at_done
