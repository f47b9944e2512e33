#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Creating and deleting slaves, what iproute2 shows of them, and the rules
# for masters.
#
#   +------------------ ns host ------------------+
#   |  ipvl0   ipvl1  ...   (slaves, type ipvlan) |
#   |     \      |                                |
#   |      eth0 (veth) ------------------------------- peer in ns wire
#   +---------------------------------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host=""

require_root
require_cmd ip

# "ip -d link show" prints the mode and flags exactly like stock ipvlan.
test_create_modes() {
	local mode flag line

	topo_wire
	for mode in l2 l3 l3s; do
		for flag in bridge private vepa; do
			ip -n "$host" link add link eth0 name s0 type ipvlan \
				mode "$mode" "$flag"
			line=$(ip -n "$host" -d link show s0 | grep -o "ipvlan  mode [a-z0-9]* [a-z]*")
			expect_eq "s0 details" "$line" "ipvlan  mode $mode $flag"
			ip -n "$host" link del s0
		done
	done
	expect_eq "ipvlan links left" "$(link_count "$host")" 0
}

# Slaves share the master's MAC, take its MTU and get their own dev_id.
test_slave_properties() {
	local mac m0 m1 id0 id1

	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	mac=$(ip netns exec "$host" cat /sys/class/net/eth0/address)
	m0=$(ip netns exec "$host" cat /sys/class/net/s0/address)
	m1=$(ip netns exec "$host" cat /sys/class/net/s1/address)
	expect_eq "s0 MAC" "$m0" "$mac"
	expect_eq "s1 MAC" "$m1" "$mac"
	expect_eq "s0 MTU" "$(ip netns exec "$host" cat /sys/class/net/s0/mtu)" 1500
	id0=$(ip netns exec "$host" cat /sys/class/net/s0/dev_id)
	id1=$(ip netns exec "$host" cat /sys/class/net/s1/dev_id)
	[ "$id0" != "$id1" ] || fail "s0 and s1 share dev_id $id0"
	[ "$id0" != 0x0 ] || fail "s0 has the master's dev_id 0"
	ip -n "$host" -d link show s0 | grep -q "s0@eth0" ||
		fail "s0 does not show its master as @eth0"
}

# Up L3 slaves are NOARP; a mode change reaches every slave of the port.
test_noarp_follows_mode() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l3
	ip -n "$host" link set s0 up
	ip -n "$host" link show s0 | grep -q NOARP || fail "l3 slave without NOARP"
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	ip -n "$host" -d link show s0 | grep -q "mode l2" ||
		fail "s1's newlink in l2 did not move the port to l2"
	ip -n "$host" link set s1 type ipvlan mode l3
	ip -n "$host" link show s0 | grep -q NOARP || fail "s0 not NOARP after l3"
	ip -n "$host" -d link show s0 | grep -q "mode l3 bridge" ||
		fail "changelink on s1 did not reach s0"
}

# Improvement: stock leaves an up slave NOARP when the port goes to l2.
test_l2_clears_noarp() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l3
	ip -n "$host" link set s0 up
	ip -n "$host" link set s0 type ipvlan mode l2
	if ip -n "$host" link show s0 | grep -q NOARP; then
		fail "s0 still NOARP in l2"
	fi
}

# The link may name a slave: the new slave joins that slave's master.
test_slave_as_link() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link s0 name s1 type ipvlan mode l2
	ip -n "$host" -d link show s1 | grep -q "s1@eth0" ||
		fail "s1 is not on eth0: $(ip -n "$host" link show s1)"
}

# Deleting the master deletes every slave, wherever it lives.
test_master_delete() {
	local other

	topo_wire
	make_ns other
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l3
	ip -n "$host" link set s1 netns "$other"
	ip -n "$host" link del eth0
	expect_eq "slaves in host" "$(link_count "$host")" 0
	expect_eq "slaves in other" "$(link_count "$other")" 0
}

# The last slave takes the port with it: the master is free again.
test_port_freed() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link del s0
	ip -n "$host" link add link eth0 name mv0 type macvlan
	ip -n "$host" link del mv0
}

test_bad_master_missing() {
	topo_wire
	expect_errno "$host" EINVAL new --name s0 --mode 0
	expect_errno "$host" ENODEV new --name s0 --link 4242 --mode 0
	expect_eq "ipvlan links" "$(link_count "$host")" 0
}

test_bad_master_loopback() {
	topo_wire
	expect_errno "$host" EINVAL new --name s0 --link lo --mode 0
	expect_eq "ipvlan links" "$(link_count "$host")" 0
}

test_bad_master_not_ethernet() {
	topo_wire
	ip -n "$host" tuntap add dev tun0 mode tun
	expect_errno "$host" EINVAL new --name s0 --link tun0 --mode 0
	expect_eq "ipvlan links" "$(link_count "$host")" 0
}

# A master already used by another rx_handler owner is busy.
test_bad_master_busy() {
	topo_wire
	ip -n "$host" link add link eth0 name mv0 type macvlan
	expect_errno "$host" EBUSY new --name s0 --link eth0 --mode 0
	expect_eq "ipvlan links" "$(link_count "$host")" 0
	ip -n "$host" link del mv0
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
}

# A slave cannot be the lower of a macvlan, nor a bridge port, nor VLANs.
test_slave_not_a_lower() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	expect_error "." ip -n "$host" link add link s0 name mv0 type macvlan
	ip -n "$host" link add br0 type bridge
	expect_error "." ip -n "$host" link set s0 master br0
	expect_error "." ip -n "$host" link add link s0 name s0.5 type vlan id 5
}

# A tunnel only sends through a slave: it may be bound to one, as to any
# device (a container's VXLAN or GRE over its ipvlan slave).
test_tunnel_over_slave() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add vx0 type vxlan id 42 dstport 4789 dev s0 ||
		fail "a VXLAN cannot be bound to the slave"
}

# Every refusal tells the user why (improvement: stock only logs).
test_extack_messages() {
	topo_wire
	expect_error "Error: .*[Mm]aster" \
		ip -n "$host" link add link lo name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name mv0 type macvlan
	expect_error "Error: .*already used" \
		ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
}

# Improvement: a newlink without a mode keeps the port's mode.
test_newlink_keeps_mode() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan
	ip -n "$host" -d link show s0 | grep -q "mode l2" ||
		fail "s1 without a mode switched the port: $(ip -n "$host" -d link show s0 | grep ipvlan)"
}

ALL_TESTS=(
	"test_create_modes|create and delete in l2/l3/l3s x bridge/private/vepa"
	"test_slave_properties|slave MAC, MTU, dev_id and @master"
	"test_noarp_follows_mode|NOARP follows the port's mode"
	"improvement test_l2_clears_noarp|switching to l2 clears NOARP"
	"test_slave_as_link|a slave named as link attaches to its master"
	"test_master_delete|deleting the master deletes its slaves"
	"test_port_freed|the last slave frees the master's rx_handler"
	"test_bad_master_missing|no master or unknown master refused"
	"test_bad_master_loopback|loopback master refused"
	"test_bad_master_not_ethernet|non-Ethernet master refused"
	"test_bad_master_busy|master with another rx_handler refused (EBUSY)"
	"test_slave_not_a_lower|a slave is no lower for macvlan, bridge or vlan"
	"test_tunnel_over_slave|a VXLAN can be bound to a slave"
	"improvement test_extack_messages|refusals carry an extack message"
	"improvement test_newlink_keeps_mode|newlink without mode keeps the port's mode"
)

run_all_tests "${ALL_TESTS[@]}"
