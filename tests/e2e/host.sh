#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# svcnet on a host: the systemd unit svcnet@.service, installed by the
# tool's 'make install' into a scratch root (the tool and the
# configuration directory there), verified by systemd-analyze, and its
# commands run as its file states them (ExecStartPre, ExecStart,
# ExecReload, ExecStopPost, which systemd runs after a stop and after a
# failed start; %i = svc0); bash completion, driven as bash drives it.
#
#            namespace hs-cl 10.0.9.2 (forwarded client)
#                   |
#   +---------------+-------------------------------------------------+
#   | host   svc0, made by the unit from svc0.conf:                    |
#   |        tcp 10.96.0.1:80 -> be1, be2;  udp 10.96.0.1:53 -> be1;    |
#   |        udp [fd00:96::1]:53 -> be1                                 |
#   +------+----------------+----------------+------------------------+
#       hs-be1 10.0.1.2     hs-be2 10.0.2.2     hs-be3 10.0.3.2 (:8080)
. "$(dirname "$0")/../lib.sh"
TOPO=hs
. "$(dirname "$0")/../lb-topology.sh"

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
root=$TMPD/root
unit=$root/unit/svcnet@.service
conf=$root/etc/svcnet/svc0.conf

# unit_run KEY...: the unit's lines of each KEY, in order, as systemd runs
# them: one command a line, %i the instance, /bin/sh -c lines quoted as
# the shell reads them
unit_run() {
	local key line lines
	for key; do
		lines=$(grep "^$key=" "$unit") || { echo "the unit has no $key="; return 1; }
		while IFS= read -r line; do
			line=${line#"$key"=}
			echo "# $key: ${line//%i/svc0}"
			eval "${line//%i/svc0}" || return 1
		done <<<"$lines"
	done
}
same_as_file() { # the running services are those of $conf
	# (save adds the device's hash-key, random unless the file sets one)
	[ "$($svcnet save svc0 | grep -v '^#\|^hash-key')" = "$(grep -v '^#' "$conf")" ] ||
		{ $svcnet save svc0; cat "$conf"; return 1; }
}
svc0_gone() { ! ip link show svc0 >/dev/null 2>&1; }

modprobe svcnet
lb_topology
ip link del svc0
make -s -C userspace-tools install DESTDIR= SBINDIR="$root/sbin" \
	MANDIR="$root/man" UNITDIR="$root/unit" COMPLETIONDIR="$root/completion" \
	SYSCONFDIR="$root/etc" >/dev/null
ln -s 'svcnet@.service' "$root/unit/svcnet@svc0.service"
check "unit: systemd-analyze verify finds nothing to say" \
	is "$(MANPATH=$root/man systemd-analyze verify "$root/unit/svcnet@svc0.service" 2>&1)" ""

cat >"$conf" <<EOF
dev svc0
service tcp $VIP:80 sched rr
  backend 10.0.1.2:8080 weight 1
  backend 10.0.2.2:8080 weight 1
service udp $VIP:53 sched rr
  backend 10.0.1.2:8080 weight 1
service udp [$VIP6]:53 sched rr
  backend [fd00:1::2]:8080 weight 1
EOF

# --- start ---------------------------------------------------------------------
check "unit start: ExecStartPre and ExecStart run in order" \
	unit_run ExecStartPre ExecStart
check "unit start: svc0 exists and is up" \
	bash -c "ip -o link show svc0 | grep -q ',UP'"
check "unit start: the running services are the file's (svcnet save)" same_as_file
answers() { # four connections to the TCP service, each answered by be1 or be2
	local out
	out=$(ip netns exec hs-cl $LB hits $VIP 80 4) && [ -n "$out" ] &&
		jq -e '.be1 + .be2 == 4' <<<"$out"
}
check "unit start: the service answers" answers
flows_of_tcp() { # active open closing of the TCP service, JSON and text
	$svcnet -j -s service show svc0 |
		jq -r '.[] | select(.protocol == "tcp") | .stats | "\(.active) \(.open) \(.closing)"'
	$svcnet -s service show svc0 | grep -m1 -o 'flows [0-9]*: open [0-9]* closing [0-9]*'
}
tcp_flows_closed() {
	is "$(flows_of_tcp | paste -sd' ')" "4 0 4 flows 4: open 0 closing 4"
}
tcp_flows_settle() { wait_for 10 tcp_flows_closed || tcp_flows_closed; }
check "service show -s: closed connections' flows count as closing, not open" \
	tcp_flows_settle

# --- reload: only what changed changes ---------------------------------------------
ip netns exec hs-cl $LB hold $VIP 80 2 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
$svcnet -j monitor >>"$TMPD/events" &
mon=$!
PIDS+=("$mon")
wait_for 20 monitor_probe "$TMPD/events"
: >"$TMPD/events"
sed -i '6a\  backend 10.0.3.2:8080 weight 1' "$conf"	# the UDP service's
check "unit reload: ExecReload applies the edited file" unit_run ExecReload
check "unit reload: the running services are the edited file's" same_as_file
wait_for 20 monitor_probe "$TMPD/events"
check "unit reload: events only for what changed (the UDP service's new backend)" \
	is "$(jq -r 'select(.address != "10.96.9.9") | "\(.event) \(.protocol) \(.backend.address)"' \
		"$TMPD/events")" "backend add udp 10.0.3.2"
touch "$TMPD/go"
wait "$held"
check "unit reload: connections of the unchanged service live on" \
	json_eq "$(jq -c '.ok | sort' "$TMPD/hold.out")" '["be1","be2"]'

# --- a broken file changes nothing ------------------------------------------------
cp "$conf" "$TMPD/good.conf"
echo "service tcp $VIP:81 sched fastest" >>"$conf"
check_fails "unit reload of a broken file: fails, naming the file's line" 1 \
	"svc0.conf:10" unit_run ExecReload
cp "$TMPD/good.conf" "$conf"
check "unit reload of a broken file: nothing changed" same_as_file

# --- stop ----------------------------------------------------------------------
stop_removes() { unit_run ExecStopPost && svc0_gone; }
check "unit stop: removes the device the unit created" stop_removes
cp "$conf" "$TMPD/good.conf"
echo "service tcp $VIP:81 sched fastest" >>"$conf"
failed_start() { # a start that fails, then ExecStopPost as systemd runs it
	! unit_run ExecStartPre ExecStart && unit_run ExecStopPost && svc0_gone
}
check "unit start with a broken file: fails, and leaves no device behind" failed_start
cp "$TMPD/good.conf" "$conf"
ip link add svc0 type svcnet
stop_keeps() { unit_run ExecStartPre ExecStart ExecStopPost && ! svc0_gone; }
check "unit start, stop: a device the unit did not create stays" stop_keeps

# --- bash completion ----------------------------------------------------------------
# completions LINE: what bash completion offers at the end of LINE, sorted
completions() {
	bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1/completion/svcnet"
		PATH=$1/sbin:$PATH
		COMP_LINE=$2 COMP_POINT=${#2}
		# words as bash splits them for completion: at blanks, and
		# around each run of ":" (a word break character)
		read -ra COMP_WORDS <<<"$(sed -E "s/:+/ & /g" <<<"$2")"
		[ "${2: -1}" != " " ] || COMP_WORDS+=("")
		[[ $2 != *: ]] || COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_svcnet svcnet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "
	' completions "$root" "$1"
}
check "completion: the commands, from the tool's help" \
	is "$(completions 'svcnet ')" \
	"apply backend config flow help metrics monitor save service set show"
check "completion: service's words, from its help" \
	is "$(completions 'svcnet service ')" "add del set show"
check "completion: device names, from the kernel" \
	is "$(completions 'svcnet show s')" "svc0"
check "completion: a service's address, from the kernel" \
	is "$(completions 'svcnet backend del svc0 tcp ')" "$VIP:80"
check "completion: a service's backends, from the kernel" \
	is "$(completions "svcnet backend set svc0 tcp $VIP:80 ")" "10.0.1.2:8080 10.0.2.2:8080"
check "completion: after a colon, the rest of the address (as readline replaces it)" \
	is "$(completions 'svcnet backend del svc0 tcp 10.96.0.1:')" "80"
check "completion: an IPv6 service's port after its brackets" \
	is "$(completions "svcnet backend del svc0 udp [$VIP6]:")" "53"
