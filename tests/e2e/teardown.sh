#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown while connections are live, each order in a loop: the device
# deleted, the device set down and up, the module removed, the namespace
# that holds the device deleted. Clients keep connecting and streaming
# throughout. No crash, no leak, no hung task (the VM harness checks the
# kernel log and kmemleak), the module's reference count back to 0, and
# the balancer works again after each round.
#
#            namespace td-cl 10.0.9.2: loop + stream -> 10.96.0.1:80
#                   |
#   +---------------+---------------------------------------------+
#   | host   svc0 (deleted / down-up / rmmod, in loops)            |
#   +------+----------------+----------------+--------------------+
#       td-be1           td-be2           td-be3   (:8080)
#
#   namespace td-x (deleted with its traffic, in a loop)
#   +-------------------------------------------------------------+
#   | svc0: 10.96.0.1:80 -> 10.1.0.2:8080 (a local backend on dummy |
#   | d0), clients in the namespace: loop + stream                |
#   +-------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
TOPO=td
. "$(dirname "$0")/../lb-topology.sh"

ROUNDS=${ROUNDS:-$(scale 1 6)}
RMMOD_ROUNDS=${RMMOD_ROUNDS:-$(scale 1 3)}
counts ROUNDS RMMOD_ROUNDS
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }

services() {
	$svcnet service add svc0 tcp $VIP:80
	$svcnet service add svc0 udp $VIP:53
	for n in 1 2 3; do
		$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
		$svcnet backend add svc0 udp $VIP:53 "10.0.$n.2:8080"
	done
}
traffic() { # start clients in td-cl; $tpids are theirs
	rm -f "$TMPD/stop" "$TMPD/streaming"
	tpids=()
	ip netns exec td-cl $LB stream $VIP 80 "$TMPD" >/dev/null 2>&1 &
	tpids+=($!)
	ip netns exec td-cl $LB loop $VIP 80 "$TMPD" >/dev/null 2>&1 &
	tpids+=($!)
	wait_for 90 test -e "$TMPD/streaming"
	wait_for 30 sh -c "test \$($svcnet -j config | jq '.\"flow-count\"') -ge 2"
}
stop_traffic() { # clients of a broken connection wait for timeouts: end them
	touch "$TMPD/stop"
	wait_for 3 sh -c "! kill -0 ${tpids[*]} 2>/dev/null" || kill -9 "${tpids[@]}" 2>/dev/null || true
	wait "${tpids[@]}" 2>/dev/null || true
}
works() { lbq td-cl hits $VIP 80 3 >/dev/null; }
refcnt_zero() { test "$(cat /sys/module/svcnet/refcnt)" = 0; }

modprobe svcnet
lb_topology
services

# --- device deleted under traffic ----------------------------------------------
ok=0
for r in $(seq "$ROUNDS"); do
	traffic
	ip link del svc0
	stop_traffic
	refcnt_zero
	ip link add svc0 type svcnet
	ip link set svc0 up
	services
	works && ok=$((ok + 1))
done
check "svc0 deleted with live connections, $ROUNDS rounds: recreated, it balances again" \
	is "$ok" "$ROUNDS"

# --- down and up under traffic ----------------------------------------------------
ok=0
traffic
for r in $(seq $((ROUNDS * 2))); do
	ip link set svc0 down
	ip link set svc0 up
	# the routes through a device go when it goes down; apply puts
	# back those of the services
	$svcnet save svc0 | $svcnet apply -f -
	works && ok=$((ok + 1))
done
stop_traffic
check "svc0 down and up $((ROUNDS * 2)) times with live connections: it balances after each" \
	is "$ok" $((ROUNDS * 2))

# --- module removed under traffic ---------------------------------------------------
ok=0
for r in $(seq "$RMMOD_ROUNDS"); do
	traffic
	rmmod svcnet
	stop_traffic
	# (a bare "! cmd" never stops a script under set -e)
	gone=0
	ip link show svc0 >/dev/null 2>&1 || gone=1
	modprobe svcnet
	ip link add svc0 type svcnet
	ip link set svc0 up
	services
	[ $gone = 1 ] && works && refcnt_zero && ok=$((ok + 1))
done
check "rmmod with live connections, $RMMOD_ROUNDS rounds: devices gone, module back, it balances" \
	is "$ok" "$RMMOD_ROUNDS"

# --- namespace deleted under traffic ------------------------------------------------
xns() {
	ip netns add td-x
	ip -n td-x link set lo up
	ip -n td-x link add d0 type dummy
	ip -n td-x addr add 10.1.0.2/24 dev d0
	ip -n td-x link set d0 up
	ip -n td-x link add svc0 type svcnet
	ip -n td-x link set svc0 up
	ip netns exec td-x $LB serve bx 8080 >"$TMPD/bx.log" 2>&1 &
	xpids=($!)
	wait_for 90 grep -q serving "$TMPD/bx.log"
	ip netns exec td-x $svcnet service add svc0 tcp $VIP:80
	ip netns exec td-x $svcnet backend add svc0 tcp $VIP:80 10.1.0.2:8080
	rm -f "$TMPD/stop" "$TMPD/streaming"
	ip netns exec td-x $LB stream $VIP 80 "$TMPD" >/dev/null 2>&1 &
	xpids+=($!)
	ip netns exec td-x $LB loop $VIP 80 "$TMPD" >/dev/null 2>&1 &
	xpids+=($!)
	wait_for 90 test -e "$TMPD/streaming"
}
ok=0
for r in $(seq "$ROUNDS"); do
	xns
	flows=$(ip netns exec td-x $svcnet -j config | jq '."flow-count"')
	# the namespace goes when its last process does
	ip netns del td-x
	kill -9 "${xpids[@]}"
	wait "${xpids[@]}" 2>/dev/null || true
	[ "$flows" -ge 1 ] && ok=$((ok + 1))
done
check "a namespace with svc0, flows and clients deleted, $ROUNDS rounds" \
	is "$ok" "$ROUNDS"
check "the host's svc0 still balances" works
check "the last device deleted, the module's reference count is 0" \
	sh -c "ip link del svc0 && test \$(cat /sys/module/svcnet/refcnt) = 0"
check "svcnet unloads after all of it" rmmod svcnet
suite_end
