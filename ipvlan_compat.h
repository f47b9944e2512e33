/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between the kernels this driver builds against: 6.12, its
 * primary target, and 6.1, Debian 12's.  Every version test lives here, so
 * that the driver reads as code for the newest kernel; merged into a kernel
 * tree, this header would reduce to the first branch of each test.
 */
#ifndef _IPVLAN_COMPAT_H
#define _IPVLAN_COMPAT_H

#include <linux/device.h>
#include <linux/ethtool.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/version.h>
#include <net/dropreason.h>
#include <net/inet_ecn.h>
#include <net/route.h>

/* The only reading of the version: checkpatch is told to allow this one. */
#define IPVLAN_KERNEL_AT_LEAST(major, minor)	\
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/*
 * Lockless transmit was the NETIF_F_LLTX feature bit until 6.12 made it
 * dev->lltx.  A feature bit must also be in the features ndo_init() sets,
 * or setting it in setup would not last.
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 12)
#define IPVLAN_COMPAT_F_LLTX	0

static inline void ipvlan_compat_set_lltx(struct net_device *dev)
{
	dev->lltx = true;
}
#else
#define IPVLAN_COMPAT_F_LLTX	NETIF_F_LLTX

static inline void ipvlan_compat_set_lltx(struct net_device *dev)
{
	dev->features |= NETIF_F_LLTX;
}
#endif

/*
 * A device class's namespace() callback takes a const device since 6.2;
 * the callback declares its parameter
 * "ipvlan_class_dev_const struct device *".
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 2)
#define ipvlan_class_dev_const	const
#else
#define ipvlan_class_dev_const
#endif

/*
 * The type of service an IPv4 route lookup is keyed on: the whole DSCP
 * from 6.12 on, as the stack itself and its DSCP rule selector use it;
 * before, the stack kept only the old TOS bits (RT_TOS()).
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 12)
static inline u8 ipvlan_compat_flow_tos(const struct iphdr *iph)
{
	return iph->tos & ~INET_ECN_MASK;
}
#else
static inline u8 ipvlan_compat_flow_tos(const struct iphdr *iph)
{
	return RT_TOS(iph->tos);
}
#endif

/*
 * ethtool_puts() came in 6.8, the drop reason for a forged source MAC in
 * 6.11; before, the nearest is an unspecified drop.
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 12)
#define ipvlan_compat_ethtool_puts	ethtool_puts
#define IPVLAN_COMPAT_DROP_SPOOFED	SKB_DROP_REASON_MAC_INVALID_SOURCE
#else
static inline void ipvlan_compat_ethtool_puts(u8 **data, const char *str)
{
	strscpy_pad((char *)*data, str, ETH_GSTRING_LEN);
	*data += ETH_GSTRING_LEN;
}

#define IPVLAN_COMPAT_DROP_SPOOFED	SKB_DROP_REASON_NOT_SPECIFIED
#endif

#endif /* _IPVLAN_COMPAT_H */
