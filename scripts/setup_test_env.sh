#!/bin/sh
# Everything the test suite needs on a fresh Debian 12 machine: system tools (ffmpeg, melt,
# Kdenlive under Xvfb), CPU torch, and the package with its ml, qt and test extras.
# Idempotent: a second run installs nothing new.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=""
for tool in ffmpeg melt kdenlive Xvfb xdotool espeak-ng; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "installing system packages for:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends ffmpeg libgl1 libegl1 libxkbcommon0 \
        libfontconfig1 libdbus-1-3 espeak-ng >/dev/null
    sh "$(dirname "$0")/install_kdenlive.sh"
fi
PY=${PYTHON:-python3}
# The CPU build first: a bare `torch` requirement would pull several GB of CUDA packages.
$PY -m pip install -q "torch==2.13.0"
$PY -m pip install -q -e ".[ml,qt,test,faces]"
# The ImageBind reference implementation (sdist, test-only) for the parity tests.
$PY tests/imagebind_reference.py --fetch || echo "ImageBind reference not fetched; parity tests will skip"
