#!/bin/bash
# aiotone-sampletrim on a corpus of damaged input, generated here from one
# good recording in WAV, FLAC and AIFF: truncated files, header-only files,
# headers claiming gigabytes, empty files, 0-frame files, wrong magic,
# sample rate 0 and 0 channels, floating-point NaN, and files that are not
# audio at all. Each must be reported by name with what is wrong with it,
# skipped (nothing written for it), and the run must exit 1; a good file
# in the same batch is still written (docs/workflows.md, docs/sampletrim.md).
. "$(dirname "$0")/../integration/lib.sh"
ST=$AT_BIN/aiotone-sampletrim
PY=$(command -v /usr/bin/python3 || command -v python3)
KITS=/usr/share/hydrogen/data/drumkits
C=$AT_TMP/corpus
mkdir -p "$C"
cp "$KITS/Audiophob/99931__menegass__noise-tom1.wav" "$C/good.wav"
sox "$C/good.wav" "$C/good.flac"
sox "$C/good.wav" "$C/good.aiff"

# The damaged files, made from the good ones with byte surgery.
"$PY" - "$C" <<'PY'
import math, os, struct, sys
d = sys.argv[1]
def rd(n):
    return open(os.path.join(d, n), "rb").read()
def wr(n, b):
    open(os.path.join(d, n), "wb").write(b)
for ext in ("wav", "flac", "aiff"):
    g = rd("good." + ext)
    wr("truncated." + ext, g[: len(g) // 2])
    wr("empty." + ext, b"")
w = rd("good.wav")
data = w.find(b"data")
fmt = w.find(b"fmt ")
wr("header-only.wav", w[: data + 8])
huge = bytearray(w); struct.pack_into("<I", huge, data + 4, 0x7FFFFFF0); wr("huge-claim.wav", huge)
zero = bytearray(w[: data + 8]); struct.pack_into("<I", zero, data + 4, 0); struct.pack_into("<I", zero, 4, len(zero) - 8)
wr("zero-frames.wav", zero)
r0 = bytearray(w); struct.pack_into("<I", r0, fmt + 12, 0); wr("rate-zero.wav", r0)
c0 = bytearray(w); struct.pack_into("<H", c0, fmt + 10, 0); wr("no-channels.wav", c0)
x = bytearray(w); x[0:4] = b"RIFX"; x[8:12] = b"WAVX"; wr("wrong-header.wav", x)
# FLAC: STREAMINFO's 36-bit total sample count set to its largest value.
f = bytearray(rd("good.flac"))
assert f[0:4] == b"fLaC"
f[21] |= 0x0F; f[22:26] = b"\xff\xff\xff\xff"; wr("huge-claim.flac", f)
f = bytearray(rd("good.flac")); f[0:4] = b"fLaX"; wr("wrong-header.flac", f)
# AIFF: the SSND chunk claims 2 GB; the magic broken.
a = bytearray(rd("good.aiff"))
s = a.find(b"SSND"); struct.pack_into(">I", a, s + 4, 0x7FFFFFF0); wr("huge-claim.aiff", a)
a = bytearray(rd("good.aiff")); a[0:4] = b"FORX"; wr("wrong-header.aiff", a)
# A float WAV with a NaN and one with an infinity in it.
for name, bad in (("nan.wav", float("nan")), ("inf.wav", float("inf"))):
    n = 1000
    pcm = b"".join(struct.pack("<f", bad if i == 500 else 0.5 * math.sin(i / 10)) for i in range(n))
    body = (b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 3, 1, 44100, 44100 * 4, 4, 32)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)
    wr(name, b"RIFF" + struct.pack("<I", len(body)) + body)
# Not audio at all.
wr("text.wav", b"".join(b"not audio at all %d\n" % i for i in range(200)))
wr("image.flac", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
PY
mkdir -p "$C/folder.wav"

# expect NAME MESSAGE-REGEX: sampletrim on NAME exits 1, names it with the
# message, writes nothing.
expect() {
    local name=$1 re=$2 out=$AT_TMP/out-$1 rc
    "$ST" --no-progress -o "$out" "$C/$name" >"$AT_TMP/stdout" 2>"$AT_TMP/stderr"
    rc=$?
    if [ "$rc" = 1 ] && grep -qE -- "^aiotone-sampletrim: $C/$name: $re" "$AT_TMP/stderr" &&
        [ -z "$(ls -A "$out" 2>/dev/null)" ]; then
        at_ok "$name: exit 1, '$(sed "s|^aiotone-sampletrim: $C/||" "$AT_TMP/stderr" | head -n 1)'"
    else
        at_fail "$name"
        echo "#   exit $rc (want 1); output folder: $(ls -A "$out" 2>/dev/null | tr '\n' ' ')"
        echo "#   want a message matching: $re"
        sed 's/^/#   stderr: /' "$AT_TMP/stderr" | head -n 3
    fi
}

expect truncated.wav 'damaged file, skipped \(truncated: the header promises [0-9]+ bytes of audio, the file holds [0-9]+\)'
expect truncated.aiff 'damaged file, skipped \(truncated: the header promises [0-9]+ bytes of audio, the file holds [0-9]+\)'
expect truncated.flac 'damaged file, skipped \((truncated|decoding failed)'
expect header-only.wav 'damaged file, skipped \(truncated: the header promises [0-9]+ bytes of audio, the file holds 0\)'
expect huge-claim.wav 'damaged file, skipped \(truncated: the header promises 2147483632 bytes of audio'
expect huge-claim.aiff 'damaged file, skipped \(truncated: the header promises [0-9]+ bytes of audio'
expect huge-claim.flac 'damaged file, skipped \(truncated: the header promises 68719476735 frames'
expect empty.wav 'damaged file, skipped \(empty file \(0 bytes\)\)'
expect empty.flac 'damaged file, skipped \(empty file \(0 bytes\)\)'
expect empty.aiff 'damaged file, skipped \(empty file \(0 bytes\)\)'
expect zero-frames.wav 'damaged file, skipped \(no audio frames \(0 frames\)\)'
expect rate-zero.wav 'damaged file, skipped \(damaged header: the sample rate is 0 or missing\)'
expect no-channels.wav 'damaged file, skipped \(damaged header: the channel count is 0\)'
expect nan.wav 'damaged file, skipped \(NaN or infinite samples\)'
expect inf.wav 'damaged file, skipped \(NaN or infinite samples\)'
expect wrong-header.wav 'not readable as audio, skipped \(.+\)'
expect wrong-header.flac 'not readable as audio, skipped \(.+\)'
expect wrong-header.aiff 'not readable as audio, skipped \(.+\)'
expect text.wav 'not readable as audio, skipped \(Format not recognised\.\)'
expect image.flac 'not readable as audio, skipped \(.+\)'
expect folder.wav 'is a directory'
expect missing.wav 'No such file or directory'

# The whole corpus in one batch with the good files: every damaged one
# reported, the good ones written, nothing else, exit 1.
"$ST" --no-progress -o "$AT_TMP/batch" "$C"/* >"$AT_TMP/batch.out" 2>"$AT_TMP/batch.err"
rc=$?
at_check "the corpus in one batch exits 1" test "$rc" = 1
n_bad=$(find "$C" -mindepth 1 -maxdepth 1 ! -name 'good.*' | wc -l)
at_check "every damaged file reported once ($n_bad)" \
    test "$(grep "^aiotone-sampletrim: $C/" "$AT_TMP/batch.err" | grep -vc "^aiotone-sampletrim: $C/good\.")" = "$n_bad"
at_check "the good files are written, nothing else (no partial files)" \
    test "$(ls "$AT_TMP/batch" | tr '\n' ' ')" = "good.wav "
# good.wav, good.flac and good.aiff share an output name: two are refused
# as a clash; with distinct names all three are written.
mkdir -p "$AT_TMP/g"
cp "$C/good.wav" "$AT_TMP/g/w.wav"
cp "$C/good.flac" "$AT_TMP/g/f.flac"
cp "$C/good.aiff" "$AT_TMP/g/a.aiff"
"$ST" --no-progress -o "$AT_TMP/batch2" "$AT_TMP"/g/* "$C"/truncated.* "$C"/empty.* 2>/dev/null
rc=$?
at_check "good WAV, FLAC and AIFF among damaged ones: all three written, exit 1" \
    test "$rc" = 1 -a "$(ls "$AT_TMP/batch2" | tr '\n' ' ')" = "a.wav f.wav w.wav "
at_done
