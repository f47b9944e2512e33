# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the fuzz, stress and regression scripts: the frame fuzzer
# binary, built on the fly, and namespaces that ignore what fuzzed frames
# tell them (router advertisements, redirects).

# shellcheck disable=SC2034 # the scripts that source this run it
FUZZ_FRAMES=$IPVLAN_SELFTESTS/ipvlan_fuzz_frames

# Build ipvlan_fuzz_frames when missing or older than its source; skip the
# whole script (exit 4) when that needs gcc and there is none.
require_fuzz_frames() {
	build_helper ipvlan_fuzz_frames ||
		skip_all "needs gcc to build ipvlan_fuzz_frames"
}

# ns_harden NS...: namespaces that a fuzzer's RAs, redirects and ARP
# cannot reconfigure.
ns_harden() {
	ns_sysctl "$@" -- net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_redirects=0 \
		net.ipv6.conf.default.accept_redirects=0 \
		net.ipv4.conf.all.accept_redirects=0 \
		net.ipv4.conf.default.accept_redirects=0
}

# The MAC address of DEV in namespace NS.
dev_mac() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}
