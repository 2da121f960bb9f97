#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kTLS TX offload: a kTLS socket of the host talking to a service hands its
# TLS 1.2 AES-GCM records to svc0 in plaintext; svc0 encrypts them, then
# balances. Backend be1 decrypts with the kernel's kTLS RX, backend be2
# reads the raw bytes and decrypts them itself (tests/e2e/ktls.py).
#
#   host: ktls.py send (kTLS TX, fixed keys) -> 10.96.0.1:443/444
#   +--------------------------------------------------------------+
#   | host   svc0 (svcnet, tls-hw-tx-offload) <- routes 10.96.0.1   |
#   +------+---------------------------+---------------------------+
#          | veth kt-be1               | veth kt-be2            | veth kt-be3
#       kt-be1: ktls.py rx :9443    kt-be2: ktls.py raw :9444  kt-be3: TLS :9445
#       (kernel kTLS RX)            (records decrypted in      (Python ssl, for
#                                    Python)                    OpenSSL's client)
#
# (the full topology is described in tests/lb-topology.sh)
source "$(dirname "$0")/../lib.sh"
TOPO=kt
source "$(dirname "$0")/../lb-topology.sh"
lb_topology

KT="python3 $(py ktls)"
# the sending side needs the standard library only: without the site
# module (-S), a quarter of a second less a run on the debug kernel
KTSEND="python3 -S $(py ktls) send"
ip netns exec kt-be1 $KT rx 9443 >"$TMPD/rx.log" 2>&1 &
PIDS+=($!)
ip netns exec kt-be2 $KT raw 9444 svcnet-marker >"$TMPD/raw.log" 2>&1 &
PIDS+=($!)
wait_for 90 grep -q serving "$TMPD/rx.log"
wait_for 90 grep -q serving "$TMPD/raw.log"

$svcnet service add svc0 tcp $VIP:443
$svcnet backend add svc0 tcp $VIP:443 10.0.1.2:9443
$svcnet service add svc0 tcp $VIP:444
$svcnet backend add svc0 tcp $VIP:444 10.0.2.2:9444
$svcnet service add svc0 tcp "[$VIP6]:443"
$svcnet backend add svc0 tcp "[$VIP6]:443" "[fd00:1::2]:9443"

tls_stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat; }
eth_stat() { ethtool -S svc0 | awk -v k="$1:" '$1 == k { print $2 }'; }
svc_tls() { # PORT FIELD: the service's kTLS counter
	$svcnet -j -s service show svc0 |
		jq --arg vip $VIP ".[] | select(.address == \$vip and .port == $1) | .tls.$2"
}
send() { # ARGS: ktls.py send ARGS, its answer in $TMPD/send.out
	$KTSEND "$@" >"$TMPD/send.out" || { cat "$TMPD/send.out"; return 1; }
}
has_line() { grep -qx "$1" "$2" || { cat "$2"; return 1; }; }
answer() { jq -c ".answer.$1" "$TMPD/send.out"; }
# delta NAME BEFORE WANT: /proc/net/tls_stat's NAME grew by WANT
delta() {
	local now
	now=$(tls_stat "$1")
	[ $((now - $2)) = "$3" ] || { echo "$1: $2 -> $now, want +$3"; return 1; }
}

sw_only() { delta TlsTxSw "$sw0" "$1" && delta TlsTxDevice "$dev0" 0; }
sw_only_dev() { delta TlsTxDevice "$dev0" "$1" && delta TlsTxSw "$sw0" 0; }
feature() { ethtool -k svc0 | grep -qxF "tls-hw-tx-offload: $1"; }

# net/tls's device offload code is there only with CONFIG_TLS_DEVICE; the
# harness also builds svcnet without offload (SVCNET_TLS_OFFLOAD_BUILT=0)
modprobe tls
if ! grep -qw tls_device_sk_destruct /proc/kallsyms ||
	[ "${SVCNET_TLS_OFFLOAD_BUILT:-1}" = 0 ]; then
	# A kernel without TLS device offload, or svcnet built without it:
	# svcnet has none to offer, and kTLS sockets to a service encrypt in
	# software.
	check "no TLS device offload offered: the feature is off, fixed" \
		feature "off [fixed]"
	check "svcnet.ko does not need the tls module here" \
		bash -c "! modinfo -F depends svcnet | tr , '\n' | grep -qx tls"
	dev0=$(tls_stat TlsTxDevice) sw0=$(tls_stat TlsTxSw)
	check "kTLS to a service: 1 MiB arrives intact" send $VIP 443 1048576
	check "kTLS to a service: in software (TlsTxSw +1, TlsTxDevice +0)" \
		sw_only 1
	suite_end
fi

check "the device offers TLS TX offload, on" feature on

# --- fragmented memory ----------------------------------------------------------
# svc0 encrypts into single pages, in each CPU's work area made when the
# first socket offloads: with no free block of more than one page, no
# record is dropped (a work area allocated per packet needs two pages on a
# kernel whose allocator pads its objects, as KASAN's does). memfrag holds
# every other page; compaction, which would undo it, is off; zone DMA is
# kept for its own. This comes first, before kTLS traffic has made the
# kernel set blocks aside for large atomic allocations.
# (built here, not by tests/vm/run: what the compiler leaves in memory is
# part of the state memfrag has always fragmented)
cc -O2 -o "$TMPD/memfrag" "$(dirname "$0")/memfrag.c"
memfrag=$TMPD/memfrag
# the knobs this kernel has (no compaction ones without CONFIG_COMPACTION),
# set for the test and restored afterwards
frag_knobs=()
for k in vm.lowmem_reserve_ratio vm.extfrag_threshold vm.compaction_proactiveness; do
	[ ! -e "/proc/sys/${k//.//}" ] || frag_knobs+=("$k=$(sysctl -n "$k" | tr -s '\t' ' ')")
done
lowmem0=$(sysctl -n vm.lowmem_reserve_ratio | tr -s '\t' ' ')
sysctl -qw vm.lowmem_reserve_ratio="1 ${lowmem0#* }"
for k in extfrag_threshold=1000 compaction_proactiveness=0; do
	[ ! -e "/proc/sys/vm/${k%%=*}" ] || sysctl -qw "vm.$k"
done
"$memfrag" 24 "$TMPD/frag.ready" 1 >"$TMPD/memfrag.log" 2>&1 &
frag=$!
PIDS+=($frag)
frag_done() { test -e "$TMPD/frag.ready" || ! kill -0 "$frag" 2>/dev/null; }
fragmented() {
	wait_for 300 frag_done
	test -e "$TMPD/frag.ready" || { cat "$TMPD/memfrag.log"; return 1; }
}
check "fragmented memory: no free block of 2 pages or more (memfrag)" fragmented
cat /proc/buddyinfo
# svcnet's allocations meanwhile, those over 2 KiB: the kmem tracepoint
# (the work areas are made when the first socket offloads, this one: the
# module was loaded for this suite)
tracing=/sys/kernel/tracing
[ -e $tracing/events/kmem/kmalloc ] || mount -t tracefs tracefs $tracing
echo 'bytes_alloc > 2048' >$tracing/events/kmem/kmalloc/filter
echo >$tracing/trace
echo 1 >$tracing/events/kmem/kmalloc/enable
drops0=$(eth_stat tls_tx_drops)
check "fragmented memory: 8 MiB by kTLS arrive intact" send $VIP 443 8388608
echo 0 >$tracing/events/kmem/kmalloc/enable
echo 0 >$tracing/events/kmem/kmalloc/filter
grep 'call_site=svcnet' $tracing/trace >"$TMPD/kmalloc.trace" || true
echo "# svcnet's allocations over 2 KiB: $(wc -l <"$TMPD/kmalloc.trace")"
check "fragmented memory: svc0 dropped no record (tls_tx_drops +0)" \
	test "$(eth_stat tls_tx_drops)" = "$drops0"
check "fragmented memory: the work areas were made as the socket offloaded (kmem trace)" \
	grep -q 'call_site=svcnet_tls_.*GFP_KERNEL' "$TMPD/kmalloc.trace"
check "fragmented memory: nothing over 2 KiB allocated for a packet (no GFP_ATOMIC in the trace)" \
	bash -c "! grep GFP_ATOMIC $TMPD/kmalloc.trace"
kill "$frag" 2>/dev/null || true
wait "$frag" || true
sysctl -qw "${frag_knobs[@]}"

# --- one kTLS socket to a service -------------------------------------------
dev0=$(tls_stat TlsTxDevice) sw0=$(tls_stat TlsTxSw) cur0=$(tls_stat TlsCurrTxDevice)
added0=$(eth_stat tls_tx_device_added) svc_added0=$(svc_tls 443 added)
rm -f "$TMPD/ready" "$TMPD/go"
$KTSEND $VIP 443 16384 --hold "$TMPD" >"$TMPD/held.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
cat /proc/net/tls_stat >"$TMPD/tls_stat.first"
check "offload: the socket's TX went to the device (TlsTxDevice +1)" \
	delta TlsTxDevice "$dev0" 1
check "offload: ... and not to software (TlsTxSw +0)" delta TlsTxSw "$sw0" 0
check "offload: TlsCurrTxDevice +1 while it is open" \
	delta TlsCurrTxDevice "$cur0" 1
check "offload: svc0 counted the socket (ethtool -S)" \
	test "$(eth_stat tls_tx_device_added)" = $((added0 + 1))
check "offload: so did the service" \
	test "$(svc_tls 443 added)" = $((svc_added0 + 1))
touch "$TMPD/go"
check "offload: the backend's kernel kTLS RX reads the same bytes" wait "$held"
counted() { [ "$(eth_stat tls_tx_records)" -ge 1 ] && [ "$(eth_stat tls_tx_bytes)" -ge 16384 ]; }
check "offload: records and bytes encrypted are counted" counted

# --- sizes and ways of sending, checked by both backends --------------------
for size in 1 16384 16385 1048576; do
	check "kernel RX backend: $size bytes arrive intact" send $VIP 443 $size
	check "raw backend: $size bytes decrypt to the same" send $VIP 444 $size
done
check "raw backend: the wire holds TLS 1.2 records (17 03 03)" \
	test "$(answer headers_ok)" = true
check "raw backend: and no plaintext marker" \
	test "$(answer marker_seen)" = false

# a capture on the backend's link, and GSO: svc0 encrypts packets larger
# than the MTU, which are segmented only on the way out
pkts0=$($svcnet -j -s show svc0 | jq '.[0].stats.tx_packets')
bytes0=$($svcnet -j -s show svc0 | jq '.[0].stats.tx_bytes')
tcpdump -i kt-be2 -U -s 0 -w "$TMPD/cap.pcap" tcp port 9444 2>"$TMPD/tcpdump.log" &
cap=$!
wait_for 20 grep -q "listening on" "$TMPD/tcpdump.log"
send $VIP 444 1048576 || true
pkts=$(($($svcnet -j -s show svc0 | jq '.[0].stats.tx_packets') - pkts0))
bytes=$(($($svcnet -j -s show svc0 | jq '.[0].stats.tx_bytes') - bytes0))
captured() { [ "$(stat -c %s "$TMPD/cap.pcap")" -gt 1048576 ]; }
wait_for 20 captured || true
kill -INT $cap
wait $cap || true
check "capture on the backend's link: TLS 1.2 application data records" \
	grep -q -a -P '\x17\x03\x03' "$TMPD/cap.pcap"
check "capture on the backend's link: no plaintext marker" \
	bash -c "! grep -q -a svcnet-marker '$TMPD/cap.pcap'"
check "GSO: svc0 encrypted packets larger than the MTU ($bytes bytes in $pkts)" \
	test $((bytes / (pkts ? pkts : 1))) -gt 1500
for mode in sendfile more types; do
	check "kernel RX backend: 1 MiB by $mode" \
		send $VIP 443 1048576 --mode $mode
	check "raw backend: 1 MiB by $mode" send $VIP 444 1048576 --mode $mode
done
send $VIP 443 40000 --mode types || true
check "a non-data record arrives as one, between the data" \
	test "$(answer types)" = "[23,22,23]"
dev1=$(tls_stat TlsTxDevice)
check "AES-GCM-256: data intact" send $VIP 443 100000 --cipher aes256
check "AES-GCM-256: offloaded too" delta TlsTxDevice "$dev1" 1
dev1=$(tls_stat TlsTxDevice)
check "IPv6: 1 MiB arrives intact" send $VIP6 443 1048576
check "IPv6: offloaded" delta TlsTxDevice "$dev1" 1

# --- loss and reordering on the backend's link ------------------------------
retrans() { nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }'; }
r0=$(retrans)
tc qdisc add dev kt-be1 root netem delay 5ms 2ms reorder 20% 50% loss 2%
check "loss and reordering: 1 MiB still arrives intact" send $VIP 443 1048576
check "loss and reordering: 1 MiB by sendfile too" \
	send $VIP 443 1048576 --mode sendfile
check "loss and reordering: TCP did retransmit" test "$(retrans)" -gt "$r0"
tc qdisc del dev kt-be1 root

# --- TCP small queues ---------------------------------------------------------
# The socket keeps its claim on what waits below svc0, so TCP queues no
# more than its small-queue limit in a slow link's qdisc (tbf: it neither
# orphans nor segments the packets).
# (Reno: its slow start ends only on loss, so without that limit the
# queue would grow with the congestion window)
tsq0=$(sysctl -n net.ipv4.tcp_limit_output_bytes)
cc0=$(sysctl -n net.ipv4.tcp_congestion_control)
sysctl -qw net.ipv4.tcp_limit_output_bytes=65536 net.ipv4.tcp_congestion_control=reno
# (256 kbit/s, 32 KB/s: slower than the debug kernel under emulation
# still sends; measured as low as ~46 KB/s on a loaded host, where at
# 512 kbit/s the queue held at most 6 KB)
tc qdisc add dev kt-be1 root tbf rate 256kbit burst 256kb limit 16mb
backlog() { # the qdisc's backlog in bytes
	tc -j -s qdisc show dev kt-be1 | jq '.[0].backlog'
}
$KTSEND $VIP 443 2097152 >"$TMPD/slow.out" &
slow=$!
max_backlog=0 unread=0
while kill -0 $slow 2>/dev/null; do
	b=$(backlog)
	case $b in
	'' | *[!0-9]*) unread=$((unread + 1)) ;;
	*) [ "$b" -le "$max_backlog" ] || max_backlog=$b ;;
	esac
	# (the sender, not the sampling, gets the CPU in between)
	nap 0.5
done
check "slow link: 2 MiB by kTLS arrive intact" wait $slow
# measured: it did queue, every sample read, and no more than the limit
bounded() { [ "$unread" = 0 ] && [ "$max_backlog" -gt 0 ] && [ "$max_backlog" -le 196608 ]; }
check "slow link: the qdisc held at most 192 KiB (max $max_backlog bytes; TSQ limit 64 KiB)" \
	bounded
tc qdisc del dev kt-be1 root
sysctl -qw net.ipv4.tcp_limit_output_bytes="$tsq0" net.ipv4.tcp_congestion_control="$cc0"

# --- what stays in software --------------------------------------------------
dev0=$(tls_stat TlsTxDevice) sw0=$(tls_stat TlsTxSw)
ethtool -K svc0 tls-hw-tx-offload off
check "offload off: data still correct" send $VIP 443 100000
check "offload off: software kTLS (TlsTxSw +1, TlsTxDevice +0)" sw_only 1
ethtool -K svc0 tls-hw-tx-offload on
check "TLS 1.3: data still correct" send $VIP 443 100000 --tls13
check "TLS 1.3: software kTLS" sw_only 2
check "ChaCha20-Poly1305: data still correct" send $VIP 443 100000 --cipher chacha
check "ChaCha20-Poly1305: software kTLS" sw_only 3
$svcnet service set svc0 tcp $VIP:443 tls-offload off
check "service tls-offload off: data still correct" send $VIP 443 100000
check "service tls-offload off: software kTLS" sw_only 4
$svcnet save svc0 >"$TMPD/saved.conf"
check "service tls-offload off: saved" \
	has_line "service tcp $VIP:443 sched rr tls-offload off" "$TMPD/saved.conf"
$svcnet service set svc0 tcp $VIP:443 tls-offload on

# --- a real TLS 1.2 handshake: OpenSSL with kTLS -----------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -subj /CN=svc -days 1 \
	2>/dev/null
ip netns exec kt-be3 $KT tls 9445 "$TMPD/cert.pem" "$TMPD/key.pem" \
	>"$TMPD/tls.log" 2>&1 &
PIDS+=($!)
wait_for 90 grep -q serving "$TMPD/tls.log"
tls_client=$(cbin tls_client -lssl -lcrypto)
$svcnet service add svc0 tcp $VIP:445
$svcnet backend add svc0 tcp $VIP:445 10.0.3.2:9445
dev0=$(tls_stat TlsTxDevice) sw0=$(tls_stat TlsTxSw)
"$tls_client" $VIP 445 1048576 >"$TMPD/openssl.out" || true
check "OpenSSL: the server receives the right bytes through the service" \
	jq -e '.answer.sha256 == .sha256 and .answer.bytes == 1048576' "$TMPD/openssl.out"
check "OpenSSL: it reports kTLS TX on the socket" \
	jq -e '.ktls_send == 1' "$TMPD/openssl.out"
check "OpenSSL: the kernel offloaded it to svc0 (TlsTxDevice +1, TlsTxSw +0)" \
	sw_only_dev 1
check "OpenSSL: counted on the service" test "$(svc_tls 445 added)" = 1

# --- lifecycle -----------------------------------------------------------------
curr_back() { [ "$(tls_stat TlsCurrTxDevice)" = "$cur0" ]; }
released() {
	[ "$(eth_stat tls_tx_device_added)" = "$(eth_stat tls_tx_device_removed)" ]
}
check "every socket closed: TlsCurrTxDevice back where it was" \
	wait_for 20 curr_back
check "every socket closed: svc0 released as many as it took" \
	wait_for 20 released
held_send() { # a kTLS connection held open in the background
	rm -f "$TMPD/ready" "$TMPD/go"
	$KTSEND $VIP 443 16384 --hold "$TMPD" >/dev/null 2>&1 &
	held=$!
	wait_for 90 test -e "$TMPD/ready"
}
drop_held() { kill "$held" 2>/dev/null || true; wait "$held" || true; }
held_send
removed0=$(eth_stat tls_tx_device_removed)
ip link set svc0 down
check "device down with a live kTLS socket: svc0 releases it" \
	test "$(eth_stat tls_tx_device_removed)" = $((removed0 + 1))
drop_held
ip link set svc0 up
$svcnet apply svc0 -f - <<EOF
service tcp $VIP:443
  backend 10.0.1.2:9443
EOF
held_send
ip link del svc0	# with a live kTLS socket
drop_held
ip link add svc0 type svcnet
ip link set svc0 up
$svcnet apply svc0 -f - <<EOF
service tcp $VIP:443
  backend 10.0.1.2:9443
EOF
held_send
check "rmmod with a live kTLS socket" rmmod svcnet
drop_held
check "after rmmod the socket is gone from the device count" \
	wait_for 20 curr_back

suite_end
