#!/bin/bash
# aiotone-redblue's monome grid display against a fake serialosc
# (tests/tools/at-serialosc) on a private dummy JACK server: the grid is
# found when it appears, the 16x8 levels follow the held notes exactly
# (15 regular / power chord / red, 11 blue, the keyboard at 2 and 1, the
# mode keys), STOP leaves no note lit, a grid key switches the play mode
# as OSC does, a grid that goes away and comes back is shown again, and at
# exit the grid is dark (docs/redblue.md, "Monome grid").
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 1024
B=$AT_BIN
T=$AT_TOOLS
SP=$((20000 + RANDOM % 20000))
OSC=$((SP + 1))

# The fake serialosc reads commands from a FIFO held open here (fd 3); it
# starts with the grid unplugged, so redblue finds it only when it appears.
mkfifo "$AT_TMP/ctl"
exec 3<>"$AT_TMP/ctl"
# (Not through at_spawn: a background job's stdin would be /dev/null.)
"$T/at-serialosc" -p "$SP" -u <"$AT_TMP/ctl" >"$AT_TMP/sosc.log" 2>&1 &
AT_PID_sosc=$!
AT_PIDS+=("$AT_PID_sosc")
sctl() { echo "$*" >&3; }
at_check "the fake serialosc runs" at_wait_log sosc '^ready'

cat >"$AT_TMP/rb.conf" <<CONF
grid = { enabled = true; serialosc-port = $SP; };
osc = { port = $OSC; };
CONF
at_spawn rb "$B/aiotone-redblue" -c "$AT_TMP/rb.conf" -n gridrb
at_check "port gridrb:midi_in exists" at_wait_port gridrb:midi_in
at_check "redblue asks serialosc for its devices and for notifications" \
    bash -c "grep -q '^list ' '$AT_TMP/sosc.log' && grep -q '^notify ' '$AT_TMP/sosc.log'"
at_check "no grid yet: nothing taken" bash -c "! grep -q '^sys/' '$AT_TMP/sosc.log'"
sctl plug
at_check "a grid that appears later is taken: /sys/port, /sys/host, /sys/prefix /redblue" \
    bash -c "$(declare -f at_wait_log); AT_TMP='$AT_TMP'; at_wait_log sosc '^sys/prefix /redblue' 5 && grep -q '^sys/port ' '$AT_TMP/sosc.log' && grep -q '^sys/host 127.0.0.1' '$AT_TMP/sosc.log'"

# The expected 8 rows of 16 levels, from the rules: row y is octave 9 - y,
# column x < 12 the pitch class (note 12 * (9 - y) + x); unheld white keys
# 2, black keys 1; held notes at their level; columns 12..14 of the bottom
# row are the mode keys (8 for the mode in use, 3 for the others).
expect_grid() { # MODE "NOTE:LEVEL ..."
    awk -v mode="$1" -v held="$2" 'BEGIN {
        split("2 1 2 1 2 2 1 2 1 2 1 2", key, " ")
        n = split(held, h, " ")
        for (i = 1; i <= n; i++) { split(h[i], p, ":"); lv[p[1]] = p[2] }
        for (y = 0; y < 8; y++) {
            line = ""
            for (x = 0; x < 16; x++) {
                v = 0
                if (x < 12) { note = 12 * (9 - y) + x; v = (note in lv) ? lv[note] : key[x + 1] }
                else if (y == 7 && x <= 14) v = (x - 12 == mode) ? 8 : 3
                line = line (x ? " " : "") v
            }
            print line
        } }'
}
# Wait (up to 3 s) until the fake grid's levels are the expected ones.
grid_is() { # MODE "NOTE:LEVEL ..."
    expect_grid "$1" "$2" >"$AT_TMP/want"
    local i
    for ((i = 0; i < 30; i++)); do
        kill -0 "$AT_PID_sosc" 2>/dev/null || { echo "the fake serialosc died"; return 1; }
        rm -f "$AT_TMP/got"
        sctl "dump $AT_TMP/got"
        at_wait_file "$AT_TMP/got" 2 && cmp -s "$AT_TMP/got" "$AT_TMP/want" && return 0
        sleep 0.1
    done
    echo "want:"
    cat "$AT_TMP/want"
    echo "got:"
    cat "$AT_TMP/got"
    return 1
}
# Play MIDI into redblue: each argument one message in its own cycle.
midi() {
    local ev=() c=1 m
    for m in "$@"; do
        ev+=(-e "$c:0:$m")
        c=$((c + 1))
    done
    "$T/at-probe" -n "pk$RANDOM" -c $((c + 4)) -o gridrb:midi_in "${ev[@]}" >/dev/null 2>&1
}

at_check "an empty grid shows the keyboard (white 2, black 1) and the mode keys" grid_is 0 ""
midi "90 3c 64" "90 40 50"
at_check "regular: held C (60) and E (64) lit at 15" grid_is 0 "60:15 64:15"
midi "80 3c 00"
at_check "a released note goes back to the keyboard" grid_is 0 "64:15"
midi "90 17 64" "80 17 00" "90 32 64"
at_check "power chord (key B0): held 50 at 15, mode key 14 lit" grid_is 2 "64:15 50:15"
midi "90 16 64" "80 16 00" "90 28 64" "90 29 64"
at_check "duophonic (key A#0): 40 on red at 15, 41 on blue at 11" grid_is 1 "64:15 50:15 40:15 41:11"
midi "90 29 00"
at_check "a note-on with velocity 0 releases" grid_is 1 "64:15 50:15 40:15"
midi "fc"
at_check "STOP: no note left lit" grid_is 1 ""

# Grid keys: the mode keys switch the play mode the way OSC does.
sctl "key 14 7 1"
sctl "key 14 7 0"
at_check "grid key (14, 7): power chord, shown on the grid" grid_is 2 ""
at_check "grid key: the mode reaches the registry and OSC (/redblue/get s mode)" \
    bash -c "python3 '$AT_OSC_PY' $OSC /redblue/get s mode | grep -qx '/redblue/mode power-chord'"
sctl "key 0 0 1"
sctl "key 15 0 1"
sctl "key 13 7 1"
midi "90 2d 64" "90 2f 64"
at_check "grid key (13, 7): duophonic in the core (45 red at 15, 47 blue at 11); other keys do nothing" \
    grid_is 1 "45:15 47:11"

# The grid goes away, the playing goes on, the grid comes back.
sctl unplug
at_check "a grid that goes away is let go" at_wait_log rb 'went away'
midi "90 32 64"
sctl plug
at_check "a grid that comes back shows the notes held meanwhile" grid_is 1 "45:15 47:11 50:15"
n1=$(grep -c '^map ' "$AT_TMP/sosc.log")
sleep 1
n2=$(grep -c '^map ' "$AT_TMP/sosc.log")
at_check "redrawn continually with level/map quads ($((n2 - n1)) in a second)" \
    test $((n2 - n1)) -ge 10

at_kill rb
rm -f "$AT_TMP/got"
sctl "dump $AT_TMP/got"
at_wait_file "$AT_TMP/got" 2
at_check "at exit the grid is dark (level/all 0 last)" \
    bash -c "! grep -q '[1-9]' '$AT_TMP/got' && grep -E '^(map|all) ' '$AT_TMP/sosc.log' | tail -n 1 | grep -qx 'all 0'"
sctl quit
at_done
