#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The service, backend, flow and config commands as an operator meets
# them: clear errors, refused requests change nothing, privileges, routes
# added and removed with services, large dumps, namespaces kept apart.
#
#   init namespace                         namespace api-b
#   +-----------------------------------+  +----------------------+
#   | svc0 (up)   svc1 (down)           |  | svc0                 |
#   | 10.96.1.0/24 -> svc0 (user route) |  |                      |
#   +-----------------------------------+  +----------------------+
. "$(dirname "$0")/../lib.sh"

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
n_services() { svcnet -j service show svc0 | jq length; }
snapshot() { svcnet -j service show; svcnet -j config; }

modprobe svcnet
netns_add api-b
ip link add svc0 type svcnet
ip link set svc0 up
ip link add svc1 type svcnet
ip -n api-b link add svc0 type svcnet

svcnet service add svc0 tcp 10.96.0.10:80
svcnet backend add svc0 tcp 10.96.0.10:80 10.0.0.2:80
before=$(snapshot)

# --- refused requests change nothing ---------------------------------------
check_fails "adding an existing service: EEXIST" 1 "the service exists" \
	svcnet service add svc0 tcp 10.96.0.10:80
check_fails "Maglev size not prime: refused by the kernel" 1 "must be prime" \
	svcnet service add svc0 tcp 10.96.0.11:80 sched maglev maglev-size 1000
check_fails "Maglev size out of range: the attribute is named" 1 \
	"SVCNET_A_SVC_MAGLEV_SIZE|out of range" \
	svcnet service add svc0 tcp 10.96.0.11:80 maglev-size 100
check_fails "unknown scheduler: usage error" 2 "unknown scheduler" \
	svcnet service add svc0 tcp 10.96.0.11:80 sched fastest
check_fails "port 0: usage error" 2 "not ADDR:PORT" \
	svcnet service add svc0 tcp 10.96.0.11:0
check_fails "protocol sctp: usage error" 2 "not a protocol" \
	svcnet service add svc0 sctp 10.96.0.11:80
check_fails "service on a non-svcnet device: EOPNOTSUPP" 1 \
	"not an svcnet device" svcnet service add lo tcp 10.96.0.11:80
check_fails "service on a missing device: ENODEV" 1 "no such device" \
	svcnet service add nosuch0 tcp 10.96.0.11:80
check_fails "backend for a missing service: ENOENT" 1 "no such service" \
	svcnet backend add svc0 tcp 10.96.0.99:80 10.0.0.2:80
check_fails "backend of the other family: usage error" 2 "family" \
	svcnet backend add svc0 tcp 10.96.0.10:80 '[fd00::2]:80'
check_fails "multicast backend: refused, not a unicast address" 1 \
	"not a unicast address" \
	svcnet backend add svc0 tcp 10.96.0.10:80 224.0.0.1:80
check_fails "service at the limited broadcast address: refused" 1 \
	"not a unicast address" svcnet service add svc0 udp 255.255.255.255:53
check_fails "IPv6 service at the unspecified address: refused" 1 \
	"not a unicast address" svcnet service add svc0 tcp '[::]:80' no-route
check_fails "IPv6 link-local service (svc0 never balances those): refused" 1 \
	"not a unicast address" svcnet service add svc0 tcp '[fe80::1]:80' no-route
check_fails "existing backend: EEXIST" 1 "the backend exists" \
	svcnet backend add svc0 tcp 10.96.0.10:80 10.0.0.2:80
check_fails "weight above 65535: usage error" 2 "not a weight" \
	svcnet backend set svc0 tcp 10.96.0.10:80 10.0.0.2:80 weight 65536
check_fails "missing backend: ENOENT" 1 "no such backend" \
	svcnet backend del svc0 tcp 10.96.0.10:80 10.0.0.3:80
check_fails "config with a zero timeout: usage error" 2 "not in 1" \
	svcnet config set udp-timeout 0
check_fails "service add on a down device: the route fails, nothing stays" 1 \
	"." svcnet service add svc1 tcp 10.96.0.12:80
check "after every refusal, services and config are unchanged" \
	is "$(snapshot)" "$before"
check "the service refused on svc1 was undone" \
	is "$(svcnet -j service show svc1)" "[]"

# --- privileges --------------------------------------------------------------
check_fails "unprivileged service add: EPERM" 1 "Operation not permitted" \
	unpriv svcnet service add svc0 tcp 10.96.0.13:80 no-route
check_fails "unprivileged backend del: EPERM" 1 "Operation not permitted" \
	unpriv svcnet backend del svc0 tcp 10.96.0.10:80 10.0.0.2:80
check_fails "unprivileged flow flush: EPERM" 1 "Operation not permitted" \
	unpriv svcnet flow flush
check_fails "unprivileged config set: EPERM" 1 "Operation not permitted" \
	unpriv svcnet config set flow-max 10
check "unprivileged users may read services and config" \
	unpriv sh -c 'svcnet service show && svcnet config'
check_fails "unprivileged users may not read flows (who talks to whom): EPERM" 1 \
	"Operation not permitted" unpriv svcnet flow show
check "nothing changed after the unprivileged attempts" \
	is "$(snapshot)" "$before"
check "root of a user namespace administers its own network namespace" \
	unpriv unshare -Urn sh -c 'ip link add s0 type svcnet && ip link set s0 up &&
		svcnet service add s0 tcp 10.96.0.1:80 &&
		svcnet backend add s0 tcp 10.96.0.1:80 10.0.0.2:80 &&
		svcnet config set flow-max 5'
check "and the host's namespace does not see it" \
	is "$(svcnet -j config | jq '."flow-max"')" 262144

# --- routes --------------------------------------------------------------------
check "service add routes the address into the device" \
	sh -c "ip route show 10.96.0.10 | grep -q 'dev svc0 proto 83'"
svcnet service add svc0 udp 10.96.0.10:53
check "a second service on the address shares the route" \
	is "$(ip route show 10.96.0.10 | wc -l)" 1
svcnet service del svc0 udp 10.96.0.10:53
check "deleting one of two services on the address keeps the route" \
	sh -c "ip route show 10.96.0.10 | grep -q 'dev svc0 proto 83'"
ip route add 10.96.1.0/24 dev svc0
svcnet service add svc0 tcp 10.96.1.5:443
check "an address already routed into the device gets no extra route" \
	is "$(ip route show 10.96.1.5)" ""
svcnet service del svc0 tcp 10.96.1.5:443
check "deleting that service leaves the user's route alone" \
	sh -c "ip route show 10.96.1.0/24 | grep -q 'dev svc0'"
svcnet service add svc0 tcp 10.96.0.14:80 no-route
check "no-route adds no route" is "$(ip route show 10.96.0.14)" ""

# --- set, show, large services ---------------------------------------------------
svcnet service set svc0 tcp 10.96.0.10:80 sched maglev maglev-size 251
check "service set changes the scheduler and table size" \
	is "$(svcnet -j service show svc0 | jq -r '.[] | select(.port == 80 and .address == "10.96.0.10") | "\(.scheduler) \(.maglev_size)"')" \
	"maglev 251"
svcnet backend set svc0 tcp 10.96.0.10:80 10.0.0.2:80 weight 0
check "weight 0 is kept and shown" \
	is "$(svcnet -j service show svc0 | jq '[.[].backends[]] | .[0].weight')" 0
svcnet service add svc0 tcp '[fd00:96::10]:80' sched sh
check "IPv6 services are shown as such" \
	is "$(svcnet service show svc0 | grep -c 'tcp \[fd00:96::10\]:80 sched sh')" 1
svcnet service add svc0 udp 10.96.0.20:53 no-route
# (one request: 600 runs of the tool cost a minute on the debug kernel)
svcnet service set svc0 udp 10.96.0.20:53 backends "$(for i in $(seq 1 600); do
	echo "10.1.$((i / 250)).$((i % 250 + 1)):53"
done | paste -sd,)"
check "a service with 600 backends is dumped whole (several messages)" \
	is "$(svcnet -j service show svc0 | jq '.[] | select(.port == 53) | .backends | length')" 600
check "a new service counts no connections" \
	is "$(svcnet -j -s service show svc0 | jq '.[] | select(.port == 53) | .stats.connections')" 0

# --- config ------------------------------------------------------------------------
svcnet config set flow-max 1000 udp-timeout 7
check "config set changes only what it names" \
	is "$(svcnet -j config | jq -c '[."flow-max", ."udp-timeout", ."tcp-timeout"]')" "[1000,7,900]"
check "config is per namespace" \
	is "$(ip netns exec api-b svcnet -j config | jq '."flow-max"')" 262144

# --- namespaces -----------------------------------------------------------------
check "services of another namespace are invisible" \
	is "$(ip netns exec api-b svcnet -j service show)" "[]"
ip netns exec api-b svcnet service add svc0 tcp 10.96.0.10:80 no-route
check "the same service key may exist in two namespaces" \
	is "$(ip netns exec api-b svcnet -j service show | jq length)" 1

# --- help ------------------------------------------------------------------------
options_continue() { # the OPTIONS list's second line follows its first
	svcnet service --help | awk '/^OPTIONS := / { getline n; exit n !~ /^  \[policy / }'
}
check "service --help: the OPTIONS list is not broken by other definitions" \
	options_continue

# --- teardown ----------------------------------------------------------------------
check "deleting the device removes its services and their routes" \
	sh -c "ip link del svc0 && ! ip route show 10.96.0.10 | grep -q . &&
	       svcnet -j service show | jq -e 'length == 0'"
ip netns del api-b
NETNS_CREATED=()
ip link del svc1
suite_end
