#!/bin/bash
# Build (or reuse) the test VM: Debian's own kernel + a busybox initramfs that
# loads the ALSA sequencer modules, mounts the host root read-only over
# virtio-9p and chroots into it (see docs/vm-tests.md).
#
#   scripts/vm/build-vm.sh [VMDIR]        (default: $BUILD/vm, BUILD=build)
#
# On success prints the directory holding vmlinux, vmlinuz, initramfs.cpio
# and kver, cached as VMDIR/<kernel package version>/. Nothing is installed
# into /boot or /lib/modules. Exit 0 = ready, 3 = cannot be had (reason on
# stderr: the caller skips), other = a real failure.
set -euo pipefail

BUILD=${BUILD:-build}
VMDIR=${1:-$BUILD/vm}
mkdir -p "$VMDIR"
VMDIR=$(cd "$VMDIR" && pwd)
KPKG_META=${AT_VM_KERNEL_PACKAGE:-linux-image-amd64}
# Module names wanted in the guest; their dependencies come from modules.dep.
WANT_9P="virtio_pci 9pnet_virtio 9p"
WANT_SND="snd-seq snd-seq-dummy snd-seq-midi snd-seq-virmidi snd-virmidi snd-dummy snd-hrtimer snd-serial-u16550 snd-aloop"

skip() { echo "build-vm: $*" >&2; exit 3; }
log() { [ -n "${AT_VM_VERBOSE:-}" ] && echo "build-vm: $*" >&2; return 0; }

for tool in qemu-system-x86_64 dpkg-deb xz cpio depmod apt-get apt-cache; do
    command -v "$tool" >/dev/null || skip "missing $tool (scripts/install-deps.sh installs it)"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
    BUSYBOX=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/busybox$' || true)
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || skip "missing busybox-static"

# The kernel image package the metapackage points at (local apt metadata).
resolve_kpkg() {
    apt-cache depends "$KPKG_META" 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
newest_cached() {
    local d
    d=$(ls -1dt "$VMDIR"/*/ 2>/dev/null | while read -r x; do
        [ -f "$x/ready" ] && echo "${x%/}" && break
    done)
    [ -n "$d" ] && echo "$d"
}

# apt-cache takes seconds on a busy machine: reuse its answer for a day.
RESOLVED=$VMDIR/resolved-$KPKG_META
if [ -n "$(find "$RESOLVED" -mmin -1440 2>/dev/null)" ]; then
    read -r KPKG KVERSION <"$RESOLVED"
else
    KPKG=$(resolve_kpkg || true)
    KVERSION=""
    if [ -n "$KPKG" ]; then
        KVERSION=$(apt-cache policy "$KPKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
    fi
    [ -n "$KPKG" ] && [ -n "$KVERSION" ] && echo "$KPKG $KVERSION" >"$RESOLVED"
fi
if [ -z "$KPKG" ] || [ -z "$KVERSION" ] || [ "$KVERSION" = "(none)" ]; then
    d=$(newest_cached || true)
    [ -n "$d" ] && { echo "$d"; exit 0; }
    skip "no kernel package known to apt for $KPKG_META (run apt-get update)"
fi
KVER=${KPKG#linux-image-}
# Keyed by kernel version and by this script + init, so editing either rebuilds.
HERE=$(cd "$(dirname "$0")" && pwd)
KEY=$(cat "$HERE/build-vm.sh" "$HERE/init" | sha1sum | cut -c1-8)
OUT=$VMDIR/$KVER-$KVERSION-$KEY
if [ -f "$OUT/ready" ]; then
    echo "$OUT"
    exit 0
fi

# Build in a temp dir beside the cache, then rename, so a concurrent or
# interrupted build never leaves a half-made cache entry marked ready.
CACHE=$VMDIR/cache
mkdir -p "$CACHE"
exec 9>"$VMDIR/.lock"
flock 9
[ -f "$OUT/ready" ] && { echo "$OUT"; exit 0; }
DEB=$(ls "$CACHE/${KPKG}_"*"_amd64.deb" 2>/dev/null | grep -F "_$(echo "$KVERSION" | sed 's/:/%3a/')_" | head -n1 || true)
if [ -z "$DEB" ]; then
    log "downloading $KPKG $KVERSION"
    (cd "$CACHE" && apt-get download "$KPKG=$KVERSION" >/dev/null 2>"$CACHE/download.log") ||
        {
            d=$(newest_cached || true)
            [ -n "$d" ] && { echo "$d"; exit 0; }
            skip "cannot download $KPKG=$KVERSION: $(tail -n1 "$CACHE/download.log")"
        }
    DEB=$(ls "$CACHE/${KPKG}_"*"_amd64.deb" | head -n1)
fi

TMP=$(mktemp -d "$VMDIR/.build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
X=$TMP/x
mkdir -p "$X"
M="./lib/modules/$KVER"
log "extracting $DEB"
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$X" --wildcards \
    "./boot/vmlinuz-$KVER" "$M/modules.*" "$M/kernel/sound/*" "$M/kernel/fs/9p/*" \
    "$M/kernel/net/9p/*" "$M/kernel/fs/netfs/*" "$M/kernel/fs/fscache/*" \
    "$M/kernel/drivers/virtio/*"
depmod -b "$X" "$KVER"

# Dependency closure, in load order (dependencies first), from modules.dep.
MODDEP=$X/lib/modules/$KVER/modules.dep
closure() { # module names -> relative .ko paths, deps first, no repeats
    local seen="" name path
    visit() {
        local p=$1 d
        case " $seen " in *" $p "*) return ;; esac
        for d in $(awk -F': *' -v p="$p" '$1 == p {print $2}' "$MODDEP"); do visit "$d"; done
        seen="$seen $p"
        echo "$p"
    }
    for name in "$@"; do
        path=$(awk -F: -v n="$name" '{f=$1; sub(/.*\//, "", f); sub(/\.ko.*$/, "", f);
            gsub(/_/, "-", f); m=n; gsub(/_/, "-", m); if (f == m) {print $1; exit}}' "$MODDEP")
        if [ -z "$path" ]; then
            grep -q "/${name//-/[-_]}.ko" "$X/lib/modules/$KVER/modules.builtin" && continue
            echo "build-vm: module $name not found in $KPKG" >&2
            return 1
        fi
        visit "$path"
    done
}

R=$TMP/root
mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/newroot" "$R/lib/modules/$KVER"
cp "$BUSYBOX" "$R/bin/busybox"
for list in 9p snd; do
    if [ $list = 9p ]; then names=$WANT_9P; else names=$WANT_SND; fi
    closure $names >"$TMP/$list.order"
    while read -r ko; do
        mkdir -p "$R/lib/modules/$KVER/$(dirname "$ko")"
        cp "$X/lib/modules/$KVER/$ko" "$R/lib/modules/$KVER/$ko"
        echo "/lib/modules/$KVER/$ko"
    done <"$TMP/$list.order" >"$R/modules-$list.list"
done
cp "$X/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER"
cp "$HERE/init" "$R/init"
chmod 755 "$R/init"
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$TMP/initramfs.cpio"

# vmlinux: the xz payload of the bzImage (saves decompressing under TCG).
# qemu boots it through the PVH entry (CONFIG_PVH).
VMLINUZ=$X/boot/vmlinuz-$KVER
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | head -n1 | cut -d: -f1 || true)
if [ -n "$off" ]; then
    # (xz stops after the first stream, so tail may die of SIGPIPE: not an error)
    xz -dc --single-stream <(tail -c +$((off + 1)) "$VMLINUZ") >"$TMP/vmlinux" 2>/dev/null ||
        rm -f "$TMP/vmlinux"
fi
cp "$VMLINUZ" "$TMP/vmlinuz"
echo "$KVER" >"$TMP/kver"
mkdir -p "$TMP/out"
mv "$TMP/initramfs.cpio" "$TMP/vmlinuz" "$TMP/kver" "$TMP/out/"
[ -f "$TMP/vmlinux" ] && mv "$TMP/vmlinux" "$TMP/out/"
touch "$TMP/out/ready"
rm -rf "$OUT"
mv "$TMP/out" "$OUT"
# Older builds of the same kernel are stale now.
for d in "$VMDIR/$KVER-"*; do [ "$d" = "$OUT" ] || rm -rf "$d"; done
echo "$OUT"
