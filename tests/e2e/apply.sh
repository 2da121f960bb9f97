#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Atomic updates: 'svcnet apply' makes svc0's services those of a file in
# one transaction (all or nothing, diff-based: backends that stay keep
# their connections), 'svcnet save' writes a file that apply restores
# exactly, and 'service set ... backends LIST' replaces one service's
# backend set in one request, conditionally on the generation number.
#
#            namespace ap-cl
#                   | veth
#   +---------------+------------------------------------+
#   | host   svc0 (svcnet) <- routes for 10.96.0.x        |
#   +------+----------------+----------------+-----------+
#          | veth           | veth           | veth
#       ap-be1 "be1"     ap-be2 "be2"     ap-be3 "be3"   TCP+UDP :8080
#
# (the full topology is described in tests/lb-topology.sh)
source "$(dirname "$0")/../lib.sh"
TOPO=ap
source "$(dirname "$0")/../lb-topology.sh"
FLIPS=${FLIPS:-$(scale 20 1000)}	# applies that flip a configuration
counts FLIPS
lb_topology

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
gen() { $svcnet -j show svc0 | jq '.[0].generation'; }
svc_routes() {
	{ ip -o route show proto 83; ip -o -6 route show proto 83; } |
		awk '{ print $1 }' | sort | paste -sd' '
}
same_file() { # A B: the same lines but for comments and drain seconds
	local a b
	a=$(grep -v '^#' "$1" | sed 's/ drain [0-9]*/ drain/')
	b=$(grep -v '^#' "$2" | sed 's/ drain [0-9]*/ drain/')
	[ "$a" = "$b" ] || { diff -u "$1" "$2"; return 1; }
}
has_line() { # REGEX FILE: a line of FILE is REGEX (after blanks)
	grep -Eq "^ *$1\$" "$2" || { cat "$2"; return 1; }
}
unchanged() { # the services are those of $TMPD/before.conf
	$svcnet save >"$TMPD/now.conf" && same_file "$TMPD/before.conf" "$TMPD/now.conf"
}
port80_conns() { # connections of the TCP service's be1 and be2
	$svcnet -j -s service show svc0 |
		jq -c --arg vip $VIP '[.[] | select(.port == 80 and .protocol == "tcp" and .address == $vip) |
			.backends[] | select(.address != "10.0.3.2") | .stats.connections]'
}
events_until_probe() { # the events before monitor_probe's, sorted
	wait_for 20 monitor_probe "$TMPD/events"
	jq -sc '[.[] | select(.address != "10.96.9.9") |
		"\(.event) \(.backend.address // .address)"] | sort' "$TMPD/events"
	: >"$TMPD/events"
}
# The flows as "client_port backend" lines, without their timers.
flows() {
	$svcnet -j flow show |
		jq -r '.[] | "\(.client_port) \(.backend):\(.backend_port)"' | sort
}

cat >"$TMPD/a.conf" <<EOF
# two services
dev svc0
service tcp $VIP:80 sched wrr
  backend 10.0.1.2:8080 weight 2
  backend 10.0.2.2:8080
service udp $VIP:53
  backend 10.0.3.2:8080 local
service tcp 10.96.0.2:80 sched maglev maglev-size 251 affinity client-ip timeout 60 mask 24 policy local sources 10.0.9.0/24
  backend 10.0.1.2:8080 local
service tcp [$VIP6]:80
  backend [fd00:1::2]:8080
EOF

# --- apply from empty, save, save | apply ------------------------------------------
check "apply: a file creates its services and backends" \
	$svcnet apply -f "$TMPD/a.conf"
out=$($svcnet -j service show svc0)
check "apply: the services are those of the file, in order" \
	json_eq "$(jq -c '[.[] | "\(.protocol) \(.address):\(.port) \(.scheduler)"]' <<<"$out")" \
	"[\"tcp $VIP:80 wrr\",\"udp $VIP:53 rr\",\"tcp 10.96.0.2:80 maglev\",\"tcp $VIP6:80 rr\"]"
check "apply: backends with weights, local and drain" \
	json_eq "$(jq -c '[.[] | .backends[] | "\(.address) \(.weight) \(.local // 0) \(.drain != null)"]' <<<"$out")" \
	'["10.0.1.2 2 0 false","10.0.2.2 1 0 false","10.0.3.2 1 1 false","10.0.1.2 1 1 false","fd00:1::2 1 0 false"]'
check "apply: one route per service address" \
	test "$(svc_routes)" = "10.96.0.1 10.96.0.2 fd00:96::1"
out=$(hits host $VIP 80 30)
check "apply: the service balances as the file says (wrr 2:1)" \
	counts_are "$out" "be1=20 be2=10 be3=0"

$svcnet save svc0 >"$TMPD/saved.conf"
check "save: names the device" grep -qx "dev svc0" "$TMPD/saved.conf"
$svcnet apply -f "$TMPD/saved.conf"
$svcnet save >"$TMPD/saved2.conf"
check "save | apply | save: the same file" \
	same_file "$TMPD/saved.conf" "$TMPD/saved2.conf"

# a connection to hold open, flows to compare, a monitor to listen
rm -f "$TMPD/ready" "$TMPD/go"
$LB hold $VIP 80 3 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
$svcnet -j monitor >>"$TMPD/events" &
mon=$!
PIDS+=("$mon")
events_until_probe >/dev/null
$svcnet backend set svc0 tcp $VIP:80 10.0.2.2:8080 drain 600
events_until_probe >/dev/null
flows_before=$(flows)
gen_before=$(gen)
$svcnet save >"$TMPD/before.conf"
check "save: a draining backend is saved with its deadline" \
	has_line "backend 10.0.2.2:8080 weight 1 drain (5[0-9][0-9]|600)" "$TMPD/before.conf"
$svcnet apply -f - <"$TMPD/before.conf"
check "save | apply: the generation stays" test "$(gen)" = "$gen_before"
check "save | apply: no event" test "$(events_until_probe)" = "[]"
check "save | apply: every flow is untouched" test "$(flows)" = "$flows_before"
check "save | apply: the drain goes on, deadline kept" unchanged

# --- FLIPS applies under a live connection --------------------------------------
# Each file changes the backends of port 80 other than be1 and be2, where
# the held connections are, and the other services.
for i in 0 1; do
	{
		echo "dev svc0"
		echo "service tcp $VIP:80 sched wrr"
		echo "  backend 10.0.1.2:8080 weight 2"
		echo "  backend 10.0.2.2:8080"
		[ $i = 1 ] && echo "  backend 10.0.3.2:8080 weight 3"
		echo "service udp $VIP:53"
		echo "  backend 10.0.$((i + 2)).2:8080"
		[ $i = 1 ] && echo "service tcp 10.96.0.3:81"
	} >"$TMPD/flip$i.conf"
done
held_be=$($svcnet -j flow show |
	jq -r '[.[] | select(.service_port == 80) | .backend] | unique | join(" ")')
conns_before=$(port80_conns)
n=0
for i in $(seq $((FLIPS / 2))); do
	$svcnet apply -f "$TMPD/flip1.conf" && $svcnet apply -f "$TMPD/flip0.conf" &&
		n=$((n + 2))
done
check "$FLIPS applies: every one succeeds" test "$n" = "$FLIPS"
check "$FLIPS applies: the held connections were on be1 and be2" \
	test "$held_be" = "10.0.1.2 10.0.2.2"
touch "$TMPD/go"
wait "$held"
check "$FLIPS applies: the held connections go on, data intact" \
	json_eq "$(jq -c .ok "$TMPD/hold.out")" '["be1","be1","be2"]'
check "$FLIPS applies: their backends' counters are untouched" \
	json_eq "$(port80_conns)" "$conns_before"
check "$FLIPS applies: the service only on flip1 has gone, with its route" \
	test "$(svc_routes)" = "10.96.0.1"

# --- a failed apply changes nothing ----------------------------------------------
$svcnet save >"$TMPD/before.conf"
events_until_probe >/dev/null
gen_before=$(gen)
cat >"$TMPD/bad.conf" <<EOF
dev svc0
service tcp $VIP:80 sched rr
  backend 10.0.3.2:8080
service tcp 10.96.0.4:80 sched maglev maglev-size 1000
  backend 10.0.1.2:8080
EOF
check_fails "failed apply: the kernel's reason and the file's line" 1 \
	"bad.conf:4: this service was refused" $svcnet apply -f "$TMPD/bad.conf"
check "failed apply: the services are as before" unchanged
check "failed apply: the generation stays" test "$(gen)" = "$gen_before"
check "failed apply: no event" test "$(events_until_probe)" = "[]"
check "failed apply: no route left behind" test "$(svc_routes)" = "10.96.0.1"
cat >"$TMPD/dup.conf" <<EOF
service tcp $VIP:80
  backend 10.0.1.2:8080
  backend 10.0.1.2:8080
EOF
check_fails "failed apply: a backend listed twice is refused" 1 \
	"listed twice" $svcnet apply svc0 -f "$TMPD/dup.conf"
printf 'service tcp %s:80\nbackend 10.0.1.2\n' $VIP >"$TMPD/syntax.conf"
check_fails "failed apply: a syntax error names the line" 2 \
	"syntax.conf:2: '10.0.1.2' is not ADDR:PORT" \
	$svcnet apply svc0 -f "$TMPD/syntax.conf"
check "failed apply: still as before" unchanged

# --- one request replaces a backend set, conditionally -------------------------------
g=$(gen)
check_fails "backends with a stale generation: refused" 1 \
	"changed since this generation" \
	$svcnet service set svc0 tcp $VIP:80 backends 10.0.3.2:8080 generation $((g - 1))
check "backends with a stale generation: nothing changed" unchanged
events_until_probe >/dev/null
g=$(gen)
check "backends with the current generation: replaced" \
	$svcnet service set svc0 tcp $VIP:80 backends 10.0.2.2:8080=5,10.0.3.2:8080 generation "$g"
check "backends: the set is the list given" \
	json_eq "$($svcnet -j service show svc0 | jq -c '[.[] | select(.port == 80 and .protocol == "tcp") | .backends[] | "\(.address) \(.weight)"]')" \
	'["10.0.2.2 5","10.0.3.2 1"]'
check "backends: one event per backend added, changed or removed" \
	json_eq "$(events_until_probe)" \
	'["backend add 10.0.3.2","backend del 10.0.1.2","backend set 10.0.2.2"]'
$svcnet backend set svc0 tcp $VIP:80 10.0.3.2:8080 local on
check "backend set ... local on: a backend set event, as apply sends for it" \
	json_eq "$(events_until_probe)" '["backend set 10.0.3.2"]'

# --- a service larger than one netlink attribute --------------------------------
{
	echo "service tcp 10.96.0.5:80"
	for i in $(seq 0 2999); do
		echo "  backend 10.$((i / 250 + 100)).$((i % 250)).1:80"
	done
} >"$TMPD/big.conf"
check "apply: 3000 backends in one service (several attributes)" \
	$svcnet apply svc0 -f "$TMPD/big.conf"
grep backend "$TMPD/big.conf" | awk '{ print $2 }' >"$TMPD/big.want"
$svcnet save svc0 | grep backend | awk '{ print $2 }' >"$TMPD/big.got"
check "save: all 3000 back, in order" cmp "$TMPD/big.want" "$TMPD/big.got"
check "apply: an empty file removes every service and route" \
	bash -c "$svcnet apply svc0 -f /dev/null && [ -z \"\$($svcnet -j service show svc0 | jq '.[]')\" ] && [ -z \"\$(ip -o route show proto 83)\" ]"

# --- a service range already routed into svc0 ---------------------------------
# Addresses inside a range that leads into svc0 need no route of their
# own; one inside a more specific route elsewhere does, and so does one a
# policy rule sends elsewhere (kernels with policy routing).
ip route add 10.96.8.0/24 dev svc0
ip -6 route add fd00:96:8::/64 dev svc0
range_file() { # the services of the range, and ADDR...
	echo "dev svc0"
	for a in 10.96.8.1 10.96.8.2 10.96.8.3 "$@"; do
		echo "service tcp $a:80"
		echo "  backend 10.0.1.2:8080"
	done
	echo "service tcp [fd00:96:8::1]:80"
	echo "  backend [fd00:1::2]:8080"
	echo "service tcp [fd00:96:8::2]:80"
	echo "  backend [fd00:1::2]:8080"
}
range_file >"$TMPD/range.conf"
check "range: apply of services inside a range routed into svc0" \
	$svcnet apply -f "$TMPD/range.conf"
check "range: no route of their own" test -z "$(svc_routes)"
out=$(hits host 10.96.8.3 80 3)
check "range: a service of the range balances" counts_are "$out" "be1=3"
ip route add 10.96.8.128/25 via 10.0.2.2
range_file 10.96.8.130 >"$TMPD/range2.conf"
$svcnet apply -f "$TMPD/range2.conf"
check "range: inside a more specific route elsewhere, a route of its own" \
	test "$(svc_routes)" = "10.96.8.130"
out=$(hits host 10.96.8.130 80 3)
check "range: that service balances" counts_are "$out" "be1=3"
ip route del 10.96.8.128/25
$svcnet apply svc0 -f /dev/null
if ip rule add to 10.96.8.7 lookup 100 pref 100 2>/dev/null; then
	ip route add unreachable 10.96.8.7 table 100
	range_file 10.96.8.7 >"$TMPD/range3.conf"
	$svcnet apply -f "$TMPD/range3.conf"
	check "range: an address a policy rule sends elsewhere gets a route" \
		test "$(svc_routes)" = "10.96.8.7"
	ip rule del pref 100
	ip route flush table 100
	$svcnet apply svc0 -f /dev/null
fi
ip route del 10.96.8.0/24
ip -6 route del fd00:96:8::/64

# --- the hash key of consistent hashing ---------------------------------------------
KEY1=00112233445566778899aabbccddeeff
KEY2=ffeeddccbbaa99887766554433221100
key_line() { $svcnet save svc0 | grep '^hash-key'; }
printf 'dev svc0\nservice tcp 10.96.0.5:80 sched maglev\n  backend 10.0.1.2:8080\n' \
	>"$TMPD/key0.conf"
$svcnet apply -f "$TMPD/key0.conf"
gen_before=$(gen)
check "hash-key: set, and save prints it" \
	eval '$svcnet set svc0 hash-key $KEY1 && is "$(key_line)" "hash-key $KEY1"'
check "hash-key: a new key moves the generation on" test "$(gen)" != "$gen_before"
printf 'dev svc0\nhash-key %s\nservice tcp 10.96.0.5:80 sched maglev\n  backend 10.0.1.2:8080\n' \
	$KEY2 >"$TMPD/key2.conf"
check "hash-key: a file's key is applied" \
	eval '$svcnet apply -f "$TMPD/key2.conf" && is "$(key_line)" "hash-key $KEY2"'
$svcnet apply -f "$TMPD/key0.conf"
check "hash-key: a file without one keeps the device's" is "$(key_line)" "hash-key $KEY2"
sed 's/^hash-key .*/hash-key 0011/' "$TMPD/key2.conf" >"$TMPD/key-bad.conf"
check_fails "hash-key: a short key in a file is a usage error" 2 "not a key of 32 hex digits" \
	$svcnet apply -f "$TMPD/key-bad.conf"
check_fails "hash-key: 'set' refuses a key that is not hex" 2 "32 hex digits or random" \
	$svcnet set svc0 hash-key "${KEY1%??}zz"
check "hash-key: both refusals changed nothing" is "$(key_line)" "hash-key $KEY2"
$svcnet set svc0 hash-key random
check "hash-key: 'random' draws a new one" \
	eval 'k=$(key_line) && test "$k" != "hash-key $KEY2" && test ${#k} = 41'
$svcnet apply svc0 -f /dev/null

kill "$mon" 2>/dev/null || true
suite_end
