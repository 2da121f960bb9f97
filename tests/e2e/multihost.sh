#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Beyond one host: balancers behind a router that spreads flows over them
# (ECMP, fib_multipath_hash_policy=1), each with its own svc0 applied from
# one file (one hash-key, maglev, forward tunnel); backends whose routes do
# not lead back through any balancer answer clients directly. A flow gets
# the same backend on either balancer, and a connection survives its
# balancer leaving the multipath route or a balancer joining it (taken up
# by the hash on its next segment). Source NAT: the same backends, which
# answer whoever they see, reached through either balancer. The route is
# first static, then announced by each balancer over BGP (bird2) and
# withdrawn when one stops.
#
#                         mh-cl 10.8.0.2 fd08::2
#                                | veth
#   mh-rt (router) 10.8.0.1 ------+------- ECMP 10.96.0.1, fd96::1 ->
#     | 10.8.N.1 (N = 1, 2, 3)       lb1 10.8.1.2, lb2 10.8.2.2, lb3 10.8.3.2
#   mh-lbN: svc0 <- apply (:8080 tunnel, :8081 and :8082 snat to the
#     backends), default via mh-rt
#     | 10.9.N.1 (N = 1, 2, 3)
#   mh-beN 10.9.N.2 fd09:N::2: tunl0, ip6tnl0, 10.96.0.1 and fd96::1 on lo,
#   serve :8080, default route via mh-rt (never a balancer)
#
source "$(dirname "$0")/../lib.sh"
LB="python3 -S $(py lbtool)"
svcnet=$PWD/userspace-tools/svcnet
TMPD=$(mktemp -d)
VIP=10.96.0.1
VIP6=fd96::1
KEY=5f2b8c7a01d94e63b0a7c4d2e9f18a35
PIDS=()
N_CONN=${N_CONN:-$(scale 60 300)}
N_SNAT=${N_SNAT:-$(scale 30 300)}
counts N_CONN N_SNAT
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in mh-cl mh-lb1 mh-lb2 mh-lb3; do
		ip netns pids "$p" 2>/dev/null | xargs -r kill 2>/dev/null || true
	done
	rm -rf "$TMPD"
	suite_cleanup
}
trap cleanup EXIT
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
in_ns() { ip netns exec "$@"; }
link() { # NS1 IF1 ADDR1 NS2 IF2 ADDR2 [ADDR1_6 ADDR2_6]
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	[ -z "${7:-}" ] || ip -n "$1" addr add "$7" dev "$2" nodad
	[ -z "${8:-}" ] || ip -n "$4" addr add "$8" dev "$5" nodad
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

modprobe svcnet
modprobe ipip
modprobe ip6_tunnel
for ns in mh-cl mh-rt mh-lb1 mh-lb2 mh-lb3 mh-be1 mh-be2 mh-be3; do
	netns_add "$ns"
done
lb_agent mh-cl
in_ns mh-rt sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
link mh-cl eth0 10.8.0.2/24 mh-rt cl 10.8.0.1/24 fd08::2/64 fd08::1/64
ip -n mh-cl route add default via 10.8.0.1
ip -n mh-cl -6 route add default via fd08::1
for n in 1 2 3; do
	in_ns "mh-lb$n" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	link "mh-lb$n" eth0 "10.8.$n.2/24" mh-rt "lb$n" "10.8.$n.1/24" \
		"fd08:$n::2/64" "fd08:$n::1/64"
	ip -n "mh-lb$n" route add default via "10.8.$n.1"
	ip -n "mh-lb$n" -6 route add default via "fd08:$n::1"
	link "mh-be$n" eth0 "10.9.$n.2/24" mh-rt "be$n" "10.9.$n.1/24" \
		"fd09:$n::2/64" "fd09:$n::1/64"
	ip -n "mh-be$n" route add default via "10.9.$n.1"
	ip -n "mh-be$n" -6 route add default via "fd09:$n::1"
	ip -n "mh-be$n" link set tunl0 up
	ip -n "mh-be$n" link set ip6tnl0 up
	ip -n "mh-be$n" addr add $VIP/32 dev lo
	ip -n "mh-be$n" addr add $VIP6/128 dev lo nodad
	in_ns "mh-be$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.tunl0.rp_filter=0
	in_ns "mh-be$n" $LB serve "be$n" 8080 >"$TMPD/be$n.log" 2>&1 &
	PIDS+=($!)
done
for n in 1 2 3; do wait_for 90 grep -q serving "$TMPD/be$n.log"; done
cat >"$TMPD/lb.conf" <<EOF
dev svc0
hash-key $KEY
service tcp $VIP:8080 sched maglev forward tunnel
  backend 10.9.1.2:8080
  backend 10.9.2.2:8080
  backend 10.9.3.2:8080
service udp $VIP:8080 sched maglev forward tunnel
  backend 10.9.1.2:8080
  backend 10.9.2.2:8080
  backend 10.9.3.2:8080
service tcp [$VIP6]:8080 sched maglev forward tunnel
  backend [fd09:1::2]:8080
  backend [fd09:2::2]:8080
  backend [fd09:3::2]:8080
service udp [$VIP6]:8080 sched maglev forward tunnel
  backend [fd09:1::2]:8080
  backend [fd09:2::2]:8080
  backend [fd09:3::2]:8080
EOF
for p in tcp udp; do
	cat >>"$TMPD/lb.conf" <<EOF
service $p $VIP:8081 sched maglev forward snat
  backend 10.9.1.2:8080
  backend 10.9.2.2:8080
  backend 10.9.3.2:8080
service $p [$VIP6]:8081 sched maglev forward snat
  backend [fd09:1::2]:8080
  backend [fd09:2::2]:8080
  backend [fd09:3::2]:8080
EOF
done
cat >>"$TMPD/lb.conf" <<EOF
service tcp $VIP:8082 sched maglev forward snat
  backend 10.9.1.2:8080
EOF
# the same services on each balancer, their backends listed in another order
lb_up() { # N: svc0 of balancer N, from the file
	in_ns "mh-lb$1" ip link add svc0 type svcnet
	in_ns "mh-lb$1" ip link set svc0 up
	if [ "$1" = 2 ]; then
		awk '/backend/ { b[n++] = $0; next } { while (n) print b[--n]; print }
			END { while (n) print b[--n] }' "$TMPD/lb.conf" >"$TMPD/lb2.conf"
		in_ns mh-lb2 $svcnet apply -f "$TMPD/lb2.conf"
	else
		in_ns "mh-lb$1" $svcnet apply -f "$TMPD/lb.conf"
	fi
}
lb_up 1
lb_up 2
ecmp4() { # N...: the IPv4 service address routed over balancers N...
	local n a=()
	for n in "$@"; do a+=(nexthop via "10.8.$n.2"); done
	ip -n mh-rt route replace $VIP/32 "${a[@]}"
}
ecmp6() { # N...: the IPv6 one
	local n a=()
	for n in "$@"; do a+=(nexthop via "fd08:$n::2"); done
	ip -n mh-rt -6 route replace $VIP6/128 "${a[@]}"
}
ecmp() { ecmp4 "$@"; ecmp6 "$@"; }
ecmp 1 2
tx() { in_ns "mh-lb$1" ip -j -s link show svc0 | jq '.[0].stats64.tx.packets'; }
rx() { in_ns "mh-lb$1" ip -j -s link show svc0 | jq '.[0].stats64.rx.packets'; }
# balancer N's UDP flows from client ports P..P+19: {"PORT": BACKEND}
flow_map() {
	in_ns "mh-lb$1" $svcnet -j flow show |
		jq -c --argjson p "$2" '[.[] | select(.protocol == "udp" and .client_port >= $p and
			.client_port < $p + 20) | {key: "\(.client_port)", value: .backend}] | from_entries'
}

# --- tunnel: spread, direct replies -------------------------------------------
out=$(lbq mh-cl hits $VIP 8080 "$N_CONN")
check "tunnel: $N_CONN connections, every backend takes some" \
	jq -e '.be1 > 0 and .be2 > 0 and .be3 > 0' <<<"$out"
check "tunnel: both balancers carried some" \
	eval '[ "$(tx 1)" -gt 0 ] && [ "$(tx 2)" -gt 0 ]'
out=$(lbq mh-cl hits $VIP6 8080 "$N_CONN")
check "tunnel: IPv6 too, every backend takes some" \
	jq -e '.be1 > 0 and .be2 > 0 and .be3 > 0' <<<"$out"
out=$(lbq mh-cl hits $VIP 8080 20 --udp)
check "tunnel: UDP too" jq -e '[.[]] | add == 20' <<<"$out"
out=$(lbq mh-cl hits $VIP6 8080 20 --udp)
check "tunnel: UDP over IPv6 too" jq -e '[.[]] | add == 20' <<<"$out"
check "tunnel: replies reach the client straight from the backends, IPv4 and IPv6 (no balancer translated one)" \
	is "$(rx 1) $(rx 2)" "0 0"

# --- the same flow, the same backend, on either balancer ---------------------------
# each client port once through balancer 1, then through balancer 2
# (IPv4 from ports 31000-31019, IPv6 from 32000-32019)
ecmp 1
lbq mh-cl hits $VIP 8080 20 --udp --sport 31000 >/dev/null
lbq mh-cl hits $VIP6 8080 20 --udp --sport 32000 >/dev/null
ecmp 2
lbq mh-cl hits $VIP 8080 20 --udp --sport 31000 >/dev/null
lbq mh-cl hits $VIP6 8080 20 --udp --sport 32000 >/dev/null
same_backends() { # FIRST_PORT
	local a b
	a=$(flow_map 1 "$1") b=$(flow_map 2 "$1")
	[ "$(jq length <<<"$a")" = 20 ] &&
		jq -en --argjson a "$a" --argjson b "$b" '$a == $b' >/dev/null ||
		{ echo "lb1 $a, lb2 $b"; return 1; }
}
check "tunnel: 20 UDP flows, each to the same backend on either balancer (flow show)" \
	same_backends 31000
check "tunnel: ... over IPv6 too" same_backends 32000

# --- a balancer leaves, a balancer joins: long transfers go on ------------------
# one stream over IPv4 and one over IPv6 at once, each family's route
# changed on its own
fam_json() { if [ "$1" = 6 ]; then echo true; else echo false; fi; }
stream_on() { # 4|6: the balancer carrying that family's stream
	local n
	for n in 1 2 3; do
		[ -z "$(in_ns "mh-lb$n" $svcnet -j flow show 2>/dev/null |
			jq -r --argjson v6 "$(fam_json "$1")" \
				'.[] | select(.service_port == 8080 and .protocol == "tcp" and .state == "established" and (.client | contains(":")) == $v6) | .client_port' |
			head -n 1)" ] || { echo "$n"; return; }
	done
}
picked_up() { # N 4|6: balancer N carries a picked-up flow of that family
	in_ns "mh-lb$1" $svcnet -j flow show |
		jq -e --argjson v6 "$(fam_json "$2")" \
			'[.[] | select(.pickup and (.client | contains(":")) == $v6)] | length > 0' >/dev/null
}
ecmp 1 2
for n in 1 2; do in_ns "mh-lb$n" $svcnet flow flush; done
mkdir "$TMPD/s4" "$TMPD/s6"
in_ns mh-cl $LB stream $VIP 8080 "$TMPD/s4" >"$TMPD/stream4.json" &
sp4=$!
in_ns mh-cl $LB stream $VIP6 8080 "$TMPD/s6" >"$TMPD/stream6.json" &
sp6=$!
wait_for 90 test -e "$TMPD/s4/streaming"
wait_for 90 test -e "$TMPD/s6/streaming"
first4=$(stream_on 4) first6=$(stream_on 6)
other4=$((3 - first4)) other6=$((3 - first6))
ecmp4 "$other4"
ecmp6 "$other6"
check "leave: the balancer carrying a stream leaves the route, the other picks it up" \
	wait_for 10 picked_up "$other4" 4
check "leave: ... over IPv6 too" wait_for 10 picked_up "$other6" 6
lb_up 3
ecmp4 "$other4" 3
ecmp6 "$other6" 3
sleep 3
touch "$TMPD/s4/stop" "$TMPD/s6/stop"
wait "$sp4" || true
wait "$sp6" || true
check "leave and join: the stream is byte-exact and was never cut" \
	jq -e '.ok and .error == null and .lines > 10' "$TMPD/stream4.json"
check "leave and join: ... over IPv6 too" \
	jq -e '.ok and .error == null and .lines > 10' "$TMPD/stream6.json"

# --- path MTU beyond the first hop -----------------------------------------------------
ip -n mh-rt link set be1 mtu 1400
ip -n mh-rt link set be2 mtu 1400
ip -n mh-rt link set be3 mtu 1400
ecmp 1 2
check "PMTU: a 1 MB transfer through hops of 1400 bytes behind the router arrives" \
	lbq mh-cl sha $VIP 8080 1048576
check "PMTU: ... over IPv6 too" lbq mh-cl sha $VIP6 8080 1048576
for n in 1 2 3; do ip -n mh-rt link set "be$n" mtu 1500; done

# --- source NAT: backends that answer whoever they see ------------------------------
# the backends' default routes lead to mh-rt, never to a balancer; each
# balancer's address towards them is its own (10.8.N.2, fd08:N::2)
peers() { jq -c '[keys[] | split(" ")[1]] | unique' <<<"$1"; }
backends() { jq -c '[keys[] | split(" ")[0]] | unique' <<<"$1"; }
ecmp 1 2
out=$(lbq mh-cl hits $VIP 8081 "$N_SNAT" --peer)
check "snat: $N_SNAT connections through two balancers succeed although the backends route elsewhere, every backend takes some" \
	is "$(backends "$out")" '["be1","be2","be3"]'
check "snat: the backends see the balancers' own addresses, both of them" \
	is "$(peers "$out")" '["10.8.1.2","10.8.2.2"]'
out=$(lbq mh-cl hits $VIP6 8081 "$N_SNAT" --peer)
check "snat: IPv6 too, every backend takes some" \
	is "$(backends "$out")" '["be1","be2","be3"]'
check "snat: ... and over IPv6 the backends see the balancers' addresses" \
	is "$(peers "$out")" '["fd08:1::2","fd08:2::2"]'
out=$(lbq mh-cl hits $VIP 8081 20 --udp --peer)
check "snat: UDP too, the backends answering the balancers' addresses" \
	jq -e '([.[]] | add == 20) and ([keys[] | split(" ")[1]] - ["10.8.1.2","10.8.2.2"] == [])' <<<"$out"
out=$(lbq mh-cl hits $VIP6 8081 20 --udp --peer)
check "snat: UDP over IPv6 too" \
	jq -e '([.[]] | add == 20) and ([keys[] | split(" ")[1]] - ["fd08:1::2","fd08:2::2"] == [])' <<<"$out"
for n in 1 2; do in_ns "mh-lb$n" $svcnet service set svc0 tcp $VIP:8081 forward nat; done
check "forward nat (the control): the backends' replies bypass the balancers, connections fail" \
	bash -c "! ip netns exec mh-cl $LB hits $VIP 8081 1 --within 2"
for n in 1 2; do in_ns "mh-lb$n" $svcnet service set svc0 tcp $VIP:8081 forward snat; done
# exhaustion: one port in balancer 1's range, held by a connection to
# :8082's one backend; another connection there is refused and counted
no_port() { in_ns mh-lb1 $svcnet -j -s show svc0 | jq '.[0].stats.drops["no-port"]'; }
ecmp4 1
in_ns mh-lb1 $svcnet config set snat-port-min 62000 snat-port-max 62000
mkdir "$TMPD/h"
in_ns mh-cl $LB hold $VIP 8082 1 "$TMPD/h" >"$TMPD/hold.json" &
hp=$!
wait_for 90 test -e "$TMPD/h/ready"
np_before=$(no_port)
check "snat: with the one port of a balancer's range held, a new connection is refused ..." \
	bash -c "! ip netns exec mh-cl $LB hits $VIP 8082 1 --within 2"
check "snat: ... and counted as a no-port drop" \
	eval '[ $(($(no_port) - np_before)) -ge 1 ]'
touch "$TMPD/h/go"
wait "$hp" || true
check "snat: ... while the connection holding the port goes on" \
	is "$(jq -c .ok "$TMPD/hold.json")" '["be1"]'
in_ns mh-lb1 $svcnet config set snat-port-min 61000 snat-port-max 65535
ecmp 1 2

# --- BGP: each balancer announces the service addresses; the router learns one
# multipath route; a balancer that stops is withdrawn -----------------------------------
if command -v bird >/dev/null; then
	ip -n mh-rt route del $VIP/32
	ip -n mh-rt -6 route del $VIP6/128
	cat >"$TMPD/rt.conf" <<EOF
router id 10.8.0.1;
protocol device {}
protocol kernel k4 { ipv4 { export all; }; merge paths on; }
protocol kernel k6 { ipv6 { export all; }; merge paths on; }
EOF
	for n in 1 2 3; do
		cat >>"$TMPD/rt.conf" <<EOF
protocol bgp lb$n {
	local 10.8.$n.1 as 65000; neighbor 10.8.$n.2 as 65001;
	connect delay time 1; connect retry time 2; error wait time 1, 4;
	ipv4 { import all; export none; }; ipv6 { import all; export none; };
}
EOF
		cat >"$TMPD/lb$n.conf" <<EOF
router id 10.8.$n.2;
protocol device {}
protocol static s4 { ipv4; route $VIP/32 via "svc0"; }
protocol static s6 { ipv6; route $VIP6/128 via "svc0"; }
protocol bgp uplink {
	local 10.8.$n.2 as 65001; neighbor 10.8.$n.1 as 65000;
	connect delay time 1; connect retry time 2; error wait time 1, 4;
	ipv4 { import none; export where proto = "s4"; next hop self; };
	ipv6 { import none; export where proto = "s6"; next hop address fd08:$n::2; };
}
EOF
	done
	in_ns mh-rt bird -c "$TMPD/rt.conf" -s "$TMPD/rt.ctl" -P "$TMPD/rt.pid"
	for n in 1 2; do
		in_ns "mh-lb$n" bird -c "$TMPD/lb$n.conf" -s "$TMPD/lb$n.ctl" -P "$TMPD/lb$n.pid"
	done
	nexthops() { ip -n mh-rt route show $VIP | grep -c "nexthop via"; }
	check "BGP: the router learns the service address from both balancers, as one multipath route" \
		wait_for 60 eval '[ "$(nexthops)" = 2 ]'
	out=$(lbq mh-cl hits $VIP 8080 "$N_CONN")
	check "BGP: connections over the announced route reach every backend" \
		jq -e '.be1 > 0 and .be2 > 0 and .be3 > 0' <<<"$out"
	mkdir "$TMPD/s"
	in_ns mh-cl $LB stream $VIP 8080 "$TMPD/s" >"$TMPD/stream2.json" &
	sp=$!
	wait_for 90 test -e "$TMPD/s/streaming"
	first=$(stream_on 4)
	kill "$(cat "$TMPD/lb$first.pid")"
	check "BGP: the balancer that stops is withdrawn" \
		wait_for 90 eval '! ip -n mh-rt route show $VIP | grep -q nexthop && ip -n mh-rt route show $VIP | grep -q via'
	sleep 2
	touch "$TMPD/s/stop"
	wait "$sp" || true
	check "BGP: a stream on the withdrawn balancer goes on, byte-exact" \
		jq -e '.ok and .error == null' "$TMPD/stream2.json"
else
	echo "not ok - $SUITE: bird (Debian's bird2) is not installed"
	SUITE_FAILED=1
fi

suite_end
