#!/bin/bash
# The aiotone demo: aiotone-clock drives aiotone-mothergen, whose three
# voices play three aiotone-fmsynth instances (three patches), mixed to
# the system output, on a private JACK server (dummy backend where there
# is no sound card). Shows a line per note and writes the mix to demo.wav.
#
#   scripts/demo.sh [SECONDS]        (default 20; or DEMO_SECONDS)
#   DEMO_WAV=/path/out.wav           where the mix goes (default ./demo.wav)
#   BUILD=build                      build directory
#   DEMO_SKIP_DEPS=1                 do not run scripts/install-deps.sh
#   DEMO_SKIP_BUILD=1                use the programs already in $BUILD/bin
#   DEMO_SERVER=NAME                 JACK server name (default aiotone-demo)
#
# Everything it starts is stopped at the end (also on ^C).
set -u
HERE=$(pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-${DEMO_SECONDS:-20}}
OUT=${DEMO_WAV:-$HERE/demo.wav}
case $OUT in /*) ;; *) OUT=$HERE/$OUT ;; esac
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bin
case $DURATION in '' | *[!0-9]*)
    echo "demo: SECONDS must be a whole number, not '$DURATION'" >&2
    exit 2
    ;;
esac

say() { printf 'demo: %s\n' "$*"; }

# 1. Dependencies and build (both idempotent and quick when done).
if [ "${DEMO_SKIP_DEPS:-0}" != 1 ]; then
    "$ROOT/scripts/install-deps.sh" || exit 1
fi
need="aiotone-session aiotone-clock aiotone-mothergen aiotone-fmsynth"
have_all() {
    local p
    for p in $need; do [ -x "$BIN/$p" ] || return 1; done
}
if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
    targets=""
    for p in $need; do targets="$targets $BIN/$p"; done
    blog=${TMPDIR:-/tmp}/aiotone-demo-build.$$.log
    # shellcheck disable=SC2086
    if ! make -C "$ROOT" -j2 --no-print-directory BUILD="$BUILD" $targets >"$blog" 2>&1; then
        if have_all; then
            say "warning: the build failed (see $blog); using the programs already built"
        else
            echo "demo: the build failed:" >&2
            tail -n 30 "$blog" >&2
            exit 1
        fi
    else
        rm -f "$blog"
    fi
fi
if ! have_all; then
    echo "demo: missing programs in $BIN (run make)" >&2
    exit 1
fi

# 2. A working copy of the session (the repository's copy stays clean).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aiotone-demo.XXXXXX")
cp "$ROOT"/sessions/demo/*.conf "$WORK/"
export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
export JACK_DEFAULT_SERVER=${DEMO_SERVER:-aiotone-demo}
sed -i "s/^\( *server = \)\"[^\"]*\"/\1\"$JACK_DEFAULT_SERVER\"/" "$WORK/session.conf"
# Without a sound card the server runs on the dummy backend, whose latency
# nobody hears: a 1024-frame period there lets a busy or virtual machine
# keep up (measured here: 108 xruns in a run at 256 frames, 0-9 at 1024).
# With a card the session's own period (256) stands. DEMO_PERIOD overrides.
period=${DEMO_PERIOD:-}
if [ -z "$period" ] && ! grep -qE '^ *[0-9]+ \[' /proc/asound/cards 2>/dev/null; then
    period=1024
fi
if [ -n "$period" ]; then
    sed -i "s/^\( *period = \)[0-9]*;/\1$period;/" "$WORK/session.conf"
fi
LOG=$WORK/session.log
SESS_PID="" VIEW_PID="" TAIL_PID="" REC_PID=""

cleanup() {
    [ -n "$REC_PID" ] && kill "$REC_PID" 2>/dev/null
    [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
    [ -n "$VIEW_PID" ] && kill "$VIEW_PID" 2>/dev/null
    if [ -n "$SESS_PID" ] && kill -0 "$SESS_PID" 2>/dev/null; then
        "$BIN/aiotone-session" stop "$WORK" >/dev/null 2>&1 || kill "$SESS_PID" 2>/dev/null
        wait "$SESS_PID" 2>/dev/null
    fi
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

wait_for() { # what seconds command...
    local what=$1 secs=$2 i
    shift 2
    for ((i = 0; i < secs * 20; i++)); do
        "$@" && return 0
        if ! kill -0 "$SESS_PID" 2>/dev/null; then break; fi
        sleep 0.05
    done
    echo "demo: $what did not happen; the session's messages:" >&2
    sed 's/^/  | /' "$LOG" >&2
    exit 1
}
port_exists() { jack_lsp 2>/dev/null | grep -qxF "$1"; }

# 3. The session: a private server, five tools, ten connections.
say "starting the session (clock -> mothergen -> 3 x fmsynth) on JACK server '$JACK_DEFAULT_SERVER'"
"$BIN/aiotone-session" run "$WORK" >"$LOG" 2>&1 &
SESS_PID=$!
wait_for "the session opening" 30 grep -qE "session open: .*connections made in" "$LOG"
grep -E "starting JACK server|session open:" "$LOG" | sed 's/^aiotone-session: /demo: /'

# 4. What is playing: a line per note, from the sequencer's three outputs
#    (red on channel 2, blue on 3, green on 4).
stdbuf -oL jack_midi_dump -a demo-view >"$WORK/notes.raw" 2>/dev/null &
VIEW_PID=$!
wait_for "the note display starting" 10 port_exists demo-view:input
for v in red blue green; do jack_connect "mothergen:$v" demo-view:input; done
RATE=$(jack_samplerate 2>/dev/null || echo 48000)
tail -n +1 -f "$WORK/notes.raw" | awk -v rate="$RATE" '
    function hex(s) { return (index(H, substr(s, 1, 1)) - 1) * 16 + index(H, substr(s, 2, 1)) - 1 }
    BEGIN { H = "0123456789abcdef"; split("C C# D D# E F F# G G# A A# B", nn, " ")
            v[1] = "red  "; v[2] = "blue "; v[3] = "green" }
    $2 ~ /^9[0-9a-f]$/ && $4 != "00" {
        t = $1; sub(/:$/, "", t)
        if (t0 == "") t0 = t
        ch = index(H, substr($2, 2, 1)) - 1
        n = hex($3)
        printf "  %6.2f s  %s  %-3s  (note %3d, velocity %d)\n", (t - t0) / rate, (ch in v ? v[ch] : "ch" ch + 1), nn[n % 12 + 1] int(n / 12) - 1, n, hex($4)
        fflush()
    }' &
TAIL_PID=$!

# 5. Record the mix: JACK sums every output connected to an input, as the
#    system output does.
say "playing for $DURATION s; recording the mix to $OUT"
jack_rec -f "$OUT" -d "$DURATION" -b 16 fm_red:out_L fm_red:out_R >"$WORK/rec.log" 2>&1 &
REC_PID=$!
wait_for "the recorder starting" 10 port_exists jackrec:input1
for s in blue green; do
    jack_connect "fm_$s:out_L" jackrec:input1
    jack_connect "fm_$s:out_R" jackrec:input2
done
wait "$REC_PID"
REC_PID=""
sleep 0.3
kill "$TAIL_PID" 2>/dev/null
TAIL_PID=""
notes=$(grep -cE '^ *[0-9]+: 9[0-9a-f] [0-9a-f]{2} [1-9a-f][0-9a-f]' "$WORK/notes.raw")

# 6. Stop everything and report.
"$BIN/aiotone-session" stop "$WORK" >/dev/null 2>&1
wait "$SESS_PID" 2>/dev/null
SESS_PID=""
if [ ! -s "$OUT" ]; then
    echo "demo: no recording was written; the recorder said:" >&2
    sed 's/^/  | /' "$WORK/rec.log" >&2
    exit 1
fi
stats=$(sox "$OUT" -n stat 2>&1)
len=$(awk '/^Length/ {print $3}' <<<"$stats")
peak=$(awk '/^Maximum amplitude/ {print $3}' <<<"$stats")
rms=$(awk '/^RMS +amplitude/ {print $3}' <<<"$stats")
say "played $notes notes; wrote $OUT: $len s, peak $peak, RMS $rms"
# Every tool reports the xruns JACK told it of ("N xruns (total M)").
xruns=$(grep -oE 'xruns \(total [0-9]+\)' "$LOG" | grep -oE '[0-9]+' | sort -n | tail -n 1)
if [ "${xruns:-0}" -gt 0 ]; then
    say "warning: JACK reported $xruns xruns (this machine missed real-time deadlines):" \
        "the recording may have gaps. On a virtual machine, idle CPUs are slow to wake."
fi
if ! awk -v p="$peak" 'BEGIN { exit !(p > 0.001) }'; then
    echo "demo: the recording is silent: something is not connected; the session's messages:" >&2
    sed 's/^/  | /' "$LOG" >&2
    exit 1
fi
exit 0
