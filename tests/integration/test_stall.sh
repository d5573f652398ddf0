#!/bin/bash
# A client JACK stops calling while its server runs (docs/threads.md, "A
# client JACK stops waking"). The starving is made on purpose here:
# aiotone-clock, upstream of aiotone-mothergen, is stopped (SIGSTOP), so
# JACK never wakes mothergen. Checks: standalone, mothergen says so once per
# stall and again when JACK calls it; a server that is itself stopped
# (SIGSTOP of jackd) is not reported. The session part runs on the
# session's own server. In a session, the starved client
# leaves at once with exit status 75 (it could not close: libjack waits
# for the thread JACK does not wake), the manager starts it again, and
# once clock runs again the restarted one is called and wired.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 256
B=$AT_BIN

printf '%s\n' "clock = { bpm = 120.0; autostart = true; };" "osc = { port = 0; };" >"$AT_TMP/clock.conf"
printf '%s\n' "seed = 3;" "osc = { port = 0; };" >"$AT_TMP/gen.conf"
at_spawn clock "$B/aiotone-clock" -c "$AT_TMP/clock.conf"
at_check "clock runs" at_wait_log clock "running as JACK client" 10
at_spawn gen "$B/aiotone-mothergen" -c "$AT_TMP/gen.conf" -n gen
at_check "mothergen runs" at_wait_log gen "running as JACK client" 10
at_check "the user connects clock:midi_out -> gen:midi_in" jack_connect clock:midi_out gen:midi_in
stalls() { grep -c "JACK has not called this client" "$AT_TMP/$1.log"; }

# clock stopped for 7 s: mothergen, downstream of it, is not called.
kill -STOP "$AT_PID_clock"
at_check "the stall is reported (3 s, then 0.2 s to confirm)" \
    at_wait_log gen "JACK has not called this client for [0-9.]+ s while its server ran [0-9]+ frames" 6
sleep 3
at_check "once per stall, not once per check" test "$(stalls gen)" = 1
kill -CONT "$AT_PID_clock"
at_check "JACK calls it again once clock runs" at_wait_log gen "JACK calls this client again" 5
at_check "standalone, mothergen keeps running" kill -0 "$AT_PID_gen"

# The server itself stopped for 4 s: nobody is called, nothing to report.
# (jackd 1.9.21 does not always come back from this whole; nothing else
# uses this server afterwards.)
n=$(stalls gen)
kill -STOP "$AT_PID_jackd"
sleep 4
kill -CONT "$AT_PID_jackd"
sleep 2
at_check "a stopped server is not reported as a stall" test "$(stalls gen)" = "$n"
at_kill gen
at_kill clock
at_kill jackd

# In a session: the starved client leaves with 75 and is started again.
D=$AT_TMP/studio
mkdir -p "$D"
cat >"$D/session.conf" <<EOF
jack = { server = "aiotone-stall-$$-$RANDOM"; driver = "dummy"; rate = 48000; period = 256; };
clients = ( { id = "clock"; command = "aiotone-clock"; }, { id = "gen"; command = "aiotone-mothergen"; } );
connections = ( { from = "clock:midi_out"; to = "gen:midi_in"; } );
EOF
cp "$AT_TMP/clock.conf" "$D/clock.conf"
cp "$AT_TMP/gen.conf" "$D/gen.conf"
at_spawn sess env PATH="$B:$PATH" "$B/aiotone-session" run "$D"
session_opens() {
    at_wait_log sess "session open: 2 clients, all 1 connections made" 20 && return 0
    tail -n 20 "$AT_TMP/sess.log"
    return 1
}
at_check "the session opens" session_opens
CPID=$(at_session_pid "$D" clock)
at_check "the clock's pid is known ($CPID)" test -n "$CPID"
kill -STOP "$CPID"
at_check "the starved client leaves with exit status 75" \
    at_wait_log sess "client 'gen' exited with status 75; restarting" 8
sed -n "/JACK has not called/,/status 75/p" "$AT_TMP/sess.log" | head -4 | sed 's/^/#   /'
kill -CONT "$CPID"
wired() { grep -c "connected clock:midi_out -> gen:midi_in" "$AT_TMP/sess.log"; }
wired_again() {
    local i
    for ((i = 0; i < 200; i++)); do [ "$(wired)" -ge 2 ] && return 0; sleep 0.05; done
    return 1
}
at_check "the restarted client is wired again" wired_again
n=$(grep -c "client 'gen' exited with status 75" "$AT_TMP/sess.log")
sleep 5
at_check "and JACK calls it: no stall after clock runs again ($n before)" \
    test "$(grep -c "client 'gen' exited with status 75" "$AT_TMP/sess.log")" = "$n"
at_kill sess
at_done
