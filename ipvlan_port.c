// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A port: what a lower device holds for its ipvlan devices.  Its lifecycle,
 * its members (ipvlan_port_join() and ipvlan_port_leave() are the only
 * writers), its mode, and the notifier through which the members follow
 * the lower device's carrier, MTU, offloads and MAC address.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "ipvlan.h"

/* The port of @lower, NULL if it has none: the control path's, under RTNL. */
static struct ipvlan_port *ipvlan_port_of(const struct net_device *lower)
{
	ASSERT_RTNL();

	if (!ipvlan_is_port(lower))
		return NULL;
	return rtnl_dereference(lower->rx_handler_data);
}

static struct ipvlan_port *ipvlan_port_new(struct net_device *lower,
					   struct netlink_ext_ack *extack)
{
	struct ipvlan_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->lower = lower;
	port->mode = IPVLAN_MODE_L3;
	INIT_LIST_HEAD(&port->ipvlans);
	ida_init(&port->dev_ids);
	spin_lock_init(&port->addr_lock);
	ipvlan_mc_init(port);

	err = ipvlan_addr_table_init(port);
	if (err)
		goto err_free_port;

	err = netdev_rx_handler_register(lower, ipvlan_rx_handler, port);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "Master device is already used by another driver (bridge, bond, macvlan...)");
		goto err_destroy_table;
	}
	netdev_dbg(lower, "ipvlan port created\n");
	return port;

err_destroy_table:
	ipvlan_addr_table_destroy(port);
err_free_port:
	ida_destroy(&port->dev_ids);
	kfree(port);
	return ERR_PTR(err);
}

struct ipvlan_port *ipvlan_port_get_or_create(struct net_device *lower,
					      struct netlink_ext_ack *extack)
{
	struct ipvlan_port *port = ipvlan_port_of(lower);

	return port ?: ipvlan_port_new(lower, extack);
}

/* The last member is gone: nothing on the data path can see the port. */
static void ipvlan_port_release(struct ipvlan_port *port)
{
	struct net_device *lower = port->lower;

	ASSERT_RTNL();
	WARN_ON_ONCE(port->count || !list_empty(&port->ipvlans));

	if (port->mode == IPVLAN_MODE_L3S)
		ipvlan_l3s_detach(port);
	ipvlan_host_detach(port);
	/* waits for the receive path to let go of the port */
	netdev_rx_handler_unregister(lower);
	ipvlan_mc_stop(port);
	ipvlan_addr_table_destroy(port);
	ida_destroy(&port->dev_ids);
	kfree(port);
	netdev_dbg(lower, "ipvlan port destroyed\n");
}

/*
 * Frees the port of @lower if no device joined it: its first ipvlan device
 * failed to register.  A device that had joined has left, and the port
 * may be gone already.
 */
void ipvlan_port_put_unused(struct net_device *lower)
{
	struct ipvlan_port *port = ipvlan_port_of(lower);

	if (port && !port->count)
		ipvlan_port_release(port);
}

/*
 * @ipvlan becomes a member, with a dev_id and a reference on the lower
 * device, from its ndo_init; ipvlan_port_leave(), from its ndo_uninit,
 * gives them back.  The data path sees the device from here on, and hands
 * it frames once it runs.
 */
int ipvlan_port_join(struct ipvlan_port *port, struct ipvlan_dev *ipvlan)
{
	int id;

	ASSERT_RTNL();

	id = ida_alloc_range(&port->dev_ids, IPVLAN_DEV_ID_MIN,
			     IPVLAN_DEV_ID_MAX, GFP_KERNEL);
	if (id < 0)
		return id;
	ipvlan->dev->dev_id = id;
	netdev_hold(port->lower, &ipvlan->lower_tracker, GFP_KERNEL);
	list_add_tail_rcu(&ipvlan->port_node, &port->ipvlans);
	WRITE_ONCE(port->count, port->count + 1);
	return 0;
}

/*
 * Called once the device is closed and unlisted, before the core's last
 * synchronize_net(): no reader is left by the time the device is freed.
 * The last member takes the port with it.
 */
void ipvlan_port_leave(struct ipvlan_dev *ipvlan)
{
	struct ipvlan_port *port = ipvlan->port;

	ASSERT_RTNL();

	list_del_rcu(&ipvlan->port_node);
	WRITE_ONCE(port->count, port->count - 1);
	ida_free(&port->dev_ids, ipvlan->dev->dev_id);
	netdev_put(port->lower, &ipvlan->lower_tracker);
	if (!port->count)
		ipvlan_port_release(port);
}

static void ipvlan_set_noarp(struct net_device *dev, bool noarp)
{
	unsigned int flags = dev->flags;

	flags = noarp ? flags | IFF_NOARP : flags & ~IFF_NOARP;
	if (flags != dev->flags)
		dev_change_flags(dev, flags, NULL);
}

/*
 * Mode and flags belong to the port: a change applies to every member.
 * Only entering L3S and turning host reach on can fail, and they are done
 * before anything else.
 */
int ipvlan_port_set_mode(struct ipvlan_port *port, u16 mode, u16 flags,
			 struct netlink_ext_ack *extack)
{
	bool host = flags & IPVLAN_F_HOST_REACH;
	struct ipvlan_dev *ipvlan;
	int err;

	ASSERT_RTNL();

	if (host) {
		err = ipvlan_host_attach(port, extack);
		if (err)
			return err;
	}
	if (port->mode != mode && mode == IPVLAN_MODE_L3S) {
		err = ipvlan_l3s_attach(port, extack);
		if (err)
			goto err_host;
	}
	WRITE_ONCE(port->flags, flags);
	/* the hooks do nothing once the flag is off */
	if (!host)
		ipvlan_host_detach(port);
	if (port->mode == mode)
		return 0;
	if (port->mode == IPVLAN_MODE_L3S)
		ipvlan_l3s_detach(port);
	list_for_each_entry(ipvlan, &port->ipvlans, port_node)
		ipvlan_set_noarp(ipvlan->dev, mode != IPVLAN_MODE_L2);
	WRITE_ONCE(port->mode, mode);
	return 0;

err_host:
	if (!ipvlan_port_host_reach(port))
		ipvlan_host_detach(port);
	return err;
}

/*
 * An ipvlan device's carrier follows its lower device's, and unlike the
 * stacking helper alone, a lower device that is administratively down
 * takes it away too.
 */
void ipvlan_follow_carrier(struct net_device *dev, struct net_device *lower)
{
	netif_stacked_transfer_operstate(lower, dev);
	if (!(lower->flags & IFF_UP))
		netif_carrier_off(dev);
}

/* What the lower device's path can take from @dev in one frame. */
void ipvlan_inherit_limits(struct net_device *dev, struct net_device *lower)
{
	netif_inherit_tso_max(dev, lower);
	dev->hard_header_len = lower->hard_header_len;
	dev->needed_headroom = lower->needed_headroom;
	dev->needed_tailroom = lower->needed_tailroom;
}

/* ---------------------------------------------------------------------
 * The lower device's events
 */

static void ipvlan_port_sync_carrier(struct ipvlan_port *port)
{
	struct ipvlan_dev *ipvlan;

	list_for_each_entry(ipvlan, &port->ipvlans, port_node)
		ipvlan_follow_carrier(ipvlan->dev, port->lower);
}

static void ipvlan_port_sync_mtu(struct ipvlan_port *port)
{
	struct ipvlan_dev *ipvlan;

	list_for_each_entry(ipvlan, &port->ipvlans, port_node)
		dev_set_mtu(ipvlan->dev, port->lower->mtu);
}

static void ipvlan_port_sync_features(struct ipvlan_port *port)
{
	struct ipvlan_dev *ipvlan;

	list_for_each_entry(ipvlan, &port->ipvlans, port_node) {
		ipvlan_inherit_limits(ipvlan->dev, port->lower);
		netdev_update_features(ipvlan->dev);
	}
}

static void ipvlan_port_sync_mac(struct ipvlan_port *port)
{
	struct ipvlan_dev *ipvlan;

	list_for_each_entry(ipvlan, &port->ipvlans, port_node) {
		eth_hw_addr_set(ipvlan->dev, port->lower->dev_addr);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, ipvlan->dev);
	}
}

/* The lower device's new MAC must suit every member: they all take it. */
static int ipvlan_port_pre_changeaddr(struct ipvlan_port *port,
				      struct netdev_notifier_pre_changeaddr_info *info)
{
	struct netlink_ext_ack *extack;
	struct ipvlan_dev *ipvlan;
	int err = 0;

	extack = netdev_notifier_info_to_extack(&info->info);
	port->mac_changing = true;
	list_for_each_entry(ipvlan, &port->ipvlans, port_node) {
		err = ipvlan_compat_pre_changeaddr_notify(ipvlan->dev,
							  info->dev_addr,
							  extack);
		if (err)
			break;
	}
	port->mac_changing = false;
	return err ? notifier_from_errno(err) : NOTIFY_OK;
}

/* Peers learn the members' addresses again after a bonding failover. */
static void ipvlan_port_reraise(struct ipvlan_port *port, unsigned long event)
{
	struct ipvlan_dev *ipvlan;

	list_for_each_entry(ipvlan, &port->ipvlans, port_node)
		call_netdevice_notifiers(event, ipvlan->dev);
}

static void ipvlan_port_delete_all(struct ipvlan_port *port)
{
	struct ipvlan_dev *ipvlan;
	LIST_HEAD(kill);

	/* members leave, and the last frees the port, in their uninit */
	list_for_each_entry(ipvlan, &port->ipvlans, port_node)
		ipvlan->dev->rtnl_link_ops->dellink(ipvlan->dev, &kill);
	unregister_netdevice_many(&kill);
}

static int ipvlan_port_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	struct net_device *lower = netdev_notifier_info_to_dev(data);
	struct ipvlan_port *port;

	port = ipvlan_port_of(lower);
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
		/* the members are Ethernet devices and stay so */
		return NOTIFY_BAD;
	case NETDEV_UNREGISTER:
		/* a lower device moving to another namespace keeps them */
		if (lower->reg_state == NETREG_UNREGISTERING) {
			ipvlan_port_delete_all(port);
			break;
		}
		ipvlan_l3s_lower_leaves(port);
		ipvlan_host_lower_leaves(port);
		break;
	case NETDEV_REGISTER:
		ipvlan_l3s_lower_arrives(port);
		ipvlan_host_lower_arrives(port);
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		ipvlan_port_reraise(port, event);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ipvlan_port_nb = {
	.notifier_call = ipvlan_port_event,
};

int ipvlan_port_init(void)
{
	return register_netdevice_notifier(&ipvlan_port_nb);
}

void ipvlan_port_uninit(void)
{
	unregister_netdevice_notifier(&ipvlan_port_nb);
}
