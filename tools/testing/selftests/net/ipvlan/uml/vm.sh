#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the project's UML kernel with the host's filesystem as root, install
# the chosen ipvlan.ko in a private /lib/modules inside it, run a command
# there (init.sh is the VM's init), and fail on its exit code, on a VM
# that did not reach the end of its teardown, or on any kernel report.
#
#   vm.sh [--ipvlan ours|stock] [--flavor debug|perf] [--timeout S] -- cmd...
#
# KVER in the environment (6.12 unless set, e.g. 6.1) picks the kernel's
# source: kernel.sh reads it.  VM_LOG_TAG, when set, is added to the names
# of the logs kept in build/logs/ (the console, the kernel log, kmemleak's
# report), for VMs of one kernel and driver that run side by side.
#
# Inside, the command finds: IPVLAN (ours|stock), IPVLAN_KO (the module's
# path), IPVLAN_TOP (the repository), IPVLAN_KDIR (the kernel's build),
# IPVLAN_OURS_DIR and IPVLAN_STOCK_DIR (both builds, for benchmarks that
# swap them) and the modules installed so that "modprobe ipvlan" and
# "ip link add ... type ipvlan" load the chosen one.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
ipvlan=ours
flavor=debug
timeout=3600

usage() {
	echo "usage: $0 [--ipvlan ours|stock] [--flavor debug|perf] [--timeout S] -- cmd..." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--ipvlan) ipvlan=$2; shift 2 ;;
	--flavor) flavor=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage
case "$ipvlan" in ours|stock) ;; *) usage ;; esac

log() { echo "vm: $*" >&2; }

kdir=$("$here/kernel.sh" "$flavor")
kver=$(cat "$kdir/include/config/kernel.release")
logname=$kver-$flavor-$ipvlan${VM_LOG_TAG:+-$VM_LOG_TAG}

# Our modules are built from a copy per kernel, so that runs against
# different kernels (debug, perf) at the same time do not mix objects.
build_ours() {
	local dir

	dir=$top/build/mod-$(basename "$kdir")

	mkdir -p "$dir"
	# one build at a time per directory: runs may start together
	(
		flock 9
		cd "$top" && cp -p Makefile ./*.c ./*.h "$dir/"
		make -s -C "$kdir" ARCH=um M="$dir" modules >&2
	) 9>"$dir.lock" || exit 1
	echo "$dir"
}

ours_dir=$(build_ours)
stock_dir=$kdir/drivers/net/ipvlan
if [ "$ipvlan" = ours ]; then
	kodir=$ours_dir
else
	kodir=$stock_dir
fi
for m in ipvlan ipvtap; do
	[ -f "$kodir/$m.ko" ] || { log "no module at $kodir/$m.ko"; exit 1; }
done

# A private module tree: the chosen ipvlan.ko and ipvtap.ko, and the
# kernel's other modules.
run=$(mktemp -d "$top/build/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
mods=$run/lib/modules/$kver
mkdir -p "$mods/kernel" "$mods/extra"
(cd "$kdir" && find . -name '*.ko' ! -path './drivers/net/ipvlan/*' \
	-exec cp --parents {} "$mods/kernel/" \;)
cp "$kodir/ipvlan.ko" "$kodir/ipvtap.ko" "$mods/extra/"
cp "$kdir/modules.builtin" "$kdir/modules.builtin.modinfo" "$mods/" \
	2>/dev/null || true
touch "$mods/modules.order"
depmod -b "$run" "$kver"

# /lib/modules is where modprobe looks: it must exist to be mounted over.
[ -d /lib/modules ] || mkdir -p /lib/modules

# The command, for init.sh: its words, each ended by a NUL.
printf '%s\0' "$@" >"$run/cmd"

# init.sh's environment: the kernel hands init the command line's
# NAME=value words, which therefore hold no space.
vm_env=(IPVLAN_RUN="$run" IPVLAN="$ipvlan" IPVLAN_KO="$mods/extra/ipvlan.ko"
	IPVLAN_TOP="$top" IPVLAN_KDIR="$kdir"
	IPVLAN_OURS_DIR="$ours_dir" IPVLAN_STOCK_DIR="$stock_dir")
for v in "${vm_env[@]}"; do
	case "$v" in
	*[[:space:]]*) log "a path with a space cannot reach the VM: $v"; exit 1 ;;
	esac
done

# On 6.12, a WARN() stops the VM at once, its report last on the console.
# Not on 6.1, whose UML raises WARNINGs of its own in every boot (see
# known-6.1.awk); there, as for the reports that do not panic (lockdep,
# RCU, kmemleak), the kernel log's scan below finds them.
kargs=()
case "$kver-$flavor" in
6.1.*) ;;
*-debug) kargs+=(panic_on_warn=1) ;;
esac

# The console goes to stdout and to a file, where vm.sh looks for
# init.sh's success line and a panic's report.  UML, when it panics,
# kills its process group: timeout gives it one of its own, and at the
# end of the time kills it, as a SIGTERM makes UML report a bug of its own
# on its way out.
console=$run/console
mkfifo "$run/console.fifo"
tee "$console" <"$run/console.fifo" &
tee_pid=$!
log "booting $kver ($flavor) with $ipvlan ipvlan.ko"
start=$(date +%s)
ulimit -c 0
timeout -s KILL "$timeout" "$kdir/linux" mem=1G \
	rootfstype=hostfs rootflags=/ rw init="$here/init.sh" \
	bonding.max_bonds=0 dummy.numdummies=0 "${kargs[@]}" \
	con=null con0=null,fd:1 quiet "${vm_env[@]}" \
	</dev/null >"$run/console.fifo" &
vm_pid=$!
# Stopped from outside (^C, CI's own timeout), vm.sh stops the VM too:
# timeout and UML's processes are the process group vm_pid leads.
# shellcheck disable=SC2317 # called by the traps
stop_vm() {
	kill -KILL -- "-$vm_pid" 2>/dev/null || kill "$vm_pid" 2>/dev/null
	wait "$vm_pid" 2>/dev/null || true
	log "stopped by SIG$1, and the VM with it"
	exit "$2"
}
trap 'stop_vm INT 130' INT
trap 'stop_vm TERM 143' TERM
trap 'stop_vm HUP 129' HUP
boot_rc=0
# (no "Aborted" notice from bash when the VM panics: vm.sh says more)
wait "$vm_pid" 2>/dev/null || boot_rc=$?
trap - INT TERM HUP
wait "$tee_pid" || true
ran=$(($(date +%s) - start))
log "VM ran for ${ran}s"

# One log per kernel, driver and VM_LOG_TAG: CI runs VMs side by side.
mkdir -p "$top/build/logs"
console_log=build/logs/console-$logname.log
cp "$console" "$top/$console_log"

# A panic's report on the console, from the "cut here" line of the WARN()
# that caused it if any.
panic_report() {
	local panic from

	panic=$(grep -n -m1 'Kernel panic' "$console" | cut -d: -f1)
	[ -n "$panic" ] || return 0
	from=$(head -n "$panic" "$console" | grep -n 'cut here' | tail -n 1 |
		cut -d: -f1)
	echo "vm: kernel panic:"
	sed -n "${from:-$panic},\$p" "$console" | head -n 60
}

# Why init.sh did not print its success line; returns the run's status.
no_success() {
	local rc

	rc=$(cat "$run/rc" 2>/dev/null || true)
	case "$rc" in
	0)
		log "the teardown did not end cleanly: see the lines 'vm: [...]' above"
		return 1
		;;
	?*)
		log "the command exited with $rc"
		return "$rc"
		;;
	esac
	if [ "$boot_rc" = 137 ] && [ "$ran" -ge "$timeout" ]; then
		log "the VM ran out of its $timeout s before the teardown ended"
	else
		log "the VM stopped before the teardown ended (exit $boot_rc)"
	fi
	log "its console: $console_log"
	panic_report >&2
	if [ -f "$run/dmesg.stall" ]; then
		cp "$run/dmesg.stall" "$top/build/logs/dmesg-$logname.stall.log"
		log "its kernel log at the stall: build/logs/dmesg-$logname.stall.log"
	fi
	return 1
}

# init.sh prints its success line last, and only when the command exited
# 0 and the teardown ended: a VM that died midway has none.
status=0
grep -Eq $'^ipvlan-vm: success\r?$' "$console" || no_success || status=$?

# Any of these in the kernel log fails the run, whatever the tests said.
# WARN() and lockdep start their line with "WARNING:"; drivers' own
# messages that merely contain the word (pktgen's) do not count.
splat='BUG:|(^|\] )WARNING:|KASAN|Kernel panic|possible recursive locking|'
splat+='possible circular locking|suspicious RCU usage|unreferenced object|'
splat+='refcount_t:|ref_tracker|leaked|INFO: task .* blocked|'
splat+='soft lockup|unregister_netdevice: waiting|general protection'

# Linux 6.1's UML reports bugs of its own in every boot, whatever the
# driver: known-6.1.awk marks those of the kernel log, kmemleak.awk those
# of kmemleak's report, and the objects allocated before the command.
# kmemleak.awk's frames: those of ipvlan and ipvtap, or a bare address (a
# module unloaded since); those of the allocators.
frame='^ +\\[<[0-9a-f]+>\\] '
ours_frames="$frame(ipvlan|ipvtap)_|\\[(ipvlan|ipvtap)\\]$|${frame}0x[0-9a-f]+$"
alloc_frames="$frame(save_stack_trace|stack_trace_save|set_track_prepare|"
alloc_frames+="_*create_object|kmemleak_[a-z_]+|slab_post_alloc_hook|_*kmem_cache_"
alloc_frames+="[a-z_]+|_*kmalloc[a-z_]*|kvmalloc[a-z_]*|_*vmalloc[a-z_]*|"
alloc_frames+="_*alloc_pages[a-z_]*|_*alloc_skb|skb_clone|_*pskb_copy[a-z_]*|"
alloc_frames+="skb_copy[a-z_]*|_*netdev_alloc_skb|pskb_expand_head)[.+]"

known_6_1() {
	case "$kver" in
	6.1.*) awk -f "$here/known-6.1.awk" "$1" ;;
	*) cat "$1" ;;
	esac
}

kmemleak_mark() {
	local start is_6_1=0

	start=$(cat "$run/jiffies" 2>/dev/null || echo 0)
	case "$kver" in 6.1.*) is_6_1=1 ;; esac
	awk -v start="${start:-0}" -v is_6_1=$is_6_1 -v ours="$ours_frames" \
	    -v alloc="$alloc_frames" -f "$here/kmemleak.awk" "$1"
}

dmesg_log=build/logs/dmesg-$logname.log
if [ -f "$run/dmesg" ]; then
	known_6_1 "$run/dmesg" >"$top/$dmesg_log"
	grep -v '^known 6.1 report: ' "$top/$dmesg_log" >"$run/dmesg" || true
	if grep -Eq "$splat" "$run/dmesg"; then
		log "kernel splat (full log: $dmesg_log):"
		grep -E -B2 -A25 "$splat" "$run/dmesg" | head -80 >&2 || true
		status=1
	fi
fi
if [ -f "$run/kmemleak" ]; then
	kmemleak_mark "$run/kmemleak" >"$run/kmemleak.all"
	grep -Ev '^(known 6.1 report|before the command): ' \
		"$run/kmemleak.all" >"$run/kmemleak" || true
	cp "$run/kmemleak.all" "$top/build/logs/kmemleak-$logname.log"
fi
if [ -s "$run/kmemleak" ]; then
	log "kmemleak reports leaks:"
	head -60 "$run/kmemleak" >&2
	status=1
fi
[ "$status" = 0 ] && log "clean: no kernel splat, no leak"
exit "$status"
