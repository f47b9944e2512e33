// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The address table: each port's IPv4 and IPv6 addresses, each owned by
 * one of its ipvlan devices, and the notifiers that keep it in step with
 * the devices' addresses and refuse an address another device owns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <net/addrconf.h>
#include <net/arp.h>
#include <net/ipv6.h>

#include "ipvlan.h"

/*
 * An address owned by an ipvlan device.  Entries live in the port's table
 * whatever the state of their owner; the data path only hands frames to
 * running owners, so an address is live exactly while its device is up.
 */
struct ipvlan_addr {
	struct rhash_head	node;
	union {
		__be32		ip4;
		struct in6_addr	ip6;
	};
	/* the owner's net_device: the data path checks only that it is up */
	struct net_device	*dev;
	struct ipvlan_dev	*owner;
	bool			v6;
	struct list_head	owner_node;
	struct rcu_head		rcu;
};

/*
 * rhashtable's default compare is a memcmp() of a length it reads from
 * the table at run time; these compare the two key sizes inline.
 */
static int ipvlan_addr4_cmp(struct rhashtable_compare_arg *arg,
			    const void *obj)
{
	const struct ipvlan_addr *a = obj;

	return a->ip4 != *(const __be32 *)arg->key;
}

static int ipvlan_addr6_cmp(struct rhashtable_compare_arg *arg,
			    const void *obj)
{
	const struct ipvlan_addr *a = obj;

	return !ipv6_addr_equal(&a->ip6, arg->key);
}

static const struct rhashtable_params ipvlan_addr4_params = {
	.head_offset		= offsetof(struct ipvlan_addr, node),
	.key_offset		= offsetof(struct ipvlan_addr, ip4),
	.key_len		= sizeof(__be32),
	.obj_cmpfn		= ipvlan_addr4_cmp,
	.automatic_shrinking	= true,
};

static const struct rhashtable_params ipvlan_addr6_params = {
	.head_offset		= offsetof(struct ipvlan_addr, node),
	.key_offset		= offsetof(struct ipvlan_addr, ip6),
	.key_len		= sizeof(struct in6_addr),
	.obj_cmpfn		= ipvlan_addr6_cmp,
	.automatic_shrinking	= true,
};

/* ---------------------------------------------------------------------
 * The table
 */

int ipvlan_addr_table_init(struct ipvlan_port *port)
{
	int err;

	err = rhashtable_init(&port->addrs4, &ipvlan_addr4_params);
	if (err)
		return err;
	err = rhashtable_init(&port->addrs6, &ipvlan_addr6_params);
	if (err)
		rhashtable_destroy(&port->addrs4);
	return err;
}

/* Every ipvlan device has flushed its addresses by the time its port goes. */
void ipvlan_addr_table_destroy(struct ipvlan_port *port)
{
	WARN_ON_ONCE(atomic_read(&port->addrs4.nelems));
	WARN_ON_ONCE(atomic_read(&port->addrs6.nelems));
	rhashtable_destroy(&port->addrs4);
	rhashtable_destroy(&port->addrs6);
}

static struct ipvlan_dev *ipvlan_live_owner(const struct ipvlan_addr *a)
{
	if (a && netif_running(a->dev))
		return a->owner;
	return NULL;
}

/* The running device that owns @addr, under RCU: the data path's lookups. */
struct ipvlan_dev *ipvlan_addr_lookup4(struct ipvlan_port *port, __be32 addr)
{
	return ipvlan_live_owner(rhashtable_lookup(&port->addrs4, &addr,
						   ipvlan_addr4_params));
}

struct ipvlan_dev *ipvlan_addr_lookup6(struct ipvlan_port *port,
				       const struct in6_addr *addr)
{
	return ipvlan_live_owner(rhashtable_lookup(&port->addrs6, addr,
						   ipvlan_addr6_params));
}

/* Control path lookup: takes its own RCU read lock. */
static struct ipvlan_addr *ipvlan_addr_find(struct ipvlan_port *port,
					    const void *addr, bool v6)
{
	if (v6)
		return rhashtable_lookup_fast(&port->addrs6, addr,
					      ipvlan_addr6_params);
	return rhashtable_lookup_fast(&port->addrs4, addr, ipvlan_addr4_params);
}

/* @addr is a sibling's of @ipvlan. */
static bool ipvlan_addr_taken(struct ipvlan_dev *ipvlan, const void *addr,
			      bool v6)
{
	struct ipvlan_addr *a;
	bool taken;

	rcu_read_lock();
	a = ipvlan_addr_find(ipvlan->port, addr, v6);
	taken = a && a->owner != ipvlan;
	rcu_read_unlock();
	return taken;
}

static int ipvlan_addr_insert(struct ipvlan_port *port, struct ipvlan_addr *a)
{
	lockdep_assert_held(&port->addr_lock);

	if (a->v6)
		return rhashtable_insert_fast(&port->addrs6, &a->node,
					      ipvlan_addr6_params);
	return rhashtable_insert_fast(&port->addrs4, &a->node,
				      ipvlan_addr4_params);
}

static void ipvlan_addr_unlink(struct ipvlan_port *port, struct ipvlan_addr *a)
{
	lockdep_assert_held(&port->addr_lock);

	if (a->v6)
		rhashtable_remove_fast(&port->addrs6, &a->node,
				       ipvlan_addr6_params);
	else
		rhashtable_remove_fast(&port->addrs4, &a->node,
				       ipvlan_addr4_params);
	list_del(&a->owner_node);
	kfree_rcu(a, rcu);
}

/*
 * Called from the address notifiers, possibly in atomic context for IPv6.
 * Adding an address the device already owns is not an error: IPv4 raises
 * NETDEV_UP again when it promotes a secondary address.
 */
static int ipvlan_addr_add(struct ipvlan_dev *ipvlan, const void *addr,
			   bool v6)
{
	struct ipvlan_port *port = ipvlan->port;
	struct ipvlan_addr *a;
	int err = 0;

	spin_lock_bh(&port->addr_lock);
	a = ipvlan_addr_find(port, addr, v6);
	if (a) {
		if (a->owner != ipvlan)
			err = -EADDRINUSE;
		goto unlock;
	}
	a = kzalloc(sizeof(*a), GFP_ATOMIC);
	if (!a) {
		err = -ENOMEM;
		goto unlock;
	}
	a->v6 = v6;
	a->owner = ipvlan;
	a->dev = ipvlan->dev;
	if (v6)
		a->ip6 = *(const struct in6_addr *)addr;
	else
		a->ip4 = *(const __be32 *)addr;
	err = ipvlan_addr_insert(port, a);
	if (err) {
		kfree(a);
		goto unlock;
	}
	list_add_tail(&a->owner_node, &ipvlan->addrs);
unlock:
	spin_unlock_bh(&port->addr_lock);
	return err;
}

static void ipvlan_addr_del(struct ipvlan_dev *ipvlan, const void *addr,
			    bool v6)
{
	struct ipvlan_port *port = ipvlan->port;
	struct ipvlan_addr *a;

	spin_lock_bh(&port->addr_lock);
	a = ipvlan_addr_find(port, addr, v6);
	if (a && a->owner == ipvlan)
		ipvlan_addr_unlink(port, a);
	spin_unlock_bh(&port->addr_lock);
}

void ipvlan_addr_flush(struct ipvlan_dev *ipvlan)
{
	struct ipvlan_port *port = ipvlan->port;
	struct ipvlan_addr *a, *tmp;

	spin_lock_bh(&port->addr_lock);
	list_for_each_entry_safe(a, tmp, &ipvlan->addrs, owner_node)
		ipvlan_addr_unlink(port, a);
	spin_unlock_bh(&port->addr_lock);
}

/* ---------------------------------------------------------------------
 * Notifiers: the table follows the devices' addresses
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

/* @dev has @addr among its own addresses. */
static bool ipvlan_dev_has(struct net_device *dev, const void *addr, bool v6)
{
	if (v6)
		return IS_ENABLED(CONFIG_IPV6) &&
		       ipv6_chk_addr(dev_net(dev), addr, dev, 1);
	return ipvlan_has_ip4(__in_dev_get_rtnl(dev), *(const __be32 *)addr);
}

/*
 * Both families' validators: an address on an ipvlan device is its own,
 * no sibling's, not the lower device's.
 */
static int ipvlan_addr_validate(struct net_device *dev, unsigned long event,
				const void *addr, bool v6,
				struct netlink_ext_ack *extack)
{
	struct ipvlan_dev *ipvlan;

	if (event != NETDEV_UP || !ipvlan_is_dev(dev))
		return NOTIFY_DONE;
	ipvlan = ipvlan_priv(dev);
	if (ipvlan_addr_taken(ipvlan, addr, v6)) {
		NL_SET_ERR_MSG(extack,
			       "Address already used by another ipvlan slave of this master");
		return notifier_from_errno(-EADDRINUSE);
	}
	if (ipvlan_dev_has(ipvlan->lower, addr, v6)) {
		NL_SET_ERR_MSG(extack,
			       "Address already used by the ipvlan master");
		return notifier_from_errno(-EADDRINUSE);
	}
	return NOTIFY_OK;
}

/*
 * @addr stays in the table though one of @dev's addresses went down.  IPv4
 * alone can hold one address several times, with other prefixes: the entry
 * goes with the last.  A device being unregistered loses all its IPv4
 * addresses, an event each, and flushes its entries in uninit: a walk of
 * the remaining ones for each would make deleting it quadratic.
 */
static bool ipvlan_addr_kept(struct net_device *dev, const void *addr,
			     bool v6)
{
	return !v6 && (dev->reg_state == NETREG_UNREGISTERING ||
		       ipvlan_dev_has(dev, addr, false));
}

/*
 * On-link L3 (host reach in L3 and L3S): a device's new address is
 * announced on the lower's link with the shared MAC, by a gratuitous ARP
 * or an unsolicited neighbour advertisement, so that the neighbours that
 * knew it elsewhere learn where it is now.
 */
static void ipvlan_addr_announce(struct ipvlan_dev *ipvlan, const void *addr,
				 bool v6)
{
	struct ipvlan_port *port = ipvlan->port;
	struct net_device *lower = port->lower;
	__be32 ip4;

	if (READ_ONCE(port->mode) == IPVLAN_MODE_L2 ||
	    !ipvlan_port_host_reach(port) || !netif_running(ipvlan->dev))
		return;
	if (v6) {
		if (IS_ENABLED(CONFIG_IPV6) && ipv6_mod_enabled())
			ipvlan_compat_ndisc_send_na(lower,
						    &in6addr_linklocal_allnodes,
						    addr, false, false, true,
						    true);
		return;
	}
	ip4 = *(const __be32 *)addr;
	arp_send(ARPOP_REQUEST, ETH_P_ARP, ip4, lower, ip4, NULL,
		 lower->dev_addr, NULL);
}

/*
 * Both families' address events.  IPv6 ones may come in atomic context,
 * where autoconfiguration adds addresses.
 */
static int ipvlan_addr_event(struct net_device *dev, unsigned long event,
			     const void *addr, bool v6)
{
	if (!ipvlan_is_dev(dev))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
		if (!ipvlan_addr_add(ipvlan_priv(dev), addr, v6))
			ipvlan_addr_announce(ipvlan_priv(dev), addr, v6);
		else if (net_ratelimit())
			netdev_warn(dev, v6 ?
				    "%pI6c not added to the ipvlan table\n" :
				    "%pI4 not added to the ipvlan table\n",
				    addr);
		break;
	case NETDEV_DOWN:
		if (!ipvlan_addr_kept(dev, addr, v6))
			ipvlan_addr_del(ipvlan_priv(dev), addr, v6);
		break;
	}
	return NOTIFY_OK;
}

static int ipvlan_inet_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	const struct in_ifaddr *ifa = data;

	return ipvlan_addr_event(ifa->ifa_dev->dev, event, &ifa->ifa_address,
				 false);
}

static int ipvlan_inet_validate(struct notifier_block *nb,
				unsigned long event, void *data)
{
	const struct in_validator_info *vi = data;

	return ipvlan_addr_validate(vi->ivi_dev->dev, event, &vi->ivi_addr,
				    false, vi->extack);
}

static struct notifier_block ipvlan_inet_nb = {
	.notifier_call = ipvlan_inet_event,
};

static struct notifier_block ipvlan_inet_vnb = {
	.notifier_call = ipvlan_inet_validate,
};

#if IS_ENABLED(CONFIG_IPV6)
static int ipvlan_inet6_event(struct notifier_block *nb, unsigned long event,
			      void *data)
{
	const struct inet6_ifaddr *ifa = data;

	return ipvlan_addr_event(ifa->idev->dev, event, &ifa->addr, true);
}

static int ipvlan_inet6_validate(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	const struct in6_validator_info *vi = data;

	return ipvlan_addr_validate(vi->i6vi_dev->dev, event, &vi->i6vi_addr,
				    true, vi->extack);
}

static struct notifier_block ipvlan_inet6_nb = {
	.notifier_call = ipvlan_inet6_event,
};

static struct notifier_block ipvlan_inet6_vnb = {
	.notifier_call = ipvlan_inet6_validate,
};

static int ipvlan_addr6_init(void)
{
	int err;

	err = register_inet6addr_validator_notifier(&ipvlan_inet6_vnb);
	if (err)
		return err;
	err = register_inet6addr_notifier(&ipvlan_inet6_nb);
	if (err)
		unregister_inet6addr_validator_notifier(&ipvlan_inet6_vnb);
	return err;
}

static void ipvlan_addr6_uninit(void)
{
	unregister_inet6addr_notifier(&ipvlan_inet6_nb);
	unregister_inet6addr_validator_notifier(&ipvlan_inet6_vnb);
}
#else
static int ipvlan_addr6_init(void)
{
	return 0;
}

static void ipvlan_addr6_uninit(void)
{
}
#endif

int ipvlan_addr_init(void)
{
	int err;

	err = register_inetaddr_validator_notifier(&ipvlan_inet_vnb);
	if (err)
		return err;
	err = register_inetaddr_notifier(&ipvlan_inet_nb);
	if (err)
		goto err_unregister_inet_validator;
	err = ipvlan_addr6_init();
	if (err)
		goto err_unregister_inet;
	return 0;

err_unregister_inet:
	unregister_inetaddr_notifier(&ipvlan_inet_nb);
err_unregister_inet_validator:
	unregister_inetaddr_validator_notifier(&ipvlan_inet_vnb);
	return err;
}

void ipvlan_addr_uninit(void)
{
	ipvlan_addr6_uninit();
	unregister_inetaddr_notifier(&ipvlan_inet_nb);
	unregister_inetaddr_validator_notifier(&ipvlan_inet_vnb);
}
