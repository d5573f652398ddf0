#!/bin/bash
# OSC security with real sockets: the port binds to loopback unless the
# config opens it; a sender that is not on osc.allow cannot change
# anything (it gets an error), one that is can. The remote sender lives in
# a network namespace this test makes (addresses from TEST-NET-2, only on
# a veth pair between the namespaces; nothing leaves the machine).
. "$(dirname "$0")/lib.sh"
T=$AT_TOOLS
NS=at-osc-$$
VA=ata$$
VB=atb$$
# A /30 of the documentation range 198.51.100.0/24 of its own, so two
# runs side by side do not put the same address on two links.
SUB=$((4 * ($$ % 64)))
HOST_IP=198.51.100.$((SUB + 1))
PEER_IP=198.51.100.$((SUB + 2))

cleanup_net() {
    ip netns del "$NS" 2>/dev/null
    ip link del "$VA" 2>/dev/null
}
trap 'cleanup_net; at_cleanup' EXIT

if ! ip netns add "$NS" 2>/dev/null; then
    echo "ok - allow-list over a network namespace # SKIP cannot create network namespaces here"
    at_done
fi
ip link add "$VA" type veth peer name "$VB" &&
    ip link set "$VB" netns "$NS" &&
    ip addr add "$HOST_IP/30" dev "$VA" && ip link set "$VA" up &&
    ip netns exec "$NS" ip addr add "$PEER_IP/30" dev "$VB" &&
    ip netns exec "$NS" ip link set "$VB" up &&
    ip netns exec "$NS" ip link set lo up
at_check "test network set up" bash -c "ip netns exec $NS ip -4 addr show dev $VB | grep -q $PEER_IP"

at_start_jackd
PORT=$((20000 + RANDOM % 20000))

# 1. Default: loopback only; the other host gets no answer at all.
at_spawn t1 "$T/at-thru" -n t1 --osc-port $PORT
at_wait_port t1:midi_in
at_check "default bind is loopback" at_wait_log t1 "OSC on 127.0.0.1:$PORT" 5
"$T/at-osc" 127.0.0.1 $PORT /thru/get s transpose >"$AT_TMP/local.out"
at_check "a local surface is answered" grep -qx "/thru/transpose i 0" "$AT_TMP/local.out"
ip netns exec "$NS" "$T/at-osc" -w 600 $HOST_IP $PORT /thru/get s transpose >"$AT_TMP/far0.out"
at_check "another host cannot even reach the default port" test ! -s "$AT_TMP/far0.out"
at_kill t1

# far_transpose NAME ALLOW: at-thru NAME with OSC open on every address and
# osc.allow = [ALLOW]; a sender in the other namespace sets transpose to 5;
# its replies in $AT_TMP/NAME.far.
far_transpose() {
    printf 'osc = { port = %s; bind = "0.0.0.0"; allow = [ %s ]; };\n' "$PORT" "$2" >"$AT_TMP/$1.conf"
    at_spawn "$1" "$T/at-thru" -n "$1" -c "$AT_TMP/$1.conf"
    at_wait_port "$1:midi_in"
    at_wait_log "$1" "OSC on 0.0.0.0:$PORT" 5
    ip netns exec "$NS" "$T/at-osc" -w 600 $HOST_IP $PORT /thru/transpose i 5 >"$AT_TMP/$1.far"
}

# 2. Opened to the network, nobody allowed: reads answered, changes refused.
far_transpose t2 ""
at_check "a sender not on osc.allow is refused" \
    grep -q "^/thru/error ss /thru/transpose not allowed" "$AT_TMP/t2.far"
"$T/at-osc" 127.0.0.1 $PORT /thru/get s transpose >"$AT_TMP/local2.out"
at_check "and nothing changed" grep -qx "/thru/transpose i 0" "$AT_TMP/local2.out"
at_kill t2

# 3. The peer on the allow-list (as a network) may change parameters.
far_transpose t3 '"198.51.100.0/24"'
at_check "an allowed sender changes a parameter and hears the echo" \
    grep -qx "/thru/transpose i 5" "$AT_TMP/t3.far"
at_kill t3
at_done
