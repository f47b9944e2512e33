/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipvlan: virtual devices that share their lower device's MAC address and
 * are told apart by their IP addresses.  iproute2 calls the lower device
 * the "master" and the ipvlan devices its "slaves".
 *
 * The files, each calling only those listed after it:
 *   ipvlan_main.c  the module's init and exit chain
 *   ipvtap.c       an ipvlan device with a tap character device
 *   ipvlan_dev.c   the ipvlan device: netdev, ethtool and rtnl_link ops
 *   ipvlan_port.c  a lower device's port: its ipvlan devices and mode, and
 *                  the notifier through which they follow the lower device
 *   ipvlan_host.c  host reach: the hooks that take the host's packets for
 *                  its ipvlan devices
 *   ipvlan_l3s.c   L3S: the receive path through the lower's netfilter
 *   ipvlan_core.c  the data path: receive, transmit, multicast, counters
 *   ipvlan_addr.c  the address table and the notifiers that fill it
 */
#ifndef _IPVLAN_H
#define _IPVLAN_H

#include <linux/bitmap.h>
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_link.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "ipvlan_compat.h"

#define IPVLAN_MC_FILTER_BITS	8
#define IPVLAN_MC_FILTER_SIZE	BIT(IPVLAN_MC_FILTER_BITS)

/* dev_id 0 is the lower device's; 0xfffe and 0xffff are left to others. */
#define IPVLAN_DEV_ID_MIN	1
#define IPVLAN_DEV_ID_MAX	0xfffd

#define IPVLAN_F_MASK		(IPVLAN_F_PRIVATE | IPVLAN_F_VEPA)

/*
 * Host reach (ipvlan_host.c): the lower device's namespace and the ipvlan
 * devices reach each other inside the machine.  A bit of IFLA_IPVLAN_FLAGS
 * that Linux's uapi does not have (yet).
 */
#ifndef IPVLAN_F_HOST_REACH
#define IPVLAN_F_HOST_REACH	0x04
#endif
#define IPVLAN_F_ALL		(IPVLAN_F_MASK | IPVLAN_F_HOST_REACH)

/*
 * Up to this many ipvlan devices, a port copies a multicast frame to them
 * at once; a larger one queues it, up to IPVLAN_MC_QUEUE_LEN frames, for a
 * work item that copies one frame per run and lets the softirqs waiting
 * for its CPU run every IPVLAN_MC_BATCH copies (ipvlan_core.c).
 */
#define IPVLAN_MC_SYNC_DEVS	64
#define IPVLAN_MC_QUEUE_LEN	1000
#define IPVLAN_MC_BATCH		64

/*
 * Why an ipvlan device dropped a frame: a counter each, which "ethtool -S"
 * shows by the names in ipvlan_drop_names (ipvlan_core.c).  The tx ones
 * also count in tx_dropped, with what the lower device, the route's output
 * or the receiving device dropped after us; the rx ones add up to
 * rx_dropped.
 */
enum ipvlan_drop {
	IPVLAN_DROP_TX_SHORT,
	IPVLAN_DROP_TX_SPOOFED,
	IPVLAN_DROP_TX_PRIVATE,
	IPVLAN_DROP_TX_L3_MULTICAST,
	IPVLAN_DROP_TX_L3_NOT_IP,
	IPVLAN_DROP_TX_BAD_IP,
	IPVLAN_DROP_TX_NO_ROUTE,
	IPVLAN_DROP_RX_NOMEM,
	IPVLAN_DROP_RX_MC_BACKLOG,
	IPVLAN_DROP_RX_NO_ROUTE,
	IPVLAN_DROP_RX_TAP,
	IPVLAN_DROP_MAX
};

/*
 * A device's counters, per CPU.  Not the core's dstats: struct pcpu_dstats
 * has no multicast counter, which "ip -s link" shows, dstats would need
 * this block beside it for the drops by reason, and 6.1 has no dstats.
 */
struct ipvlan_pcpu_stats {
	u64_stats_t		drops[IPVLAN_DROP_MAX];
	u64_stats_t		rx_packets;
	u64_stats_t		rx_bytes;
	u64_stats_t		rx_multicast;
	u64_stats_t		rx_dropped;
	u64_stats_t		tx_packets;
	u64_stats_t		tx_bytes;
	u64_stats_t		tx_dropped;
	struct u64_stats_sync	syncp;
};

struct ipvlan_port;

/* The private part of an ipvlan net_device. */
struct ipvlan_dev {
	/* data path */
	struct net_device			*dev;
	struct net_device			*lower;
	struct ipvlan_port			*port;
	struct ipvlan_pcpu_stats __percpu	*stats;
	DECLARE_BITMAP(mc_filter, IPVLAN_MC_FILTER_SIZE);

	/* in port->ipvlans: written under RTNL, read under RCU */
	struct list_head			port_node;

	/* control path, under RTNL */
	/* the offloads the device's consumer takes (an ipvtap guest's) */
	netdev_features_t			offloads;
	netdevice_tracker			lower_tracker;
	u32					msg_enable;

	/* the addresses this device owns, under port->addr_lock */
	struct list_head			addrs;
};

/*
 * One per lower device, created with its first ipvlan device and freed
 * with its last.  It is the lower device's rx_handler_data: the receive
 * path finds it there.
 */
struct ipvlan_port {
	/* data path */
	struct net_device	*lower;
	struct rhashtable	addrs4;
	struct rhashtable	addrs6;
	u16			mode;
	u16			flags;
	struct sk_buff_head	mc_queue;
	struct work_struct	mc_work;

	/*
	 * Written by ipvlan_port_join() and ipvlan_port_leave() only, under
	 * RTNL; the data path reads the list under RCU and the count with
	 * READ_ONCE().
	 */
	struct list_head	ipvlans;
	unsigned int		count;
	struct ida		dev_ids;

	/* control path, under RTNL */
	bool			l3s_hooked;
	/* the lower device's MAC is changing: its ipvlans take the new one */
	bool			mac_changing;
	possible_net_t		l3s_net;
	/* host reach: the port's own hooks, where they are registered */
	bool			host_hooked;
	possible_net_t		host_net;
	struct nf_hook_ops	host_hooks[2];

	/*
	 * IPv6 addresses may come and go in atomic context, outside RTNL,
	 * so table updates and the devices' address lists take this lock.
	 */
	spinlock_t		addr_lock;
};

static inline struct ipvlan_dev *ipvlan_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* ipvlan and ipvtap devices share these: what makes a device ours. */
extern const struct net_device_ops ipvlan_dev_ops;

static inline bool ipvlan_is_dev(const struct net_device *dev)
{
	return dev->netdev_ops == &ipvlan_dev_ops;
}

/* The bit of a device's multicast filter that stands for @addr. */
static inline unsigned int ipvlan_mc_hash(const unsigned char *addr)
{
	return hash_64(ether_addr_to_u64(addr), IPVLAN_MC_FILTER_BITS);
}

rx_handler_result_t ipvlan_rx_handler(struct sk_buff **pskb);

/* A lower device with a port: its rx_handler is ours. */
static inline bool ipvlan_is_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == ipvlan_rx_handler;
}

static inline bool ipvlan_port_is_private(const struct ipvlan_port *port)
{
	return READ_ONCE(port->flags) & IPVLAN_F_PRIVATE;
}

static inline bool ipvlan_port_is_vepa(const struct ipvlan_port *port)
{
	return READ_ONCE(port->flags) & IPVLAN_F_VEPA;
}

static inline bool ipvlan_port_host_reach(const struct ipvlan_port *port)
{
	return READ_ONCE(port->flags) & IPVLAN_F_HOST_REACH;
}

/* ipvlan_dev.c */
int ipvlan_dev_init(void);
void ipvlan_dev_uninit(void);
void ipvlan_dev_setup(struct net_device *dev);
int ipvlan_dev_newlink(struct net_device *dev,
		       struct rtnl_newlink_params *params,
		       struct netlink_ext_ack *extack);
void ipvlan_dev_dellink(struct net_device *dev, struct list_head *head);
void ipvlan_dev_limit_offloads(struct net_device *dev,
			       netdev_features_t offloads);
int ipvlan_kind_register(struct rtnl_link_ops *ops);

/* ipvlan_port.c */
int ipvlan_port_init(void);
void ipvlan_port_uninit(void);
struct ipvlan_port *ipvlan_port_get_or_create(struct net_device *lower,
					      struct netlink_ext_ack *extack);
void ipvlan_port_put_unused(struct net_device *lower);
int ipvlan_port_join(struct ipvlan_port *port, struct ipvlan_dev *ipvlan);
void ipvlan_port_leave(struct ipvlan_dev *ipvlan);
int ipvlan_port_set_mode(struct ipvlan_port *port, u16 mode, u16 flags,
			 struct netlink_ext_ack *extack);
void ipvlan_follow_carrier(struct net_device *dev, struct net_device *lower);
void ipvlan_inherit_limits(struct net_device *dev, struct net_device *lower);

/* ipvlan_host.c */
#if IS_ENABLED(CONFIG_NETFILTER)
int ipvlan_host_attach(struct ipvlan_port *port,
		       struct netlink_ext_ack *extack);
void ipvlan_host_detach(struct ipvlan_port *port);
void ipvlan_host_lower_leaves(struct ipvlan_port *port);
void ipvlan_host_lower_arrives(struct ipvlan_port *port);
#else
static inline int ipvlan_host_attach(struct ipvlan_port *port,
				     struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "ipvlan host reach needs NETFILTER");
	return -EOPNOTSUPP;
}

static inline void ipvlan_host_detach(struct ipvlan_port *port)
{
}

static inline void ipvlan_host_lower_leaves(struct ipvlan_port *port)
{
}

static inline void ipvlan_host_lower_arrives(struct ipvlan_port *port)
{
}
#endif

/* ipvlan_l3s.c */
#if IS_ENABLED(CONFIG_IPVLAN_L3S)
#define IPVLAN_HAS_L3S	1
int ipvlan_l3s_init(void);
void ipvlan_l3s_uninit(void);
int ipvlan_l3s_attach(struct ipvlan_port *port, struct netlink_ext_ack *extack);
void ipvlan_l3s_detach(struct ipvlan_port *port);
void ipvlan_l3s_lower_leaves(struct ipvlan_port *port);
void ipvlan_l3s_lower_arrives(struct ipvlan_port *port);
#else
#define IPVLAN_HAS_L3S	0
static inline int ipvlan_l3s_init(void)
{
	return 0;
}

static inline void ipvlan_l3s_uninit(void)
{
}

static inline int ipvlan_l3s_attach(struct ipvlan_port *port,
				    struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "L3S needs a kernel with NET_L3_MASTER_DEV and NETFILTER");
	return -EOPNOTSUPP;
}

static inline void ipvlan_l3s_detach(struct ipvlan_port *port)
{
}

static inline void ipvlan_l3s_lower_leaves(struct ipvlan_port *port)
{
}

static inline void ipvlan_l3s_lower_arrives(struct ipvlan_port *port)
{
}
#endif

/* ipvlan_core.c */
void ipvlan_mc_init(struct ipvlan_port *port);
void ipvlan_mc_stop(struct ipvlan_port *port);
struct ipvlan_dev *ipvlan_demux(struct ipvlan_port *port,
				const struct sk_buff *skb, __be16 proto, int off);
/* the counters of the other files' paths, which may run with BHs on */
void ipvlan_count_rx(struct ipvlan_dev *ipvlan, unsigned int len,
		     bool multicast);
void ipvlan_count_rx_drop(struct ipvlan_dev *ipvlan, enum ipvlan_drop why);
void ipvlan_count_tx(struct ipvlan_dev *ipvlan, unsigned int len, bool ok);
int ipvlan_drop_count(void);
void ipvlan_drop_names(u8 *data);
void ipvlan_drop_stats(struct ipvlan_dev *ipvlan, u64 *data);
void ipvlan_rx_drop(struct ipvlan_dev *ipvlan, struct sk_buff *skb,
		    enum ipvlan_drop why);
netdev_tx_t ipvlan_xmit(struct sk_buff *skb, struct net_device *dev);
void ipvlan_host_deliver(struct ipvlan_dev *ipvlan, struct sk_buff *skb);

/* ipvlan_addr.c */
int ipvlan_addr_init(void);
void ipvlan_addr_uninit(void);
int ipvlan_addr_table_init(struct ipvlan_port *port);
void ipvlan_addr_table_destroy(struct ipvlan_port *port);
void ipvlan_addr_flush(struct ipvlan_dev *ipvlan);
struct ipvlan_dev *ipvlan_addr_lookup4(struct ipvlan_port *port, __be32 addr);
struct ipvlan_dev *ipvlan_addr_lookup6(struct ipvlan_port *port,
				       const struct in6_addr *addr);

#endif /* _IPVLAN_H */
