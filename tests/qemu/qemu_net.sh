#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A real VMM against a testpmd-compatible vhost switch: QEMU (Debian's
# qemu-system-x86) boots Debian's kernel with two virtio-net NICs, each a
# vhost-user netdev on APP's net_vhost ports, io-forwarded into each other.
# In the guest, eth1 sits in its own network namespace: ping (both ways) and
# a 4 MiB TCP transfer (httpd/wget, md5 checked: data one way, ACKs the
# other) cross the switch.
#
# usage: qemu_net.sh APP [queues=1]     (APP: vu-testpmd or dpdk-testpmd)
# Prints TAP: one case per guest result line. Exit 0 iff all passed.
#
# QEMU notes (measured here): KVM is present but the nested guest hangs at
# boot, so the guest runs under TCG; under TCG QEMU 7.2 segfaults in
# msix_set_vector_notifiers when vhost starts, so the NICs use INTx
# (vectors=0).
set -u
APP=$1
QUEUES=${2:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d /tmp/vu-qemu.XXXXXX)
PREFIX=vq$$
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
# Files first: on a timeout meson sends SIGKILL 0.5 s after SIGTERM, and
# the hugepage files alone hold 512 MB. Unlinked while mapped, their pages
# go when the switch does.
cleanup() {
	[ -n "${QPID:-}" ] && kill -9 "$QPID" 2>/dev/null
	local term=
	[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && term=1
	rm -rf "$D" /run/dpdk/$PREFIX /dev/hugepages/${PREFIX}map_* 2>/dev/null
	[ -n "$term" ] && sleep 1 && kill -9 "$SPID" 2>/dev/null
}
trap cleanup EXIT
fail_all() { echo "1..1"; echo "not ok 1 - $1"; exit 1; }

[ -n "$KERNEL" ] || fail_all "no kernel in /boot (apt-get install linux-image-amd64)"
command -v qemu-system-x86_64 >/dev/null || fail_all "qemu-system-x86_64 missing"
echo "# $(qemu-system-x86_64 --version | head -1), kernel $KERNEL"
"$HERE/mkinitrd.sh" "$D/initrd.gz" || fail_all "cannot build the initramfs"

MEM=(-m 512)
grep -q hugetlbfs /proc/mounts || MEM+=(--no-huge)
# The switch: main lcore 0 (idle at its prompt), one forwarding lcore on 1.
mkfifo "$D/stdin"
"$APP" -l 0-1 --main-lcore 0 -n 1 --no-pci --file-prefix=$PREFIX "${MEM[@]}" \
	--vdev "net_vhost0,iface=$D/vh0.sock,queues=$QUEUES" \
	--vdev "net_vhost1,iface=$D/vh1.sock,queues=$QUEUES" \
	-- -i --nb-cores=1 --rxq=$QUEUES --txq=$QUEUES --forward-mode=io \
	<"$D/stdin" >"$D/switch.log" 2>&1 &
SPID=$!
exec 3>"$D/stdin"
# Up to 60 s: an ASan build starts slowly on a loaded 2-core machine.
for i in $(seq 300); do
	[ -S "$D/vh0.sock" ] && [ -S "$D/vh1.sock" ] && break
	kill -0 $SPID 2>/dev/null || break
	sleep 0.2
done
[ -S "$D/vh1.sock" ] || { cat "$D/switch.log"; fail_all "the switch did not create its sockets"; }
echo "start" >&3

NETS=()
for n in 0 1; do
	mq=""
	[ "$QUEUES" -gt 1 ] && mq=",mq=on"
	NETS+=(-chardev "socket,id=c$n,path=$D/vh$n.sock"
	       -netdev "vhost-user,id=n$n,chardev=c$n,queues=$QUEUES"
	       -device "virtio-net-pci,netdev=n$n,mac=52:54:00:00:00:0$((n + 1)),romfile=,vectors=0$mq")
done
# The vCPU shares core 0 with the switch's idle main lcore.
timeout 180 taskset -c 0 qemu-system-x86_64 -accel tcg -m 256M -smp 1 \
	-display none -serial "file:$D/console" -no-reboot \
	-object memory-backend-memfd,id=mem,size=256M,share=on \
	-machine q35,memory-backend=mem \
	-kernel "$KERNEL" -initrd "$D/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
	"${NETS[@]}" >"$D/qemu.log" 2>&1 &
QPID=$!
wait $QPID
QRC=$?
QPID=
echo "show port stats all" >&3
echo "show port xstats 0" >&3
echo "stop" >&3
sleep 1
echo "quit" >&3
exec 3>&-
for i in $(seq 10); do kill -0 $SPID 2>/dev/null || break; sleep 0.5; done

mapfile -t R < <(grep -a '^VU-GUEST-RESULT' "$D/console" | sed 's/^VU-GUEST-RESULT //')
want=("carrier eth0 1" "ping PASS" "tcp PASS")
# vu's switch also counts its interrupts to the guest (whose driver wants
# them): the guest received, so the switch must have notified it.
notif=-1
if ! grep -q "dpdk" <<<"$(basename "$APP")"; then
	notif=$(awk -F': ' '/^tx_q0_guest_notifications:/ { print $2 }' "$D/switch.log" | tail -1)
	notif=${notif:-0}	# no such line: reported as none
fi
echo "1..$((${#want[@]} + 1 + (notif >= 0 ? 1 : 0)))"
n=0; bad=0
for w in "${want[@]}"; do
	n=$((n + 1))
	if printf '%s\n' "${R[@]}" | grep -q "^$w"; then echo "ok $n - $w"
	else echo "not ok $n - $w"; bad=1; fi
done
n=$((n + 1))
if [ $QRC -eq 0 ]; then echo "ok $n - qemu exited cleanly"; else echo "not ok $n - qemu exit $QRC"; bad=1; fi
if [ "$notif" -ge 0 ] 2>/dev/null; then
	n=$((n + 1))
	if [ "$notif" -gt 0 ]; then echo "ok $n - switch notified the guest ($notif interrupts)"
	else echo "not ok $n - switch counted no notification to the guest"; bad=1; fi
fi
if [ $bad -ne 0 ]; then
	echo "# guest console:"; sed 's/^/# /' "$D/console" | tail -30
	echo "# qemu:"; sed 's/^/# /' "$D/qemu.log" | tail -10
	echo "# switch:"; sed 's/^/# /' "$D/switch.log" | tail -30
fi
grep -a 'RX-packets\|TX-packets' "$D/switch.log" | sed 's/^/# /'
exit $bad
