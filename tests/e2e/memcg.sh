#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What svcnet allocates for a request is charged to the requester's memory
# cgroup: nobody, root of its own user and network namespace inside a
# cgroup limited to MEMCG_MAX bytes, asks for more Maglev services (a
# 65537-slot table each) than fit. The kernel refuses with ENOMEM, the
# refused apply changes nothing, a small one still works, and the host is
# untouched.
#
#   init namespace                     cgroup svcnet-memcg (memory.max)
#   +----------------------------+     +--------------------------------+
#   | svc0: 10.96.0.1:80 no-route |     | user ns (nobody) + its netns   |
#   |   -> 10.0.1.2:8080          |     | m0 <- apply: SERVICES maglev   |
#   +----------------------------+     +--------------------------------+
. "$(dirname "$0")/../lib.sh"

MEMCG_MAX=${MEMCG_MAX:-$((32 << 20))}
SERVICES=${SERVICES:-400}	# 400 x 256 KiB of Maglev tables: 100 MiB
counts MEMCG_MAX SERVICES
svcnet=userspace-tools/svcnet
TMPD=$(mktemp -d)
cg=/sys/fs/cgroup
grp=$cg/svcnet-memcg
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
cleanup_cg() { rmdir "$grp" 2>/dev/null || true; }
trap 'cleanup_cg; suite_cleanup' EXIT

mountpoint -q $cg || mount -t cgroup2 none $cg
echo +memory >$cg/cgroup.subtree_control
mkdir -p "$grp"
echo "$MEMCG_MAX" >"$grp/memory.max"

modprobe svcnet
ip link add svc0 type svcnet
ip link set svc0 up
$svcnet service add svc0 tcp 10.96.0.1:80 no-route
$svcnet backend add svc0 tcp 10.96.0.1:80 10.0.1.2:8080
before=$($svcnet save svc0)

{
	echo "dev m0"
	for i in $(seq 0 $((SERVICES - 1))); do
		echo "service tcp 10.97.$((i / 250)).$((i % 250 + 1)):80 sched maglev no-route"
		echo "  backend 10.1.0.2:8080"
	done
} >"$TMPD/big.conf"
printf 'dev m0\nservice tcp 10.98.0.1:80 sched maglev no-route\n  backend 10.1.0.2:8080\n' \
	>"$TMPD/small.conf"
cat >"$TMPD/userns.sh" <<'EOS'
ip link add m0 type svcnet
ip link set m0 up
userspace-tools/svcnet apply -f "$1/big.conf" >"$1/big.out" 2>&1
echo $? >"$1/big.rc"
userspace-tools/svcnet -j service show m0 | jq length >"$1/after-big"
userspace-tools/svcnet apply -f "$1/small.conf" >"$1/small.out" 2>&1
echo $? >"$1/small.rc"
userspace-tools/svcnet -j service show m0 | jq length >"$1/after-small"
EOS
chmod 755 "$TMPD" "$TMPD/userns.sh"
chmod 777 "$TMPD"
# the shell joins the cgroup, then becomes nobody in its own namespaces
bash -c "echo \$\$ >$grp/cgroup.procs && exec setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all unshare -Urn bash $TMPD/userns.sh $TMPD"
sed 's/^/# big apply: /' "$TMPD/big.out"
check "in a $((MEMCG_MAX >> 20)) MiB memory cgroup, $SERVICES Maglev services: refused, exit 1, \"Cannot allocate memory\"" \
	sh -c "test \"\$(cat $TMPD/big.rc)\" = 1 && grep -q 'Cannot allocate memory' $TMPD/big.out"
check "the refused apply changed nothing (no service on m0)" is "$(cat "$TMPD/after-big")" 0
check "the cgroup's limit was what refused it (memory.events max > 0)" \
	test "$(awk '$1 == "max" { print $2 }' "$grp/memory.events")" -gt 0
check "no process of the cgroup was OOM-killed" \
	is "$(awk '$1 == "oom_kill" { print $2 }' "$grp/memory.events")" 0
check "a small apply in the same namespace succeeds" \
	is "$(cat "$TMPD/small.rc") $(cat "$TMPD/after-small")" "0 1"
check "the host's services are unchanged" is "$($svcnet save svc0)" "$before"
check "the namespace's memory is uncharged once it is gone" \
	wait_for 30 sh -c "test \$(cat $grp/memory.current) -lt $((4 << 20))"
ip link del svc0
rm -rf "$TMPD"
suite_end
