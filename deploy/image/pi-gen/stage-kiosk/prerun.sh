#!/bin/bash -e
# Start from the previous stage's root file system (pi-gen's usual first step of a stage).
if [ ! -d "${ROOTFS_DIR}" ]; then
	copy_previous
fi
