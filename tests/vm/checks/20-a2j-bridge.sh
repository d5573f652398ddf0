# shellcheck shell=bash
# Check 2: raw MIDI bytes written to a virtual hardware port pass through
# the sequencer and a2jmidid into JACK, and at_seq_bridge_match names the
# a2jmidid ports that bridge each ALSA port.

# Each a2j port is matched to exactly one (ALSA port, direction).
vm_each_a2j_port_once() { # bridges-file
    local p n total=0
    while IFS= read -r p; do
        n=$(awk -F'\t' -v p="$p" '$3 == p' "$1" | wc -l)
        [ "$n" -eq 1 ] || { echo "a2j port '$p' matched $n times"; return 1; }
        total=$((total + 1))
    done < <(jack_lsp | grep '^a2j:')
    [ "$total" -gt 0 ] && [ "$(wc -l <"$1")" -eq "$total" ]
}

# vm_bridge_of SPEC DIR FILE: the JACK port at-seqlist --bridges gives.
vm_bridge_of() {
    awk -F'\t' -v s="$1" -v d="$2" '$1 == s && $2 == d {print $3}' "$3"
}

vmtest_20_a2j_bridge() {
    local n cap play b=$VM_TMP/bridges.out spec='alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0'
    vm_check "jackd (dummy) and a2jmidid -e run in the VM" vm_need_a2j
    n=$(vm_seq_client_number "Virtual Raw MIDI 0-0")
    cap="a2j:Virtual Raw MIDI 0-0 [$n] (capture): VirMIDI 0-0"
    play="a2j:Virtual Raw MIDI 0-0 [$n] (playback): VirMIDI 0-0"
    vm_check "a2jmidid bridges VirMIDI 0-0 as '$cap'" vm_wait 20 vm_jack_has_port "$cap"
    "$VM_TOOLS/at-seqlist" --bridges >"$b"
    vm_check "at_seq_bridge_match: $spec capture is '$cap'" \
        test "$(vm_bridge_of "$spec" capture "$b")" = "$cap"
    vm_check "at_seq_bridge_match: $spec playback is '$play'" \
        test "$(vm_bridge_of "$spec" playback "$b")" = "$play"
    vm_check "at_seq_bridge_match: every a2j port bridges exactly one ALSA port and direction" \
        vm_each_a2j_port_once "$b"

    vm_spawn dump stdbuf -oL jack_midi_dump vmdump
    vm_wait 20 vm_jack_has_port vmdump:input
    jack_connect "$cap" vmdump:input
    printf '\x90\x3c\x64' >/dev/snd/midiC0D0
    printf '\x80\x3c\x00' >/dev/snd/midiC0D0
    vm_check "bytes written to /dev/snd/midiC0D0 reach JACK through a2jmidid (90 3c 64, 80 3c 00)" \
        vm_wait 20 vm_dump_has "$VM_TMP/dump.log" '90 3c 64' '80 3c 00'
    vm_kill "$VM_PID"
}

# vm_dump_has LOG BYTES...: the jack_midi_dump log shows each message, in order.
vm_dump_has() {
    local log=$1 line
    shift
    line=$(grep -nF -- "$1" "$log" | head -n1 | cut -d: -f1)
    [ -n "$line" ] || return 1
    [ $# -eq 1 ] && return 0
    tail -n +"$((line + 1))" "$log" >"$log.rest"
    vm_dump_has "$log.rest" "${@:2}"
}
