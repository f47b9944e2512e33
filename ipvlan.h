/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipvlan: virtual devices that share their master's MAC address and are
 * told apart by their IP addresses.
 */
#ifndef _IPVLAN_H
#define _IPVLAN_H

#include <linux/bitmap.h>
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_link.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "ipvlan_compat.h"

#define IPVLAN_MC_FILTER_BITS	8
#define IPVLAN_MC_FILTER_SIZE	BIT(IPVLAN_MC_FILTER_BITS)

/* dev_id 0 is the master's; 0xfffe and 0xffff are left for other users. */
#define IPVLAN_DEV_ID_MIN	1
#define IPVLAN_DEV_ID_MAX	0xfffd

#define IPVLAN_F_MASK		(IPVLAN_F_PRIVATE | IPVLAN_F_VEPA)

/*
 * Up to this many slaves, a port copies a multicast frame to them at once;
 * a larger one queues it, up to IPVLAN_MC_QUEUE_LEN frames, for a work
 * item that copies one frame per run and lets the softirqs waiting for
 * its CPU run every IPVLAN_MC_BATCH copies (ipvlan_core.c).
 */
#define IPVLAN_MC_SYNC_SLAVES	64
#define IPVLAN_MC_QUEUE_LEN	1000
#define IPVLAN_MC_BATCH		64

struct ipvlan_pcpu_stats {
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

/* The private part of a slave net_device. */
struct ipvlan_dev {
	/* data path */
	struct net_device			*dev;
	struct net_device			*master;
	struct ipvlan_port			*port;
	struct ipvlan_pcpu_stats __percpu	*stats;
	DECLARE_BITMAP(mc_filter, IPVLAN_MC_FILTER_SIZE);

	/* control path, under RTNL */
	struct list_head			pnode;
	/* the offloads the slave's consumer takes (an ipvtap guest's) */
	netdev_features_t			offloads;
	netdevice_tracker			master_tracker;
	u32					msg_enable;

	/* the addresses this slave owns, under port->addr_lock */
	struct list_head			addrs;
};

/*
 * One per master, created with its first slave and freed with its last.
 * It is the master's rx_handler_data: the receive path finds it there.
 */
struct ipvlan_port {
	/* data path */
	struct net_device	*dev;
	struct rhashtable	addrs4;
	struct rhashtable	addrs6;
	u16			mode;
	u16			flags;
	struct sk_buff_head	mc_queue;
	struct work_struct	mc_work;

	/* control path, under RTNL */
	struct list_head	slaves;
	struct ida		dev_ids;
	unsigned int		count;
	bool			l3s_hooked;
	/* the master's MAC is changing: its slaves take the new one */
	bool			mac_changing;
	possible_net_t		l3s_net;

	/*
	 * IPv6 addresses may come and go in atomic context, outside RTNL,
	 * so table updates and the slaves' address lists take this lock.
	 */
	spinlock_t		addr_lock;
	struct rcu_head		rcu;
};

static inline struct ipvlan_dev *ipvlan_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* The bit of a slave's multicast filter that stands for @addr. */
static inline unsigned int ipvlan_mc_hash(const unsigned char *addr)
{
	return hash_64(ether_addr_to_u64(addr), IPVLAN_MC_FILTER_BITS);
}

rx_handler_result_t ipvlan_rx_handler(struct sk_buff **pskb);

/* A master with a port: its rx_handler is ours. */
static inline bool ipvlan_is_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == ipvlan_rx_handler;
}

static inline bool ipvlan_is_private(const struct ipvlan_port *port)
{
	return READ_ONCE(port->flags) & IPVLAN_F_PRIVATE;
}

static inline bool ipvlan_is_vepa(const struct ipvlan_port *port)
{
	return READ_ONCE(port->flags) & IPVLAN_F_VEPA;
}

/* ipvlan_main.c */
bool ipvlan_is_slave(const struct net_device *dev);
struct ipvlan_port *ipvlan_port_get_rtnl(const struct net_device *dev);
int ipvlan_port_create(struct net_device *master,
		       struct netlink_ext_ack *extack);
void ipvlan_port_release_unused(struct net_device *master);
int ipvlan_port_set_mode(struct ipvlan_port *port, u16 mode, u16 flags,
			 struct netlink_ext_ack *extack);
void ipvlan_slave_sync_carrier(struct net_device *dev,
			       struct net_device *master);
void ipvlan_slave_setup(struct net_device *dev);
void ipvlan_slave_limit_offloads(struct net_device *dev,
				 netdev_features_t offloads);

/* ipvlan_core.c */
int ipvlan_addrs_init(struct ipvlan_port *port);
void ipvlan_addrs_destroy(struct ipvlan_port *port);
bool ipvlan_addr_busy(struct ipvlan_dev *slave, const void *addr, bool v6);
int ipvlan_addr_add(struct ipvlan_dev *slave, const void *addr, bool v6);
void ipvlan_addr_del(struct ipvlan_dev *slave, const void *addr, bool v6);
void ipvlan_addrs_flush(struct ipvlan_dev *slave);
void ipvlan_mc_init(struct ipvlan_port *port);
void ipvlan_mc_stop(struct ipvlan_port *port);
struct ipvlan_dev *ipvlan_demux(struct ipvlan_port *port,
				const struct sk_buff *skb, __be16 proto, int off);
void ipvlan_count_rx(struct ipvlan_dev *slave, unsigned int len,
		     bool multicast);
void ipvlan_count_rx_drop(struct ipvlan_dev *slave);
void ipvlan_count_tx(struct ipvlan_dev *slave, unsigned int len, bool ok);
netdev_tx_t ipvlan_start_xmit(struct sk_buff *skb, struct net_device *dev);

/* ipvlan_l3s.c */
#if IS_ENABLED(CONFIG_IPVLAN_L3S)
#define IPVLAN_HAS_L3S	1
int ipvlan_l3s_register(void);
void ipvlan_l3s_unregister(void);
int ipvlan_l3s_attach(struct ipvlan_port *port, struct netlink_ext_ack *extack);
void ipvlan_l3s_detach(struct ipvlan_port *port);
void ipvlan_l3s_master_leaves(struct ipvlan_port *port);
void ipvlan_l3s_master_arrives(struct ipvlan_port *port);
#else
#define IPVLAN_HAS_L3S	0
static inline int ipvlan_l3s_register(void)
{
	return 0;
}

static inline void ipvlan_l3s_unregister(void)
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

static inline void ipvlan_l3s_master_leaves(struct ipvlan_port *port)
{
}

static inline void ipvlan_l3s_master_arrives(struct ipvlan_port *port)
{
}
#endif

/* ipvlan_netlink.c */
extern struct rtnl_link_ops ipvlan_link_ops;
int ipvlan_slave_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack);
void ipvlan_slave_dellink(struct net_device *dev, struct list_head *head);
int ipvlan_kind_register(struct rtnl_link_ops *ops);

#endif /* _IPVLAN_H */
