// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ipvlan device: its net_device_ops, ethtool_ops and rtnl_link_ops
 * ("ip link add link <master> <name> type ipvlan mode ...", with Linux's
 * IFLA_IPVLAN_* uapi), and what it refuses to become.
 */

#include <linux/ethtool.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "ipvlan.h"

/* What an ipvlan device may offload. */
#define IPVLAN_FEATURES	(NETIF_F_SG | NETIF_F_CSUM_MASK | NETIF_F_HIGHDMA | \
			 NETIF_F_FRAGLIST | NETIF_F_GSO | NETIF_F_ALL_TSO | \
			 NETIF_F_GSO_ROBUST | NETIF_F_GRO | NETIF_F_RXCSUM | \
			 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

/*
 * What an ipvlan device offers even when its lower device cannot: every
 * frame it sends leaves through the lower device's own transmit path,
 * which checksums and segments in software what its hardware does not.
 * Deferring it there lets the device's stack, a tunnel's included, hand
 * over one large packet instead of paying this path once per segment.
 */
#define IPVLAN_DEFERRED	(NETIF_F_SG | NETIF_F_HW_CSUM | \
			 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

/*
 * The devices share one MAC with their lower device and siblings: no VLANs
 * on top.  Before 6.12 lockless transmit was a feature, and must stay on.
 */
#define IPVLAN_ALWAYS_ON	(NETIF_F_VLAN_CHALLENGED | IPVLAN_COMPAT_F_LLTX)

/*
 * @features, less what the device's consumer cannot take (an ipvtap
 * guest's offload settings), with one checksum offload: the generic one,
 * when the lower device's path provides it, replaces the protocol ones.
 */
static netdev_features_t ipvlan_offloads(const struct ipvlan_dev *ipvlan,
					 netdev_features_t features)
{
	features &= ipvlan->offloads | ~IPVLAN_FEATURES;
	if (features & NETIF_F_HW_CSUM)
		features &= ~(NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM);
	return features;
}

/* ---------------------------------------------------------------------
 * net_device_ops
 */

/*
 * Takes what the device holds for its life: its counters and a place in
 * the port.  ipvlan_ndo_uninit() gives them back, also when
 * register_netdevice() fails after this succeeded.
 */
static int ipvlan_ndo_init(struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);
	struct net_device *lower = ipvlan->lower;
	int err;

	ipvlan->stats = netdev_alloc_pcpu_stats(struct ipvlan_pcpu_stats);
	if (!ipvlan->stats)
		return -ENOMEM;

	dev->features = ipvlan_offloads(ipvlan, (lower->features |
						 IPVLAN_DEFERRED) &
					IPVLAN_FEATURES) | IPVLAN_ALWAYS_ON;
	dev->hw_features = IPVLAN_FEATURES;
	dev->vlan_features = lower->vlan_features & IPVLAN_FEATURES;
	/* a tunnel's packets are segmented at the lower device too */
	dev->hw_enc_features = IPVLAN_FEATURES;
	ipvlan_inherit_limits(dev, lower);
	netdev_lockdep_set_classes(dev);

	err = ipvlan_port_join(ipvlan->port, ipvlan);
	if (err)
		goto err_free_stats;
	return 0;

err_free_stats:
	free_percpu(ipvlan->stats);
	ipvlan->stats = NULL;
	return err;
}

static void ipvlan_ndo_uninit(struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);

	ASSERT_RTNL();

	ipvlan_addr_flush(ipvlan);
	ipvlan_port_leave(ipvlan);
	free_percpu(ipvlan->stats);
	ipvlan->stats = NULL;
	netif_dbg(ipvlan, ifdown, dev, "ipvlan device destroyed\n");
}

static int ipvlan_dev_open(struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);

	if (dev->flags & IFF_ALLMULTI)
		return dev_set_allmulti(ipvlan->lower, 1);
	return 0;
}

static int ipvlan_dev_stop(struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);

	dev_uc_unsync(ipvlan->lower, dev);
	dev_mc_unsync(ipvlan->lower, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(ipvlan->lower, -1);
	return 0;
}

static void ipvlan_dev_rx_flags(struct net_device *dev, int change)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);

	if ((change & IFF_ALLMULTI) && (dev->flags & IFF_UP))
		dev_set_allmulti(ipvlan->lower,
				 dev->flags & IFF_ALLMULTI ? 1 : -1);
}

static void ipvlan_set_rx_mode(struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);
	DECLARE_BITMAP(filter, IPVLAN_MC_FILTER_SIZE);
	struct netdev_hw_addr *ha;
	unsigned int i;

	lockdep_assert_held(&dev->addr_list_lock);

	if (dev->flags & (IFF_PROMISC | IFF_ALLMULTI)) {
		bitmap_fill(filter, IPVLAN_MC_FILTER_SIZE);
	} else {
		bitmap_zero(filter, IPVLAN_MC_FILTER_SIZE);
		netdev_for_each_mc_addr(ha, dev)
			__set_bit(ipvlan_mc_hash(ha->addr), filter);
		__set_bit(ipvlan_mc_hash(dev->broadcast), filter);
	}
	/*
	 * Receive reads the filter without a lock: each word is written
	 * whole, and a reader may see a mix of old and new words for a
	 * moment, which is harmless.
	 */
	for (i = 0; i < BITS_TO_LONGS(IPVLAN_MC_FILTER_SIZE); i++)
		WRITE_ONCE(ipvlan->mc_filter[i], filter[i]);

	dev_uc_sync(ipvlan->lower, dev);
	dev_mc_sync(ipvlan->lower, dev);
}

static void ipvlan_dev_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *s)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct ipvlan_pcpu_stats *p;
		u64 rxp, rxb, rxm, rxd, txp, txb, txd;
		unsigned int start;

		p = per_cpu_ptr(ipvlan->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&p->syncp);
			rxp = u64_stats_read(&p->rx_packets);
			rxb = u64_stats_read(&p->rx_bytes);
			rxm = u64_stats_read(&p->rx_multicast);
			rxd = u64_stats_read(&p->rx_dropped);
			txp = u64_stats_read(&p->tx_packets);
			txb = u64_stats_read(&p->tx_bytes);
			txd = u64_stats_read(&p->tx_dropped);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		s->rx_packets += rxp;
		s->rx_bytes += rxb;
		s->multicast += rxm;
		s->rx_dropped += rxd;
		s->tx_packets += txp;
		s->tx_bytes += txb;
		s->tx_dropped += txd;
	}
}

static netdev_features_t ipvlan_dev_fix_features(struct net_device *dev,
						 netdev_features_t features)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);

	/* what the user asked for, as far as the lower device or its path can */
	features &= ipvlan->lower->features | IPVLAN_DEFERRED |
		    ~IPVLAN_FEATURES;
	return ipvlan_offloads(ipvlan, features) | IPVLAN_ALWAYS_ON;
}

/*
 * Never reached: NETDEV_PRE_CHANGEADDR refuses every change first, with a
 * reason, which the core asks only of devices that have this operation.
 */
static int ipvlan_set_mac_address(struct net_device *dev, void *addr)
{
	return -EOPNOTSUPP;
}

static int ipvlan_dev_iflink(const struct net_device *dev)
{
	return READ_ONCE(ipvlan_priv(dev)->lower->ifindex);
}

const struct net_device_ops ipvlan_dev_ops = {
	.ndo_init		= ipvlan_ndo_init,
	.ndo_uninit		= ipvlan_ndo_uninit,
	.ndo_open		= ipvlan_dev_open,
	.ndo_stop		= ipvlan_dev_stop,
	.ndo_start_xmit		= ipvlan_xmit,
	.ndo_set_mac_address	= ipvlan_set_mac_address,
	.ndo_fix_features	= ipvlan_dev_fix_features,
	.ndo_change_rx_flags	= ipvlan_dev_rx_flags,
	.ndo_set_rx_mode	= ipvlan_set_rx_mode,
	.ndo_get_stats64	= ipvlan_dev_stats64,
	.ndo_get_iflink		= ipvlan_dev_iflink,
};

/* ---------------------------------------------------------------------
 * ethtool: what the lower device knows
 */

static void ipvlan_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static int ipvlan_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	return __ethtool_get_link_ksettings(ipvlan_priv(dev)->lower, cmd);
}

/* The message level gates the device's debug messages (dynamic debug). */
static u32 ipvlan_get_msglevel(struct net_device *dev)
{
	return ipvlan_priv(dev)->msg_enable;
}

static void ipvlan_set_msglevel(struct net_device *dev, u32 value)
{
	ASSERT_RTNL();

	ipvlan_priv(dev)->msg_enable = value;
}

/* The drop counters, one per reason (enum ipvlan_drop). */
static int ipvlan_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ipvlan_drop_count() : -EOPNOTSUPP;
}

static void ipvlan_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		ipvlan_drop_names(data);
}

static void ipvlan_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	ipvlan_drop_stats(ipvlan_priv(dev), data);
}

static const struct ethtool_ops ipvlan_dev_ethtool = {
	.get_drvinfo		= ipvlan_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= ipvlan_get_link_ksettings,
	.get_msglevel		= ipvlan_get_msglevel,
	.set_msglevel		= ipvlan_set_msglevel,
	.get_sset_count		= ipvlan_get_sset_count,
	.get_strings		= ipvlan_get_strings,
	.get_ethtool_stats	= ipvlan_get_ethtool_stats,
};

/* Also ipvtap's setup, hence exported. */
void ipvlan_dev_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->max_mtu = ETH_MAX_MTU;
	/*
	 * L3 mode routes with the dst; frames are never shared with us.  No
	 * IFF_NO_RX_HANDLER: an rx_handler's owner links itself as an upper
	 * device, which ipvlan_dev_event() refuses with a reason.
	 */
	dev->priv_flags &= ~(IFF_XMIT_DST_RELEASE | IFF_TX_SKB_SHARING);
	dev->priv_flags |= IFF_UNICAST_FLT | IFF_NO_QUEUE;
	ipvlan_compat_set_lltx(dev);
	dev->netdev_ops = &ipvlan_dev_ops;
	dev->ethtool_ops = &ipvlan_dev_ethtool;
	dev->needs_free_netdev = true;
	ipvlan_priv(dev)->offloads = IPVLAN_FEATURES;
}
EXPORT_SYMBOL_GPL(ipvlan_dev_setup);

/* Only @offloads of the device's features may be on, e.g. for a guest. */
void ipvlan_dev_limit_offloads(struct net_device *dev,
			       netdev_features_t offloads)
{
	ASSERT_RTNL();

	ipvlan_priv(dev)->offloads = offloads;
	netdev_update_features(dev);
}
EXPORT_SYMBOL_GPL(ipvlan_dev_limit_offloads);

/* ---------------------------------------------------------------------
 * rtnl_link_ops
 */

static const struct nla_policy ipvlan_policy[IFLA_IPVLAN_MAX + 1] = {
	[IFLA_IPVLAN_MODE]	= { .type = NLA_U16 },
	[IFLA_IPVLAN_FLAGS]	= NLA_POLICY_MASK(NLA_U16, IPVLAN_F_ALL),
};

static bool host_reach;
module_param(host_reach, bool, 0644);
MODULE_PARM_DESC(host_reach,
		 "Host reach for the ports created from now on (default: off)");

/*
 * What the policy cannot say.  The mode's range is one: NLA_POLICY_MAX
 * would refuse with ERANGE, where Linux's ipvlan has always said EINVAL.
 */
static int ipvlan_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct nlattr *attr;

	if (!data)
		return 0;

	attr = data[IFLA_IPVLAN_MODE];
	if (attr && nla_get_u16(attr) >= IPVLAN_MODE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "Unknown ipvlan mode: l2, l3 or l3s");
		return -EINVAL;
	}
	if (attr && nla_get_u16(attr) == IPVLAN_MODE_L3S && !IPVLAN_HAS_L3S) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "ipvlan mode l3s needs NET_L3_MASTER_DEV and NETFILTER");
		return -EOPNOTSUPP;
	}
	attr = data[IFLA_IPVLAN_FLAGS];
	if (attr && (nla_get_u16(attr) & IPVLAN_F_MASK) == IPVLAN_F_MASK) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "ipvlan flags private and vepa exclude each other");
		return -EINVAL;
	}
	return 0;
}

/*
 * Host reach is the host's to give: it opens the lower's namespace to every
 * ipvlan device of the port, wherever they live.  It leaves nothing to an
 * external switch, so not with vepa.
 */
static int ipvlan_host_reach_check(struct ipvlan_port *port, u16 flags,
				   struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	if (!(flags & IPVLAN_F_HOST_REACH))
		return 0;
	if (flags & IPVLAN_F_VEPA) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "ipvlan host reach and vepa exclude each other");
		return -EINVAL;
	}
	if (!ns_capable(dev_net(port->lower)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "Host reach needs CAP_NET_ADMIN over the master's namespace");
		return -EPERM;
	}
	return 0;
}

static struct net_device *ipvlan_get_lower(struct net *net,
					   struct nlattr *tb[],
					   struct netlink_ext_ack *extack)
{
	struct net_device *lower;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "ipvlan needs a master device (link)");
		return ERR_PTR(-EINVAL);
	}
	lower = __dev_get_by_index(net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "Master device not found");
		return ERR_PTR(-ENODEV);
	}
	/*
	 * No nesting: an ipvlan device named as the link stands for its
	 * lower device, whose port is then reached from the device's
	 * namespace, which a container may own: it needs the rights a
	 * changelink needs.
	 */
	if (ipvlan_is_dev(lower)) {
		lower = ipvlan_priv(lower)->lower;
		if (!ns_capable(dev_net(lower)->user_ns, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
					    "Adding a slave through another slave needs CAP_NET_ADMIN over the master's namespace");
			return ERR_PTR(-EPERM);
		}
	}
	if (lower->type != ARPHRD_ETHER || lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "Master must be an Ethernet device, not loopback");
		return ERR_PTR(-EINVAL);
	}
	return lower;
}

static u16 ipvlan_attr_u16(struct nlattr *data[], int type, u16 fallback)
{
	if (data && data[type])
		return nla_get_u16(data[type]);
	return fallback;
}

/* Also ipvtap's newlink, hence exported. */
int ipvlan_dev_newlink(struct net_device *dev,
		       struct rtnl_newlink_params *params,
		       struct netlink_ext_ack *extack)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);
	struct nlattr **data = params->data;
	struct nlattr **tb = params->tb;
	struct net_device *lower;
	struct ipvlan_port *port;
	u16 mode, flags;
	int err;

	lower = ipvlan_get_lower(rtnl_newlink_link_net(params), tb, extack);
	if (IS_ERR(lower))
		return PTR_ERR(lower);

	port = ipvlan_port_get_or_create(lower, extack);
	if (IS_ERR(port))
		return PTR_ERR(port);
	/* without a mode, a device joins its port as it is (new ports: l3) */
	mode = ipvlan_attr_u16(data, IFLA_IPVLAN_MODE, port->mode);
	flags = ipvlan_attr_u16(data, IFLA_IPVLAN_FLAGS, port->flags);
	/*
	 * Runtimes send the flags with every device they add, without host
	 * reach: a new device never turns it off.  A new port may get it from
	 * the module's default.
	 */
	if (port->count)
		flags |= port->flags & IPVLAN_F_HOST_REACH;
	else if (READ_ONCE(host_reach) && !(flags & IPVLAN_F_VEPA))
		flags |= IPVLAN_F_HOST_REACH;
	err = ipvlan_host_reach_check(port, flags,
				      data ? data[IFLA_IPVLAN_FLAGS] : NULL,
				      extack);
	if (err)
		goto err_put_port;

	if (!tb[IFLA_MTU])
		dev->mtu = lower->mtu;

	ipvlan->dev = dev;
	ipvlan->lower = lower;
	ipvlan->port = port;
	INIT_LIST_HEAD(&ipvlan->addrs);
	eth_hw_addr_set(dev, lower->dev_addr);
	if (mode != IPVLAN_MODE_L2)
		dev->flags |= IFF_NOARP;

	/* joins the port in ipvlan_ndo_init() */
	err = register_netdevice(dev);
	if (err)
		goto err_put_port;

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_unregister;

	err = ipvlan_port_set_mode(port, mode, flags, extack);
	if (err)
		goto err_unlink;
	ipvlan_follow_carrier(dev, lower);
	netif_dbg(ipvlan, probe, dev, "ipvlan device created\n");
	return 0;

err_unlink:
	netdev_upper_dev_unlink(lower, dev);
err_unregister:
	/* leaves the port in ipvlan_ndo_uninit() */
	unregister_netdevice(dev);
	return err;
err_put_port:
	ipvlan_port_put_unused(lower);
	return err;
}
EXPORT_SYMBOL_GPL(ipvlan_dev_newlink);
IPVLAN_COMPAT_DEFINE_NEWLINK(ipvlan_dev_newlink);

static int ipvlan_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct ipvlan_port *port = ipvlan_priv(dev)->port;
	u16 mode, flags;
	int err;

	if (!data || (!data[IFLA_IPVLAN_MODE] && !data[IFLA_IPVLAN_FLAGS]))
		return 0;

	/* the change reaches every device of the port, wherever they live */
	if (!ns_capable(dev_net(port->lower)->user_ns, CAP_NET_ADMIN)) {
		if (data[IFLA_IPVLAN_FLAGS] &&
		    (nla_get_u16(data[IFLA_IPVLAN_FLAGS]) ^ port->flags) &
		    IPVLAN_F_HOST_REACH)
			NL_SET_ERR_MSG(extack,
				       "Host reach needs CAP_NET_ADMIN over the master's namespace");
		else
			NL_SET_ERR_MSG(extack,
				       "Changing the ipvlan mode needs CAP_NET_ADMIN over the master's namespace");
		return -EPERM;
	}
	mode = ipvlan_attr_u16(data, IFLA_IPVLAN_MODE, port->mode);
	flags = ipvlan_attr_u16(data, IFLA_IPVLAN_FLAGS, port->flags);
	err = ipvlan_host_reach_check(port, flags, data[IFLA_IPVLAN_FLAGS],
				      extack);
	if (err)
		return err;
	return ipvlan_port_set_mode(port, mode, flags, extack);
}

/* Also ipvtap's dellink: the device leaves its port in its uninit. */
void ipvlan_dev_dellink(struct net_device *dev, struct list_head *head)
{
	netdev_upper_dev_unlink(ipvlan_priv(dev)->lower, dev);
	unregister_netdevice_queue(dev, head);
}
EXPORT_SYMBOL_GPL(ipvlan_dev_dellink);

static size_t ipvlan_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u16)) +	/* IFLA_IPVLAN_MODE */
	       nla_total_size(sizeof(u16));	/* IFLA_IPVLAN_FLAGS */
}

static int ipvlan_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct ipvlan_port *port = ipvlan_priv(dev)->port;

	if (nla_put_u16(skb, IFLA_IPVLAN_MODE, READ_ONCE(port->mode)) ||
	    nla_put_u16(skb, IFLA_IPVLAN_FLAGS, READ_ONCE(port->flags)))
		return -EMSGSIZE;
	return 0;
}

static struct net *ipvlan_dev_link_net(const struct net_device *dev)
{
	return dev_net(ipvlan_priv(dev)->lower);
}

/*
 * ipvlan and ipvtap links share their attributes: each driver fills in its
 * kind, size and lifecycle, this adds the rest.
 */
int ipvlan_kind_register(struct rtnl_link_ops *ops)
{
	ops->maxtype		= IFLA_IPVLAN_MAX;
	ops->policy		= ipvlan_policy;
	ops->validate		= ipvlan_validate;
	ops->changelink		= ipvlan_changelink;
	ops->get_size		= ipvlan_get_size;
	ops->fill_info		= ipvlan_fill_info;
	ops->get_link_net	= ipvlan_dev_link_net;
	return rtnl_link_register(ops);
}
EXPORT_SYMBOL_GPL(ipvlan_kind_register);

static struct rtnl_link_ops ipvlan_kind __read_mostly = {
	.kind		= "ipvlan",
	.priv_size	= sizeof(struct ipvlan_dev),
	.setup		= ipvlan_dev_setup,
	.newlink	= ipvlan_compat_newlink(ipvlan_dev_newlink),
	.dellink	= ipvlan_dev_dellink,
};

/* ---------------------------------------------------------------------
 * What the device refuses to become
 */

/*
 * What an ipvlan device refuses, with the reason: its own MAC address (it
 * is the lower device's, and changes with it only), an upper device that
 * takes it as a port (bridge, bond, team: but an L3 master, a VRF, may),
 * and a macvlan, which would add MACs to the shared one.  Devices that
 * only send through it, such as a tunnel bound to it, are welcome.
 */
static int ipvlan_dev_event(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	struct netlink_ext_ack *extack = netdev_notifier_info_to_extack(data);
	struct net_device *dev = netdev_notifier_info_to_dev(data);
	struct netdev_notifier_changeupper_info *upper = data;

	if (!ipvlan_is_dev(dev))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_PRE_CHANGEADDR:
		if (ipvlan_priv(dev)->port->mac_changing)
			break;
		NL_SET_ERR_MSG(extack,
			       "An ipvlan slave has its master's MAC address, which only the master's changes");
		return notifier_from_errno(-EOPNOTSUPP);
	case NETDEV_PRECHANGEUPPER:
		if (!upper->linking || netif_is_l3_master(upper->upper_dev))
			break;
		if (!upper->master && !netif_is_macvlan(upper->upper_dev))
			break;
		NL_SET_ERR_MSG(extack,
			       "An ipvlan slave cannot be a port of another device but a VRF, nor a macvlan's lower device");
		return notifier_from_errno(-EINVAL);
	}
	return NOTIFY_DONE;
}

static struct notifier_block ipvlan_dev_nb = {
	.notifier_call = ipvlan_dev_event,
};

int ipvlan_dev_init(void)
{
	int err;

	err = register_netdevice_notifier(&ipvlan_dev_nb);
	if (err)
		return err;
	err = ipvlan_kind_register(&ipvlan_kind);
	if (err)
		unregister_netdevice_notifier(&ipvlan_dev_nb);
	return err;
}

/* Unregistering the link ops deletes every ipvlan device, and port. */
void ipvlan_dev_uninit(void)
{
	rtnl_link_unregister(&ipvlan_kind);
	unregister_netdevice_notifier(&ipvlan_dev_nb);
}
