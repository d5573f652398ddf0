#!/bin/bash
# Workflow: a session with a job (docs/workflows.md, "A session with a
# job"), as a user runs it: a synth and a sampler in one session; the
# sampler (job = true; start = "osc") waits until the user sends
# /samplesnake/start with oscsend, records, exits 0 and is shown done by
# `aiotone-session status`, while the synth keeps running until `stop`.
# The session keeps running (no on-jobs-done): status is asked while it
# runs. The OSC port is a free one here instead of the page's 9100.
. "$(dirname "$0")/../integration/lib.sh"
at_start_jackd 48000 256
export PATH=$AT_BIN:$PATH
PORT=$((20000 + RANDOM % 20000))
cd "$AT_TMP" || exit 1

mkdir -p bells
cat >bells/session.conf <<'CONF'
clients = (
  { id = "synth"; command = "aiotone-fmsynth"; },
  { id = "sampler"; command = "aiotone-samplesnake"; job = true; }
);
connections = (
  { from = "sampler:midi_out"; to = "synth:midi_in"; },
  { from = "synth:out_L"; to = "sampler:in_L"; },
  { from = "synth:out_R"; to = "sampler:in_R"; }
);
CONF
cat >bells/sampler.conf <<CONF
osc = { port = $PORT; };
sampling = { start = "osc"; prefix = "bell"; notes = "C, G"; octaves = [4];
             velocities = [100]; hold = "0.5s"; silence-threshold = "0.0001"; max-length = "4s"; };
CONF
at_check "aiotone-session check bells" aiotone-session check bells
at_spawn run aiotone-session run bells
at_check "the session opens with its 3 connections" \
    at_wait_log run "session open: 2 clients, all 3 connections made" 20
at_check "the sampler waits to be told" \
    grep -q "\[sampler\] samplesnake: waiting for /samplesnake/start (OSC port $PORT)" "$AT_TMP/run.log"
aiotone-session status bells >status1.out 2>&1
at_check "status before the start: the sampler is open, not done" grep -qE "^  sampler +open .*\(job\)" status1.out
at_check "oscsend localhost PORT /samplesnake/start" oscsend localhost "$PORT" /samplesnake/start
done_yet() {
    local i
    for ((i = 0; i < 300; i++)); do
        aiotone-session status bells >status2.out 2>&1
        grep -qE "^  sampler +(done|FAILED)" status2.out && return 0
        sleep 0.1
    done
    return 1
}
done_yet
sed 's/^/# /' status2.out | head -n 12
at_check "aiotone-session status bells: the sampler is done" grep -qE "^  sampler +done .*\(job\)" status2.out
at_check "  ... not FAILED, never restarted" grep -qE "^  sampler +done +aiotone-samplesnake pid 0 restarts 0" status2.out
at_check "  ... and the synth is still open" grep -qE "^  synth +open" status2.out
at_check "two samples in the sampler's session folder (bells/sampler/samples/)" \
    test -s bells/sampler/samples/bell-C4-v100.wav -a -s bells/sampler/samples/bell-G4-v100.wav
aiotone-session stop bells >stop.out 2>&1
at_check "aiotone-session stop bells: exit 0" test $? -eq 0
at_check "the session has ended" bash -c "! kill -0 $AT_PID_run 2>/dev/null"
at_done
