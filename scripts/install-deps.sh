#!/bin/sh
# Install every Debian package aiotone needs to build, test and run the demo.
# Idempotent: packages already present are skipped; apt-get runs only when
# something is missing.
set -eu

PACKAGES="
build-essential pkg-config clang libclang-rt-14-dev clang-format valgrind
jackd2 libjack-jackd2-dev libasound2-dev alsa-utils a2jmidid
libsndfile1-dev libconfig-dev liblo-dev liblo-tools libsoxr-dev
libsmf-dev libcmocka-dev lv2-dev liblilv-dev lilv-utils jalv sordi serdi
sox graphviz unzip man-db procps python3 iproute2
openttd-openmsx hydrogen-drumkits
qemu-system-x86 busybox-static cpio xz-utils kmod
"

# `install-deps.sh ardour` adds Ardour 7 (about 200 MB) for make check-ardour.
for extra in "$@"; do
    case $extra in
    ardour) PACKAGES="$PACKAGES ardour" ;;
    *) echo "install-deps: unknown extra '$extra' (known: ardour)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime scheduling; answer without a prompt.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "install-deps: done"
