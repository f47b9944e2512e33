# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the ipvlan selftests: KTAP output, unique namespaces
# cleaned up on exit, and assertions that say what they saw.
#
# IPVLAN=stock marks a run against Linux's own ipvlan.ko; a test of one of
# this project's improvements calls improvement() to skip itself there, and
# one of what Linux's ipvlan learned only after an older kernel we support
# uses run_improvement_before.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

IPVLAN=${IPVLAN:-ours}
IPVLAN_SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ktap_n=0
ktap_fail=0
ktap_plan=0
NS_LIST=()
CONTAINERS=()

ktap_plan() {
	ktap_plan=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $*"
}

ktap_not_ok() {
	ktap_n=$((ktap_n + 1))
	ktap_fail=$((ktap_fail + 1))
	echo "not ok $ktap_n $*"
}

ktap_skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP ${2:-}"
}

# Skip the whole script (exit 4) when something it needs is missing.
skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

require_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "needs $c"
	done
}

# Namespaces named uniquely, all deleted on exit.
make_ns() {
	local var=$1
	local name

	name="ipvl-$var-$(mktemp -u XXXXXX)"
	ip netns add "$name"
	ip -n "$name" link set lo up
	ns_tune "$name"
	NS_LIST+=("$name")
	printf -v "$var" '%s' "$name"
}

lib_cleanup() {
	local ns pid

	for pid in "${CONTAINERS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	CONTAINERS=()
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	NS_LIST=()
}

# Run one test function in a subshell with errexit: any failing command
# fails the test.  Namespaces it makes are deleted when it ends.
run_test() {
	local name=$1
	local out rc start=$SECONDS

	shift
	set +e
	out=$(NS_LIST=(); CONTAINERS=(); trap lib_cleanup EXIT; set -e; "$@" 2>&1)
	rc=$?
	set -e
	if [ "$rc" -eq 0 ]; then
		[ -n "${VERBOSE:-}" ] && [ -n "$out" ] && echo "$out" | sed 's/^/# /'
		ktap_ok "$name"
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		ktap_not_ok "$name"
	fi
	echo "# in $((SECONDS - start)) s"
	return 0
}

# A behaviour where this project deliberately differs from stock.
improvement() {
	[ "$IPVLAN" != stock ]
}

run_improvement() {
	local name=$1

	if ! improvement; then
		ktap_skip "$name" "improvement over stock ipvlan"
		return
	fi
	run_test "$@"
}

# kernel_before X.Y: is the running kernel older than Linux X.Y?
kernel_before() {
	local want=$1 have

	have=$(uname -r | cut -d. -f1,2)
	[ "$have" != "$want" ] &&
		[ "$(printf '%s\n%s\n' "$have" "$want" | sort -V | head -n 1)" = "$have" ]
}

# run_improvement_before X.Y name fn...: a check that Linux's own ipvlan
# passes from X.Y on (what it learned between 6.1 and X.Y); older stock
# modules skip it.
run_improvement_before() {
	local version=$1 name=$2

	if ! improvement && kernel_before "$version"; then
		ktap_skip "$name" "improvement over stock ipvlan before Linux $version"
		return
	fi
	shift
	run_test "$@"
}

ktap_finish() {
	lib_cleanup
	if [ "$ktap_n" -ne "$ktap_plan" ]; then
		echo "# planned $ktap_plan tests, ran $ktap_n"
		exit $KSFT_FAIL
	fi
	[ "$ktap_fail" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# Run a command that must fail; check the message it prints.
# expect_error PATTERN cmd...
expect_error() {
	local pattern=$1
	local out

	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded, expected an error matching '$pattern'"
		return 1
	fi
	echo "$out" | grep -Eq -- "$pattern" ||
		fail "'$*' said '$out', expected '$pattern'"
}

# Poll for up to ~10 s instead of sleeping a fixed time.
wait_for() {
	for _ in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

# ping_ok NS ADDR: one reply within 2 s.
ping_ok() {
	ip netns exec "$1" ping -q -c 1 -W 2 "$2" >/dev/null ||
		fail "ping from $1 to $2 got no reply"
}

ping_fails() {
	if ip netns exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1; then
		fail "ping from $1 to $2 got a reply"
		return 1
	fi
}

# A master for slaves: one end of a veth pair in $1, named $2; the other
# end, named $4, in namespace $3.
make_wire() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

no_slaves_in() {
	[ "$(link_count "$1")" -eq 0 ]
}

link_count() {
	ip -n "$1" -o link show type ipvlan 2>/dev/null | wc -l
}

ipvlan_loaded() {
	[ -d /sys/module/ipvlan ]
}

# ipvlan_nl NS ARGS...: raw rtnetlink request from namespace NS.
ipvlan_nl() {
	local ns=$1

	shift
	ip netns exec "$ns" python3 "$IPVLAN_SELFTESTS/ipvlan_nl.py" "$@"
}

# expect_errno NS ERRNO ARGS...: the request fails with exactly ERRNO.
expect_errno() {
	local ns=$1
	local want=$2
	local out

	shift 2
	out=$(ipvlan_nl "$ns" "$@") && fail "'$*' succeeded, want $want"
	case "$out" in
	"error $want:"*) ;;
	*) fail "'$*' said '$out', want $want" ;;
	esac
}

# Make a namespace quiet and quick for traffic tests: no DAD, answers to
# broadcast and multicast echo requests.
ns_tune() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv4.icmp_echo_ignore_broadcasts=0 >/dev/null
}

# responders NS ARGS...: the distinct addresses that answered a ping.
responders() {
	local ns=$1

	shift
	ip netns exec "$ns" ping -q -c 2 -i 0.3 -w 2 "$@" 2>/dev/null >/dev/null || true
	ip netns exec "$ns" ping -c 2 -i 0.3 -w 2 "$@" 2>/dev/null |
		sed -n 's/^[0-9]* bytes from \([^ ]*\): .*/\1/p' |
		sed 's/%.*//; s/:$//' | sort -u
}

# container: a process in a new user namespace (root mapped to root) and
# a new netns owned by it.  Sets $cpid; lib_cleanup kills it.
container() {
	unshare --user --map-root-user --net sleep 300 >/dev/null 2>&1 &
	cpid=$!
	CONTAINERS+=("$cpid")
	wait_for in_own_userns "$cpid"
}

in_own_userns() {
	[ "$(readlink "/proc/$1/ns/user")" != "$(readlink /proc/self/ns/user)" ] &&
		[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# as_container CMD...: run CMD as the container's root.
as_container() {
	nsenter --target "$cpid" --user --net -- "$@"
}

# as_admin CMD...: run CMD in the container's netns with all capabilities
# of the initial user namespace.
as_admin() {
	nsenter --target "$cpid" --net -- "$@"
}
