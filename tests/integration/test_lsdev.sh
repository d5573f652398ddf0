#!/bin/bash
# aiotone-lsdev with and without a JACK server, with a client holding MIDI
# and audio ports, aliases and pretty names; --json and --dot.
. "$(dirname "$0")/lib.sh"
L=$AT_BIN/aiotone-lsdev

export JACK_DEFAULT_SERVER="aiotone-none-$$"
"$L" >"$AT_TMP/none.out" 2>"$AT_TMP/none.err"
at_check "without a server: exit 0" test $? -eq 0
at_check "without a server: says so and how to start one" \
    grep -q "no server is running.*" "$AT_TMP/none.out"
at_check "without a server: names the server" grep -q "'aiotone-none-$$'" "$AT_TMP/none.out"
at_check "without ALSA sequencer here: says so clearly" \
    grep -q "ALSA sequencer not available" "$AT_TMP/none.out"
at_check "no libjack noise on stderr" test ! -s "$AT_TMP/none.err"

at_start_jackd
at_spawn thru "$AT_TOOLS/at-thru" -n studio
at_wait_port studio:midi_out
jack_alias system:capture_1 "Mic One" >/dev/null 2>&1
jack_connect studio:midi_out studio:midi_in

"$L" >"$AT_TMP/ls.out" 2>&1
at_check "lists audio ports with their alias" grep -q "alias: Mic One" "$AT_TMP/ls.out"
at_check "physical ports are marked" grep -q "capture_1.*\[hardware\]" "$AT_TMP/ls.out"
at_check "lists MIDI ports with pretty names" grep -q 'out    midi_out  "MIDI Out"' "$AT_TMP/ls.out"
at_check "lists MIDI inputs" grep -q 'in     midi_in  "MIDI In"' "$AT_TMP/ls.out"
at_check "shows connections" grep -q -- "-> studio:midi_in" "$AT_TMP/ls.out"
at_check "groups ports by client" grep -qx "  studio" "$AT_TMP/ls.out"

"$L" --json >"$AT_TMP/ls.json"
at_check "--json is valid JSON" python3 -m json.tool "$AT_TMP/ls.json"
at_check "--json has the MIDI port with pretty name and connection" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
p=[x for x in d["jack"]["ports"] if x["name"]=="studio:midi_out"][0]
assert p["type"]=="midi" and p["direction"]=="output", p
assert p["pretty"]=="MIDI Out", p
assert p["connections"]==["studio:midi_in"], p
a=[x for x in d["jack"]["ports"] if x["name"]=="system:capture_1"][0]
assert "Mic One" in a["aliases"] and a["physical"], a
assert d["alsa"]["available"] is False and "not available" in d["alsa"]["reason"]
' "$AT_TMP/ls.json"

"$L" --dot >"$AT_TMP/ls.dot"
at_check "--dot is accepted by Graphviz" dot -Tsvg -o "$AT_TMP/ls.svg" "$AT_TMP/ls.dot"
at_check "--dot draws the connection" grep -q '"studio" -> "studio"' "$AT_TMP/ls.dot"
"$L" --bogus 2>/dev/null
at_check "unknown option: exit 2" test $? -eq 2
at_done
