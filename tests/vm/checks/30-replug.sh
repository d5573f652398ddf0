# shellcheck shell=bash
# Check 3: replug. The sequencer renumbers clients when devices come and go;
# a port named "alsa:CLIENT:PORT" must be found again by name, and its new
# a2jmidid bridge port matched, whatever number it has now.

# vm_gone NAME: the sequencer no longer lists client NAME.
vm_gone() { [ -z "$(vm_seq_client_number "$1")" ]; }
vm_back() { [ -n "$(vm_seq_client_number "$1")" ]; }

# vm_found_as SPEC WANT: at-seqlist --find SPEC prints WANT (CLIENT:PORT).
vm_found_as() { [ "$("$VM_TOOLS/at-seqlist" --find "$1" 2>/dev/null)" = "$2" ]; }

# vm_bridged SPEC DIR JACKPORT: at-seqlist --bridges maps SPEC to JACKPORT.
vm_bridged() {
    "$VM_TOOLS/at-seqlist" --bridges >"$VM_TMP/bridges2.out" 2>/dev/null &&
        [ "$(vm_bridge_of "$1" "$2" "$VM_TMP/bridges2.out")" = "$3" ]
}

# The kernel device goes away and comes back: rmmod / modprobe snd-virmidi.
# (A card's sequencer clients are numbered 16 + 4 * card + device, and
# snd-virmidi puts the card number in the client NAME too, so with one card
# it comes back as the same client; the renumbering case is the next test.)
vmtest_30_replug_kernel() {
    local spec='alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0' name='Virtual Raw MIDI 0-0' n
    vm_need_a2j
    # a2jmidid's subscriptions hold the module: stop it, as unplugging would.
    vm_kill "$VM_A2J_PID"
    VM_A2J_PID=
    vm_check "rmmod snd-virmidi removes its clients" eval 'rmmod snd_virmidi && vm_wait 20 vm_gone "$name"'
    vm_check "while unplugged, $spec resolves to nothing" eval '! "$VM_TOOLS/at-seqlist" --find "$spec"'
    vm_check "modprobe snd-virmidi brings the clients back" \
        eval 'modprobe -d "$VM_MODROOT" snd-virmidi && vm_wait 20 vm_back "$name"'
    n=$(vm_seq_client_number "$name")
    vm_check "after replug, $spec resolves to client $n again" vm_found_as "$spec" "$n:0"
    vm_need_a2j
    vm_check "after replug, the name match finds a2jmidid's new port" \
        vm_wait 20 vm_bridged "$spec" capture "a2j:$name [$n] (capture): VirMIDI 0-0"
}

# A device that comes back under ANOTHER client number with the same name
# (as a USB interface does when another device took its old number). A
# userspace client stands in for it: those take the first free number >= 128.
vmtest_31_replug_renumbered() {
    local spec='alsa:Replug Box:out' first second filler
    vm_need_a2j
    vm_spawn box1 "$VM_TOOLS/at-seqlist" --virtual "Replug Box" out
    vm_wait 20 vm_back "Replug Box"
    first=$(vm_seq_client_number "Replug Box")
    vm_check "the 'Replug Box' client is bridged by a2jmidid" \
        vm_wait 20 vm_bridged "$spec" capture "a2j:Replug Box [$first] (capture): out"
    vm_kill "$VM_PID"
    vm_wait 20 vm_gone "Replug Box"
    vm_spawn filler "$VM_TOOLS/at-seqlist" --virtual "Filler" in
    vm_wait 20 vm_back "Filler"
    filler=$(vm_seq_client_number "Filler")
    vm_spawn box2 "$VM_TOOLS/at-seqlist" --virtual "Replug Box" out
    vm_wait 20 vm_back "Replug Box"
    second=$(vm_seq_client_number "Replug Box")
    vm_check "replugged 'Replug Box' got another client number ($first -> $second; Filler took $filler)" \
        test -n "$first" -a -n "$second" -a "$first" != "$second" -a "$filler" = "$first"
    vm_check "$spec resolves to the new client $second" vm_found_as "$spec" "$second:0"
    vm_check "the name match finds a2jmidid's new port [$second], not the old one" \
        vm_wait 20 vm_bridged "$spec" capture "a2j:Replug Box [$second] (capture): out"
    vm_check "Filler's a2j port is matched to Filler, not to 'Replug Box'" \
        test "$(vm_bridge_of 'alsa:Filler:in' capture "$VM_TMP/bridges2.out")" = \
        "a2j:Filler [$filler] (capture): in"
}
