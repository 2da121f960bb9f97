#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# svcnet devices: creation and deletion in several namespaces, what
# iproute2 and the svcnet tool report, module unload and autoload,
# namespace teardown, bad arguments, privileges.
#
#   init namespace          namespace dev-a             namespace dev-b
#   +------------+          +-------------+-------------+  +-------------+
#   | svc0       |          | svca0       | svca1       |  | svcb0       |
#   +------------+          +-------------+-------------+  +-------------+
#   route 198.51.100.1/32 -> svc0 (no services: dropped and counted)

. "$(dirname "$0")/../lib.sh"

names() { # NETNS: the svcnet devices listed by `svcnet -j show`, sorted
	ip netns exec "$1" svcnet -j show | jq -r '[.[].ifname] | sort | join(" ")'
}
names_init() { svcnet -j show | jq -r '[.[].ifname] | sort | join(" ")'; }
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }

modprobe svcnet
netns_add dev-a
netns_add dev-b

check "ip link add svc0 type svcnet" ip link add svc0 type svcnet
check "ip -d link reports kind svcnet" \
	is "$(ip -j -d link show svc0 | jq -r '.[0].linkinfo.info_kind')" svcnet
check "no ARP, point-to-point, no link-layer address" \
	is "$(ip -j link show svc0 | jq -r '.[0] | [.link_type, (.flags | index("NOARP") != null)] | join(" ")')" "none true"
# no IPv6 chatter (MLD, router solicitations) in the drop counts below
sysctl -qw net.ipv6.conf.svc0.disable_ipv6=1
ip link set svc0 up
check "up with no queue (noqueue qdisc)" \
	is "$(ip -j link show svc0 | jq -r '.[0].qdisc')" noqueue

check "several devices in several namespaces" \
	sh -c 'ip -n dev-a link add svca0 type svcnet &&
	       ip -n dev-a link add svca1 type svcnet &&
	       ip -n dev-b link add svcb0 type svcnet'
check "svcnet -j show lists the init namespace's devices" is "$(names_init)" svc0
check "svcnet -j show lists namespace dev-a's devices" is "$(names dev-a)" "svca0 svca1"
check "svcnet -j show lists namespace dev-b's devices" is "$(names dev-b)" svcb0
check "svcnet show DEV reports one device with its ifindex" \
	is "$(svcnet -j show svc0 | jq -r '.[0].ifindex')" \
	   "$(ip -j link show svc0 | jq -r '.[0].ifindex')"
check "human output names the device" sh -c 'svcnet show | grep -q "^svc0: ifindex [0-9]"'
check_fails "unknown device: exit 1, kernel's reason" 1 "no such device" \
	svcnet show nosuchdev
check_fails "device of another namespace is invisible" 1 "no such device" \
	svcnet show svca0
check_fails "a device that is not svcnet is refused" 1 "not an svcnet device" \
	svcnet show lo
check_fails "a link-layer address is refused" 2 "no link-layer address" \
	ip link add svcx address 00:11:22:33:44:55 type svcnet
check_fails "the device cannot move to another namespace" 2 "." \
	ip link set svc0 netns dev-a

ip route add 198.51.100.1/32 dev svc0
drops() { svcnet -j -s show svc0 | jq -r '.[0].stats.drops["no-service"]'; }
before=$(drops)
python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x", ("198.51.100.1", 53))'
check "traffic without services is dropped and counted by reason" \
	wait_for 5 sh -c "test \$(svcnet -j -s show svc0 | jq -r '.[0].stats.drops[\"no-service\"]') = $((before + 5))"
check "ndo_get_stats64 reports the drops (ip -s link)" \
	is "$(ip -s -j link show svc0 | jq -r '.[0].stats64.tx.dropped')" "$((before + 5))"

gen() { ip netns exec dev-a svcnet -j show | jq -r '.[0].generation'; }
gen_before=$(gen)
check "deleting a device removes it from svcnet show" \
	sh -c 'ip -n dev-a link del svca1 && test "$(ip netns exec dev-a svcnet -j show | jq -r ".[].ifname")" = svca0'
check "the dump generation changed with the deletion" \
	test "$(gen)" -gt "$gen_before"

# A namespace with devices goes (that its devices go with it is the
# kernel's doing; teardown.sh checks what svcnet keeps per namespace).
ip netns del dev-a
check "other namespaces keep theirs" is "$(names dev-b)" svcb0
check "module reference count is 0 with devices present" \
	is "$(cat /sys/module/svcnet/refcnt)" 0

check "rmmod with devices present" rmmod svcnet
check "rmmod deleted the devices" \
	sh -c '! ip link show svc0 2>/dev/null && ! ip -n dev-b link show svcb0 2>/dev/null'
check "ip link add type svcnet autoloads the module" \
	sh -c 'ip link add svc1 type svcnet && grep -q "^svcnet " /proc/modules'
rmmod svcnet
check "svcnet show autoloads the generic netlink family" \
	sh -c 'svcnet -j show >/dev/null && grep -q "^svcnet " /proc/modules'
rmmod svcnet
old_modprobe=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
check_fails "module missing: clear error, exit 1" 1 "module is not loaded.*modprobe svcnet" \
	svcnet show
echo "$old_modprobe" >/proc/sys/kernel/modprobe
modprobe svcnet

check_fails "unknown command: exit 2" 2 "unknown command 'bogus'" svcnet bogus
check_fails "unknown option: exit 2" 2 "unknown option '-x'" svcnet -x show
check_fails "extra argument: exit 2" 2 "unexpected argument 'b'" svcnet show a b
check_fails "overlong device name: exit 2" 2 "not a valid device name" \
	svcnet show abcdefghijklmnopq
check "--help on the tool" sh -c 'svcnet --help | grep -q "^Usage: svcnet"'
check "--help on show" sh -c 'svcnet show --help | grep -q "^Usage: svcnet .*show"'

unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
check "an unprivileged user may read" unpriv svcnet -j show
check_fails "an unprivileged user cannot create a device" 2 "Operation not permitted" \
	unpriv ip link add svcu type svcnet
ip link add svc2 type svcnet
check_fails "an unprivileged user cannot delete a device" 2 "Operation not permitted" \
	unpriv ip link del svc2

suite_end
