#!/bin/bash
# The LV2 bundle (build/lv2/aiotone.lv2, docs/lv2.md): its Turtle validates
# against Debian's LV2 schemas; the test host at-lv2host (liblilv) loads
# each plugin from LV2_PATH: fmsynth renders bit for bit what
# `aiotone-fmsynth --render` renders (two block sizes), its presets sound
# as their .conf files, state saved and restored into a new instance plays
# the same; bad states are refused with a logged reason; redblue,
# mothergen and circuits send the same messages at the same frames as the
# JACK tools fed the same input; the sequencers follow the host's
# transport to the frame; jalv runs each plugin as a JACK client.
. "$(dirname "$0")/lib.sh"
B=$AT_BIN
T=$AT_TOOLS
H=$T/at-lv2host
BUNDLE=$BUILD/lv2/aiotone.lv2
export LV2_PATH=$BUILD/lv2
PRESETS=$AT_ROOT/clients/fmsynth/presets
cd "$AT_TMP" || exit 1

# ---- the Turtle ----
sord_validate $(find /usr/lib/lv2 -name '*.ttl') "$BUNDLE"/*.ttl >validate.log 2>&1
at_check "sord_validate: the bundle and Debian's LV2 schemas give 'Found 0 errors'" \
    grep -q "^Found 0 errors" validate.log
grep -v '^Found' validate.log | head -n 20 | sed 's/^/# /'
for f in "$BUNDLE"/*.ttl; do
    at_check "serdi parses $(basename "$f")" serdi -i turtle -o ntriples "$f" -q
done
lv2ls >lv2ls.out 2>lv2ls.err
at_check "lv2ls finds the four plugins in LV2_PATH and nothing else complains" \
    bash -c "[ \"\$(sort lv2ls.out | tr '\n' ' ')\" = 'urn:aiotone:circuits urn:aiotone:fmsynth urn:aiotone:mothergen urn:aiotone:redblue ' ] && [ ! -s lv2ls.err ]"
lv2info urn:aiotone:fmsynth >fm.info 2>&1
lv2info urn:aiotone:redblue >rb.info 2>&1
lv2info urn:aiotone:mothergen >mg.info 2>&1
lv2info urn:aiotone:circuits >ci.info 2>&1
port() { # info symbol: the port's block
    awk -v s="$2" '/^\tPort [0-9]+:/ {blk = ""} {blk = blk $0 "\n"} /Symbol:/ && $2 == s {hit = 1}
        /^$/ && hit {printf "%s", blk; exit}' "$1"
}
at_check "fmsynth: midi_in (atom MIDI), out_L and out_R (audio)" \
    bash -c "$(declare -f port); port fm.info midi_in | grep -q AtomPort && port fm.info out_L | grep -q AudioPort && port fm.info out_R | grep -q AudioPort"
at_check "fmsynth: op2_ratio is a control 0..64, default 1.003 (patch.op2.ratio)" \
    bash -c "$(declare -f port); port fm.info op2_ratio | grep -q 'Minimum: *0' && port fm.info op2_ratio | grep -q 'Maximum: *64' && port fm.info op2_ratio | grep -q 'Default: *1.003'"
at_check "fmsynth: op1_wave is an enumeration of the waves (sine, sine12, saw, square)" \
    bash -c "$(declare -f port); port fm.info op1_wave | tr -d '\t' | grep -q '2 = \"saw\"' && port fm.info op1_wave | grep -q enumeration"
at_check "fmsynth: the algorithm's scale points name its routing (10: 4>3; out 1+2+3)" \
    grep -q '10 = "10: 4>3; out 1+2+3"' fm.info
at_check "fmsynth: op1_attack is in seconds (units:s)" \
    bash -c "awk '/lv2:symbol \"op1_attack\"/ {on = 1} on && /units:unit units:s/ {f = 1} on && /lv2:index/ {exit !f}' '$BUNDLE/aiotone.ttl'"
at_check "fmsynth: polyphony is state, not a control port" bash -c "! grep -q 'Symbol: *polyphony' fm.info"
at_check "fmsynth: the five shipped presets are in the bundle" \
    test "$(sed -n '/Presets:/,/^$/p' fm.info | grep -cP '^\t +[a-z]')" = "$(ls "$PRESETS"/*.conf | wc -l)"
at_check "redblue: midi_in, red, blue; mode and portamento are enumerations; start_stop toggles" \
    bash -c "$(declare -f port); port rb.info red | grep -q OutputPort && port rb.info blue | grep -q AtomPort && port rb.info mode | grep -q '\"duophonic\"' && port rb.info portamento | grep -q '\"legato\"' && port rb.info start_stop | grep -q toggled"
at_check "mothergen: red, blue, green outputs; key an enumeration (F = 5)" \
    bash -c "$(declare -f port); port mg.info green | grep -q OutputPort && port mg.info key | tr -d '\t' | grep -q '5 = \"F\"'"
at_check "circuits: circuit and monostation outputs; key_note 0..127" \
    bash -c "$(declare -f port); port ci.info circuit | grep -q OutputPort && port ci.info monostation | grep -q OutputPort && port ci.info key_note | grep -q 'Maximum: *127'"

make -s -C "$AT_ROOT" BUILD="$BUILD" install DESTDIR="$AT_TMP/inst" PREFIX=/usr >install.log 2>&1
at_check "make install puts the bundle in PREFIX/lib/lv2/aiotone.lv2 and lv2ls finds the four plugins there" \
    bash -c "[ \$(LV2_PATH='$AT_TMP/inst/usr/lib/lv2' lv2ls | grep -c '^urn:aiotone:') = 4 ] && ls '$AT_TMP/inst/usr/lib/lv2/aiotone.lv2/' | tr '\n' ' ' | grep -qx 'aiotone.so aiotone.ttl manifest.ttl presets.ttl '"

# ---- fmsynth: the plugin renders what --render renders ----
# The sample data of a float WAV (libsndfile's headers carry a time stamp).
wav_data() {
    local off
    off=$(grep -obUa data "$1" | head -n 1 | cut -d: -f1)
    tail -c +$((off + 9)) "$1"
}
frames_of() { echo $(($(wav_data "$1" | wc -c) / 8)); }
same_audio() { cmp -s <(wav_data "$1") <(wav_data "$2"); }
nonsilent() { wav_data "$1" | od -An -v -tf4 | awk '{for (i = 1; i <= NF; i++) if ($i != 0) n++} END {exit !(n > 1000)}'; }

# at_fm_phrase with a fourth note (12001..21000), in frame order
{
    at_fm_phrase
    printf '%s\n' "12001 90 30 60" "21000 80 30 00"
} | sort -s -n -k1,1 | at_write_smf seq.mid
echo 'osc = { port = 0; };' >default.conf
"$B/aiotone-fmsynth" -c default.conf --render seq.mid -o render.wav 2>render.err
N=$(frames_of render.wav)
echo "# --render wrote $N frames"
for b in 256 37; do
    "$H" -u urn:aiotone:fmsynth -b $b -f "$N" -m seq.mid -w "plug$b.wav" 2>"plug$b.err"
    at_check "fmsynth plugin at block $b: bit-identical to --render ($N frames)" \
        same_audio render.wav "plug$b.wav"
done
at_check "and not silent" nonsilent plug256.wav

# A song from the openmsx set, in 512-frame blocks. --render lifts every
# key at the song's end (at-lv2host prints that frame); the plugin is not
# told, so the two agree up to there.
song=$(ls /usr/share/games/openttd/baseset/openmsx*/*.mid 2>/dev/null | head -n 1)
if [ -n "$song" ]; then
    "$B/aiotone-fmsynth" -c default.conf --render "$song" -o song.wav 2>/dev/null
    "$H" -u urn:aiotone:fmsynth -b 512 -f "$(frames_of song.wav)" -m "$song" -w songp.wav 2>song.err
    end=$(awk '/^# song end/ {print $4}' song.err)
    echo "# $(basename "$song"): song end at frame $end of $(frames_of song.wav)"
    at_check "fmsynth plugin: $(basename "$song") = --render, bit for bit, up to the song's end" \
        bash -c "$(declare -f wav_data); [ -n '$end' ] && cmp -n \$(($end * 8)) <(wav_data song.wav) <(wav_data songp.wav)"
fi

# ---- presets: each sounds as its .conf ----
for conf in "$PRESETS"/*.conf; do
    name=$(basename "$conf" .conf)
    "$B/aiotone-fmsynth" -c "$conf" --render seq.mid -o "r-$name.wav" 2>/dev/null
    "$H" -u urn:aiotone:fmsynth -p "urn:aiotone:fmsynth:preset:$name" -b 128 \
        -f "$(frames_of "r-$name.wav")" -m seq.mid -w "p-$name.wav" 2>"p-$name.err"
    at_check "preset $name: the plugin with the LV2 preset = --render -c $name.conf, bit for bit" \
        same_audio "r-$name.wav" "p-$name.wav"
done
at_check "the presets differ from the default patch (the comparison can fail)" \
    bash -c "$(declare -f wav_data same_audio); ! same_audio plug256.wav p-bass.wav"

# ---- state: save, a new instance, restore: the same output ----
state() { # plugin-uri config-text > state file (the format lilv_state_to_string writes)
    printf '<urn:aiotone:test-state>\n\ta pset:Preset ;\n\tlv2:appliesTo <%s> ;\n\tstate:state [\n\t\t<urn:aiotone:state#config> """%s""" ;\n\t\t<urn:aiotone:state#version> "%s"^^xsd:int\n\t] .\n' \
        "$1" "$2" "${3:-1}"
}
state urn:aiotone:fmsynth 'audio = { polyphony = 3; }; patch = { algorithm = 5; feedback = 0.3; op2 = { ratio = 2.001; wave = "square"; }; };' >hand.ttl
"$H" -u urn:aiotone:fmsynth -l hand.ttl -f 256 -s saved.ttl 2>/dev/null >/dev/null
at_check "the saved state is the tool's state file (polyphony = 3, algorithm = 5, ratio = 2.001)" \
    bash -c "grep -q 'polyphony = 3;' saved.ttl && grep -q 'algorithm = 5;' saved.ttl && grep -q 'ratio = 2.001;' saved.ttl && grep -q 'connect-left = \[\];' saved.ttl"
"$H" -u urn:aiotone:fmsynth -l hand.ttl -f 100000 -m seq.mid -w s1.wav 2>/dev/null
"$H" -u urn:aiotone:fmsynth -l saved.ttl -b 100 -f 100000 -m seq.mid -w s2.wav 2>/dev/null
at_check "fmsynth: state saved -> new instance -> restored renders the same bits" same_audio s1.wav s2.wav
"$H" -u urn:aiotone:fmsynth -f 100000 -m seq.mid -w s0.wav 2>/dev/null
at_check "and that state is not the default sound (3 voices, algorithm 5)" \
    bash -c "$(declare -f wav_data same_audio); ! same_audio s1.wav s0.wav"
# control ports set by the host are saved too
"$H" -u urn:aiotone:fmsynth -c algorithm=7 -c op1_wave=3 -c volume=0.5 -f 64 -s ports.ttl >/dev/null 2>&1
"$H" -u urn:aiotone:fmsynth -c algorithm=7 -c op1_wave=3 -c volume=0.5 -f 100000 -m seq.mid -w c1.wav 2>/dev/null
"$H" -u urn:aiotone:fmsynth -l ports.ttl -f 100000 -m seq.mid -w c2.wav 2>/dev/null
at_check "fmsynth: control values set by the host come back from the saved state" same_audio c1.wav c2.wav

# a mode a key chose (redblue's A#0 = duophonic) is in the state, and
# stays when the host restores its saved control value (mode = 0) with it
printf '0:0:90 16 64\n0:1:80 16 00\n' >mode.ev
"$H" -u urn:aiotone:redblue -E mode.ev -f 512 -s mode.ttl >/dev/null 2>&1
printf '1:0:90 3c 64\n1:10:90 40 64\n2:0:80 3c 00\n2:0:80 40 00\n' >chord.ev
"$H" -u urn:aiotone:redblue -l mode.ttl -E chord.ev -f 1024 2>/dev/null | grep -v ' 0 ' >chord-restored.out
"$H" -u urn:aiotone:redblue -c mode=1 -E chord.ev -f 1024 2>/dev/null | grep -v ' 0 ' >chord-duo.out
"$H" -u urn:aiotone:redblue -E chord.ev -f 1024 2>/dev/null | grep -v ' 0 ' >chord-regular.out
at_check "redblue: the mode set by a key is saved (mode = \"duophonic\") and restored over the host's saved control value" \
    bash -c "grep -q 'mode = \\\"duophonic\\\";' mode.ttl && grep -q 'lv2:symbol \"mode\"' mode.ttl && cmp -s chord-restored.out chord-duo.out && ! cmp -s chord-duo.out chord-regular.out"

# ---- bad states: refused with a logged reason, nothing changes ----
default_out() { "$H" -u urn:aiotone:fmsynth -f 100000 -m seq.mid -w default.wav 2>/dev/null; }
default_out
bad() { # description config-text [version]
    state urn:aiotone:fmsynth "$2" "${3:-1}" >bad.ttl
    "$H" -u urn:aiotone:fmsynth -l bad.ttl -f 100000 -m seq.mid -w bad.wav 2>bad.err
    local rc=$?
    echo "# $(grep -m1 'log:' bad.err)"
    at_check "bad state ($1): refused with a logged reason, the host goes on" \
        bash -c "[ $rc = 0 ] && grep -q 'log: aiotone fmsynth: state refused: ' bad.err"
    at_check "bad state ($1): the plugin keeps its sound" same_audio bad.wav default.wav
}
bad "unknown key" 'patch = { algorithm = 3; wobble = 1; };'
grep -q "wobble" bad.err && at_ok "the unknown key is named in the log" || at_fail "the unknown key is named in the log"
bad "out of range" 'patch = { algorithm = 3; op1 = { ratio = 99.0; }; };'
grep -q "99" bad.err && at_ok "the bad value is named in the log" || at_fail "the bad value is named in the log"
bad "polyphony out of range" 'audio = { polyphony = 100000; };'
bad "not libconfig" 'patch = { algorithm = ; '
bad "newer version" 'patch = { algorithm = 3; };' 2
grep -q "newer version" bad.err && at_ok "a newer state's version is named as the reason" || at_fail "a newer state's version is named as the reason"
# redblue's monome grid is drawn by the JACK tool's control loop: a plugin
# state that enables it is refused with the reason, the plugin goes on
state urn:aiotone:redblue 'grid = { enabled = true; };' 1 >grid.ttl
"$H" -u urn:aiotone:redblue -l grid.ttl -E chord.ev -f 1024 2>grid.err | grep -v ' 0 ' >chord-grid.out
echo "# $(grep -m1 'log:' grid.err)"
at_check "redblue: a state with grid.enabled is refused with the reason, the plugin plays on" \
    bash -c "grep -q 'state refused: .*grid.enabled: the monome grid display is a feature of the JACK tool' grid.err && cmp -s chord-grid.out chord-regular.out"
"$H" -u urn:aiotone:fmsynth -c algorithm=99 -c op1_wave=-5 -c volume=1e30 -f 100000 -m seq.mid -w clamp.wav 2>clamp.err
at_check "control values out of range are clamped (no crash, finite output)" \
    bash -c "$(declare -f wav_data); wav_data clamp.wav | od -An -v -tf4 | awk '/nan|inf/ {exit 1}'"

# ---- the sequencers follow the host's transport, to the frame ----
# 120 BPM at 48 kHz is one pulse every 1000 frames; 60 BPM every 2000. The
# host starts rolling at frame 5000 (beat 0), slows to 60 BPM at pulse 100
# (frame 105000) and stops at frame 145000. The same plugin fed MIDI START,
# clock and STOP at those frames must send the same messages at the same
# frames.
abs() { awk -v b="$1" '{f = $2 * b + $3; $2 = ""; $3 = ""; print f, $0}' | tr -s ' ' | sort -n -s -k1,1; }
clock_events() { # block: the same timeline as MIDI (CYCLE:OFFSET:HEX)
    local b=$1 f k
    echo "$((5000 / b)):$((5000 % b)):fa"
    for ((k = 0; k < 100; k++)); do f=$((5000 + 1000 * k)); echo "$((f / b)):$((f % b)):f8"; done
    for ((k = 0; k < 20; k++)); do f=$((105000 + 2000 * k)); echo "$((f / b)):$((f % b)):f8"; done
    echo "$((145000 / b)):$((145000 % b)):fc"
}
transport=(-t 5000:1:120:0 -t 105000:1:60:4.16666666666667 -t 145000:0:60:24.1666666666667)
for plug in mothergen circuits; do
    if [ $plug = mothergen ]; then cfg='input = { seed = 7; };'; else cfg='seed = 7;'; fi
    state "urn:aiotone:$plug" "$cfg" >"$plug-seed.ttl"
    clock_events 1024 >"$plug-clock.ev"
    "$H" -u "urn:aiotone:$plug" -l "$plug-seed.ttl" -b 1024 -f 160000 -E "$plug-clock.ev" 2>/dev/null |
        abs 1024 >"$plug-midi.out"
    for b in 1024 100; do
        "$H" -u "urn:aiotone:$plug" -l "$plug-seed.ttl" -b $b -f 160000 "${transport[@]}" 2>/dev/null |
            abs $b >"$plug-host$b.out"
        at_check "$plug follows the host's transport (start, tempo change, stop) at block $b: the same messages at the same frames as with MIDI clock ($(grep -c . "$plug-midi.out") messages)" \
            cmp -s "$plug-midi.out" "$plug-host$b.out"
    done
    at_check "$plug: the transport's notes are there (START, notes, STOP)" \
        bash -c "grep -q ' fa\$' $plug-midi.out && grep -q ' fc\$' $plug-midi.out && grep -qE ' 9[0-9a-f] ' $plug-midi.out"
done
"$H" -u urn:aiotone:redblue -b 256 -f 160000 "${transport[@]}" 2>/dev/null | abs 256 >rb-host.out
at_check "redblue (not a sequencer) ignores the host's transport (only its start-up silencing at frame 0)" \
    bash -c "! awk '\$1 > 0' rb-host.out | grep -qE ' (fa|f8|fc)\$' && grep -q ' fc\$' rb-host.out"

# ---- the MIDI plugins send what the JACK tools send ----
at_start_jackd 48000 1024
P=1024
# What the probe plans must reach the tool in the planned cycle (its own
# output, looped back to its receiver, shows where it went); a loaded
# machine can deliver one a cycle late, and then the run is made again.
sent_as_planned() { # events recording
    awk 'NR == FNR { if ($0 ~ /^#/) next; split($0, a, ":"); want[a[1] " " a[2] " " a[3]]++; next }
         !/^#/ { got[$0]++ } END { for (w in want) if (got[w] < want[w]) exit 1 }' "$1" "$2"
}
compare_tool() { # tool config events cycles dests...
    local tool=$1 conf=$2 ev=$3 cycles=$4 try ins=()
    shift 4
    state "urn:aiotone:$tool" "$(cat "$conf")" >"$tool.ttl"
    at_spawn "j$tool" "$B/aiotone-$tool" -c "$conf" -n "j$tool"
    at_wait_port "j$tool:midi_in"
    for d in "$@"; do
        at_wait_port "j$tool:$d"
        ins+=(-i "j$tool:$d")
    done
    for try in 1 2 3; do
        "$T/at-probe" -n "p$tool" -c "$cycles" -o "j$tool:midi_in" -i "p$tool:out" "${ins[@]}" \
            -E "$ev" >"$tool-jack.raw" 2>"$tool-probe.err"
        sent_as_planned "$ev" "$tool-jack.raw" && break
        echo "# $tool: the probe's events did not all arrive as planned (try $try)"
    done
    at_kill "j$tool"
    # the plugin's outputs plus the input looped back, from cycle 2 on (the
    # JACK tool's silencing on connect comes before)
    {
        "$H" -u "urn:aiotone:$tool" -l "$tool.ttl" -b $P -f $((cycles * P)) -E "$ev" \
            2>"$tool-host.err" | cut -d' ' -f2-
        grep -v '^#' "$ev" | tr ':' ' '
    } | awk '$1 >= 2' | sort >"$tool-plug.rec"
    grep -v '^#' "$tool-jack.raw" | awk -v c="$cycles" '$1 >= 2 && $1 < c' | sort >"$tool-jack.rec"
    at_check "$tool plugin = JACK tool: the same messages at the same cycle and offset ($(grep -c . "$tool-jack.rec") lines)" \
        cmp -s "$tool-plug.rec" "$tool-jack.rec"
    diff "$tool-plug.rec" "$tool-jack.rec" | head -n 6 | sed 's/^/# /'
}

PULSES=150
{
    echo "2:10:fa"
    for ((k = 0; k < PULSES; k++)); do echo "$((3 + k)):$(((37 * k + 5) % 1024)):f8"; done
    echo "60:3:90 3e 64"
    echo "70:333:b0 40 7f"
    echo "71:444:e0 11 22"
    echo "$((3 + PULSES)):7:fc"
} >mg.ev
printf 'input = { seed = 42; portamento = "rez"; portamento-max = 32; };\nosc = { port = 0; };\n' >mg.conf
compare_tool mothergen mg.conf mg.ev $((PULSES + 10)) red blue green

PULSES=200
{
    echo "2:10:fa"
    for ((k = 0; k < PULSES; k++)); do echo "$((3 + k)):$(((53 * k + 1) % 1024)):f8"; done
    echo "50:500:90 34 64"
    echo "$((3 + PULSES)):9:fc"
} >ci.ev
printf 'seed = 42;\nosc = { port = 0; };\n' >ci.conf
compare_tool circuits ci.conf ci.ev $((PULSES + 10)) circuit monostation

# redblue: notes, the three mode keys, accents, expression (slewed over
# cycles), damper portamento, mod wheel, bend, all notes off, START/STOP
cat >rb.ev <<EOF
2:10:90 3c 64
3:100:80 3c 00
4:0:90 16 64
4:20:90 3c 70
4:900:90 40 60
5:5:80 3c 00
5:6:80 40 00
6:1:b0 0b 40
6:2:b0 04 7f
7:500:90 17 01
8:8:90 30 7f
9:9:b0 40 40
10:10:80 30 00
10:11:b0 40 00
11:0:b0 01 33
12:77:e0 00 60
13:1:90 15 01
14:14:90 3c 20
15:15:b0 7b 00
16:1:fa
17:2:fc
EOF
printf 'input = { portamento = "damper"; };\nosc = { port = 0; };\n' >rb.conf
compare_tool redblue rb.conf rb.ev 25 red blue

# ---- jalv runs each plugin as a JACK client ----
# jalv is not built with the sanitizers: under `make asan` it gets their
# runtimes preloaded to load the instrumented plugin
if nm -D "$BUNDLE/aiotone.so" 2>/dev/null | grep -q __asan_init; then
    export LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
    export ASAN_OPTIONS=detect_leaks=0
fi
mkfifo jalv.in
exec 7<>jalv.in # jalv's console reads its stdin: keep it open
jalv_up() { # name uri ports...
    local name=$1 uri=$2 p
    shift 2
    at_spawn "$name" bash -c "exec jalv -n $name $uri <jalv.in"
    for p in "$@"; do at_wait_port "$name:$p" 20 || return 1; done
}
if jalv_up jfm urn:aiotone:fmsynth midi_in out_L out_R; then
    "$T/at-probe" -n pjfm -c 40 -o jfm:midi_in -a jfm:out_L -a jfm:out_R -w jalv-fm.wav \
        -e "5:100:90 3c 64" -e "30:0:80 3c 00" >jalv-fm.out 2>&1
    at_check "jalv runs the fmsynth plugin: a note played into it is heard" nonsilent jalv-fm.wav
else
    at_fail "jalv runs the fmsynth plugin (ports midi_in, out_L, out_R)"
fi
at_kill jfm
# jalv_plays NAME TOOL "OUTS" CYCLES DESC CHECK PROBE-ARG...: TOOL's plugin
# in jalv as NAME (ports midi_in and OUTS); at-probe plays PROBE-ARGs into
# it for CYCLES cycles and records every output to jalv-${NAME#j}.out; the
# check "jalv runs TOOL: DESC" is bash -c CHECK. Fails when jalv does not
# bring the ports up.
jalv_plays() {
    local name=$1 tool=$2 outs=$3 cycles=$4 desc=$5 check=$6 ins=() p
    shift 6
    if jalv_up "$name" "urn:aiotone:$tool" midi_in $outs; then
        for p in $outs; do ins+=(-i "$name:$p"); done
        "$T/at-probe" -n "p$name" -c "$cycles" -o "$name:midi_in" "${ins[@]}" "$@" \
            >"jalv-${name#j}.out" 2>&1
        at_check "jalv runs $tool: $desc" bash -c "$check"
    else
        at_fail "jalv runs $tool (ports midi_in, ${outs// /, })"
    fi
    at_kill "$name"
}
jalv_plays jrb redblue "red blue" 20 "the note goes to red and blue in its cycle, at its frame" \
    "grep -q '^5 100 91 3c 64\$' jalv-rb.out && grep -q '^5 100 92 3c 64\$' jalv-rb.out && grep -q '^8 7 81 3c 00\$' jalv-rb.out" \
    -e "5:100:90 3c 64" -e "8:7:80 3c 00"
clock_run() { # cycles: START at cycle 2, a pulse every cycle
    local k
    echo "2:0:fa"
    for ((k = 3; k < $1; k++)); do echo "$k:$((k * 7 % 1000)):f8"; done
}
clock_run 100 >jalv-clock.ev
jalv_plays jmg mothergen "red blue green" 110 \
    "clocked, it plays red (channel 2) and green (channel 4)" \
    "grep -qE '^[0-9]+ [0-9]+ 91 [0-9a-f]+ 40\$' jalv-mg.out && grep -qE '^[0-9]+ [0-9]+ 93 ' jalv-mg.out" \
    -E jalv-clock.ev
jalv_plays jci circuits "circuit monostation" 110 \
    "clocked, the kick (60) on channel 10 lands on the first pulse's frame" \
    "grep -q '^3 21 99 3c 7f\$' jalv-ci.out" -E jalv-clock.ev
exec 7>&-
unset LD_PRELOAD

at_done
