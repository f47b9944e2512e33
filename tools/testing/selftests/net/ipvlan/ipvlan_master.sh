#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Slaves follow their master: carrier and operstate, MAC, MTU, offload
# features, moves of the master to another namespace and the deletion of
# the master's namespace.
#
#   +------ ns0 ------+   +------ ns1 ------+
#   |  s1 192.0.2.10  |   |  s2             |
#   +--------#--------+   +--------#--------+
#            ##############################
#   +--------#------ ns host ------------+
#   |  s0   eth0 (veth)   dummy0         |
#   +--------#---------------------------+
#            #  (veth: the wire)
#   +--------#------ ns wire ------------+
#   |     peer0 192.0.2.254              |
#   +------------------------------------+
#
# The veto of a master type change uses a bond that would take a tun's
# type.  Bonding failover events: ipvlan_bond.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" other="" wire=""

require_root
require_cmd ip ping

# flag_set NS DEV FLAG: FLAG is in the <...> flags of DEV.
flag_set() {
	ip -n "$1" -o link show "$2" | grep -Eq "<([A-Z_,-]*,)?$3(,[A-Z_,-]*)?>"
}

flag_clear() {
	! flag_set "$@"
}

# operstate_is NS DEV STATE: STATE is a basic regex for the whole state.
operstate_is() {
	ip netns exec "$1" cat "/sys/class/net/$2/operstate" | grep -qx "$3"
}

sysfs() {
	ip netns exec "$1" cat "/sys/class/net/$2/$3"
}

# Master (veth) admin down: its carrier goes, the slave's follows.
test_carrier_follows() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link set s0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 not LOWER_UP: $(ip -n "$host" link show s0)"
	# stock leaves a new slave's operstate "unknown" until its first
	# carrier change
	wait_for operstate_is "$host" s0 "up\|unknown" ||
		fail "s0 operstate $(sysfs "$host" s0 operstate), want up or unknown"

	ip -n "$host" link set eth0 down
	wait_for flag_set "$host" s0 NO-CARRIER ||
		fail "s0 kept its carrier: $(ip -n "$host" link show s0)"
	flag_clear "$host" s0 LOWER_UP ||
		fail "s0 still LOWER_UP: $(ip -n "$host" link show s0)"
	wait_for operstate_is "$host" s0 lowerlayerdown ||
		fail "s0 operstate $(sysfs "$host" s0 operstate), want lowerlayerdown"

	ip -n "$host" link set eth0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 no LOWER_UP after eth0 up: $(ip -n "$host" link show s0)"
	wait_for operstate_is "$host" s0 up ||
		fail "s0 operstate $(sysfs "$host" s0 operstate), want up"
}

# The wire's far end going down takes the carrier of master and slaves.
test_carrier_from_peer() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link set s0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 not LOWER_UP: $(ip -n "$host" link show s0)"
	ip -n "$wire" link set peer0 down
	wait_for flag_set "$host" s0 NO-CARRIER ||
		fail "s0 kept its carrier: $(ip -n "$host" link show s0)"
	ip -n "$wire" link set peer0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 no LOWER_UP after peer0 up: $(ip -n "$host" link show s0)"
}

# Improvement: a dummy master keeps its carrier when set down; its slaves
# lose theirs all the same (stock leaves them LOWER_UP).
test_carrier_dummy_down() {
	topo_wire
	ip -n "$host" link add dummy0 type dummy
	ip -n "$host" link set dummy0 up
	ip -n "$host" link add link dummy0 name s0 type ipvlan mode l2
	ip -n "$host" link set s0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 not LOWER_UP: $(ip -n "$host" link show s0)"
	ip -n "$host" link set dummy0 down
	wait_for flag_set "$host" s0 NO-CARRIER ||
		fail "s0 kept its carrier: $(ip -n "$host" link show s0)"
	flag_clear "$host" s0 LOWER_UP ||
		fail "s0 still LOWER_UP: $(ip -n "$host" link show s0)"
	ip -n "$host" link set dummy0 up
	wait_for flag_set "$host" s0 LOWER_UP ||
		fail "s0 no LOWER_UP after dummy0 up: $(ip -n "$host" link show s0)"
}

# A master MAC change reaches every slave, also one in another namespace.
test_mac_follows() {
	local mac

	topo_wire
	make_ns other
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l3
	ip -n "$host" link set s1 netns "$other"
	ip -n "$other" link set s1 up
	for mac in 02:11:22:33:44:55 02:66:77:88:99:aa; do
		ip -n "$host" link set eth0 address "$mac"
		expect_eq "eth0 MAC" "$(sysfs "$host" eth0 address)" "$mac"
		expect_eq "s0 MAC" "$(sysfs "$host" s0 address)" "$mac"
		expect_eq "s1 MAC (other netns)" "$(sysfs "$other" s1 address)" "$mac"
	done
}

# A master MTU change reaches the slaves, down and back up.
test_mtu_follows() {
	local mtu

	topo_wire
	make_ns other
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	ip -n "$host" link set s1 netns "$other"
	for mtu in 1400 1500 1280 1500; do
		ip -n "$host" link set eth0 mtu "$mtu"
		expect_eq "s0 MTU" "$(sysfs "$host" s0 mtu)" "$mtu"
		expect_eq "s1 MTU (other netns)" "$(sysfs "$other" s1 mtu)" "$mtu"
	done
}

# feature_of NS DEV FEATURE: "on" or "off" as "ethtool -k" shows it.
feature_of() {
	ip netns exec "$1" ethtool -k "$2" |
		sed -n "s/^$3: \([a-z]*\).*/\1/p"
}

# GSO the master turns off is off on the slave too, and back.  (Stock
# shows TSO, checksumming and highdma as fixed "on" on a slave, whatever
# the master has: only GSO follows.)
test_features_follow() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	expect_eq "s0 GSO at start" \
		"$(feature_of "$host" s0 generic-segmentation-offload)" on
	ip netns exec "$host" ethtool -K eth0 gso off
	expect_eq "s0 GSO after eth0 gso off" \
		"$(feature_of "$host" s0 generic-segmentation-offload)" off
	ip netns exec "$host" ethtool -K eth0 gso on
	expect_eq "s0 GSO after eth0 gso on" \
		"$(feature_of "$host" s0 generic-segmentation-offload)" on
}

# l2_slave_in NS NAME ADDR: an L2 slave of host's eth0, moved to NS.
l2_slave_in() {
	ip -n "$host" link add link eth0 name "$2" type ipvlan mode l2
	ip -n "$host" link set "$2" netns "$1"
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$3/24" dev "$2"
}

# The master moves to another namespace: its slave still reaches the wire.
test_master_moves() {
	local ns0="" newhost=""

	topo_wire
	make_ns ns0
	make_ns newhost
	ip -n "$wire" addr add 192.0.2.254/24 dev peer0
	l2_slave_in "$ns0" s1 192.0.2.10
	wait_for ping_ok "$ns0" 192.0.2.254

	ip -n "$host" link set eth0 netns "$newhost"
	ip -n "$newhost" link set eth0 up
	expect_eq "slave s1 still there" "$(link_count "$ns0")" 1
	wait_for ping_ok "$ns0" 192.0.2.254
	ip -n "$ns0" -d link show s1 | grep -q "link-netns\(id\)\? " ||
		fail "s1 does not name its master's netns: $(ip -n "$ns0" -d link show s1)"

	# and back home
	ip -n "$newhost" link set eth0 netns "$host"
	ip -n "$host" link set eth0 up
	wait_for ping_ok "$ns0" 192.0.2.254
}

# The master's namespace goes away: the veth dies, and its slaves in
# other namespaces with it.
test_master_netns_deleted() {
	local ns0 ns1

	topo_wire
	make_ns ns0
	make_ns ns1
	l2_slave_in "$ns0" s1 192.0.2.10
	l2_slave_in "$ns1" s2 192.0.2.11
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip netns del "$host"
	remove_ns_list "$host"
	wait_for no_slaves_in "$ns0" ||
		fail "ns0 still has $(ip -n "$ns0" -o link show type ipvlan)"
	wait_for no_slaves_in "$ns1" ||
		fail "ns1 still has $(ip -n "$ns1" -o link show type ipvlan)"
	# the wire's peer went with its veth partner
	wait_for sh -c "! ip -n '$wire' link show peer0"
}

# A bond without ports takes the type of its first port.  Enslaving a tun
# (ARPHRD_NONE) would leave Ethernet slaves on a non-Ethernet master: the
# driver vetoes NETDEV_PRE_TYPE_CHANGE and bonding refuses the port with
# EBUSY.  Once the slave is gone, the same enslave goes through: the veto
# was the driver's.
test_type_change_vetoed() {
	local err

	make_ns host
	ip -n "$host" link add bond0 type bond mode active-backup
	ip -n "$host" tuntap add dev tun0 mode tun
	ip -n "$host" link add link bond0 name s0 type ipvlan mode l2
	if err=$(ip -n "$host" link set tun0 master bond0 2>&1); then
		fail "a tun was enslaved under a bond with ipvlan slaves"
	fi
	echo "$err" | grep -q "busy" || fail "enslave refused with '$err', not EBUSY"
	[ "$(sysfs "$host" bond0 type)" = 1 ] ||
		fail "bond0 has type $(sysfs "$host" bond0 type)"
	ip -n "$host" link del s0
	ip -n "$host" link set tun0 master bond0 ||
		fail "enslave refused with no ipvlan slave"
	[ "$(sysfs "$host" bond0 type)" != 1 ] ||
		fail "bond0 is still Ethernet after enslaving a tun"
}

ALL_TESTS=(
	"since 6.12 test_carrier_follows|slave carrier/operstate follow the master's admin state"
	"test_carrier_from_peer|slave carrier follows the master's carrier"
	"improvement test_carrier_dummy_down|a dummy master's admin down takes the slaves' carrier"
	"test_mac_follows|master MAC change reaches every slave"
	"test_mtu_follows|master MTU change reaches every slave, both ways"
	"test_features_follow|master GSO off/on reaches the slave's features"
	"test_master_moves|master moved to another netns: slave keeps working"
	"test_master_netns_deleted|master's netns deleted: slaves elsewhere deleted"
	"test_type_change_vetoed|master type change vetoed while slaves exist"
)

run_all_tests "${ALL_TESTS[@]}"
