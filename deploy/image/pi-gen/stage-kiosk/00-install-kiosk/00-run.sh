#!/bin/bash -e
# Installs the kiosk package put in files/ (kiosk_<version>_arm64.deb, from `make package` on a
# 64-bit Raspberry Pi OS or Debian arm64 machine). apt brings its dependencies from the
# image's own repositories.

shopt -s nullglob
packages=(files/kiosk_*_arm64.deb)
if [ "${#packages[@]}" -ne 1 ]; then
	echo "stage-kiosk: put exactly one kiosk_<version>_arm64.deb in $(pwd)/files (found ${#packages[@]})" >&2
	exit 1
fi

install -m 644 "${packages[0]}" "${ROOTFS_DIR}/tmp/kiosk.deb"
on_chroot <<'CHROOT'
apt-get install -y --no-install-recommends /tmp/kiosk.deb
rm -f /tmp/kiosk.deb
CHROOT
