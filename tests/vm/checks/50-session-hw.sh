# shellcheck shell=bash disable=SC2016,SC2034
# (vm_check ... eval '...' expands its variables when it runs)
# Issue 7, hardware MIDI for real, with a session: aiotone-session starts
# and supervises a2jmidid -e (midi-bridge = "a2jmidid") and wires
# aiotone-redblue to hardware named only by ALSA names: VirMIDI 0-2 into
# redblue, red out to VirMIDI 0-3, blue out to the serial MIDI interface
# (snd-serial-u16550 on the VM's second UART: its bytes land in uart.bin).
# Bytes flow end to end; then both devices are unplugged and plugged back
# while the session runs: VirMIDI comes back under the same client numbers
# (twice: the second time with the JACK server stopped across the replug,
# so a2jmidid misses the ports and the session must restart it, issue 18),
# the serial interface under ANOTHER number (snd-aloop's card and its swap
# places); the session reconnects by name and bytes flow again. Each replug
# prints its plug-to-reconnected time; a failed step prints what the guest
# saw (vm_sess_diag).
# Uses vm_raw_through, vm_notes_ok, vm_hex0 (40-redblue-hw.sh) and the
# VM_UART_* names and helpers of 30-replug.sh.

VM_SESS_DIR=
VM_UART_OFF=0

# vm_sess_log_has TEXT: the session manager's log has a line containing TEXT.
vm_sess_log_has() {
    local l
    while IFS= read -r l; do [[ $l == *"$1"* ]] && return 0; done <"$VM_TMP/hwsess.log"
    return 1
}

# vm_sess_connects: how many connections the manager has made so far.
vm_sess_connects() {
    local l n=0
    while IFS= read -r l; do [[ $l == "aiotone-session: connected "* ]] && n=$((n + 1)); done \
        <"$VM_TMP/hwsess.log"
    echo "$n"
}

# vm_sess_connects_reach N: the manager has made N connections so far.
vm_sess_connects_reach() { [ "$(vm_sess_connects)" -ge "$1" ]; }

# vm_uart_since_ok CHANNELS: the UART sent redblue's note on CHANNELS after
# its first VM_UART_OFF bytes (what it sent before this check's last step).
vm_uart_since_ok() {
    local hex
    hex=$(LC_ALL=C vm_hex0 "$VM_OUT/uart.bin")
    vm_notes_ok "$1" "${hex:VM_UART_OFF*3}"
}

# vm_sess_ok FILE: red's note in FILE (read from VirMIDI 0-3), blue's from
# the UART.
vm_sess_ok() { vm_notes_ok 1 "$(LC_ALL=C vm_hex0 "$1")" && vm_uart_since_ok 2; }

# vm_uart_mark: remember how many bytes the UART has sent so far.
vm_uart_mark() {
    local size
    size=$(stat -c %s "$VM_OUT/uart.bin" 2>/dev/null)
    VM_UART_OFF=${size:-0}
}

# vm_platform DRIVER DEVICE unbind|bind: a platform device leaves or joins its driver.
vm_platform() { echo "$2" >"/sys/bus/platform/drivers/$1/$3"; }

# vm_sess_rescans: how many times the session's bridge watch has restarted
# a2jmidid so far (it missed a replugged port).
vm_sess_rescans() {
    local l n=0
    while IFS= read -r l; do [[ $l == *"restarting a2jmidid so it bridges"* ]] && n=$((n + 1)); done \
        <"$VM_TMP/hwsess.log"
    echo "$n"
}

# vm_sess_say TEXT: a comment line in the results (shown by the runner) and in vm.log.
vm_sess_say() {
    echo "# $1" >&3
    echo "# $1"
}

# vm_sess_diag STEP: what the guest sees after a failed STEP: the ALSA
# sequencer clients, the JACK ports, the session's messages with
# a2jmidid's (it writes to the session's output), into the results and vm.log.
vm_sess_diag() {
    local d
    d=$({
        echo "$1 failed; ALSA sequencer clients (/proc/asound/seq/clients):"
        sed 's/^/  /' /proc/asound/seq/clients
        echo "JACK ports (jack_lsp -c):"
        jack_lsp -c 2>&1 | sed 's/^/  /'
        echo "the session's and a2jmidid's messages (tail, without redblue's xrun counts):"
        grep -v ' xruns (total ' "$VM_TMP/hwsess.log" | tail -n 60 | sed 's/^/  /'
    } | sed 's/^/# /')
    echo "$d" >&3
    echo "$d"
}

# vm_sess_reconnected WHAT N RESCANS: after the replug WHAT (plugged back at
# uptime VM_T_PLUG) the session has made N connections in all (waits up to
# 40 s, polling its log); says how long that took from the plug and how
# many times the bridge watch restarted a2jmidid meanwhile, or what the
# guest saw when it did not happen.
VM_T_PLUG=
vm_sess_reconnected() {
    local dt
    if vm_wait 40 vm_sess_connects_reach "$2"; then
        dt=$(awk -v a="$VM_T_PLUG" -v b="$(vm_uptime)" 'BEGIN {printf "%.1f", b - a}')
        vm_sess_say "$1: plugged back to reconnected in $dt s (unplugged for $(awk -v a="$VM_T_UNPLUG" -v b="$VM_T_PLUG" 'BEGIN {printf "%.2f", b - a}') s; a2jmidid restarted by the session: $(($(vm_sess_rescans) - $3)) times)"
        return 0
    fi
    vm_sess_diag "$1: reconnecting"
    return 1
}

# vm_sess_unplug DRIVER DEVICE CLIENT: unbind DEVICE from DRIVER (noting
# the uptime in VM_T_UNPLUG) and wait until the sequencer drops CLIENT.
VM_T_UNPLUG=
vm_sess_unplug() {
    VM_T_UNPLUG=$(vm_uptime)
    vm_platform "$1" "$2" unbind && vm_wait 20 vm_gone "$3"
}

# vm_sess_plug DRIVER DEVICE CLIENT: bind DEVICE to DRIVER (noting the
# uptime in VM_T_PLUG) and wait until the sequencer lists CLIENT.
vm_sess_plug() {
    VM_T_PLUG=$(vm_uptime)
    vm_platform "$1" "$2" bind && vm_wait 20 vm_back "$3"
}

# vm_sess_replug_paused DEVICE: snd-virmidi's DEVICE unbound and bound
# while the JACK server is stopped (SIGSTOP). a2jmidid marks its ports of
# a leaving sequencer port dead at once but drops them only in its next
# JACK cycle; a port that returns at the same address before that finds
# the dead one still listed, and a2jmidid never bridges it again. With
# the server stopped, no cycle runs between the two: the miss is certain
# (it happened at random before, when the plug came back within one cycle).
# The server is held stopped until a2jmidid has read the announces (its
# input pool is empty again) and a while more (its main loop takes them up
# every 50 ms), then continued. If a2jmidid were slower still, it would
# not miss the ports and nothing would need recovering: the checks after
# this one hold either way.
vm_sess_replug_paused() {
    local rc=1
    kill -STOP "$VM_JACKD_PID" || return 1
    vm_sess_unplug snd_virmidi "$1" "Virtual Raw MIDI 0-2" &&
        vm_sess_plug snd_virmidi "$1" "Virtual Raw MIDI 0-2" &&
        vm_wait 10 vm_seq_input_read a2jmidid && sleep 0.5 && rc=0
    kill -CONT "$VM_JACKD_PID"
    return $rc
}

# vm_seq_input_read NAME: the sequencer client NAME has read every event
# sent to it (its input pool in /proc/asound/seq/clients has no cell in
# use). Bash builtins only.
vm_seq_input_read() {
    local line in=0 mine=0 re='^Client +[0-9]+ : "(.*)" \[' cells='^ +Cells in use +: +([0-9]+)'
    while IFS= read -r line; do
        if [[ $line =~ $re ]]; then
            mine=0
            [ "${BASH_REMATCH[1]}" = "$1" ] && mine=1
            in=0
        elif [ "$mine" = 1 ] && [[ $line == *"Input pool"* ]]; then
            in=1
        elif [ "$in" = 1 ] && [[ $line =~ $cells ]]; then
            [ "${BASH_REMATCH[1]}" = 0 ]
            return
        fi
    done </proc/asound/seq/clients
    return 1
}

# The serial interface and, on the card number below it, snd-aloop (as
# vmtest_31 leaves them; loaded here when that check did not run).
vm_sess_hw_ready() {
    vm_back "$VM_UART_NAME" && return 0
    modprobe -d "$VM_MODROOT" snd-aloop pcm_substreams=1 &&
        modprobe -d "$VM_MODROOT" snd-serial-u16550 port=0x2f8 irq=3 &&
        vm_wait 20 vm_back "$VM_UART_NAME"
}

vm_sess_conf() {
    cat <<EOF
jack = { server = "$JACK_DEFAULT_SERVER"; driver = "dummy"; rate = 48000; period = 4096;
         midi-bridge = "a2jmidid"; };
clients = ( { id = "redblue"; command = "aiotone-redblue"; } );
connections = (
  { from = "alsa:Virtual Raw MIDI 0-2:VirMIDI 0-2"; to = "redblue:midi_in"; },
  { from = "redblue:red"; to = "alsa:Virtual Raw MIDI 0-3:VirMIDI 0-3"; },
  { from = "redblue:blue"; to = "$VM_UART_SPEC"; }
);
EOF
}

# vm_sess_through: C4 into VirMIDI 0-2 comes out as red's note of VirMIDI
# 0-3 and blue's note of the UART.
vm_sess_through() {
    local ok=0 hex
    vm_uart_mark
    vm_raw_through /dev/snd/midiC0D2 /dev/snd/midiC0D3 hwsess-out vm_sess_ok || ok=1
    hex=$(LC_ALL=C vm_hex0 "$VM_OUT/uart.bin")
    echo "# bytes the UART sent meanwhile: ${hex:VM_UART_OFF*3}"
    return $ok
}

vmtest_50_session_hw() {
    local vdev=snd_virmidi.0 udev before after aloop n r
    # The shared server without jackd's seq bridge (as vmtest_40 leaves
    # it); a2jmidid is the session's own.
    [ -n "$VM_JACKD_PID" ] || vm_jackd_a2j_only
    [ -n "$VM_A2J_PID" ] && vm_kill "$VM_A2J_PID"
    VM_A2J_PID=
    vm_check "the serial MIDI interface is there (snd-serial-u16550, after snd-aloop)" \
        vm_sess_hw_ready
    VM_SESS_DIR=$VM_TMP/hwsess
    mkdir -p "$VM_SESS_DIR" && vm_sess_conf >"$VM_SESS_DIR/session.conf"
    vm_spawn hwsess "$VM_BIN/aiotone-session" run "$VM_SESS_DIR"
    vm_check "the session starts a2jmidid -e (midi-bridge = \"a2jmidid\")" \
        vm_wait 30 vm_sess_log_has "MIDI bridge: started a2jmidid -j $JACK_DEFAULT_SERVER -e"
    vm_check "the session makes all 3 connections, hardware named by ALSA names" \
        vm_wait 60 vm_sess_log_has "all 3 connections made"
    if ! vm_sess_log_has "all 3 connections made"; then
        echo "# the session did not open: its bytes and replug checks are left out"
        timeout 30 "$VM_BIN/aiotone-session" stop "$VM_SESS_DIR"
        return
    fi
    vm_check "C4 into VirMIDI 0-2 comes out through the session's redblue: red's note from VirMIDI 0-3, blue's from the UART" \
        vm_sess_through

    # Replug, same numbers: snd-virmidi's card goes away and comes back
    # (a2jmidid may miss it, when it comes back within one JACK cycle: then
    # the session restarts a2jmidid).
    n=$(vm_sess_connects)
    r=$(vm_sess_rescans)
    vm_check "VirMIDI unplugged while the session runs (driver unbound)" \
        vm_sess_unplug snd_virmidi "$vdev" "Virtual Raw MIDI 0-2"
    vm_check "VirMIDI plugged back" vm_sess_plug snd_virmidi "$vdev" "Virtual Raw MIDI 0-2"
    vm_check "after the VirMIDI replug the session remakes its 2 connections to it" \
        vm_sess_reconnected "VirMIDI replug" $((n + 2)) "$r"
    vm_check "after the VirMIDI replug bytes flow again" vm_sess_through ||
        vm_sess_diag "bytes after the VirMIDI replug"

    # Replug, same numbers, faster than a2jmidid: it misses the returning
    # ports for sure (vm_sess_replug_paused); the session notices and
    # restarts it.
    n=$(vm_sess_connects)
    r=$(vm_sess_rescans)
    vm_check "VirMIDI unplugged and plugged back while the JACK server is stopped" \
        vm_sess_replug_paused "$vdev"
    vm_check "after the VirMIDI replug that a2jmidid misses the session remakes its 2 connections to it" \
        vm_sess_reconnected "VirMIDI replug a2jmidid misses" $((n + 2)) "$r"
    vm_check "after that replug bytes flow again" vm_sess_through ||
        vm_sess_diag "bytes after the VirMIDI replug a2jmidid missed"

    # Replug, renumbered: the serial interface and snd-aloop (on the card
    # number below it) both unplugged, the interface plugged back first.
    udev=$(vm_uart_device)
    udev=${udev##*/}
    aloop=$(ls -d /sys/bus/platform/drivers/snd_aloop/snd_aloop.* 2>/dev/null | head -n1)
    aloop=${aloop##*/}
    before=$(vm_seq_client_number "$VM_UART_NAME")
    n=$(vm_sess_connects)
    r=$(vm_sess_rescans)
    vm_check "serial interface and snd-aloop unplugged while the session runs" \
        eval 'vm_sess_unplug snd_serial_u16550 "$udev" "$VM_UART_NAME" &&
              vm_platform snd_aloop "$aloop" unbind'
    vm_check "serial interface plugged back" vm_sess_plug snd_serial_u16550 "$udev" "$VM_UART_NAME"
    vm_platform snd_aloop "$aloop" bind
    after=$(vm_seq_client_number "$VM_UART_NAME")
    vm_check "the serial interface came back under another client number ($before -> $after)" \
        test -n "$before" -a -n "$after" -a "$before" != "$after"
    vm_check "after the renumbering replug the session connects blue to the interface's new a2j port [$after]" \
        eval 'vm_sess_reconnected "renumbering replug" $((n + 1)) "$r" &&
              vm_sess_log_has "connected redblue:blue -> a2j:$VM_UART_NAME [$after] (playback)"'
    vm_check "after the renumbering replug bytes flow again" vm_sess_through ||
        vm_sess_diag "bytes after the renumbering replug"

    echo "# redblue's connections now: $(jack_lsp -c redblue 2>&1 | tr '\n' ' ')"
    vm_check "aiotone-session stop ends the session" \
        timeout 30 "$VM_BIN/aiotone-session" stop "$VM_SESS_DIR"
}
