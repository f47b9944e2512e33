# SPDX-License-Identifier: GPL-2.0
#
# Reads kmemleak's report and prints it back, each line of an object that
# does not count prefixed with why:
# - "before the command: " when it was allocated before the command
#   started (its jiffies before start): the boot's, not the command's;
# - "known 6.1 report: " on 6.1 (is_6_1=1) when neither ipvlan nor ipvtap
#   allocated it itself.
#
#   awk -v start=JIFFIES -v is_6_1=0|1 -v ours=RE -v alloc=RE -f kmemleak.awk
#
# 6.1's kmemleak reports objects that are not leaked: a boot that runs
# "modprobe dummy" alone reports fork's vmalloc'd stacks, a module's
# vmalloc area, and nodes of the page cache, mm and kernfs trees; a run of
# the tests adds netns objects (loopback's addresses, netlink sockets'
# netns trackers, a dying netns's notifications), and now and then what
# the core allocated for ipvlan: the adjacencies and reference trackers of
# netdev_upper_dev_link(), tap's major_info.  An object counts there only
# if ipvlan or ipvtap allocated it itself: the first frame after the
# allocator's (those matching alloc: slab, kmemleak, skb_clone and the
# like) matches ours, which names them, or is a bare address, which is
# what a frame of a module unloaded since prints as (the run unloads only
# these two).  What the core allocates for us and we fail to release keeps
# a reference to a device, which ref_tracker ("leaked reference") and
# "unregister_netdevice: waiting" report on every kernel.  On 6.12, where
# the driver's code is the same, every object counts.

{ line[NR] = $0 }

END {
	for (i = 1; i <= NR; i++) {
		if (line[i] !~ /^unreferenced object/) {
			print mark line[i]
			continue
		}
		# the object: its header, then "comm ..., jiffies N", then
		# its hex dump and backtrace, whose first frame after the
		# allocator frames is the one that counts
		by_us = 0
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
		print mark line[i]
	}
}
