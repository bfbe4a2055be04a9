#!/bin/sh
# ctest rootfs_image: deploy/image/build-rootfs.sh on the package `make package` built. It takes
# minutes and needs root, debootstrap and a Debian mirror on this machine, so it runs only when
# asked for; otherwise it is reported as skipped (exit 77), saying how to run it.
#
# usage: rootfs-image.sh SOURCE_DIR BUILD_DIR
set -eu

source_dir=$1
build_dir=$2

if [ "${KIOSK_ROOTFS_TEST:-0}" != 1 ]; then
    echo "skipped: set KIOSK_ROOTFS_TEST=1 and KIOSK_DEBIAN_MIRROR=http://127.0.0.1:PORT/debian" \
        "(a mirror on this machine), run make package, and run this test as root to build a" \
        "bookworm root file system with the kiosk package and check it (several minutes)"
    exit 77
fi
# Asked for: anything missing is a failure, with what to do.
if [ -z "${KIOSK_DEBIAN_MIRROR:-}" ]; then
    echo "KIOSK_ROOTFS_TEST=1 needs KIOSK_DEBIAN_MIRROR, a Debian mirror on this machine" \
        "(http://127.0.0.1:PORT/debian, e.g. apt-cacher-ng)"
    exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "KIOSK_ROOTFS_TEST=1 needs debootstrap: sudo apt-get install debootstrap"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "KIOSK_ROOTFS_TEST=1 needs root (debootstrap and chroot): run ctest with sudo -E"
    exit 1
fi
deb=$(find "$build_dir" -name "kiosk_*_$(dpkg --print-architecture).deb" -type f |
    sort | tail -n 1)
if [ -z "$deb" ]; then
    echo "no kiosk_*.deb in $build_dir: run make package first"
    exit 1
fi
exec sh "$source_dir/deploy/image/build-rootfs.sh" "$deb"
