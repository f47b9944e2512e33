/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between the kernels this driver builds against: from 6.1,
 * Debian 12's, to 7.2, Debian unstable's.  Every version test lives here, so
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
#include <net/flow.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/rtnetlink.h>

/* The only reading of the version: checkpatch is told to allow this one. */
#define IPVLAN_KERNEL_AT_LEAST(major, minor)	\
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/* netdev_lockdep_set_classes() is in <net/netdev_lock.h> since 6.15. */
#if IPVLAN_KERNEL_AT_LEAST(6, 15)
#include <net/netdev_lock.h>
#endif

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
 * What that callback returns, a network namespace's tag: the struct net
 * until the tags became the namespaces' struct ns_common, in a release
 * after 6.16 not pinned down here: the test reads the callback's type.
 */
#define ipvlan_class_ns_tag	typeof(((struct class *)NULL)->namespace(NULL))

static inline ipvlan_class_ns_tag ipvlan_compat_net_tag(const struct net *net)
{
	return __builtin_types_compatible_p(ipvlan_class_ns_tag,
					    const struct ns_common *) ?
	       (const void *)&net->ns : (const void *)net;
}

/*
 * The type of service an IPv4 route lookup is keyed on: the whole DSCP
 * from 6.12 on, as the stack itself and its DSCP rule selector use it, in
 * flowi4_dscp, a dscp_t, since 6.18; before 6.12, the stack kept only the
 * old TOS bits (RT_TOS()).
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 18)
static inline void ipvlan_compat_flow_set_dscp(struct flowi4 *fl4,
					       const struct iphdr *iph)
{
	fl4->flowi4_dscp = ip4h_dscp(iph);
}
#elif IPVLAN_KERNEL_AT_LEAST(6, 12)
static inline void ipvlan_compat_flow_set_dscp(struct flowi4 *fl4,
					       const struct iphdr *iph)
{
	fl4->flowi4_tos = iph->tos & ~INET_ECN_MASK;
}
#else
static inline void ipvlan_compat_flow_set_dscp(struct flowi4 *fl4,
					       const struct iphdr *iph)
{
	fl4->flowi4_tos = RT_TOS(iph->tos);
}
#endif

/*
 * ip_route_input_noref() takes the packet's DSCP as a dscp_t since 6.13
 * (and returns a drop reason, still 0 for none); before, the whole TOS
 * byte, of which it kept the bits it routes on.
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 13)
#define ipvlan_compat_ip4h_dscp	ip4h_dscp
#else
static inline u8 ipvlan_compat_ip4h_dscp(const struct iphdr *iph)
{
	return iph->tos;
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

/*
 * newlink() takes its attributes and namespaces packed in a struct
 * rtnl_newlink_params since 6.15, where rtnl_newlink_link_net() is the
 * namespace IFLA_LINK names a device in.  The driver's newlinks take that
 * form.  Before 6.15, "IPVLAN_COMPAT_DEFINE_NEWLINK(fn);" defines fn's old
 * form, which packs its arguments for fn, and ipvlan_compat_newlink(fn)
 * names it; since, the first only checks fn's form, the second is fn.
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 15)
#define IPVLAN_COMPAT_DEFINE_NEWLINK(fn)				\
	static_assert(__same_type(&(fn),				\
				  ((struct rtnl_link_ops *)NULL)->newlink))
#define ipvlan_compat_newlink(fn)		fn
#else
struct rtnl_newlink_params {
	struct net *src_net;
	struct nlattr **tb;
	struct nlattr **data;
};

/* the old newlink's src_net is already IFLA_LINK_NETNSID's, if any */
static inline struct net *rtnl_newlink_link_net(struct rtnl_newlink_params *p)
{
	return p->src_net;
}

#define IPVLAN_COMPAT_DEFINE_NEWLINK(fn)				\
static int fn##_compat(struct net *src_net, struct net_device *dev,	\
		       struct nlattr *tb[], struct nlattr *data[],	\
		       struct netlink_ext_ack *extack)			\
{									\
	struct rtnl_newlink_params params = {				\
		.src_net	= src_net,				\
		.tb		= tb,					\
		.data		= data,					\
	};								\
									\
	return fn(dev, &params, extack);				\
}

#define ipvlan_compat_newlink(fn)		fn##_compat
#endif

/*
 * dev_pre_changeaddr_notify() became netif_pre_changeaddr_notify() in 6.17,
 * in the NETDEV_INTERNAL symbol namespace, which the module then imports:
 * IPVLAN_COMPAT_IMPORT_NS goes once, in ipvlan_main.c.
 */
#if IPVLAN_KERNEL_AT_LEAST(6, 17)
#define ipvlan_compat_pre_changeaddr_notify	netif_pre_changeaddr_notify
#define IPVLAN_COMPAT_IMPORT_NS		MODULE_IMPORT_NS("NETDEV_INTERNAL")
#else
#define ipvlan_compat_pre_changeaddr_notify	dev_pre_changeaddr_notify
#define IPVLAN_COMPAT_IMPORT_NS
#endif

/*
 * A module reached ndisc_send_na() through ipv6_stub until 7.1 made IPv6
 * built in or nothing, removed the stubs and exported the function.
 */
#if IPVLAN_KERNEL_AT_LEAST(7, 1)
#include <net/ndisc.h>
#define ipvlan_compat_ndisc_send_na	ndisc_send_na
#else
#include <net/ipv6_stubs.h>
#define ipvlan_compat_ndisc_send_na	ipv6_stub->ndisc_send_na
#endif

#endif /* _IPVLAN_COMPAT_H */
