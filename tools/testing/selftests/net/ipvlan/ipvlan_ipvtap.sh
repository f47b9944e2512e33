#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvtap: an ipvlan slave with a tap character device, /dev/tap<ifindex>.
# A Python "guest" writes frames to it and reads the replies.
#
#   +--------------- host ---------------+
#   |  /dev/tapN <-> ipvt0 (ipvtap, l2)  |
#   |                  |                 |      +----- wire -----+
#   |                eth0 (veth) ---------------- peer0          |
#   +------------------------------------+      | 192.0.2.254    |
#                                               +----------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" wire=""

require_root
require_cmd ip python3

setup() {
	topo_wire
	ip -n "$wire" addr add 192.0.2.254/24 dev peer0
}

tap_node() {
	echo "/dev/tap$(ip netns exec "$host" cat /sys/class/net/"$1"/ifindex)"
}

test_ipvtap_create() {
	local node

	setup
	ip -n "$host" link add link eth0 name ipvt0 type ipvtap mode l2
	ip -n "$host" -d link show ipvt0 | grep -q "ipvtap  mode l2 bridge" ||
		fail "$(ip -n "$host" -d link show ipvt0)"
	node=$(tap_node ipvt0)
	wait_for test -c "$node"
	ip -n "$host" link del ipvt0
	wait_for test ! -e "$node"
}

test_ipvtap_io() {
	local mac node

	setup
	ip -n "$host" link add link eth0 name ipvt0 type ipvtap mode l2
	# the guest's address, so that the port demuxes replies to the tap
	ip -n "$host" addr add 192.0.2.10/24 dev ipvt0
	ip -n "$host" link set ipvt0 up
	mac=$(ip netns exec "$host" cat /sys/class/net/ipvt0/address)
	node=$(tap_node ipvt0)
	wait_for test -c "$node"
	ip netns exec "$host" python3 ./ipvtap_io.py "$node" "$mac" \
		192.0.2.10 192.0.2.254
}

# A plain ipvlan slave and an ipvtap share one port and talk to each other.
test_ipvtap_beside_ipvlan() {
	local mac node

	setup
	ip -n "$host" link add link eth0 name ipvl0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name ipvt0 type ipvtap mode l2
	make_ns ns0
	ip -n "$host" link set ipvl0 netns "$ns0"
	ip -n "$ns0" addr add 192.0.2.20/24 dev ipvl0
	ip -n "$ns0" link set ipvl0 up
	ip -n "$host" addr add 192.0.2.10/24 dev ipvt0
	ip -n "$host" link set ipvt0 up
	mac=$(ip netns exec "$host" cat /sys/class/net/ipvt0/address)
	node=$(tap_node ipvt0)
	wait_for test -c "$node"
	ip netns exec "$host" python3 ./ipvtap_io.py "$node" "$mac" \
		192.0.2.10 192.0.2.20
}

test_ipvtap_unload() {
	setup
	ip -n "$host" link add link eth0 name ipvt0 type ipvtap mode l2
	# rmmod, not modprobe -r: tap stays loaded, as vm.sh expects
	rmmod ipvtap
	expect_eq "ipvtap links" "$(ip -n "$host" -o link show type ipvtap | wc -l)" 0
}

# gro IFACE: "on" or "off", what ethtool -k says of generic receive offload
gro() {
	ip netns exec "$host" ethtool -k "$1" |
		sed -n 's/^generic-receive-offload: \([a-z]*\).*/\1/p'
}

# set_offload NODE FLAGS: the guest's TUNSETOFFLOAD, with the node held open
set_offload() {
	ip netns exec "$host" python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.ioctl(fd, 0x400454d0, int(sys.argv[2], 0))  # TUNSETOFFLOAD
' "$1" "$2"
}

# A guest that cannot take TSO gets no aggregated packets: the slave turns
# receive offload off, and on again when the guest takes TSO.  Stock keeps
# the master's GRO whatever the guest says (the tap segments for the guest
# anyway): ours shows what the guest asked for.
test_ipvtap_guest_offloads() {
	local node

	require_cmd ethtool
	setup
	# a veth master starts without GRO, and a slave has what its master has
	ip netns exec "$host" ethtool -K eth0 gro on
	ip -n "$host" link add link eth0 name ipvt0 type ipvtap mode l2
	node=$(tap_node ipvt0)
	wait_for test -c "$node"
	expect_eq "GRO before the guest says" "$(gro ipvt0)" on
	set_offload "$node" 0
	expect_eq "GRO for a guest without TSO" "$(gro ipvt0)" off
	# TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6
	set_offload "$node" 0x7
	expect_eq "GRO for a guest with TSO" "$(gro ipvt0)" on
}

ALL_TESTS=(
	"test_ipvtap_create|ipvtap: create shows the mode and /dev/tapN, delete removes it"
	"test_ipvtap_io|ipvtap: a guest on /dev/tapN gets ARP and ICMP replies"
	"test_ipvtap_beside_ipvlan|ipvtap and ipvlan slaves on one port talk"
	"improvement test_ipvtap_guest_offloads|ipvtap: the slave's receive offload follows the guest's"
	"test_ipvtap_unload|ipvtap: module removal deletes its links"
)

run_all_tests "${ALL_TESTS[@]}"
