#!/bin/bash
# Workflow: rendering a song from damaged input (docs/workflows.md).
# A corpus of damaged MIDI files (generated here by midi.py) and broken
# config files, each with the message and exit status a user must get:
# a damaged MIDI file is a runtime failure (exit 1) naming the file and
# the problem; a broken config is a configuration error (exit 2) naming
# the file, line and key. Nothing is ever written for them.
. "$(dirname "$0")/../integration/lib.sh"
WF=$AT_ROOT/tests/workflows
# The system python starts in 0.1 s (a version-manager shim can take 2 s).
PY=$(command -v /usr/bin/python3 || command -v python3)
FM=$AT_BIN/aiotone-fmsynth
SS=$AT_BIN/aiotone-samplesnake
cd "$AT_TMP" || exit 1

# expect DESCRIPTION STATUS MESSAGE-REGEX CMD...: CMD exits STATUS, its
# stderr matches MESSAGE-REGEX (grep -E), and it wrote no out.wav.
expect() {
    local desc=$1 want=$2 re=$3 rc
    shift 3
    rm -f out.wav
    "$@" >expect.out 2>expect.err
    rc=$?
    if [ "$rc" = "$want" ] && grep -qE -- "$re" expect.err && [ ! -e out.wav ]; then
        at_ok "$desc (exit $rc)"
    else
        at_fail "$desc"
        echo "#   command: $*"
        echo "#   exit $rc (want $want); out.wav $([ -e out.wav ] && echo written || echo absent)"
        echo "#   want a message matching: $re"
        sed 's/^/#   stderr: /' expect.err | head -n 5
    fi
}

# ---- damaged MIDI files: exit 1, the file and the problem named ----
while read -r kind re; do
    "$PY" "$WF/midi.py" damaged "$kind" "$kind.mid"
    expect "damaged MIDI '$kind' is refused" 1 "^aiotone-fmsynth: $kind\.mid: $re" \
        "$FM" --render "$kind.mid" -o out.wav
done <<'EOF'
empty empty file \(0 bytes\)
not-midi not a Standard MIDI File \(no MThd header\)
short-header truncated header \(10 bytes, a MIDI header has 14\)
truncated chunk at byte [0-9]+ is truncated
huge-track chunk at byte 14 is truncated \(2147483647 bytes announced\)
no-eot track ending at byte [0-9]+ has no End Of Track event
missing-track 2 of 3 tracks found: file truncated
format2 format 2 \(independent sequences\) is not supported
smpte time division 0xe728 not supported \(SMPTE or zero\)
zero-division time division 0 not supported
tempo0 tempo 0 \(a quarter note lasting no time\) at byte [0-9]+
running-status data byte 0x3c at byte [0-9]+ where a status byte must be \(no running status\)
bad-vlq corrupt or truncated event at byte [0-9]+
header-length header length 8 is not supported \(only 6\)
EOF
n=$("$PY" "$WF/midi.py" damaged list | wc -l)
at_check "every damaged kind midi.py makes is in the corpus above ($n)" test "$n" = 14
# Every cut of a good file is refused the same way, never a crash.
"$PY" "$WF/midi.py" song good.mid 0:903c64 0.5:f07e7f0901f7 1:803c00
len=$(stat -c %s good.mid)
bad=0
for ((cut = 0; cut < len; cut++)); do
    head -c "$cut" good.mid >cut.mid
    "$FM" --render cut.mid -o out.wav 2>cut.err
    rc=$?
    if [ "$rc" != 1 ] || [ -e out.wav ] || ! grep -q "^aiotone-fmsynth: cut.mid: " cut.err; then
        echo "# cut at $cut: exit $rc: $(head -n 1 cut.err)"
        bad=$((bad + 1))
    fi
done
at_check "each of the $len truncations of a good file: exit 1, named, nothing written" test "$bad" = 0

# ---- broken config files: exit 2, file, line and key named ----
"$PY" "$WF/midi.py" song ok.mid 0:903c64 1:803c00
mkdir conf.d
expect "a config that is a directory" 2 "conf\.d: is a directory, not a config file" \
    "$FM" -c conf.d --render ok.mid -o out.wav
expect "a config that does not exist" 2 "nosuch\.conf: cannot open: No such file" \
    "$FM" -c nosuch.conf --render ok.mid -o out.wav
# bad_conf NAME TEXT DESCRIPTION REGEX: NAME.conf holding TEXT (printf
# escapes) makes the render exit 2 with a message matching REGEX.
bad_conf() {
    printf "$2" >"$1.conf"
    expect "$3" 2 "$4" "$FM" -c "$1.conf" --render ok.mid -o out.wav
}
bad_conf syntax 'patch = {\n  algorithm = ;\n};\n' \
    "a syntax error names file and line, once" "syntax\.conf:2: syntax error$"
bad_conf typo 'patch = {\n  algoritm = 5;\n};\n' "a misspelt key is named with the key meant" \
    "typo\.conf:2: key 'patch\.algoritm': unknown key \(did you mean 'patch\.algorithm'\?\)"
bad_conf range '\n\npatch = { algorithm = 55; };\n' \
    "a value out of range names file, line, key, value and what is allowed" \
    "range\.conf:3: key 'patch\.algorithm': bad value 55: must be a whole number 0\.\.11"
bad_conf wave 'patch = { op2 = { wave = "triangle"; }; };\n' "a bad choice lists the choices" \
    "wave\.conf:1: key 'patch\.op2\.wave': bad value \"triangle\": must be one of \"sine\", \"sine12\", \"saw\", \"square\""
bad_conf type 'midi = { channel = "one"; };\n' "a value of the wrong type" \
    "type\.conf:1: key 'midi\.channel': bad value \"one\": must be a whole number 0\.\.16"
bad_conf binary 'patch = { algorithm = 5; };\n\0\1\2' "a binary file is not taken for a config" \
    "binary\.conf: holds a NUL byte: not a config file"
printf 'preset = "nosuch";\npreset-dir = "%s";\n' "$AT_TMP" >preset.conf
expect "an unknown preset names where it looked" 2 "no preset 'nosuch': looked for nosuch\.conf in $AT_TMP, " \
    "$FM" -c preset.conf --render ok.mid -o out.wav
# A UTF-8 byte-order mark (some editors write one) is accepted.
printf '\xef\xbb\xbfpatch = { algorithm = 5; };\n' >bom.conf
"$FM" -c bom.conf --save-preset - >bom.out 2>bom.err
at_check "a config starting with a UTF-8 byte-order mark loads (exit $?)" grep -q "algorithm = 5;" bom.out
"$FM" -c bom.conf --render ok.mid -o bom.wav 2>/dev/null
at_check "and renders (exit $?)" test -s bom.wav

# samplesnake's own checks name file, line and key too.
printf 'sampling = {\n  prefix = "x";\n  notes = "C, H";\n};\n' >notes.conf
expect "samplesnake: a bad note name names file, line and key" 2 \
    "notes\.conf:3: key 'sampling\.notes': bad note name 'H': expected C, C#, Db, \.\.\. B" \
    "$SS" -c notes.conf --dry-run
printf 'sampling = {\n  silence-threshold = "quiet";\n};\n' >thr.conf
expect "samplesnake: a bad threshold names file, line and key" 2 \
    "thr\.conf:2: key 'sampling\.silence-threshold': bad value \"quiet\"" \
    "$SS" -c thr.conf --dry-run
printf '\xef\xbb\xbfsampling = { notes = "C, D"; };\n' >ssbom.conf
"$SS" -c ssbom.conf --dry-run >ssbom.out 2>&1
at_check "samplesnake: a config with a byte-order mark loads (exit $?)" grep -q "C" ssbom.out

at_done
