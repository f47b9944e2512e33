#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the project's UML kernel with the host's filesystem as root, install
# the chosen ipvlan.ko in a private /lib/modules inside it, run a command
# there, and fail on its exit code or on any kernel report.
#
#   vm.sh [--ipvlan ours|stock] [--flavor debug|perf] [--timeout S] -- cmd...
#
# KVER in the environment (6.12 unless set, e.g. 6.1) picks the kernel's
# source: kernel.sh reads it.  VM_LOG_TAG, when set, is added to the names
# of the logs kept in build/logs/, for VMs of one kernel and driver that
# run side by side.
#
# Inside, the command finds: IPVLAN (ours|stock), IPVLAN_KO (the module's
# path), IPVLAN_OURS_DIR and IPVLAN_STOCK_DIR (both builds, for benchmarks
# that swap them) and the modules installed so that "modprobe ipvlan" and
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

cat >"$run/init" <<EOF
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb IPVLAN=$ipvlan IPVLAN_KO=$mods/extra/ipvlan.ko
export IPVLAN_TOP=$top IPVLAN_KDIR=$kdir
export IPVLAN_OURS_DIR=$ours_dir IPVLAN_STOCK_DIR=$stock_dir
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /run
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
mount --bind $run/lib/modules /lib/modules
ip link set lo up
# kmemleak's reports name the jiffies of each allocation: those made before
# the command are the boot's, not the command's (6.1 UML reports a few
# radix and maple tree nodes of the boot's page cache and exec).
grep -m1 '^jiffies:' /proc/timer_list | cut -d' ' -f2 > $run/jiffies
cd $top
rc=0
( $(printf '%q ' "$@") ) || rc=\$?
echo "vm: command exited with \$rc"
# Each step after the command is bounded and named, so that a stall shows
# where it is.  A kmemleak scan stops at a signal; one that does not end
# fails the run, as a leak would: its result is not known.  Past two
# minutes, a watchdog logs the blocked tasks and keeps the kernel log, so
# that a VM stopped from outside still leaves its evidence.
step() { echo "vm: [\$(cut -d' ' -f1 /proc/uptime)] \$*"; }
(
	sleep 120
	while :; do
		step "teardown still running: blocked tasks in the kernel log"
		echo w > /proc/sysrq-trigger
		dmesg > $run/dmesg.stall
		sleep 120
	done
) &
watchdog=\$!
step "unloading ipvtap, ipvlan"
# rmmod, not modprobe -r: tap stays loaded, so that kmemleak names its
# frames rather than printing the bare addresses of an unloaded module
timeout 300 rmmod ipvtap ipvlan 2>/dev/null
[ \$? -ne 124 ] || step "rmmod ipvtap ipvlan timed out after 300 s"
if [ -w /sys/kernel/debug/kmemleak ]; then
	: > $run/kmemleak.cut
	for scan in 1 2; do
		[ \$scan = 1 ] || sleep 6
		step "kmemleak scan \$scan"
		timeout 300 sh -c 'echo scan > /sys/kernel/debug/kmemleak' ||
			echo "kmemleak scan \$scan did not end in 300 s" >> $run/kmemleak.cut
	done
	cat $run/kmemleak.cut /sys/kernel/debug/kmemleak > $run/kmemleak
fi
kill \$watchdog 2>/dev/null
step "teardown done"
dmesg > $run/dmesg
echo \$rc > $run/rc
sync
echo o > /proc/sysrq-trigger
sleep 10
EOF
chmod +x "$run/init"

log "booting $kver ($flavor) with $ipvlan ipvlan.ko"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$timeout" "$kdir/linux" mem=1G \
	rootfstype=hostfs rootflags=/ rw init="$run/init" \
	bonding.max_bonds=0 dummy.numdummies=0 \
	con=null con0=null,fd:1 quiet </dev/null
boot_rc=$?
set -e
log "VM ran for $(($(date +%s) - start))s"

status=0
if [ ! -f "$run/rc" ]; then
	log "the VM stopped before the command finished (exit $boot_rc)"
	status=1
	if [ -f "$run/dmesg.stall" ]; then
		mkdir -p "$top/build/logs"
		cp "$run/dmesg.stall" "$top/build/logs/dmesg-$logname.stall.log"
		log "its kernel log at the stall: build/logs/dmesg-$logname.stall.log"
	fi
else
	status=$(cat "$run/rc")
fi

# Any of these in the kernel log fails the run, whatever the tests said.
# WARN() and lockdep start their line with "WARNING:"; drivers' own
# messages that merely contain the word (pktgen's) do not count.
splat='BUG:|(^|\] )WARNING:|KASAN|Kernel panic|possible recursive locking|'
splat+='possible circular locking|suspicious RCU usage|unreferenced object|'
splat+='refcount_t:|ref_tracker|leaked|INFO: task .* blocked|'
splat+='soft lockup|unregister_netdevice: waiting|general protection'

# Linux 6.1's UML reports bugs of its own in every boot, whatever the
# driver; they are gone in 6.12, where every report counts.  On 6.1:
# - force_flush_all() (arch/um, on fork) walks the maple tree outside RCU:
#   "suspicious RCU usage" at lib/maple_tree.c, once per call site; exactly
#   this report is dropped;
# - a page fault taken in a hard interrupt (a lazily mapped vmalloc page)
#   re-enables interrupts in the fault's signal handler (arch/um/os-Linux/
#   signal.c): lockdep's "DEBUG_LOCKS_WARN_ON(lockdep_hardirq_context())",
#   whose stack UML cannot print from its signal stack ("Received SIGSEGV
#   in SIGSEGV handler").  Seen once, in the teardown's rmmod; ipvlan runs
#   no code in hard interrupt context.  Exactly this report is dropped, and
#   lockdep is off for the rest of that boot;
# - kmemleak reports objects that are not leaked: a boot that runs
#   "modprobe dummy" alone reports fork's vmalloc'd stacks, a module's
#   vmalloc area, and nodes of the page cache, mm and kernfs trees; a run
#   of the tests adds netns objects (loopback's addresses,
#   netlink sockets' netns trackers, a dying netns's notifications), and
#   now and then what the core allocated for ipvlan: the adjacencies and
#   reference trackers of netdev_upper_dev_link(), tap's major_info.  An
#   object counts there only if ipvlan or ipvtap allocated it itself: the
#   first frame after the allocator's (slab, kmemleak, skb_clone and the
#   like) names them, or is a bare address, which is what a frame of a
#   module unloaded since prints as (the run unloads only these two).
#   What the core allocates for us and we fail to release keeps a
#   reference to a device, which ref_tracker ("leaked reference") and
#   "unregister_netdevice: waiting" report on every kernel.  On 6.12,
#   where the driver's code is the same, every object counts.
frame='^ +\\[<[0-9a-f]+>\\] '
ours_frames="$frame(ipvlan|ipvtap)_|\\[(ipvlan|ipvtap)\\]$|${frame}0x[0-9a-f]+$"
alloc_frames="$frame(save_stack_trace|stack_trace_save|set_track_prepare|"
alloc_frames+="_*create_object|kmemleak_[a-z_]+|slab_post_alloc_hook|_*kmem_cache_"
alloc_frames+="[a-z_]+|_*kmalloc[a-z_]*|kvmalloc[a-z_]*|_*vmalloc[a-z_]*|"
alloc_frames+="_*alloc_pages[a-z_]*|_*alloc_skb|skb_clone|_*pskb_copy[a-z_]*|"
alloc_frames+="skb_copy[a-z_]*|_*netdev_alloc_skb|pskb_expand_head)[.+]"
known_6_1() {
	case "$kver" in 6.1.*) ;; *) cat "$1"; return ;; esac
	awk '
	{ line[NR] = $0 }
	# within the lines after line i: does any match re?
	function ahead(i, len, re, j) {
		for (j = i + 1; j <= i + len && j <= NR; j++)
			if (line[j] ~ re)
				return 1
		return 0
	}
	END {
		for (i = 1; i <= NR; i++) {
			# only the header line of the RCU report: it alone is
			# what the splat patterns match there
			if (line[i] ~ /WARNING: suspicious RCU usage/ &&
			    ahead(i, 4, "lib/maple_tree\\.c:[0-9]+ suspicious rcu_dereference") &&
			    ahead(i, 60, "force_flush_all"))
				known[i] = 1
		}
		for (i = 1; i <= NR; i++) {
			if (line[i] ~ /WARNING: .* lockdep_hardirqs_on_prepare/ &&
			    ahead(i, 2, "DEBUG_LOCKS_WARN_ON\\(lockdep_hardirq_context\\(\\)\\)") &&
			    ahead(i, 6, "Received SIGSEGV in SIGSEGV handler"))
				known[i] = 1
		}
		for (i = 1; i <= NR; i++)
			print (known[i] ? "known 6.1 report: " : "") line[i]
	}' "$1"
}

# Marks the kmemleak objects that do not count: those allocated before the
# command started, and on 6.1 those no frame of ours allocated (see above).
kmemleak_mark() {
	local start is_6_1=0

	start=$(cat "$run/jiffies" 2>/dev/null || echo 0)
	case "$kver" in 6.1.*) is_6_1=1 ;; esac
	awk -v start="${start:-0}" -v is_6_1=$is_6_1 -v ours="$ours_frames" \
	    -v alloc="$alloc_frames" '
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (line[i] !~ /^unreferenced object/) {
				print mark line[i]
				continue
			}
			# the object: its header, then "comm ..., jiffies N",
			# then its hex dump and backtrace, whose first frame
			# after the allocator frames is the one that counts
			for (j = i + 1; j <= NR && line[j] !~ /^unreferenced object/; j++) {
				if (line[j] !~ /^ +\[</ || line[j] ~ alloc)
					continue
				by_us = line[j] ~ ours
				break
			}
			n = split(line[i + 1], f, " ")
			mark = ""
			if (f[n - 1] == "jiffies" && f[n] + 0 < start + 0)
				mark = "before the command: "
			else if (is_6_1 && !by_us)
				mark = "known 6.1 report: "
			by_us = 0
			print mark line[i]
		}
	}' "$1"
}

# One log per kernel, driver and VM_LOG_TAG: CI runs VMs side by side.
dmesg_log=build/logs/dmesg-$logname.log
if [ -f "$run/dmesg" ]; then
	mkdir -p "$top/build/logs"
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
	mkdir -p "$top/build/logs"
	cp "$run/kmemleak.all" "$top/build/logs/kmemleak-$logname.log"
fi
if [ -s "$run/kmemleak" ]; then
	log "kmemleak reports leaks:"
	head -60 "$run/kmemleak" >&2
	status=1
fi
[ "$status" = 0 ] && log "clean: no kernel splat, no leak"
exit "$status"
