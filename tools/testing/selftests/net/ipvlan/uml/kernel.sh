#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and cache a User-Mode Linux kernel from Debian's
# linux-source-6.12, with CONFIG_IPVLAN=m so that the stock ipvlan.ko is
# built beside ours.  Prints the kernel's build directory on stdout.
#
#   kernel.sh [debug|perf]
#   kernel.sh source	only unpacks the source, and prints its directory
#
# The kernel is rebuilt only when the config fragments or the source change.
# BUILD (default: <repo>/build) holds the unpacked source and the kernels.
# What the steps print (apt, kconfig, the compiler) goes to
# $BUILD/logs/kernel-<version>-<flavor>.log; on stderr, one line a step.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
flavor=${1:-debug}
build=${BUILD:-$top/build}
kver=${KVER:-6.12}
tarball=/usr/src/linux-source-$kver.tar.xz
src=$build/linux-source-$kver
out=$build/uml-$kver-$flavor
jobs=$(($(nproc) + 1))
steps_log=$build/logs/kernel-$kver-$flavor.log
steps_logged=0

log() { echo "uml: $*" >&2; }

# quietly CMD...: runs CMD with its output in steps_log, which the first
# call of a run empties; when CMD fails, names the log and prints its end.
quietly() {
	if [ "$steps_logged" = 0 ]; then
		mkdir -p "${steps_log%/*}"
		: >"$steps_log"
		steps_logged=1
	fi
	"$@" >>"$steps_log" 2>&1 && return 0
	log "failed: $*"
	log "its log: ${steps_log#"$top"/}, whose last 30 lines are:"
	tail -n 30 "$steps_log" >&2
	exit 1
}

case "$flavor" in
debug|perf|source) ;;
*) log "unknown flavor '$flavor' (debug, perf or source)"; exit 2 ;;
esac

# Everything a fresh Debian machine lacks to build the kernel and run
# tests.  The kernel's source is Debian's linux-source-KVER: from the
# machine's own apt when it has it (Debian 12 has 6.1 and 6.12), else
# from unstable through fetch-source.sh, which changes nothing on the
# machine and unpacks it under BUILD itself.
need_pkgs() {
	local pkgs=(bc flex bison libelf-dev libssl-dev
		    make gcc kmod iproute2 iputils-ping iperf3 ethtool
		    nftables tcpdump python3 xz-utils
		    containernetworking-plugins python3-pyroute2 jq)
	local missing=()
	local p

	[ -f "$src/Makefile" ] || [ -f "$tarball" ] ||
		pkgs+=("linux-source-$kver")
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install these packages first: ${missing[*]}"
		exit 4
	fi
	quietly apt-get update
	if ! apt-cache show "linux-source-$kver" >/dev/null 2>&1; then
		pkgs=("${missing[@]}")
		missing=()
		for p in "${pkgs[@]}"; do
			[ "$p" = "linux-source-$kver" ] || missing+=("$p")
		done
		[ ${#missing[@]} -eq 0 ] && return 0
	fi
	log "installing packages: ${missing[*]}..."
	quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		"${missing[@]}"
}

unpack() {
	[ -f "$src/Makefile" ] && return 0
	if [ ! -f "$tarball" ]; then
		log "linux-source-$kver: not in this machine's apt, fetching it from unstable..."
		quietly "$here/fetch-source.sh" --unpack "linux-source-$kver"
		return 0
	fi
	log "unpacking $tarball..."
	mkdir -p "$build"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	quietly tar -xf "$tarball" -C "$src.tmp"
	mv "$src.tmp/linux-source-$kver" "$src"
	rmdir "$src.tmp"
}

fragments() {
	echo "$here/../config"
	echo "$here/uml.config"
	echo "$here/$flavor.config"
	# what an older kernel cannot have, e.g. debug-6.1.config
	[ ! -f "$here/$flavor-$kver.config" ] || echo "$here/$flavor-$kver.config"
}

# The key names the source version and every fragment's content.
cache_key() {
	{
		# the installed tarball, or the package fetch-source.sh unpacked
		stat -c '%s %Y' "$tarball" 2>/dev/null ||
			cat "$src/.debian-package"
		fragments | xargs cat
	} | sha256sum | cut -d' ' -f1
}

# Fail loudly when a fragment asked for an option the kernel refused.  A
# later fragment overrides an earlier one, as merge_config.sh does; "# X is
# not set" asks for n.
check_config() {
	local -A want=()
	local line opt got bad=0

	while read -r line; do
		case "$line" in
		CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			want[${opt%% *}]=n
			;;
		esac
	done < <(fragments | xargs cat)
	for opt in "${!want[@]}"; do
		got=$(grep -E "^$opt=|^# $opt is not set" "$out/.config" || true)
		if [ "${want[$opt]}" = n ]; then
			case "$got" in
			"$opt="*) log "$opt: asked n, got '$got'"; bad=1 ;;
			esac
		elif [ "$got" != "$opt=${want[$opt]}" ]; then
			log "$opt: asked ${want[$opt]}, got '${got:-nothing}'"
			bad=1
		fi
	done
	return $bad
}

# defconfig, then the fragments over it
merge_fragments() {
	# shellcheck disable=SC2046
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" $(fragments))
}

build_kernel() {
	local key=$1 start

	start=$(date +%s)
	log "configuring UML $kver ($flavor) in $out..."
	mkdir -p "$out"
	rm -f "$out/.ipvlan-key"
	quietly make -C "$src" O="$out" ARCH=um defconfig
	quietly merge_fragments
	quietly make -C "$src" O="$out" ARCH=um olddefconfig
	check_config || { log "config check failed"; exit 1; }
	log "building (log: ${steps_log#"$top"/})..."
	quietly make -C "$out" ARCH=um -j"$jobs"
	echo "$key" >"$out/.ipvlan-key"
	log "done in $(($(date +%s) - start)) s"
}

# wait_lock FD WHAT: takes the lock open on FD, saying so when it waits.
# Two runs never unpack one source, nor build one kernel, at once: the
# second waits, then finds the first's work done.
wait_lock() {
	flock -n "$1" && return 0
	log "waiting for another kernel.sh to finish with $2..."
	flock "$1"
}

need_pkgs
mkdir -p "$build"
(
	wait_lock 8 "${src##*/}"
	unpack
) 8>"$src.lock"
if [ "$flavor" = source ]; then
	echo "$src"
	exit 0
fi
exec 9>"$out.lock"
wait_lock 9 "${out##*/}"
key=$(cache_key)
if [ ! -x "$out/linux" ] || [ "$(cat "$out/.ipvlan-key" 2>/dev/null)" != "$key" ]; then
	build_kernel "$key"
fi
echo "$out"
