#!/bin/bash
# aiotone-redblue on a private dummy JACK server, driven by at-probe:
# outputs land at the input's offset in the same cycle; modes, mode keys and
# OSC; the channel-1-only input; silencing on connect and at exit; a shared
# port; bad input and bad configs; and the latency loop measured with
# jack_midi_latency_test against a minimal pass-through (at-passthrough).
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 256
B=$AT_BIN
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))

# osc PATH [TYPE VALUE]...: one message; prints every reply within half a
# second (tests/integration/osc-send.py).
osc() { python3 "$AT_OSC_PY" "$OSC" "$@"; }

cat >"$AT_TMP/rb.conf" <<CONF
input = { portamento = "off"; };
osc = { port = $OSC; };
CONF
at_spawn rb "$B/aiotone-redblue" -c "$AT_TMP/rb.conf"
at_check_ports redblue midi_in red blue

# Silencing when an output gets connected: STOP, CC64 0, CC123 0 on red's
# channel (2, status b1), nothing for blue.
at_midi_dump redblue:red
at_wait_log dump 'b1 7b 00' 5
at_check "connecting red silences it: STOP, CC64 = 0, CC123 = 0 on channel 2" \
    bash -c "grep -q ': fc\$' '$AT_TMP/dump.log' && grep -q 'b1 40 00' '$AT_TMP/dump.log' && grep -q 'b1 7b 00' '$AT_TMP/dump.log'"
at_check "blue is not touched by red's connection" bash -c "! grep -q ' b2 ' '$AT_TMP/dump.log'"
jack_disconnect redblue:red midi-monitor:input

# probe NAME EVENTS-FILE CYCLES PORTS...: play events into redblue:midi_in;
# record the outputs and the probe's own output (so a planned event that a
# loaded machine delivered a cycle late is seen where it really went). An
# xrun can make the probe skip a cycle and lose what it planned there: then
# the run proves nothing and is repeated.
probe() {
    local name=$1 ev=$2 cycles=$3 ins=() try
    shift 3
    for p in "$@"; do ins+=(-i "$p"); done
    for try in 1 2 3 4; do
        timeout 60 "$T/at-probe" -n "$name" -c "$cycles" -o redblue:midi_in -i "$name:out" "${ins[@]}" \
            -E "$ev" >"$AT_TMP/$name.out" 2>"$AT_TMP/$name.err"
        grep -v '^#' "$AT_TMP/$name.out" >"$AT_TMP/$name.rec"
        all_sent "$ev" "$AT_TMP/$name.rec" && return 0
        echo "# $name: the probe lost planned events (xrun?); again" >&2
    done
}
# all_sent EVENTS RECORD: every planned event's bytes were recorded.
all_sent() {
    awk 'NR == FNR { sub(/^[0-9]+:[0-9]+:/, ""); want[$0]++; next }
         { s = $3; for (i = 4; i <= NF; i++) s = s " " $i; got[s]++ }
         END { for (w in want) if (got[w] < want[w]) exit 1 }' "$1" "$2"
}
# where NAME BYTES: "CYCLE OFFSET" of the first record with these bytes.
where() { awk -v b="$2" '{ s = $3; for (i = 4; i <= NF; i++) s = s " " $i } s == b { print $1, $2; exit }' "$AT_TMP/$1.rec"; }
# same_place NAME IN OUT...: every OUT is recorded where IN was.
same_place() {
    local name=$1 in=$2 at
    shift 2
    at=$(where "$name" "$in")
    [ -n "$at" ] || { echo "input $in not seen"; return 1; }
    for o in "$@"; do
        [ "$(where "$name" "$o")" = "$at" ] || { echo "$o at '$(where "$name" "$o")', input at '$at'"; return 1; }
    done
}

cat >"$AT_TMP/ev1" <<'EV'
5:17:90 3c 40
10:200:80 3c 00
12:255:90 3e 41
13:0:80 3e 00
15:3:91 3c 40
16:100:b0 07 64
18:0:90 17 40
18:1:90 40 42
20:77:80 40 00
22:0:e0 12 34
23:9:fa
24:9:fc
EV
probe p1 "$AT_TMP/ev1" 30 redblue:red redblue:blue
at_check "regular: note-on at offset 17 comes out on red and blue at offset 17, same cycle" \
    same_place p1 "90 3c 40" "91 3c 40" "92 3c 40"
at_check "note-off at offset 200 comes out as velocity-0 note-offs at offset 200" \
    same_place p1 "80 3c 00" "81 3c 00" "82 3c 00"
at_check "offset 255 (last frame of the period) is kept" \
    same_place p1 "90 3e 41" "91 3e 41" "92 3e 41"
count() { grep -c " $2\$" "$AT_TMP/$1.rec"; } # NAME BYTES
at_check "channel 2 input is ignored (its only trace is the probe's own copy)" \
    bash -c "[ \$(grep -c ' 91 3c 40\$' '$AT_TMP/p1.rec') = 2 ] && [ \$(grep -c ' 92 3c 40\$' '$AT_TMP/p1.rec') = 1 ]"
at_check "channel 2 input yields a warning naming channel 1" \
    at_wait_log rb "not on channel 1" 5
at_check "unknown CC 7 is dropped with a warning" \
    bash -c "! grep -qE ' b[12] 07 ' '$AT_TMP/p1.rec' && grep -q 'CC 7' '$AT_TMP/rb.log'"
at_check "mode key B0 makes no sound" bash -c "! grep -qE ' (9|8)[12] 17 ' '$AT_TMP/p1.rec'"
at_check "after B0 a note is a power chord (red 64, blue 71) at the same offset" \
    same_place p1 "90 40 42" "91 40 42" "92 47 42"
at_check "power chord note-off goes to both notes" \
    same_place p1 "80 40 00" "81 40 00" "82 47 00"
at_check "pitch bend reaches both at its offset" same_place p1 "e0 12 34" "e1 12 34" "e2 12 34"
at_check "START passes to both ports; STOP passes with CC123 to both" \
    bash -c "[ \$(grep -c ' fa\$' '$AT_TMP/p1.rec') = 3 ] && [ \$(grep -c ' fc\$' '$AT_TMP/p1.rec') = 3 ] && grep -q ' b1 7b 00' '$AT_TMP/p1.rec' && grep -q ' b2 7b 00' '$AT_TMP/p1.rec'"
at_check "the mode key is reported: /redblue/get mode says power-chord" \
    bash -c "python3 '$AT_OSC_PY' $OSC /redblue/get s mode | grep -qx '/redblue/mode power-chord'"

# OSC sets the mode: duophonic alternates red and blue.
at_check "OSC /redblue/mode s duophonic is accepted" \
    bash -c "! python3 '$AT_OSC_PY' $OSC /redblue/mode s duophonic | grep -q error"
cat >"$AT_TMP/ev2" <<'EV'
3:10:90 30 40
4:20:90 34 40
5:30:80 30 00
6:40:80 34 00
EV
probe p2 "$AT_TMP/ev2" 10 redblue:red redblue:blue
duo() {
    same_place p2 '90 30 40' '91 30 40' && same_place p2 '90 34 40' '92 34 40' &&
        same_place p2 '80 30 00' '81 30 00' && same_place p2 '80 34 00' '82 34 00' &&
        ! grep -qE ' (92|82) 30 | (91|81) 34 ' "$AT_TMP/p2.rec"
}
at_check "duophonic: first note to red, second to blue, note-offs follow them" duo
at_check "bad OSC values get an error reply" \
    bash -c "python3 '$AT_OSC_PY' $OSC /redblue/mode s nonsense | grep -q '^/redblue/error' && python3 '$AT_OSC_PY' $OSC /redblue/accent-volume i 500 | grep -q '^/redblue/error'"

# Bad input: running status, sysex, truncated messages, realtime bytes,
# 1000 events in one cycle; nothing stuck, still alive.
{
    echo "3:0:90 3c 40 3e 40"
    echo "3:1:f0 7e 7f 06 01 f7"
    echo "3:2:90 3c"
    echo "3:3:f8"
    echo "3:4:fe"
    for ((i = 0; i < 500; i++)); do
        echo "5:$((i / 2)):90 $(printf %02x $((30 + i % 60))) 20"
        echo "5:$((i / 2)):80 $(printf %02x $((30 + i % 60))) 00"
    done
    echo "8:5:90 3c 40"
    echo "9:6:80 3c 00"
} >"$AT_TMP/ev3"
osc /redblue/mode s regular >/dev/null
probe p3 "$AT_TMP/ev3" 14 redblue:red
junk_silent() {
    local c
    c=$(where p3 "90 3c 40 3e 40" | cut -d' ' -f1)
    [ -n "$c" ] || { echo "junk input not seen"; return 1; }
    ! awk -v c="$c" '$1 == c && $3 ~ /^(91|81|b1|e1)$/' "$AT_TMP/p3.rec" | grep -q .
}
at_check "running status, sysex, truncated and realtime input produce nothing" junk_silent
at_check "1000 events in one cycle: 1000 outputs on red in that cycle, in frame order" \
    bash -c "c=\$(awk '\$3 == \"90\" && \$5 == \"20\" {print \$1; exit}' '$AT_TMP/p3.rec'); [ \$(awk -v c=\$c '\$1 == c && (\$3 == \"91\" || \$3 == \"81\")' '$AT_TMP/p3.rec' | wc -l) = 1000 ] && awk -v c=\$c '\$1 == c && (\$3 == \"91\" || \$3 == \"81\") {if (\$2 < l) exit 1; l = \$2}' '$AT_TMP/p3.rec'"
at_check "after the flood, notes still pass at their offsets" same_place p3 "90 3c 40" "91 3c 40"
at_check "redblue is still running" kill -0 "$AT_PID_rb"

# Shutdown silences both destinations.
timeout 60 "$T/at-probe" -n p4 -c 2000 -o redblue:midi_in -i redblue:red -i redblue:blue >"$AT_TMP/p4.out" 2>&1 &
P4=$!
AT_PIDS+=("$P4")
sleep 1.5
at_kill rb
wait "$P4" 2>/dev/null
at_check "at exit: STOP on each port, CC64 = 0 and CC123 = 0 on both channels" \
    bash -c "[ \$(grep -c ' fc\$' '$AT_TMP/p4.out') = 2 ] && grep -q ' b1 40 00' '$AT_TMP/p4.out' && grep -q ' b1 7b 00' '$AT_TMP/p4.out' && grep -q ' b2 40 00' '$AT_TMP/p4.out' && grep -q ' b2 7b 00' '$AT_TMP/p4.out'"

# A shared port: red and blue on one port; START/STOP once, notes on both
# channels.
cat >"$AT_TMP/shared.conf" <<'CONF'
red = { port = "mothers"; };
blue = { port = "mothers"; };
input = { pass-clock = true; };
CONF
at_spawn rbs "$B/aiotone-redblue" -c "$AT_TMP/shared.conf"
at_check "shared: one port redblue:mothers" at_wait_port redblue:mothers
at_check "shared: no red or blue port" bash -c "! jack_lsp | grep -qE '^redblue:(red|blue)\$'"
printf '%s\n' "3:5:fa" "4:6:f8" "5:7:90 3c 40" "6:8:fc" >"$AT_TMP/ev5"
probe p5 "$AT_TMP/ev5" 10 redblue:mothers
once() { # each input once more on the shared port (the first copy is the probe's own)
    for b in fa f8 fc; do
        [ "$(count p5 $b)" = 2 ] || { echo "$b seen $(count p5 $b) times"; return 1; }
        same_place p5 $b $b || return 1
    done
}
at_check "shared: START, CLOCK and STOP once each, at their offsets" once
at_check "shared: a note reaches both channels at its offset" \
    same_place p5 "90 3c 40" "91 3c 40" "92 3c 40"
at_kill rbs

# Bad configs: exit status 2 and a message naming the problem.
bad_config() { at_bad_config "$B/aiotone-redblue" "$@"; } # text regex
at_check "bad config: unknown key" bad_config 'input = { portamento-max = 3; };' 'portamento-max'
at_check "bad config: unknown portamento mode" bad_config 'input = { portamento = "glide"; };' 'portamento'
at_check "bad config: input channel other than 1" bad_config 'input = { channel = 2; };' 'channel'
at_check "bad config: channel out of range" bad_config 'red = { channel = 17; };' 'channel'
at_check "bad config: empty port name" bad_config 'blue = { port = ""; };' 'port'

# Latency: jack_midi_latency_test through at-passthrough (the floor) and
# through redblue in a pass-through configuration (regular mode, red on
# channel 1). Both must read exactly one period with zero jitter; a run
# disturbed by xruns (shared machine) is repeated.
latency() { # out-port in-port -> "lowest highest"
    local i out lohi
    for i in 1 2 3 4 5 6 7 8; do
        out=$(timeout 120 jack_midi_latency_test -s 1024 "$1" "$2" 2>&1)
        lohi=$(awk '/^(Lowest|Best) latency/ {gsub(/[(]/, ""); lo = $(NF - 1)} /^(Highest|Worst) latency/ {gsub(/[(]/, ""); hi = $(NF - 1)} END {print lo, hi}' <<<"$out")
        # An xrun elsewhere on the machine can delay one message by a period:
        # such a run proves nothing either way, so it is repeated.
        if [[ $lohi =~ ^[0-9]+\ [0-9]+$ ]] &&
            { ! grep -q '^Xruns' <<<"$out" || [ "${lohi% *}" = "${lohi#* }" ]; }; then
            break
        fi
        echo "# run $i disturbed by xruns or failed: $lohi" >&2
        sed 's/^/#   /' <<<"$out" | grep -vE '^#   ([0-9.]+ - |$)' | head -n 30 >&2
    done
    echo "$lohi"
}
at_spawn pt "$T/at-passthrough" -n passthrough
at_wait_port passthrough:out
ref=$(latency passthrough:midi_in passthrough:out)
echo "# at-passthrough latency (lowest highest): $ref"
at_check "reference pass-through: exactly one period (256), zero jitter" [ "$ref" = "256 256" ]
printf '%s\n' 'red = { channel = 1; };' 'input = { portamento = "off"; };' >"$AT_TMP/lat.conf"
at_spawn rbl "$B/aiotone-redblue" -c "$AT_TMP/lat.conf"
at_wait_port redblue:red
got=$(latency redblue:midi_in redblue:red)
echo "# redblue latency (lowest highest): $got"
at_check "redblue: exactly one period (256), zero jitter: the same as the pass-through" \
    [ "$got" = "$ref" ]
at_done
