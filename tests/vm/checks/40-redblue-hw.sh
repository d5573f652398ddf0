# shellcheck shell=bash disable=SC2016,SC2034
# (vm_check ... eval '...' expands its variables when it runs)
# Issue 7, hardware MIDI for real: raw MIDI bytes written to one virtual
# hardware port go through the sequencer, a2jmidid, aiotone-redblue (whose
# connect lists name the devices by their ALSA names only) and a2jmidid
# again, and come out of another virtual hardware port as the bytes
# redblue's regular mode makes (the note on the red and the blue channel).
#
# From here on the shared jackd runs WITHOUT its own seq bridge (-X seq):
# with two bridges the name match would take jackd's system:midi_* ports,
# registered first, and nothing would go through a2jmidid. Checks after
# this one get that server (same name) and a2jmidid -e.

# vm_hex0 FILE: the bytes of FILE as "90 3c 40 ..." (bash builtins only,
# for polling; NUL bytes too, unlike vm_hex: a note-off has velocity 0).
# Call with LC_ALL=C.
vm_hex0() {
    local chunk hex='' i c last
    while :; do
        IFS= read -r -d '' chunk
        last=$?
        for ((i = 0; i < ${#chunk}; i++)); do
            printf -v c '%02x' "'${chunk:i:1}"
            hex+="${hex:+ }${c: -2}"
        done
        [ "$last" -ne 0 ] && break
        hex+="${hex:+ }00"
    done <"$1"
    echo "$hex"
}

# vm_hex_has_in_order HEX MSG...: each MSG ("91 3c 40") appears in HEX at a
# message boundary, after the previous one.
vm_hex_has_in_order() {
    local rest=" $1 "
    shift
    while [ $# -gt 0 ]; do
        [[ $rest == *" $1 "* ]] || return 1
        rest=" ${rest#*" $1 "}"
        shift
    done
}

# vm_notes_ok CHANNELS HEX: HEX holds redblue's regular-mode answer to the
# note C4 on/off (90 3c 40, 80 3c 40) sent on channel 1, on each status
# channel nibble in CHANNELS ("12": red's channel 2 and blue's channel 3):
# note on, then note off with velocity 0.
vm_notes_ok() {
    local i c
    for ((i = 0; i < ${#1}; i++)); do
        c=${1:i:1}
        vm_hex_has_in_order "$2" "9$c 3c 40" "8$c 3c 00" || return 1
    done
}

# vm_rb_out_ok FILE: FILE holds the note on red's and on blue's channel.
vm_rb_out_ok() { vm_notes_ok 12 "$(LC_ALL=C vm_hex0 "$1")"; }

# vm_in_read PID: process PID (cat FILE) is blocked in read() (syscall 0),
# so it has FILE open (or the kernel does not show syscalls).
vm_in_read() {
    local nr rest
    [ -e "/proc/$1/syscall" ] || return 0
    read -r nr rest <"/proc/$1/syscall" && [ "$nr" = 0 ]
}

# vm_raw_through IN OUT NAME CHECK...: read raw device OUT into
# $VM_TMP/NAME.log and write C4 on/off to raw device IN until
# "CHECK... $VM_TMP/NAME.log" succeeds (an xrun under emulation drops a
# cycle's MIDI, a connection may still be coming: retry).
vm_raw_through() {
    local in=$1 out=$2 name=$3 bin=$VM_TMP/$3.log try rdpid ok=1
    shift 3
    vm_spawn "$name" cat "$out" # (its log is what it reads)
    rdpid=$VM_PID
    # A virtual raw MIDI port drops what comes before its reader's first
    # read(): wait until cat sits in read() (syscall 0) on it.
    vm_wait 20 vm_in_read "$rdpid"
    for try in 1 2 3 4 5 6; do
        printf '\x90\x3c\x40\x80\x3c\x40' >"$in" || break
        if vm_wait 5 "$@" "$bin"; then
            ok=0
            break
        fi
        echo "# answer not read from $out yet (try $try)"
    done
    echo "# bytes read from $out: $(LC_ALL=C vm_hex0 "$bin")"
    vm_kill "$rdpid"
    return $ok
}

# vm_jackd_a2j_only: restart the shared server, same name, dummy
# backend, no -X seq (and a2jmidid -e started again on it).
vm_jackd_a2j_only() {
    [ -n "$VM_A2J_PID" ] && vm_kill "$VM_A2J_PID"
    [ -n "$VM_JACKD_PID" ] && vm_kill "$VM_JACKD_PID"
    VM_A2J_PID=
    vm_spawn jackd-noseq jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 4096
    VM_JACKD_PID=$VM_PID
    vm_need_a2j
}

# vm_rb_connected LOG PORT SPEC_CLIENT: redblue's log says it connected its
# PORT to a2jmidid's bridge of the ALSA client named SPEC_CLIENT.
vm_rb_connected() {
    local l
    while IFS= read -r l; do
        [[ $l == *"connected $2 "*" a2j:$3 ["* ]] && return 0
    done <"$1"
    return 1
}

# vm_rb_diag LOG CLIENT: when CLIENT's log shows no connection, the JACK
# ports and the bridges at-seqlist sees, for vm.log.
vm_rb_diag() {
    grep -q "connected $2:" "$1" && return 0
    echo "# $2 made no connection; JACK ports (jack_lsp -A -c):"
    jack_lsp -A -c 2>&1 | sed 's/^/#   /'
    echo "# at-seqlist --bridges:"
    "$VM_TOOLS/at-seqlist" --bridges 2>&1 | sed 's/^/#   /'
}

vmtest_40_redblue_hw() {
    local conf=$VM_TMP/rb-hw.conf log=$VM_TMP/rb-hw.log rbpid
    vm_check "jackd (dummy backend, no seq bridge) and a2jmidid -e run" vm_jackd_a2j_only
    cat >"$conf" <<'EOF'
input = { connect = [ "alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0" ]; };
red = { connect = [ "alsa:Virtual Raw MIDI 0-1:VirMIDI 0-1" ]; };
blue = { connect = [ "alsa:Virtual Raw MIDI 0-1:VirMIDI 0-1" ]; };
EOF
    vm_spawn rb-hw "$VM_BIN/aiotone-redblue" -n rbhw -c "$conf"
    rbpid=$VM_PID
    vm_check "redblue connects midi_in to a2jmidid's VirMIDI 0-0 by its ALSA name" \
        vm_wait 20 vm_rb_connected "$log" rbhw:midi_in "Virtual Raw MIDI 0-0"
    vm_check "redblue connects red and blue to a2jmidid's VirMIDI 0-1 by its ALSA name" \
        eval 'vm_wait 20 vm_rb_connected "$log" rbhw:red "Virtual Raw MIDI 0-1" &&
              vm_wait 20 vm_rb_connected "$log" rbhw:blue "Virtual Raw MIDI 0-1"'
    vm_rb_diag "$log" rbhw
    vm_check "C4 written to /dev/snd/midiC0D0 comes out of /dev/snd/midiC0D1 through redblue on red's and blue's channels (91 3c 40 .. 81 3c 00, 92 3c 40 .. 82 3c 00)" \
        vm_raw_through /dev/snd/midiC0D0 /dev/snd/midiC0D1 rb-hw-out vm_rb_out_ok
    vm_kill "$rbpid"
}
