#!/bin/bash
# The command line of the tool shell (common/app_options.c, getopt_long) and
# of the tools' own modes: a missing value and a bad value are named with
# exit status 2; words the shell does not know reach the tool whole and in
# order, wherever the shell's options stand; no JACK is needed.
. "$(dirname "$0")/lib.sh"
FM=$AT_BIN/aiotone-fmsynth
SN=$AT_BIN/aiotone-samplesnake
printf '0 90 3c 64\n4800 80 3c 00\n' | at_write_smf "$AT_TMP/in.mid"
export JACK_DEFAULT_SERVER=aiotone-options-none-$$

# expect STATUS PATTERN CMD...: CMD exits with STATUS and says PATTERN
expect() {
    local want=$1 pat=$2
    shift 2
    "$@" >"$AT_TMP/out.txt" 2>&1
    local got=$?
    [ "$got" -eq "$want" ] && grep -qF -- "$pat" "$AT_TMP/out.txt"
}

at_check "-c without its value: named, exit 2" \
    expect 2 "aiotone-fmsynth: option -c needs a value (see --help)" "$FM" -c
at_check "--config without its value: named, exit 2" \
    expect 2 "option --config needs a value" "$FM" --config
at_check "--osc-port=abc: not a port, exit 2" \
    expect 2 "--osc-port: 'abc' is not a port 0..65535" "$FM" --osc-port=abc
at_check "an unknown word with the shell's letters in it is passed on whole" \
    expect 2 "unexpected argument '-xqc' (see --help)" "$SN" -xqc
at_check "a word after -- is passed on" \
    expect 2 "unexpected argument '--help' (see --help)" "$SN" -- --help
at_check "a tool option without its value: named, exit 2" \
    expect 2 "aiotone-fmsynth: --rate needs a value (see --help)" "$FM" --render "$AT_TMP/in.mid" --rate
at_check "a tool's bad value: named, exit 2" \
    expect 2 "--period: '0' is not a number 1..8192" "$FM" --period 0 --render x -o y.wav
at_check "a stray word in a tool's mode: named, exit 2" \
    expect 2 "unknown argument 'stray' (see --help)" "$FM" --render "$AT_TMP/in.mid" stray
at_check "the shell's options may stand between a tool's options" \
    expect 0 "wrote $AT_TMP/a.wav" "$FM" --render "$AT_TMP/in.mid" -q -c /dev/null -o "$AT_TMP/a.wav"
at_check "--render=FILE and -oFILE are read as getopt reads them" \
    expect 0 "wrote $AT_TMP/b.wav" "$FM" --render="$AT_TMP/in.mid" -o"$AT_TMP/b.wav"
at_check "both renders are the same sound" cmp <(tail -c +100 "$AT_TMP/a.wav") <(tail -c +100 "$AT_TMP/b.wav")
at_check "lsdev: -s without its value is an unknown argument, exit 2" \
    expect 2 "aiotone-lsdev: unknown argument '-s' (see --help)" "$AT_BIN/aiotone-lsdev" -s
at_done
