#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark, run inside the perf UML kernel by "make bench": ours against
# stock ipvlan.ko, macvlan and a bare veth, in one boot, swapping modules
# with rmmod/insmod.  Every figure is the median of REPS runs, with min and
# max.  The variants take turns within each repetition, so that a drift of
# the machine, or where a module happens to land in memory, weighs on all
# of them alike.  Not a test: it prints figures and ratios, it does not
# judge them.
#
#   RX:   pktgen (xmit_mode netif_receive) injects 64-byte UDP frames into
#         the master, as if from the wire, addressed to a slave (for the
#         bare veth: to the master's own address, no demux at all).
#   TX:   pktgen sends 64-byte UDP frames out of a slave; the master is a
#         dummy device, so only the path through the driver is measured.
#   TCP:  iperf3 from a slave in ns0 to the wire's far end.
#   Host: host reach on, the host and a slave by TCP each way and a ping
#         flood's round trip, against a veth pair (PARTS=host; not in the
#         default PARTS).
#   Scale: RX pps with 1..65536 addresses on the port (one slave, and
#         spread over many), destinations uniformly random; the time to
#         add the addresses, and to create and delete the slaves.
#
#   +--- ns0 ---+                 +--- wire ---+
#   | ipvl0     |                 |  peer0     | 192.0.2.254
#   +----|------+                 +----|-------+
#        +------- eth0 (veth, init ns) +     dummy0 (init ns, TX runs)

set -u
cd "$(dirname "$0")" || exit 1

REPS=${REPS:-5}
COUNT=${COUNT:-1000000}
TCP_SECS=${TCP_SECS:-3}
SCALE=${SCALE:-1 256 4096 65536}
SLAVES_MAX=${SLAVES_MAX:-4096}
PARTS=${PARTS:-rx tx tcp scale}
VARIANTS=${VARIANTS:-veth:none:- stock-l2:stock:l2 ours-l2:ours:l2 stock-l3:stock:l3 ours-l3:ours:l3 macvlan:macvlan:l2}
PG=/proc/net/pktgen
RESULTS=()

log() { echo "# $*"; }

# median min max of the numbers on stdin
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 0 0"; exit }
		printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

SAMPLES=$(mktemp)
trap 'rm -f "$SAMPLES"' EXIT

# sample KIND VARIANT VALUE: one measurement, summed up by report()
sample() {
	[ -n "$3" ] && echo "$1 $2 $3" >>"$SAMPLES"
	return 0
}

record() {
	RESULTS+=("$1 $2 $3")
	local median min max

	read -r median min max _ <<<"$3"
	printf '%-10s %-10s %12s  (min %s, max %s)\n' "$1" "$2" \
		"$median" "$min" "$max"
}

# report KIND VARIANT...: median, min and max of each variant's samples
report() {
	local kind=$1 v

	shift
	for v in "$@"; do
		grep -q "^$kind $v " "$SAMPLES" || continue
		record "$kind" "$v" "$(awk -v k="$kind" -v v="$v" \
			'$1 == k && $2 == v { print $3 }' "$SAMPLES" | stats)"
	done
}

cleanup_net() {
	ip netns del ns0 2>/dev/null
	ip netns del wire 2>/dev/null
	ip link del eth0 2>/dev/null
	ip link del dummy0 2>/dev/null
	sleep 0.5
}

use_driver() {
	cleanup_net
	rmmod ipvlan 2>/dev/null
	case "$1" in
	ours) insmod "$IPVLAN_OURS_DIR/ipvlan.ko" ;;
	stock) insmod "$IPVLAN_STOCK_DIR/ipvlan.ko" ;;
	# another build of ours, to weigh a change: NAME:/its/dir:MODE
	/*) insmod "$1/ipvlan.ko" ;;
	esac
}

# The wire: eth0 in the init namespace, peer0 in "wire".
make_wire() {
	ip netns add wire
	ip netns add ns0
	ip -n ns0 link set lo up
	ip -n wire link set lo up
	ip netns exec ns0 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link add eth0 type veth peer name peer0 netns wire
	ip addr add 192.0.2.1/24 dev eth0
	ip link set eth0 up
	ip -n wire addr add 192.0.2.254/24 dev peer0
	ip -n wire link set peer0 up
	ip -n wire route add 198.51.100.0/24 via 192.0.2.1
}

# slave KIND MODE: ipvl0 (or mv0) in ns0 on eth0; prints its address.
make_slave() {
	local kind=$1
	local mode=$2
	local addr=192.0.2.10

	case "$kind" in
	macvlan) ip link add link eth0 name ipvl0 type macvlan mode bridge ;;
	*) ip link add link eth0 name ipvl0 type ipvlan mode "$mode" ;;
	esac
	[ "$mode" = l3 ] && addr=198.51.100.10
	ip link set ipvl0 netns ns0
	ip -n ns0 addr add $addr/24 dev ipvl0
	ip -n ns0 link set ipvl0 up
	if [ "$mode" = l3 ]; then
		ip -n ns0 route add default dev ipvl0
	else
		ip -n ns0 route add default via 192.0.2.254
	fi
	echo $addr
}

pg_set() {
	echo "$2" >"$PG/$1" || log "pktgen: '$2' refused on $1"
}

# pg_run NETNS DEV MODE DST DST_MAC [DST_MAX]: one pktgen run, prints pps
pg_run() {
	local ns=$1 dev=$2 mode=$3 dst=$4 mac=$5 dmax=${6:-}
	local ex=""

	[ "$ns" = init ] || ex="ip netns exec $ns"
	$ex bash -c "
		echo rem_device_all > $PG/kpktgend_0
		echo 'add_device $dev' > $PG/kpktgend_0
		p=$PG/$dev
		echo 'count $COUNT' > \$p
		echo 'pkt_size 64' > \$p
		echo 'clone_skb 0' > \$p
		echo 'burst 1' > \$p
		echo 'delay 0' > \$p
		echo 'xmit_mode $mode' > \$p
		echo 'src_min 192.0.2.254' > \$p
		echo 'src_max 192.0.2.254' > \$p
		echo 'udp_dst_min 9' > \$p
		echo 'udp_dst_max 9' > \$p
		echo 'dst_mac $mac' > \$p
		if [ -n '$dmax' ]; then
			echo 'dst_min $dst' > \$p
			echo 'dst_max $dmax' > \$p
			echo 'flag IPDST_RND' > \$p
		else
			echo 'dst $dst' > \$p
		fi
		echo start > $PG/pgctrl
		sed -n 's/^ *\([0-9]*\)pps.*/\1/p' \$p
	"
}

pg_reps() {
	for _ in $(seq "$REPS"); do
		pg_run "$@"
	done | stats
}

mac_of() {
	ip ${2:+-n $2} link show "$1" | awk '/link\/ether/ { print $2 }'
}

# --- RX -------------------------------------------------------------------

# The sink: nftables drops the frames at PREROUTING, before routing, so
# that the figure is the cost of getting a frame from the master to the
# receiving device and not of the IP stack behind it.  The sink sits where
# the frames should land and counts them there: a driver that lost or
# misdirected frames would otherwise look fast.  Where master and slaves
# share a namespace (the scaling runs), frames left on the master are
# counted apart.
#
# sink_add NETNS COUNTER
sink_add() {
	local ex="" rule

	[ "$1" = init ] || ex="ip netns exec $1"
	case "$2" in
	on_master) rule='udp dport 9 counter name "on_master" drop' ;;
	on_slave) rule='udp dport 9 iifname != "eth0" counter name "on_slave" drop' ;;
	esac
	$ex nft -f - <<-EOF
	table ip ipvlan_bench {
		counter on_master { }
		counter on_slave { }
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			$rule
			udp dport 9 counter name "on_master" drop
		}
	}
	EOF
}

# sink_count NS COUNTER: packets the sink counted
sink_count() {
	local ex=""

	[ "$1" = init ] || ex="ip netns exec $1"
	$ex nft list counter ip ipvlan_bench "$2" 2>/dev/null |
		awk '/packets/ { print $2 }'
}

# Warn when fewer than 99% of the frames sent reached where they should.
sink_check() {
	local name=$1 ns=$2 counter=$3 sent=$4 got

	got=$(sink_count "$ns" "$counter")
	[ "${got:-0}" -ge $((sent - sent / 100)) ] ||
		log "$name: $got of $sent frames reached the $counter sink"
}

# rx_once NAME KIND MODE SINK: one RX measurement.  SINK is nft (drop at
# PREROUTING) or stack (UDP to a closed port: the whole IP receive path).
rx_once() {
	local name=$1 kind=$2 mode=$3 sink=$4
	local addr mac ns=ns0 counter=on_slave pps

	use_driver "$kind"
	make_wire
	if [ "$kind" = none ]; then
		addr=192.0.2.1
		mac=$(mac_of eth0)
		ns=init
		counter=on_master
	else
		addr=$(make_slave "$kind" "$mode")
		mac=$(mac_of ipvl0 ns0)
	fi
	[ "$sink" = nft ] && sink_add "$ns" "$counter"
	pps=$(pg_run init eth0 netif_receive "$addr" "$mac")
	[ "$sink" = nft ] && sink_check "$name" "$ns" "$counter" "$COUNT"
	[ "$ns" = init ] && nft delete table ip ipvlan_bench 2>/dev/null
	sample "rx_${sink}_pps" "$name" "$pps"
}

# --- TX -------------------------------------------------------------------

tx_once() {
	local name=$1 kind=$2 mode=$3
	local dev=ipvl0 ns=ns0

	use_driver "$kind"
	ip netns add ns0
	ip -n ns0 link set lo up
	ip link add dummy0 type dummy
	ip addr add 192.0.2.1/24 dev dummy0
	ip link set dummy0 up
	case "$kind" in
	none) dev=dummy0; ns=init ;;
	macvlan) ip link add link dummy0 name ipvl0 type macvlan mode bridge ;;
	*) ip link add link dummy0 name ipvl0 type ipvlan mode "$mode" ;;
	esac
	if [ "$kind" != none ]; then
		ip link set ipvl0 netns ns0
		ip -n ns0 addr add 192.0.2.10/24 dev ipvl0
		ip -n ns0 link set ipvl0 up
	fi
	sample tx_pps "$name" \
		"$(pg_run "$ns" "$dev" start_xmit 192.0.2.254 02:00:00:00:00:fe)"
}

# --- TCP ------------------------------------------------------------------

iperf_once() {
	local ex=$1 to=${2:-192.0.2.254}

	$ex iperf3 -c "$to" -t "$TCP_SECS" -J 2>/dev/null |
		python3 -c 'import json,sys
d = json.load(sys.stdin)
print(int(d["end"]["sum_received"]["bits_per_second"] / 1e6))'
}

tcp_once() {
	local name=$1 kind=$2 mode=$3
	local ex="ip netns exec ns0"

	use_driver "$kind"
	make_wire
	if [ "$kind" = none ]; then
		ex=""
	else
		make_slave "$kind" "$mode" >/dev/null
	fi
	ip netns exec wire iperf3 -s -D -B 192.0.2.254 >/dev/null 2>&1
	sleep 0.5
	sample tcp_mbps "$name" "$(iperf_once "$ex")"
	pkill iperf3
}

# --- Host <-> slave --------------------------------------------------------
#
# The host (192.0.2.1, init namespace) and ns0's slave with host reach on,
# against a veth pair between the same two: TCP each way, and the round
# trip of a ping flood.  HOST_VARIANTS: veth, ours-l2, ours-l3.

HOST_VARIANTS=${HOST_VARIANTS:-veth ours-l2 ours-l3}

# host_link VARIANT: ns0 at 192.0.2.10 (veth, L2) or 198.51.100.10 (L3),
# reached from the host; prints the address.
host_link() {
	case "$1" in
	veth)
		use_driver none
		make_wire
		ip link add hv0 type veth peer name ipvl0 netns ns0
		ip addr add 192.0.2.100/32 dev hv0
		ip link set hv0 up
		ip route add 192.0.2.10/32 dev hv0
		ip -n ns0 addr add 192.0.2.10/24 dev ipvl0
		ip -n ns0 link set ipvl0 up
		ip -n ns0 route add default dev ipvl0
		echo 192.0.2.10
		;;
	ours-*)
		use_driver ours
		echo 1 >/sys/module/ipvlan/parameters/host_reach
		make_wire
		ip route add 198.51.100.0/24 dev eth0
		make_slave ours "${1#ours-}"
		echo 0 >/sys/module/ipvlan/parameters/host_reach
		;;
	esac
}

host_once() {
	local v=$1 addr rtt

	addr=$(host_link "$v")
	ip netns exec ns0 iperf3 -s -D >/dev/null 2>&1
	iperf3 -s -D -B 192.0.2.1 >/dev/null 2>&1
	sleep 0.5
	sample host_to_slave_mbps "$v" "$(iperf3 -c "$addr" -t "$TCP_SECS" -J \
		2>/dev/null | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(int(d["end"]["sum_received"]["bits_per_second"] / 1e6))')"
	sample slave_to_host_mbps "$v" "$(iperf_once "ip netns exec ns0" 192.0.2.1)"
	rtt=$(ping -f -q -c 2000 "$addr" 2>/dev/null |
		sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p')
	sample host_rtt_us "$v" "$(awk -v r="${rtt:-0}" 'BEGIN { printf "%d", r * 1000 }')"
	pkill iperf3
	ip link del hv0 2>/dev/null
	ip route del 198.51.100.0/24 2>/dev/null
	return 0
}

host_part() {
	local v

	echo
	echo "## host <-> slave: host reach on, against a veth pair"
	for _ in $(seq "$REPS"); do
		for v in $HOST_VARIANTS; do
			host_once "$v"
		done
	done
	# shellcheck disable=SC2086 # the variants, a word each
	report host_to_slave_mbps $HOST_VARIANTS
	# shellcheck disable=SC2086
	report slave_to_host_mbps $HOST_VARIANTS
	# shellcheck disable=SC2086
	report host_rtt_us $HOST_VARIANTS
	printf '%-28s %s\n' "host->slave ours L2/veth" \
		"$(ratio host_to_slave_mbps ours-l2 veth)"
	printf '%-28s %s\n' "slave->host ours L2/veth" \
		"$(ratio slave_to_host_mbps ours-l2 veth)"
	printf '%-28s %s\n' "rtt ours L2/veth" "$(ratio host_rtt_us ours-l2 veth)"
	printf '%-28s %s\n' "rtt ours L3/veth" "$(ratio host_rtt_us ours-l3 veth)"
}

# --- Scale ----------------------------------------------------------------

# ip -batch, in chunks: iproute2 6.1 crashes on very long batches
batch() {
	local dir

	dir=$(mktemp -d)
	split -l 4000 "$1" "$dir/chunk."
	for f in "$dir"/chunk.*; do
		ip -batch "$f" || echo "# ip -batch failed on $f"
	done
	rm -rf "$dir"
}

# addr_of N: the Nth address of 10.0.0.0/8 (N from 0)
addr_of() {
	echo "10.$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"
}

now_ms() {
	date +%s%3N
}

# scale_variant DRIVER ADDRS SLAVES: RX pps with ADDRS addresses spread over
# SLAVES slaves of one port, and the times to set it all up and down.
scale_variant() {
	local drv=$1 n=$2 slaves=$3
	local t0 t1 t2 t3 t4 mac pps

	use_driver "$drv"
	make_wire
	# one awk, not a process per line: forks are slow under UML
	awk -v s="$slaves" 'BEGIN {
		for (i = 0; i < s; i++)
			printf "link add link eth0 name s%d type ipvlan mode l3\n", i
		for (i = 0; i < s; i++)
			printf "link set s%d up\n", i }' >/tmp/ipvlan_bench.slaves
	awk -v n="$n" -v s="$slaves" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "addr add 10.%d.%d.%d/32 dev s%d\n", int(i / 65536) % 256,
				int(i / 256) % 256, i % 256, i % s }' >/tmp/ipvlan_bench.addrs
	t0=$(now_ms)
	batch /tmp/ipvlan_bench.slaves
	t1=$(now_ms)
	batch /tmp/ipvlan_bench.addrs
	t2=$(now_ms)
	mac=$(mac_of eth0)
	# slaves and master share the init namespace: the sink tells them apart
	sink_add init on_slave
	pps=$(pg_reps init eth0 netif_receive "$(addr_of 0)" "$mac" \
		"$(addr_of $((n - 1)))")
	sink_check "$drv/$n/$slaves" init on_slave $((REPS * COUNT))
	nft delete table ip ipvlan_bench
	t3=$(now_ms)
	ip link del eth0
	t4=$(now_ms)
	record scale_pps "$drv/$n/$slaves" "$pps"
	printf '%-10s %-10s create %s ms, addresses %s ms, delete %s ms\n' \
		scale_time "$drv/$n/$slaves" $((t1 - t0)) $((t2 - t1)) $((t4 - t3))
	# creating and deleting the slaves: the deletion takes the addresses too
	RESULTS+=("slaves_ms $drv/$n/$slaves $((t1 - t0 + t4 - t3)) 0 0")
	RESULTS+=("addrs_ms $drv/$n/$slaves $((t2 - t1)) 0 0")
}

ratio() {
	local a b

	a=$(printf '%s\n' "${RESULTS[@]}" | awk -v k="$1" -v v="$2" '$1 == k && $2 == v { print $3 }')
	b=$(printf '%s\n' "${RESULTS[@]}" | awk -v k="$1" -v v="$3" '$1 == k && $2 == v { print $3 }')
	awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'
}

summary() {
	local sink

	echo
	echo "## ratios (median/median)"
	for sink in nft stack; do
		printf '%-28s %s\n' "RX ($sink) ours/stock L2" \
			"$(ratio rx_${sink}_pps ours-l2 stock-l2)"
		printf '%-28s %s\n' "RX ($sink) ours/stock L3" \
			"$(ratio rx_${sink}_pps ours-l3 stock-l3)"
		printf '%-28s %s\n' "RX ($sink) ours L2/bare veth" \
			"$(ratio rx_${sink}_pps ours-l2 veth)"
		printf '%-28s %s\n' "RX ($sink) ours L3/bare veth" \
			"$(ratio rx_${sink}_pps ours-l3 veth)"
		printf '%-28s %s\n' "RX ($sink) ours L2/macvlan" \
			"$(ratio rx_${sink}_pps ours-l2 macvlan)"
	done
	printf '%-28s %s\n' "TX ours/stock L2" "$(ratio tx_pps ours-l2 stock-l2)"
	printf '%-28s %s\n' "TX ours/stock L3" "$(ratio tx_pps ours-l3 stock-l3)"
	printf '%-28s %s\n' "TCP ours/stock L2" "$(ratio tcp_mbps ours-l2 stock-l2)"
	printf '%-28s %s\n' "TCP ours/stock L3" "$(ratio tcp_mbps ours-l3 stock-l3)"
}

# run_part PART: REPS rounds, every variant once per round
run_part() {
	local part=$1 names=() v name kind mode

	for v in $VARIANTS; do
		names+=("${v%%:*}")
	done
	for _ in $(seq "$REPS"); do
		for v in $VARIANTS; do
			IFS=: read -r name kind mode <<<"$v"
			case "$part" in
			rx)
				rx_once "$name" "$kind" "$mode" nft
				rx_once "$name" "$kind" "$mode" stack
				;;
			tx) tx_once "$name" "$kind" "$mode" ;;
			tcp) tcp_once "$name" "$kind" "$mode" ;;
			esac
		done
	done
	case "$part" in
	rx)
		report rx_nft_pps "${names[@]}"
		report rx_stack_pps "${names[@]}"
		;;
	tx) report tx_pps "${names[@]}" ;;
	tcp) report tcp_mbps "${names[@]}" ;;
	esac
}

scale_part() {
	local d n s

	echo
	echo "## scaling: RX pps with N addresses over S slaves"
	for n in $SCALE; do
		for s in 1 "$SLAVES_MAX"; do
			[ "$s" -gt "$n" ] && continue
			for d in stock ours; do
				scale_variant "$d" "$n" "$s"
			done
		done
	done
	echo
	echo "## scaling ratios"
	for s in 1 "$SLAVES_MAX"; do
		for d in stock ours; do
			printf '%-28s %s\n' "$d pps 65536/1 (S=$s)" \
				"$(ratio scale_pps "$d/65536/$s" "$d/1/1")"
		done
	done
	printf '%-28s %s\n' "slaves create+delete ours/stock" \
		"$(ratio slaves_ms "ours/$SLAVES_MAX/$SLAVES_MAX" \
			"stock/$SLAVES_MAX/$SLAVES_MAX")"
	printf '%-28s %s\n' "65536 addresses add ours/stock" \
		"$(ratio addrs_ms ours/65536/1 stock/65536/1)"
}

main() {
	local part

	[ -d "$PG" ] || modprobe pktgen 2>/dev/null
	[ -d "$PG" ] || { echo "no pktgen"; exit 4; }
	echo "# ipvlan benchmark: kernel $(uname -r), REPS=$REPS COUNT=$COUNT"
	echo "# $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2)"
	echo "# kind       variant          median"
	for part in rx tx tcp; do
		case " $PARTS " in *" $part "*) run_part "$part" ;; esac
	done
	summary
	case " $PARTS " in *" host "*) host_part ;; esac
	case " $PARTS " in *" scale "*) [ -z "$SCALE" ] || scale_part ;; esac
	use_driver none
}

main "$@"
