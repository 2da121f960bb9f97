#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile configuration input: generic netlink requests from a fuzzer
# (tests/e2e/nlfuzz.py), two processes at once, each on its own device,
# then dumps interrupted by changes and dumps abandoned half way. The
# devices must keep answering, and their services must be exactly what
# the accepted requests asked for.
#
#   init namespace
#   +-------------------------------------------+
#   | fza0 (up) <- nlfuzz seed 1                |
#   | qxb7 (up) <- nlfuzz seed 2                |
#   | dump0 (up) <- dumps: 1500 services, 200   |
#   |              abandoned dumps              |
#   +-------------------------------------------+
. "$(dirname "$0")/../lib.sh"

FUZZ_COUNT=${FUZZ_COUNT:-50000}
fuzz=tests/e2e/nlfuzz.py
out=$(mktemp -d)

field() { jq -r ".$2" "$out/$1"; }
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }

modprobe svcnet
for d in fza0 qxb7 dump0; do
	ip link add "$d" type svcnet
	ip link set "$d" up
done

rc0=0 rc1=0
python3 $fuzz fza0 "$FUZZ_COUNT" 1 >"$out/fza0" & p0=$!
python3 $fuzz qxb7 "$FUZZ_COUNT" 2 >"$out/qxb7" & p1=$!
wait $p0 || rc0=$?
wait $p1 || rc1=$?
cat "$out/fza0" "$out/qxb7" | sed 's/^/# /'
for d in fza0 qxb7; do
	check "$d: $FUZZ_COUNT fuzzed requests sent" is "$(field $d sent)" "$FUZZ_COUNT"
	check "$d: the device's services equal what the accepted requests asked for" \
		is "$(field $d model_ok)" true
	check "$d: at least 10% of the requests were accepted (the fuzzer reaches the commands)" \
		at_least "$(field $d accepted)" $((FUZZ_COUNT / 10))
	check "$d: at least 10% were refused" \
		at_least "$((FUZZ_COUNT - $(field $d accepted)))" $((FUZZ_COUNT / 10))
done
check "the fuzzers exited cleanly" is "$rc0 $rc1" "0 0"
check "the devices still answer: show, service show, config" \
	sh -c 'svcnet show fza0 && svcnet service show qxb7 && svcnet config'
check "the unrelated device dump0 has no service" \
	is "$(svcnet -j service show dump0 | jq length)" 0

rc=0
python3 $fuzz --dumps dump0 1500 200 >"$out/dumps" || rc=$?
sed 's/^/# /' "$out/dumps"
check "dumps: 1500 services dumped in several parts" \
	at_least "$(field dumps dump_parts)" 2
check "dumps: a change during a dump is flagged NLM_F_DUMP_INTR" \
	at_least "$(field dumps intr_flagged)" 1
check "dumps: 200 dumps abandoned half way leave the state intact" \
	is "$(field dumps state_ok) $rc" "true 0"
check "the device with 1501 services is deleted" ip link del dump0
ip link del fza0
ip link del qxb7
check "after deleting the devices svcnet unloads" rmmod svcnet
rm -rf "$out"
suite_end
