#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real-world traffic the datapath must get right: the IPv6 stack's own
# packets into svc0 (router solicitations), refusals on ports with no service, a backend at the
# host's own address, UDP datagrams larger than the MTU (fragments both
# ways), and IPsec policies towards backends (IPv4 and IPv6).
#
#            namespace tr-cl (forwarded client)
#            10.0.9.2  fd00:9::2
#                   | veth (MTU 1500)
#   +---------------+-----------------------------------------------+
#   | host          10.0.9.1  fd00:9::1        (local clients too)  |
#   |   svc0 (svcnet)                                               |
#   |   "host" serves TCP+UDP :8090 on every address of the host    |
#   |   10.0.N.1  fd00:N::1 (N = 1, 2, 3)                           |
#   |   ESP out: fd00:9::2 -> fd00:1::2, 10.0.9.2 -> 10.0.1.2 (UDP) |
#   +------+----------------+----------------+----------------------+
#          | veth           | veth           | veth
#     tr-be1 10.0.1.2  tr-be2 10.0.2.2  tr-be3 10.0.3.2  (fd00:N::2)
#     ESP in required from the client (UDP)   serve TCP+UDP :8080
#
# VIP 10.96.0.1 / fd00:96::1: TCP 80 (be1-3), TCP and UDP 8090 (the host),
# UDP 5300 (be1-3), UDP 5301 (be1, behind ESP).
source "$(dirname "$0")/../lib.sh"

TOPO=tr
source "$(dirname "$0")/../lb-topology.sh"
lb_topology

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }
svc_stat() { $svcnet -j -s show svc0 | jq ".[0].stats.$1"; }
drops_total() { $svcnet -j -s show svc0 | jq '[.[0].stats.drops[]] | add'; }
solicits() { awk '$1 == "Icmp6OutRouterSolicits" { print $2 }' /proc/net/dev_snmp6/svc0; }
grew() { [ "$(solicits)" -gt "$1" ]; }

# --- the IPv6 stack's own packets ---------------------------------------------
# Coming up where it does not forward, svc0 gets the stack's router
# solicitations; a ping to all-nodes goes into svc0 too.
rs0=$(solicits)
sysctl -qw net.ipv6.conf.svc0.forwarding=0
ip link set svc0 down
ip link set svc0 up
check "the IPv6 stack sends its router solicitations into svc0" \
	wait_for 20 grew "$rs0"
ping -6 -c 1 -W 1 -I svc0 ff02::1 >/dev/null 2>&1 || true
check "svc0 counts none of the stack's own packets as drops" \
	is "$(drops_total)" 0
sysctl -qw net.ipv6.conf.svc0.forwarding=1

# --- refusals -------------------------------------------------------------------
$svcnet service add svc0 tcp $VIP:80
$svcnet service add svc0 tcp "[$VIP6]:80"
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
	$svcnet backend add svc0 tcp "[$VIP6]:80" "[fd00:$n::2]:8080"
done
ns0=$(drops no-service)
check "no service on the port: 20 TCP connects from a forwarded IPv4 client, each refused within 0.5 s" \
	lbq tr-cl refused $VIP 81 --count 20 --within 0.5
check "the same from a forwarded IPv6 client" \
	lbq tr-cl refused "$VIP6" 81 --count 20 --within 0.5
check "the same from a host socket (IPv6), 5 times" \
	lbq host refused "$VIP6" 81 --count 5 --within 0.5
check "UDP to a port with no service is still refused (port unreachable)" \
	lbq tr-cl refused $VIP 81 --udp
check "the refusals are counted as no-service drops (+46)" \
	is "$(($(drops no-service) - ns0))" 46

# --- a backend at the host's own address ----------------------------------------
$LB serve host 8090 >"$TMPD/host.log" 2>&1 &
PIDS+=($!)
wait_for 90 grep -q serving "$TMPD/host.log"
# (a UDP server answers from the address its route to the client prefers,
# 10.0.9.1, unless it answers from the one the request came to: the
# backend is that address)
$svcnet service add svc0 tcp $VIP:8090
$svcnet backend add svc0 tcp $VIP:8090 10.0.1.1:8090
$svcnet service add svc0 udp $VIP:8090
$svcnet backend add svc0 udp $VIP:8090 10.0.9.1:8090
$svcnet service add svc0 tcp "[$VIP6]:8090"
$svcnet backend add svc0 tcp "[$VIP6]:8090" "[fd00:1::1]:8090"
check "a backend at the host's address answers a forwarded client (TCP)" \
	counts_are "$(hits tr-cl $VIP 8090 6)" "host=6"
check "and over UDP" \
	counts_are "$(hits tr-cl $VIP 8090 6 --udp --sport 25001)" "host=6"
check "and over IPv6" \
	counts_are "$(hits tr-cl "$VIP6" 8090 6)" "host=6"
check "a 1 MB transfer from a forwarded client to it arrives intact" \
	lbq tr-cl sha $VIP 8090 1048576
check "a host socket still reaches it" \
	counts_are "$(hits host $VIP 8090 6)" "host=6"

# --- datagrams larger than the MTU ------------------------------------------------
$svcnet service add svc0 udp $VIP:5300
$svcnet service add svc0 udp "[$VIP6]:5300"
for n in 1 2 3; do
	$svcnet backend add svc0 udp $VIP:5300 "10.0.$n.2:8080"
	$svcnet backend add svc0 udp "[$VIP6]:5300" "[fd00:$n::2]:8080"
done
frag0=$(drops fragment) frags0=$(svc_stat fragments)
check "a 4000-byte UDP datagram from a forwarded IPv4 client is balanced, its 4000-byte answer comes back" \
	lbq tr-cl bigudp $VIP 5300 4000 4000
check "the same from a forwarded IPv6 client" \
	lbq tr-cl bigudp "$VIP6" 5300 4000 4000
check "a 30000-byte datagram and answer, forwarded IPv4 client" \
	lbq tr-cl bigudp $VIP 5300 30000 30000
check "a 4000-byte datagram from a host socket (IPv4)" \
	lbq host bigudp $VIP 5300 4000 4000
check "and (IPv6)" \
	lbq host bigudp "$VIP6" 5300 4000 4000
check "the fragments went into reassembly, none dropped" \
	bash -c "[ $(($(svc_stat fragments) - frags0)) -ge 5 ] && [ $(drops fragment) = $frag0 ]"

# --- IPsec policies towards a backend ------------------------------------------------
KEY=0x0102030405060708090a0b0c0d0e0f1011121314
esp() { # NS SRC DST DIR: a transport-mode ESP state and policy for UDP
	in_ns "$1" ip xfrm state add src "$2" dst "$3" proto esp spi 0x51 \
		mode transport aead 'rfc4106(gcm(aes))' $KEY 128 &&
	in_ns "$1" ip xfrm policy add src "$2" dst "$3" proto udp dir "$4" \
		tmpl proto esp mode transport
}
xfrm_packets() { ip -s xfrm state list src "$1" | sed -n 's/.* \([0-9]*\)(packets).*/\1/p'; }
trap 'ip xfrm policy flush; ip xfrm state flush; cleanup_topology' EXIT
for v in 4 6; do
	if [ $v = 4 ]; then
		cl=10.0.9.2 be=10.0.1.2 svc=$VIP:5301 bep=10.0.1.2:8080
	else
		cl=fd00:9::2 be=fd00:1::2 svc="[$VIP6]:5301" bep="[fd00:1::2]:8080"
	fi
	$svcnet service add svc0 udp "$svc"
	$svcnet backend add svc0 udp "$svc" "$bep"
	esp host $cl $be out
	esp tr-be1 $cl $be in
done
check "IPv4: a request balanced to a backend that takes only ESP from the client is answered" \
	counts_are "$(hits tr-cl $VIP 5301 3 --udp --sport 26001)" "be1=3"
check "IPv4: the host's ESP state sealed the balanced packets" \
	at_least "$(xfrm_packets 10.0.9.2)" 3
check "IPv6: a request balanced to a backend that takes only ESP from the client is answered" \
	counts_are "$(hits tr-cl "$VIP6" 5301 3 --udp --sport 26011)" "be1=3"
check "IPv6: the host's ESP state sealed the balanced packets" \
	at_least "$(xfrm_packets fd00:9::2)" 3
ip xfrm policy flush
ip xfrm state flush

ip link del svc0
suite_end
