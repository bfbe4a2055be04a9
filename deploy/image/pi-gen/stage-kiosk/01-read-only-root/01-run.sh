#!/bin/bash -e
# The read-only root with a writable data partition (see files/kiosk-storage-setup). Only file
# copies and links into ${ROOTFS_DIR}, nothing run inside it: deploy/image/build-rootfs.sh runs
# this same script on a Debian root file system to check its result.

install -D -m 755 files/kiosk-storage-setup "${ROOTFS_DIR}/usr/local/sbin/kiosk-storage-setup"
install -D -m 644 files/kiosk-storage.service \
	"${ROOTFS_DIR}/etc/systemd/system/kiosk-storage.service"
install -D -m 644 files/kiosk-storage.conf \
	"${ROOTFS_DIR}/etc/systemd/system/kiosk.service.d/kiosk-storage.conf"
mkdir -p "${ROOTFS_DIR}/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/kiosk-storage.service \
	"${ROOTFS_DIR}/etc/systemd/system/multi-user.target.wants/kiosk-storage.service"

# Mount points exist in the read-only root: nothing can make them once the overlay is on.
mkdir -p "${ROOTFS_DIR}/srv/kiosk-storage" "${ROOTFS_DIR}/etc/kiosk" "${ROOTFS_DIR}/var/lib/kiosk"
touch "${ROOTFS_DIR}/etc/fstab"
if ! grep -q 'LABEL=KIOSKDATA' "${ROOTFS_DIR}/etc/fstab"; then
	cat files/fstab.kiosk >>"${ROOTFS_DIR}/etc/fstab"
fi

# The folder IT staff put a device's settings and secrets in, and what to put there.
boot="${ROOTFS_DIR}/boot/firmware"
mkdir -p "${boot}/kiosk"
install -m 644 files/kiosk-README.txt "${boot}/kiosk-README.txt"

# Keep the card's free space for the data partition: Raspberry Pi OS grows the root partition
# over all of it at the first boot (the "resize" word, or the older firstboot init, in
# cmdline.txt). Without that init the image also keeps its disk identifier on every card, which
# matters only to a machine with two of these cards in it.
for cmdline in "${boot}/cmdline.txt" "${ROOTFS_DIR}/boot/cmdline.txt"; do
	if [ -f "${cmdline}" ]; then
		sed -i -E \
			-e 's@ init=/usr/lib/raspberrypi-sys-mods/firstboot( |$)@\1@' \
			-e 's@ resize( |$)@\1@' \
			"${cmdline}"
	fi
done
