// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host reach: the lower device's own namespace as one more station of the
 * port.  Its packets for an ipvlan device's address, which would leave on
 * the wire and never come back, are taken at POSTROUTING in that
 * namespace, once its routing, NAT and filtering are done, and received
 * by the ipvlan device.  The other direction is the transmit path's
 * (ipvlan_core.c).  Documentation/networking/ipvlan.rst: "Host reach".
 *
 * Each port with host reach has its own hooks, whose private data is the
 * port: they follow the lower device when it changes namespace.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ipv6.h>

#include "ipvlan.h"

/* The ipvlan device a packet leaving through the lower device is for. */
static struct ipvlan_dev *ipvlan_host_dest(struct ipvlan_port *port,
					   const struct sk_buff *skb, u8 pf)
{
	const struct ipv6hdr *ip6h;

	if (pf == NFPROTO_IPV4)
		return ipvlan_addr_lookup4(port, ip_hdr(skb)->daddr);
	ip6h = ipv6_hdr(skb);
	if (ipv6_addr_is_multicast(&ip6h->daddr))
		return NULL;
	return ipvlan_addr_lookup6(port, &ip6h->daddr);
}

static unsigned int ipvlan_host_out(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct ipvlan_port *port = priv;
	struct ipvlan_dev *ipvlan;

	if (state->out != port->lower || !ipvlan_port_host_reach(port))
		return NF_ACCEPT;
	ipvlan = ipvlan_host_dest(port, skb, state->pf);
	if (!ipvlan)
		return NF_ACCEPT;
	ipvlan_host_deliver(ipvlan, skb);
	return NF_STOLEN;
}

static void ipvlan_host_hooks_init(struct ipvlan_port *port)
{
	struct nf_hook_ops *ops = port->host_hooks;

	ops[0] = (struct nf_hook_ops) {
		.hook		= ipvlan_host_out,
		.priv		= port,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_LAST,
	};
	ops[1] = (struct nf_hook_ops) {
		.hook		= ipvlan_host_out,
		.priv		= port,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_LAST,
	};
}

static int ipvlan_host_hook(struct ipvlan_port *port)
{
	struct net *net = dev_net(port->lower);
	int err;

	ASSERT_RTNL();

	ipvlan_host_hooks_init(port);
	err = nf_register_net_hooks(net, port->host_hooks,
				    IS_ENABLED(CONFIG_IPV6) ? 2 : 1);
	if (err)
		return err;
	write_pnet(&port->host_net, net);
	port->host_hooked = true;
	return 0;
}

static void ipvlan_host_unhook(struct ipvlan_port *port)
{
	ASSERT_RTNL();

	if (!port->host_hooked)
		return;
	nf_unregister_net_hooks(read_pnet(&port->host_net), port->host_hooks,
				IS_ENABLED(CONFIG_IPV6) ? 2 : 1);
	port->host_hooked = false;
}

/* Before host reach is turned on: the hooks, in the lower's namespace. */
int ipvlan_host_attach(struct ipvlan_port *port,
		       struct netlink_ext_ack *extack)
{
	int err;

	if (port->host_hooked)
		return 0;
	err = ipvlan_host_hook(port);
	if (err)
		NL_SET_ERR_MSG(extack, "Cannot register the host reach netfilter hooks");
	return err;
}

/* After host reach is turned off, or when the port goes. */
void ipvlan_host_detach(struct ipvlan_port *port)
{
	ipvlan_host_unhook(port);
}

/* The lower device leaves its namespace, and arrives in another. */
void ipvlan_host_lower_leaves(struct ipvlan_port *port)
{
	ipvlan_host_unhook(port);
}

void ipvlan_host_lower_arrives(struct ipvlan_port *port)
{
	if (!ipvlan_port_host_reach(port) || port->host_hooked)
		return;
	if (ipvlan_host_hook(port))
		netdev_warn(port->lower,
			    "host reach hooks not registered in the new namespace\n");
}
