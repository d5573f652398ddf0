#!/bin/bash
# aiotone-session on a private dummy JACK server: a session of six clients
# (aiotone tools through at-thru and mothergen, a third-party NSM client, a
# plain jack_midi_dump) opens with every connection made; a killed client
# is restarted and reconnected; OSC changes, save, stop, run again: the
# parameters and connections come back; a connection made by hand to a
# port that later disappears is kept and remade when the port returns;
# broken session files start nothing; the control port is on loopback;
# stale manager files are detected; a client that keeps dying is given up.
. "$(dirname "$0")/lib.sh"
at_session_start
D=$AT_TMP/studio
mkdir -p "$D"
OSC_A=$((20000 + RANDOM % 20000))
GEN=aiotone-mothergen
[ -x "$AT_BIN/$GEN" ] || GEN=at-thru
GENPORT=$([ $GEN = at-thru ] && echo midi_out || echo red)

cat >"$D/session.conf" <<EOF
clients = (
  { id = "a"; command = "at-thru"; },
  { id = "b"; command = "at-thru"; },
  { id = "c"; command = "at-thru"; },
  { id = "gen"; command = "$GEN"; },
  { id = "ext"; command = "at-nsm-client"; },
  { id = "dump"; command = "jack_midi_dump"; args = [ "-a", "dump" ]; nsm = false; }
);
connections = (
  { from = "a:midi_out"; to = "b:midi_in"; },
  { from = "b:midi_out"; to = "c:midi_in"; },
  { from = "c:midi_out"; to = "ext:midi_in"; },
  { from = "ext:midi_out"; to = "dump:input"; },
  { from = "gen:$GENPORT"; to = "dump:input"; }
);
EOF
printf 'thru = { transpose = 1; };\nosc = { port = %d; };\n' $OSC_A >"$D/a.conf"

connected() { jack_lsp -c 2>/dev/null | awk -v f="$1" -v t="$2" \
    '/^[^ ]/ {p=$0} /^ / {sub(/^ +/, ""); if (p==f && $0==t) ok=1} END {exit !ok}'; }
all_connected() {
    at_wait_conn a:midi_out b:midi_in && at_wait_conn b:midi_out c:midi_in &&
        at_wait_conn c:midi_out ext:midi_in && at_wait_conn ext:midi_out dump:input &&
        at_wait_conn gen:$GENPORT dump:input
}
pid_of() { at_session_pid "$D" "$1"; }

at_spawn sess "$S" run "$D"
at_check "the session opens and reports the time to all connections made" \
    at_wait_log sess "session open: 6 clients, all 5 connections made in [0-9]+ ms" 20
ms=$(grep -oE "all 5 connections made in [0-9]+ ms" "$AT_TMP/sess.log" | grep -oE "[0-9]+ ms")
echo "# open time (run -> all connections made, 6 clients): $ms"
at_check "all five connections are made" all_connected
at_check "the third-party NSM client announced and opened" \
    grep -q "client 'ext' is open" "$AT_TMP/sess.log"
at_check "the manager's URL file names its OSC port and pid" \
    grep -qE "^osc.udp://127.0.0.1:[0-9]+/$" "$D/.aiotone-session.url"
port=$(sed -n 's|^osc.udp://127.0.0.1:\([0-9]*\)/$|\1|p' "$D/.aiotone-session.url")
hex=$(printf '%04X' "$port")
at_check "the control/NSM port listens on loopback only" \
    bash -c "grep -q ' 0100007F:$hex ' /proc/net/udp && ! grep -q ' 00000000:$hex ' /proc/net/udp"
"$S" status "$D" >"$AT_TMP/status1.out"
at_check "status lists clients with state and ports" \
    grep -qE "^  b +open +at-thru pid [0-9]+" "$AT_TMP/status1.out"
at_check "status lists ports" grep -q "ports: b:midi_in b:midi_out" "$AT_TMP/status1.out"
at_check "status lists connections" grep -q "a:midi_out -> b:midi_in  made" "$AT_TMP/status1.out"
at_check "the plain client runs without NSM" grep -qE "^  dump .*\(plain\)" "$AT_TMP/status1.out"

# MIDI goes through the chain a -> b -> c -> ext -> dump (a transposes by 1).
"$AT_TOOLS/at-probe" -n probe -c 20 -o a:midi_in -e "3:17:90 3c 64" >/dev/null 2>&1
at_check "MIDI flows through the session's connections (state file loaded: +1)" \
    at_wait_log sess "90 3d 64" 5

# Kill a client: it comes back under the same name and is reconnected.
old=$(pid_of b)
kill -KILL "$old"
at_check "a killed client is noticed and restarted" \
    at_wait_log sess "client 'b' killed by signal 9; restarting" 5
at_check "it is reconnected on both sides" \
    bash -c "$(declare -f at_wait_conn); at_wait_conn a:midi_out b:midi_in && at_wait_conn b:midi_out c:midi_in"
new=$(pid_of b)
at_check "it runs as a new process (pid $old -> $new)" test -n "$new" -a "$new" != "$old"

# Live change over OSC, a hand-made connection to a port that will vanish.
"$AT_TOOLS/at-osc" 127.0.0.1 $OSC_A /thru/transpose i 5 >"$AT_TMP/osc1.out"
at_check "OSC change accepted" grep -qx "/thru/transpose i 5" "$AT_TMP/osc1.out"
at_spawn later "$AT_TOOLS/at-thru" -n later
at_wait_port later:midi_in
jack_connect c:midi_out later:midi_in
jack_disconnect gen:$GENPORT dump:input # the user undoes one connection
"$S" save "$D" >"$AT_TMP/save1.out" 2>&1
at_check "save answers" grep -q "^saved .*session.conf" "$AT_TMP/save1.out"
at_check "the tool saved its live parameter (a.conf: transpose = 5)" \
    grep -qE "^\s*transpose = 5;" "$D/a.conf"
at_check "the third-party client saved its state" grep -qx "count 1" "$D/ext.txt"
at_check "session.conf has the hand-made connection" \
    grep -q 'from = "c:midi_out"; to = "later:midi_in"' "$D/session.conf"
at_check "session.conf dropped the connection the user undid" \
    bash -c "! grep -q 'from = \"gen:$GENPORT\"; to = \"dump:input\"' $D/session.conf"
at_kill later
"$S" save "$D" >/dev/null 2>&1
at_check "a connection whose port is absent now is kept by the next save" \
    grep -q 'from = "c:midi_out"; to = "later:midi_in"' "$D/session.conf"
at_check "session.conf was replaced atomically (no temporary left)" \
    bash -c "! ls -A $D | grep -q tmp"

"$S" stop "$D" >"$AT_TMP/stop1.out" 2>&1
at_check "stop: exit 0" test $? -eq 0
at_check "stop: every client is gone" bash -c "! jack_lsp | grep -qE '^(a|b|c|gen|ext|dump):'"
at_check "stop: the manager has exited" bash -c "! kill -0 $AT_PID_sess 2>/dev/null"
at_check "stop: the URL file is removed" test ! -e "$D/.aiotone-session.url"
at_check "stop: the private JACK server (not ours) keeps running" \
    bash -c "jack_wait -c 2>/dev/null | grep -qx running"

# A stale URL file (a manager that died without cleaning up: its pid is
# gone) is detected by the commands and does not stop a new run. (Killing a
# real manager with SIGKILL here can wedge jackd 1.9.21 while its clients
# close at the same moment, so the stale file is made by hand.)
bash -c 'exit 0' &
dead=$!
wait $dead
printf 'osc.udp://127.0.0.1:9/\n%d\n' "$dead" >"$D/.aiotone-session.url"
"$S" status "$D" >"$AT_TMP/stale.out" 2>&1
at_check "a stale URL file is detected (exit 3)" test $? -eq 3
at_check "and named as stale, and removed" \
    bash -c "grep -q stale $AT_TMP/stale.out && test ! -e $D/.aiotone-session.url"
printf 'osc.udp://127.0.0.1:9/\n%d\n' "$dead" >"$D/.aiotone-session.url"

# Run again (over the stale file): parameters and connections come back.
at_spawn sess2 "$S" run "$D"
at_check "run again: clients open" at_wait_log sess2 "all 6 clients open" 20
at_check "run again: saved connections are made" \
    bash -c "$(declare -f at_wait_conn); at_wait_conn a:midi_out b:midi_in && at_wait_conn c:midi_out ext:midi_in && at_wait_conn ext:midi_out dump:input"
"$AT_TOOLS/at-osc" 127.0.0.1 $OSC_A /thru/get s transpose >"$AT_TMP/osc2.out"
at_check "run again: the live parameter is back (transpose 5)" \
    grep -qx "/thru/transpose i 5" "$AT_TMP/osc2.out"
at_check "run again: the third-party client got its state back" \
    at_wait_log sess2 "loaded count [1-9]" 5
at_check "run again: the undone connection stays undone" \
    bash -c "$(declare -f connected); sleep 0.5; ! connected gen:$GENPORT dump:input"
at_spawn later2 "$AT_TOOLS/at-thru" -n later
at_check "the remembered connection is made when its port appears" \
    bash -c "$(declare -f at_wait_conn); at_wait_conn c:midi_out later:midi_in"
at_kill later2

"$S" stop "$D" >/dev/null 2>&1
at_check "run again: stop ends it" bash -c "! kill -0 $AT_PID_sess2 2>/dev/null"

# Broken session files: clear error, exit 2, nothing started.
B=$AT_TMP/broken
mkdir -p "$B"
printf 'clients = (\n  { id = "x1"; command = "at-thru"; },\n  { id = "x2"; command = "/bin/sh"; }\n);\n' \
    >"$B/session.conf"
"$S" run "$B" 2>"$AT_TMP/broken1.err"
at_check "a path as command: exit 2" test $? -eq 2
at_check "the error names file, line, key and what is allowed" \
    grep -qF "session.conf:3: key 'clients.[1].command': bad value \"/bin/sh\": must be a bare program name" \
    "$AT_TMP/broken1.err"
at_check "nothing was started" bash -c "! jack_lsp | grep -q '^x1:'"
printf 'clients = ( { id = "../../etc/x"; command = "at-thru"; } );\n' >"$B/session.conf"
"$S" run "$B" 2>"$AT_TMP/broken2.err"
at_check "an id that would leave the directory: exit 2" test $? -eq 2
at_check "  ... and is named" grep -q "key 'clients.\[0\].id': bad value" "$AT_TMP/broken2.err"
printf 'clients = ( { id = "x"; command = "aiotone-no-such-tool"; } );\n' >"$B/session.conf"
"$S" run "$B" 2>"$AT_TMP/broken3.err"
at_check "a program that does not exist: exit 2, nothing started" test $? -eq 2
at_check "  ... and is named" grep -q "program 'aiotone-no-such-tool' not found" "$AT_TMP/broken3.err"
printf 'jack = { driver = "pulse"; };\n' >"$B/session.conf"
"$S" run "$B" 2>"$AT_TMP/broken4.err"
at_check "a bad driver lists the allowed ones" \
    grep -qF "key 'jack.driver': bad value \"pulse\": allowed are \"auto\", \"alsa\", \"dummy\"" \
    "$AT_TMP/broken4.err"
"$S" frobnicate "$B" 2>/dev/null
at_check "an unknown command: exit 2" test $? -eq 2

# A client that keeps dying is given up loudly; the others carry on.
G=$AT_TMP/dying
mkdir -p "$G"
cat >"$G/session.conf" <<EOF
clients = (
  { id = "ok"; command = "at-thru"; },
  { id = "crash"; command = "false"; nsm = false; }
);
EOF
at_spawn sess3 "$S" run "$G"
at_check "a client that keeps dying is restarted with back-off, then given up" \
    at_wait_log sess3 "client 'crash' died 5 times within 30 s .*GIVING UP" 15
at_check "the back-off grows (0.25 s, then 0.5 s, 1 s, 2 s)" \
    bash -c "grep -o 'restarting in [0-9.]* s' $AT_TMP/sess3.log | tr '\n' ' ' | grep -q 'in 0.25 s restarting in 0.50 s restarting in 1.00 s restarting in 2.00 s'"
"$S" status "$G" >"$AT_TMP/status3.out"
at_check "status shows it FAILED" grep -qE "^  crash +FAILED" "$AT_TMP/status3.out"
at_check "the other client still runs" grep -qE "^  ok +open" "$AT_TMP/status3.out"
# NSM server commands on the manager's port: add obeys the same program rules.
gport=$(sed -n 's|^osc.udp://127.0.0.1:\([0-9]*\)/$|\1|p' "$G/.aiotone-session.url")
"$AT_TOOLS/at-osc" -w 500 127.0.0.1 "$gport" /nsm/server/add s /bin/sh >"$AT_TMP/add1.out"
at_check "/nsm/server/add refuses a path (error -4)" \
    grep -q "^/error sis /nsm/server/add -4 not an allowed program" "$AT_TMP/add1.out"
"$AT_TOOLS/at-osc" -w 500 127.0.0.1 "$gport" /nsm/server/add s at-thru >"$AT_TMP/add2.out"
at_check "/nsm/server/add starts an allowed NSM client" \
    grep -q "^/reply ss /nsm/server/add added as 'at-thru'" "$AT_TMP/add2.out"
at_check "the added client opens under its new id" at_wait_port at-thru:midi_in
"$AT_TOOLS/at-osc" -w 500 127.0.0.1 "$gport" /nsm/server/list >"$AT_TMP/list.out"
at_check "/nsm/server/list names the sessions next to this one (NSM 1.1)" \
    bash -c "grep -qx '/reply ss /nsm/server/list dying' $AT_TMP/list.out && grep -qx '/reply ss /nsm/server/list studio' $AT_TMP/list.out"
"$S" stop "$G" >/dev/null 2>&1

# Hardware named by its ALSA names ("alsa:CLIENT:PORT") is found through
# the bridge's JACK port (here a stand-in with a2jmidid's port name).
H=$AT_TMP/hw
mkdir -p "$H"
cat >"$H/session.conf" <<EOF
clients = (
  { id = "a2j"; command = "at-nsm-client"; args = [ "Keyboard [20] (capture): Keyboard MIDI 1" ]; },
  { id = "synth"; command = "at-thru"; }
);
connections = ( { from = "alsa:Keyboard:Keyboard MIDI 1"; to = "synth:midi_in"; } );
EOF
at_spawn sess5 "$S" run "$H"
at_check "an alsa:CLIENT:PORT connection is made to the bridged port" \
    bash -c "$(declare -f at_wait_conn); at_wait_conn 'a2j:Keyboard [20] (capture): Keyboard MIDI 1' synth:midi_in"
"$S" stop "$H" >/dev/null 2>&1

# A session that names its own server starts it (dummy here) and stops it.
P=$AT_TMP/own
mkdir -p "$P"
SRV=aiotone-own-$$-$RANDOM
cat >"$P/session.conf" <<EOF
jack = { server = "$SRV"; driver = "dummy"; rate = 44100; period = 128; midi-bridge = "a2jmidid"; };
clients = ( { id = "t"; command = "at-thru"; } );
EOF
at_spawn sess4 "$S" run "$P"
at_check "own server: started with the session's driver, rate and period" \
    at_wait_log sess4 "starting JACK server '$SRV' \(dummy backend, 44100 Hz, 128 frames\)" 10
at_wait_log sess4 "all 1 clients open|Too many servers|error" 15
if grep -q "Too many servers" "$AT_TMP/sess4.log"; then
    # jackd allows 8 servers per machine; other test runs on this shared
    # machine may hold them all. Not this code's failure: say so.
    echo "# SKIP own-server checks: jackd refused a new server (too many servers active)"
else
    at_check "own server: the client opens on it" grep -q "all 1 clients open" "$AT_TMP/sess4.log"
    at_check "own server: the client runs at 44100 Hz" \
        grep -q "running as JACK client 't' at 44100 Hz, 128 frames" "$AT_TMP/sess4.log"
    at_check "no ALSA sequencer: the MIDI bridge says so and the session carries on" \
        grep -q "MIDI bridge: no ALSA sequencer here" "$AT_TMP/sess4.log"
    "$S" stop "$P" >/dev/null 2>&1
    at_check "own server: stopped with the session" \
        bash -c "for i in \$(seq 50); do jack_wait -s $SRV -c 2>/dev/null | grep -qx running || exit 0; sleep 0.1; done; exit 1"
fi
at_done
