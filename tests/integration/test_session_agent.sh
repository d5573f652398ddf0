#!/bin/bash
# aiotone-session agent between two "machines" (two network namespaces
# joined by a veth pair; addresses from TEST-NET-2 on that link only):
# a sender not on the allow-list, or without the secret, starts nothing
# and is logged; the agent starts only what the session names on its
# host; with the right secret it starts a NetJACK2 slave that joins the
# master's server (dummy backend + netmanager) and the session's remote
# fmsynth on it, and restarts that fmsynth when it dies.
. "$(dirname "$0")/lib.sh"
T=$AT_TOOLS
at_agent_names ag
PORT2=$((PORT + 1))

at_netns_pair ag "the agent between network namespaces"

echo "$SECRET" >"$AT_TMP/secret"
cat >"$AT_TMP/session.conf" <<CONF
jack = { server = "$MASTER"; driver = "dummy"; };
hosts = ( { name = "$HOST"; address = "$IPB"; port = $PORT; secret = "$SECRET"; } );
clients = (
  { id = "fm"; command = "aiotone-fmsynth"; host = "$HOST"; },
  { id = "clock"; command = "aiotone-clock"; }
);
CONF
SESSION=$(cat "$AT_TMP/session.conf")

# From the master's namespace: at-osc HOST PORT PATH TYPES ARGS...
tell() { ip netns exec "$NSA" "$T/at-osc" -w 800 "$@"; }
children() { pgrep -P "$1" | wc -l; }

# 1. An agent whose allow-list does not hold the master's address.
at_spawn agent1 ip netns exec "$NSB" "$AT_BIN/aiotone-session" agent --listen "$IPB:$PORT2" \
    --allow 198.51.100.250/32 --secret-file "$AT_TMP/secret" --dir "$AT_TMP/agent1" \
    --server "$SLAVE_SRV-x"
at_check "agent 1 listens" at_wait_log agent1 "listening on $IPB:$PORT2" 5
tell "$IPB" $PORT2 /aiotone/agent/session sss "$SECRET" "$HOST" "$SESSION" >"$AT_TMP/far1.out"
tell "$IPB" $PORT2 /aiotone/agent/join s "$SECRET" >>"$AT_TMP/far1.out"
at_check "a sender not on the allow-list is refused, even with the secret" \
    grep -q "^/aiotone/agent/error ss /aiotone/agent/join sender not on the allow-list" "$AT_TMP/far1.out"
at_check "and logged with its address" \
    at_wait_log agent1 "refused /aiotone/agent/join from $IPA:[0-9]+: sender not on the allow-list" 3
at_check "and nothing was started" test "$(children "$AT_PID_agent1")" -eq 0
at_kill agent1

# 2. The master's address allowed; wrong or missing secret.
at_spawn agent ip netns exec "$NSB" "$AT_BIN/aiotone-session" agent --listen "$IPB:$PORT" \
    --allow "$IPA/32" --secret-file "$AT_TMP/secret" --dir "$AT_TMP/agent" --server "$SLAVE_SRV"
at_check "the agent listens on the address it was given" at_wait_log agent "listening on $IPB:$PORT" 5
tell "$IPB" $PORT /aiotone/agent/session sss "wrong-secret" "$HOST" "$SESSION" >"$AT_TMP/w1.out"
tell "$IPB" $PORT /aiotone/agent/join >"$AT_TMP/w2.out"
tell "$IPB" $PORT /aiotone/agent/start ss "${SECRET}x" fm >"$AT_TMP/w3.out"
at_check "a wrong secret is refused" grep -q "wrong or missing secret" "$AT_TMP/w1.out"
at_check "no secret is refused" grep -q "wrong or missing secret" "$AT_TMP/w2.out"
at_check "a longer secret is refused" grep -q "wrong or missing secret" "$AT_TMP/w3.out"
at_check "each refusal is logged" bash -c "[ \$(grep -c 'refused .* wrong or missing secret' $AT_TMP/agent.log) -eq 3 ]"
at_check "and nothing was started" test "$(children "$AT_PID_agent")" -eq 0

# 3. The right secret: the session, then only what it names on this host.
tell "$IPB" $PORT /aiotone/agent/start ss "$SECRET" fm >"$AT_TMP/n0.out"
at_check "no start before the session is known" grep -q "no session yet" "$AT_TMP/n0.out"
tell "$IPB" $PORT /aiotone/agent/session sss "$SECRET" "$HOST" "$SESSION" >"$AT_TMP/s.out"
at_check "the session is accepted" grep -qx "/aiotone/agent/ok ss session $HOST" "$AT_TMP/s.out"
tell "$IPB" $PORT /aiotone/agent/start ss "$SECRET" clock >"$AT_TMP/n1.out"
tell "$IPB" $PORT /aiotone/agent/start ss "$SECRET" sh >"$AT_TMP/n2.out"
at_check "a client the session runs on another host is not started here" \
    grep -q "names no such client on this host" "$AT_TMP/n1.out"
at_check "a client the session does not name is not started" \
    grep -q "names no such client on this host" "$AT_TMP/n2.out"
tell "$IPB" $PORT /aiotone/agent/session sss "$SECRET" "$HOST" \
    "hosts = ( { name = \"$HOST\"; address = \"$IPB\"; secret = \"$SECRET\"; } );
     clients = ( { id = \"x\"; command = \"/bin/sh\"; host = \"$HOST\"; } );" >"$AT_TMP/n3.out"
at_check "a session naming a path instead of a program is refused" \
    grep -q "must be a bare program name" "$AT_TMP/n3.out"
at_check "still nothing started" test "$(children "$AT_PID_agent")" -eq 0

# 4. Join: the slave starts and appears on the master; fm starts on it.
at_spawn jackd ip netns exec "$NSA" jackd -n "$MASTER" -d dummy -r 48000 -p 256
at_check "master jackd starts" env JACK_DEFAULT_SERVER="$MASTER" jack_wait -w -t 10
at_check "netmanager loads" env JACK_DEFAULT_SERVER="$MASTER" jack_load netmanager
at_keep_cpus_awake
tell "$IPB" $PORT /aiotone/agent/join s "$SECRET" >"$AT_TMP/j.out"
at_check "join is answered" grep -qx "/aiotone/agent/ok ss join $SLAVE_SRV" "$AT_TMP/j.out"
at_check "the slave joins: $HOST appears on the master with its ports" \
    env JACK_DEFAULT_SERVER="$MASTER" bash -c ". $AT_ROOT/tests/integration/lib.sh; at_wait_port $HOST:from_slave_1 20"
at_check "the slave was started with the host's settings" \
    at_wait_log agent "jackd -n $SLAVE_SRV -d net -C 2 -P 2 -i 1 -o 1 -n $HOST -l 2" 1
echo 'audio = { polyphony = 4; };' >"$AT_TMP/fm.state"
tell "$IPB" $PORT /aiotone/agent/start sss "$SECRET" fm "$(cat "$AT_TMP/fm.state")" >"$AT_TMP/f.out"
at_check "fm is started" grep -qx "/aiotone/agent/ok ss start fm" "$AT_TMP/f.out"
at_check "its state file was written on the host" \
    test "$(cat "$AT_TMP/agent/fm.conf")" = "$(cat "$AT_TMP/fm.state")"
at_check "fm was started as an NSM client of the agent" \
    at_wait_log agent "started client 'fm' \(.*aiotone-fmsynth, pid [0-9]+, NSM\)" 1
at_check "and opened its state there" at_wait_log agent "client 'fm' is open" 10
at_check "fm runs on the slave server" \
    env JACK_DEFAULT_SERVER="$SLAVE_SRV" bash -c ". $AT_ROOT/tests/integration/lib.sh; at_wait_port fm:out_L 10"
PID1=$(pgrep -P "$AT_PID_agent" -f aiotone-fmsynth)
at_check "status lists the host and its client" bash -c "
    ip netns exec $NSA $T/at-osc -w 800 $IPB $PORT /aiotone/agent/status s $SECRET |
    grep -qx '/aiotone/agent/status s client fm running'"

# 5. fm dies: the agent starts it again.
kill -KILL "$PID1"
at_check "a dead remote client is restarted" at_wait_log agent "client 'fm' died: restarting" 5
sleep 1.5
PID2=$(pgrep -P "$AT_PID_agent" -f aiotone-fmsynth)
at_check "a new fm runs ($PID1 -> $PID2)" test -n "$PID2" -a "$PID2" != "$PID1"
at_check "and its ports are back on the slave" \
    env JACK_DEFAULT_SERVER="$SLAVE_SRV" bash -c ". $AT_ROOT/tests/integration/lib.sh; at_wait_port fm:out_L 10"
at_kill agent
at_check "stopping the agent ends its slave (the host leaves the master)" bash -c "
    for i in \$(seq 50); do JACK_DEFAULT_SERVER=$MASTER jack_lsp | grep -q '^$HOST:' || exit 0; sleep 0.2; done; exit 1"
at_done
