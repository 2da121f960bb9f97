#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile netlink requests made by hand, each once (tests/e2e/nlabuse.py):
# attributes given twice at every level of every command (the count of an
# array and its parse must never disagree), nests whose entries disagree
# with what comes before, APPLY continuations. Every case is sent as root
# and again by the root of an unprivileged user namespace (nobody's),
# which owns a network namespace with a device of its own.
#
#   init namespace                    user namespace (nobody) + its netns
#   +----------------------------+    +----------------------------+
#   | abuse0 (up) <- nlabuse.py  |    | abuse0 (up) <- nlabuse.py  |
#   +----------------------------+    +----------------------------+
. "$(dirname "$0")/../lib.sh"

TMPD=$(mktemp -d)
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

# one TAP line per case of a nlabuse.py run's JSON
cases() {
	local who=$1 json=$2 name value
	while IFS=$'\t' read -r name value; do
		check "$who: $name" is "$value" ok
	done <<<"$(jq -r 'to_entries[] | "\(.key)\t\(.value)"' "$json")"
}

modprobe svcnet
ip link add abuse0 type svcnet
ip link set abuse0 up
python3 "$(py nlabuse)" abuse0 >"$TMPD/root.json" || true
check "as root: nlabuse.py ran all its cases" test -s "$TMPD/root.json"
cases root "$TMPD/root.json"
check "as root: the device still answers" userspace-tools/svcnet show abuse0
ip link del abuse0

cat >"$TMPD/userns.sh" <<'EOS'
set -e
ip link add abuse0 type svcnet
ip link set abuse0 up
python3 tests/e2e/nlabuse.py abuse0 >"$1/userns.json" || true
userspace-tools/svcnet show abuse0 >/dev/null
EOS
chmod 755 "$TMPD" "$TMPD/userns.sh"
chmod 777 "$TMPD"
check "as nobody in its own user and network namespace: the cases ran" \
	unpriv unshare -Urn bash "$TMPD/userns.sh" "$TMPD"
check "as nobody: as many cases as root" \
	is "$(jq length "$TMPD/userns.json")" "$(jq length "$TMPD/root.json")"
cases "nobody's namespace" "$TMPD/userns.json"
rm -rf "$TMPD"
check "after the abuse svcnet unloads (namespaces gone)" wait_for 30 rmmod svcnet
suite_end
