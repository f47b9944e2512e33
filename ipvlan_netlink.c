// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink: "ip link add link <master> <name> type ipvlan mode ..." and
 * the IFLA_IPVLAN_* attributes, with Linux's uapi.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "ipvlan.h"

static const struct nla_policy ipvlan_policy[IFLA_IPVLAN_MAX + 1] = {
	[IFLA_IPVLAN_MODE]	= { .type = NLA_U16 },
	[IFLA_IPVLAN_FLAGS]	= { .type = NLA_U16 },
};

/* What the policy cannot say: the valid values, as -EINVAL. */
static int ipvlan_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	u16 flags;

	if (!data)
		return 0;

	attr = data[IFLA_IPVLAN_MODE];
	if (attr) {
		if (nla_get_u16(attr) >= IPVLAN_MODE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Unknown ipvlan mode: l2, l3 or l3s");
			return -EINVAL;
		}
		if (nla_get_u16(attr) == IPVLAN_MODE_L3S && !IPVLAN_HAS_L3S) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "ipvlan mode l3s needs NET_L3_MASTER_DEV and NETFILTER");
			return -EOPNOTSUPP;
		}
	}

	attr = data[IFLA_IPVLAN_FLAGS];
	if (attr) {
		flags = nla_get_u16(attr);
		if (flags & ~IPVLAN_F_MASK) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Unknown ipvlan flags: bridge, private or vepa");
			return -EINVAL;
		}
		if (flags == IPVLAN_F_MASK) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "ipvlan flags private and vepa exclude each other");
			return -EINVAL;
		}
	}
	return 0;
}

static struct net_device *ipvlan_get_master(struct net *net,
					    struct nlattr *tb[],
					    struct netlink_ext_ack *extack)
{
	struct net_device *master;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "ipvlan needs a master device (link)");
		return ERR_PTR(-EINVAL);
	}
	master = __dev_get_by_index(net, nla_get_u32(tb[IFLA_LINK]));
	if (!master) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "Master device not found");
		return ERR_PTR(-ENODEV);
	}
	/*
	 * No nesting: a slave named as the link stands for its master.  The
	 * master's port is then reached from the slave's namespace, which a
	 * container may own: it needs the rights a changelink needs.
	 */
	if (ipvlan_is_slave(master)) {
		master = ipvlan_priv(master)->master;
		if (!ns_capable(dev_net(master)->user_ns, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
					    "Adding a slave through another slave needs CAP_NET_ADMIN over the master's namespace");
			return ERR_PTR(-EPERM);
		}
	}
	if (master->type != ARPHRD_ETHER || master->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "Master must be an Ethernet device, not loopback");
		return ERR_PTR(-EINVAL);
	}
	return master;
}

static u16 ipvlan_attr_u16(struct nlattr *data[], int type, u16 fallback)
{
	if (data && data[type])
		return nla_get_u16(data[type]);
	return fallback;
}

/* Also ipvtap's newlink, hence exported. */
int ipvlan_slave_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);
	struct ipvlan_port *port;
	struct net_device *master;
	u16 mode, flags;
	int err;

	master = ipvlan_get_master(src_net, tb, extack);
	if (IS_ERR(master))
		return PTR_ERR(master);

	port = ipvlan_port_get_rtnl(master);
	if (!port) {
		err = ipvlan_port_create(master, extack);
		if (err)
			return err;
		port = ipvlan_port_get_rtnl(master);
	}
	/* without a mode, a slave joins its port as it is (new ports: l3) */
	mode = ipvlan_attr_u16(data, IFLA_IPVLAN_MODE, port->mode);
	flags = ipvlan_attr_u16(data, IFLA_IPVLAN_FLAGS, port->flags);

	if (!tb[IFLA_MTU])
		dev->mtu = master->mtu;

	slave->dev = dev;
	slave->master = master;
	slave->port = port;
	INIT_LIST_HEAD(&slave->addrs);
	eth_hw_addr_set(dev, master->dev_addr);
	if (mode != IPVLAN_MODE_L2)
		dev->flags |= IFF_NOARP;

	err = register_netdevice(dev);
	if (err)
		goto err_release_port;

	err = netdev_upper_dev_link(master, dev, extack);
	if (err)
		goto err_unregister;

	list_add_tail_rcu(&slave->pnode, &port->slaves);
	err = ipvlan_port_set_mode(port, mode, flags, extack);
	if (err)
		goto err_unlink;
	ipvlan_slave_sync_carrier(dev, master);
	netdev_dbg(dev, "ipvlan slave created\n");
	return 0;

err_unlink:
	list_del_rcu(&slave->pnode);
	netdev_upper_dev_unlink(master, dev);
err_unregister:
	/* ipvlan_slave_uninit() gives back what ipvlan_slave_init() took */
	unregister_netdevice(dev);
	return err;
err_release_port:
	ipvlan_port_release_unused(master);
	return err;
}
EXPORT_SYMBOL_GPL(ipvlan_slave_newlink);

static int ipvlan_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct ipvlan_port *port = ipvlan_priv(dev)->port;
	u16 mode, flags;

	if (!data || (!data[IFLA_IPVLAN_MODE] && !data[IFLA_IPVLAN_FLAGS]))
		return 0;

	/* the change reaches every slave of the master, wherever they live */
	if (!ns_capable(dev_net(port->dev)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack,
			       "Changing the ipvlan mode needs CAP_NET_ADMIN over the master's namespace");
		return -EPERM;
	}
	mode = ipvlan_attr_u16(data, IFLA_IPVLAN_MODE, port->mode);
	flags = ipvlan_attr_u16(data, IFLA_IPVLAN_FLAGS, port->flags);
	return ipvlan_port_set_mode(port, mode, flags, extack);
}

void ipvlan_slave_dellink(struct net_device *dev, struct list_head *head)
{
	struct ipvlan_dev *slave = ipvlan_priv(dev);

	list_del_rcu(&slave->pnode);
	netdev_upper_dev_unlink(slave->master, dev);
	unregister_netdevice_queue(dev, head);
}
EXPORT_SYMBOL_GPL(ipvlan_slave_dellink);

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

static struct net *ipvlan_link_netns(const struct net_device *dev)
{
	return dev_net(ipvlan_priv(dev)->master);
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
	ops->get_link_net	= ipvlan_link_netns;
	return rtnl_link_register(ops);
}
EXPORT_SYMBOL_GPL(ipvlan_kind_register);

struct rtnl_link_ops ipvlan_link_ops __read_mostly = {
	.kind		= "ipvlan",
	.priv_size	= sizeof(struct ipvlan_dev),
	.setup		= ipvlan_slave_setup,
	.newlink	= ipvlan_slave_newlink,
	.dellink	= ipvlan_slave_dellink,
};
