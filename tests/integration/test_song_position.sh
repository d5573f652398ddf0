#!/bin/bash
# Song Position Pointer through JACK: aiotone-clock follows the JACK
# transport and drives aiotone-mothergen (seeded). The transport plays from
# the start, stops, is located to pulse 60 while stopped (the clock sends
# SPP 10 while stopped, then SPP + CONTINUE when it rolls), and is located
# to pulse 150 while rolling (STOP, SPP 25, CONTINUE). After each locate
# the sequencers play the very notes the first run played from that pulse
# on (docs/mothergen.md, docs/clock.md: Song Position Pointer).
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 1024
B=$AT_BIN
T=$AT_TOOLS

printf '%s\n' 'clock = { source = "transport"; bpm = 120.0; };' \
    "osc = { port = $((20000 + RANDOM % 20000)); };" >"$AT_TMP/clock.conf"
printf '%s\n' 'input = { seed = 4711; };' \
    "osc = { port = $((20000 + RANDOM % 20000)); };" >"$AT_TMP/mg.conf"
at_spawn clock "$B/aiotone-clock" -c "$AT_TMP/clock.conf" -n spclock
at_spawn mg "$B/aiotone-mothergen" -c "$AT_TMP/mg.conf" -n spmg
at_check "clock and mothergen ports exist" \
    bash -c "$(declare -f at_wait_port); at_wait_port spclock:midi_out && at_wait_port spmg:midi_in && at_wait_port spmg:red && at_wait_port spmg:blue"
transport() { printf '%s\nquit\n' "$@" | timeout 10 jack_transport >/dev/null 2>&1; }
transport stop "locate 0"
jack_connect spclock:midi_out spmg:midi_in

# Red and blue each to their own probe, so each stream keeps mothergen's
# order (clock, transport, then the notes of that pulse). They record until
# told to stop (at most 3000 1024-frame cycles, 64 s).
"$T/at-probe" -n rx_red -c 3000 -i spmg:red >"$AT_TMP/red.out" 2>"$AT_TMP/red.err" &
PR=$!
AT_PIDS+=("$PR")
"$T/at-probe" -n rx_blue -c 3000 -i spmg:blue >"$AT_TMP/blue.out" 2>"$AT_TMP/blue.err" &
PB=$!
AT_PIDS+=("$PB")
sleep 1
transport play # from the start: START
sleep 4.5      # about 216 pulses
transport stop
sleep 0.3
transport "locate 60000" # pulse 60 = sixteenth 10, while stopped
sleep 0.3
transport play
sleep 1.2
transport "locate 150000" # pulse 150 = sixteenth 25, while rolling
sleep 1.5
transport stop
sleep 0.5
kill -TERM "$PR" "$PB"
wait "$PR" "$PB"

# Each stream as "SEGMENT PULSE BYTES" for the notes, segments starting at
# START (position 0) or CONTINUE (the position of the last SPP), pulses
# counted by the forwarded clock; plus the transport messages in order.
segments() {
    awk 'function hex(s, i, v) { for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
         /^#/ { next }
         $3 == "f2" { spp = hex($4) + 128 * hex($5); print "T f2", spp > "/dev/stderr"; next }
         $3 == "fa" { seg++; pulse = -1; print "T fa" > "/dev/stderr"; next }
         $3 == "fb" { seg++; pulse = 6 * spp - 1; print "T fb" > "/dev/stderr"; next }
         $3 == "fc" { print "T fc" > "/dev/stderr"; next }
         $3 == "f8" { pulse++; next }
         $3 ~ /^9/ && $5 != "00" { print seg, pulse, $3, $4, $5 }' "$1"
}
segments "$AT_TMP/red.out" >"$AT_TMP/red.notes" 2>"$AT_TMP/red.transport"
segments "$AT_TMP/blue.out" >"$AT_TMP/blue.notes" 2>"$AT_TMP/blue.transport"

check_transport() {
    # After a STOP between two sixteenths the clock also tells where the
    # transport stands (an SPP). jackd 1.9 passes a locate while rolling
    # through a cycle of "starting", which the clock sees as a stop: then
    # the SPP goes out once while stopped and once with the CONTINUE.
    local want='^T fa\|T fc(\|T f2 [0-9]+)?\|T f2 10\|T f2 10\|T fb\|T fc\|(T f2 25\|)?T f2 25\|T fb\|T fc(\|T f2 [0-9]+)?$'
    local got
    got=$(paste -sd'|' "$AT_TMP/red.transport")
    [[ $got =~ $want ]] || { echo "got  $got"; echo "want $want"; return 1; }
}
at_check "the clock: SPP while stopped, SPP + CONTINUE on rolling, STOP + SPP + CONTINUE on a locate while rolling (as mothergen passes them on)" \
    check_transport

# Segment S (2: from pulse 60, 3: from pulse 150) against segment 1 over
# the pulses both played.
same_notes() { # notes-file segment from
    awk -v s="$2" -v from="$3" '
        $1 == 1 { end1 = $2; one[n1++] = $0 } $1 == s { ends = $2; other[ns++] = $0 }
        END {
            hi = end1 < ends ? end1 : ends
            for (i = 0; i < n1; i++) { split(one[i], f); if (f[2] >= from && f[2] < hi) a = a f[2] " " f[3] " " f[4] "\n" }
            for (i = 0; i < ns; i++) { split(other[i], f); if (f[2] >= from && f[2] < hi) b = b f[2] " " f[3] " " f[4] "\n" }
            if (hi - from < 24) { print "only", hi - from, "pulses in common"; exit 1 }
            if (a != b) { print "first run:\n" a "after the locate:\n" b; exit 1 }
            print hi - from, "pulses compared"
        }' "$1"
}
for p in red blue; do
    at_check "$p: after the locate to pulse 60 (while stopped) the notes of the first run from pulse 60" \
        same_notes "$AT_TMP/$p.notes" 2 60
    at_check "$p: after the locate to pulse 150 (while rolling) the notes of the first run from pulse 150" \
        same_notes "$AT_TMP/$p.notes" 3 150
done

# Nothing left sounding: every note-on has its note-off by the end.
at_check "red: no note left sounding after the last STOP" at_note_balance "$AT_TMP/red.out"
at_check "blue: no note left sounding after the last STOP" at_note_balance "$AT_TMP/blue.out"
at_done
