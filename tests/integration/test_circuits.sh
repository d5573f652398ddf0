#!/bin/bash
# aiotone-circuits on a private dummy JACK server, driven by at-probe as the
# Circuit (clock master): drums on the expected pulses at the clock's
# offsets, bass key note and arpeggio, transport to the Mono Station only,
# STOP's all-notes-off, the same seed twice, shared port, silencing on
# connect and at exit, bad input, bad configs and bad OSC.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 1024
B=$AT_BIN
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))
PULSES=200

# START at cycle 2 offset 10; pulse k at cycle 3 + k, offset (53k + 1) % 1024;
# a key note-on E3 (52) on channel 1 at cycle 50; STOP after the last pulse.
{
    echo "2:10:fa"
    for ((k = 0; k < PULSES; k++)); do
        echo "$((3 + k)):$(((53 * k + 1) % 1024)):f8"
    done
    echo "50:500:90 34 64"
    echo "$((3 + PULSES)):9:fc"
} >"$AT_TMP/events"

conf() { # seed [shared]
    local c=circuit m=monostation
    [ "${2:-}" = shared ] && c=both && m=both
    cat <<CONF
input = { channel = 1; };
circuit = { port = "$c"; channel = 10; };
monostation = { port = "$m"; channel = 1; };
seed = $1;
osc = { port = $OSC; };
CONF
}

# run_probe NAME CLIENT RX_PORT: play the events, record what RX_PORT sends.
run_probe() {
    "$T/at-probe" -n "$1" -c $((PULSES + 10)) -o "$2:midi_in" -i "$2:$3" -E "$AT_TMP/events" \
        >"$AT_TMP/$1.out" 2>"$AT_TMP/$1.err"
    awk '!/^#/ && $1 >= 2' "$AT_TMP/$1.out" >"$AT_TMP/$1.rec"
}


conf 42 >"$AT_TMP/c42.conf"
at_spawn c1 "$B/aiotone-circuits" -c "$AT_TMP/c42.conf" -n c1
at_check_ports c1 midi_in circuit monostation

# Silencing on connect: the Mono Station gets STOP, CC64 0, CC123 0 on
# channels 1 and 2; the Circuit (the clock master) gets no STOP.
at_midi_dump c1:monostation
at_check "connecting the Mono Station silences it (STOP, CC64/CC123 on channels 1 and 2)" \
    bash -c "for i in \$(seq 100); do grep -q 'b1 7b 00' '$AT_TMP/dump.log' && break; sleep 0.05; done; grep -q ': fc$' '$AT_TMP/dump.log' && grep -q 'b0 40 00' '$AT_TMP/dump.log' && grep -q 'b0 7b 00' '$AT_TMP/dump.log' && grep -q 'b1 40 00' '$AT_TMP/dump.log'"

# The drums: record the circuit port.
run_probe pd c1 circuit
D=$AT_TMP/pd.rec
# The bass: a second run on a fresh instance with the same seed.
at_kill c1
at_check "exit silences the Mono Station (STOP, CC123 on channels 1 and 2)" \
    bash -c "sleep 0.3; tail -n 3 '$AT_TMP/dump.log' | grep -q 'fc' && tail -n 2 '$AT_TMP/dump.log' | grep -q 'b1 7b 00'"
at_spawn c2 "$B/aiotone-circuits" -c "$AT_TMP/c42.conf" -n c2
at_wait_port c2:monostation
run_probe pb c2 monostation
M=$AT_TMP/pb.rec

# Where each pulse really arrived: the Mono Station gets every clock.
awk '$3 == "f8" {print $1, $2}' "$M" >"$AT_TMP/clocks"
pos() { sed -n "$(($1 + 1))p" "$AT_TMP/clocks"; }
for ((k = 0; k < PULSES; k++)); do echo "$((3 + k)) $(((53 * k + 1) % 1024))"; done >"$AT_TMP/planned"
at_check "every clock is forwarded to the Mono Station at the offset it was sent at" \
    bash -c "[ \$(wc -l <'$AT_TMP/clocks') = $PULSES ] && cmp <(cut -d' ' -f2 '$AT_TMP/clocks') <(cut -d' ' -f2 '$AT_TMP/planned')"
same=$(comm -12 <(sort "$AT_TMP/clocks") <(sort "$AT_TMP/planned") | wc -l)
echo "# $same of $PULSES pulses out in exactly the planned cycle"
at_check "clock pulses come out in the cycle they were sent in (>= 90% on plan)" \
    test "$same" -ge $((PULSES * 9 / 10))
at_check "START and STOP go to the Mono Station" \
    bash -c "grep -qE '^[23] 10 fa$' '$M' && grep -qE ' 9 fc$' '$M'"
at_check "the Circuit gets no clock, START or STOP" bash -c "! grep -qE ' (f8|fa|fc)$' '$D'"

# Drums on their pulses (the drum run's pulses are at the same offsets).
drum_pulses() { # note on|off -> pulse numbers, via offsets
    awk -v n="$1" -v want="$2" '
        NR == FNR {p[$2] = FNR - 1; next}
        $4 == n && ((want == "on" && $3 == "99") || (want == "off" && $3 == "89")) {
            if ($2 in p) print p[$2]; else print "?" $1 " " $2 }' \
        "$AT_TMP/planned" "$D" | tr '\n' ' '
}
at_check "kick (60) on pulses 0, 24, 48, ..., 192" \
    test "$(drum_pulses 3c on)" = "0 24 48 72 96 120 144 168 192 "
at_check "kick off half-way (gate 0.5): 12, 36, ..., 180, and at STOP" \
    test "$(drum_pulses 3c off)" = "12 36 60 84 108 132 156 180 ?$((3 + PULSES)) 9 "
at_check "snare (62) on every second beat: 24, 72, 120, 168" \
    test "$(drum_pulses 3e on)" = "24 72 120 168 "
at_check "closed hats (64) on 0, 6, 24, 30, ..." \
    bash -c "[[ '$(drum_pulses 40 on)' == '0 6 24 30 48 54 72 78 96 102 '* ]]"
at_check "open hat (65) on 12, 36, 60, ..." \
    bash -c "[[ '$(drum_pulses 41 on)' == '12 36 60 84 108 '* ]]"
at_check "drums are on channel 10 at velocity 127" \
    bash -c "! awk '\$3 ~ /^9/ && (\$3 != \"99\" || \$5 != \"7f\")' '$D' | grep -q ."
at_check "STOP sends CC123 on the drum channel" grep -qE " 9 b9 7b 00$" "$D"
at_check "no stuck drum notes after STOP" at_note_balance "$D"

# Bass: key note 48 on pulse 0; E3 (52), set by the note-on at cycle 50
# (about pulse 47), from the next bar on: pulses 96 and 192. Arpeggio at
# velocity 32 on the bass channel.
at_check "key note C3 (48) at pulse 0 at the clock's offset" grep -q "^$(pos 0) 90 30 7f$" "$M"
at_check "the Circuit's note-on on channel 1 sets the key note: 48 off, 52 on at pulse 96" \
    bash -c "grep -A1 '^$(pos 96) 80 30 00$' '$M' | grep -q '^$(pos 96) 90 34 7f$'"
at_check "and the new key note again at pulse 192" \
    bash -c "grep -A1 '^$(pos 192) 80 34 00$' '$M' | grep -q '^$(pos 192) 90 34 7f$'"
at_check "arpeggio notes 72/65/67 at velocity 32, never on a bar line" \
    bash -c "awk '\$3 == \"90\" && \$5 == \"20\"' '$M' | grep -q . && ! awk '\$3 == \"90\" && \$5 == \"20\" && \$4 != \"48\" && \$4 != \"41\" && \$4 != \"43\"' '$M' | grep -q . && ! grep -qE '^($(pos 0)|$(pos 96)|$(pos 192)) 90 (48|41|43) 20$' '$M'"
at_check "STOP sends CC123 on Mono Station channels 1 and 2" \
    bash -c "grep -qE ' 9 b0 7b 00$' '$M' && grep -qE ' 9 b1 7b 00$' '$M'"
at_check "no stuck bass notes after STOP" at_note_balance "$M"
"$T/at-osc" 127.0.0.1 $OSC /circuits/get s key-note >"$AT_TMP/osc_key.out"
at_check "the new key note is reported (/circuits/key-note 52)" \
    grep -qx "/circuits/key-note i 52" "$AT_TMP/osc_key.out"
at_kill c2

# Same seed twice: identical bass streams; another seed: different.
at_spawn c3 "$B/aiotone-circuits" -c "$AT_TMP/c42.conf" -n c3
at_wait_port c3:monostation
run_probe pb2 c3 monostation
at_check "the same seed twice gives identical streams (offsets and bytes)" \
    cmp <(cut -d' ' -f2- "$M") <(cut -d' ' -f2- "$AT_TMP/pb2.rec")
at_kill c3
conf 7 >"$AT_TMP/c7.conf"
at_spawn c4 "$B/aiotone-circuits" -c "$AT_TMP/c7.conf" -n c4
at_wait_port c4:monostation
run_probe pb3 c4 monostation
at_check "a different seed gives a different arpeggio" \
    bash -c "! cmp -s <(cut -d' ' -f2- '$M') <(cut -d' ' -f2- '$AT_TMP/pb3.rec')"
at_kill c4

# Shared port: drums and bass on one port; clock once; both channels.
conf 42 shared >"$AT_TMP/shared.conf"
at_spawn c5 "$B/aiotone-circuits" -c "$AT_TMP/shared.conf" -n c5
at_wait_port c5:both
at_check "the shared port's pretty name names both devices" \
    bash -c "jack_property -l -p c5:both 2>/dev/null | grep -q 'pretty-name value: Circuit drums + Mono Station bass'"
run_probe ps c5 both
at_check "shared port: each clock once" \
    bash -c "[ \$(grep -c ' f8$' '$AT_TMP/ps.rec') = $PULSES ]"
at_check "shared port: drums and bass both there" \
    bash -c "grep -q ' 99 3c 7f$' '$AT_TMP/ps.rec' && grep -q ' 90 30 7f$' '$AT_TMP/ps.rec'"
at_check "shared port: no stuck notes" at_note_balance "$AT_TMP/ps.rec"

# Bad input: sysex, truncated, notes on other channels, unknown CCs, 1000
# events in one cycle.
{
    echo "1:0:fa"
    echo "2:0:f0 00 20 29 01 f7"
    echo "2:1:90 3c"
    echo "2:2:99 24 64"
    echo "2:3:b0 07 64"
    for ((k = 0; k < 1000; k++)); do echo "3:$k:f8"; done
    echo "4:0:fc"
} >"$AT_TMP/bad_events"
"$T/at-probe" -n p5 -c 10 -o c5:midi_in -i c5:both -E "$AT_TMP/bad_events" \
    >"$AT_TMP/p5.out" 2>"$AT_TMP/p5.err"
at_check "1000 clocks in one cycle: each forwarded at its offset" \
    bash -c "[ \$(grep -c '^3 .* f8$' '$AT_TMP/p5.out') = 1000 ] && grep -q '^3 999 f8$' '$AT_TMP/p5.out'"
at_check "no stuck notes after bad input and STOP" at_note_balance "$AT_TMP/p5.out"
at_check "a drum note on channel 10 does not move the key note (still 52)" \
    bash -c "'$T/at-osc' 127.0.0.1 $OSC /circuits/get s key-note | grep -qx '/circuits/key-note i 52'"
at_check "still running after bad input" kill -0 "$AT_PID_c5"

# Bad OSC.
at_osc_check "OSC: key-note 128 is refused" -q "^/circuits/error ss /circuits/key-note" $OSC /circuits/key-note i 128
at_osc_check "OSC: key-note 36 accepted" -qx "/circuits/key-note i 36" $OSC /circuits/key-note i 36
at_osc_check "OSC: a seed that is not a number is refused" -q "^/circuits/error" $OSC /circuits/seed s abc
at_osc_check "OSC: an unknown address is refused" -q "^/circuits/error" $OSC /circuits/circuit/channel i 3
"$T/at-probe" -n p6 -c 8 -o c5:midi_in -i c5:both -e "1:0:fa" -e "2:5:f8" -e "3:0:fc" \
    >"$AT_TMP/p6.out" 2>&1
at_check "the OSC key note is heard (36 at the next bar)" grep -q "^2 5 90 24 7f$" "$AT_TMP/p6.out"
at_kill c5

# Bad configs: exit 2 naming the key.
bad_config() { at_bad_config "$B/aiotone-circuits" "$@"; } # text regex
at_check "channel 0: exit 2 naming circuit.channel" \
    bad_config 'circuit = { channel = 0; };' 'circuit.channel'
at_check "key-note of the wrong type: exit 2 naming it" bad_config 'key-note = "C3";' 'key-note'
at_check "unknown section: exit 2" bad_config 'drums = { channel = 10; };' 'drums'
at_done
