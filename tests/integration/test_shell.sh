#!/bin/bash
# The shared tool shell (common/app.c) through the test tool at-thru: exact
# frame offsets, connect-by-name when the peer appears later, metadata,
# OSC set/get/list/errors/feedback, config errors, clean exit on SIGTERM.
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 256
T=$AT_TOOLS
OSC=$((20000 + RANDOM % 20000))

cat >"$AT_TMP/thru.conf" <<CONF
thru = { transpose = 2; connect = [ "probe:out" ]; };
out = { connect = [ "probe_rx:in" ]; };
osc = { port = $OSC; };
CONF
at_spawn thru "$T/at-thru" -c "$AT_TMP/thru.conf" -n thru
at_check "tool registers its ports" at_wait_port thru:midi_out

# The probe appears after the tool: the tool connects to it by name.
"$T/at-probe" -n probe -c 40 -e "5:100:90 3c 64" -e "5:255:80 3c 00" -e "7:0:b0 07 64" \
    >"$AT_TMP/probe.out" 2>"$AT_TMP/probe.err"
at_check "connected to a peer that appeared later (probe:out -> thru:midi_in)" \
    grep -q "connected thru:midi_in <- probe:out" "$AT_TMP/thru.log"
at_check "note-on comes out in the same cycle at the same offset, transposed" \
    grep -qx "5 100 90 3e 64" "$AT_TMP/probe.out"
at_check "note-off at the last frame of the cycle keeps its offset" \
    grep -qx "5 255 80 3e 00" "$AT_TMP/probe.out"
at_check "a CC passes unchanged" grep -qx "7 0 b0 07 64" "$AT_TMP/probe.out"
# A destination is silenced when it gets connected.
at_midi_dump thru:midi_out
at_check "a new connection of the output gets all-notes-off (silencing)" \
    at_wait_log dump "b0 7b 00" 5

# jack_property sometimes answers nothing on a heavily loaded machine: retry.
for i in $(seq 20); do
    jack_property -l -p thru:midi_in >"$AT_TMP/meta.txt" 2>&1
    grep -q pretty-name "$AT_TMP/meta.txt" && break
    sleep 0.25
done
at_check "ports carry pretty-name metadata" \
    grep -q "pretty-name value: MIDI In type: text/plain" "$AT_TMP/meta.txt"
at_check "ports carry an order typed xsd:int" \
    grep -q "order value: 0 type: http://www.w3.org/2001/XMLSchema#int" "$AT_TMP/meta.txt"

# OSC: set, echo, get, list, errors.
"$T/at-osc" 127.0.0.1 $OSC /thru/transpose i 5 >"$AT_TMP/osc1.out"
at_check "OSC set is echoed to the sender" grep -qx "/thru/transpose i 5" "$AT_TMP/osc1.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/get s transpose >"$AT_TMP/osc2.out"
at_check "OSC get returns the new value" grep -qx "/thru/transpose i 5" "$AT_TMP/osc2.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/transpose f 7.0 >"$AT_TMP/osc3.out"
at_check "an integer parameter accepts a float" grep -qx "/thru/transpose i 7" "$AT_TMP/osc3.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/transpose i 99 >"$AT_TMP/osc4.out"
at_check "out of range is refused with /thru/error" \
    grep -q "^/thru/error ss /thru/transpose must be a whole number -24..24" "$AT_TMP/osc4.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/transpose s high >"$AT_TMP/osc5.out"
at_check "a wrong type is refused" grep -q "^/thru/error ss /thru/transpose" "$AT_TMP/osc5.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/channel i 3 >"$AT_TMP/osc6.out"
at_check "a parameter that is not live is refused" grep -q "not live" "$AT_TMP/osc6.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/nothing i 3 >"$AT_TMP/osc7.out"
at_check "an unknown address is refused" grep -q "unknown parameter" "$AT_TMP/osc7.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/mode s fancy >"$AT_TMP/osc8.out"
at_check "an enum is set by name" grep -qx "/thru/mode s fancy" "$AT_TMP/osc8.out"
"$T/at-osc" 127.0.0.1 $OSC /thru/list >"$AT_TMP/osc9.out"
at_check "list describes every parameter" \
    grep -qx "/thru/list ssffss /thru/transpose int -24 24 7 semitones" "$AT_TMP/osc9.out"
# A real peer: liblo's own oscsend.
oscsend localhost $OSC /thru/gain f 1.5
"$T/at-osc" 127.0.0.1 $OSC /thru/get s gain >"$AT_TMP/osc11.out"
at_check "oscsend (liblo-tools) sets a parameter" grep -qx "/thru/gain f 1.5" "$AT_TMP/osc11.out"
# Garbage datagrams must not hurt.
head -c 3000 /dev/urandom >"$AT_TMP/junk"
for i in 1 2 3; do
    bash -c "cat $AT_TMP/junk > /dev/udp/127.0.0.1/$OSC" 2>/dev/null
done
printf '/thru/transpose\0,i\0\0' >"$AT_TMP/trunc" # truncated: no argument bytes
bash -c "cat $AT_TMP/trunc > /dev/udp/127.0.0.1/$OSC" 2>/dev/null
"$T/at-osc" 127.0.0.1 $OSC /thru/get s transpose >"$AT_TMP/osc10.out"
at_check "still answering after garbage packets" grep -qx "/thru/transpose i 7" "$AT_TMP/osc10.out"

# Feedback: a surface that talked to the tool hears changes made by others.
"$T/at-osc" -w 1500 127.0.0.1 $OSC /thru/get s gain >"$AT_TMP/surface.out" &
sp=$!
sleep 0.4
"$T/at-osc" 127.0.0.1 $OSC /thru/gain f 0.5 >/dev/null
wait $sp
at_check "a change from one surface is echoed to another" \
    grep -qx "/thru/gain f 0.5" "$AT_TMP/surface.out"

# The changed transpose is heard.
"$T/at-probe" -n probe2 -c 20 -o thru:midi_in -i thru:midi_out -e "3:17:90 40 50" \
    >"$AT_TMP/probe2.out" 2>&1
at_check "the OSC change is heard (transpose 7)" grep -qx "3 17 90 47 50" "$AT_TMP/probe2.out"

# ALSA hardware named by its stable names: resolved to the bridge's JACK
# port whatever client number the bridge put in it, and again after a
# "replug" that changes the number.
cat >"$AT_TMP/alsa.conf" <<CONF
thru = { connect = [ "alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0" ]; };
out = { connect = [ "alsa:Virtual Raw MIDI 0-1:VirMIDI 0-1" ]; };
CONF
at_spawn hw "$T/at-ports" -n a2j -o "Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0" \
    -i "Virtual Raw MIDI 0-1 [17] (playback): VirMIDI 0-1"
at_wait_log hw ready 10
at_spawn thru_alsa "$T/at-thru" -c "$AT_TMP/alsa.conf" -n thru_alsa
at_check "alsa:CLIENT:PORT in connect reaches the bridged capture port" \
    at_wait_log thru_alsa "connected thru_alsa:midi_in <- a2j:Virtual Raw MIDI 0-0 \[16\] \(capture\): VirMIDI 0-0" 10
at_check "alsa:CLIENT:PORT in connect reaches the bridged playback port" \
    at_wait_log thru_alsa "connected thru_alsa:midi_out -> a2j:Virtual Raw MIDI 0-1 \[17\] \(playback\): VirMIDI 0-1" 10
at_kill hw
at_spawn hw2 "$T/at-ports" -n a2j -o "Virtual Raw MIDI 0-0 [24] (capture): VirMIDI 0-0"
at_check "after a replug under another client number, reconnected by name" \
    at_wait_log thru_alsa "connected thru_alsa:midi_in <- a2j:Virtual Raw MIDI 0-0 \[24\] \(capture\): VirMIDI 0-0" 10
at_kill thru_alsa
at_kill hw2

# Clean exit.
kill -TERM "$AT_PID_thru"
for i in $(seq 50); do kill -0 "$AT_PID_thru" 2>/dev/null || break; sleep 0.1; done
at_check "exits promptly on SIGTERM" bash -c "! kill -0 $AT_PID_thru 2>/dev/null"
wait "$AT_PID_thru"
at_check "exit status 0 after SIGTERM" test $? -eq 0
at_check "metadata removed when the client leaves" \
    bash -c "! jack_property -l 2>/dev/null | grep -q 'MIDI In'"

# Config errors: exit 2 with file, line and key; no JACK client made.
printf 'thru = {\n  transpose = 30;\n};\n' >"$AT_TMP/bad1.conf"
"$T/at-thru" -c "$AT_TMP/bad1.conf" 2>"$AT_TMP/bad1.err"
at_check "out-of-range config value: exit 2" test $? -eq 2
at_check "message names file, line, key, value and range" \
    grep -qF "bad1.conf:2: key 'thru.transpose': bad value 30: must be a whole number -24..24" \
    "$AT_TMP/bad1.err"
printf 'thru = { transpos = 3; };\n' >"$AT_TMP/bad2.conf"
"$T/at-thru" -c "$AT_TMP/bad2.conf" 2>"$AT_TMP/bad2.err"
at_check "unknown key: exit 2" test $? -eq 2
at_check "unknown key is named, with a suggestion" grep -qF "key 'thru.transpos': unknown key (did you mean 'thru.transpose'?)" "$AT_TMP/bad2.err"
printf 'thru = { gain = "loud"; };\n' >"$AT_TMP/bad3.conf"
"$T/at-thru" -c "$AT_TMP/bad3.conf" 2>"$AT_TMP/bad3.err"
at_check "wrong type: exit 2 with the key" grep -qF "key 'thru.gain': bad value \"loud\"" "$AT_TMP/bad3.err"
"$T/at-thru" -s "no-such-server-$$" 2>"$AT_TMP/noserver.err"
at_check "no JACK server: exit 1" test $? -eq 1
at_check "no JACK server: says how to start one" grep -q "jackd -d dummy" "$AT_TMP/noserver.err"
"$T/at-thru" --touchosc-layout "$AT_TMP/thru.touchosc" 2>/dev/null
unzip -p "$AT_TMP/thru.touchosc" index.xml >"$AT_TMP/index.xml" 2>/dev/null
at_check "--touchosc-layout writes a layout with the live parameters (base64 in Mk1)" \
    grep -q "osc_cs=\"$(printf /thru/transpose | base64)\"" "$AT_TMP/index.xml"
"$T/at-thru" --make-config >"$AT_TMP/default.conf"
"$T/at-thru" -c "$AT_TMP/default.conf" --bogus 2>"$AT_TMP/bogus.err"
at_check "unknown option: exit 2" test $? -eq 2
at_done
