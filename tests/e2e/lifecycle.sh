#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reconfiguring a live service: draining a backend lets its connections
# finish and removes it when they have (or at its deadline); removing a
# backend resets its TCP connections at once and moves its UDP flows.
#
#            namespace lc-cl
#                   | veth
#   +---------------+------------------------------------+
#   | host   svc0 (svcnet) <- route for 10.96.0.1         |
#   +------+----------------+----------------+-----------+
#          | veth           | veth           | veth
#       lc-be1 "be1"     lc-be2 "be2"     lc-be3 "be3"   TCP+UDP :8080
#
# (the full topology is described in tests/lb-topology.sh)
source "$(dirname "$0")/../lib.sh"
TOPO=lc
source "$(dirname "$0")/../lb-topology.sh"
lb_topology

backends() { # the backends of the TCP service, with drain state
	$svcnet -j service show svc0 |
		jq -c '[.[] | select(.protocol == "tcp") | .backends[] |
			"\(.address)\(if .drain then " draining" else "" end)"]'
}
backends_are() { json_eq "$(backends)" "$1"; }
tcp_backends_are() { # N: the TCP service has N backends
	[ "$($svcnet -j service show svc0 |
		jq '[.[] | select(.protocol == "tcp") | .backends[]] | length')" = "$1" ]
}
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
is_out() { # WANT CMD...: CMD prints WANT
	local got
	got=$("${@:2}")
	[ "$got" = "$1" ] || { echo "got '$got', want '$1'"; return 1; }
}
since() { # START: seconds since $EPOCHREALTIME was START
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'
}
hold() { # hold N: N echo connections in the background; $held is its pid
	rm -f "$TMPD/ready" "$TMPD/go"
	$LB hold $VIP 80 "$1" "$TMPD" >"$TMPD/hold.out" &
	held=$!
	wait_for 90 test -e "$TMPD/ready"
}
release() { touch "$TMPD/go"; wait "$held"; }

$svcnet service add svc0 tcp $VIP:80
$svcnet service add svc0 udp $VIP:53
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
	$svcnet backend add svc0 udp $VIP:53 "10.0.$n.2:8080"
done

# --- drain: connections finish, then the backend goes ---------------------
hold 3
check "drain: accepted with a deadline" \
	$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 drain 120
check "drain: shown as draining" \
	json_eq "$(backends)" '["10.0.1.2","10.0.2.2","10.0.3.2 draining"]'
out=$(hits host $VIP 80 60)
check "drain: new connections avoid the draining backend" \
	counts_are "$out" "be1=30 be2=30 be3=0"
release
check "drain: established connections, the drained one included, go on" \
	json_eq "$(jq -c .ok "$TMPD/hold.out")" '["be1","be2","be3"]'
check "drain: the backend is removed once its last connection has ended" \
	wait_for 15 backends_are '["10.0.1.2","10.0.2.2"]'

# --- drain deadline: the kernel removes the backend and resets ----------------
$svcnet backend add svc0 tcp $VIP:80 10.0.3.2:8080
$svcnet flow flush
hold 3
start=$EPOCHREALTIME
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 drain 2
check "drain deadline: the backend is removed at the deadline, connection or not" \
	wait_for 20 tcp_backends_are 2
check "drain deadline: not before it" \
	awk -v t="$(since "$start")" 'BEGIN { exit !(t >= 2) }'
release
check "drain deadline: the connection left on it is reset" \
	json_eq "$(jq -c .reset "$TMPD/hold.out")" '["be3"]'
check "drain deadline: the others go on" \
	json_eq "$(jq -c .ok "$TMPD/hold.out")" '["be1","be2"]'

# --- weight ends a drain -------------------------------------------------------
$svcnet backend add svc0 tcp $VIP:80 10.0.3.2:8080
$svcnet flow flush
hold 3	# a connection keeps the drained backend
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 drain 600
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 weight 1
check "setting a weight ends a drain" \
	json_eq "$(backends)" '["10.0.1.2","10.0.2.2","10.0.3.2"]'
release
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 drain 600
check "drain without open connections: the backend goes at once" \
	wait_for 10 tcp_backends_are 2
$svcnet backend add svc0 tcp $VIP:80 10.0.3.2:8080
check_fails "drain and weight together: usage error" 2 "needs one of" \
	$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 weight 1 drain 5

# --- UDP flows move at once when their backend goes --------------------------
first=$(hits host $VIP 53 1 --udp --sport 27001 | jq -r 'keys[0]')
$svcnet backend del svc0 udp $VIP:53 "10.0.${first#be}.2:8080"
second=$(hits host $VIP 53 1 --udp --sport 27001 --time-file "$TMPD/took" |
	jq -r 'keys[0]')
took=$(cat "$TMPD/took" 2>/dev/null || echo 99)
check "UDP: the next datagram of a flow whose backend was removed is answered" \
	test -n "$second"
check "UDP: ... by another backend" test "$second" != "$first"
check "UDP: ... without waiting for a timeout (the client waits 5 s)" \
	awk -v t="$took" 'BEGIN { exit !(t < 4) }'

# --- a segment without a flow gets a reset -------------------------------------
no_flow() { $svcnet -j -s show svc0 | jq '.[0].stats.drops["no-flow"]'; }
nf_before=$(no_flow)
$svcnet flow flush
hold 1
$svcnet flow flush
release
check "a TCP connection whose flow was flushed is reset on its next segment" \
	test "$(jq -c '.reset | length' "$TMPD/hold.out")" = 1
check "the segment is counted as no-flow (+1)" is "$(($(no_flow) - nf_before))" 1

# --- consistent hash: a segment without a flow is picked up --------------------
# (what lets a balancer of a fleet take over connections; negative control:
# the rr service above resets)
pickups() { # flows of port 83 picked up
	$svcnet -j flow show | jq '[.[] | select(.service_port == 83 and .pickup)] | length'
}
$svcnet service add svc0 tcp $VIP:83 sched maglev
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:83 "10.0.$n.2:8080"
done
hold83() { # N: N connections to port 83 held, as hold does
	rm -f "$TMPD/ready" "$TMPD/go"
	$LB hold $VIP 83 "$1" "$TMPD" >"$TMPD/hold.out" &
	held=$!
	wait_for 90 test -e "$TMPD/ready"
}
nf_before=$(no_flow)
hold83 3
$svcnet flow flush
release
check "maglev: connections whose flows were flushed go on, each on its backend" 	is "$(jq -c '[(.ok | length), (.reset | length), (.broken | length)]' "$TMPD/hold.out")" 	"[3,0,0]"
check "maglev: their flows were picked up by their next segment" is "$(pickups)" 3
check "maglev: no segment of them is counted as no-flow" 	is "$(($(no_flow) - nf_before))" 0
# a balancer restarted from its saved file (with its hash-key) keeps them
$svcnet flow flush
hold83 3
$svcnet save svc0 >"$TMPD/restart.conf"
ip link del svc0
ip link add svc0 type svcnet
ip link set svc0 up
[ "${SVCNET_FAST_PATH:-on}" = on ] || $svcnet set svc0 fast-path off
$svcnet apply -f "$TMPD/restart.conf"
release
check "restart: svc0 deleted, created and applied from its saved file: connections go on" 	is "$(jq -c '[(.ok | length), (.reset | length), (.broken | length)]' "$TMPD/hold.out")" 	"[3,0,0]"
$svcnet service del svc0 tcp $VIP:83
$svcnet flow flush

# --- session affinity ----------------------------------------------------------
affinity_count() { $svcnet -j config | jq '."affinity-count"'; }
no_affinity() { [ "$(affinity_count)" = 0 ]; }
one_backend() { # JSON counts: one backend took every connection; print it
	[ "$(jq length <<<"$1")" = 1 ] && jq -r 'keys[0]' <<<"$1"
}
$svcnet flow flush
$svcnet service add svc0 tcp $VIP:82 affinity client-ip timeout 60
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:82 "10.0.$n.2:8080"
done
check "affinity: shown with its timeout and mask" \
	json_eq "$($svcnet -j service show svc0 | jq -c '.[] | select(.port == 82) | .affinity')" \
	'{"timeout":60,"mask":32}'
host_be=$(one_backend "$(hits host $VIP 82 30)") || true
check "affinity: 30 connections of a client go to one backend" test -n "$host_be"
cl_be=$(one_backend "$(hits lc-cl $VIP 82 30)") || true
check "affinity: another client sticks to another backend" \
	bash -c "[ -n '$cl_be' ] && [ '$cl_be' != '$host_be' ]"
ip -n lc-cl addr add 10.0.9.3/24 dev eth0
b3=$(one_backend "$(hits lc-cl $VIP 82 10 --src 10.0.9.3)") || true
check "affinity mask 32: a neighbour address is another client" \
	bash -c "[ -n '$b3' ] && [ '$b3' != '$cl_be' ]"
$svcnet service set svc0 tcp $VIP:82 affinity client-ip timeout 60 mask 24
a=$(one_backend "$(hits lc-cl $VIP 82 10 --src 10.0.9.2)") || true
b=$(one_backend "$(hits lc-cl $VIP 82 10 --src 10.0.9.3)") || true
check "affinity mask 24: two clients of one /24 share a backend" \
	bash -c "[ -n '$a' ] && [ '$a' = '$b' ]"
$svcnet backend del svc0 tcp $VIP:82 "10.0.${a#be}.2:8080"
c=$(one_backend "$(hits lc-cl $VIP 82 10)") || true
check "affinity: when the backend goes, the client sticks to a new one" \
	bash -c "[ -n '$c' ] && [ '$c' != '$a' ]"
# (6 s: reading the count takes two process starts, on the debug kernel
# under load more than a second)
$svcnet service set svc0 tcp $VIP:82 affinity client-ip timeout 6
check "affinity: changing it forgets the clients" test "$(affinity_count)" = 0
hits host $VIP 82 1 >/dev/null
check "affinity: a client is remembered anew" test "$(affinity_count)" = 1
check "affinity: a remembered client expires after the timeout" \
	wait_for 30 no_affinity
$svcnet service del svc0 tcp $VIP:82

# --- traffic policy -----------------------------------------------------------------
$svcnet flow flush
$svcnet service add svc0 tcp $VIP:83 policy local
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:83 "10.0.$n.2:8080"
done
check "policy local without a local backend: refused at once" \
	lbq host refused $VIP 83
$svcnet backend set svc0 tcp $VIP:83 10.0.2.2:8080 local on
out=$(hits host $VIP 83 30)
check "policy local: only the local backend takes connections" \
	counts_are "$out" "be1=0 be2=30 be3=0"
$svcnet service set svc0 tcp $VIP:83 policy cluster
out=$(hits host $VIP 83 30)
check "policy cluster: every backend takes connections" \
	counts_are "$out" "be1=10 be2=10 be3=10"
$svcnet service set svc0 tcp $VIP:83 sources 10.0.9.0/24
out=$(hits lc-cl $VIP 83 3)
check "sources: a client within them connects" \
	test "$(jq '[.[]] | add' <<<"$out")" = 3
check "sources: shown on the service" \
	test "$($svcnet -j service show svc0 | jq -r '.[] | select(.port == 83) | .sources')" = 10.0.9.0/24
before=$(drops source)
$svcnet service set svc0 tcp $VIP:83 sources 10.0.8.0/24,192.0.2.0/24
check "sources: a client outside them is refused at once (prohibited)" \
	lbq lc-cl refused $VIP 83 --filtered
check "sources: the refusal is counted as a source drop" \
	test "$(drops source)" -gt "$before"
$svcnet service set svc0 tcp $VIP:83 sources any
check "sources any: every client again" lbq lc-cl hits $VIP 83 1
check_fails "sources of the other family: usage error" 2 "prefixes" \
	$svcnet service set svc0 tcp $VIP:83 sources fd00::/8
$svcnet service del svc0 tcp $VIP:83

# --- port reuse ---------------------------------------------------------------------
# A client that reuses the port of a connection to a draining backend (its
# SYN meets the old flow) is balanced to another backend.
flow_of() { # CLIENT_PORT: "client backend" of the flow to port 84
	$svcnet -j flow show |
		jq -r ".[] | select(.service_port == 84 and .client_port == $1) |
			\"\\(.client) \\(.backend)\""
}
$svcnet service add svc0 tcp $VIP:84
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:84 "10.0.$n.2:8080"
done
rm -f "$TMPD/ready" "$TMPD/go"
$LB hold $VIP 84 1 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
port=$($svcnet -j flow show | jq '.[] | select(.service_port == 84) | .client_port')
read -r client old_be <<<"$(flow_of "$port")"
$svcnet backend set svc0 tcp $VIP:84 "$old_be:8080" drain 600
lbq host syn "$client" "$port" $VIP 84
new_be() { # the flow's backend now: present, and not the draining one
	local b
	b=$($svcnet -j flow show | jq -r ".[] | select(.service_port == 84 and .client_port == $port) | .backend")
	[ -n "$old_be" ] && [ -n "$b" ] && [ "$b" != "$old_be" ] ||
		{ echo "old backend '$old_be', now '$b'"; return 1; }
}
check "port reuse: a SYN on a flow to a draining backend goes to another" new_be
touch "$TMPD/go"
wait "$held" || true
$svcnet service del svc0 tcp $VIP:84

# --- events -----------------------------------------------------------------------
$svcnet -j monitor >>"$TMPD/events" &
mon=$!
# subscribed once a probe event shows up
wait_for 20 monitor_probe "$TMPD/events"
: >"$TMPD/events"
$svcnet service add svc0 tcp 10.96.0.7:80 sched wrr no-route
$svcnet backend add svc0 tcp 10.96.0.7:80 10.0.1.2:8080 weight 2
$svcnet backend set svc0 tcp 10.96.0.7:80 10.0.1.2:8080 weight 3
$svcnet backend set svc0 tcp 10.96.0.7:80 10.0.1.2:8080 weight 3	# no change
$svcnet backend set svc0 tcp 10.96.0.7:80 10.0.1.2:8080 local on
$svcnet backend add svc0 tcp 10.96.0.7:80 10.0.2.2:8080 weight 4
$svcnet backend del svc0 tcp 10.96.0.7:80 10.0.2.2:8080
$svcnet service set svc0 tcp 10.96.0.7:80 sched rr
$svcnet backend set svc0 tcp 10.96.0.7:80 10.0.1.2:8080 drain 1
wait_for 15 grep -q '"backend del".*10.0.1.2' "$TMPD/events"
$svcnet flow flush svc0
$svcnet service del svc0 tcp 10.96.0.7:80
wait_for 10 grep -q '"service del"' "$TMPD/events"
kill "$mon"
events=$(jq -c '[.event, (.backend.weight // null), (.purged // null)]' "$TMPD/events" | paste -sd' ')
# every command that changes the configuration, and the end of a drain
check "monitor -j reports each change, in order, with what it did" \
	is_out '["service add",null,null] ["backend add",2,null] ["backend set",3,null] ["backend set",3,null] ["backend add",4,null] ["backend del",4,0] ["service set",null,null] ["backend drain",3,null] ["backend del",3,0] ["flow flush",null,0] ["service del",null,0]' \
	echo "$events"
# the generation an event carries is the one its change left
gen_now() { $svcnet -j show svc0 | jq '.[0].generation'; }
last_gen_is_now() {
	[ "$(jq -s '[.[] | select(.event != "flow flush")] | last | .generation' "$TMPD/events")" = "$(gen_now)" ]
}
check "monitor -j: the last change's event carries the generation it left" \
	last_gen_is_now
gens_rise() { # every change's event a generation after the one before
	jq -se '[.[] | select(.event != "flow flush") | .generation] |
		. as $g | [range(1; length) | $g[.] > $g[. - 1]] | all' "$TMPD/events"
}
check "monitor -j: each change's event a generation after the one before" \
	gens_rise
check "monitor -j names the device and the service" \
	jq -se 'map(select(.event == "service add")) | length == 1 and
		(.[0] | .ifname == "svc0" and .address == "10.96.0.7" and
		 .port == 80 and .scheduler == "wrr")' "$TMPD/events"

# --- drains that end together ----------------------------------------------------
# 2,000 backends whose drains end at once go in one transaction of their
# service: the host's RTNL is never held for long meanwhile.
ip link add svc9 type svcnet
ip link set svc9 up
{
	echo "service tcp 10.96.9.1:80 no-route"
	for i in $(seq 0 1999); do
		echo "  backend 10.9.$((i / 200)).$((i % 200 + 1)):80 drain 1"
	done
} >"$TMPD/drains.conf"
$svcnet apply svc9 -f "$TMPD/drains.conf"
backends_left() { $svcnet -j service show svc9 | jq '.[0].backends | length'; }
max_ms=0
for _ in $(seq 1 200); do
	# (timed by bash itself: date's own start-ups are not RTNL's wait)
	t0=${EPOCHREALTIME/./}
	ip link show dev lo >/dev/null
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	[ "$ms" -le "$max_ms" ] || max_ms=$ms
	[ "$(backends_left)" != 0 ] || break
	nap 0.05
done
check "2,000 drains ending at once: every backend removed" \
	test "$(backends_left)" = 0
check "2,000 drains ending at once: ip link show waited at most 2 s (max $max_ms ms)" \
	test "$max_ms" -le 2000
ip link del svc9

# --- ICMP errors are translated both ways --------------------------------------
$svcnet service add svc0 udp $VIP:54
$svcnet backend add svc0 udp $VIP:54 10.0.1.2:9	# nothing listens there
check "a backend's port unreachable reaches a local client: refused" \
	lbq host refused $VIP 54 --udp
check "a backend's port unreachable reaches a forwarded client: refused" \
	lbq lc-cl refused $VIP 54 --udp
check "the forwarded client sees the error come from the service address" \
	is_out "$VIP" lbq lc-cl icmpfrom $VIP 54
$svcnet service add svc0 tcp $VIP:81
$svcnet backend add svc0 tcp $VIP:81 10.0.1.2:8080
# the host's side only: the backend still offers an MSS for 1500 bytes,
# so clients must learn the path MTU from the host's ICMP errors
ip link set lc-be1 mtu 1280
check "PMTU: a forwarded client's 1 MB transfer over a 1280-byte hop arrives" \
	lbq lc-cl sha $VIP 81 1048576
check "PMTU: a local client's 1 MB transfer over a 1280-byte hop arrives" \
	lbq host sha $VIP 81 1048576
check "PMTU: the forwarded client learnt the path MTU to the service" \
	bash -c "ip -n lc-cl route get $VIP | grep -q 'mtu 1280'"
$svcnet service add svc0 tcp "[$VIP6]:81"
$svcnet backend add svc0 tcp "[$VIP6]:81" "[fd00:1::2]:8080"
check "PMTU: an IPv6 forwarded client's 1 MB transfer arrives (packet too big)" \
	lbq lc-cl sha $VIP6 81 1048576
check "PMTU: an IPv6 local client's 1 MB transfer arrives" \
	lbq host sha $VIP6 81 1048576
# forward snat: the error goes to this host's address, then to the client
for a in 10.96.0.86:86 "[fd00:96::86]:86"; do
	$svcnet service add svc0 tcp "$a" forward snat
done
$svcnet backend add svc0 tcp 10.96.0.86:86 10.0.1.2:8080
$svcnet backend add svc0 tcp "[fd00:96::86]:86" "[fd00:1::2]:8080"
check "PMTU, snat: a forwarded client's 1 MB transfer over a 1280-byte hop arrives" \
	lbq lc-cl sha 10.96.0.86 86 1048576
check "PMTU, snat: ... over IPv6 too" \
	lbq lc-cl sha fd00:96::86 86 1048576
$svcnet service del svc0 tcp 10.96.0.86:86
$svcnet service del svc0 tcp "[fd00:96::86]:86"
ip link set lc-be1 mtu 1500

# --- hairpin: a backend that is its own service's client ----------------------
# Without source NAT its request would come back to it from itself and its
# reply would never reach the host.
$svcnet service add svc0 tcp $VIP:85
$svcnet service add svc0 udp $VIP:85
$svcnet service add svc0 tcp "[$VIP6]:85"
$svcnet backend add svc0 tcp $VIP:85 10.0.1.2:8080
$svcnet backend add svc0 udp $VIP:85 10.0.1.2:8080
$svcnet backend add svc0 tcp "[$VIP6]:85" "[fd00:1::2]:8080"
out=$(hits lc-be1 $VIP 85 5) || true
check "hairpin: a backend connects to its own service (TCP)" \
	counts_are "$out" "be1=5"
out=$(hits lc-be1 $VIP 85 5 --udp) || true
check "hairpin: and gets its UDP answers" counts_are "$out" "be1=5"
out=$(hits lc-be1 $VIP6 85 5) || true
check "hairpin: IPv6 too" counts_are "$out" "be1=5"
check "hairpin: a 1 MB transfer arrives intact" \
	lbq lc-be1 sha $VIP 85 1048576
check "hairpin: the flow is source NATed to the host's address, high port" \
	jq -e '[.[] | select(.service_port == 85 and .client == "10.0.1.2" and
		.protocol == "udp")] | length > 0 and
		all(.snat == "10.0.1.1" and .snat_port >= 61000)' \
		<<<"$($svcnet -j flow show)"
no_snat() { # PORT N: N flows to PORT, none of them translated
	$svcnet -j flow show |
		jq -e "[.[] | select(.service_port == $1)] |
			length == $2 and all(.snat == null)"
}
lbq lc-cl hits $VIP 85 1 --udp >/dev/null
check "hairpin: other clients are not translated" \
	bash -c "$svcnet -j flow show | jq -e '[.[] | select(.client == \"10.0.9.2\" and .service_port == 85)] | length == 1 and all(.snat == null)'"
# nothing listens on port 9 of be1: its port unreachable, sent to the
# host's address and port, must reach it as the client
$svcnet service add svc0 udp $VIP:88
$svcnet backend add svc0 udp $VIP:88 10.0.1.2:9
check "hairpin: the backend's own port unreachable reaches its client socket" \
	lbq lc-be1 refused $VIP 88 --udp
$svcnet service add svc0 tcp $VIP:86
$svcnet backend add svc0 tcp $VIP:86 10.0.9.1:8086
$LB serve host 8086 >"$TMPD/host.log" 2>&1 &
PIDS+=($!)
wait_for 90 grep -q serving "$TMPD/host.log"
out=$(hits host $VIP 86 3 --src 10.0.9.1) || true
check "hairpin: a backend on this host is reached from its own address" \
	counts_are "$out" "host=3"
check "hairpin: ... without translation" no_snat 86 3

suite_end
