#!/bin/bash
# A connection made the instant a tool's port appears loses nothing.
#
# aiotone-clock (autostart) sends START 50 ms after the first connection
# to its output. at-grab connects clock -> mothergen the moment
# mothergen's input exists, as a quick patchbay (or aiotone-session) does.
# Two things make that work: the tool shell registers its ports only once
# its process callback runs (JACK2 runs a client's first cycle after
# activation as a dummy, without the callback, and a new client's first
# cycles often come late), and the clock sends START 50 ms after the first
# connection (a port is registered on the server a moment before the tool
# can read it). With neither, 5 of 8 such starts were silent here at this
# short period (a wide window); with either one alone, 15 of 15 played.
#
# jackd reports a client that lags in its first cycles as an xrun; with the
# old shell these starts were the silent ones, so an xrun excuses nothing.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 128
B=$AT_BIN
T=$AT_TOOLS

printf '%s\n' 'clock = { autostart = true; bpm = 300.0; };' >"$AT_TMP/clock.conf"
printf '%s\n' 'input = { channel = 1; start-stop = true; seed = 7; };' >"$AT_TMP/mg.conf"

# played K: trial K's dump holds a note-on.
played() { grep -qE ': 9[0-9a-f] [0-9a-f]{2} [1-9a-f]' "$AT_TMP/dump$1.log"; }

# One start; sets result to "played" or "silent". Runs in this shell (not
# in $(...)), so every process it starts is on the list lib.sh stops.
trial() {
    local k=$1
    at_spawn "clock$k" "$B/aiotone-clock" -c "$AT_TMP/clock.conf" -n "clock$k"
    result="no clock port"
    at_wait_port "clock$k:midi_out" || return
    at_spawn "grab$k" "$T/at-grab" "clock$k:midi_out" "mg$k:midi_in" 20
    at_spawn "mg$k" "$B/aiotone-mothergen" -c "$AT_TMP/mg.conf" -n "mg$k"
    local var="AT_PID_grab$k"
    wait "${!var}"
    at_spawn "dump$k" stdbuf -oL jack_midi_dump -a "dump$k"
    at_wait_port "dump$k:input"
    jack_connect "mg$k:red" "dump$k:input"
    local i
    for ((i = 0; i < 60; i++)); do
        played "$k" && break
        sleep 0.05
    done
    at_kill "dump$k"
    at_kill "mg$k"
    at_kill "clock$k"
    result=silent
    played "$k" && result=played
}

for n in 1 2 3 4 5; do
    trial "$n"
    at_check "start $n: mothergen connected the instant its port appears hears START and plays" \
        test "$result" = played
done

at_done
