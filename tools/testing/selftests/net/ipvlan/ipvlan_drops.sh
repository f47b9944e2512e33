#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Why an ipvlan device dropped a frame: "ethtool -S" on the device shows a
# counter per reason, and each frame the driver drops moves exactly one of
# them, and the device's tx_dropped, by one.  Stock has no such counters.
#
# The HOWTO topology (topo.sh), with ipvl0 and ipvl1 in MODE:
#
#   +---- ns0 ----+  +---- ns1 ----+
#   |    ipvl0    |  |    ipvl1    |       ipvl0 sends: frames that
#   +------#------+  +------#------+       ipvlan_raw.py forges, pings to
#          #################               a group, a sibling, or an
#   +------#------ host -----------+       address the host cannot route
#   |     eth0 192.0.2.1           |
#   +------#-----------------------+
#          #---- (the wire) ---- router ---- far

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0=""

require_root
require_cmd ip ping ethtool python3


# counter NAME: ipvl0's "ethtool -S" counter NAME; "tx_drop_" alone, the
# sum of those whose names start so
counter() {
	ip netns exec "$ns0" ethtool -S ipvl0 |
		awk -v name="$1" '
		$1 == name ":" || (name ~ /_$/ && index($1, name) == 1) { n += $2 }
		END { print n + 0 }'
}

# counts NAME: "NAME's count, the sum of the tx_drop_ counts, tx_dropped"
# in one read: "ethtool -S" for the first two, sysfs for the device's
# tx_dropped (the rtnl stats' value)
counts() {
	# shellcheck disable=SC2016 # expanded by the namespace's sh
	ip netns exec "$ns0" sh -c 'ethtool -S ipvl0 &&
		echo "sysfs_tx_dropped: $(cat /sys/class/net/ipvl0/statistics/tx_dropped)"' |
		awk -v name="$1" '
		$1 == name ":" { n += $2 }
		index($1, "tx_drop_") == 1 { all += $2 }
		$1 == "sysfs_tx_dropped:" { dropped = $2 }
		END { print n + 0, all + 0, dropped + 0 }'
}

# sample NAME: counts NAME, read until two reads in a row agree: ipvl0's
# stack sends now and then (IPv6 router solicitations, MLD reports), which
# L3 drops as multicast
sample() {
	local a b

	b=$(counts "$1")
	while [ "$a" != "$b" ]; do
		a=$b
		b=$(counts "$1")
	done
	echo "$a"
}

# expect_drops NAME N CMD...: CMD makes ipvl0 drop N frames, counted as
# NAME; whatever else ipvl0 drops meanwhile, tx_dropped counts each drop
# once, as one reason
expect_drops() {
	local name=$1 n=$2
	local -a b a

	shift 2
	read -ra b <<<"$(sample "$name")"
	"$@" || true
	read -ra a <<<"$(sample "$name")"
	expect_eq "$name" "$((a[0] - b[0]))" "$n"
	expect_eq "tx_dropped against the sum of tx_drop_*" \
		"$((a[2] - b[2]))" "$((a[1] - b[1]))"
}

raw() {
	ip netns exec "$ns0" python3 ./ipvlan_raw.py ipvl0 "$@"
}

lower_mac() {
	ip netns exec "$host" cat /sys/class/net/eth0/address
}

test_counters_listed() {
	local name

	topo_setup
	topo_slaves l2
	for name in tx_drop_short tx_drop_spoofed tx_drop_private \
		    tx_drop_l3_multicast tx_drop_l3_not_ip tx_drop_bad_ip \
		    tx_drop_no_route rx_drop_nomem rx_drop_mc_backlog \
		    rx_drop_no_route rx_drop_tap; do
		expect_eq "$name" "$(counter "$name")" 0
	done
}

test_spoofed_source() {
	topo_setup
	topo_slaves l2
	expect_drops tx_drop_spoofed 5 \
		raw probe ff:ff:ff:ff:ff:ff --src 02:00:00:00:00:99 --count 5
}

test_vlan_tag() {
	topo_setup
	topo_slaves l2
	expect_drops tx_drop_spoofed 3 \
		raw probe ff:ff:ff:ff:ff:ff --vlan 7 --count 3
}

test_private_sibling() {
	topo_setup
	topo_slaves l3 private
	expect_drops tx_drop_private 3 \
		ip netns exec "$ns0" ping -q -c 3 -i 0.1 -W 1 198.51.100.11
}

test_l3_multicast() {
	topo_setup
	topo_slaves l3
	topo_ip "$ns0" route add 224.0.0.0/4 dev ipvl0
	# the stack's own IPv6 multicast would count here too
	ip netns exec "$ns0" sysctl -qw net.ipv6.conf.ipvl0.disable_ipv6=1
	expect_drops tx_drop_l3_multicast 3 \
		ip netns exec "$ns0" ping -q -c 3 -i 0.1 -W 1 224.0.0.1
}

# ARP has no place in L3 mode: ipvl0 has NOARP, so only a packet socket
# sends it
test_l3_not_ip() {
	topo_setup
	topo_slaves l3
	expect_drops tx_drop_l3_not_ip 2 \
		raw arp "$(lower_mac)" --sip 198.51.100.10 --tip 192.0.2.254 \
		--count 2
}

test_l3_bad_ip() {
	topo_setup
	topo_slaves l3
	expect_drops tx_drop_bad_ip 2 raw badip "$(lower_mac)" --count 2
}

# IPv4 out of a lower device is never unroutable: a failed lookup there
# means on-link.  IPv6 is, once the host has no default route.
test_l3_no_route() {
	topo_setup
	topo_slaves l3
	topo_ip "$host" -6 route del default
	expect_drops tx_drop_no_route 3 \
		ip netns exec "$ns0" ping -6 -q -c 3 -i 0.1 -W 1 2001:db8:3::1
}

# Improvements all: stock has no per-reason counters.
ALL_TESTS=(
	"improvement test_counters_listed|ethtool -S lists each drop counter, at 0 on a new device"
	"improvement test_spoofed_source|a frame with another source MAC counts as tx_drop_spoofed"
	"improvement test_vlan_tag|a VLAN-tagged frame counts as tx_drop_spoofed"
	"improvement test_private_sibling|private: a packet for a sibling counts as tx_drop_private"
	"improvement test_l3_multicast|l3: a ping to a multicast group counts as tx_drop_l3_multicast"
	"improvement test_l3_not_ip|l3: an ARP frame counts as tx_drop_l3_not_ip"
	"improvement test_l3_bad_ip|l3: a broken IPv4 header counts as tx_drop_bad_ip"
	"improvement test_l3_no_route|l3: an IPv6 packet the host cannot route counts as tx_drop_no_route"
)

run_all_tests "${ALL_TESTS[@]}"
