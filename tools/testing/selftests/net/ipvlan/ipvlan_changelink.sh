#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Changing the port's mode or flags needs CAP_NET_ADMIN over the master's
# namespace: root of a container (a new user namespace) that owns only a
# slave may use the slave, but not change the mode of the whole port.
#
#   +--- user namespace U (unshare -U -r) ---+
#   |  +----------- netns C -------------+   |
#   |  |  s0 (moved here, by pid)        |   |
#   |  +--------------#------------------+   |
#   +-----------------#----------------------+
#   +-----------------#--- ns host (initial user namespace) ---+
#   |     eth0 (veth)  s1                                      |
#   +-----------------#----------------------------------------+
#                     #  (veth: the wire)
#   +-----------------#--- ns wire ----------------------------+
#   |     peer0                                                |
#   +----------------------------------------------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns and container
cpid="" host=""

require_root
require_cmd ip unshare nsenter python3

mode_of() {
	"$@" -d link show s0 | grep -o "ipvlan  mode [a-z0-9]* [a-z]*"
}

test_changelink_needs_master_netns_admin() {
	local out

	topo_wire
	container
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	ip -n "$host" link set s0 netns "$cpid"

	# the container's root may use its slave ...
	as_container ip link set s0 up
	as_container ip addr add 192.0.2.10/24 dev s0
	# ... but not change the port's mode nor its flags
	expect_error "Operation not permitted|Error: " \
		as_container ip link set s0 type ipvlan mode l3
	expect_error "Operation not permitted|Error: " \
		as_container ip link set s0 type ipvlan mode l2 private
	out=$(as_container python3 "$IPVLAN_SELFTESTS/ipvlan_nl.py" set \
		--name s0 --mode 1) && fail "raw changelink succeeded"
	case "$out" in
	"error EPERM:"*) ;;
	*) fail "raw changelink said '$out', want EPERM" ;;
	esac
	expect_eq "s0 mode" "$(mode_of as_container ip)" "ipvlan  mode l2 bridge"
	ip -n "$host" -d link show s1 | grep -q "ipvlan  mode l2 bridge" ||
		fail "s1 changed: $(ip -n "$host" -d link show s1)"

	# the same request with the initial namespace's capabilities works
	as_admin ip link set s0 type ipvlan mode l3
	expect_eq "s0 mode" "$(mode_of as_admin ip)" "ipvlan  mode l3 bridge"
	ip -n "$host" -d link show s1 | grep -q "ipvlan  mode l3 bridge" ||
		fail "s1 did not follow: $(ip -n "$host" -d link show s1)"
	# and in the master's namespace too
	ip -n "$host" link set s1 type ipvlan mode l2 private
	expect_eq "s0 mode" "$(mode_of as_admin ip)" "ipvlan  mode l2 private"
}

# A changelink without mode or flags changes nothing and needs no
# rights over the master: the container may still set its slave's MTU.
test_container_keeps_slave_rights() {
	topo_wire
	container
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link set s0 netns "$cpid"
	as_container ip link set s0 mtu 1400
	expect_eq "s0 MTU" \
		"$(as_container ip -o link show s0 | sed 's/.* mtu \([0-9]*\) .*/\1/')" 1400
	as_container ip link set s0 down
	as_container ip link set s0 up
	expect_eq "s0 mode" "$(mode_of as_container ip)" "ipvlan  mode l2 bridge"
}

# The slave's own netns owned by the container, the master in the initial
# one: deleting the container's netns deletes only that slave.
test_container_exit_deletes_slave() {
	topo_wire
	container
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	ip -n "$host" link set s0 netns "$cpid"
	kill "$cpid"
	wait "$cpid" 2>/dev/null || true
	wait_for sh -c "[ \$(ip -n '$host' -o link show type ipvlan | wc -l) -eq 1 ]"
	ip -n "$host" link show s1 >/dev/null
	ip -n "$host" link show eth0 >/dev/null
}

ALL_TESTS=(
	"test_changelink_needs_master_netns_admin|mode change from a container without rights over the master: EPERM"
	"test_container_keeps_slave_rights|container root may still set its slave's MTU and state"
	"test_container_exit_deletes_slave|container netns gone: only its slave is deleted"
)

run_all_tests "${ALL_TESTS[@]}"
