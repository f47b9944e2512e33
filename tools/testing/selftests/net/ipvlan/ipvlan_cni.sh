#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CNI ipvlan plugin (Debian's containernetworking-plugins) driven as a
# container runtime drives it: ADD, CHECK and DEL for two containers on one
# master, in l2, l3 and l3s, with the static and the host-local IPAM.  The
# plugin runs in the host's namespace and is given the container's
# namespace as a path; the containers then ping each other and the router
# behind the master.  Skipped when the plugins are not installed
# (CNI_PATH, default /usr/lib/cni, must hold ipvlan, static, host-local).
#
#   +--- ns0 (container) ----+  +--- ns1 (container) ----+
#   |  eth0: made by the CNI |  |  eth0: made by the CNI |
#   |  plugin, type ipvlan   |  |  plugin, type ipvlan   |
#   +-----------#------------+  +-----------#------------+
#               ############ slaves of ######
#   +-----------#--- host ---+           +---- router ---+     +--- far ----+
#   |  eth0 192.0.2.1        |===========| eth0 .254     |-----| 203.0.113.1|
#   |  runs $CNI_PATH/ipvlan |   veth    | routes the l3 |     +------------+
#   +------------------------+           | subnet via    |
#                                        | 192.0.2.1     |
#                                        +---------------+
#
# l2 containers get 192.0.2.0/24 and 2001:db8:1::/64 with the router as
# gateway; l3 and l3s containers get 198.51.100.0/24 and 2001:db8:2::/64,
# routed by the host (see topo.sh).  host-local keeps its state in a
# temporary directory, never in /var/lib/cni.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
far="" host="" ns0="" ns1="" router=""

CNI_PATH=${CNI_PATH:-/usr/lib/cni}
CNI_VERSION=1.0.0

require_root
require_cmd ip ping jq
for plugin in ipvlan static host-local; do
	[ -x "$CNI_PATH/$plugin" ] ||
		skip_all "needs the CNI plugin $CNI_PATH/$plugin (containernetworking-plugins)"
done

CNI_TMP=$(mktemp -d)
trap 'rm -rf "$CNI_TMP"; lib_cleanup' EXIT

# cni COMMAND NS CONFIG: run the ipvlan plugin in the host's namespace for
# the container NS, the configuration on stdin; prints the plugin's answer.
cni() {
	ip netns exec "$host" env CNI_COMMAND="$1" CNI_CONTAINERID="ctr-$2" \
		CNI_NETNS="/run/netns/$2" CNI_IFNAME=eth0 CNI_PATH="$CNI_PATH" \
		"$CNI_PATH/ipvlan" <<<"$3"
}

# cni_ipam MODE IPAM I: the IPAM section for container I.
cni_ipam() {
	local mode=$1
	local ipam=$2
	local i=$3
	local a4 a6 gw4 gw6 net4

	a4=$(topo_addr4 "$mode" $((10 + i)))/24
	a6=$(topo_addr6 "$mode" $((10 + i)))/64
	if [ "$mode" = l2 ]; then
		gw4=192.0.2.254
		gw6=2001:db8:1::254
	fi
	net4=$(topo_addr4 "$mode" 0)/24
	case "$ipam" in
	static)
		# l3 slaves have no gateway: their routes point at the device
		jq -nc --arg a4 "$a4" --arg a6 "$a6" --arg gw4 "${gw4:-}" \
			--arg gw6 "${gw6:-}" '{
			type: "static",
			addresses: [
				{address: $a4} + (if $gw4 != "" then {gateway: $gw4} else {} end),
				{address: $a6} + (if $gw6 != "" then {gateway: $gw6} else {} end)
			],
			routes: [{dst: "0.0.0.0/0"}, {dst: "::/0"}]
		}'
		;;
	host-local)
		jq -nc --arg dir "$CNI_DATA" --arg net "$net4" \
			--arg first "$(topo_addr4 "$mode" 100)" \
			--arg last "$(topo_addr4 "$mode" 199)" --arg gw4 "${gw4:-}" '{
			type: "host-local",
			dataDir: $dir,
			ranges: [[{subnet: $net, rangeStart: $first, rangeEnd: $last}
				  + (if $gw4 != "" then {gateway: $gw4} else {} end)]],
			routes: [{dst: "0.0.0.0/0"}]
		}'
		;;
	esac
}

# cni_conf MODE IPAM I: the network configuration for container I.
cni_conf() {
	jq -nc --arg v "$CNI_VERSION" --arg mode "$1" \
		--argjson ipam "$(cni_ipam "$@")" '{
		cniVersion: $v, name: "ipvl-cni", type: "ipvlan",
		master: "eth0", mode: $mode, ipam: $ipam
	}'
}

# with_prev CONFIG RESULT: CONFIG for CHECK, ADD's result as prevResult.
with_prev() {
	jq -c --argjson r "$2" '. + {prevResult: $r}' <<<"$1"
}

# result_addr RESULT 4|6: the container's address of that family.
result_addr() {
	jq -r --argjson v6 "$([ "$2" = 6 ] && echo true || echo false)" \
		'.ips[].address | select(contains(":") == $v6)' <<<"$1" |
		head -n 1 | cut -d/ -f1
}

# cni_add NS CONFIG: ADD, check the result and the link, then CHECK.
# Sets RESULT.
cni_add() {
	local ns=$1
	local conf=$2
	local mode mac

	RESULT=$(cni ADD "$ns" "$conf") || fail "ADD for $ns said: $RESULT"
	mode=$(jq -r .mode <<<"$conf")
	mac=$(ip netns exec "$host" cat /sys/class/net/eth0/address)
	expect_eq "ADD result's interface" \
		"$(jq -c '.interfaces[0] | [.name, .sandbox, .mac]' <<<"$RESULT")" \
		"[\"eth0\",\"/run/netns/$ns\",\"$mac\"]"
	expect_eq "$ns eth0 as the kernel shows it" \
		"$(ip -n "$ns" -j -d link show eth0 |
		   jq -c '.[0].linkinfo | [.info_kind, .info_data.mode]')" \
		"[\"ipvlan\",\"$mode\"]"
	ip -n "$ns" -o addr show dev eth0 | grep -qF " $(result_addr "$RESULT" 4)/" ||
		fail "$ns eth0 lacks $(result_addr "$RESULT" 4): $(ip -n "$ns" -o addr show dev eth0)"
	cni CHECK "$ns" "$(with_prev "$conf" "$RESULT")" ||
		fail "CHECK right after ADD failed for $ns"
}

# cni_del NS CONFIG RESULT: DEL removes the link, a second DEL is fine
# (runtimes repeat it), and a CHECK afterwards fails.
cni_del() {
	local ns=$1
	local out

	out=$(cni DEL "$ns" "$2") || fail "DEL for $ns said: $out"
	if ip -n "$ns" link show eth0 >/dev/null 2>&1; then
		fail "eth0 still in $ns after DEL: $(ip -n "$ns" link show eth0)"
	fi
	out=$(cni DEL "$ns" "$2") || fail "second DEL for $ns said: $out"
	if out=$(cni CHECK "$ns" "$(with_prev "$2" "$3")"); then
		fail "CHECK after DEL succeeded for $ns"
	fi
}

# host_local_leases: the addresses host-local holds in its data dir.
host_local_leases() {
	find "$CNI_DATA" -type f ! -name lock ! -name 'last_reserved_ip*' \
		-printf '%f\n' 2>/dev/null | sort
}

# containers_reach MODE A0 A1: the containers at A0 and A1 reach each
# other and the router; in L3 also the far host, through the host.
containers_reach() {
	local mode=$1 a0=$2 a1=$3

	ping_ok "$ns0" "$a1"
	ping_ok "$ns1" "$a0"
	ping_ok "$ns0" 192.0.2.254
	ping_ok "$router" "$a1"
	if [ "$mode" != l2 ]; then
		ping_ok "$ns0" 203.0.113.1
		ping_ok "$far" "$a1"
	fi
}

# ADD and CHECK two containers, traffic between them and to the router's
# side, DEL both.
test_cycle() {
	local mode=$1
	local ipam=$2
	local conf0 conf1 res0 res1 a0 a1

	topo_setup
	CNI_DATA=$(mktemp -d "$CNI_TMP/data.XXXXXX")
	conf0=$(cni_conf "$mode" "$ipam" 0)
	conf1=$(cni_conf "$mode" "$ipam" 1)
	cni_add "$ns0" "$conf0"
	res0=$RESULT
	cni_add "$ns1" "$conf1"
	res1=$RESULT
	a0=$(result_addr "$res0" 4)
	a1=$(result_addr "$res1" 4)
	[ "$a0" != "$a1" ] || fail "both containers got $a0"
	if [ "$ipam" = host-local ]; then
		expect_eq "host-local leases" "$(host_local_leases | xargs)" \
			"$(printf '%s\n' "$a0" "$a1" | sort | xargs)"
	fi

	containers_reach "$mode" "$a0" "$a1"
	if [ "$ipam" = static ]; then
		ping_ok "$ns0" "$(result_addr "$res1" 6)"
		ping_ok "$ns1" "$(topo_addr6 l2 254)"
	fi

	cni_del "$ns0" "$conf0" "$res0"
	ping_fails "$ns1" "$a0"
	cni_del "$ns1" "$conf1" "$res1"
	if [ "$ipam" = host-local ]; then
		expect_eq "host-local leases after DEL" "$(host_local_leases | xargs)" ""
	fi
	expect_eq "ipvlan links in the host" "$(link_count "$host")" 0
}

# The mode is read back over rtnetlink by CHECK: a slave whose port was
# switched to another mode behind the plugin's back fails CHECK, and
# passes again once switched back.
test_check_mode() {
	local conf out

	topo_setup
	CNI_DATA=$(mktemp -d "$CNI_TMP/data.XXXXXX")
	conf=$(cni_conf l2 static 0)
	cni_add "$ns0" "$conf"
	ip -n "$ns0" link set eth0 type ipvlan mode l3
	if out=$(cni CHECK "$ns0" "$(with_prev "$conf" "$RESULT")"); then
		fail "CHECK of an l2 network passed on a slave in l3"
	fi
	echo "$out" | grep -qi mode || fail "CHECK failed without naming the mode: $out"
	ip -n "$ns0" link set eth0 type ipvlan mode l2
	cni CHECK "$ns0" "$(with_prev "$conf" "$RESULT")" ||
		fail "CHECK failed once the mode was back to l2"
	cni_del "$ns0" "$conf" "$RESULT"
}

# readd NS CONFIG: a fresh ADD succeeds (sets RESULT).
readd() {
	RESULT=$(cni ADD "$1" "$2")
}

# A runtime that lost its container: the namespace is deleted before DEL.
# The slave dies with it, its address is free for the next container on
# the same master, and the late DEL succeeds.
test_netns_gone() {
	local conf out ns2

	topo_setup
	CNI_DATA=$(mktemp -d "$CNI_TMP/data.XXXXXX")
	conf=$(cni_conf l3 static 0)
	cni_add "$ns0" "$conf"
	ping_ok "$ns0" 192.0.2.254
	ip netns del "$ns0"
	out=$(cni DEL "$ns0" "$conf") ||
		fail "DEL after the namespace was deleted said: $out"
	make_ns ns2
	# the namespace is torn down asynchronously: until then the old
	# slave still owns the address and a new ADD may be refused
	wait_for readd "$ns2" "$conf"
	cni CHECK "$ns2" "$(with_prev "$conf" "$RESULT")" ||
		fail "CHECK of the re-added container failed: $RESULT"
	ping_ok "$ns2" 192.0.2.254
	ping_ok "$router" "$(topo_addr4 l3 10)"
	cni_del "$ns2" "$conf" "$RESULT"
}

ALL_TESTS=(
	"test_cycle l2 static|l2, static IPAM: ADD, CHECK, containers ping, DEL"
	"test_cycle l2 host-local|l2, host-local IPAM: ADD, CHECK, containers ping, DEL"
	"test_cycle l3 static|l3, static IPAM: ADD, CHECK, containers ping, DEL"
	"test_cycle l3 host-local|l3, host-local IPAM: ADD, CHECK, containers ping, DEL"
	"test_cycle l3s static|l3s, static IPAM: ADD, CHECK, containers ping, DEL"
	"test_cycle l3s host-local|l3s, host-local IPAM: ADD, CHECK, containers ping, DEL"
	"test_check_mode|CHECK reads the mode back: fails after a mode change behind it"
	"test_netns_gone|namespace deleted before DEL: slave gone, address reusable"
)

run_all_tests "${ALL_TESTS[@]}"
