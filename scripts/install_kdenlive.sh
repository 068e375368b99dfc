#!/bin/sh
# Install what the `kdenlive` tests need on Debian 12 / Ubuntu: Kdenlive itself (22.12 on Debian 12),
# a virtual X server, window tools and a screenshot tool. CI runs this before `pytest -m kdenlive`.
# Idempotent; uses sudo when not run as root.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    kdenlive melt frei0r-plugins mediainfo xvfb xdotool x11-utils dbus libglib2.0-bin imagemagick \
    >/dev/null
dpkg-query -W kdenlive xvfb xdotool 2>/dev/null || true
melt --version 2>&1 | head -n 1
