#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Balancing through an svcnet device: host-local and forwarded clients,
# IPv4 and IPv6, TCP and UDP, every scheduler, with and without conntrack.
#
#            namespace dp-cl (forwarded client)
#            10.0.9.2  fd00:9::2
#                   | veth
#   +---------------+-----------------------------------------------+
#   | host          10.0.9.1  fd00:9::1        (local clients too)  |
#   |   svc0 (svcnet)  <- routes for 10.96.0.1 and fd00:96::1       |
#   |   10.0.N.1  fd00:N::1 (N = 1, 2, 3)                           |
#   +------+----------------+----------------+----------------------+
#          | veth           | veth           | veth
#     dp-be1 10.0.1.2  dp-be2 10.0.2.2  dp-be3 10.0.3.2  (fd00:N::2)
#     "be1"            "be2"            "be3"   serve TCP+UDP :8080
#
# VIP 10.96.0.1 / fd00:96::1, port 80 (TCP) and 53 (UDP); 10.96.0.41/.42
# and fd00:96::41/42, whose only backend is be1 (one client port to both).
source "$(dirname "$0")/../lib.sh"

TOPO=dp
source "$(dirname "$0")/../lb-topology.sh"
# connections per distribution claim (a multiple of 6), and the range
# each of 3 backends must land in for random and Maglev
N=${N:-$(scale 60 300)}
N_LO=$(scale 5 40) N_HI=$(scale 35 160)
counts N N_LO N_HI
lb_topology

# --- services and routes ---------------------------------------------------
check "service add installs a route into svc0 with protocol 83" \
	bash -c "$svcnet service add svc0 tcp $VIP:80 &&
		 ip route show $VIP | grep -q 'dev svc0 proto 83'"
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
done
check "service show -j lists the service with its three backends" \
	bash -c "$svcnet -j service show svc0 |
		 jq -e '.[0].scheduler == \"rr\" and (.[0].backends | length) == 3'"

# --- TCP IPv4, rr -----------------------------------------------------------
out=$(hits host $VIP 80 $N)
check "rr: $N local TCP connections, exactly $((N / 3)) per backend" \
	counts_are "$out" "be1=$((N / 3)) be2=$((N / 3)) be3=$((N / 3))"
out=$(hits dp-cl $VIP 80 $N)
check "rr: $N forwarded TCP connections, exactly $((N / 3)) per backend" \
	counts_are "$out" "be1=$((N / 3)) be2=$((N / 3)) be3=$((N / 3))"
check "a 1 MB transfer from a local client arrives intact" \
	lbq host sha $VIP 80 1048576
check "a 1 MB transfer from a forwarded client arrives intact" \
	lbq dp-cl sha $VIP 80 1048576
check "svc0 counts balanced and translated packets (ip -s link)" \
	bash -c "ip -j -s link show svc0 |
		 jq -e '.[0].stats64.tx.packets > $((2 * N)) and .[0].stats64.rx.packets > $((2 * N))'"

# --- refusals ----------------------------------------------------------------
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
no_service() { $svcnet -j -s show svc0 | jq '.[0].stats.drops["no-service"]'; }
ns_before=$(no_service)
check "no service on the port: a local TCP connect is refused at once" \
	lbq host refused $VIP 81
check "no service on the port: a forwarded TCP connect is refused at once" \
	lbq dp-cl refused $VIP 81
check "refusals are counted as no-service drops (+2)" \
	is "$(($(no_service) - ns_before))" 2
# where the namespace reflects marks (net.ipv4.fwmark_reflect, as the
# kernel's own resets and REJECT's), the reset leaves with the refused
# packet's mark, which chose its route: OUTPUT's rules see it, and a
# reroute after them takes the same route
sysctl -qw net.ipv4.fwmark_reflect=1
nft -f - <<-'EON'
	table ip dp_mark {
		chain pre {
			type filter hook prerouting priority mangle;
			tcp dport 81 meta mark set 7
		}
		chain out {
			type filter hook output priority mangle;
			tcp sport 81 tcp flags & rst == rst meta mark 7 counter
			tcp sport 81 tcp flags & rst == rst ip ttl 99 counter
		}
	}
EON
ttl=$(sysctl -n net.ipv4.ip_default_ttl)
sysctl -qw net.ipv4.ip_default_ttl=99
lbq dp-cl refused $VIP 81 >/dev/null
sysctl -qw net.ipv4.ip_default_ttl="$ttl"
check "no service on the port: the reset carries the refused packet's mark" \
	bash -c "nft list chain ip dp_mark out | grep 'meta mark' | grep -q 'packets 1 '"
check "no service on the port: the reset's TTL is the route's (the namespace's default, 99)" \
	bash -c "nft list chain ip dp_mark out | grep 'ip ttl' | grep -q 'packets 1 '"
nft delete table ip dp_mark
sysctl -qw net.ipv4.fwmark_reflect=0

# --- UDP IPv4 and exact counters --------------------------------------------
$svcnet service add svc0 udp $VIP:53
for n in 1 2 3; do
	$svcnet backend add svc0 udp $VIP:53 "10.0.$n.2:8080"
done
# distinct source ports: a reused one would rightly stick to its flow
out=$(hits host $VIP 53 $N --udp --sport 23001)
check "rr: $N local UDP flows, exactly $((N / 3)) per backend" \
	counts_are "$out" "be1=$((N / 3)) be2=$((N / 3)) be3=$((N / 3))"
out=$(hits dp-cl $VIP 53 30 --udp --sport 24001)
check "rr: 30 forwarded UDP flows, exactly 10 per backend" \
	counts_are "$out" "be1=10 be2=10 be3=10"
# N + 30 requests of 4 bytes (IPv4+UDP: 32 bytes), answers of 3 (31 bytes)
udp_stats() {
	$svcnet -j -s service show svc0 |
		jq -c '.[] | select(.protocol == "udp") | .stats'
}
u=$((N + 30))
check "UDP service counters equal the traffic sent" \
	json_eq "$(udp_stats)" "{\"connections\":$u,\"active\":$u,
		\"open\":$u,\"closing\":0,\"packets_in\":$u,\"bytes_in\":$((u * 32)),\"packets_out\":$u,
		\"bytes_out\":$((u * 31))}"
check "UDP backend counters: $((u / 3)) connections each" \
	bash -c "$svcnet -j -s service show svc0 | jq -e '
		[.[] | select(.protocol == \"udp\") | .backends[].stats.connections]
		== [$((u / 3)), $((u / 3)), $((u / 3))]'"

# --- IPv6 ---------------------------------------------------------------------
$svcnet service add svc0 tcp "[$VIP6]:80"
$svcnet service add svc0 udp "[$VIP6]:53"
for n in 1 2 3; do
	$svcnet backend add svc0 tcp "[$VIP6]:80" "[fd00:$n::2]:8080"
	$svcnet backend add svc0 udp "[$VIP6]:53" "[fd00:$n::2]:8080"
done
check "IPv6: service add installs a route into svc0" \
	bash -c "ip -6 route show $VIP6 | grep -q 'dev svc0 proto 83'"
out=$(hits host $VIP6 80 $N)
check "IPv6 rr: $N local TCP connections, exactly $((N / 3)) per backend" \
	counts_are "$out" "be1=$((N / 3)) be2=$((N / 3)) be3=$((N / 3))"
out=$(hits dp-cl $VIP6 80 $N)
check "IPv6 rr: $N forwarded TCP connections, exactly $((N / 3)) per backend" \
	counts_are "$out" "be1=$((N / 3)) be2=$((N / 3)) be3=$((N / 3))"
out=$(hits dp-cl $VIP6 53 30 --udp --sport 25001)
check "IPv6 rr: 30 forwarded UDP flows, exactly 10 per backend" \
	counts_are "$out" "be1=10 be2=10 be3=10"
check "IPv6: a 1 MB transfer from a local client arrives intact" \
	lbq host sha $VIP6 80 1048576
check "IPv6: a 1 MB transfer from a forwarded client arrives intact" \
	lbq dp-cl sha $VIP6 80 1048576
check "IPv6: no service on the port is refused at once" \
	lbq dp-cl refused $VIP6 81

# --- schedulers ---------------------------------------------------------------
$svcnet service set svc0 tcp $VIP:80 sched wrr
$svcnet backend set svc0 tcp $VIP:80 10.0.1.2:8080 weight 1
$svcnet backend set svc0 tcp $VIP:80 10.0.2.2:8080 weight 2
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 weight 3
out=$(hits host $VIP 80 $N)
check "wrr 1:2:3: $N connections split exactly 1:2:3" \
	counts_are "$out" "be1=$((N / 6)) be2=$((N / 3)) be3=$((N / 2))"

$svcnet flow flush
$svcnet service set svc0 tcp $VIP:80 sched lc
# fixed source ports: a reused port would replace its old flow
out=$(hits host $VIP 80 $N --sport 21001)
# flows linger (FIN timeout), so weighted least-connections follows 1:2:3
check "lc 1:2:3: $N connections split exactly 1:2:3" \
	counts_are "$out" "be1=$((N / 6)) be2=$((N / 3)) be3=$((N / 2))"

for n in 1 2 3; do
	$svcnet backend set svc0 tcp $VIP:80 "10.0.$n.2:8080" weight 1
done
$svcnet service set svc0 tcp $VIP:80 sched random
seq_out=$(hits host $VIP 80 $N --list)
out=$(jq -c 'group_by(.) | map({(.[0]): length}) | add' <<<"$seq_out")
check "random: $N connections, every backend gets $N_LO..$N_HI" \
	each_between "$out" "$N_LO" "$N_HI" be1 be2 be3
# rr would pass the line above too: random's order is no rotation
not_rotation() {
	jq -e '. as $a | [range(3; $a | length) | select($a[.] != $a[. - 3])] |
		length > 0' <<<"$seq_out" >/dev/null || { echo "a rotation: $seq_out"; return 1; }
}
check "random: the order of backends is not a rotation (as rr's is)" not_rotation

$svcnet service set svc0 udp $VIP:53 sched maglev maglev-size 251
out=$(hits host $VIP 53 $N --udp)
check "maglev: $N UDP flows, every backend gets $N_LO..$N_HI" \
	each_between "$out" "$N_LO" "$N_HI" be1 be2 be3
# the backend of each of 60 flows (source ports 22001...)
maglev_map() {
	hits host $VIP 53 60 --udp --sport 22001 --list
}
before=$(maglev_map)
$svcnet flow flush
check "maglev: flows rescheduled after a flush get the same backends" \
	test "$before" = "$(maglev_map)"
$svcnet backend del svc0 udp $VIP:53 10.0.3.2:8080
$svcnet flow flush
after=$(maglev_map)
check "maglev: removing be3 moves its flows away" \
	jq -en --argjson a "$before" --argjson b "$after" '
		($a | index("be3")) != null and ($b | index("be3")) == null'
# Maglev keeps most other keys in place (KUnit bounds it at 1/N + 1%)
check "maglev: removing be3 moves at most 6 of the other 60 flows" \
	jq -en --argjson a "$before" --argjson b "$after" '
		[range(0; $a | length) | select($a[.] != "be3" and
			$a[.] != $b[.])] | length <= 6'
$svcnet backend add svc0 udp $VIP:53 10.0.3.2:8080

$svcnet flow flush
$svcnet service set svc0 udp $VIP:53 sched sh
out=$(hits host $VIP 53 $N --udp)
check "sh: $N flows from one client address all go to one backend" \
	test "$(jq length <<<"$out")" = 1
out2=$(hits dp-cl $VIP 53 50 --udp)
check "sh: another client address also sticks to one backend" \
	test "$(jq length <<<"$out2")" = 1

# --- backend removal ----------------------------------------------------------
$svcnet service set svc0 tcp $VIP:80 sched rr
$svcnet flow flush
$LB hold $VIP 80 3 "$TMPD" >"$TMPD/hold.out" &
hold=$!
wait_for 90 test -e "$TMPD/ready"
$svcnet backend del svc0 tcp $VIP:80 10.0.3.2:8080
out=$(hits host $VIP 80 $N)
check "after backend del, new connections avoid it (half each to the other two)" \
	counts_are "$out" "be1=$((N / 2)) be2=$((N / 2)) be3=0"
touch "$TMPD/go"
wait "$hold"
check "connections to the other backends go on" \
	json_eq "$(jq -c .ok "$TMPD/hold.out")" '["be1","be2"]'
check "the connection to the removed backend is reset, not left hanging" \
	json_eq "$(jq -c .reset "$TMPD/hold.out")" '["be3"]'
$svcnet backend add svc0 tcp $VIP:80 10.0.3.2:8080

# --- flow table limit -----------------------------------------------------------
$svcnet flow flush
rm -f "$TMPD/ready" "$TMPD/go"
$svcnet config set flow-max 3
$LB hold $VIP 80 3 "$TMPD" >"$TMPD/hold.out" &
hold=$!
wait_for 90 test -e "$TMPD/ready"
check "flow table full: a new connection is refused" lbq host refused $VIP 80
check "flow table full: the refusal is counted as flow-limit" \
	bash -c "$svcnet -j -s show svc0 | jq -e '.[0].stats.drops[\"flow-limit\"] >= 1'"
touch "$TMPD/go"
wait "$hold"
check "flow table full: the existing connections are unharmed" \
	json_eq "$(jq -c .ok "$TMPD/hold.out")" '["be1","be2","be3"]'
$svcnet config set flow-max 262144
check "flow show lists flows with their backends" \
	bash -c "$svcnet -j flow show | jq -e 'length >= 3 and
		 (.[0].backend | test(\"^10[.]0[.]\"))'"

# --- expiry and loops -------------------------------------------------------------
$svcnet flow flush
# (6 s: listing it takes a few processes, ~0.25 s each on the debug kernel)
$svcnet config set udp-timeout 6
hits host $VIP 53 1 --udp --sport 26001 >/dev/null
check "a UDP flow is listed after its first datagram" \
	bash -c "$svcnet -j flow show | jq -e 'map(select(.client_port == 26001)) | length == 1'"
check "an idle UDP flow expires after its timeout" \
	wait_for 30 bash -c "$svcnet -j flow show | jq -e 'map(select(.client_port == 26001)) | length == 0'"
$svcnet config set udp-timeout 300
$svcnet service add svc0 udp 10.96.0.30:53
$svcnet backend add svc0 udp 10.96.0.30:53 10.96.0.31:53
ip route add 10.96.0.31 dev svc0
loops() { $svcnet -j -s show svc0 | jq '.[0].stats.drops.loop'; }
loops_before=$(loops)
lbq host hits 10.96.0.30 53 1 --udp --within 1 >/dev/null 2>&1 || true
check "a backend routed back into svc0 is a loop: dropped and counted" \
	test "$(loops)" -gt "$loops_before"
ip route del 10.96.0.31 dev svc0
$svcnet service del svc0 udp 10.96.0.30:53

# --- the route to a backend, kept per backend, follows the routing tables --------
$svcnet service add svc0 udp 10.96.0.32:53
$svcnet backend add svc0 udp 10.96.0.32:53 10.0.1.2:8080
out=$(hits dp-cl 10.96.0.32 53 1 --udp --sport 26002)
check "route: a forwarded UDP flow reaches its backend" counts_are "$out" "be1=1"
out=$(hits dp-cl 10.96.0.32 53 1 --udp --sport 26002)
check "route: its next datagram too (the backend's route kept)" counts_are "$out" "be1=1"
nr=$(drops no-route)
ip route add unreachable 10.0.1.2/32
hits dp-cl 10.96.0.32 53 1 --udp --sport 26002 --within 1 >/dev/null 2>&1 || true
check "route: made unreachable under the flow, its next datagram is dropped as no-route" \
	test "$(drops no-route)" -gt "$nr"
ip route del unreachable 10.0.1.2/32
out=$(hits dp-cl 10.96.0.32 53 1 --udp --sport 26002)
check "route: restored, the flow's next datagram reaches its backend again" \
	counts_are "$out" "be1=1"
# Policy routing can make the route depend on more than the backend's
# address: here on the client's. (Only kernels with policy routing: not the
# debug test kernel, whose configuration leaves it out.)
# (Without it, table 100 would be the main table.)
if ip rule add from 10.0.9.2 to 10.0.1.2 lookup 100 pref 100 2>/dev/null; then
	ip route add unreachable 10.0.1.2/32 table 100
	nr=$(drops no-route)
	hits dp-cl 10.96.0.32 53 1 --udp --sport 26002 --within 1 >/dev/null 2>&1 || true
	check "route: a policy rule on the client's address chooses the route to the backend" \
		test "$(drops no-route)" -gt "$nr"
	out=$(hits host 10.96.0.32 53 1 --udp --sport 26003)
	check "route: a client the rule does not match still reaches the backend" \
		counts_are "$out" "be1=1"
	ip rule del pref 100
	ip route flush table 100
fi
$svcnet service del svc0 udp 10.96.0.32:53

# --- one client port, two services, one backend ----------------------------------
# Both connections would get the same reply tuple (backend -> client port):
# the second keeps the client's address and gets a port of its own.
$svcnet flow flush
for a in 10.96.0.41 10.96.0.42 "[fd00:96::41]" "[fd00:96::42]"; do
	be=10.0.1.2
	[[ $a == \[* ]] && be="[fd00:1::2]"
	$svcnet service add svc0 tcp "$a:80"
	$svcnet backend add svc0 tcp "$a:80" "$be:8080"
	$svcnet service add svc0 udp "$a:53"
	$svcnet backend add svc0 udp "$a:53" "$be:8080"
	# nothing listens on port 9: the backend answers port unreachable
	$svcnet service add svc0 udp "$a:54"
	$svcnet backend add svc0 udp "$a:54" "$be:9"
done
refusals() { echo $(($(drops no-backend) + $(drops no-port) + $(drops flow-limit))); }
refusals_before=$(refusals)
check "one port, two services: both local TCP connections are live at once" \
	json_eq "$(lbq host sameport 27001 80 10.96.0.41 10.96.0.42)" '["be1","be1"]'
check "one port, two services: both forwarded TCP connections are live at once" \
	json_eq "$(lbq dp-cl sameport 27002 80 10.96.0.41 10.96.0.42)" \
	'["be1","be1"]'
check "one port, two services: both forwarded UDP flows are answered" \
	json_eq "$(lbq dp-cl sameport 27003 53 10.96.0.41 10.96.0.42 --udp)" \
	'["be1","be1"]'
check "one port, two services: IPv6 forwarded TCP, both live at once" \
	json_eq "$(lbq dp-cl sameport 27004 80 fd00:96::41 fd00:96::42)" \
	'["be1","be1"]'
check "one port, two services: IPv6 local UDP, both answered" \
	json_eq "$(lbq host sameport 27005 53 fd00:96::41 fd00:96::42 --udp)" \
	'["be1","be1"]'
check "the second flow keeps the client's address, with a port of 61000-65535" \
	jq -e '[.[] | select(.client_port == 27003)] | length == 2 and
		([.[] | select(.snat == null)] | length == 1) and
		([.[] | select(.snat == "10.0.9.2" and .snat_port >= 61000)] |
		 length == 1)' <<<"$($svcnet -j flow show)"
check "no connection of the same port was refused (no-backend, no-port)" \
	test "$(refusals)" -eq "$refusals_before"
# the second socket learns of the refusal only if the error's quote is
# translated back to its own port
check "one port, two services: the backend's port unreachable reaches both sockets" \
	json_eq "$(lbq dp-cl sameport 27006 54 10.96.0.41 10.96.0.42 --udp)" \
	'["refused","refused"]'
check "one port, two services: IPv6 port unreachable reaches both sockets" \
	json_eq "$(lbq dp-cl sameport 27007 54 fd00:96::41 fd00:96::42 --udp)" \
	'["refused","refused"]'

# --- with conntrack and a MASQUERADE rule -------------------------------------
$svcnet flow flush
modprobe nf_conntrack
# the claims are about this suite's connections: another suite's to the
# same ports may wait out their timeouts in the host's table
conntrack -F >/dev/null 2>&1 || true
iptables -t nat -A POSTROUTING -s 10.0.9.0/24 -o dp-be+ -j MASQUERADE
sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 || true
out=$(hits host $VIP 80 30)
check "conntrack: 30 local connections, 10 per backend" \
	counts_are "$out" "be1=10 be2=10 be3=10"
out=$(hits dp-cl $VIP 80 30)
check "conntrack: 30 forwarded connections, 10 per backend" \
	counts_are "$out" "be1=10 be2=10 be3=10"
out=$(hits dp-cl $VIP6 80 30)
check "conntrack: 30 forwarded IPv6 connections, 10 per backend" \
	counts_are "$out" "be1=10 be2=10 be3=10"
check "conntrack: a forwarded 1 MB transfer arrives intact" \
	lbq dp-cl sha $VIP 80 1048576
check "conntrack: no unreplied entries for service connections" \
	bash -c "conntrack -L >$TMPD/ct 2>/dev/null && { grep -E 'dport=(80|8080) ' $TMPD/ct >$TMPD/ct80 || true; } && ! grep -q UNREPLIED $TMPD/ct80"
check "conntrack: backends' replies are tracked as replies of the client's connection" \
	bash -c "conntrack -L -p tcp --orig-dst $VIP >$TMPD/ctvip 2>/dev/null && grep -q 'src=10.96.0.1 dst=10.0.9.2 sport=80' $TMPD/ctvip"

check "conntrack: one port, two services: both forwarded TCP connections live" \
	json_eq "$(lbq dp-cl sameport 27008 80 10.96.0.41 10.96.0.42)" \
	'["be1","be1"]'
check "conntrack: one port, two services: both local UDP flows answered" \
	json_eq "$(lbq host sameport 27009 53 10.96.0.41 10.96.0.42 --udp)" \
	'["be1","be1"]'

# --- forward snat: a backend whose routes do not lead back here -------------------
# be3 keeps only its own subnet: it cannot answer clients on other networks
ip -n dp-be3 route del default
ip -n dp-be3 -6 route del default
for p in tcp udp; do
	$svcnet service add svc0 $p $VIP:84 forward snat
	$svcnet backend add svc0 $p $VIP:84 10.0.3.2:8080
done
$svcnet service add svc0 tcp "[$VIP6]:84" forward snat
$svcnet backend add svc0 tcp "[$VIP6]:84" "[fd00:3::2]:8080"
check "snat: shown as 'forward snat', saved so" \
	is "$($svcnet service show svc0 | grep -c ':84 sched rr forward snat$') $($svcnet save svc0 | grep -c ':84 sched rr forward snat$')" \
	"3 3"
out=$(hits dp-cl $VIP 84 10)
check "snat: a forwarded client's TCP connections reach a backend with no route back" \
	counts_are "$out" "be3=10"
check "snat: the backend sees this host's address towards it, on ports 61000-65535" \
	is "$($svcnet -j flow show | jq -c '[.[] | select(.service_port == 84 and .protocol == "tcp") |
		"\(.snat) \(.snat_port >= 61000 and .snat_port <= 65535)"] | unique')" \
	'["10.0.3.1 true"]'
out=$(hits dp-cl $VIP 84 10 --udp)
check "snat: UDP too" counts_are "$out" "be3=10"
out=$(hits dp-cl $VIP6 84 10)
check "snat: IPv6 too" counts_are "$out" "be3=10"
out=$(hits host $VIP 84 5)
check "snat: a client on this host too" counts_are "$out" "be3=5"
# the source towards a backend is kept with the route to it while the
# routing tables and (IPv6) the addresses stay as they were: a change shows
# in the next new flow (IPv4 here looks it up for each new flow: a policy
# rule existed in this namespace, above; the IPv6 source is kept)
snat_sources() { # PROTO PORT: the sources the port's flows were NATed to
	$svcnet -j flow show |
		jq -c "[.[] | select(.service_port == $2 and .protocol == \"$1\") | .snat] | unique"
}
ip addr add 10.0.3.9/24 dev dp-be3
ip route replace 10.0.3.2/32 dev dp-be3 src 10.0.3.9
$svcnet flow flush
out=$(hits dp-cl $VIP 84 4 --udp)
check "snat: the route to the backend given another source: new flows take it" \
	eval 'counts_are "$out" "be3=4" && is "$(snat_sources udp 84)" "[\"10.0.3.9\"]"'
ip route del 10.0.3.2/32
ip addr del 10.0.3.9/24 dev dp-be3
$svcnet flow flush
out=$(hits dp-cl $VIP 84 4 --udp)
check "snat: ... that route gone: new flows take the first source again" \
	eval 'counts_are "$out" "be3=4" && is "$(snat_sources udp 84)" "[\"10.0.3.1\"]"'
# fd00:3::3 shares a longer prefix with the backend's fd00:3::2 than
# fd00:3::1 does: the source IPv6 chooses (RFC 6724, rule 8) once added
ip -6 addr add fd00:3::3/64 dev dp-be3 nodad
$svcnet flow flush
out=$(hits dp-cl $VIP6 84 4)
check "snat: an IPv6 source preferred towards the backend added: new flows take it" \
	eval 'counts_are "$out" "be3=4" && is "$(snat_sources tcp 84)" "[\"fd00:3::3\"]"'
ip -6 addr del fd00:3::3/64 dev dp-be3
$svcnet flow flush
out=$(hits dp-cl $VIP6 84 4)
check "snat: ... removed: new flows no longer take it" \
	eval 'counts_are "$out" "be3=4" && is "$(snat_sources tcp 84)" "[\"fd00:3::1\"]"'
$svcnet service set svc0 tcp $VIP:84 forward nat
check "forward nat (the control): without a route back the backend cannot answer" \
	bash -c "! ip netns exec dp-cl $LB hits $VIP 84 1 --within 2"
$svcnet service set svc0 tcp $VIP:84 forward snat
# exhaustion: four ports, four UDP flows to one backend
evicted() { $svcnet -j config | jq '."flows-evicted"'; }
$svcnet flow flush
$svcnet config set snat-port-min 62000 snat-port-max 62003
out=$(hits dp-cl $VIP 84 4 --udp --sport 27100)
check "snat: with 4 ports in the range, 4 UDP flows to the backend get one each" \
	counts_are "$out" "be3=4"
ev_before=$(evicted)
out=$(hits dp-cl $VIP 84 1 --udp --sport 27104 || true)
check "snat: a fifth takes the port of one not yet assured (evicted, as spoofed ones would be)" \
	is "$(jq -c . <<<"$out") $(($(evicted) - ev_before))" '{"be3":1} 1'
# four flows assured (answered, still going 2 s on): their ports are kept
$svcnet flow flush
hits dp-cl $VIP 84 4 --udp --sport 27100 >/dev/null
sleep 2.2
hits dp-cl $VIP 84 4 --udp --sport 27100 >/dev/null
np_before=$(drops no-port)
check "snat: with every port held by an assured flow, a new flow is refused ..." \
	bash -c "! ip netns exec dp-cl $LB hits $VIP 84 1 --udp --sport 27104 --within 2"
check "snat: ... and counted as a no-port drop" is "$(($(drops no-port) - np_before))" 1
check_fails "config: a source NAT range whose minimum is above its maximum is refused" \
	1 "above its maximum" $svcnet config set snat-port-min 63000
check "config: ... and nothing changed" \
	is "$($svcnet -j config | jq -c '[."snat-port-min", ."snat-port-max"]')" "[62000,62003]"
$svcnet config set snat-port-min 61000 snat-port-max 65535
for p in tcp udp; do $svcnet service del svc0 $p $VIP:84; done
$svcnet service del svc0 tcp "[$VIP6]:84"
ip -n dp-be3 route add default via 10.0.3.1
ip -n dp-be3 -6 route add default via fd00:3::1

# --- forward tunnel: direct server return over IPIP and IPv6-in-IPv6 ---------------
# be1 decapsulates with the ipip and ip6tnl fallback devices and holds the
# service addresses on lo; its replies leave from the service address
modprobe ipip
modprobe ip6_tunnel
ip -n dp-be1 link set tunl0 up
ip -n dp-be1 link set ip6tnl0 up
ip -n dp-be1 addr add $VIP/32 dev lo
ip -n dp-be1 addr add 10.96.0.2/32 dev lo
ip -n dp-be1 addr add $VIP6/128 dev lo nodad
ip netns exec dp-be1 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tunl0.rp_filter=0
for p in tcp udp; do
	$svcnet service add svc0 $p $VIP:8080 forward tunnel sched maglev
	$svcnet backend add svc0 $p $VIP:8080 10.0.1.2:8080
done
$svcnet service add svc0 tcp "[$VIP6]:8080" forward tunnel
$svcnet backend add svc0 tcp "[$VIP6]:8080" "[fd00:1::2]:8080"
$svcnet service add svc0 tcp 10.96.0.2:8080 forward tunnel
$svcnet backend add svc0 tcp 10.96.0.2:8080 10.0.1.2:8080
tun_rx() { ip -n dp-be1 -j -s link show "$1" | jq '.[0].stats64.rx.packets'; }
svc0_rx() { ip -j -s link show svc0 | jq '.[0].stats64.rx.packets'; }
check "tunnel: shown and saved as 'forward tunnel'" \
	is "$($svcnet service show svc0 | grep -c ':8080 sched .* forward tunnel$') $($svcnet save svc0 | grep -c ':8080 sched .* forward tunnel$')" \
	"4 4"
check_fails "tunnel: a backend on another port than the service's is refused" \
	1 "take the service's port" $svcnet backend add svc0 tcp $VIP:8080 10.0.2.2:9090
t0=$(tun_rx tunl0) r0=$(svc0_rx)
out=$(hits dp-cl $VIP 8080 10)
check "tunnel: a forwarded client's TCP connections reach the backend, which answers" \
	counts_are "$out" "be1=10"
check "tunnel: ... decapsulated by the backend's ipip device" \
	test "$(($(tun_rx tunl0) - t0))" -ge 30
check "tunnel: ... and no reply was translated here (svc0's rx unchanged)" \
	is "$(svc0_rx)" "$r0"
check "tunnel: flow show lists them as tunnel flows" \
	is "$($svcnet -j flow show | jq -c '[.[] | select(.service_port == 8080) | .forward] | unique')" \
	'["tunnel"]'
out=$(hits dp-cl $VIP 8080 10 --udp)
check "tunnel: UDP too" counts_are "$out" "be1=10"
t0=$(tun_rx ip6tnl0)
out=$(hits dp-cl $VIP6 8080 10)
check "tunnel: IPv6 in IPv6 too" \
	eval 'counts_are "$out" "be1=10" && test "$(($(tun_rx ip6tnl0) - t0))" -ge 30'
out=$(hits host $VIP 8080 5)
check "tunnel: a client on this host too" counts_are "$out" "be1=5"
check "tunnel: one client port to the service and to the backend itself: both connect" \
	json_eq "$(lbq dp-cl sameport 27011 8080 $VIP 10.0.1.2)" '["be1","be1"]'
check "tunnel: one client port to two tunnel services of one backend: neither source NATed" \
	eval 'json_eq "$(in_ns dp-cl $LB sameport 27012 8080 $VIP 10.96.0.2)" "[\"be1\",\"be1\"]" &&
		is "$($svcnet -j flow show | jq "[.[] | select(.client_port == 27012 and .snat)] | length")" 0'
# the outer route to a backend is kept while the routing tables and (for
# IPv6) the addresses stay as they were: a change shows in the next packet
from_src() { # TOOL ADDR: be1's count of tunnel packets from ADDR
	in_ns dp-be1 "$1" -nvxL INPUT | awk -v a="$2" '$8 == a { print $1 }'
}
ip addr add 10.0.1.9/24 dev dp-be1
ip route replace 10.0.1.2/32 dev dp-be1 src 10.0.1.9
in_ns dp-be1 iptables -A INPUT -p 4 -s 10.0.1.9 -j ACCEPT
out=$(hits dp-cl $VIP 8080 4)
check "tunnel: the route to the backend given another source: the outer packets come from it" \
	eval 'counts_are "$out" "be1=4" && [ "$(from_src iptables 10.0.1.9)" -ge 12 ]'
# fd00:1::3 shares a longer prefix with the backend's fd00:1::2 than
# fd00:1::1 does: the source IPv6 chooses (RFC 6724, rule 8) once added
in_ns dp-be1 ip6tables -A INPUT -p 41 -s fd00:1::3 -j ACCEPT
ip -6 addr add fd00:1::3/64 dev dp-be1 nodad
out=$(hits dp-cl $VIP6 8080 4)
check "tunnel: an IPv6 source address preferred towards the backend added: the outer packets come from it" \
	eval 'counts_are "$out" "be1=4" && [ "$(from_src ip6tables fd00:1::3)" -ge 12 ]'
ip -6 addr del fd00:1::3/64 dev dp-be1
in_ns dp-be1 ip6tables -Z INPUT
out=$(hits dp-cl $VIP6 8080 4)
check "tunnel: ... removed: the outer packets no longer come from it" \
	eval 'counts_are "$out" "be1=4" && is "$(from_src ip6tables fd00:1::3)" 0'
ip route del 10.0.1.2/32
ip addr del 10.0.1.9/24 dev dp-be1
in_ns dp-be1 iptables -F INPUT
in_ns dp-be1 ip6tables -F INPUT
# be1 also at fd00:50::2: a /64 over a nexthop object leads to be2 (which
# does not forward), a /48 to be1; deleting the /64 moves no serial number
ip -n dp-be1 addr add fd00:50::2/128 dev lo
ip nexthop add id 51 via fd00:2::2 dev dp-be2
ip -6 route add fd00:50::/64 nhid 51
ip -6 route add fd00:50::/48 via fd00:1::2 dev dp-be1
$svcnet service add svc0 udp "[$VIP6]:8080" forward tunnel
$svcnet backend add svc0 udp "[$VIP6]:8080" "[fd00:50::2]:8080"
hits dp-cl $VIP6 8080 1 --udp --within 1 >/dev/null 2>&1 || true
ip -6 route del fd00:50::/64
out=$(hits dp-cl $VIP6 8080 4 --udp --within 2 || true)
check "tunnel: a backend's IPv6 route over a nexthop object deleted: its packets take the route left" \
	counts_are "$out" "be1=4"
ip nexthop del id 51
ip -6 route del fd00:50::/48
$svcnet service del svc0 udp "[$VIP6]:8080"
# the largest outer IPv6 payload is 65,535 bytes: the inner packet whole
$svcnet service add svc0 udp "[$VIP6]:8080" forward tunnel
$svcnet backend add svc0 udp "[$VIP6]:8080" "[fd00:1::2]:8080"
check "tunnel: a 65,480-byte IPv6 datagram (a 65,528-byte inner packet) reaches the backend, answered" \
	lbq dp-cl bigudp "$VIP6" 8080 65480 100
$svcnet service del svc0 udp "[$VIP6]:8080"
ip -n dp-be1 addr del fd00:50::2/128 dev lo
# a hop of 1400 bytes towards the backend: 1380 left for the packet inside
ip link set dp-be1 mtu 1400
tb0=$(drops too-big)
check "tunnel: PMTU: a forwarded client's 1 MB transfer arrives over a 1400-byte hop" \
	lbq dp-cl sha $VIP 8080 1048576
check "tunnel: PMTU: the client learnt 1380 bytes from fragmentation needed" \
	bash -c "ip -n dp-cl route get $VIP | grep -q 'mtu 1380'"
check "tunnel: PMTU: an IPv6 forwarded client's 1 MB transfer arrives (packet too big)" \
	lbq dp-cl sha $VIP6 8080 1048576
check "tunnel: PMTU: the packets too big were counted as too-big drops" \
	test "$(($(drops too-big) - tb0))" -ge 2
ip link set dp-be1 mtu 1500
# Errors about tunnel packets, sent by anyone: only one that quotes a tunnel
# flow's packet inside an outer packet to that flow's backend teaches the
# route to the backend its path MTU. Backends at .77 (no host there): the
# flows from dp-cl's port 4001 exist, their packets go nowhere.
$svcnet service add svc0 udp 10.96.0.3:8080 forward tunnel
$svcnet backend add svc0 udp 10.96.0.3:8080 10.0.1.77:8080
$svcnet service add svc0 udp "[fd00:96::3]:8080" forward tunnel
$svcnet backend add svc0 udp "[fd00:96::3]:8080" "[fd00:1::77]:8080"
for v in 10.96.0.3 fd00:96::3; do
	lbq dp-cl hits $v 8080 1 --udp --sport 4001 --within 1 >/dev/null 2>&1 || true
done
too_big() { in_ns dp-be1 python3 "$(py pktfuzz)" tooBig "$@" >/dev/null; }
route_mtu() { ip route get "$1" | grep -o 'mtu [0-9]*' || true; }
# in order: those that must change nothing, then the one that must (a path
# MTU only goes down: had the first been taken, the last could not raise it)
too_big 10.0.1.1 10.0.1.1 10.0.1.78 10.0.9.2 10.96.0.3 4001 8080 1200
too_big 10.0.1.1 10.0.1.1 10.0.1.77 10.0.9.2 10.96.0.3 4002 8080 1200
too_big 10.0.1.1 10.0.1.1 10.0.1.77 10.0.9.2 10.96.0.3 4001 8080 1300
check "tunnel: ICMP: frag-needed quoting a tunnel flow's packet to its backend: the route learns 1300" \
	wait_for 5 eval '[ "$(route_mtu 10.0.1.77)" = "mtu 1300" ]'
check "tunnel: ICMP: ... quoting a packet of no flow (another client port): not taken (no 1200)" \
	is "$(route_mtu 10.0.1.77)" "mtu 1300"
check "tunnel: ICMP: ... quoting an outer packet to no backend: its route learns nothing" \
	is "$(route_mtu 10.0.1.78)" ""
too_big fd00:1::1 fd00:1::1 fd00:1::78 fd00:9::2 fd00:96::3 4001 8080 1290
too_big fd00:1::1 fd00:1::1 fd00:1::77 fd00:9::2 fd00:96::3 4002 8080 1290
too_big fd00:1::1 fd00:1::1 fd00:1::77 fd00:9::2 fd00:96::3 4001 8080 1300
check "tunnel: ICMP: IPv6 packet too big quoting a tunnel flow's packet to its backend: the route learns 1300" \
	wait_for 5 eval '[ "$(route_mtu fd00:1::77)" = "mtu 1300" ]'
check "tunnel: ICMP: IPv6 ... quoting a packet of no flow: not taken (no 1290)" \
	is "$(route_mtu fd00:1::77)" "mtu 1300"
check "tunnel: ICMP: IPv6 ... quoting an outer packet to no backend: its route learns nothing" \
	is "$(route_mtu fd00:1::78)" ""
$svcnet service del svc0 udp 10.96.0.3:8080
$svcnet service del svc0 udp "[fd00:96::3]:8080"
for p in tcp udp; do $svcnet service del svc0 $p $VIP:8080; done
$svcnet service del svc0 tcp "[$VIP6]:8080"
$svcnet service del svc0 tcp 10.96.0.2:8080
ip -n dp-be1 addr del $VIP/32 dev lo
ip -n dp-be1 addr del 10.96.0.2/32 dev lo
ip -n dp-be1 addr del $VIP6/128 dev lo
# a namespace of its own without an IPv4 address to send from: the route
# to the backend gives no source, and the outer packet would leave from
# 0.0.0.0
netns_add dp-nosrc
ip -n dp-nosrc -b - <<-EOF
	link add svc0 type svcnet
	link set svc0 up
	link add v0 type veth peer name v1
	link set v0 up
	link set v1 up
	route add 10.0.77.0/24 dev v0
EOF
in_ns dp-nosrc $svcnet service add svc0 udp $VIP:53 forward tunnel
in_ns dp-nosrc $svcnet backend add svc0 udp $VIP:53 10.0.77.2:53
nr0=$(in_ns dp-nosrc $svcnet -j -s show svc0 | jq '.[0].stats.drops["no-route"]')
in_ns dp-nosrc python3 "$(py pktfuzz)" udpflood svc0 1 >/dev/null
check "tunnel: no IPv4 source towards the backend: dropped as no-route" \
	is "$(($(in_ns dp-nosrc $svcnet -j -s show svc0 | jq '.[0].stats.drops["no-route"]') - nr0))" 1

# --- removal --------------------------------------------------------------------
check "service del removes its route" \
	bash -c "$svcnet service del svc0 tcp $VIP:80 &&
		 $svcnet service del svc0 udp $VIP:53 &&
		 ! ip route show $VIP | grep -q svc0"
check_fails "service del of a missing service fails with a clear error" \
	1 "no such service" $svcnet service del svc0 tcp $VIP:80

suite_end
