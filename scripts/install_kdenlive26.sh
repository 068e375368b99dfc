#!/bin/sh
# Kdenlive 26.x (Debian sid) in a chroot, beside the host's Kdenlive 22.12, for the `kdenlive` tests.
# Recipe: ../shared/DESIGN.md, "Editors: facts". First run: 11 min, 1.8 GB on disk (measured here).
# Idempotent: a finished chroot is left as it is (a marker file records success).
# Root: $TRAILERSMITH_KDENLIVE26_ROOT, default /var/lib/trailersmith/kdenlive26-sid.
# Run tests/support/kdenlive26.py (KDENLIVE26_ROOT) to use it; it binds /dev, proc and the media
# folders only while Kdenlive runs, and always unmounts them.
set -eu
ROOT=${TRAILERSMITH_KDENLIVE26_ROOT:-/var/lib/trailersmith/kdenlive26-sid}
MIRROR=${TRAILERSMITH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
MARKER="$ROOT/.trailersmith-kdenlive26-ready"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if [ -f "$MARKER" ]; then
    echo "kdenlive26 chroot ready at $ROOT: $(cat "$MARKER")"
    exit 0
fi

# Never touch a chroot whose /dev or /proc is still bound (a runner may be using it, or was killed).
if grep -q " $ROOT/" /proc/mounts 2>/dev/null; then
    echo "kdenlive26: $ROOT has mounts inside it; unmount them first (see /proc/mounts)" >&2
    exit 1
fi

command -v debootstrap >/dev/null 2>&1 || {
    # Wait for another apt run (CI set-up, another job) instead of failing on its lock.
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
}

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    $SUDO mkdir -p "$ROOT"
    $SUDO debootstrap --variant=minbase sid "$ROOT" "$MIRROR"
fi

cleanup() {
    $SUDO umount "$ROOT/proc" 2>/dev/null || true
    $SUDO umount "$ROOT/dev" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
$SUDO mount -t proc proc "$ROOT/proc"
$SUDO mount --bind /dev "$ROOT/dev"
[ -s "$ROOT/etc/resolv.conf" ] || $SUDO cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# The mirror's sid index is often older than its Valid-Until: accept it.
$SUDO chroot "$ROOT" apt-get -o Acquire::Check-Valid-Until=false update -qq
$SUDO chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get \
    -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends \
    kdenlive xvfb xdotool dbus-x11 libglib2.0-bin imagemagick \
    qml6-module-org-kde-desktop qml6-module-org-kde-breeze libgl1-mesa-dri mediainfo >/dev/null
$SUDO chroot "$ROOT" apt-get clean

version=$($SUDO chroot "$ROOT" dpkg-query -W -f '${Version}' kdenlive)
echo "kdenlive $version" | $SUDO tee "$MARKER" >/dev/null
echo "kdenlive26 chroot ready at $ROOT: kdenlive $version"
