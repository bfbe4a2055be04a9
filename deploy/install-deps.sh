#!/bin/sh
# Installs the Debian bookworm packages the kiosk needs to build, test and run.
# One list for every use: a developer machine, CI and the Raspberry Pi image.
# Only packages that are missing are installed, so a second run is quick and quiet.
# dpkg-dev (dpkg-shlibdeps) and lintian are for `make package` and its test; systemd brings
# systemd-analyze, which checks the service units (nothing is started by installing it).
# libharfbuzz-bin brings hb-shape, the reference the text shaping tests compare glyphs with.
set -eu

PACKAGES="
  build-essential cmake pkg-config
  clang libclang-rt-14-dev
  libsdl2-dev libimgui-dev libsqlite3-dev libcurl4-openssl-dev libpng-dev
  nlohmann-json3-dev libtomlplusplus-dev libsodium-dev catch2
  libcpp-httplib-dev libssl-dev openssl
  fonts-noto-core fonts-noto-cjk
  espeak-ng libespeak-ng-dev
  libharfbuzz-dev libfribidi-dev libfreetype-dev libharfbuzz-bin
  sqlite3 xvfb xauth time faketime
  dpkg-dev lintian systemd
"

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
