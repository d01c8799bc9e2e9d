#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Reserve at least 1 GiB of 2 MiB hugepages and mount hugetlbfs on
# /dev/hugepages, then say what was done. Without root, or when the kernel
# cannot find the pages, say so and exit 0: vu then runs on memfd-backed
# memory (EAL --no-huge / --in-memory), only slower.
set -u

WANT_PAGES=${VU_HUGEPAGES:-600}     # 600 x 2 MiB = 1.2 GiB: a loopback pair plus tests
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
MNT=/dev/hugepages

have=$(cat $NR 2>/dev/null || echo 0)
if [ "$have" -ge "$WANT_PAGES" ]; then
	echo "hugepages: $have x 2 MiB already reserved"
elif [ "$(id -u)" -ne 0 ] || ! [ -w $NR ]; then
	echo "hugepages: cannot reserve (not root or $NR not writable); using memfd-backed memory"
else
	echo "$WANT_PAGES" > $NR 2>/dev/null
	have=$(cat $NR)
	if [ "$have" -ge "$WANT_PAGES" ]; then
		echo "hugepages: reserved $have x 2 MiB"
	else
		echo "hugepages: kernel gave $have of $WANT_PAGES pages; memfd fallback where short"
	fi
fi

if ! grep -q "^[^ ]* $MNT hugetlbfs" /proc/mounts; then
	if [ "$(id -u)" -eq 0 ] && mkdir -p $MNT && mount -t hugetlbfs nodev $MNT 2>/dev/null; then
		echo "hugepages: mounted hugetlbfs on $MNT"
	else
		echo "hugepages: hugetlbfs not mounted on $MNT; EAL will use --in-memory/--no-huge"
	fi
fi
exit 0
