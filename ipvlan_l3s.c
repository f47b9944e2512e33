// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L3S: L3 mode whose receive path crosses the netfilter of the lower
 * device's namespace (PREROUTING and INPUT), so that conntrack there sees
 * both directions.
 *
 * The lower device becomes an l3mdev receive handler: once PREROUTING is
 * done, ipvlan_l3s_rcv() routes a packet for an ipvlan device's address in
 * that device's namespace, which makes it a local delivery.  INPUT then
 * runs in the lower device's namespace, and ipvlan_l3s_input(), registered
 * last there, hands the packet to the ipvlan device before the transport
 * protocol sees it.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/l3mdev.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>

#include "ipvlan.h"

/* Ports in L3S mode whose lower device lives in a namespace, under RTNL. */
struct ipvlan_net {
	unsigned int	l3s_ports;
};

static unsigned int ipvlan_pernet_id __read_mostly;

static struct ipvlan_port *ipvlan_l3s_port(const struct net_device *dev)
{
	struct ipvlan_port *port;

	if (!ipvlan_is_port(dev))
		return NULL;
	port = rcu_dereference(dev->rx_handler_data);
	if (!port || READ_ONCE(port->mode) != IPVLAN_MODE_L3S)
		return NULL;
	return port;
}

static struct sk_buff *ipvlan_l3s_route4(struct net_device *dev,
					 struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (ip_route_input_noref(skb, iph->daddr, iph->saddr,
				 ipvlan_compat_ip4h_dscp(iph), dev)) {
		ipvlan_rx_drop(ipvlan_priv(dev), skb, IPVLAN_DROP_RX_NO_ROUTE);
		return NULL;
	}
	return skb;
}

#if IS_ENABLED(CONFIG_IPV6)
static struct sk_buff *ipvlan_l3s_route6(struct net_device *dev,
					 struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct dst_entry *dst;
	struct flowi6 fl6;

	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_iif = dev->ifindex;
	fl6.daddr = ip6h->daddr;
	fl6.saddr = ip6h->saddr;
	fl6.flowlabel = ip6_flowinfo(ip6h);
	fl6.flowi6_mark = skb->mark;
	fl6.flowi6_proto = ip6h->nexthdr;
	dst = ip6_route_input_lookup(dev_net(dev), dev, &fl6, skb,
				     RT6_LOOKUP_F_HAS_SADDR);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return skb;
}
#else
static struct sk_buff *ipvlan_l3s_route6(struct net_device *dev,
					 struct sk_buff *skb)
{
	return skb;
}
#endif

/*
 * l3mdev receive hook, called under RCU by ip_rcv_finish() and
 * ip6_rcv_finish() for packets that arrived on the lower device.  skb->dev
 * stays the lower device so that INPUT runs in the lower device's namespace.
 */
static struct sk_buff *ipvlan_l3s_rcv(struct net_device *dev,
				      struct sk_buff *skb, u16 proto)
{
	struct ipvlan_port *port = ipvlan_l3s_port(dev);
	struct ipvlan_dev *ipvlan;

	if (!port)
		return skb;
	switch (proto) {
	case AF_INET:
		ipvlan = ipvlan_demux(port, skb, htons(ETH_P_IP), 0);
		return ipvlan ? ipvlan_l3s_route4(ipvlan->dev, skb) : skb;
	case AF_INET6:
		ipvlan = ipvlan_demux(port, skb, htons(ETH_P_IPV6), 0);
		return ipvlan ? ipvlan_l3s_route6(ipvlan->dev, skb) : skb;
	}
	return skb;
}

static const struct l3mdev_ops ipvlan_l3mdev_ops = {
	.l3mdev_l3_rcv	= ipvlan_l3s_rcv,
};

/* Last on INPUT in the lower device's namespace: the packet becomes the
 * ipvlan device's.
 */
static unsigned int ipvlan_l3s_input(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct ipvlan_port *port = ipvlan_l3s_port(skb->dev);
	struct ipvlan_dev *ipvlan;

	if (!port)
		return NF_ACCEPT;
	ipvlan = ipvlan_demux(port, skb, skb->protocol, skb_network_offset(skb));
	if (!ipvlan)
		return NF_ACCEPT;
	skb->dev = ipvlan->dev;
	skb->skb_iif = ipvlan->dev->ifindex;
	/*
	 * The control block still names the lower device as the input device:
	 * IPv6 sockets match their bound device with it (inet6_iif()), and
	 * IP_PKTINFO and IPV6_PKTINFO report it.
	 */
	if (skb->protocol == htons(ETH_P_IPV6))
		IP6CB(skb)->iif = ipvlan->dev->ifindex;
	else
		IPCB(skb)->iif = ipvlan->dev->ifindex;
	ipvlan_count_rx(ipvlan, skb->len + ETH_HLEN, false);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ipvlan_l3s_hooks[] = {
	{
		.hook		= ipvlan_l3s_input,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= INT_MAX,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= ipvlan_l3s_input,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= INT_MAX,
	},
#endif
};

/* Hooks are registered once per namespace, for all its L3S lower devices. */
static int ipvlan_l3s_hooks_get(struct net *net)
{
	struct ipvlan_net *inet = net_generic(net, ipvlan_pernet_id);
	int err;

	ASSERT_RTNL();

	if (inet->l3s_ports++)
		return 0;
	err = nf_register_net_hooks(net, ipvlan_l3s_hooks,
				    ARRAY_SIZE(ipvlan_l3s_hooks));
	if (err)
		inet->l3s_ports--;
	return err;
}

static void ipvlan_l3s_hooks_put(struct net *net)
{
	struct ipvlan_net *inet = net_generic(net, ipvlan_pernet_id);

	ASSERT_RTNL();

	if (WARN_ON_ONCE(!inet->l3s_ports) || --inet->l3s_ports)
		return;
	nf_unregister_net_hooks(net, ipvlan_l3s_hooks,
				ARRAY_SIZE(ipvlan_l3s_hooks));
}

/* Hooks in the lower device's current namespace, for a port going to L3S. */
int ipvlan_l3s_attach(struct ipvlan_port *port, struct netlink_ext_ack *extack)
{
	struct net_device *lower = port->lower;
	int err;

	ASSERT_RTNL();

	if (lower->l3mdev_ops) {
		NL_SET_ERR_MSG(extack,
			       "Master is already an L3 master device or in use by one");
		return -EBUSY;
	}
	err = ipvlan_l3s_hooks_get(dev_net(lower));
	if (err) {
		NL_SET_ERR_MSG(extack, "Cannot register the L3S netfilter hooks");
		return err;
	}
	write_pnet(&port->l3s_net, dev_net(lower));
	port->l3s_hooked = true;
	lower->l3mdev_ops = &ipvlan_l3mdev_ops;
	/*
	 * Receive tests the flag, then calls through the ops, with no barrier
	 * between the two reads for a write barrier here to pair with.  A
	 * grace period orders them instead: a reader that sees the flag
	 * started after the ops were set.
	 */
	synchronize_net();
	lower->priv_flags |= IFF_L3MDEV_RX_HANDLER;
	return 0;
}

void ipvlan_l3s_detach(struct ipvlan_port *port)
{
	struct net_device *lower = port->lower;

	ASSERT_RTNL();

	if (lower->l3mdev_ops == &ipvlan_l3mdev_ops) {
		lower->priv_flags &= ~IFF_L3MDEV_RX_HANDLER;
		/* receive may have seen the flag: let it finish with the ops */
		synchronize_net();
		lower->l3mdev_ops = NULL;
	}
	if (port->l3s_hooked) {
		ipvlan_l3s_hooks_put(read_pnet(&port->l3s_net));
		port->l3s_hooked = false;
	}
}

/*
 * The lower device leaves its namespace (NETDEV_UNREGISTER without being
 * unregistered) and arrives in another (NETDEV_REGISTER): the hooks
 * follow it.
 */
void ipvlan_l3s_lower_leaves(struct ipvlan_port *port)
{
	if (!port->l3s_hooked)
		return;
	ipvlan_l3s_hooks_put(read_pnet(&port->l3s_net));
	port->l3s_hooked = false;
}

void ipvlan_l3s_lower_arrives(struct ipvlan_port *port)
{
	struct net *net = dev_net(port->lower);

	if (port->mode != IPVLAN_MODE_L3S || port->l3s_hooked)
		return;
	if (ipvlan_l3s_hooks_get(net)) {
		netdev_warn(port->lower,
			    "L3S netfilter hooks not registered in the new namespace\n");
		return;
	}
	write_pnet(&port->l3s_net, net);
	port->l3s_hooked = true;
}

/*
 * Every lower device has left or been deleted before its namespace goes, so no
 * hook should be left; if one is, it must not outlive the namespace.
 */
static void __net_exit ipvlan_net_exit(struct net *net)
{
	struct ipvlan_net *inet = net_generic(net, ipvlan_pernet_id);

	if (WARN_ON_ONCE(inet->l3s_ports)) {
		inet->l3s_ports = 0;
		nf_unregister_net_hooks(net, ipvlan_l3s_hooks,
					ARRAY_SIZE(ipvlan_l3s_hooks));
	}
}

static struct pernet_operations ipvlan_pernet_ops = {
	.exit	= ipvlan_net_exit,
	.id	= &ipvlan_pernet_id,
	.size	= sizeof(struct ipvlan_net),
};

int ipvlan_l3s_init(void)
{
	return register_pernet_subsys(&ipvlan_pernet_ops);
}

void ipvlan_l3s_uninit(void)
{
	unregister_pernet_subsys(&ipvlan_pernet_ops);
}
