#!/bin/bash
# The shipped sessions: every sessions/*/session.conf is valid and names
# programs that exist; every state file loads in its tool; and the demo
# (scripts/demo.sh) plays for real on its own private server: the session
# opens, notes are shown, demo.wav is written, long enough and not silent,
# and everything it started is gone afterwards.
. "$(dirname "$0")/lib.sh"
S=$AT_BIN/aiotone-session
for d in "$AT_ROOT"/sessions/*/; do
    name=$(basename "$d")
    at_check "sessions/$name: session.conf is valid and its programs exist" "$S" check "$d"
    for f in "$d"*.conf; do
        id=$(basename "$f" .conf)
        [ "$id" = session ] && continue
        cmd=$(sed -n "s/.*id = \"$id\"; command = \"\([^\"]*\)\".*/\1/p" "$d/session.conf")
        at_check "sessions/$name/$id.conf names a client of the session" test -n "$cmd"
        [ -n "$cmd" ] || continue
        # exit 1 = the config loaded and only the JACK server is missing; 2 = bad config
        "$AT_BIN/$cmd" -c "$f" -s "no-such-server-$$" >/dev/null 2>"$AT_TMP/load.err"
        at_check "sessions/$name/$id.conf loads in $cmd" test $? -eq 1
    done
done

# One run, no second chance: a silent demo is a failure. (It used to be
# silent now and then: the clock's START reached mothergen in a cycle in
# which mothergen did not process yet; see docs/threads.md, Start-up.)
SRV=aiotone-test-demo-$$-$RANDOM
DEMO_SKIP_DEPS=1 DEMO_SKIP_BUILD=1 DEMO_SERVER=$SRV DEMO_WAV=$AT_TMP/demo.wav BUILD=$BUILD \
    timeout 120 "$AT_ROOT/scripts/demo.sh" 4 >"$AT_TMP/demo.out" 2>&1
rc=$?
sed 's/^/# /' "$AT_TMP/demo.out" | grep -v "^#  *[0-9.]* s " | head -n 40
if grep -q "Too many servers" "$AT_TMP/demo.out"; then
    echo "# SKIP demo run: jackd refused a new server (too many servers active on this machine)"
    at_done
fi
at_check "the demo exits 0" test $rc -eq 0
at_check "the demo starts its own JACK server (dummy backend here)" \
    grep -q "starting JACK server '$SRV' (dummy backend" "$AT_TMP/demo.out"
at_check "the demo's session opens with all 10 connections" \
    grep -qE "session open: 5 clients, all 10 connections made in [0-9]+ ms" "$AT_TMP/demo.out"
at_check "a line per note is shown, from all three voices" \
    bash -c "grep -qE '^ +[0-9.]+ s  red ' $AT_TMP/demo.out && grep -qE '^ +[0-9.]+ s  blue ' $AT_TMP/demo.out && grep -qE '^ +[0-9.]+ s  green ' $AT_TMP/demo.out"
at_check "demo.wav is written" test -s "$AT_TMP/demo.wav"
len=$(sox "$AT_TMP/demo.wav" -n stat 2>&1 | awk '/^Length/ {print $3}')
peak=$(sox "$AT_TMP/demo.wav" -n stat 2>&1 | awk '/^Maximum amplitude/ {print $3}')
at_check "demo.wav lasts the asked 4 s (got ${len:-?})" \
    awk -v l="${len:-0}" 'BEGIN { exit !(l > 3.9 && l < 4.2) }'
at_check "demo.wav is not silent (peak ${peak:-?})" awk -v p="${peak:-0}" 'BEGIN { exit !(p > 0.01) }'
at_check "demo.wav is stereo" bash -c "soxi -c $AT_TMP/demo.wav | grep -qx 2"
at_check "the report gives length and peak" grep -qE "wrote .*demo.wav: [0-9.]+ s, peak [0-9.]+" \
    "$AT_TMP/demo.out"
at_check "the demo's JACK server is gone afterwards" \
    bash -c "for i in \$(seq 50); do jack_wait -s $SRV -c 2>/dev/null | grep -qx running || exit 0; sleep 0.1; done; exit 1"
at_done
