#!/bin/bash
# The VM tests: boot Debian's own kernel under qemu (software emulation) with
# a real ALSA sequencer (snd-seq, snd-seq-dummy, snd-virmidi), the host root
# shared read-only, and run tests/vm/in-vm.sh there; one boot for all checks.
# Prints "ok - ..." / "not ok - ..." lines; exit 0 when all pass (or when the
# VM cannot be had here: a "# skip" line says why), 1 otherwise.
#   BUILD=build tests/vm/run-vm-tests.sh [FILTER]
# Environment: AT_VM_TIMEOUT (s, default 300), AT_VM_MEM (MiB, default 768),
# AT_VM_SMP (default 2), AT_VM_KEEP=1 keeps the result dir, AT_VM_REQUIRE=1
# turns a skip into a failure. See docs/vm-tests.md.
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
BUILD=${BUILD:-build}
mkdir -p "$BUILD"
BUILD_ABS=$(cd "$BUILD" && pwd)
FILTER=${1:-}
TIMEOUT=${AT_VM_TIMEOUT:-300}
failed=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
skip() {
    echo "# skip: VM tests not run: $*"
    [ "${AT_VM_REQUIRE:-0}" = 1 ] && { echo "not ok - VM tests can run here ($*)"; exit 1; }
    exit 0
}
check() { # desc cmd...
    local d=$1
    shift
    if "$@"; then echo "ok - $d"; else
        echo "not ok - $d"
        failed=$((failed + 1))
    fi
}

# The helper the checks use (make check builds it; make check-vm may not).
if [ ! -x "$BUILD/tests/tools/at-seqlist" ]; then
    make -s BUILD="$BUILD" "$BUILD/tests/tools/at-seqlist" >/dev/null 2>&1 ||
        echo "# could not build $BUILD/tests/tools/at-seqlist"
fi

# Check 4 (host side): this kernel has no ALSA, so at_seq_list must say so.
if [ ! -e /dev/snd/seq ]; then
    if [ -x "$BUILD/tests/tools/at-seqlist" ]; then
        msg=$("$BUILD/tests/tools/at-seqlist" 2>&1)
        rc=$?
        check "host without a sequencer: at_seq_list fails with the clear message" \
            test "$rc" -eq 1 -a "$msg" = "at-seqlist: ALSA sequencer not available (/dev/snd/seq is missing: no ALSA in this kernel, or snd-seq not loaded)"
    else
        check "at-seqlist is built ($BUILD/tests/tools/at-seqlist)" false
    fi
fi

# Check 4 (host side), a JACK tool: an "alsa:CLIENT:PORT" connect entry
# where there is no sequencer says so (on a private dummy jackd, 20 s at most).
host_tool_says_no_seq() {
    local dir rc=1 i jpid rpid
    dir=$(mktemp -d "${TMPDIR:-/tmp}/aiotone-vmhost.XXXXXX") || return 1
    export JACK_DEFAULT_SERVER=aiotone-vmhost-$$ JACK_NO_AUDIO_RESERVATION=1
    jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 1024 >"$dir/jackd.log" 2>&1 &
    jpid=$!
    if jack_wait -w -t 20 >/dev/null 2>&1; then
        echo 'input = { connect = [ "alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0" ]; };' >"$dir/rb.conf"
        "$BUILD/bin/aiotone-redblue" -n vmhost -c "$dir/rb.conf" >"$dir/rb.log" 2>&1 &
        rpid=$!
        for ((i = 0; i < 100; i++)); do
            grep -q "running as JACK client" "$dir/rb.log" && break
            sleep 0.2
        done
        grep -q "connect 'alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0': ALSA sequencer not available" \
            "$dir/rb.log" && rc=0
        [ "$rc" -eq 0 ] || sed 's/^/# redblue: /' "$dir/rb.log"
        kill "$rpid" 2>/dev/null
        wait "$rpid" 2>/dev/null
    else
        echo "# no private jackd for the host check"
    fi
    kill "$jpid" 2>/dev/null
    wait "$jpid" 2>/dev/null
    unset JACK_DEFAULT_SERVER
    rm -rf "$dir"
    return $rc
}
if [ ! -e /dev/snd/seq ] && [ -x "$BUILD/bin/aiotone-redblue" ] && command -v jackd >/dev/null; then
    check "host without a sequencer: aiotone-redblue with an alsa: connect entry says so" \
        host_tool_says_no_seq
fi

[ -x "$BUILD/tests/tools/at-seqlist" ] || { echo "not ok - at-seqlist is built"; exit 1; }
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (package qemu-system-x86)"

t_build=$(now)
VM=$(scripts/vm/build-vm.sh "$BUILD/vm" 2>"$BUILD/vm-build.log")
rc=$?
[ "$rc" -eq 3 ] && skip "$(tail -n1 "$BUILD/vm-build.log")"
if [ "$rc" -ne 0 ] || [ -z "$VM" ]; then
    echo "not ok - the test VM builds (scripts/vm/build-vm.sh exit $rc)"
    sed 's/^/# /' "$BUILD/vm-build.log" | tail -n 20
    exit 1
fi
echo "# VM image: $VM (ready in $(elapsed "$t_build") s)"

KERNEL=$VM/vmlinux
[ -f "$KERNEL" ] && [ "${AT_VM_BZIMAGE:-0}" != 1 ] || KERNEL=$VM/vmlinuz
OUT=$(mktemp -d "$BUILD_ABS/vm/run.XXXXXX")
[ "${AT_VM_KEEP:-0}" = 1 ] || trap 'rm -rf "$OUT"' EXIT
: >"$OUT/results"

# Kernel arguments: serial console, no waiting, our init's parameters.
# pnpacpi=off and 8250.nr_uarts=1 leave the second UART (0x2f8, irq 3) to
# snd-serial-u16550: a real kernel MIDI driver whose output lands in
# $OUT/uart.bin on the host (and is visible in the guest through the share).
APPEND="console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off tsc=reliable no_timer_check"
APPEND="$APPEND pnpacpi=off 8250.nr_uarts=1"
APPEND="$APPEND aiotone.run=$REPO/tests/vm/in-vm.sh aiotone.out=$OUT"
APPEND="$APPEND aiotone.args=$BUILD_ABS${FILTER:+,$FILTER}"
case "$REPO$BUILD_ABS$OUT$FILTER" in
*[[:space:],]*) echo "not ok - paths without spaces or commas (the kernel command line splits them)"; exit 1 ;;
esac

t_boot=$(now)
timeout --kill-after=5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -M pc \
    -m "${AT_VM_MEM:-768}" -smp "${AT_VM_SMP:-2}" \
    -nodefaults -no-user-config -nographic -no-reboot \
    -serial "file:$OUT/console.log" -serial "file:$OUT/uart.bin" \
    -kernel "$KERNEL" -initrd "$VM/initramfs.cpio" -append "$APPEND" \
    -fsdev "local,id=root,path=/,readonly=on,security_model=none,multidevs=remap" \
    -device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
    -fsdev "local,id=out,path=$OUT,security_model=none" \
    -device virtio-9p-pci,fsdev=out,mount_tag=out \
    >"$OUT/qemu.log" 2>&1
qrc=$?
t_total=$(elapsed "$t_boot")

cat "$OUT/results"
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
    echo "not ok - the VM finished within ${TIMEOUT}s (killed by timeout)"
    failed=$((failed + 1))
elif [ ! -f "$OUT/status" ]; then
    echo "not ok - the VM ran its checks (no status written; qemu exit $qrc)"
    failed=$((failed + 1))
fi
grep -q '^ok - ' "$OUT/results" || {
    echo "not ok - the VM reported results"
    failed=$((failed + 1))
}
nok=$(grep -c '^not ok - ' "$OUT/results")
failed=$((failed + nok))
ready=$(grep -ao 'modules and mounts ready at [0-9.]*' "$OUT/console.log" | head -n1 | awk '{print $NF}')
echo "# VM: $KERNEL; guest ready at ${ready:-?} s uptime; boot + checks + poweroff $t_total s"
if [ "$failed" -ne 0 ]; then
    echo "# --- VM log (tail)"
    tail -n 40 "$OUT/vm.log" 2>/dev/null | sed 's/^/# /'
    echo "# --- console (tail)"
    tail -n 15 "$OUT/console.log" 2>/dev/null | sed 's/^/# /'
    exit 1
fi
exit 0
