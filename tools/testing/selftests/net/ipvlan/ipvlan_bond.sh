#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A bond as master: after a failover, the slaves announce their addresses
# again (gratuitous ARP) so that the switch and peers learn their new way.
#
#   +------------------ host -------------------+        +---- wire ----+
#   |  ns0: ipvl0 (l2, 192.0.2.10)              |        |              |
#   |          |                                |        |  br0         |
#   |        bond0 (active-backup) -- a0 ----------------- a1            |
#   |                               \- b0 ----------------- b1           |
#   +-------------------------------------------+        +--------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" wire=""

require_root
require_cmd ip tcpdump

setup() {
	make_ns host
	make_ns wire
	make_ns ns0
	ip -n "$wire" link add br0 type bridge
	ip -n "$wire" link set br0 up
	ip -n "$wire" addr add 192.0.2.254/24 dev br0
	ip -n "$host" link add bond0 type bond mode active-backup miimon 20
	for l in a b; do
		ip -n "$host" link add ${l}0 type veth peer name ${l}1 netns "$wire"
		ip -n "$host" link set ${l}0 master bond0
		ip -n "$wire" link set ${l}1 master br0
		ip -n "$wire" link set ${l}1 up
	done
	ip -n "$host" link set bond0 type bond primary a0
	ip -n "$host" link set bond0 up
	ip -n "$host" link add link bond0 name ipvl0 type ipvlan mode l2
	ip -n "$host" link set ipvl0 netns "$ns0"
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns0" link set ipvl0 up
	wait_for ping_ok "$ns0" 192.0.2.254
}

# Improvement: stock does not pass the bond's NOTIFY_PEERS on.  A
# gratuitous ARP has the slave's address as sender and target.
test_failover_announces() {
	setup
	ip netns exec "$wire" timeout 10 tcpdump -n -l -i b1 -c 1 \
		'arp and arp[14:4] = 0xc000020a and arp[24:4] = 0xc000020a' \
		>"$NS_TMP/arp" 2>/dev/null &
	sleep 1
	ip -n "$host" link set a0 down
	wait || true
	grep -q "192.0.2.10" "$NS_TMP/arp" ||
		fail "no gratuitous ARP from 192.0.2.10 on the new active link"
	ping_ok "$ns0" 192.0.2.254
}

# The slave keeps working through the failover, in any case.
test_failover_keeps_traffic() {
	setup
	ip -n "$host" link set a0 down
	wait_for ping_ok "$ns0" 192.0.2.254
}

NS_TMP=$(mktemp -d)
trap 'rm -rf "$NS_TMP"; lib_cleanup' EXIT

ALL_TESTS=(
	"test_failover_keeps_traffic|bond failover: the slave keeps its traffic"
	"improvement test_failover_announces|bond failover: the slave announces its address"
)

run_all_tests "${ALL_TESTS[@]}"
