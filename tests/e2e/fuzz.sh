#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile configuration input: generic netlink requests from a fuzzer
# (tests/e2e/nlfuzz.py), two processes at once, each on its own device,
# then dumps interrupted by changes and dumps abandoned half way. The
# devices must keep answering, and their services must be exactly what
# the accepted requests asked for: each accepted request is verified
# against the fuzzer's model before any resync (those whose effect it
# cannot know are sent alone and read back).
#
#   init namespace
#   +-------------------------------------------+
#   | fza0 (up) <- nlfuzz seed 1                |
#   | qxb7 (up) <- nlfuzz seed 2                |
#   | dump0 (up) <- dumps: DUMP_SERVICES        |
#   |              services, DUMP_ABANDON       |
#   |              abandoned dumps              |
#   +-------------------------------------------+
. "$(dirname "$0")/../lib.sh"

FUZZ_COUNT=${FUZZ_COUNT:-$(scale 2000 50000)}
DUMP_SERVICES=${DUMP_SERVICES:-$(scale 600 1500)}
DUMP_ABANDON=${DUMP_ABANDON:-$(scale 50 200)}
counts FUZZ_COUNT DUMP_SERVICES DUMP_ABANDON
fuzz=$(py nlfuzz)
out=$(mktemp -d)

field() { jq -r ".$2" "$out/$1"; }
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }

modprobe svcnet
for d in fza0 qxb7 dump0; do
	ip link add "$d" type svcnet
	ip link set "$d" up
done

# On a kernel with KCOV (the debug kernel), the fuzzers keep the inputs
# that reach new svcnet code and mutate them again.
kcov0=() kcov1=()
if [ -e /sys/kernel/debug/kcov ]; then
	kcov0=(--kcov "$out/pcs0") kcov1=(--kcov "$out/pcs1")
fi
rc0=0 rc1=0
python3 $fuzz "${kcov0[@]}" fza0 "$FUZZ_COUNT" 1 >"$out/fza0" & p0=$!
python3 $fuzz "${kcov1[@]}" qxb7 "$FUZZ_COUNT" 2 >"$out/qxb7" & p1=$!
wait $p0 || rc0=$?
wait $p1 || rc1=$?
cat "$out/fza0" "$out/qxb7" | sed 's/^/# /'
for d in fza0 qxb7; do
	check "$d: $FUZZ_COUNT fuzzed requests sent" is "$(field $d sent)" "$FUZZ_COUNT"
	check "$d: the device's services equal what the accepted requests asked for, at every check" \
		is "$(field $d model_ok)" true
	check "$d: each accepted request verified against the model, or (effect unknown) read back" \
		is "$(($(field $d verified) + $(field $d unverifiable)))" "$(field $d accepted)"
	check "$d: at least 70% of the accepted requests verified against the model" \
		at_least "$(field $d verified)" $(($(field $d accepted) * 7 / 10))
	check "$d: at least 1% were requests that must be refused (attributes twice, services interleaved), none accepted" \
		at_least "$(field $d must_refuse)" $((FUZZ_COUNT / 100))
	check "$d: at least 10% of the requests were accepted (the fuzzer reaches the commands)" \
		at_least "$(field $d accepted)" $((FUZZ_COUNT / 10))
	check "$d: at least 10% were refused" \
		at_least "$((FUZZ_COUNT - $(field $d accepted)))" $((FUZZ_COUNT / 10))
done
check "the fuzzers exited cleanly" is "$rc0 $rc1" "0 0"
if [ ${#kcov0[@]} -gt 0 ]; then
	cov=$(python3 $fuzz --coverage "$out/pcs0" "$out/pcs1")
	points=$(objdump -dr "/lib/modules/$(uname -r)/updates/svcnet.ko" |
		grep -c '__sanitizer_cov_trace_pc')
	echo "# coverage (KCOV): $cov, of $points coverage points in svcnet.ko"
	check "KCOV: the fuzzers reached svcnet code (guided by coverage)" \
		test "$(jq .pcs <<<"$cov")" -gt 0
fi
check "the devices still answer: show, service show, config" \
	sh -c 'svcnet show fza0 && svcnet service show qxb7 && svcnet config'
check "the unrelated device dump0 has no service" \
	is "$(svcnet -j service show dump0 | jq length)" 0

rc=0
python3 $fuzz --dumps dump0 "$DUMP_SERVICES" "$DUMP_ABANDON" >"$out/dumps" || rc=$?
sed 's/^/# /' "$out/dumps"
check "dumps: $DUMP_SERVICES services dumped in several parts" \
	at_least "$(field dumps dump_parts)" 2
check "dumps: a change during a dump is flagged NLM_F_DUMP_INTR" \
	at_least "$(field dumps intr_flagged)" 1
check "dumps: $DUMP_ABANDON dumps abandoned half way leave the state intact" \
	is "$(field dumps state_ok) $rc" "true 0"
ip link del dump0
ip link del fza0
ip link del qxb7
check "after deleting the devices svcnet unloads" rmmod svcnet
rm -rf "$out"
suite_end
