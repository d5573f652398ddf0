#!/bin/bash
# aiotone-session tells the truth about its clients (docs/sessions.md):
# a client that exits 0 is done and not restarted (status: done); with
# on-jobs-done = "stop" the session ends when its jobs have finished (exit
# 0, or 1 when a job failed); a client that exits 2 (its state file is
# wrong) is FAILED at once and never counted as open; check loads each
# state file with the tool's own rules (--check-config); stop with nothing
# running exits 3; children's lines carry their client id; a restarted
# client's open time is measured from its restart; save keeps the user's
# session.conf and the leading comments of state files; samplesnake under
# a session writes into its own session folder and begins when told to.
. "$(dirname "$0")/lib.sh"
at_session_start

# --- a client that exits 0 is done -------------------------------------
J=$AT_TMP/jobs
mkdir -p "$J"
cat >"$J/session.conf" <<EOF
clients = (
  { id = "thru"; command = "at-thru"; },
  { id = "once"; command = "true"; nsm = false; job = true; }
);
EOF
at_spawn sessj "$S" run "$J"
at_check "a client that exits 0 is reported done" \
    at_wait_log sessj "client 'once' finished \(exit status 0\): done" 15
at_wait_log sessj "clients open in" 10
sleep 1
"$S" status "$J" >"$AT_TMP/statusj.out" 2>&1
at_check "status shows it done (a job)" grep -qE "^  once +done +true .*\(job\)" "$AT_TMP/statusj.out"
at_check "it is not restarted" bash -c "! grep -q \"client 'once'.*restarting\" $AT_TMP/sessj.log"
at_check "it is not counted as open" grep -qE "1 of 2 clients open in [0-9]+ ms \('once' done\)" \
    "$AT_TMP/sessj.log"
at_check "without on-jobs-done the session keeps running" kill -0 "$AT_PID_sessj"
"$S" stop "$J" >/dev/null 2>&1

# --- on-jobs-done = "stop" ------------------------------------------------
cat >"$J/session.conf" <<EOF
clients = (
  { id = "thru"; command = "at-thru"; },
  { id = "work"; command = "sleep"; args = [ "1" ]; nsm = false; job = true; }
);
on-jobs-done = "stop";
EOF
timeout 60 "$S" run "$J" >"$AT_TMP/stopj.log" 2>&1
at_check "on-jobs-done = \"stop\": run ends by itself, exit 0 when the job is done" test $? -eq 0
at_check "  ... and says why" grep -q "the job is done: 'work' done; stopping the session" \
    "$AT_TMP/stopj.log"
at_check "  ... and the other clients were stopped" bash -c "! jack_lsp | grep -q '^thru:'"
cat >"$J/session.conf" <<EOF
clients = ( { id = "work"; command = "false"; job = true; } );
on-jobs-done = "stop";
EOF
timeout 60 "$S" run "$J" >"$AT_TMP/failj.log" 2>&1
at_check "a job that keeps failing (exit 1 at every start): run exits 1" test $? -eq 1
at_check "  ... it was restarted with back-off, then given up" \
    grep -q "client 'work' died 5 times within 30 s (exited with status 1); GIVING UP" "$AT_TMP/failj.log"
at_check "  ... reported FAILED, never as open" \
    grep -qE "0 of 1 clients open in [0-9]+ ms \('work' FAILED\)" "$AT_TMP/failj.log"
at_check "  ... not even for a moment" bash -c "! grep -q 'all 1 clients open' $AT_TMP/failj.log"
at_check "  ... and the run says the job FAILED" grep -q "a job FAILED: 'work' FAILED" "$AT_TMP/failj.log"

# --- exit 2: a bad state file ----------------------------------------------
B=$AT_TMP/badstate
mkdir -p "$B"
printf 'clients = ( { id = "fm"; command = "aiotone-fmsynth"; } );\n' >"$B/session.conf"
printf '# my patch\npatch = {\n  algorithm = 42;\n};\n' >"$B/fm.conf"
"$S" check "$B" >"$AT_TMP/checkb.out" 2>&1
at_check "check: a state file the tool refuses: exit 2" test $? -eq 2
at_check "check: the tool's own message names file, line and key" \
    grep -qE "fm.conf:3: .*patch.algorithm.*42" "$AT_TMP/checkb.out"
at_check "check: and the client is named" \
    grep -qE "client 'fm': its state file .*fm.conf does not load in aiotone-fmsynth \(exit status 2\)" \
    "$AT_TMP/checkb.out"
at_spawn sessb "$S" run "$B"
at_check "run: the client exits 2 and is FAILED at once" \
    at_wait_log sessb "client 'fm' exited with status 2: .*FAILED, not restarted" 15
at_check "the manager reports it FAILED, not open" \
    at_wait_log sessb "0 of 1 clients open in [0-9]+ ms \('fm' FAILED\)" 5
sleep 1.5
at_check "it is never restarted" bash -c "! grep -q 'restarting' $AT_TMP/sessb.log"
at_check "it is never reported open" bash -c "! grep -qE 'all 1 clients open|session open: 1 clients' $AT_TMP/sessb.log"
"$S" status "$B" >"$AT_TMP/statusb.out" 2>&1
at_check "status shows it FAILED with the reason" \
    grep -qE "^  fm +FAILED .*configuration error" "$AT_TMP/statusb.out"
"$S" stop "$B" >/dev/null 2>&1
printf '# my patch\npatch = {\n  algorithm = 4;\n};\n' >"$B/fm.conf"
"$S" check "$B" >"$AT_TMP/checkg.out" 2>&1
at_check "check: a good state file: exit 0, counted" test $? -eq 0
at_check "  ... says ok with the state file counted" grep -q "ok (1 clients, 0 connections, 1 state files)" \
    "$AT_TMP/checkg.out"
at_check "--check-config on a good file: exit 0" "$AT_BIN/aiotone-fmsynth" --check-config "$B/fm.conf"

# --- stop with nothing running; usage ----------------------------------------
"$S" stop "$B" >"$AT_TMP/stop3.out" 2>&1
at_check "stop with nothing running: exit 3 (documented)" test $? -eq 3
at_check "  ... and says so" grep -q "no session is running in" "$AT_TMP/stop3.out"
"$S" --help >"$AT_TMP/usage.out"
at_check "the usage lists check" grep -qE "^  check DIR" "$AT_TMP/usage.out"

# --- log prefixes, restart open time, save keeps comments -------------------
D=$AT_TMP/studio
mkdir -p "$D"
cat >"$D/session.conf" <<EOF
# My studio: a comment the user wrote.
clients = (
  { id = "a"; command = "at-thru"; },  # first
  { id = "b"; command = "at-thru"; }   # second
);
// wiring
connections = ( { from = "a:midi_out"; to = "b:midi_in"; } );
EOF
cp "$D/session.conf" "$AT_TMP/session.conf.orig"
printf '# transposes by one: keep this note\n\nthru = { transpose = 1; };\n' >"$D/a.conf"
at_spawn sessd "$S" run "$D"
at_check "the session opens" at_wait_log sessd "session open: 2 clients, all 1 connections made" 20
at_check "a client's lines carry its id" grep -qE "^\[a\] .*" "$AT_TMP/sessd.log"
at_check "  ... the other client's too" grep -qE "^\[b\] .*running as JACK client 'b'" "$AT_TMP/sessd.log"
"$S" save "$D" >"$AT_TMP/save1.out" 2>&1
at_check "save with nothing changed: session.conf is left exactly as written" \
    cmp "$D/session.conf" "$AT_TMP/session.conf.orig"
at_check "the state file keeps its leading comment" \
    grep -qx "# transposes by one: keep this note" "$D/a.conf"
at_spawn later "$AT_TOOLS/at-thru" -n later
at_wait_port later:midi_in
jack_connect a:midi_out later:midi_in
"$S" save "$D" >/dev/null 2>&1
at_check "save after a change: the new connection is written" \
    grep -q 'from = "a:midi_out"; to = "later:midi_in"' "$D/session.conf"
at_check "  ... and the user's comments are kept" \
    bash -c "grep -qx '# My studio: a comment the user wrote.' $D/session.conf && grep -q '# first' $D/session.conf && grep -qx '// wiring' $D/session.conf"
at_kill later
sleep 3 # the restart comes well after the session start
old=$(at_session_pid "$D" b)
kill -KILL "$old"
at_check "a killed client is restarted" at_wait_log sessd "client 'b' is open \([0-9]+ ms after restart 1\)" 10
ms=$(grep -oE "client 'b' is open \([0-9]+ ms after restart 1\)" "$AT_TMP/sessd.log" | grep -oE "[0-9]+ ms" | grep -oE "[0-9]+")
echo "# restarted client open in ${ms:-?} ms after its restart"
at_check "its open time is measured from its restart (${ms:-?} ms < 3000 ms since the session began)" \
    test "${ms:-99999}" -lt 3000
"$S" stop "$D" >/dev/null 2>&1

# --- samplesnake under a session: its own folder, begins when told ---------
N=$AT_TMP/snake
mkdir -p "$N"
SPORT=$((20000 + RANDOM % 20000))
cat >"$N/session.conf" <<EOF
clients = (
  { id = "fm"; command = "aiotone-fmsynth"; },
  { id = "snake"; command = "aiotone-samplesnake"; job = true; }
);
connections = (
  { from = "snake:midi_out"; to = "fm:midi_in"; },
  { from = "fm:out_L"; to = "snake:in_L"; },
  { from = "fm:out_R"; to = "snake:in_R"; }
);
EOF
cat >"$N/snake.conf" <<EOF
osc = { port = $SPORT; };
sampling = { start = "osc"; prefix = "t"; notes = "C"; octaves = [4]; velocities = [100];
             hold = "0.2s"; cooldown = "0.1s"; silence-threshold = "0.0001"; max-length = "3s"; };
EOF
cd "$AT_TMP" || exit 1
at_spawn sessn "$S" run "$N"
at_check "samplesnake says it waits for /samplesnake/start" \
    at_wait_log sessn "\[snake\] samplesnake: waiting for /samplesnake/start \(OSC port $SPORT\)" 20
at_wait_log sessn "session open: 2 clients, all 3 connections made" 10
sleep 2
at_check "it has not begun: no sample yet" bash -c "! ls $N/snake/samples/*.wav 2>/dev/null | grep -q ."
"$AT_TOOLS/at-osc" 127.0.0.1 $SPORT /samplesnake/start >/dev/null 2>&1
at_check "/samplesnake/start begins sampling; the job ends done" \
    at_wait_log sessn "client 'snake' finished \(exit status 0\): done" 30
at_check "the sample is in the client's session folder (SESSION/snake/samples)" \
    test -s "$N/snake/samples/t-C4-v100.wav"
at_check "  ... with its instrument file" test -s "$N/snake/samples/t.sfz"
at_check "  ... and nothing in the current directory" test ! -e "$AT_TMP/samples"
"$S" stop "$N" >/dev/null 2>&1
at_done
