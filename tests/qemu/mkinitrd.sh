#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the test guest's initramfs: static busybox, the virtio-net modules of
# Debian's kernel, and guest-init as /init.  usage: mkinitrd.sh OUT.cpio.gz
set -eu
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
KVER=$(ls /lib/modules | sort -V | tail -1)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/{bin,proc,sys,dev,tmp,lib/modules}
cp /bin/busybox "$T/bin/busybox"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
	 failover net_failover virtio_net; do
	f=$(find /lib/modules/$KVER -name "$m.ko" | head -1)
	[ -n "$f" ] || { echo "module $m not found for $KVER" >&2; exit 1; }
	cp "$f" "$T/lib/modules/"
done
install -m 755 "$HERE/guest-init" "$T/init"
(cd "$T" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$OUT"
