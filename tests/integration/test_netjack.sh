#!/bin/bash
# NetJACK2 between two "machines": two network namespaces joined by a veth
# pair (addresses from TEST-NET-2, only on that link; nothing leaves the
# machine), a private jackd in each under its own server name. The master
# runs the dummy backend and loads netmanager; the slave is `jackd -d net`
# joined to it over multicast. Checks that the slave appears on the master
# with audio and MIDI ports, and measures what the link adds: the audio
# round trip (jack_iodelay) and the MIDI round trip (at-probe) through a
# loop on the slave, with the MIDI events lost on the way. The figures are
# printed as "# measured ..." lines (docs/sessions.md quotes them).
#   NJ_LATENCY=N   the slave's -l (default 2, aiotone-session's default)
. "$(dirname "$0")/lib.sh"
T=$AT_TOOLS
LAT=${NJ_LATENCY:-2}
PERIOD=256
MASTER=aiotone-njm-$$-$RANDOM
SLAVE_SRV=aiotone-njs-$$-$RANDOM
SLAVE=remote$$ # the slave's client name on the master

at_netns_pair nj "NetJACK2 between network namespaces"

# jack_* tools run outside the namespaces: JACK talks over /dev/shm, which
# the namespaces share; only the UDP traffic crosses the veth.
m() { JACK_DEFAULT_SERVER=$MASTER "$@"; }
s() { JACK_DEFAULT_SERVER=$SLAVE_SRV "$@"; }

at_spawn jackd ip netns exec "$NSA" jackd -n "$MASTER" -d dummy -r 48000 -p $PERIOD
at_check "master jackd (dummy backend) starts" m jack_wait -w -t 10
at_check "netmanager loads into the master" m jack_load netmanager
at_keep_cpus_awake
at_spawn slave ip netns exec "$NSB" jackd -n "$SLAVE_SRV" -d net -C 2 -P 2 -i 1 -o 1 \
    -n "$SLAVE" -l "$LAT"
at_check "slave jackd (-d net) starts and joins" s jack_wait -w -t 20
JACK_DEFAULT_SERVER=$MASTER at_wait_port "$SLAVE:midi_from_slave_1" 10
m jack_lsp -t >"$AT_TMP/master-ports"
s jack_lsp -t >"$AT_TMP/slave-ports"
at_check "the slave is a client of the master with audio ports both ways" bash -c "
    [ \"\$(grep -A1 -xF '$SLAVE:to_slave_1' $AT_TMP/master-ports | sed -n 2p)\" = \$'\t32 bit float mono audio' ] &&
    [ \"\$(grep -A1 -xF '$SLAVE:from_slave_2' $AT_TMP/master-ports | sed -n 2p)\" = \$'\t32 bit float mono audio' ]"
at_check "and MIDI ports both ways" bash -c "
    [ \"\$(grep -A1 -xF '$SLAVE:midi_to_slave_1' $AT_TMP/master-ports | sed -n 2p)\" = \$'\t8 bit raw midi' ] &&
    [ \"\$(grep -A1 -xF '$SLAVE:midi_from_slave_1' $AT_TMP/master-ports | sed -n 2p)\" = \$'\t8 bit raw midi' ]"
at_check "the slave server has the matching system ports" bash -c "
    grep -qxF system:capture_2 $AT_TMP/slave-ports && grep -qxF system:playback_2 $AT_TMP/slave-ports &&
    grep -qxF system:midi_capture_1 $AT_TMP/slave-ports && grep -qxF system:midi_playback_1 $AT_TMP/slave-ports"

# A loop on the slave: what arrives from the master goes straight back.
s jack_connect system:capture_1 system:playback_1
s jack_connect system:midi_capture_1 system:midi_playback_1

# Audio: jack_iodelay's impulse train, first in a loop on the master
# alone (its own feedback edge costs a period), then out to the slave and
# back; the link adds the difference.
iodelay() { # LOGNAME [TO FROM]; sets IOD to the frames measured
    at_spawn "$1" env JACK_DEFAULT_SERVER="$MASTER" jack_iodelay
    JACK_DEFAULT_SERVER=$MASTER at_wait_port jack_delay:in 5
    if [ -n "$2" ]; then
        m jack_connect jack_delay:out "$2"
        m jack_connect "$3" jack_delay:in
    else
        m jack_connect jack_delay:out jack_delay:in
    fi
    at_wait_log "$1" "total roundtrip latency" 15
    sleep 2
    at_kill "$1"
    IOD=$(grep -oE '^ *[0-9.]+ frames' "$AT_TMP/$1.log" | tail -n 1 | awk '{printf "%d", $1}')
}
iodelay iolocal "" ""
BASE=$IOD
iodelay iolink "$SLAVE:to_slave_1" "$SLAVE:from_slave_1"
LOOP=$IOD
AUDIO=$((${LOOP:-0} - ${BASE:-0}))
echo "# measured: audio loop on the master ${BASE:-none} frames, through the slave ${LOOP:-none}: the link adds $AUDIO frames (period $PERIOD, -l $LAT)"
at_check "audio crosses the link and comes back (${LOOP:-no} frames)" test -n "$LOOP" -a -n "$BASE"
at_check "the link adds whole periods to audio: $AUDIO = k * $PERIOD, k >= 1" \
    test "$AUDIO" -ge $PERIOD -a $((AUDIO % PERIOD)) -eq 0

# MIDI round trip: 60 distinct notes, one every 8 cycles, from cycle 200
# (about a second: the first second after a slave joins may lose packets).
N=60
for ((i = 0; i < N; i++)); do
    printf '%d:%d:90 %02x 40\n' $((200 + 8 * i)) $((i * 3 % PERIOD)) $((30 + i))
done >"$AT_TMP/events"
JACK_DEFAULT_SERVER=$MASTER "$T/at-probe" -n probe$$ -c $((200 + 8 * N + 40)) -x \
    -o "$SLAVE:midi_to_slave_1" -i "$SLAVE:midi_from_slave_1" -E "$AT_TMP/events" \
    >"$AT_TMP/midi.out" 2>"$AT_TMP/midi.err"
# Latency of each received note = its frame minus the frame it was sent at.
awk -v P=$PERIOD '
    NR == FNR { split($0, a, ":"); split(a[3], b, " "); sent[b[2]] = a[1] * P + a[2]; next }
    /^#/ { next }
    { note = $4; if (note in sent) print $1 * P + $2 - sent[note] }' \
    "$AT_TMP/events" "$AT_TMP/midi.out" >"$AT_TMP/midi.lat"
GOT=$(wc -l <"$AT_TMP/midi.lat")
MIDI=$(sort -n "$AT_TMP/midi.lat" | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
SAME=$(sort -n "$AT_TMP/midi.lat" | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
echo "# measured: MIDI round trip ${MIDI:-none} frames for $SAME of $GOT received; lost $((N - GOT)) of $N"
echo "# measured: master xruns $(grep -cE 'XRun' "$AT_TMP/jackd.log"), slave log lines on lost packets: $(grep -ciE 'missing|lost' "$AT_TMP/slave.log")"
at_check "MIDI crosses the link and comes back ($GOT of $N)" test "$GOT" -ge $((N / 2))
at_check "every note that came back is one that was sent, byte for byte" \
    bash -c "! grep -v '^#' $AT_TMP/midi.out | grep -vE '^[0-9]+ [0-9]+ 90 [0-9a-f]{2} 40$'"
at_check "MIDI and audio take the same time across the link ($MIDI = $AUDIO frames)" test "${MIDI:-x}" = "${AUDIO:-y}"
at_check "and steady: one latency for at least 90% of the notes back ($SAME of $GOT)" \
    test "${SAME:-0}" -ge $((GOT * 9 / 10))
at_done
