# shellcheck shell=bash disable=SC2016,SC2034
# (vm_check ... eval '...' expands its variables when it runs)
# Check 1: common/alsaseq's at_seq_list (through tests/tools/at-seqlist, and
# aiotone-lsdev once it is built) sees what the kernel itself lists in
# /proc/asound/seq/clients: Midi Through and the four VirMIDI ports.

# The kernel's own listing in at-seqlist's format: CLIENT:PORT, names, flags.
# /proc flags: R/W = read/write with subscription, [Kernel ...] = kernel client.
vm_proc_ports() {
    awk '
    /^Client/ {
        client = $2; type = $0; sub(/^[^"]*"/, ""); sub(/" \[.*$/, ""); cname = $0
        hw = (type ~ /\[Kernel/) ? "hw" : "sw"
    }
    /^  Port/ {
        port = $2; line = $0; sub(/^[^"]*"/, "", line); flags = line
        sub(/" \(.*$/, "", line); sub(/^.*" \(/, "", flags)
        f = ""
        if (substr(flags, 1, 1) == "R") f = f "out,"
        if (substr(flags, 2, 1) == "W") f = f "in,"
        f = f hw
        if (client == 0) f = f ",system"
        printf "%d:%d\t%s\t%s\t%s\n", client, port, cname, line, f
    }' /proc/asound/seq/clients
}

vmtest_10_seq_list() {
    local out=$VM_TMP/seqlist.out want=$VM_TMP/proc.out i n
    "$VM_TOOLS/at-seqlist" >"$out"
    vm_check "at_seq_list runs on the VM's sequencer and lists ports" test -s "$out"
    vm_proc_ports >"$want"
    vm_check "at_seq_list gives every port the kernel lists (numbers, names, direction, hw)" \
        diff -u "$want" "$out"
    vm_check "at_seq_list sees Midi Through (client 14, readable and writable, kernel)" \
        vm_has_line "$out" "$(printf '14:0\tMidi Through\tMidi Through Port-0\tout,in,hw')"
    for i in 0 1 2 3; do
        n=$(vm_seq_client_number "Virtual Raw MIDI 0-$i")
        vm_check "at_seq_list sees VirMIDI 0-$i (client ${n:-missing}, readable and writable, kernel)" \
            vm_has_line "$out" "$(printf '%s:0\tVirtual Raw MIDI 0-%s\tVirMIDI 0-%s\tout,in,hw' "$n" "$i" "$i")"
    done
    n=$(vm_seq_client_number "Virtual Raw MIDI 0-2")
    vm_check "alsa:Virtual Raw MIDI 0-2:VirMIDI 0-2 resolves to client $n port 0" \
        test "$("$VM_TOOLS/at-seqlist" --find 'alsa:Virtual Raw MIDI 0-2:VirMIDI 0-2')" = "$n:0"
    vm_check "a name that is not there resolves to nothing" \
        eval '! "$VM_TOOLS/at-seqlist" --find "alsa:Virtual Raw MIDI 0-9:VirMIDI 0-9"'
    if [ -x "$VM_BIN/aiotone-lsdev" ]; then
        "$VM_BIN/aiotone-lsdev" --alsa-only >"$VM_TMP/lsdev.out" 2>&1
        vm_check "aiotone-lsdev lists the ALSA sequencer ports (Midi Through, VirMIDI 0-0..0-3)" \
            vm_lsdev_lists "$VM_TMP/lsdev.out"
    else
        echo "# aiotone-lsdev is not built: its check is left out"
    fi
}

vm_lsdev_lists() {
    local i
    grep -qF "Midi Through Port-0" "$1" || return 1
    for i in 0 1 2 3; do
        grep -qF "Virtual Raw MIDI 0-$i" "$1" && grep -qF "VirMIDI 0-$i" "$1" || return 1
    done
    ! grep -qi "sequencer not available" "$1"
}
