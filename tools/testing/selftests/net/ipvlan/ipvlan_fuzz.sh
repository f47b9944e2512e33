#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed frames, for every mode and flag: ipvlan_fuzz_frames sends them
# into the master from the wire, out of a slave (AF_PACKET raw and dgram,
# with and without PACKET_QDISC_BYPASS, multicast loopback) and out of the
# master, aimed at the slaves' addresses.  Afterwards every slave must
# still answer pings; a kernel splat or leak fails the whole run (vm.sh).
#
#   +- ns0 -+ +- ns1 -+ +- ns2 -+ +- ns3 -+
#   | ipvl0 | | ipvl1 | | ipvl2 | | ipvl3 |
#   +---#---+ +---#---+ +---#---+ +---#---+      +----- wire ------+
#   +---#---------#---- host ---#---------#+     | peer0           |
#   |  eth0 192.0.2.1 ----------------------------  192.0.2.254    |
#   +--------------------------------------+     +-----------------+
#
# FRAMES: frames in all (default 27000, spread over the 9 mode/flag
# combinations); SEED: the first seed (default 1).

set -e
cd "$(dirname "$0")"
. ./lib.sh
. ./fuzz_lib.sh
# set by make_ns
host="" ns0="" wire=""

require_root
require_cmd ip ping
require_fuzz_frames

FRAMES=${FRAMES:-27000}
SEED=${SEED:-1}
NSLAVES=4

addr4() { [ "$1" = l2 ] && echo "192.0.2.$((10 + $2))" || echo "198.51.100.$((10 + $2))"; }
addr6() { [ "$1" = l2 ] && echo "2001:db8:1::$((10 + $2))" || echo "2001:db8:2::$((10 + $2))"; }

# setup: the topology above without slaves; SLAVE_NS[i] is slave i's
# namespace.
setup() {
	local i var
	local -a vars=()

	topo_wire_routed
	for ((i = 0; i < NSLAVES; i++)); do
		vars+=("ns$i")
	done
	make_ns "${vars[@]}"
	SLAVE_NS=()
	for var in "${vars[@]}"; do
		SLAVE_NS+=("${!var}")
	done
	ns_harden "$host" "$wire" "${SLAVE_NS[@]}"
}

slaves_up() {
	local mode=$1 flag=$2 i batch=""

	for ((i = 0; i < NSLAVES; i++)); do
		batch+="link add link eth0 name ipvl$i type ipvlan mode $mode $flag"$'\n'
		batch+="link set ipvl$i netns ${SLAVE_NS[i]}"$'\n'
	done
	in_ns "$host" <<<"$batch"
	for ((i = 0; i < NSLAVES; i++)); do
		topo_slave_up "${SLAVE_NS[i]}" "$i" "$mode"
	done
}

# The fuzzed ARP and NA may have poisoned neighbour caches: start afresh.
neigh_flush() {
	local ns

	for ns in "$host" "$wire" "${SLAVE_NS[@]}"; do
		ip -n "$ns" neigh flush all 2>/dev/null || true
	done
}

# ping_back NS ADDR: a reply within ~10 s (the fuzzed frames may still be
# queued); if none, what the namespaces looked like.
ping_back() {
	wait_for ip netns exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null && return 0
	ip -n "$1" -br addr >&2
	ip -n "$1" route >&2
	ip -n "$1" neigh >&2
	ip -n "$host" neigh >&2
	ip -n "$wire" neigh >&2
	fail "ping from $1 to $2 got no reply"
}

check_slaves() {
	local mode=$1 flag=$2 ns

	neigh_flush
	for ns in "${SLAVE_NS[@]}"; do
		ping_back "$ns" 192.0.2.254
	done
	ping_back "$ns0" 2001:db8:1::254
	ping_back "$wire" "$(addr4 "$mode" 3)"
	ping_back "$wire" "$(addr6 "$mode" 3)"
	# slave to slave: switched inside the driver only with "bridge"
	if [ "$flag" = bridge ]; then
		ping_back "$ns0" "$(addr4 "$mode" 1)"
		ping_back "$ns0" "$(addr6 "$mode" 1)"
	fi
}

# test_fuzz MODE FLAG COMBO: the COMBO'th of the 9 mode/flag pairs, with
# seeds of its own.  Prints the fuzzer's figures as "# " lines.
test_fuzz() {
	local mode=$1 flag=$2 combo=$3
	# rounded up, so that a run sends at least FRAMES frames in all
	local n=$(((FRAMES + 8) / 9))
	local seed=$((SEED + combo * 3))
	local wire_n=$(((n + 1) / 2)) slave_n=$((n * 2 / 5))
	local targets=() i mac figures line

	setup
	slaves_up "$mode" "$flag"
	for ((i = 0; i < NSLAVES; i++)); do
		targets+=(-4 "$(addr4 "$mode" "$i")" -6 "$(addr6 "$mode" "$i")")
	done
	targets+=(-4 192.0.2.1 -6 2001:db8:1::1 -4 192.0.2.254 -6 2001:db8:1::254)
	mac=$(dev_mac "$host" eth0)
	figures=$({
		# (a) into the master from the wire, to the shared MAC
		ip netns exec "$wire" "$FUZZ_FRAMES" -i peer0 -m "$mac" \
			-s "$seed" -c "$wire_n" "${targets[@]}"
		# (b) out of a slave, every socket kind, multicast loopback
		ip netns exec "$ns0" "$FUZZ_FRAMES" -i ipvl0 \
			-s $((seed + 1)) -c "$slave_n" "${targets[@]}"
		# (c) multicast loopback and odd multicast out of the master:
		# the looped copies reach the rx_handler without an Ethernet header
		ip netns exec "$host" "$FUZZ_FRAMES" -i eth0 -k loop,mcast,arp \
			-s $((seed + 2)) -c $((n - wire_n - slave_n)) "${targets[@]}"
	} 2>&1) || fail "ipvlan_fuzz_frames failed: $figures"
	while read -r line; do
		echo "# $mode $flag: $line"
	done <<<"$figures"
	check_slaves "$mode" "$flag"
}

ALL_TESTS=(
	"test_fuzz l2 bridge 0|l2 bridge: every slave answers after the malformed frames"
	"test_fuzz l2 private 1|l2 private: every slave answers after the malformed frames"
	"test_fuzz l2 vepa 2|l2 vepa: every slave answers after the malformed frames"
	"test_fuzz l3 bridge 3|l3 bridge: every slave answers after the malformed frames"
	"test_fuzz l3 private 4|l3 private: every slave answers after the malformed frames"
	"test_fuzz l3 vepa 5|l3 vepa: every slave answers after the malformed frames"
	"test_fuzz l3s bridge 6|l3s bridge: every slave answers after the malformed frames"
	"test_fuzz l3s private 7|l3s private: every slave answers after the malformed frames"
	"test_fuzz l3s vepa 8|l3s vepa: every slave answers after the malformed frames"
)

run_all_tests "${ALL_TESTS[@]}"
