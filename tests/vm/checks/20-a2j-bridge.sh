# shellcheck shell=bash
# Check 2: raw MIDI bytes written to a virtual hardware port pass through
# the sequencer and a2jmidid into JACK, and at_seq_bridge_match names the
# a2jmidid ports that bridge each ALSA port.

# Each a2j port is matched to exactly one (ALSA port, direction), and the
# bridges file names no other a2j port (one awk: processes are slow here).
vm_each_a2j_port_once() { # bridges-file
    jack_lsp | awk -F'\t' '
        FNR == NR { n[$3]++; if ($3 ~ /^a2j:/) lines++; next }
        /^a2j:/ { ports++; if (n[$0] != 1) { print "a2j port matched " n[$0] + 0 " times: " $0; bad = 1 } }
        END { exit (bad || ports == 0 || ports != lines) }' "$1" -
}

# vm_lsdev_shows_bridge SPEC BRIDGES: aiotone-lsdev's text lists, under the
# ALSA port SPEC, a JACK port for each direction ("from device in JACK: X",
# "to device in JACK: Y"), each one of those at-seqlist --bridges gives
# (a2jmidid's or jackd's: both bridges run here).
vm_lsdev_shows_bridge() {
    "$VM_BIN/aiotone-lsdev" >"$VM_TMP/lsdev-bridges.log" 2>&1 || return 1
    awk -F'\t' -v s="$1" '
        FNR == NR { if ($1 == s) ok[$2 "\t" $3] = 1; next }
        /^ +[0-9]+:[0-9]+ / { cur = (substr($0, length($0) - length(s) + 1) == s); next }
        cur && sub(/^ +from device in JACK: /, "") { fc = ("capture\t" $0) in ok }
        cur && sub(/^ +to device in JACK: +/, "") { fp = ("playback\t" $0) in ok }
        END { exit !(fc && fp) }' "$2" "$VM_TMP/lsdev-bridges.log"
}

# vm_bridge_of SPEC DIR FILE [PREFIX]: the JACK ports (starting with PREFIX,
# default "a2j:") that at-seqlist --bridges gives for SPEC in direction DIR.
vm_bridge_of() {
    awk -F'\t' -v s="$1" -v d="$2" -v p="${4:-a2j:}" \
        '$1 == s && $2 == d && index($3, p) == 1 {print $3}' "$3"
}

vmtest_20_a2j_bridge() {
    local n cap play b=$VM_TMP/bridges.out spec='alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0'
    vm_check "jackd (ALSA backend on snd-dummy, -X seq) and a2jmidid -e run in the VM" vm_need_a2j
    n=$(vm_seq_client_number "Virtual Raw MIDI 0-0")
    cap="a2j:Virtual Raw MIDI 0-0 [$n] (capture): VirMIDI 0-0"
    play="a2j:Virtual Raw MIDI 0-0 [$n] (playback): VirMIDI 0-0"
    vm_check "a2jmidid bridges VirMIDI 0-0 as '$cap'" vm_wait 20 vm_jack_port "$cap"
    "$VM_TOOLS/at-seqlist" --bridges >"$b"
    vm_check "at_seq_bridge_match: $spec capture is '$cap'" \
        test "$(vm_bridge_of "$spec" capture "$b")" = "$cap"
    vm_check "at_seq_bridge_match: $spec playback is '$play'" \
        test "$(vm_bridge_of "$spec" playback "$b")" = "$play"
    vm_check "at_seq_bridge_match: every a2j port bridges exactly one ALSA port and direction" \
        vm_each_a2j_port_once "$b"

    if [ -x "$VM_BIN/aiotone-lsdev" ]; then
        vm_check "aiotone-lsdev shows a bridge port for each direction under $spec" \
            vm_lsdev_shows_bridge "$spec" "$b"
    fi

    vm_spawn dump stdbuf -oL jack_midi_dump vmdump
    vm_wait 20 jack_connect "$cap" vmdump:input
    vm_check "bytes written to /dev/snd/midiC0D0 reach JACK through a2jmidid (90 3c 64, 80 3c 00)" \
        vm_send_raw_until_seen
    vm_kill "$VM_PID"

    # The other way: JACK MIDI into a2jmidid's playback port comes out of the
    # raw device (jack_midiseq plays C4 = 90 3c .. every 12000 frames).
    vm_spawn rawin dd if=/dev/snd/midiC0D0 of="$VM_TMP/raw.bin" bs=1 count=6
    local rawpid=$VM_PID
    vm_spawn seq jack_midiseq vmseq 12000 0 60 6000
    local seqpid=$VM_PID
    vm_wait 20 jack_connect vmseq:out "$play"
    vm_check "JACK MIDI sent to '$play' comes out of /dev/snd/midiC0D0 (90 3c 40 ...)" \
        vm_wait 30 vm_raw_has_note "$VM_TMP/raw.bin"
    jack_lsp -c >"$VM_TMP/connections.log" 2>&1
    vm_kill "$seqpid"
    vm_kill "$rawpid"
}

# vm_raw_has_note FILE: the 6 bytes read are jack_midiseq's C4 note on
# (90 3c 40) and note off (80 3c 40): a note on among them, nothing else
# (the loop may be mid-note when connected; an xrun may drop a message).
vm_raw_has_note() {
    local hex c
    hex=$(LC_ALL=C vm_hex "$1" 6)
    [ "${#hex}" -eq 17 ] || return 1
    echo "# raw bytes from /dev/snd/midiC0D0: $hex"
    [[ $hex == *"90 3c 40"* ]] || return 1
    for c in $hex; do [[ $c == @(90|80|3c|40) ]] || return 1; done
}

# Write a note on/off pair to the raw device until jack_midi_dump shows it:
# an xrun (frequent under emulation on a busy host) drops that cycle's MIDI.
vm_send_raw_until_seen() {
    local try
    for try in 1 2 3 4 5; do
        printf '\x90\x3c\x64' >/dev/snd/midiC0D0
        printf '\x80\x3c\x00' >/dev/snd/midiC0D0
        vm_wait 6 vm_dump_has "$VM_TMP/dump.log" '90 3c 64' '80 3c 00' && return 0
        echo "# raw MIDI not seen in JACK yet (try $try)"
    done
    return 1
}

# vm_dump_has LOG BYTES...: the jack_midi_dump log shows each message, in order
# (on separate lines).
vm_dump_has() {
    local log=$1 l
    shift
    # Bash builtins only (this is polled).
    while IFS= read -r l; do
        [[ $l == *"$1"* ]] && shift
        [ $# -eq 0 ] && return 0
    done <"$log"
    return 1
}
