#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Spoofed traffic: segments with guessed sequence numbers neither close a
# live connection nor end a drain; a blind handshake does not establish a
# flow; UDP from spoofed sources, answered by the backends, cannot fill the
# flow table: its flows make room for new ones, and flows established both
# ways are never pushed out.
#
#            namespace sp-cl 10.0.9.2: a live echo connection (TCP 80),
#            a UDP stream (UDP 53), new clients; raw-socket injections
#                   |
#   +---------------+-------------------------------------------------+
#   | host   svc0: 10.96.0.1:80 -> be1, 10.96.0.1:53 -> be1-3          |
#   |        pktfuzz.py blindack / udpflood into svc0 from 198.18/16   |
#   |        (routed to a blackhole); flow-max 1000                    |
#   +------+----------------+----------------+------------------------+
#       sp-be1           sp-be2           sp-be3   (:8080)
. "$(dirname "$0")/../lib.sh"
TOPO=sp
. "$(dirname "$0")/../lb-topology.sh"

FLOOD=${FLOOD:-$(scale 5000 20000)}
counts FLOOD
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }
at_most() { [ "$1" -le "$2" ] || { echo "got $1, want at most $2"; return 1; }; }
cfg() { $svcnet -j config | jq ".\"$1\""; }
softnet_drops() { # packets the CPUs' backlogs dropped, all CPUs
	local d n=0
	for d in $(awk '{ print $2 }' /proc/net/softnet_stat); do
		n=$((n + 16#$d))
	done
	echo $n
}
flow_of() { # CLIENT PORT: the JSON of the flow from that client and port
	$svcnet -j flow show | jq -c --arg c "$1" --argjson p "$2" \
		'.[] | select(.client == $c and .client_port == $p)'
}
flow_is() { # CLIENT PORT STATE ASSURED
	local f
	f=$(flow_of "$1" "$2")
	[ "$(jq -r '.state + " " + (.assured | tostring)' <<<"$f")" = "$3 $4" ] ||
		{ echo "flow: $f, want $3 assured $4"; return 1; }
}
backends() {
	$svcnet -j service show svc0 | jq -c '.[] | select(.protocol == "tcp") |
		[.backends[] | "\(.address)\(if .drain then " draining" else "" end)"]'
}
backends_are() { [ "$(backends)" = "$1" ]; }
inject() { # FLAGS SEQ: a segment from the live connection's client port
	lbq sp-cl segment 10.0.9.2 "$cport" $VIP 80 "$1" "$2"
}

modprobe svcnet
lb_topology
ip route add blackhole 198.18.0.0/16
trap 'ip route del blackhole 198.18.0.0/16 2>/dev/null; cleanup_topology' EXIT
$svcnet service add svc0 tcp $VIP:80
$svcnet backend add svc0 tcp $VIP:80 10.0.1.2:8080
$svcnet service add svc0 udp $VIP:53
for n in 1 2 3; do
	$svcnet backend add svc0 udp $VIP:53 "10.0.$n.2:8080"
done

# --- segments with guessed sequence numbers --------------------------------------
rm -f "$TMPD/ready" "$TMPD/go"
ip netns exec sp-cl $LB hold $VIP 80 1 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
cport=$($svcnet -j flow show | jq '.[] | select(.client == "10.0.9.2" and .service_port == 80) | .client_port')
check "the live connection's flow is established and assured" \
	flow_is 10.0.9.2 "$cport" established true
# a guess lands in a 64 KiB window once in 32768 tries; these are fixed
inject R 0x5eed0000
check "a RST with a guessed sequence number leaves the flow established" \
	flow_is 10.0.9.2 "$cport" established true
inject FA 0x7eed0000
check "so does a FIN with a guessed sequence number" \
	flow_is 10.0.9.2 "$cport" established true
$svcnet backend set svc0 tcp $VIP:80 10.0.1.2:8080 drain 300
inject FA 0x3eed0000
inject R 0x1eed0000
sleep 1
check "a draining backend keeps its live connection through guessed FIN and RST" \
	json_eq "$(backends)" '["10.0.1.2 draining"]'
touch "$TMPD/go"
wait $held
check "the live connection echoed throughout" is "$(jq -c .ok "$TMPD/hold.out")" '["be1"]'
check "its own FIN ends the drain: the backend goes once the connection closed" \
	wait_for 15 backends_are '[]'
$svcnet backend add svc0 tcp $VIP:80 10.0.1.2:8080

# --- a blind handshake ---------------------------------------------------------------
python3 "$(py pktfuzz)" blindack svc0 198.18.1.5 4242 >/dev/null
check "a SYN and a blind ACK from a spoofed source: the flow stays in SYN, not assured" \
	flow_is 198.18.1.5 4242 syn false

# --- UDP from spoofed sources ----------------------------------------------------------
$svcnet flow flush
$svcnet config set flow-max 1000
rm -f "$TMPD/stop" "$TMPD/streaming"
ip netns exec sp-cl $LB udpstream $VIP 53 "$TMPD" >"$TMPD/stream.out" &
streamer=$!
wait_for 90 test -e "$TMPD/streaming"
uport=$($svcnet -j flow show | jq '.[] | select(.client == "10.0.9.2" and .service_port == 53) | .client_port')
check "a UDP stream answered and going on after 2 s is assured" \
	wait_for 10 flow_is 10.0.9.2 "$uport" udp true
e0=$(cfg flows-evicted)
# the flood's datagrams and the backends' answers queue on this CPU's
# backlog ahead of the stream's: a deeper one than the default 1000, so
# that none of the stream's is dropped there (softnet_stat's second column)
backlog=$(sysctl -n net.core.netdev_max_backlog)
sysctl -qw net.core.netdev_max_backlog=20000
sd0=$(softnet_drops)
python3 "$(py pktfuzz)" udpflood svc0 "$FLOOD" >/dev/null
echo "# after $FLOOD spoofed datagrams: flow-count $(cfg flow-count), flows-evicted $(($(cfg flows-evicted) - e0)), flow-limit drops $(drops flow-limit)"
check "$FLOOD datagrams from spoofed sources: their flows were evicted for newer ones" \
	at_least "$(($(cfg flows-evicted) - e0))" $((FLOOD - 1000))
check "none was dropped for a full table" is "$(drops flow-limit)" 0
check "the table is full, not more" at_most "$(cfg flow-count)" 1000
check "a new TCP client gets through the full table" \
	lbq sp-cl hits $VIP 80 3
check "a new UDP client too" \
	lbq sp-cl hits $VIP 53 3 --udp --sport 27001
check "the assured UDP stream's flow was never evicted" \
	flow_is 10.0.9.2 "$uport" udp true
touch "$TMPD/stop"
wait $streamer
sysctl -qw net.core.netdev_max_backlog="$backlog"
echo "# stream: $(cat "$TMPD/stream.out"); backlog drops $(($(softnet_drops) - sd0)); backends' UDP receive buffer errors: $(for n in 1 2 3; do ip netns exec sp-be$n awk '/^Udp:/ { getline; print $6 }' /proc/net/snmp; done | paste -sd ' ')"
check "the stream was answered throughout, by one backend" \
	jq -e '.answered == .sent and (.names | length) == 1' "$TMPD/stream.out"
$svcnet flow flush
ip link del svc0
suite_end
