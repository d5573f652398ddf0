#!/bin/bash
# aiotone-mothergen on a private dummy JACK server, driven by at-probe:
# clock pulses at chosen frames; outputs at the same offsets in the same
# cycle; patterns on the expected pulses; the same seed twice gives the
# same stream; silencing on connect and at exit; shared ports; bad input,
# bad configs and bad OSC.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 1024
B=$AT_BIN
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))
PULSES=150

# START at cycle 2 offset 10; pulse k at cycle 3 + k, offset (37k + 5) % 1024;
# a note-on D on channel 1 at cycle 60 (key -> D); sustain and pitch bend at
# cycles 70 and 71 (with pulses 67 and 68); STOP after the last pulse.
events() {
    echo "2:10:fa"
    for ((k = 0; k < PULSES; k++)); do
        echo "$((3 + k)):$(((37 * k + 5) % 1024)):f8"
    done
    echo "60:3:90 3e 64"
    echo "70:333:b0 40 7f"
    echo "71:444:e0 11 22"
    echo "$((3 + PULSES)):7:fc"
}
events >"$AT_TMP/events"
pulse_pos() { echo "$((3 + $1)) $(((37 * $1 + 5) % 1024))"; }

conf() { # seed [shared]
    local r=red b=blue g=green
    [ "${2:-}" = shared ] && r=all b=all g=all
    cat <<CONF
input = { seed = $1; portamento = "rez"; portamento-max = 32; };
red = { port = "$r"; channel = 2; };
blue = { port = "$b"; channel = 3; };
green = { port = "$g"; channel = 4; };
osc = { port = $OSC; };
CONF
}

# run_probe NAME CLIENT: play the events into CLIENT, record its outputs.
run_probe() {
    local ins=()
    for p in red blue green all; do
        jack_lsp 2>/dev/null | grep -qxF "$2:$p" && ins+=(-i "$2:$p")
    done
    "$T/at-probe" -n "$1" -c $((PULSES + 10)) -o "$2:midi_in" "${ins[@]}" -E "$AT_TMP/events" \
        >"$AT_TMP/$1.out" 2>"$AT_TMP/$1.err"
    # From START on (silencing on connect lands before it).
    awk '!/^#/ && $1 >= 2' "$AT_TMP/$1.out" >"$AT_TMP/$1.rec"
}

conf 42 >"$AT_TMP/seed42.conf"
at_spawn mg1 "$B/aiotone-mothergen" -c "$AT_TMP/seed42.conf" -n mg1
at_check_ports mg1 midi_in red blue green

# Silencing when an output gets connected: STOP, CC64 0, CC123 0, CC1 0,
# CC65 0, CC5 0 on the destination's channel (red = channel 2).
at_midi_dump mg1:red
at_check "connecting red silences it (STOP, CC64/123 = 0, CC1/65/5 = 0 on channel 2)" \
    bash -c "at_wait() { for i in \$(seq 100); do grep -q 'b1 05 00' '$AT_TMP/dump.log' && return 0; sleep 0.05; done; return 1; }; at_wait && grep -q ': fc$' '$AT_TMP/dump.log' && grep -q 'b1 40 00' '$AT_TMP/dump.log' && grep -q 'b1 7b 00' '$AT_TMP/dump.log' && grep -q 'b1 01 00' '$AT_TMP/dump.log' && grep -q 'b1 41 00' '$AT_TMP/dump.log'"
at_check "the other destinations are not touched by red's connection" \
    bash -c "! grep -qE 'b2 |b3 ' '$AT_TMP/dump.log'"

run_probe p1 mg1
R=$AT_TMP/p1.rec

# Where each pulse really went in: the probe plans pulse k at (3 + k,
# (37k + 5) % 1024), but a loaded machine may deliver a planned event a cycle
# late (the period is 1024 frames to make that rare); the forwarded clocks
# show where each pulse arrived.
clock_positions() { awk '$3 == "f8" && !seen[$1 " " $2]++ {print $1, $2}' "$1"; }
clock_positions "$R" >"$AT_TMP/p1.clocks"
pos() { sed -n "$(($1 + 1))p" "$AT_TMP/p1.clocks"; }
for ((k = 0; k < PULSES; k++)); do pulse_pos $k; done >"$AT_TMP/planned"
at_check "every clock pulse comes out, in order, at the offset it was sent at" \
    bash -c "[ \$(wc -l <'$AT_TMP/p1.clocks') = $PULSES ] && cmp <(cut -d' ' -f2 '$AT_TMP/p1.clocks') <(cut -d' ' -f2 '$AT_TMP/planned')"
same=$(comm -12 <(sort "$AT_TMP/p1.clocks") <(sort "$AT_TMP/planned") | wc -l)
echo "# $same of $PULSES pulses out in exactly the planned cycle"
at_check "clock pulses come out in the cycle they were sent in (>= 90% on plan)" \
    test "$same" -ge $((PULSES * 9 / 10))
bad=0
while read -r c o; do
    n=$(grep -c "^$c $o f8$" "$R")
    [ "$n" = 3 ] || { echo "# pulse at $c $o: $n copies"; bad=1; }
done <"$AT_TMP/p1.clocks"
at_check "each clock is forwarded once to each of the three ports" test $bad = 0
at_check "START forwarded at its offset" grep -qE "^[23] 10 fa$" "$R"
at_check "Subharmonicon preamble at START (CC4 64 ... CC61 0 on channel 4)" \
    bash -c "grep -qE '^[23] 10 b3 04 40$' '$R' && grep -qE '^[23] 10 b3 0c 26$' '$R' && grep -qE '^[23] 10 b3 3d 00$' '$R'"
at_check "red's first note is on the first pulse after START, at its offset" \
    grep -qE "^$(pos 0) 91 [0-7][0-9a-f] 40$" "$R"
at_check "blue's first note is on the first pulse after START" \
    grep -qE "^$(pos 0) 92 [0-7][0-9a-f] 40$" "$R"
at_check "green plays F4 on pulse 0" grep -q "^$(pos 0) 93 41 40$" "$R"
at_check "green steps the dividers at pulse 12 (CC103/104 = 13)" \
    bash -c "grep -q '^$(pos 12) b3 67 0d$' '$R' && grep -q '^$(pos 12) b3 68 0d$' '$R'"
at_check "and at pulse 24 (CC105/106 = 13)" \
    bash -c "grep -q '^$(pos 24) b3 69 0d$' '$R' && grep -q '^$(pos 24) b3 6a 0d$' '$R'"
at_check "green's loop restarts at pulse 36 (note-off, note-on, next divider 21)" \
    bash -c "grep -q '^$(pos 36) 83 41 00$' '$R' && grep -q '^$(pos 36) 93 41 40$' '$R' && grep -q '^$(pos 48) b3 67 15$' '$R'"
at_check "the note-on D transposes green from its next loop (D4 at pulse 72)" \
    grep -q "^$(pos 72) 93 3e 40$" "$R"

# Routed controls keep their offset and the cycle they came in (the cycle of
# the clock pulse sent with them).
c67=$(pos 67 | cut -d' ' -f1)
c68=$(pos 68 | cut -d' ' -f1)
at_check "CC64 goes to all three at its offset in its cycle" \
    bash -c "[ \$(grep -cE '^$c67 333 b[123] 40 7f$' '$R') = 3 ]"
at_check "pitch bend goes to all three at its offset in its cycle" \
    bash -c "[ \$(grep -cE '^$c68 444 e[123] 11 22$' '$R') = 3 ]"

# Every note event is at the position of a clock pulse (zero added latency),
# or at STOP's (which releases the sounding notes).
awk '$3 ~ /^[89]/ {print $1, $2}' "$R" | sort -u >"$AT_TMP/note_pos"
{ cat "$AT_TMP/p1.clocks"; awk '$3 == "fc" {print $1, $2}' "$R"; } | sort -u >"$AT_TMP/allowed"
at_check "every note event sits on a clock pulse's (or STOP's) cycle and offset" \
    bash -c "[ -s '$AT_TMP/note_pos' ] && ! comm -23 '$AT_TMP/note_pos' '$AT_TMP/allowed' | grep -q ."

# STOP: forwarded, and nothing is left sounding.
stop=$(awk '$3 == "fc" {print $1, $2; exit}' "$R")
at_check "STOP forwarded at its offset, CC123 on channels 2, 3, 4 with it" \
    bash -c "[ '${stop#* }' = 7 ] && grep -q '^$stop b1 7b 00$' '$R' && grep -q '^$stop b2 7b 00$' '$R' && grep -q '^$stop b3 7b 00$' '$R'"
at_check "no stuck notes after STOP" at_note_balance "$R"
at_check "note-ons have velocity 64 and notes in range" \
    bash -c "! awk '\$3 ~ /^9/ && \$5 != \"40\"' '$R' | grep -q ."

# The key moved by the note-on is reported (OSC get) so surfaces follow.
"$T/at-osc" 127.0.0.1 $OSC /mothergen/get s key >"$AT_TMP/osc_key.out"
at_check "the transposition is reported: /mothergen/key is D" \
    grep -qx "/mothergen/key s D" "$AT_TMP/osc_key.out"

# Same seed, same input: the same stream byte for byte (a fresh instance).
at_kill mg1
at_check "exit after SIGTERM silences red (STOP and CC123 at shutdown)" \
    bash -c "sleep 0.3; tail -n 3 '$AT_TMP/dump.log' | grep -q 'b1 7b 00'"
at_spawn mg2 "$B/aiotone-mothergen" -c "$AT_TMP/seed42.conf" -n mg2
at_wait_port mg2:green
run_probe p2 mg2
# (compared without the cycle column: a loaded machine may deliver a planned
# event one cycle late; offsets and bytes must match exactly)
at_check "the same seed twice gives identical streams" \
    cmp <(cut -d' ' -f2- "$AT_TMP/p1.rec") <(cut -d' ' -f2- "$AT_TMP/p2.rec")
at_kill mg2
conf 43 >"$AT_TMP/seed43.conf"
at_spawn mg3 "$B/aiotone-mothergen" -c "$AT_TMP/seed43.conf" -n mg3
at_wait_port mg3:green
run_probe p3 mg3
at_check "a different seed gives a different stream" \
    bash -c "! cmp -s <(cut -d' ' -f2- '$AT_TMP/p1.rec') <(cut -d' ' -f2- '$AT_TMP/p3.rec')"
at_kill mg3

# Shared port: all three destinations on one port get each clock once.
conf 42 shared >"$AT_TMP/shared.conf"
at_spawn mg4 "$B/aiotone-mothergen" -c "$AT_TMP/shared.conf" -n mg4
at_wait_port mg4:all
at_check "destinations naming the same port share it (no red/blue/green ports)" \
    bash -c "! jack_lsp | grep -qE '^mg4:(red|blue|green)$'"
at_check "a shared port's pretty name lists every destination on it" \
    bash -c "jack_property -l -p mg4:all 2>/dev/null | grep -q 'pretty-name value: Red Mother-32 + Blue Mother-32 + Subharmonicon'"
run_probe p4 mg4
at_check "shared port: each clock once" \
    bash -c "[ \$(grep -c ' f8$' '$AT_TMP/p4.rec') = $PULSES ] && [ \$(awk '\$3 == \"f8\" {print \$1, \$2}' '$AT_TMP/p4.rec' | sort | uniq -d | wc -l) = 0 ]"
at_check "shared port: START and STOP once" \
    bash -c "[ \$(grep -c ' fa$' '$AT_TMP/p4.rec') = 1 ] && [ \$(grep -c ' fc$' '$AT_TMP/p4.rec') = 1 ]"
at_check "shared port: CC123 still on each channel" \
    bash -c "[ \$(grep -cE ' b[123] 7b 00$' '$AT_TMP/p4.rec') = 3 ]"

# Bad input: sysex, truncated messages, notes on ignored channels, unknown
# CCs, 1000 events in one cycle. Nothing crashes, nothing sticks.
{
    echo "1:0:fa"
    echo "2:0:f0 7e 7f 06 01 f7"
    echo "2:1:90 3c"
    echo "2:2:92 40 64"
    echo "2:3:b0 07 64"
    echo "2:4:c0 05"
    for ((k = 0; k < 1000; k++)); do echo "3:$((k / 4)):f8"; done
    echo "4:0:fc"
} >"$AT_TMP/bad_events"
"$T/at-probe" -n p5 -c 10 -o mg4:midi_in -i mg4:all -E "$AT_TMP/bad_events" \
    >"$AT_TMP/p5.out" 2>"$AT_TMP/p5.err"
at_check "1000 clocks in one cycle: each forwarded" \
    bash -c "[ \$(grep -c '^3 .* f8$' '$AT_TMP/p5.out') = 1000 ]"
at_check "no stuck notes after bad input and STOP" at_note_balance "$AT_TMP/p5.out"
at_check "still running after bad input" kill -0 "$AT_PID_mg4"
at_check "a note on channel 3 is reported as ignored" \
    at_wait_log mg4 "not on channel 1" 3
at_check "an unknown CC / program change is reported" at_wait_log mg4 "no job here" 3

# Bad OSC: clear errors, nothing changes.
at_osc_check "OSC: a bad key name is refused" -q "^/mothergen/error ss /mothergen/key" $OSC /mothergen/key s H
at_osc_check "OSC: /mothergen/key s F# is accepted and echoed" -qx "/mothergen/key s F#" $OSC /mothergen/key s F#
at_osc_check "OSC: /mothergen/seed i 42" -qx "/mothergen/seed i 42" $OSC /mothergen/seed i 42
at_osc_check "OSC: a negative seed is refused" -q "^/mothergen/error" $OSC /mothergen/seed i -3
at_osc_check "OSC: /mothergen/portamento s modwheel" -qx "/mothergen/portamento s modwheel" $OSC /mothergen/portamento s modwheel
at_osc_check "OSC: an unknown portamento mode is refused" -q "^/mothergen/error" $OSC /mothergen/portamento s glide
"$T/at-osc" 127.0.0.1 $OSC /mothergen/seed i 0 >/dev/null
at_check "OSC: seed 0 logs the random seed it picked" at_wait_log mg4 "seed 0: using seed [0-9]+" 3
# The new key is heard: F# in octave 4 = 66 = 0x42 on green.
"$T/at-probe" -n p6 -c 10 -o mg4:midi_in -i mg4:all -e "1:0:fa" -e "2:9:f8" -e "3:0:fc" \
    >"$AT_TMP/p6.out" 2>&1
at_check "the OSC key change is heard (green plays F#4)" grep -q "^2 9 93 42 40$" "$AT_TMP/p6.out"
at_kill mg4

# Bad configs: exit 2 with the key named.
bad_config() { at_bad_config "$B/aiotone-mothergen" "$@"; } # text regex
at_check "input channel other than 1: exit 2" bad_config 'input = { channel = 2; };' 'input.channel'
at_check "input channel error names the key" grep -q "input.channel" "$AT_TMP/bad.log"
at_check "unknown portamento mode: exit 2 naming the key" \
    bad_config 'input = { portamento = "glide"; };' 'input.portamento'
at_check "channel 17: exit 2" bad_config 'red = { channel = 17; };' 'red.channel'
at_check "empty port name: exit 2 naming the key" bad_config 'red = { port = ""; };' 'red.port'
"$B/aiotone-mothergen" --make-config >"$AT_TMP/default.conf"
at_check "--make-config output loads back" \
    bash -c "grep -q 'portamento = \"rez\"' '$AT_TMP/default.conf' && grep -q 'seed = 0' '$AT_TMP/default.conf'"
at_done
