#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Privilege and namespace isolation, command by command: without
# CAP_NET_ADMIN every mutation is refused with EPERM and changes nothing;
# the root of an unprivileged user namespace runs svcnet, traffic
# included, in the network namespace it owns and sees nothing else;
# another namespace cannot reach this one's device, services or flows.
#
#   init namespace                      user namespace (nobody) + its netns
#   +-------------------------------+   +---------------------------------+
#   | svc0: 10.96.0.1:80 ->         |   | svc0: 10.96.0.1:80 -> 10.1.0.2  |
#   |       10.0.1.2:8080 (no-route)|   | d0 10.1.0.2: backend "ux"       |
#   | nobody: every command once    |   | client: 3 connections           |
#   +-------------------------------+   +---------------------------------+
#   namespace pv-b (root, no svcnet device): commands naming svc0's ifindex
. "$(dirname "$0")/../lib.sh"

svcnet=userspace-tools/svcnet
TMPD=$(mktemp -d)
perm="python3 tests/e2e/nlperm.py"
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
state() { $svcnet save svc0; $svcnet -j config; $svcnet -j show svc0; }

modprobe svcnet
ip link add svc0 type svcnet
ip link set svc0 up
$svcnet service add svc0 tcp 10.96.0.1:80 no-route
$svcnet backend add svc0 tcp 10.96.0.1:80 10.0.1.2:8080
before=$(state)

# --- without CAP_NET_ADMIN -------------------------------------------------------
res=$(unpriv $perm svc0)
echo "# unprivileged: $res"
for c in SERVICE_NEW SERVICE_SET SERVICE_DEL BACKEND_NEW BACKEND_SET BACKEND_DEL \
	FLOW_DEL FLOW_FLUSH CONFIG_SET APPLY FLOW_GET DEV_SET; do
	check "unprivileged $c: EPERM" is "$(jq -r ".$c" <<<"$res")" EPERM
done
check "unprivileged reads of configuration are allowed: DEV_GET, SERVICE_GET, CONFIG_GET" \
	is "$(jq -c '[.DEV_GET, .SERVICE_GET, .CONFIG_GET]' <<<"$res")" \
	'["OK","OK","OK"]'
check_fails "unprivileged: joining the events group is refused" 1 \
	"cannot join the events group: Operation not permitted" unpriv timeout 10 $svcnet monitor
check "unprivileged: the device's hash key is not shown (root's save has it, nobody's not)" \
	is "$($svcnet save svc0 | grep -c '^hash-key') $(unpriv $svcnet save svc0 | grep -c '^hash-key' || true)" \
	"1 0"
check "after the refused mutations nothing changed (services, config, generation)" \
	is "$(state)" "$before"
check_fails "the tool as nobody: exit status 1, \"Operation not permitted\"" 1 \
	"Operation not permitted" unpriv $svcnet service del svc0 tcp 10.96.0.1:80

# --- an unprivileged user namespace with its own network namespace ------------------
cat >"$TMPD/userns.sh" <<'EOS'
set -e
ip link set lo up
ip link add d0 type dummy
ip addr add 10.1.0.2/24 dev d0
ip link set d0 up
ip link add svc0 type svcnet
ip link set svc0 up
python3 -S tests/e2e/lbtool.py serve ux 8080 >"$1/ux.log" 2>&1 &
srv=$!
for i in $(seq 100); do grep -q serving "$1/ux.log" && break; sleep 0.1; done
svcnet=userspace-tools/svcnet
TMPD=$(mktemp -d)
$svcnet service add svc0 tcp 10.96.0.1:80
$svcnet backend add svc0 tcp 10.96.0.1:80 10.1.0.2:8080
python3 -S tests/e2e/lbtool.py hits 10.96.0.1 80 3 >"$1/hits.json"
$svcnet -j service show >"$1/services.json"
$svcnet -j flow show >"$1/flows.json"
python3 tests/e2e/nlperm.py svc0 >"$1/perm.json"
kill $srv
EOS
chmod 755 "$TMPD" "$TMPD/userns.sh"
chmod 777 "$TMPD"
check "as nobody in a new user namespace: svcnet device, service, backend, traffic" \
	unpriv unshare -Urn bash "$TMPD/userns.sh" "$TMPD"
check "its clients were balanced to its backend" \
	is "$(jq -c . "$TMPD/hits.json")" '{"ux":3}'
check "it sees its own service only" \
	is "$(jq -c '[.[] | .address]' "$TMPD/services.json")" '["10.96.0.1"]'
check "and its own flows only" \
	is "$(jq -c '[.[] | .backend] | unique' "$TMPD/flows.json")" '["10.1.0.2"]'
check "its root may change its own namespace's configuration" \
	is "$(jq -c '[.SERVICE_NEW, .CONFIG_SET, .FLOW_FLUSH]' "$TMPD/perm.json")" '["OK","OK","OK"]'
check "the host's services, config and device are untouched by it" \
	is "$(state)" "$before"

# --- another namespace cannot reach this one's device ------------------------------
netns_add pv-b
idx=$(cat /sys/class/net/svc0/ifindex)
res=$(ip netns exec pv-b $perm --ifindex "$idx")
echo "# from pv-b, svc0's ifindex $idx: $res"
check "from another namespace, every device command naming svc0's ifindex: ENODEV" \
	is "$(jq -c '[del(.CONFIG_GET, .CONFIG_SET, .FLOW_DEL) | .[] | select(. != "ENODEV")]' <<<"$res")" '[]'
check "a flow of this namespace deleted from there: ENOENT (flows are per namespace)" \
	is "$(jq -r .FLOW_DEL <<<"$res")" ENOENT
check "its dumps show none of this namespace's services or flows" \
	sh -c "ip netns exec pv-b $svcnet -j service show | jq -e 'length == 0' &&
	       ip netns exec pv-b $svcnet -j flow show | jq -e 'length == 0'"
check "and this namespace is unchanged" is "$(state)" "$before"
ip link del svc0
rm -rf "$TMPD"
suite_end
