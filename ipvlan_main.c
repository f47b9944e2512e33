// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ports and slaves: their lifecycle, the slaves' net_device_ops, and the
 * notifiers through which slaves follow their master and learn their
 * addresses.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/rtnetlink.h>

#include "ipvlan.h"

/* What a slave may offload. */
#define IPVLAN_FEATURES	(NETIF_F_SG | NETIF_F_CSUM_MASK | NETIF_F_HIGHDMA | \
			 NETIF_F_FRAGLIST | NETIF_F_GSO | NETIF_F_ALL_TSO | \
			 NETIF_F_GSO_ROBUST | NETIF_F_GRO | NETIF_F_RXCSUM | \
			 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

/*
 * What a slave offers even when its master cannot: every frame it sends
 * leaves through the master's own transmit path, which checksums and
 * segments in software what the master's hardware does not.  Deferring
 * it there lets the slave's stack, a tunnel's included, hand over one
 * large packet instead of paying the slave's path once per segment.
 */
#define IPVLAN_DEFERRED	(NETIF_F_SG | NETIF_F_HW_CSUM | \
			 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

/*
 * Slaves share one MAC with their master and siblings: no VLANs on top.
 * Before 6.12 lockless transmit was a feature, and must stay on too.
 */
#define IPVLAN_ALWAYS_ON	(NETIF_F_VLAN_CHALLENGED | IPVLAN_COMPAT_F_LLTX)

static const struct net_device_ops ipvlan_slave_ops;

bool ipvlan_is_slave(const struct net_device *dev)
{
	return dev->netdev_ops == &ipvlan_slave_ops;
}

struct ipvlan_port *ipvlan_port_get_rtnl(const struct net_device *dev)
{
	ASSERT_RTNL();

	if (!ipvlan_is_port(dev))
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

/* ---------------------------------------------------------------------
 * Ports
 */

int ipvlan_port_create(struct net_device *master,
		       struct netlink_ext_ack *extack)
{
	struct ipvlan_port *port;
	int err;

	ASSERT_RTNL();

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->dev = master;
	port->mode = IPVLAN_MODE_L3;
	INIT_LIST_HEAD(&port->slaves);
	ida_init(&port->dev_ids);
	spin_lock_init(&port->addr_lock);
	ipvlan_mc_init(port);

	err = ipvlan_addrs_init(port);
	if (err)
		goto err_free_port;

	err = netdev_rx_handler_register(master, ipvlan_rx_handler, port);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "Master device is already used by another driver (bridge, bond, macvlan...)");
		goto err_destroy_addrs;
	}
	netdev_dbg(master, "ipvlan port created\n");
	return 0;

err_destroy_addrs:
	ipvlan_addrs_destroy(port);
err_free_port:
	ida_destroy(&port->dev_ids);
	kfree(port);
	return err;
}

/* The last slave is gone: nothing on the data path can see the port. */
static void ipvlan_port_destroy(struct ipvlan_port *port)
{
	struct net_device *master = port->dev;

	ASSERT_RTNL();
	WARN_ON_ONCE(!list_empty(&port->slaves));

	if (port->mode == IPVLAN_MODE_L3S)
		ipvlan_l3s_detach(port);
	/* waits for the receive path to let go of the port */
	netdev_rx_handler_unregister(master);
	ipvlan_mc_stop(port);
	ipvlan_addrs_destroy(port);
	ida_destroy(&port->dev_ids);
	kfree(port);
	netdev_dbg(master, "ipvlan port destroyed\n");
}

static void ipvlan_set_noarp(struct net_device *dev, bool noarp)
{
	unsigned int flags = dev->flags;

	flags = noarp ? flags | IFF_NOARP : flags & ~IFF_NOARP;
	if (flags != dev->flags)
		dev_change_flags(dev, flags, NULL);
}

/*
 * Mode and flags belong to the port: a change applies to every slave.
 * Only entering L3S can fail, and it is done before anything else.
 */
int ipvlan_port_set_mode(struct ipvlan_port *port, u16 mode, u16 flags,
			 struct netlink_ext_ack *extack)
{
	struct ipvlan_dev *slave;
	int err;

	ASSERT_RTNL();

	if (port->mode != mode && mode == IPVLAN_MODE_L3S) {
		err = ipvlan_l3s_attach(port, extack);
		if (err)
			return err;
	}
	WRITE_ONCE(port->flags, flags);
	if (port->mode == mode)
		return 0;
	if (port->mode == IPVLAN_MODE_L3S)
		ipvlan_l3s_detach(port);
	list_for_each_entry(slave, &port->slaves, pnode)
		ipvlan_set_noarp(slave->dev, mode != IPVLAN_MODE_L2);
	WRITE_ONCE(port->mode, mode);
	return 0;
}

/*
 * A slave's carrier follows its master's, and unlike the stacking helper
 * alone, a master that is administratively down takes it away too.
 */
void ipvlan_slave_sync_carrier(struct net_device *dev,
			       struct net_device *master)
{
	netif_stacked_transfer_operstate(master, dev);
	if (!(master->flags & IFF_UP))
		netif_carrier_off(dev);
}

static void ipvlan_port_sync_carrier(struct ipvlan_port *port)
{
	struct ipvlan_dev *slave;

	list_for_each_entry(slave, &port->slaves, pnode)
		ipvlan_slave_sync_carrier(slave->dev, port->dev);
}

static void ipvlan_port_sync_mtu(struct ipvlan_port *port)
{
	struct ipvlan_dev *slave;

	list_for_each_entry(slave, &port->slaves, pnode)
		dev_set_mtu(slave->dev, port->dev->mtu);
}

/*
 * @features, less what the slave's consumer cannot take (an ipvtap guest's
 * offload settings), with one checksum offload: the generic one, when the
 * master's path provides it, replaces the protocol-specific ones.
 */
static netdev_features_t ipvlan_offloads(const struct ipvlan_dev *slave,
					 netdev_features_t features)
{
	features &= slave->offloads | ~IPVLAN_FEATURES;
	if (features & NETIF_F_HW_CSUM)
		features &= ~(NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM);
	return features;
}

static void ipvlan_inherit_limits(struct net_device *dev,
				  struct net_device *master)
{
	netif_inherit_tso_max(dev, master);
	dev->hard_header_len = master->hard_header_len;
	dev->needed_headroom = master->needed_headroom;
	dev->needed_tailroom = master->needed_tailroom;
}

static void ipvlan_port_sync_features(struct ipvlan_port *port)
{
	struct ipvlan_dev *slave;

	list_for_each_entry(slave, &port->slaves, pnode) {
		ipvlan_inherit_limits(slave->dev, port->dev);
		netdev_update_features(slave->dev);
	}
}

static void ipvlan_port_sync_mac(struct ipvlan_port *port)
{
	struct ipvlan_dev *slave;

	list_for_each_entry(slave, &port->slaves, pnode) {
		eth_hw_addr_set(slave->dev, port->dev->dev_addr);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, slave->dev);
	}
}

/* The master's new MAC must suit every slave, since they all take it. */
static int ipvlan_port_pre_changeaddr(struct ipvlan_port *port,
				      struct netdev_notifier_pre_changeaddr_info *info)
{
	struct netlink_ext_ack *extack;
	struct ipvlan_dev *slave;
	int err = 0;

	ASSERT_RTNL();

	extack = netdev_notifier_info_to_extack(&info->info);
	port->mac_changing = true;
	list_for_each_entry(slave, &port->slaves, pnode) {
		err = dev_pre_changeaddr_notify(slave->dev, info->dev_addr,
						extack);
		if (err)
			break;
	}
	port->mac_changing = false;
	return err ? notifier_from_errno(err) : NOTIFY_OK;
}

/* Peers learn the slaves' addresses again after a bonding failover. */
static void ipvlan_port_reraise(struct ipvlan_port *port, unsigned long event)
{
	struct ipvlan_dev *slave;

	list_for_each_entry(slave, &port->slaves, pnode)
		call_netdevice_notifiers(event, slave->dev);
}

static void ipvlan_port_delete_slaves(struct ipvlan_port *port)
{
	struct ipvlan_dev *slave, *next;
	LIST_HEAD(kill);

	/* the last slave's uninit frees the port: do not touch it after */
	list_for_each_entry_safe(slave, next, &port->slaves, pnode)
		slave->dev->rtnl_link_ops->dellink(slave->dev, &kill);
	unregister_netdevice_many(&kill);
}

/*
 * What a slave refuses, with the reason: its own MAC address (it is the
 * master's, and changes with it only), a master device but an L3 master
 * (VRF), and a macvlan.  A bridge, bond or team would take the slave as a
 * port, a macvlan would add MACs to the shared one.  Devices that only
 * send through the slave, such as a tunnel bound to it, are welcome.
 */
static int ipvlan_slave_event(struct net_device *dev, unsigned long event,
			      void *data)
{
	struct netlink_ext_ack *extack = netdev_notifier_info_to_extack(data);
	struct netdev_notifier_changeupper_info *upper = data;

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

static int ipvlan_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *data)
{
	struct net_device *dev = netdev_notifier_info_to_dev(data);
	struct ipvlan_port *port;

	if (ipvlan_is_slave(dev))
		return ipvlan_slave_event(dev, event, data);
	port = ipvlan_port_get_rtnl(dev);
	if (!port)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		ipvlan_port_sync_carrier(port);
		break;
	case NETDEV_CHANGEMTU:
		ipvlan_port_sync_mtu(port);
		break;
	case NETDEV_FEAT_CHANGE:
		ipvlan_port_sync_features(port);
		break;
	case NETDEV_CHANGEADDR:
		ipvlan_port_sync_mac(port);
		break;
	case NETDEV_PRE_CHANGEADDR:
		return ipvlan_port_pre_changeaddr(port, data);
	case NETDEV_PRE_TYPE_CHANGE:
		/* the slaves are Ethernet devices and stay so */
		return NOTIFY_BAD;
	case NETDEV_UNREGISTER:
		/* a master moving to another namespace keeps its slaves */
		if (dev->reg_state == NETREG_UNREGISTERING)
			ipvlan_port_delete_slaves(port);
		else
			ipvlan_l3s_master_leaves(port);
		break;
	case NETDEV_REGISTER:
		ipvlan_l3s_master_arrives(port);
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		ipvlan_port_reraise(port, event);
		break;
	}
	return NOTIFY_DONE;
}

/* ---------------------------------------------------------------------
 * Slave net_device_ops
 */

/*
 * Takes what a slave holds for its life: a dev_id, a place in the port,
 * a reference on the master and its counters.  ipvlan_slave_uninit() gives them
 * back, also when register_netdevice() fails after this succeeded.
 */
static int ipvlan_slave_init(struct net_device *dev)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	struct net_device *master = slave->master;
	int id;

	slave->stats = netdev_alloc_pcpu_stats(struct ipvlan_pcpu_stats);
	if (!slave->stats)
		return -ENOMEM;

	id = ida_alloc_range(&slave->port->dev_ids, IPVLAN_DEV_ID_MIN,
			     IPVLAN_DEV_ID_MAX, GFP_KERNEL);
	if (id < 0) {
		free_percpu(slave->stats);
		return id;
	}
	dev->dev_id = id;

	dev->features = ipvlan_offloads(slave, (master->features |
						IPVLAN_DEFERRED) &
					IPVLAN_FEATURES) | IPVLAN_ALWAYS_ON;
	dev->hw_features = IPVLAN_FEATURES;
	dev->vlan_features = master->vlan_features & IPVLAN_FEATURES;
	/* a tunnel's packets are segmented at the master too */
	dev->hw_enc_features = IPVLAN_FEATURES;
	ipvlan_inherit_limits(dev, master);
	netdev_lockdep_set_classes(dev);

	netdev_hold(master, &slave->master_tracker, GFP_KERNEL);
	slave->port->count++;
	return 0;
}

static void ipvlan_slave_uninit(struct net_device *dev)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	struct ipvlan_port *port = slave->port;

	ASSERT_RTNL();

	ipvlan_addrs_flush(slave);
	ida_free(&port->dev_ids, dev->dev_id);
	netdev_put(slave->master, &slave->master_tracker);
	free_percpu(slave->stats);
	slave->stats = NULL;
	if (!--port->count)
		ipvlan_port_destroy(port);
	netdev_dbg(dev, "ipvlan slave destroyed\n");
}

/*
 * Frees the port of a master whose newlink failed before any slave took
 * a place in it.
 */
void ipvlan_port_release_unused(struct net_device *master)
{
	struct ipvlan_port *port = ipvlan_port_get_rtnl(master);

	if (port && !port->count)
		ipvlan_port_destroy(port);
}

static int ipvlan_slave_open(struct net_device *dev)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	int err;

	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(slave->master, 1);
		if (err)
			return err;
	}
	return 0;
}

static int ipvlan_slave_stop(struct net_device *dev)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);

	dev_uc_unsync(slave->master, dev);
	dev_mc_unsync(slave->master, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(slave->master, -1);
	return 0;
}

static void ipvlan_rx_flags_changed(struct net_device *dev, int change)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);

	if ((change & IFF_ALLMULTI) && (dev->flags & IFF_UP))
		dev_set_allmulti(slave->master,
				 dev->flags & IFF_ALLMULTI ? 1 : -1);
}

/* Called under the slave's address list lock. */
static void ipvlan_set_rx_mode(struct net_device *dev)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	DECLARE_BITMAP(filter, IPVLAN_MC_FILTER_SIZE);
	struct netdev_hw_addr *ha;
	unsigned int i;

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
		WRITE_ONCE(slave->mc_filter[i], filter[i]);

	dev_uc_sync(slave->master, dev);
	dev_mc_sync(slave->master, dev);
}

static void ipvlan_stats64(struct net_device *dev,
			   struct rtnl_link_stats64 *s)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct ipvlan_pcpu_stats *p;
		u64 rxp, rxb, rxm, rxd, txp, txb, txd;
		unsigned int start;

		p = per_cpu_ptr(slave->stats, cpu);
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

static netdev_features_t ipvlan_clamp_features(struct net_device *dev,
					       netdev_features_t features)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);

	/* what the user asked for, as far as the master or its path can */
	features &= slave->master->features | IPVLAN_DEFERRED |
		    ~IPVLAN_FEATURES;
	return ipvlan_offloads(slave, features) | IPVLAN_ALWAYS_ON;
}

/*
 * Never reached: NETDEV_PRE_CHANGEADDR refuses every change first, with a
 * reason, which the core asks only of devices that have this operation.
 */
static int ipvlan_slave_set_mac(struct net_device *dev, void *addr)
{
	return -EOPNOTSUPP;
}

static int ipvlan_iflink(const struct net_device *dev)
{
	return READ_ONCE(ipvlan_priv(dev)->master->ifindex);
}

static const struct net_device_ops ipvlan_slave_ops = {
	.ndo_init		= ipvlan_slave_init,
	.ndo_uninit		= ipvlan_slave_uninit,
	.ndo_open		= ipvlan_slave_open,
	.ndo_stop		= ipvlan_slave_stop,
	.ndo_start_xmit		= ipvlan_start_xmit,
	.ndo_set_mac_address	= ipvlan_slave_set_mac,
	.ndo_fix_features	= ipvlan_clamp_features,
	.ndo_change_rx_flags	= ipvlan_rx_flags_changed,
	.ndo_set_rx_mode	= ipvlan_set_rx_mode,
	.ndo_get_stats64	= ipvlan_stats64,
	.ndo_get_iflink		= ipvlan_iflink,
};

/* ---------------------------------------------------------------------
 * ethtool: what the master knows
 */

static void ipvlan_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static int ipvlan_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	return __ethtool_get_link_ksettings(ipvlan_priv(dev)->master, cmd);
}

static u32 ipvlan_get_msglevel(struct net_device *dev)
{
	return ipvlan_priv(dev)->msg_enable;
}

static void ipvlan_set_msglevel(struct net_device *dev, u32 value)
{
	ipvlan_priv(dev)->msg_enable = value;
}

static const struct ethtool_ops ipvlan_slave_ethtool = {
	.get_drvinfo		= ipvlan_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= ipvlan_get_link_ksettings,
	.get_msglevel		= ipvlan_get_msglevel,
	.set_msglevel		= ipvlan_set_msglevel,
};

void ipvlan_slave_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->max_mtu = ETH_MAX_MTU;
	/*
	 * L3 mode routes with the dst; frames are never shared with us.  No
	 * IFF_NO_RX_HANDLER: an rx_handler's owner links itself as an upper
	 * device, which ipvlan_slave_event() refuses with a reason.
	 */
	dev->priv_flags &= ~(IFF_XMIT_DST_RELEASE | IFF_TX_SKB_SHARING);
	dev->priv_flags |= IFF_UNICAST_FLT | IFF_NO_QUEUE;
	ipvlan_compat_set_lltx(dev);
	dev->netdev_ops = &ipvlan_slave_ops;
	dev->ethtool_ops = &ipvlan_slave_ethtool;
	dev->needs_free_netdev = true;
	ipvlan_priv(dev)->offloads = IPVLAN_FEATURES;
}
EXPORT_SYMBOL_GPL(ipvlan_slave_setup);

/* Only @offloads of the slave's features may be on, e.g. for a guest. */
void ipvlan_slave_limit_offloads(struct net_device *dev,
				 netdev_features_t offloads)
{
	ASSERT_RTNL();

	ipvlan_priv(dev)->offloads = offloads;
	netdev_update_features(dev);
}
EXPORT_SYMBOL_GPL(ipvlan_slave_limit_offloads);

/* ---------------------------------------------------------------------
 * Address notifiers: the table follows the slaves' addresses
 */

/*
 * An IPv4 address is in the table by its ifa_address: the local address,
 * or for "ip addr add A peer B" the peer B.  It is the one that address
 * validators are shown, so what is checked is what is added.
 */
static bool ipvlan_has_ip4(struct in_device *in_dev, __be32 addr)
{
	const struct in_ifaddr *ifa;

	if (!in_dev)
		return false;
	in_dev_for_each_ifa_rtnl(ifa, in_dev)
		if (ifa->ifa_address == addr)
			return true;
	return false;
}

static int ipvlan_inet_event(struct notifier_block *nb,
			     unsigned long event, void *data)
{
	const struct in_ifaddr *ifa = data;
	struct net_device *dev = ifa->ifa_dev->dev;
	struct ipvlan_dev *slave;

	if (!ipvlan_is_slave(dev))
		return NOTIFY_DONE;
	slave = ipvlan_priv(dev);

	switch (event) {
	case NETDEV_UP:
		if (ipvlan_addr_add(slave, &ifa->ifa_address, false))
			netdev_warn(dev, "%pI4 not added to the ipvlan table\n",
				    &ifa->ifa_address);
		break;
	case NETDEV_DOWN:
		/*
		 * A slave being unregistered loses all its addresses, one
		 * event each, and flushes its table entries in uninit: a
		 * walk of the remaining ones for each would make deleting
		 * a slave quadratic in its addresses.
		 */
		if (dev->reg_state == NETREG_UNREGISTERING)
			break;
		/* IPv4 allows one address several times, with other prefixes */
		if (!ipvlan_has_ip4(ifa->ifa_dev, ifa->ifa_address))
			ipvlan_addr_del(slave, &ifa->ifa_address, false);
		break;
	}
	return NOTIFY_OK;
}

static int ipvlan_addr4_validate(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	struct in_validator_info *vinfo = data;
	struct net_device *dev = vinfo->ivi_dev->dev;
	struct net_device *master;

	if (event != NETDEV_UP || !ipvlan_is_slave(dev))
		return NOTIFY_DONE;
	if (ipvlan_addr_busy(ipvlan_priv(dev), &vinfo->ivi_addr, false)) {
		NL_SET_ERR_MSG(vinfo->extack,
			       "Address already used by another ipvlan slave of this master");
		return notifier_from_errno(-EADDRINUSE);
	}
	master = ipvlan_priv(dev)->master;
	if (ipvlan_has_ip4(__in_dev_get_rtnl(master), vinfo->ivi_addr)) {
		NL_SET_ERR_MSG(vinfo->extack,
			       "Address already used by the ipvlan master");
		return notifier_from_errno(-EADDRINUSE);
	}
	return NOTIFY_OK;
}

#if IS_ENABLED(CONFIG_IPV6)
/* May run in atomic context: autoconfiguration adds addresses there. */
static int ipvlan_inet6_event(struct notifier_block *nb,
			      unsigned long event, void *data)
{
	const struct inet6_ifaddr *ifa = data;
	struct net_device *dev = ifa->idev->dev;
	struct ipvlan_dev *slave;

	if (!ipvlan_is_slave(dev))
		return NOTIFY_DONE;
	slave = ipvlan_priv(dev);

	switch (event) {
	case NETDEV_UP:
		if (ipvlan_addr_add(slave, &ifa->addr, true))
			net_warn_ratelimited("%s: %pI6c not added to the ipvlan table\n",
					     dev->name, &ifa->addr);
		break;
	case NETDEV_DOWN:
		ipvlan_addr_del(slave, &ifa->addr, true);
		break;
	}
	return NOTIFY_OK;
}

static int ipvlan_addr6_validate(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	struct in6_validator_info *vinfo = data;
	struct net_device *dev = vinfo->i6vi_dev->dev;
	struct net_device *master;

	if (event != NETDEV_UP || !ipvlan_is_slave(dev))
		return NOTIFY_DONE;
	if (ipvlan_addr_busy(ipvlan_priv(dev), &vinfo->i6vi_addr, true)) {
		NL_SET_ERR_MSG(vinfo->extack,
			       "Address already used by another ipvlan slave of this master");
		return notifier_from_errno(-EADDRINUSE);
	}
	master = ipvlan_priv(dev)->master;
	if (ipv6_chk_addr(dev_net(master), &vinfo->i6vi_addr, master, 1)) {
		NL_SET_ERR_MSG(vinfo->extack,
			       "Address already used by the ipvlan master");
		return notifier_from_errno(-EADDRINUSE);
	}
	return NOTIFY_OK;
}
#endif

static struct notifier_block ipvlan_device_nb = {
	.notifier_call = ipvlan_netdev_event,
};

static struct notifier_block ipvlan_addr4_nb = {
	.notifier_call = ipvlan_inet_event,
};

static struct notifier_block ipvlan_addr4_vnb = {
	.notifier_call = ipvlan_addr4_validate,
};

#if IS_ENABLED(CONFIG_IPV6)
static struct notifier_block ipvlan_addr6_nb = {
	.notifier_call = ipvlan_inet6_event,
};

static struct notifier_block ipvlan_addr6_vnb = {
	.notifier_call = ipvlan_addr6_validate,
};

static int ipvlan_addr6_notifiers_register(void)
{
	int err;

	err = register_inet6addr_validator_notifier(&ipvlan_addr6_vnb);
	if (err)
		return err;
	err = register_inet6addr_notifier(&ipvlan_addr6_nb);
	if (err)
		unregister_inet6addr_validator_notifier(&ipvlan_addr6_vnb);
	return err;
}

static void ipvlan_addr6_notifiers_unregister(void)
{
	unregister_inet6addr_notifier(&ipvlan_addr6_nb);
	unregister_inet6addr_validator_notifier(&ipvlan_addr6_vnb);
}
#else
static int ipvlan_addr6_notifiers_register(void)
{
	return 0;
}

static void ipvlan_addr6_notifiers_unregister(void)
{
}
#endif

static int ipvlan_notifiers_register(void)
{
	int err;

	err = register_inetaddr_validator_notifier(&ipvlan_addr4_vnb);
	if (err)
		return err;
	err = register_inetaddr_notifier(&ipvlan_addr4_nb);
	if (err)
		goto err_unregister_addr4_validator;
	err = ipvlan_addr6_notifiers_register();
	if (err)
		goto err_unregister_addr4;
	err = register_netdevice_notifier(&ipvlan_device_nb);
	if (err)
		goto err_unregister_addr6;
	return 0;

err_unregister_addr6:
	ipvlan_addr6_notifiers_unregister();
err_unregister_addr4:
	unregister_inetaddr_notifier(&ipvlan_addr4_nb);
err_unregister_addr4_validator:
	unregister_inetaddr_validator_notifier(&ipvlan_addr4_vnb);
	return err;
}

static void ipvlan_notifiers_unregister(void)
{
	unregister_netdevice_notifier(&ipvlan_device_nb);
	ipvlan_addr6_notifiers_unregister();
	unregister_inetaddr_notifier(&ipvlan_addr4_nb);
	unregister_inetaddr_validator_notifier(&ipvlan_addr4_vnb);
}

/* ---------------------------------------------------------------------
 * Module
 */

static int __init ipvlan_module_init(void)
{
	int err;

	err = ipvlan_l3s_register();
	if (err)
		return err;
	err = ipvlan_notifiers_register();
	if (err)
		goto err_cleanup_l3s;
	err = ipvlan_kind_register(&ipvlan_link_ops);
	if (err)
		goto err_unregister_notifiers;
	return 0;

err_unregister_notifiers:
	ipvlan_notifiers_unregister();
err_cleanup_l3s:
	ipvlan_l3s_unregister();
	return err;
}

/* Unregistering the link ops deletes every slave, and so every port. */
static void __exit ipvlan_module_exit(void)
{
	rtnl_link_unregister(&ipvlan_link_ops);
	ipvlan_notifiers_unregister();
	ipvlan_l3s_unregister();
}

module_init(ipvlan_module_init);
module_exit(ipvlan_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual devices demultiplexed by their IP addresses on a shared MAC");
MODULE_VERSION(IPVLAN_VERSION);
MODULE_ALIAS_RTNL_LINK("ipvlan");
