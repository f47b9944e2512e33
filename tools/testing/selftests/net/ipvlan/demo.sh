#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The HOWTO's example configuration, for real: a master whose wire leads to
# a router namespace, ipvl0 in ns0 and ipvl1 in ns1, in L2 then L3 mode.
# Topology: see topo.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
ns0="" ns1=""

trap lib_cleanup EXIT

show() {
	echo "\$ $*"
	"$@" 2>&1 | sed 's/^/  /'
}

# ping_show FROM-NAME TO-NAME ADDRESS
ping_show() {
	local from=${!1}
	local result=ok

	ip netns exec "$from" ping -c 2 -i 0.2 -W 2 "$3" >/dev/null 2>&1 ||
		result=FAILED
	printf '  ping %-4s -> %-7s %-17s %s\n' "$1" "$2" "$3" "$result"
	[ "$result" = ok ] || status=1
}

status=0
topo_setup
for mode in l2 l3; do
	echo "=== mode $mode"
	topo_slaves "$mode"
	show ip -n "$ns0" -d link show ipvl0
	show ip -n "$ns1" -d link show ipvl1
	show ip -n "$ns0" addr show dev ipvl0
	ping_show ns0 ns1 "$(topo_addr4 "$mode" 11)"
	ping_show ns0 ns1 "$(topo_addr6 "$mode" 11)"
	ping_show ns0 router 192.0.2.254
	ping_show ns0 router 2001:db8:1::254
	ping_show ns1 ns0 "$(topo_addr4 "$mode" 10)"
	ping_show ns1 router 192.0.2.254
	topo_del_slaves
done
[ "$status" -eq 0 ] && echo "demo: every ping answered"
exit "$status"
