# shellcheck shell=bash disable=SC2016,SC2034
# (vm_check ... eval '...' expands its variables when it runs)
# Check 3: replug. The sequencer renumbers clients when devices come and go;
# a port named "alsa:CLIENT:PORT" must be found again by name, and its new
# a2jmidid bridge port matched, whatever number it has now.

# vm_gone NAME / vm_back NAME: the sequencer lists client NAME or not.
vm_gone() { [ -z "$(vm_seq_client_number "$1")" ]; }
vm_back() { [ -n "$(vm_seq_client_number "$1")" ]; }

# vm_found_as SPEC WANT: at-seqlist --find SPEC prints WANT (CLIENT:PORT).
vm_found_as() { [ "$("$VM_TOOLS/at-seqlist" --find "$1" 2>/dev/null)" = "$2" ]; }

# The module goes away and comes back: rmmod / modprobe snd-virmidi. A
# card's kernel clients are numbered 16 + 4 * card + device, and snd-virmidi
# also puts the card number in the client NAME, so with the same card it
# comes back under the same number (renumbering: vmtest_31). Runs before
# a2jmidid starts (vmtest_20): its subscriptions would hold the module.
vmtest_15_replug_module() {
    local spec='alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0' name='Virtual Raw MIDI 0-0' n
    vm_check "rmmod snd-virmidi removes its clients" \
        eval 'rmmod snd_virmidi && vm_wait 20 vm_gone "$name"'
    vm_check "while unloaded, $spec resolves to nothing" \
        eval '! "$VM_TOOLS/at-seqlist" --find "$spec"'
    vm_check "modprobe snd-virmidi brings the clients back" \
        eval 'modprobe -d "$VM_MODROOT" snd-virmidi && vm_wait 20 vm_back "$name"'
    n=$(vm_seq_client_number "$name")
    vm_check "after reload, $spec resolves to client $n" vm_found_as "$spec" "$n:0"
    # The modules may be held from now on: start jackd (its seq bridge
    # subscribes to every port) so it comes up while the next checks begin.
    vm_start_jackd
}

# A hardware MIDI interface (snd-serial-u16550 on the VM's second UART) is
# unplugged while a2jmidid and jackd's seq bridge run, another card
# (snd-aloop) takes its card number, and it
# comes back under another client number with the same name: what a USB
# interface does when devices are plugged in another order.
VM_UART_NAME="Serial MIDI (UART16550A)"
VM_UART_SPEC="alsa:Serial MIDI (UART16550A):Serial MIDI 1"

vm_uart_device() { ls -d /sys/bus/platform/drivers/snd_serial_u16550/snd_serial_u16550.* 2>/dev/null | head -n1; }

vmtest_31_replug_renumbered() {
    local first second dev drv=/sys/bus/platform/drivers/snd_serial_u16550
    vm_check "snd-serial-u16550 makes a kernel MIDI client on the second UART" \
        eval 'modprobe -d "$VM_MODROOT" snd-serial-u16550 port=0x2f8 irq=3 &&
              vm_wait 20 vm_back "$VM_UART_NAME"'
    first=$(vm_seq_client_number "$VM_UART_NAME")
    vm_need_a2j
    vm_check "$VM_UART_SPEC (client $first) is bridged to its a2j port [$first]" \
        vm_expect 20 "$VM_UART_SPEC" playback \
        "a2j:$VM_UART_NAME [$first] (playback): Serial MIDI 1"
    vm_check "JACK MIDI sent to the matched port leaves the UART (90 3c 40 in uart.bin)" \
        vm_uart_out "a2j:$VM_UART_NAME [$first] (playback): Serial MIDI 1"

    dev=$(vm_uart_device)
    vm_check "unplugged (driver unbound), $VM_UART_SPEC resolves to nothing" \
        eval 'echo "${dev##*/}" >"$drv/unbind" && vm_wait 20 vm_gone "$VM_UART_NAME" &&
              ! "$VM_TOOLS/at-seqlist" --find "$VM_UART_SPEC"'
    vm_check "a2jmidid drops the unplugged port" \
        vm_wait 20 eval '! vm_jack_has_port "$VM_UART_NAME [$first]"'
    # Another card takes the free card number meanwhile.
    modprobe -d "$VM_MODROOT" snd-aloop pcm_substreams=1
    vm_check "replugged, it is back" \
        eval 'echo "${dev##*/}" >"$drv/bind" && vm_wait 20 vm_back "$VM_UART_NAME"'
    second=$(vm_seq_client_number "$VM_UART_NAME")
    vm_check "replugged, it has another client number ($first -> $second)" \
        test -n "$first" -a -n "$second" -a "$first" != "$second"
    vm_check "$VM_UART_SPEC resolves to the new client $second" \
        vm_found_as "$VM_UART_SPEC" "$second:0"
    vm_check "the name match finds a2jmidid's new port [$second], not the old [$first]" \
        vm_expect 20 "$VM_UART_SPEC" capture \
        "a2j:$VM_UART_NAME [$second] (capture): Serial MIDI 1"
}

# vm_uart_out JACKPORT: jack_midiseq's C4 note, sent to JACKPORT, comes out
# of the UART into $VM_OUT/uart.bin (qemu writes it on the host).
vm_uart_out() {
    local seqpid ok=1
    vm_spawn uartseq jack_midiseq vmuart 12000 0 60 6000
    seqpid=$VM_PID
    vm_wait 20 jack_connect vmuart:out "$1" &&
        vm_wait 30 vm_uart_has '90 3c 40' && ok=0
    echo "# uart.bin: $(LC_ALL=C vm_hex "$VM_OUT/uart.bin" 24)"
    vm_kill "$seqpid"
    return $ok
}

vm_uart_has() { [[ " $(LC_ALL=C vm_hex "$VM_OUT/uart.bin" 64)" == *" $1"* ]]; }
