#!/bin/bash
# aiotone-clock on a private dummy JACK server, recorded by at-probe: START
# from midi_in at offset k goes out at offset k in the same cycle with the
# first pulse; pulses land every rate * 60 / (bpm * 24) frames exactly;
# STOP/CONTINUE from midi_in and over OSC; a tempo change over OSC; the JACK
# transport source; autostart; shutdown; bad configs and bad OSC.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 1024 # a long period: fewer xruns on a loaded machine
B=$AT_BIN
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))
PERIOD=1024

# osc PATH [TYPE VALUE]...: one message; prints every reply within half a
# second (tests/integration/osc-send.py).
osc() { python3 "$AT_OSC_PY" "$OSC" "$@"; }

# On this shared machine the dummy backend has xruns; after one, JACK's
# frame time jumps by an arbitrary amount, which at-probe's "cycle offset"
# timeline cannot express. The tool stays on the real timeline (it sees the
# jump), so a run during which JACK reported an xrun proves nothing about
# exact frames and is repeated (the tools log "N xruns").
xruns() { grep -c 'xrun' "$AT_TMP/$1.log" 2>/dev/null; }
calm() { # LOG CMD...: run CMD (a recording) until one run sees no xrun
    local log=$1 try before
    shift
    for try in 1 2 3 4 5; do
        before=$(xruns "$log")
        "$@"
        sleep 0.6
        [ "$(xruns "$log")" = "$before" ] && return 0
        echo "# xruns during $1 (try $try); again"
    done
}

printf '%s\n' "clock = { bpm = 120.0; };" "osc = { port = $OSC; };" >"$AT_TMP/clock.conf"
at_spawn clock "$B/aiotone-clock" -c "$AT_TMP/clock.conf"
at_check "port clock:midi_in exists" at_wait_port clock:midi_in
at_check "port clock:midi_out exists" at_wait_port clock:midi_out

# Absolute frame of each record: cycle * period + offset.
abs_of() { awk -v p=$PERIOD '!/^#/ { print $1 * p + $2, $3 }' "$1"; }

# 1. START from the input at cycle 2 offset 100, STOP at cycle 120 offset 7,
# CONTINUE at cycle 130 offset 50. The probe records its own output too, so
# the input's real position is known even if a loaded machine delays it.
printf '%s\n' "2:100:fa" "120:7:fc" "130:50:fb" >"$AT_TMP/ev1"
run1() {
    osc /clock/stop >/dev/null # a previous try may have left it running
    osc /clock/bpm f 120 >/dev/null
    timeout 60 "$T/at-probe" -n p1 -c 200 -o clock:midi_in -i clock:midi_out -i p1:out -E "$AT_TMP/ev1" \
        >"$AT_TMP/p1.out" 2>"$AT_TMP/p1.err"
    abs_of "$AT_TMP/p1.out" >"$AT_TMP/p1.abs"
    # The probe's own copy and the clock's output: each command twice.
    for b in fa fc fb; do [ "$(grep -c " $b\$" "$AT_TMP/p1.abs")" = 2 ] || return 1; done
}
calm clock run1
# check_run: START and its echo at one frame S; pulses S + 1000k until the
# STOP (same frame as its input); none while stopped; CONTINUE at its input's
# frame C, then pulses on from the stopped phase.
check_run() {
    awk '
    $2 == "fa" { fa[++nfa] = $1 } $2 == "fc" { fc[++nfc] = $1 } $2 == "fb" { fb[++nfb] = $1 }
    $2 == "f8" { p[++np] = $1 }
    END {
        if (nfa != 2 || fa[1] != fa[2]) { print "START not at its input frame"; exit 1 }
        if (nfc != 2 || fc[1] != fc[2]) { print "STOP not at its input frame"; exit 1 }
        if (nfb != 2 || fb[1] != fb[2]) { print "CONTINUE not at its input frame"; exit 1 }
        s = fa[1]; stop = fc[1]; c = fb[1]; k = 0
        for (i = 1; i <= np && p[i] < stop; i++) {
            if (p[i] != s + 1000 * k) { print "pulse", k, "at", p[i], "want", s + 1000 * k; exit 1 }
            k++
        }
        if (k != int((stop - s - 1) / 1000) + 1) { print "pulses before STOP:", k; exit 1 }
        # stopped at phase (stop - s) / 1000: the next pulse k is due
        # (k - phase) * 1000 frames after the CONTINUE
        for (; i <= np; i++) {
            want = c + (s + 1000 * k - stop)
            if (p[i] < c) { print "pulse while stopped at", p[i]; exit 1 }
            if (p[i] != want) { print "pulse", k, "after CONTINUE at", p[i], "want", want; exit 1 }
            k++
        }
        print "pulses:", np
    }' "$AT_TMP/p1.abs"
}
at_check "START at its input's offset with the first pulse; pulses every 1000 frames; STOP/CONTINUE exact" \
    check_run
at_check "no clock pulse before START" \
    bash -c "awk '\$2 == \"fa\" {exit} \$2 == \"f8\" {bad = 1; exit} END {exit bad}' '$AT_TMP/p1.abs'"

# 2. OSC: start, tempo change to 240 BPM mid-run, stop. Before the change
# pulses are 1000 frames apart, after it 500, with one pulse in between that
# keeps the phase (500..1000 frames); nothing after STOP.
# wait_count FILE REGEX N: until FILE has N lines matching REGEX (20 s).
wait_count() {
    local i
    for ((i = 0; i < 400; i++)); do
        [ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}
run2() {
    osc /clock/stop >/dev/null
    osc /clock/bpm f 120 >/dev/null
    timeout 60 "$T/at-probe" -n p2 -c 6000 -i clock:midi_out >"$AT_TMP/p2.out" 2>"$AT_TMP/p2.err" &
    P2=$!
    AT_PIDS+=("$P2")
    sleep 0.5
    osc /clock/start >/dev/null
    wait_count "$AT_TMP/p2.out" ' f8$' 30
    osc /clock/bpm f 240 >"$AT_TMP/bpm.reply"
    wait_count "$AT_TMP/p2.out" ' f8$' 90
    osc /clock/stop >/dev/null
    wait_count "$AT_TMP/p2.out" ' fc$' 1
    sleep 0.3
    kill -TERM "$P2" 2>/dev/null
    wait "$P2"
}
calm clock run2
abs_of "$AT_TMP/p2.out" >"$AT_TMP/p2.abs"
check_tempo() {
    awk '
    $2 == "fa" { started = 1 } $2 == "fc" { stopped = $1 }
    $2 == "f8" { if (stopped) { print "pulse after STOP"; exit 1 } p[++n] = $1 }
    END {
        if (!started || !stopped) { print "no START or no STOP"; exit 1 }
        phase = 0; slow = 0; fast = 0
        for (i = 2; i <= n; i++) {
            d = p[i] - p[i - 1]
            if (phase == 0 && d == 1000) { slow++; continue }
            if (phase == 0 && d > 500 && d < 1000) { phase = 1; continue }
            if (phase == 0 && d == 500) { phase = 1 }
            if (phase == 1 && d == 500) { fast++; continue }
            print "interval", d, "after", slow, "slow and", fast, "fast"; exit 1
        }
        if (slow < 20 || fast < 20) { print slow, "slow,", fast, "fast"; exit 1 }
        print slow, "intervals of 1000,", fast, "of 500"
    }' "$AT_TMP/p2.abs"
}
at_check "OSC start, /clock/bpm f 240 mid-run, stop: 1000 then 500 frames, phase kept" check_tempo
at_check "/clock/get s bpm replies 240" bash -c "python3 '$AT_OSC_PY' $OSC /clock/get s bpm | grep -qx '/clock/bpm 240'"
at_check "bad OSC: bpm out of range gets an error reply" \
    bash -c "python3 '$AT_OSC_PY' $OSC /clock/bpm f 1000 | grep -q '^/clock/error'"
at_check "bad OSC: a string for bpm gets an error reply" \
    bash -c "python3 '$AT_OSC_PY' $OSC /clock/bpm s fast | grep -q '^/clock/error'"
at_check "bad OSC: an unknown address gets an error reply" \
    bash -c "python3 '$AT_OSC_PY' $OSC /clock/tempo f 100 | grep -q '^/clock/error'"

# 3. Shutdown while running: a STOP.
timeout 60 "$T/at-probe" -n p3 -c 200 -i clock:midi_out >"$AT_TMP/p3.out" 2>&1 &
P3=$!
AT_PIDS+=("$P3")
sleep 0.4
osc /clock/start >/dev/null
sleep 0.6
at_kill clock
wait "$P3"
at_check "at exit a running clock sends STOP after its last pulse" \
    bash -c "grep -v '^#' '$AT_TMP/p3.out' | tail -n 1 | grep -q ' fc\$'"

# 4. Autostart: START when midi_out gets connected, then pulses.
printf '%s\n' "clock = { autostart = true; bpm = 150.0; };" >"$AT_TMP/auto.conf"
at_spawn auto "$B/aiotone-clock" -c "$AT_TMP/auto.conf" -n autoclock
at_wait_port autoclock:midi_out
at_spawn dump4 stdbuf -oL jack_midi_dump -a dump4
at_wait_port dump4:input
jack_connect autoclock:midi_out dump4:input
wait_count "$AT_TMP/dump4.log" ': f8$' 3
at_check "autostart: START on the first connection, pulses after it" \
    bash -c "sed -n 1p '$AT_TMP/dump4.log' | grep -q ': fa\$' && sed -n 2p '$AT_TMP/dump4.log' | grep -q ': f8\$'"
# The spacing on the real timeline (jack_midi_dump counts processed frames,
# which an xrun makes differ from the audio timeline; the probe does not).
run4() { timeout 60 "$T/at-probe" -n p4 -c 100 -i autoclock:midi_out >"$AT_TMP/p4.out" 2>&1; }
calm auto run4
abs_of "$AT_TMP/p4.out" >"$AT_TMP/p4.abs"
check_auto() { # 150 BPM: 800 frames per pulse
    awk '$2 == "f8" { if (!k) s = $1; if ($1 != s + 800 * k) { print "pulse", k, "at", $1 - s; exit 1 } k++ }
         $2 != "f8" { print "unexpected", $2; exit 1 }
         END { if (k < 50) { print k, "pulses"; exit 1 } }' "$AT_TMP/p4.abs"
}
at_check "autostart: a pulse every 800 frames (150 BPM)" check_auto
at_kill auto
at_kill dump4

# 5. The JACK transport source: START when it rolls from 0, pulses on the
# transport's grid (config tempo, no timebase master), STOP when it stops.
OSC2=$((OSC + 1))
printf '%s\n' 'clock = { source = "transport"; bpm = 120.0; };' "osc = { port = $OSC2; };" \
    >"$AT_TMP/tr.conf"
at_spawn tr "$B/aiotone-clock" -c "$AT_TMP/tr.conf" -n trclock
at_wait_port trclock:midi_out
run5() {
    printf 'stop\nlocate 0\nquit\n' | jack_transport >/dev/null 2>&1
    timeout 60 "$T/at-probe" -n p5 -c 150 -i trclock:midi_out >"$AT_TMP/p5.out" 2>&1 &
    P5=$!
    AT_PIDS+=("$P5")
    sleep 0.5
    printf 'play\nquit\n' | jack_transport >/dev/null 2>&1
    sleep 1.2
    printf 'stop\nquit\n' | jack_transport >/dev/null 2>&1
    wait "$P5"
}
calm tr run5
abs_of "$AT_TMP/p5.out" >"$AT_TMP/p5.abs"
check_transport() {
    awk '$2 == "fa" { s = $1; started = 1 } $2 == "fc" { stopped = 1 }
         $2 == "f8" { if (!started || stopped) { print "pulse outside the rolling span"; exit 1 }
                      if ($1 != s + 1000 * k) { print "pulse", k, "at", $1 - s; exit 1 } k++ }
         END { if (!started || !stopped || k < 20) { print started, stopped, k; exit 1 }
               print k, "pulses" }' "$AT_TMP/p5.abs"
}
at_check "transport: START when rolling from 0, pulses every 1000 frames, STOP when stopped" \
    check_transport
# In transport mode the transport buttons (OSC or midi_in) roll the JACK
# transport itself.
python3 "$AT_OSC_PY" "$OSC2" /clock/start >/dev/null
sleep 0.3
at_check "transport mode: /clock/start rolls the JACK transport" bash -c "[ \"\$(timeout -s KILL 3 jack_showtime 2>/dev/null | grep -m1 -oE 'state: [A-Za-z]+')\" = 'state: Rolling' ]"
timeout 60 "$T/at-probe" -n p6 -c 20 -o trclock:midi_in -e 3:0:fc >/dev/null 2>&1
sleep 0.3
at_check "transport mode: STOP on midi_in stops the JACK transport" bash -c "[ \"\$(timeout -s KILL 3 jack_showtime 2>/dev/null | grep -m1 -oE 'state: [A-Za-z]+')\" = 'state: Stopped' ]"
at_kill tr

# 6. Bad configs: exit status 2 and a message naming the key.
bad_config() { at_bad_config "$B/aiotone-clock" "$@"; } # text regex
at_check "bad config: bpm below 20" bad_config 'clock = { bpm = 10.0; };' 'bpm'
at_check "bad config: unknown source" bad_config 'clock = { source = "ableton"; };' 'source'
at_check "bad config: unknown key" bad_config 'clock = { tempo = 120.0; };' 'tempo'
at_done
