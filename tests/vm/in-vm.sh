#!/bin/bash
# Runs INSIDE the test VM (started by tests/vm/run-vm-tests.sh; the VM's
# init chroots into the host root, read-only, and runs this). Sources every
# tests/vm/checks/*.sh, then runs each function named vmtest_* in the sorted
# order of their names (vmtest_10_..., vmtest_15_...), one after another;
# they report with vm_check. Results ("ok - ..." /
# "not ok - ...") go to $AT_VM_OUT/results, everything else to
# $AT_VM_OUT/vm.log. See docs/vm-tests.md.
#   in-vm.sh BUILD_DIR [FILTER]     (FILTER: run only vmtest_* containing it)
# shellcheck disable=SC2034 # VM_BIN, VM_MODROOT...: used by the check files
set -u
VM_REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM_BUILD=${1:-$VM_REPO/build}
VM_FILTER=${2:-}
VM_BIN=$VM_BUILD/bin
VM_TOOLS=$VM_BUILD/tests/tools
VM_OUT=${AT_VM_OUT:?AT_VM_OUT is set by the VM init}
VM_TMP=$(mktemp -d /tmp/vmtest.XXXXXX)
VM_MODROOT=${AT_VM_MODROOT:-/run/aiotone-vm}
export JACK_DEFAULT_SERVER=aiotone-vm
export JACK_NO_AUDIO_RESERVATION=1
export HOME=/root # a2jmidid writes its log and config under $HOME (a tmpfs here)
exec 3>>"$VM_OUT/results" >>"$VM_OUT/vm.log" 2>&1

VM_PIDS=()
VM_FAILED=0

# The loopback interface: nothing else brings it up in the VM, and NSM and
# OSC (aiotone-session and its clients) talk over UDP on 127.0.0.1.
ip link set lo up || echo "# cannot bring up the loopback interface"

# (Helpers use bash builtins where they can: every process start is slow
# under emulation.)
vm_uptime() {
    local up rest
    read -r up rest </proc/uptime
    echo "$up"
}

# vm_check "description" CMD...: run CMD, report ok / not ok.
vm_check() {
    local desc=$1
    shift
    if "$@"; then
        echo "ok - $desc" >&3
        echo "ok - $desc [at $(vm_uptime) s]"
    else
        echo "not ok - $desc" >&3
        echo "not ok - $desc (failed: $*) [at $(vm_uptime) s]"
        VM_FAILED=$((VM_FAILED + 1))
        return 1
    fi
}

# vm_wait SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
vm_wait() {
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.2
    done
}

# vm_spawn NAME CMD...: background process, log in $VM_TMP/NAME.log,
# killed when the run ends; its pid is left in VM_PID.
vm_spawn() {
    local name=$1
    shift
    "$@" >"$VM_TMP/$name.log" 2>&1 &
    VM_PID=$!
    VM_PIDS+=("$VM_PID")
}

# vm_kill PID: stop one spawned process and wait for it.
vm_kill() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# vm_seq_client_number NAME: the client's number from the kernel's own
# list, /proc/asound/seq/clients (empty if none). Bash builtins only: it is
# polled, and every process start is slow under emulation.
vm_seq_client_number() {
    local line re='^Client +([0-9]+) : "(.*)" \['
    while IFS= read -r line; do
        [[ $line =~ $re ]] && [ "${BASH_REMATCH[2]}" = "$1" ] && {
            echo "${BASH_REMATCH[1]}"
            return 0
        }
    done </proc/asound/seq/clients
    return 0
}

# JACK server: started once, shared by every check that wants it. The ALSA
# backend on snd-dummy's PCM (card 1, loaded by the VM's init) with jackd's
# own sequencer bridge (-X seq), so its system:midi_* ports are there to be
# matched too; 4096-frame period: TCG emulation on a busy host is slow, and
# an xrun loses the MIDI of that cycle. jackd's bridge subscribes to every
# sequencer port, which holds the modules: checks that unload one run first.
VM_JACKD_PID=
vm_start_jackd() {
    [ -n "$VM_JACKD_PID" ] && return 0
    vm_spawn jackd jackd -n "$JACK_DEFAULT_SERVER" -d alsa -d hw:Dummy -r 48000 -p 4096 -X seq
    VM_JACKD_PID=$VM_PID
}
vm_need_jackd() {
    vm_start_jackd
    jack_wait -w -t 40 >/dev/null 2>&1
}

# vm_hex FILE MAXBYTES: the first bytes of FILE as "90 3c 40 ..." (bash
# builtins only, for polling; the bytes must not include NUL).
vm_hex() {
    local data hex='' i c
    LC_ALL=C IFS= read -r -d '' -N "$2" data <"$1"
    for ((i = 0; i < ${#data}; i++)); do
        printf -v c '%02x' "'${data:i:1}"
        hex+="${hex:+ }${c: -2}"
    done
    echo "$hex"
}

# vm_has_line FILE LINE: FILE has exactly this line (bash builtins only).
vm_has_line() {
    local l
    while IFS= read -r l; do [ "$l" = "$2" ] && return 0; done <"$1"
    return 1
}

# a2jmidid -e (bridges every sequencer port into JACK), started once; ready
# when it has bridged Midi Through.
VM_A2J_PID=
vm_need_a2j() {
    [ -n "$VM_A2J_PID" ] && return 0
    vm_need_jackd || return 1
    vm_spawn a2jmidid a2jmidid -j "$JACK_DEFAULT_SERVER" -e
    VM_A2J_PID=$VM_PID
    vm_expect 40 "alsa:Midi Through:Midi Through Port-0" capture
}

# vm_expect SECONDS SPEC DIR [JACKPORT]: wait until at_seq_bridge_match_port
# finds JACKPORT bridging SPEC in DIR and no other port of JACKPORT's client
# does (without JACKPORT: some port does).
vm_expect() { "$VM_TOOLS/at-seqlist" --expect "$@" >>"$VM_TMP/expect.log" 2>&1; }

# vm_jack_has_port TEXT: some JACK port name contains TEXT.
vm_jack_has_port() { jack_lsp 2>/dev/null | grep -qF -- "$1"; }
# vm_jack_port NAME: a JACK port has exactly this full name.
vm_jack_port() { jack_lsp 2>/dev/null | grep -qxF -- "$1"; }

vm_cleanup() {
    local i
    for ((i = ${#VM_PIDS[@]} - 1; i >= 0; i--)); do kill "${VM_PIDS[i]}" 2>/dev/null; done
    wait 2>/dev/null
    # Keep the spawned processes' logs for the host (shown on failure).
    mkdir -p "$VM_OUT/logs" && cp "$VM_TMP"/*.log "$VM_OUT/logs/" 2>/dev/null
    rm -rf "$VM_TMP"
}
trap vm_cleanup EXIT

for f in "$VM_REPO"/tests/vm/checks/*.sh; do
    # shellcheck source=/dev/null
    . "$f"
done

echo "# in-vm: start at $(vm_uptime) s uptime, kernel $(uname -r)"
for fn in $(declare -F | awk '{print $3}' | grep '^vmtest_' | sort); do
    [ -n "$VM_FILTER" ] && [[ $fn != *"$VM_FILTER"* ]] && continue
    t0=$(vm_uptime)
    echo "# --- $fn"
    "$fn"
    dt=$(awk -v a="$t0" -v b="$(vm_uptime)" 'BEGIN {printf "%.1f", b - a}')
    echo "# $fn took $dt s" >&3
    echo "# $fn took $dt s"
done
echo "# in-vm: done at $(vm_uptime) s uptime" >&3
[ "$VM_FAILED" -eq 0 ]
