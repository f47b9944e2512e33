#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The address table: one owner per address per master, in any namespace.
#
#   ns0: ipvl0 --+              ns1: ipvl1 --+
#                +-- eth0 (host) --- wire --- peer0 (wire)

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" ns1="" wire=""

require_root
require_cmd ip ping

setup() {
	make_ns host wire ns0 ns1
	in_ns "$host" <<-EOF
	link add eth0 type veth peer name peer0 netns $wire
	link set eth0 up
	link add link eth0 name ipvl0 type ipvlan mode l2
	link add link eth0 name ipvl1 type ipvlan mode l2
	link set ipvl0 netns $ns0
	link set ipvl1 netns $ns1
	EOF
	in_ns "$wire" <<-EOF
	link set peer0 up
	addr add 192.0.2.254/24 dev peer0
	addr add 2001:db8:1::254/64 dev peer0 nodad
	EOF
	ip -n "$ns0" link set ipvl0 up
	ip -n "$ns1" link set ipvl1 up
}

test_dup_ipv4_refused() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	expect_error "Address already" ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
	if ip -n "$ns1" addr show dev ipvl1 | grep -q 192.0.2.10; then
		fail "ipvl1 got the address anyway"
	fi
	ping_ok "$wire" 192.0.2.10
}

test_dup_ipv6_refused() {
	setup
	ip -n "$ns0" addr add 2001:db8:1::10/64 dev ipvl0 nodad
	expect_error "Address already" \
		ip -n "$ns1" addr add 2001:db8:1::10/64 dev ipvl1 nodad
	ping_ok "$wire" 2001:db8:1::10
}

# A down slave still owns its addresses.
test_dup_on_down_slave_refused() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" link set ipvl0 down
	expect_error "Address already" ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
}

# Once deleted, or once its slave is gone, the address is free again.
test_address_freed() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" addr add 2001:db8:1::10/64 dev ipvl0 nodad
	ip -n "$ns0" addr del 192.0.2.10/24 dev ipvl0
	ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
	ping_ok "$wire" 192.0.2.10
	ip -n "$ns0" link del ipvl0
	ip -n "$ns1" addr add 2001:db8:1::10/64 dev ipvl1 nodad
	ping_ok "$wire" 2001:db8:1::10
}

# Moving a slave to another namespace flushes its addresses and frees them.
test_address_freed_by_move() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" link set ipvl0 netns "$host"
	ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
	ping_ok "$wire" 192.0.2.10
}

# Improvement: one address twice on a slave (two prefixes), as IPv4 allows
# on any other device; it stays live until both go.  Stock refuses the
# second one as if another slave owned it.
test_same_address_twice() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" addr add 192.0.2.10/23 dev ipvl0
	ip -n "$ns0" addr del 192.0.2.10/24 dev ipvl0
	ping_ok "$wire" 192.0.2.10
	ip -n "$ns0" addr del 192.0.2.10/23 dev ipvl0
	ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
}

# Promoting a secondary address must not leave a stale entry behind.
test_promote_secondaries() {
	setup
	ip netns exec "$ns0" sysctl -qw net.ipv4.conf.ipvl0.promote_secondaries=1
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" addr add 192.0.2.20/24 dev ipvl0
	ip -n "$ns0" addr del 192.0.2.10/24 dev ipvl0
	ping_ok "$wire" 192.0.2.20
	ip -n "$ns0" addr del 192.0.2.20/24 dev ipvl0
	ip -n "$ns1" addr add 192.0.2.20/24 dev ipvl1
	ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
	ping_ok "$wire" 192.0.2.20
}

# Slaves of different masters may share an address.
test_other_master_independent() {
	setup
	ip -n "$host" link add eth1 type veth peer name peer1
	ip -n "$host" link add link eth1 name ipvl2 type ipvlan mode l2
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$host" addr add 192.0.2.10/24 dev ipvl2
}

# The refusal says why (stock does this one too).
test_dup_explained() {
	setup
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	expect_error "Error: .*ipvlan" \
		ip -n "$ns1" addr add 192.0.2.10/24 dev ipvl1
}

ALL_TESTS=(
	"test_dup_ipv4_refused|duplicate IPv4 address refused across namespaces"
	"test_dup_ipv6_refused|duplicate IPv6 address refused across namespaces"
	"test_dup_on_down_slave_refused|a down slave's address still refuses duplicates"
	"test_address_freed|deleted addresses and slaves free their addresses"
	"test_address_freed_by_move|a slave's move to another netns frees its addresses"
	"improvement test_same_address_twice|one address with two prefixes stays until both go"
	"test_promote_secondaries|secondary promotion leaves no stale entry"
	"test_other_master_independent|slaves of different masters are independent"
	"test_dup_explained|duplicate refusal carries an extack message"
)

run_all_tests "${ALL_TESTS[@]}"
