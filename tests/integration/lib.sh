# lib.sh - shared helpers for integration tests (source it from bash).
#
#   . "$(dirname "$0")/lib.sh"
#   at_start_jackd [RATE] [PERIOD]  private dummy jackd, unique server name,
#                                   exported as JACK_DEFAULT_SERVER
#   at_session_start                at_start_jackd 48000 256, the test tools
#                                   on PATH, S = the session manager
#   at_spawn NAME CMD...            background process, log $AT_TMP/NAME.log;
#                                   pid in AT_PID_<NAME>; killed at exit
#   at_kill NAME                    stop a spawned process (TERM, then KILL)
#   at_wait_port PORT [SECONDS]     wait until a JACK port exists
#   at_check_ports CLIENT PORT...   a check "port CLIENT:PORT exists" for each
#   at_midi_dump PORT               jack_midi_dump (spawned as "dump", log
#                                   $AT_TMP/dump.log) listening to PORT
#   at_wait_file FILE [SECONDS]     wait until a file exists and is non-empty
#   at_wait_log NAME REGEX [SECS]   wait until NAME's log matches REGEX
#   at_check "description" CMD...   run CMD: "ok - desc" or "not ok - desc"
#   at_ok / at_fail "description"   record a result directly
#   at_done                         print the summary; exit 1 on failure
#   at_write_smf OUT.mid            a MIDI file from "FRAME HEXBYTES" lines on stdin
#   at_netns_pair TAG WHAT          two network namespaces joined by a veth
#                                   pair stand in for two machines (root)
#   at_agent_names TAG              MASTER, SLAVE_SRV, HOST, SECRET, PORT for
#                                   a session across two hosts
#   at_bad_config PROG TEXT REGEX   PROG -c (a file with TEXT) exits 2 with a
#                                   message matching REGEX
#   at_osc_check "desc" GREP-OPT PATTERN PORT PATH [TYPES [ARG...]]
#                                   one OSC message (at-osc); a check that
#                                   the reply matches (grep GREP-OPT)
#   at_fm_phrase                    a short FM synth phrase (FRAME HEX lines)
#   at_note_balance FILE            every note-on of an at-probe recording
#                                   has its note-off
#   $AT_OSC_PY PORT PATH [T V]...   send one OSC message, print the replies
#
# Every process started here (jackd included) is killed when the script
# exits, whatever the reason (failure, timeout signal, ^C).
set -u
# Each test script gets its own /dev/shm when it can (root and util-linux
# unshare): JACK2 keeps the metadata of every server on the machine in one
# database, /dev/shm/jack_db-UID, and port UUIDs are numbered alike on
# every server, so two tests side by side overwrite and delete each other's
# port metadata (seen: a port's pretty-name replaced by another server's).
# A private tmpfs gives the script its own JACK registry and database; the
# processes it starts inherit it. AT_SHARED_SHM=1 turns this off.
if [ -z "${AT_PRIVATE_SHM:-}" ] && [ "${AT_SHARED_SHM:-0}" != 1 ] && [ "$(id -u)" = 0 ] &&
    unshare --mount --propagation private true 2>/dev/null; then
    export AT_PRIVATE_SHM=1
    exec unshare --mount --propagation private -- bash -c \
        'mount -t tmpfs -o mode=1777 aiotone-shm /dev/shm ||
             echo "# could not mount a private /dev/shm: JACK metadata is shared" >&2
         exec bash "$@"' bash "$0" "$@"
fi
AT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$AT_ROOT/$BUILD ;; esac
AT_BIN=$BUILD/bin
export AT_TOOLS=$BUILD/tests/tools # (at_wait_port needs it in bash -c "$(declare -f ...)" checks)
AT_OSC_PY=$AT_ROOT/tests/integration/osc-send.py # PORT PATH [TYPE VALUE]...
AT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/aiotone-test.XXXXXX")
AT_FAILS=0
AT_PASSES=0
AT_PIDS=()
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1

# Stop one process: TERM, wait up to $2 tenths of a second, then KILL.
at_stop_pid() {
    local pid=$1 tenths=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < tenths; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
}

# Clients are stopped one at a time, newest first (jackd 1.9.21 can wedge
# when many clients close at once), and jackd last with time to release
# its server slot (a killed jackd keeps one of JACK's 8 slots).
at_cleanup() {
    local i pid jack_pid=${AT_PID_jackd:-}
    for ((i = ${#AT_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${AT_PIDS[$i]}
        [ "$pid" = "$jack_pid" ] && continue
        at_stop_pid "$pid" 30
    done
    for pid in "${AT_PIDS[@]}"; do
        [ "$pid" = "$jack_pid" ] || continue
        at_stop_pid "$pid" 100
    done
    wait 2>/dev/null
    # JACK's own xrun reports (its private servers log them): the test
    # runner measures a failed test again when JACK broke real time in it.
    if [ -n "$jack_pid" ]; then
        echo "# jack-xruns: $(cat "$AT_TMP"/*.log 2>/dev/null | grep -cE 'JackEngine::XRun|Process XRun')"
    fi
    if [ "${AT_KEEP_TMP:-0}" = 1 ]; then
        echo "# kept $AT_TMP"
    else
        rm -rf "$AT_TMP"
    fi
}
trap at_cleanup EXIT
trap 'exit 130' INT TERM HUP

at_ok() {
    AT_PASSES=$((AT_PASSES + 1))
    echo "ok - $1"
}

at_fail() {
    AT_FAILS=$((AT_FAILS + 1))
    echo "not ok - $1"
}

at_check() {
    local desc=$1
    shift
    if "$@" >"$AT_TMP/check.out" 2>&1; then
        at_ok "$desc"
    else
        at_fail "$desc"
        echo "#   command: $*"
        sed 's/^/#   /' "$AT_TMP/check.out" | head -n 30
    fi
}

at_spawn() {
    local name=$1
    shift
    "$@" >"$AT_TMP/$name.log" 2>&1 &
    local pid=$!
    AT_PIDS+=("$pid")
    printf -v "AT_PID_$name" '%s' "$pid"
}

at_kill() {
    local var="AT_PID_$1"
    local pid=${!var:-}
    [ -n "$pid" ] || return 0
    at_stop_pid "$pid" 50
    wait "$pid" 2>/dev/null
    return 0
}

# On a virtual machine an idle CPU halts, and waking it for JACK's next
# cycle can take longer than a period: measured here, a samplesnake run
# on an idle machine saw 22-127 xruns, and none with these spinners. One
# SCHED_IDLE busy loop per CPU keeps the CPUs awake (like idle=poll on a
# low-latency machine); any other thread takes the CPU from it at once.
# AT_KEEP_AWAKE=0 leaves them out.
at_keep_cpus_awake() {
    local i
    [ "${AT_KEEP_AWAKE:-1}" = 1 ] || return 0
    for ((i = 0; i < $(nproc); i++)); do
        at_spawn "awake$i" chrt -i 0 bash -c 'while :; do :; done'
    done
}

at_start_jackd() {
    local rate=${1:-48000} period=${2:-256} try
    # jackd refuses to start while too many servers run at once (parallel
    # test runs): try again a few times before calling it a failure.
    for try in 1 2 3 4 5; do
        export JACK_DEFAULT_SERVER="aiotone-test-$$-$RANDOM"
        at_spawn jackd jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r "$rate" -p "$period"
        if jack_wait -w -t 10 >/dev/null 2>&1; then
            at_keep_cpus_awake
            return 0
        fi
        echo "# jackd did not start (try $try):"
        sed 's/^/#   /' "$AT_TMP/jackd.log"
        at_kill jackd
        sleep $try
    done
    at_fail "private jackd starts"
    at_done
}

# at_session_start: for the session manager's tests: a private JACK server
# (48000 Hz, 256 frames), the test tools on PATH (sessions start clients
# by command name) and S, the manager's binary.
at_session_start() {
    at_start_jackd 48000 256
    export PATH=$AT_TOOLS:$PATH
    S=$AT_BIN/aiotone-session
}

# at_session_pid DIR ID: the pid `aiotone-session status DIR` shows for
# client ID (nothing when it has none).
at_session_pid() {
    "$AT_BIN/aiotone-session" status "$1" |
        awk -v id="$2" '$1 == id {for (i = 1; i < NF; i++) if ($i == "pid") print $(i + 1)}'
}

# One JACK client for the whole wait, not a jack_lsp every 50 ms: a client
# closing while a tool opens its own can wedge the graph in libjack 1.9.21
# (tests/tools/at-waitport.c).
at_wait_port() {
    local port=$1 secs=${2:-10}
    "$AT_TOOLS/at-waitport" -t "$secs" "$port" && return 0
    echo "# port $port did not appear within ${secs}s" >&2
    return 1
}

# at_wait_conn FROM TO [SECONDS]: until port FROM is connected to TO (the
# same single client as at_wait_port).
at_wait_conn() {
    local from=$1 to=$2 secs=${3:-10}
    "$AT_TOOLS/at-waitport" -t "$secs" "$from" "$to" && return 0
    echo "# $from -> $to not connected" >&2
    return 1
}

at_check_ports() {
    local client=$1 p
    shift
    for p in "$@"; do
        at_check "port $client:$p exists" at_wait_port "$client:$p"
    done
}

at_midi_dump() {
    at_spawn dump stdbuf -oL jack_midi_dump -a
    at_wait_port midi-monitor:input
    jack_connect "$1" midi-monitor:input
}

at_wait_file() {
    local f=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        [ -s "$f" ] && return 0
        sleep 0.05
    done
    return 1
}

at_wait_log() {
    local name=$1 re=$2 secs=${3:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qE "$re" "$AT_TMP/$name.log" 2>/dev/null && return 0
        sleep 0.05
    done
    # What the log said instead, so a failure in CI can be read from its
    # output (the runner prints a failed check's "#" lines).
    {
        echo "no line matching '$re' in $name.log after $secs s; its last lines:"
        tail -n 12 "$AT_TMP/$name.log" 2>/dev/null
    } >&2
    return 1
}

at_done() {
    echo "# $AT_PASSES passed, $AT_FAILS failed"
    [ "$AT_FAILS" -eq 0 ] || exit 1
    exit 0
}

# at_netns_pair TAG WHAT: two network namespaces joined by a veth pair,
# standing in for two machines (docs/sessions.md, "Studios across
# machines"). Sets NSA and NSB (the namespaces), VA and VB (the veth ends
# in them), IPA and IPB (a /30 of 198.51.100.0/24 of this run's own, so two
# runs side by side never put one address on two links), with a multicast
# route on each end for NetJACK2. All is removed at exit, after the
# processes that hold it. Where namespaces cannot be made (not root), WHAT
# is reported skipped and the script ends.
at_netns_pair() {
    local tag=$1 what=$2 sub=$((4 * ($$ % 64)))
    NSA=at-${tag}a-$$ NSB=at-${tag}b-$$ VA=${tag}a$$ VB=${tag}b$$
    IPA=198.51.100.$((sub + 1)) IPB=198.51.100.$((sub + 2))
    trap 'at_cleanup; at_netns_cleanup' EXIT
    if ! ip netns add "$NSA" 2>/dev/null; then
        echo "ok - $what # SKIP cannot create network namespaces here"
        at_done
    fi
    ip netns add "$NSB" &&
        ip link add "$VA" type veth peer name "$VB" &&
        ip link set "$VA" netns "$NSA" && ip link set "$VB" netns "$NSB" &&
        ip -n "$NSA" addr add "$IPA/30" dev "$VA" && ip -n "$NSB" addr add "$IPB/30" dev "$VB" &&
        ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up &&
        ip -n "$NSA" link set "$VA" up && ip -n "$NSB" link set "$VB" up &&
        ip -n "$NSA" route add 224.0.0.0/4 dev "$VA" && ip -n "$NSB" route add 224.0.0.0/4 dev "$VB"
    at_check "two namespaces joined by a veth pair with a multicast route" \
        bash -c "ip -n $NSB route show | grep -q '^224.0.0.0/4 dev $VB'"
}

# at_agent_names TAG: names for a session across two hosts: the JACK
# servers MASTER (aiotone-TAGm-PID-N) and SLAVE_SRV (aiotone-TAGs-PID-N),
# the remote host's name HOST, the agent's SECRET and a random PORT.
at_agent_names() {
    MASTER=aiotone-${1}m-$$-$RANDOM
    SLAVE_SRV=aiotone-${1}s-$$-$RANDOM
    HOST=pi$$
    SECRET=s3cret-$$-$RANDOM
    PORT=$((20000 + RANDOM % 20000))
}

at_netns_cleanup() {
    ip netns del "$NSA" 2>/dev/null
    ip netns del "$NSB" 2>/dev/null
    ip link del "$VA" 2>/dev/null
    return 0
}

# at_vlq N: N as a MIDI variable-length quantity (hex bytes).
at_vlq() {
    local v=$1 out
    out=$(printf '%02x' $((v & 0x7f)))
    v=$((v >> 7))
    while ((v > 0)); do
        out="$(printf '%02x' $(((v & 0x7f) | 0x80))) $out"
        v=$((v >> 7))
    done
    echo "$out"
}
# at_write_smf OUT.mid: a Standard MIDI File where one tick is one frame at
# 48 kHz (480 ticks per quarter, 10 ms per quarter) from "FRAME HEXBYTES"
# lines on stdin.
at_write_smf() {
    local last=0 frame bytes trk="00 ff 51 03 00 27 10"
    while read -r frame bytes; do
        trk="$trk $(at_vlq $((frame - last))) $bytes"
        last=$frame
    done
    trk="$trk 00 ff 2f 00"
    local len=$(($(wc -w <<<"$trk")))
    local hex="4d 54 68 64 00 00 00 06 00 00 00 01 01 e0 4d 54 72 6b"
    hex="$hex $(printf '%02x %02x %02x %02x' $((len >> 24 & 255)) $((len >> 16 & 255)) \
        $((len >> 8 & 255)) $((len & 255))) $trk"
    printf "$(sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g' <<<"$hex")" >"$1"
}

# at_bad_config PROG TEXT REGEX: PROG started with a config file holding
# TEXT refuses it: exit status 2 and a message matching REGEX (shown when
# not).
at_bad_config() {
    printf '%s\n' "$2" >"$AT_TMP/bad.conf"
    "$1" -c "$AT_TMP/bad.conf" >"$AT_TMP/bad.log" 2>&1
    local rc=$?
    [ $rc = 2 ] || { echo "exit $rc"; cat "$AT_TMP/bad.log"; return 1; }
    grep -qE "$3" "$AT_TMP/bad.log" || { cat "$AT_TMP/bad.log"; return 1; }
}

# at_osc_check DESC GREP-OPT PATTERN PORT PATH [TYPES [ARG...]]: send one
# OSC message to 127.0.0.1:PORT with at-osc; a check DESC that its reply
# ($AT_TMP/osc.out) matches PATTERN with grep GREP-OPT (-q: some line
# matches the regex, -qx: a whole line is PATTERN).
at_osc_check() {
    local desc=$1 opt=$2 pattern=$3
    shift 3
    "$AT_TOOLS/at-osc" -- 127.0.0.1 "$@" >"$AT_TMP/osc.out"
    at_check "$desc" grep "$opt" -- "$pattern" "$AT_TMP/osc.out"
}

# at_note_balance FILE: in an at-probe recording (CYCLE OFFSET STATUS NOTE
# VELOCITY; lines starting with # are left out) every note-on has its
# note-off by the end; prints what still sounds (channel, note, count)
# and fails otherwise.
at_note_balance() {
    awk '/^#/ { next } $3 ~ /^9/ && $5 != "00" { on[substr($3, 2) " " $4]++ }
         $3 ~ /^8/ || ($3 ~ /^9/ && $5 == "00") { on[substr($3, 2) " " $4]-- }
         END { for (k in on) if (on[k] != 0) { print "sounding:", k, on[k]; bad = 1 } exit bad }' "$1"
}

# at_fm_phrase: a short phrase for the FM synth, FRAME HEXBYTES a line
# (at_write_smf's input), in frame order: all notes off, three notes with
# a pitch bend, the sustain pedal down and up, the mod wheel, expression.
at_fm_phrase() {
    cat <<'EOF'
0 b0 7b 00
522 90 3c 64
700 90 40 50
1100 e0 00 50
3000 b0 40 7f
4000 80 3c 00
6000 b0 01 60
9000 b0 40 00
12000 90 43 70
13000 b0 0b 50
20000 80 40 00
30000 80 43 00
EOF
}
