#!/bin/bash
# Config keys that moved (docs/architecture.md, "Parameters"): mothergen's
# seed is the top-level key `seed`, as in circuits; the old `input.seed`
# still loads, with a warning that names the file, the line and the new
# key, and is checked like the new one; saving writes the new key. No
# JACK server is needed (--check-config, --make-config).
. "$(dirname "$0")/lib.sh"
MG=$AT_BIN/aiotone-mothergen
CI=$AT_BIN/aiotone-circuits

printf 'input = {\n    channel = 1;\n    seed = 42;\n};\n' >"$AT_TMP/old.conf"
"$MG" --check-config "$AT_TMP/old.conf" >"$AT_TMP/old.out" 2>"$AT_TMP/old.err"
at_check "mothergen: the old key input.seed still loads (exit 0)" test $? -eq 0
at_check "mothergen: ... with a warning naming the file, line, old and new key" \
    grep -q "old.conf:3: key 'input.seed' is the old name of 'seed'.*write 'seed' instead" \
    "$AT_TMP/old.err"

# The value is the one given: the plugin build of mothergen (no JACK
# needed) plays the same song from the old key as from the new one, and
# another song from another seed.
state() { # config-text > LV2 state file
    printf '<urn:aiotone:test-state>\n\ta pset:Preset ;\n\tlv2:appliesTo <urn:aiotone:mothergen> ;\n\tstate:state [\n\t\t<urn:aiotone:state#config> """%s""" ;\n\t\t<urn:aiotone:state#version> "1"^^xsd:int\n\t] .\n' "$1"
}
{
    echo "2:10:fa"
    for ((k = 0; k < 300; k++)); do echo "$((3 + k)):$(((37 * k + 5) % 256)):f8"; done
    echo "303:7:fc"
} >"$AT_TMP/clock.ev"
song() { # config-text > MIDI out
    state "$1" >"$AT_TMP/song.ttl"
    LV2_PATH=$BUILD/lv2 "$BUILD/tests/tools/at-lv2host" -u urn:aiotone:mothergen \
        -l "$AT_TMP/song.ttl" -b 256 -f 80000 -E "$AT_TMP/clock.ev" 2>/dev/null
}
song 'input = { seed = 42; };' >"$AT_TMP/old.mid.txt"
song 'seed = 42;' >"$AT_TMP/new.mid.txt"
song 'seed = 43;' >"$AT_TMP/other.mid.txt"
at_check "mothergen: input.seed = 42 plays what seed = 42 plays ($(grep -c . "$AT_TMP/new.mid.txt") events)" \
    bash -c "[ -s '$AT_TMP/new.mid.txt' ] && cmp -s '$AT_TMP/old.mid.txt' '$AT_TMP/new.mid.txt'"
at_check "mothergen: ... and seed = 43 plays something else" \
    bash -c "! cmp -s '$AT_TMP/other.mid.txt' '$AT_TMP/new.mid.txt'"

printf 'seed = 42;\n' >"$AT_TMP/new.conf"
"$MG" --check-config "$AT_TMP/new.conf" >/dev/null 2>"$AT_TMP/new.err"
at_check "mothergen: the new key seed loads (exit 0)" test $? -eq 0
at_check "mothergen: ... without a warning" bash -c "! grep -q 'old name' '$AT_TMP/new.err'"

printf 'input = { seed = -5; };\n' >"$AT_TMP/bad.conf"
"$MG" --check-config "$AT_TMP/bad.conf" >/dev/null 2>"$AT_TMP/bad.err"
at_check "mothergen: the old key is checked like the new one (exit 2)" test $? -eq 2
at_check "mothergen: ... naming the key and the bad value" \
    grep -q "bad.conf:1: key 'input.seed': bad value -5" "$AT_TMP/bad.err"

# One name for the same thing in both generators.
printf 'seed = 7;\n' >"$AT_TMP/ci.conf"
at_check "circuits: the same key seed" bash -c "'$CI' --check-config '$AT_TMP/ci.conf' >/dev/null"
at_check "both tools write seed at the top level" \
    bash -c "'$MG' --make-config | grep -qx 'seed = 0;' && '$CI' --make-config | grep -qx 'seed = 0;'"
at_done
