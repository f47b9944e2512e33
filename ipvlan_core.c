// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The data path: the lower device's rx_handler that hands frames to
 * ipvlan devices by destination IP, their transmit paths, the multicast
 * fan-out and the devices' counters.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/arp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/route.h>

#include "ipvlan.h"

/* ---------------------------------------------------------------------
 * Demultiplexing, under RCU
 *
 * A frame is an ipvlan's by its destination address when it arrives, and
 * by its source address when a switch reflects it back (@source).  An
 * ARP or DAD probe has no source address yet: it is the ipvlan's whose
 * address it probes.
 *
 * The helpers read headers with skb_header_pointer(): frames may be
 * short, paged or shared, and must not be changed here.  @off is where the
 * network header starts, counted from skb->data.
 */

static struct ipvlan_dev *ipvlan_find_ip4(struct ipvlan_port *port,
					  const struct sk_buff *skb, int off,
					  bool source)
{
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return NULL;
	return ipvlan_addr_lookup4(port, source ? iph->saddr : iph->daddr);
}

/* ARP for IPv4 over Ethernet: by its target, or by its sender's address. */
static struct ipvlan_dev *ipvlan_find_arp(struct ipvlan_port *port,
					  const struct sk_buff *skb, int off,
					  bool source)
{
	const struct arphdr *arp;
	struct arphdr _arp;
	const __be32 *ip;
	__be32 _ip;

	arp = skb_header_pointer(skb, off, sizeof(_arp), &_arp);
	if (!arp || arp->ar_hln != ETH_ALEN || arp->ar_pln != sizeof(_ip) ||
	    arp->ar_pro != htons(ETH_P_IP))
		return NULL;
	/* sender hw, sender ip, target hw, target ip */
	off += sizeof(*arp) + ETH_ALEN;
	if (source) {
		ip = skb_header_pointer(skb, off, sizeof(_ip), &_ip);
		if (!ip)
			return NULL;
		if (*ip)
			return ipvlan_addr_lookup4(port, *ip);
	}
	ip = skb_header_pointer(skb, off + sizeof(_ip) + ETH_ALEN, sizeof(_ip),
				&_ip);
	return ip ? ipvlan_addr_lookup4(port, *ip) : NULL;
}

/*
 * The target of a neighbour solicitation.  A DAD probe (from ::) is for
 * the ipvlan that owns its target: it is sent to a solicited-node group,
 * not to the address itself.  Other solicitations go by destination, so
 * that the lower device's side can answer for its ipvlan devices (proxy NDP).
 */
static const struct in6_addr *ipvlan_ns_target(const struct sk_buff *skb,
					       int off, struct nd_msg *buf)
{
	const struct nd_msg *msg;

	msg = skb_header_pointer(skb, off, sizeof(*buf), buf);
	if (!msg || msg->icmph.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION ||
	    msg->icmph.icmp6_code)
		return NULL;
	return &msg->target;
}

static struct ipvlan_dev *ipvlan_find_ip6(struct ipvlan_port *port,
					  const struct sk_buff *skb, int off,
					  bool source)
{
	const struct in6_addr *target;
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	struct nd_msg _msg;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return NULL;
	if (!ipv6_addr_any(&ip6h->saddr))
		return ipvlan_addr_lookup6(port, source ? &ip6h->saddr :
							  &ip6h->daddr);
	if (ip6h->nexthdr == NEXTHDR_ICMP) {
		target = ipvlan_ns_target(skb, off + sizeof(*ip6h), &_msg);
		if (target)
			return ipvlan_addr_lookup6(port, target);
	}
	return source ? NULL : ipvlan_addr_lookup6(port, &ip6h->daddr);
}

static struct ipvlan_dev *ipvlan_find(struct ipvlan_port *port,
				      const struct sk_buff *skb, __be16 proto,
				      int off, bool source)
{
	switch (proto) {
	case htons(ETH_P_IP):
		return ipvlan_find_ip4(port, skb, off, source);
	case htons(ETH_P_ARP):
		return ipvlan_find_arp(port, skb, off, source);
	case htons(ETH_P_IPV6):
		if (IS_ENABLED(CONFIG_IPV6))
			return ipvlan_find_ip6(port, skb, off, source);
		break;
	}
	return NULL;
}

/* The ipvlan a frame is for, by destination address; NULL: not an ipvlan's. */
struct ipvlan_dev *ipvlan_demux(struct ipvlan_port *port,
				const struct sk_buff *skb, __be16 proto, int off)
{
	return ipvlan_find(port, skb, proto, off, false);
}

/* ---------------------------------------------------------------------
 * Counters
 *
 * Per CPU, and written with BHs off, so that no writer interrupts another
 * on its CPU: the data path runs so, and ipvlan_stats() asserts it.  The
 * ipvlan_count_*() calls of the other files can come with BHs on (an
 * ipvtap guest's write that fails, an L3S packet given back by nfqueue)
 * and turn them off themselves.
 */

static struct ipvlan_pcpu_stats *ipvlan_stats(struct ipvlan_dev *ipvlan)
{
	lockdep_assert_in_softirq();
	return this_cpu_ptr(ipvlan->stats);
}

static void ipvlan_stats_rx(struct ipvlan_dev *ipvlan, unsigned int len,
			    bool multicast)
{
	struct ipvlan_pcpu_stats *s = ipvlan_stats(ipvlan);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, len);
	if (multicast)
		u64_stats_inc(&s->rx_multicast);
	u64_stats_update_end(&s->syncp);
}

static void ipvlan_stats_rx_drop(struct ipvlan_dev *ipvlan,
				 enum ipvlan_drop why)
{
	struct ipvlan_pcpu_stats *s = ipvlan_stats(ipvlan);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_dropped);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
}

static void ipvlan_stats_tx(struct ipvlan_dev *ipvlan, unsigned int len,
			    bool ok)
{
	struct ipvlan_pcpu_stats *s = ipvlan_stats(ipvlan);

	u64_stats_update_begin(&s->syncp);
	if (ok) {
		u64_stats_inc(&s->tx_packets);
		u64_stats_add(&s->tx_bytes, len);
	} else {
		u64_stats_inc(&s->tx_dropped);
	}
	u64_stats_update_end(&s->syncp);
}

void ipvlan_count_rx(struct ipvlan_dev *ipvlan, unsigned int len,
		     bool multicast)
{
	local_bh_disable();
	ipvlan_stats_rx(ipvlan, len, multicast);
	local_bh_enable();
}

void ipvlan_count_rx_drop(struct ipvlan_dev *ipvlan, enum ipvlan_drop why)
{
	local_bh_disable();
	ipvlan_stats_rx_drop(ipvlan, why);
	local_bh_enable();
}
EXPORT_SYMBOL_GPL(ipvlan_count_rx_drop);

void ipvlan_count_tx(struct ipvlan_dev *ipvlan, unsigned int len, bool ok)
{
	local_bh_disable();
	ipvlan_stats_tx(ipvlan, len, ok);
	local_bh_enable();
}
EXPORT_SYMBOL_GPL(ipvlan_count_tx);

/* ---------------------------------------------------------------------
 * Drops: why, for "ethtool -S" and for the kernel's drop monitors
 */

static const struct {
	const char		*name;
	enum skb_drop_reason	reason;
} ipvlan_drops[IPVLAN_DROP_MAX] = {
	[IPVLAN_DROP_TX_SHORT]		= { "tx_drop_short",
					    SKB_DROP_REASON_PKT_TOO_SMALL },
	[IPVLAN_DROP_TX_SPOOFED]	= { "tx_drop_spoofed",
					    IPVLAN_COMPAT_DROP_SPOOFED },
	[IPVLAN_DROP_TX_PRIVATE]	= { "tx_drop_private",
					    SKB_DROP_REASON_NOT_SPECIFIED },
	[IPVLAN_DROP_TX_L3_MULTICAST]	= { "tx_drop_l3_multicast",
					    SKB_DROP_REASON_NOT_SPECIFIED },
	[IPVLAN_DROP_TX_L3_NOT_IP]	= { "tx_drop_l3_not_ip",
					    SKB_DROP_REASON_UNHANDLED_PROTO },
	[IPVLAN_DROP_TX_BAD_IP]		= { "tx_drop_bad_ip",
					    SKB_DROP_REASON_IP_INHDR },
	[IPVLAN_DROP_TX_NO_ROUTE]	= { "tx_drop_no_route",
					    SKB_DROP_REASON_IP_OUTNOROUTES },
	[IPVLAN_DROP_RX_NOMEM]		= { "rx_drop_nomem",
					    SKB_DROP_REASON_NOMEM },
	[IPVLAN_DROP_RX_MC_BACKLOG]	= { "rx_drop_mc_backlog",
					    SKB_DROP_REASON_FULL_RING },
	[IPVLAN_DROP_RX_NO_ROUTE]	= { "rx_drop_no_route",
					    SKB_DROP_REASON_IP_INNOROUTES },
	[IPVLAN_DROP_RX_TAP]		= { "rx_drop_tap",
					    SKB_DROP_REASON_NOT_SPECIFIED },
};

int ipvlan_drop_count(void)
{
	return IPVLAN_DROP_MAX;
}

void ipvlan_drop_names(u8 *data)
{
	unsigned int i;

	for (i = 0; i < IPVLAN_DROP_MAX; i++)
		ipvlan_compat_ethtool_puts(&data, ipvlan_drops[i].name);
}

/* The counters summed over the CPUs, in the order of their names. */
void ipvlan_drop_stats(struct ipvlan_dev *ipvlan, u64 *data)
{
	unsigned int i, start;
	int cpu;

	memset(data, 0, IPVLAN_DROP_MAX * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct ipvlan_pcpu_stats *p;
		u64 v[IPVLAN_DROP_MAX];

		p = per_cpu_ptr(ipvlan->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < IPVLAN_DROP_MAX; i++)
				v[i] = u64_stats_read(&p->drops[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < IPVLAN_DROP_MAX; i++)
			data[i] += v[i];
	}
}

/* Drops a received frame of @ipvlan's, counting why. */
void ipvlan_rx_drop(struct ipvlan_dev *ipvlan, struct sk_buff *skb,
		    enum ipvlan_drop why)
{
	kfree_skb_reason(skb, ipvlan_drops[why].reason);
	ipvlan_count_rx_drop(ipvlan, why);
}

/*
 * Drops a frame @ipvlan sends, counting why; ipvlan_xmit() counts
 * it in tx_dropped, as it does the frames others drop after us.
 */
static int ipvlan_tx_drop(struct ipvlan_dev *ipvlan, struct sk_buff *skb,
			  enum ipvlan_drop why)
{
	struct ipvlan_pcpu_stats *s = ipvlan_stats(ipvlan);

	kfree_skb_reason(skb, ipvlan_drops[why].reason);
	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
	return NET_XMIT_DROP;
}

/* ---------------------------------------------------------------------
 * Receive: the lower's rx_handler, under RCU in softirq context
 */

/*
 * Move a frame to another device.  Crossing into another namespace drops
 * what belongs to the old one (mark, conntrack, dst); the packet type the
 * frame arrived with is kept.
 */
static void ipvlan_skb_move(struct sk_buff *skb, struct net_device *to)
{
	unsigned int pkt_type = skb->pkt_type;

	skb_scrub_packet(skb, !net_eq(dev_net(skb->dev), dev_net(to)));
	skb->pkt_type = pkt_type;
	skb->dev = to;
}

/*
 * Before the lower's rx_handler, only a few things can have attached
 * state of the lower device's side to a received frame: a collect_md tunnel
 * (a metadata dst), an ingress hook (a mark, extensions) or an earlier
 * pass through conntrack.  A frame from a NIC carries none of them and is
 * handed over as it is; the others get the full scrub.
 */
static bool ipvlan_skb_has_state(struct sk_buff *skb)
{
	return skb->_skb_refdst || skb_get_nfct(skb) || skb->mark ||
	       skb_has_extensions(skb);
}

static void ipvlan_skb_receive_on(struct sk_buff *skb, struct net_device *to)
{
	if (unlikely(ipvlan_skb_has_state(skb)))
		ipvlan_skb_move(skb, to);
	else
		skb->dev = to;
}

static bool ipvlan_wants_mc(const struct ipvlan_dev *ipvlan,
			    const unsigned char *dest)
{
	unsigned int bit = ipvlan_mc_hash(dest);

	/* the filter's words are written with WRITE_ONCE(), outside RCU */
	return netif_running(ipvlan->dev) &&
	       (READ_ONCE(ipvlan->mc_filter[BIT_WORD(bit)]) & BIT_MASK(bit));
}

/*
 * An ipvlan's own multicast, back from a switch that reflects it (a hairpin,
 * as VEPA expects): it carries the shared MAC as its source and an ipvlan's
 * address.  Returns that ipvlan, or NULL for a frame from elsewhere.
 */
static struct ipvlan_dev *ipvlan_reflected_from(struct ipvlan_port *port,
						struct sk_buff *skb)
{
	if (!ether_addr_equal(eth_hdr(skb)->h_source, port->lower->dev_addr))
		return NULL;
	return ipvlan_find(port, skb, skb->protocol, 0, true);
}

/*
 * Every interested ipvlan gets its own clone, delivered synchronously as
 * the bridge does, so that a burst is not dropped by a backlog that fills
 * at ipvlan devices x frames.  The lower device keeps the original.
 *
 * A reflected frame never goes back to its sender.  Its siblings hear it
 * here only in VEPA, where the switch is the only way between devices: in
 * bridge mode they had their copies on transmit, in private none at all.
 */
/*
 * In the work item that makes a large port's copies (below), with BHs off:
 * every IPVLAN_MC_BATCH copies, the softirqs that wait for this CPU run.
 */
static void ipvlan_mc_pause(bool in_work, unsigned int *copies)
{
	if (in_work && !(++*copies % IPVLAN_MC_BATCH)) {
		local_bh_enable();
		local_bh_disable();
	}
}

/* A copy of @skb for @ipvlan; a failed one is the ipvlan's receive drop. */
static struct sk_buff *ipvlan_mc_clone(struct ipvlan_dev *ipvlan,
				       struct sk_buff *skb)
{
	struct sk_buff *nskb = skb_clone(skb, GFP_ATOMIC);

	if (!nskb)
		ipvlan_stats_rx_drop(ipvlan, IPVLAN_DROP_RX_NOMEM);
	return nskb;
}

static void ipvlan_rx_multicast_copies(struct ipvlan_port *port,
				       struct sk_buff *skb, bool in_work)
{
	const unsigned char *dest = eth_hdr(skb)->h_dest;
	struct ipvlan_dev *ipvlan, *sender;
	unsigned int copies = 0;
	struct sk_buff *nskb;

	sender = ipvlan_reflected_from(port, skb);
	if (sender && !ipvlan_port_is_vepa(port))
		return;

	list_for_each_entry_rcu(ipvlan, &port->ipvlans, port_node) {
		if (ipvlan == sender || !ipvlan_wants_mc(ipvlan, dest))
			continue;
		nskb = ipvlan_mc_clone(ipvlan, skb);
		if (!nskb)
			continue;
		ipvlan_skb_receive_on(nskb, ipvlan->dev);
		ipvlan_stats_rx(ipvlan, nskb->len + ETH_HLEN, true);
		netif_receive_skb(nskb);
		ipvlan_mc_pause(in_work, &copies);
	}
}

/*
 * Copies of an ipvlan's multicast or broadcast frame for its siblings: from
 * its transmit, through the backlog; from the work item, at once.
 */
static void ipvlan_tx_multicast_copies(struct ipvlan_dev *sender,
				       struct sk_buff *skb, bool in_work)
{
	const unsigned char *dest = eth_hdr(skb)->h_dest;
	unsigned int copies = 0;
	struct ipvlan_dev *ipvlan;
	struct sk_buff *nskb;

	list_for_each_entry_rcu(ipvlan, &sender->port->ipvlans, port_node) {
		if (ipvlan == sender || !ipvlan_wants_mc(ipvlan, dest))
			continue;
		nskb = ipvlan_mc_clone(ipvlan, skb);
		if (!nskb)
			continue;
		/* a drop is counted by the forward itself */
		if (!in_work) {
			if (dev_forward_skb(ipvlan->dev, nskb) != NET_RX_SUCCESS)
				continue;
		} else {
			if (__dev_forward_skb(ipvlan->dev, nskb))
				continue;
			netif_receive_skb(nskb);
		}
		ipvlan_stats_rx(ipvlan, skb->len, true);
		ipvlan_mc_pause(in_work, &copies);
	}
}

/* ---------------------------------------------------------------------
 * Multicast fan-out in a large port
 *
 * A port of many ipvlan devices makes its multicast copies in a work item
 * rather than in the softirq or transmit that has the frame: one frame is then
 * not thousands of deliveries on a CPU that cannot reschedule, and a
 * sent frame's copies do not overflow the backlog (netdev_max_backlog
 * frames) that transmit would put them in.  The queue's entries are
 * received frames, whose dev is the lower, and sent ones, whose dev is
 * the sending ipvlan, held until its copies are made.
 */

static bool ipvlan_mc_deferred(const struct ipvlan_port *port)
{
	return READ_ONCE(port->count) > IPVLAN_MC_SYNC_DEVS;
}

/* A frame whose copies could not be queued: each ipvlan counts its miss. */
static void ipvlan_mc_missed(struct ipvlan_port *port, struct sk_buff *skb,
			     const struct ipvlan_dev *sender,
			     enum ipvlan_drop why)
{
	const unsigned char *dest = eth_hdr(skb)->h_dest;
	struct ipvlan_dev *ipvlan;

	list_for_each_entry_rcu(ipvlan, &port->ipvlans, port_node)
		if (ipvlan != sender && ipvlan_wants_mc(ipvlan, dest))
			ipvlan_stats_rx_drop(ipvlan, why);
}

/* Called under RCU; @sender is NULL for a received frame. */
static void ipvlan_mc_defer(struct ipvlan_port *port, struct sk_buff *skb,
			    struct ipvlan_dev *sender)
{
	enum ipvlan_drop why = IPVLAN_DROP_RX_NOMEM;
	struct sk_buff *nskb;

	/* the work item takes the queue's lock too: no softirq may wait here */
	lockdep_assert_in_softirq();
	nskb = skb_clone(skb, GFP_ATOMIC);
	if (!nskb)
		goto missed;
	spin_lock(&port->mc_queue.lock);
	if (skb_queue_len(&port->mc_queue) >= IPVLAN_MC_QUEUE_LEN) {
		spin_unlock(&port->mc_queue.lock);
		why = IPVLAN_DROP_RX_MC_BACKLOG;
		kfree_skb_reason(nskb, ipvlan_drops[why].reason);
		goto missed;
	}
	if (sender)
		dev_hold(sender->dev);
	__skb_queue_tail(&port->mc_queue, nskb);
	spin_unlock(&port->mc_queue.lock);
	schedule_work(&port->mc_work);
	return;

missed:
	ipvlan_mc_missed(port, skb, sender, why);
}

static void ipvlan_mc_release(struct ipvlan_port *port, struct sk_buff *skb)
{
	if (skb->dev != port->lower)
		dev_put(skb->dev);
}

/*
 * One frame per run: a frame is up to a copy for each ipvlan of the port,
 * and the work that waits behind this one on the CPU's pool (on a kernel
 * without SMP, the soft lockup detector's own) runs between two frames.
 */
static void ipvlan_mc_work(struct work_struct *work)
{
	struct ipvlan_port *port = container_of(work, struct ipvlan_port,
						mc_work);
	struct sk_buff *skb;

	skb = skb_dequeue(&port->mc_queue);
	if (!skb)
		return;
	rcu_read_lock();
	local_bh_disable();
	if (skb->dev == port->lower)
		ipvlan_rx_multicast_copies(port, skb, true);
	else
		ipvlan_tx_multicast_copies(ipvlan_priv(skb->dev), skb, true);
	local_bh_enable();
	rcu_read_unlock();
	ipvlan_mc_release(port, skb);
	consume_skb(skb);
	if (!skb_queue_empty_lockless(&port->mc_queue))
		schedule_work(&port->mc_work);
}

void ipvlan_mc_init(struct ipvlan_port *port)
{
	skb_queue_head_init(&port->mc_queue);
	INIT_WORK(&port->mc_work, ipvlan_mc_work);
}

/* No frame can be queued any more: drop what is left. */
void ipvlan_mc_stop(struct ipvlan_port *port)
{
	struct sk_buff *skb;

	cancel_work_sync(&port->mc_work);
	while ((skb = skb_dequeue(&port->mc_queue))) {
		ipvlan_mc_release(port, skb);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
	}
}

static void ipvlan_rx_multicast(struct ipvlan_port *port, struct sk_buff *skb)
{
	if (ipvlan_mc_deferred(port))
		ipvlan_mc_defer(port, skb, NULL);
	else
		ipvlan_rx_multicast_copies(port, skb, false);
}

/* What follows the header of an ARP request for IPv4 over Ethernet. */
struct ipvlan_arp_body {
	u8	sha[ETH_ALEN];
	__be32	sip;
	u8	tha[ETH_ALEN];
	__be32	tip;
} __packed;

/* The body of @skb's ARP request at @off, or NULL if it is not one. */
static const struct ipvlan_arp_body *
ipvlan_arp_request(const struct sk_buff *skb, int off,
		   struct ipvlan_arp_body *buf)
{
	const struct arphdr *arp;
	struct arphdr _arp;

	arp = skb_header_pointer(skb, off, sizeof(_arp), &_arp);
	if (!arp || arp->ar_op != htons(ARPOP_REQUEST) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) || arp->ar_hln != ETH_ALEN ||
	    arp->ar_pln != sizeof(__be32))
		return NULL;
	return skb_header_pointer(skb, off + sizeof(*arp), sizeof(*buf), buf);
}

/*
 * On-link L3 (host reach in L3 and L3S): the port answers the wire's ARP
 * requests and neighbour solicitations for its devices' addresses with the
 * shared MAC, which the devices, without ARP, do not.  The frame then goes
 * on as before.  @skb's network header is at skb->data.
 */
static void ipvlan_onlink_arp(struct ipvlan_port *port, struct sk_buff *skb)
{
	struct net_device *lower = port->lower;
	const struct ipvlan_arp_body *body;
	struct ipvlan_arp_body _body;

	body = ipvlan_arp_request(skb, 0, &_body);
	/* a gratuitous one announces the sender: not for us to answer */
	if (!body || body->sip == body->tip ||
	    !ipvlan_addr_lookup4(port, body->tip))
		return;
	arp_send(ARPOP_REPLY, ETH_P_ARP, body->sip, lower, body->tip,
		 body->sha, lower->dev_addr, body->sha);
}

static void ipvlan_onlink_ns(struct ipvlan_port *port, struct sk_buff *skb)
{
	const struct in6_addr *target;
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	struct nd_msg _msg;
	bool dad;

	if (!IS_ENABLED(CONFIG_IPV6) || !ipv6_mod_enabled())
		return;
	ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != NEXTHDR_ICMP ||
	    ip6h->hop_limit != 255)
		return;
	target = ipvlan_ns_target(skb, sizeof(*ip6h), &_msg);
	if (!target || !ipvlan_addr_lookup6(port, target))
		return;
	/* a duplicate address probe is answered to all nodes */
	dad = ipv6_addr_any(&ip6h->saddr);
	ipvlan_compat_ndisc_send_na(port->lower,
				    dad ? &in6addr_linklocal_allnodes :
					  &ip6h->saddr,
				    target, false, !dad, true, true);
}

static void ipvlan_onlink_answer(struct ipvlan_port *port,
				 struct sk_buff *skb)
{
	if (!ipvlan_port_host_reach(port))
		return;
	switch (skb->protocol) {
	case htons(ETH_P_ARP):
		ipvlan_onlink_arp(port, skb);
		break;
	case htons(ETH_P_IPV6):
		ipvlan_onlink_ns(port, skb);
		break;
	}
}

static rx_handler_result_t ipvlan_rx_unicast(struct ipvlan_port *port,
					     struct sk_buff **pskb)
{
	struct ipvlan_dev *ipvlan;
	struct sk_buff *skb;

	ipvlan = ipvlan_demux(port, *pskb, (*pskb)->protocol, 0);
	if (!ipvlan)
		return RX_HANDLER_PASS;

	skb = skb_share_check(*pskb, GFP_ATOMIC);
	if (!skb) {
		ipvlan_stats_rx_drop(ipvlan, IPVLAN_DROP_RX_NOMEM);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;
	ipvlan_skb_receive_on(skb, ipvlan->dev);
	ipvlan_stats_rx(ipvlan, skb->len + ETH_HLEN, false);
	return RX_HANDLER_ANOTHER;
}

rx_handler_result_t ipvlan_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct ipvlan_port *port;

	/* looped-back frames carry no Ethernet header to read */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	switch (READ_ONCE(port->mode)) {
	case IPVLAN_MODE_L2:
		if (is_multicast_ether_addr(eth_hdr(skb)->h_dest)) {
			ipvlan_rx_multicast(port, skb);
			return RX_HANDLER_PASS;
		}
		return ipvlan_rx_unicast(port, pskb);
	case IPVLAN_MODE_L3:
		ipvlan_onlink_answer(port, skb);
		return ipvlan_rx_unicast(port, pskb);
	}
	/* L3S: the lower's IP stack receives, see ipvlan_l3s.c */
	ipvlan_onlink_answer(port, skb);
	return RX_HANDLER_PASS;
}

/* ---------------------------------------------------------------------
 * Transmit: called with BHs off; returns 0 when the frame went on.
 */

/*
 * A frame from one ipvlan to another, or to the lower's own stack.  When
 * dev_forward_skb() drops the frame it has counted it in the receiving
 * device's core rx_dropped already.
 */
static int ipvlan_forward(struct net_device *to, struct sk_buff *skb)
{
	unsigned int len = skb->len;
	int ret;

	ret = dev_forward_skb(to, skb);
	if (ret == NET_RX_SUCCESS && ipvlan_is_dev(to))
		ipvlan_stats_rx(ipvlan_priv(to), len, false);
	return ret;
}

static int ipvlan_xmit_peer(struct ipvlan_dev *ipvlan, struct ipvlan_dev *peer,
			    struct sk_buff *skb)
{
	if (ipvlan_port_is_private(ipvlan->port))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_PRIVATE);
	return ipvlan_forward(peer->dev, skb);
}

static int ipvlan_xmit_lower(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	ipvlan_skb_move(skb, ipvlan->lower);
	return dev_queue_xmit(skb);
}

/* The siblings' copies of an ipvlan's multicast or broadcast frame. */
static void ipvlan_tx_multicast(struct ipvlan_dev *sender, struct sk_buff *skb)
{
	if (ipvlan_mc_deferred(sender->port))
		ipvlan_mc_defer(sender->port, skb, sender);
	else
		ipvlan_tx_multicast_copies(sender, skb, false);
}

/* ---------------------------------------------------------------------
 * Host reach: the host's side of the port inside the machine
 */

/*
 * A packet of the host's for @ipvlan, taken at POSTROUTING in the lower's
 * namespace (ipvlan_host.c).  It gets the Ethernet header it would have
 * had on the wire and is received by @ipvlan through the backlog, as a
 * veth peer's packet would.  It is not fragmented yet, and needs not be:
 * receive takes a packet larger than the device's MTU.
 */
void ipvlan_host_deliver(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	struct net_device *dev = ipvlan->dev;
	unsigned int len = skb->len + ETH_HLEN;
	struct ethhdr *eth;

	if (skb_cow_head(skb, ETH_HLEN) ||
	    skb_orphan_frags_rx(skb, GFP_ATOMIC)) {
		ipvlan_rx_drop(ipvlan, skb, IPVLAN_DROP_RX_NOMEM);
		return;
	}
	skb_orphan(skb);
	eth = skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = skb->protocol;
	skb_scrub_packet(skb, !net_eq(dev_net(skb->dev), dev_net(dev)));
	skb->protocol = eth_type_trans(skb, dev);
	/* a drop is counted by the backlog itself */
	if (netif_rx(skb) == NET_RX_SUCCESS)
		ipvlan_count_rx(ipvlan, len, false);
}

/* An IPv4 address of the lower device's own. */
static bool ipvlan_lower_has_addr4(struct net_device *lower, __be32 addr)
{
	const struct in_device *in_dev = __in_dev_get_rcu(lower);
	const struct in_ifaddr *ifa;

	if (!in_dev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, in_dev)
		if (ifa->ifa_local == addr)
			return true;
	return false;
}

/*
 * An ARP request of @ipvlan's for an IPv4 address of the lower device:
 * answered here, with the shared MAC, which is what the host would answer.
 * The host's own reply would leave on the wire.
 */
static bool ipvlan_host_arp(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	const struct ipvlan_arp_body *body;
	struct ipvlan_arp_body _body;
	struct sk_buff *reply;

	body = ipvlan_arp_request(skb, ETH_HLEN, &_body);
	if (!body || !ipvlan_lower_has_addr4(ipvlan->lower, body->tip))
		return false;
	reply = arp_create(ARPOP_REPLY, ETH_P_ARP, body->sip, ipvlan->dev,
			   body->tip, body->sha, ipvlan->dev->dev_addr,
			   body->sha);
	if (reply)
		ipvlan_forward(ipvlan->dev, reply);
	else
		ipvlan_stats_rx_drop(ipvlan, IPVLAN_DROP_RX_NOMEM);
	consume_skb(skb);
	return true;
}

/*
 * A neighbour solicitation of @ipvlan's for an IPv6 address of the lower
 * device: for the host's stack, whose advertisement, unicast to @ipvlan's
 * address, comes back through the hooks.  Not for the wire.
 */
static bool ipvlan_host_ns(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	struct net_device *lower = ipvlan->lower;
	const struct in6_addr *target;
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	struct nd_msg _msg;

	if (!IS_ENABLED(CONFIG_IPV6))
		return false;
	ip6h = skb_header_pointer(skb, ETH_HLEN, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != NEXTHDR_ICMP ||
	    ipv6_addr_any(&ip6h->saddr))
		return false;
	target = ipvlan_ns_target(skb, ETH_HLEN + sizeof(*ip6h), &_msg);
	if (!target || !ipv6_chk_addr(dev_net(lower), target, lower, 1))
		return false;
	ipvlan_forward(lower, skb);
	return true;
}

/* What the port answers for the host, in L2; true: @skb is taken. */
static bool ipvlan_host_answers(struct ipvlan_dev *ipvlan,
				struct sk_buff *skb)
{
	switch (eth_hdr(skb)->h_proto) {
	case htons(ETH_P_ARP):
		return ipvlan_host_arp(ipvlan, skb);
	case htons(ETH_P_IPV6):
		return ipvlan_host_ns(ipvlan, skb);
	}
	return false;
}

static int ipvlan_xmit_l2(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	struct ipvlan_port *port = ipvlan->port;
	struct ipvlan_dev *peer;

	if (ipvlan_port_is_vepa(port))
		return ipvlan_xmit_lower(ipvlan, skb);

	if (ipvlan_port_host_reach(port) && ipvlan_host_answers(ipvlan, skb))
		return NET_XMIT_SUCCESS;

	if (is_multicast_ether_addr(eth->h_dest)) {
		if (!ipvlan_port_is_private(port))
			ipvlan_tx_multicast(ipvlan, skb);
		return ipvlan_xmit_lower(ipvlan, skb);
	}

	if (!ether_addr_equal(eth->h_dest, ipvlan->dev->dev_addr))
		return ipvlan_xmit_lower(ipvlan, skb);

	/* for the shared MAC: a sibling, or else the lower's own stack */
	peer = ipvlan_demux(port, skb, eth->h_proto, ETH_HLEN);
	if (peer)
		return ipvlan_xmit_peer(ipvlan, peer, skb);
	return ipvlan_forward(ipvlan->lower, skb);
}

static int ipvlan_route_ip4(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	struct net_device *lower = ipvlan->lower;
	struct net *net = dev_net(lower);
	const struct iphdr *iph;
	enum ipvlan_drop why;
	struct flowi4 fl4;
	struct rtable *rt;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_BAD_IP);
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5 ||
	    !pskb_may_pull(skb, iph->ihl * 4))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_BAD_IP);
	iph = ip_hdr(skb);

	memset(&fl4, 0, sizeof(fl4));
	fl4.flowi4_oif = lower->ifindex;
	ipvlan_compat_flow_set_dscp(&fl4, iph);
	fl4.flowi4_scope = RT_SCOPE_UNIVERSE;
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	fl4.flowi4_mark = skb->mark;
	fl4.daddr = iph->daddr;
	fl4.saddr = iph->saddr;
	rt = ip_route_output_flow(net, &fl4, NULL);
	if (IS_ERR(rt))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_NO_ROUTE);
	if (rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL) {
		why = rt->rt_type == RTN_BROADCAST ||
		      rt->rt_type == RTN_MULTICAST ?
		      IPVLAN_DROP_TX_L3_MULTICAST : IPVLAN_DROP_TX_NO_ROUTE;
		ip_rt_put(rt);
		return ipvlan_tx_drop(ipvlan, skb, why);
	}
	skb_dst_set(skb, &rt->dst);
	/* the control block still holds whatever the ipvlan's qdisc left */
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
	/* no socket: skb->sk may be a packet socket, not an inet one */
	return ip_local_out(net, NULL, skb);
}

#if IS_ENABLED(CONFIG_IPV6)
static int ipvlan_route_ip6(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	struct net_device *lower = ipvlan->lower;
	struct net *net = dev_net(lower);
	const struct ipv6hdr *ip6h;
	struct dst_entry *dst;
	struct flowi6 fl6;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_BAD_IP);
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6)
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_BAD_IP);
	if (ipv6_addr_is_multicast(&ip6h->daddr))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_L3_MULTICAST);

	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_oif = lower->ifindex;
	fl6.daddr = ip6h->daddr;
	fl6.saddr = ip6h->saddr;
	fl6.flowi6_flags = FLOWI_FLAG_ANYSRC;
	fl6.flowlabel = ip6_flowinfo(ip6h);
	fl6.flowi6_mark = skb->mark;
	fl6.flowi6_proto = ip6h->nexthdr;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_NO_ROUTE);
	}
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->protocol = htons(ETH_P_IPV6);
	return ip6_local_out(net, NULL, skb);
}
#else
static int ipvlan_route_ip6(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_L3_NOT_IP);
}
#endif

/*
 * L3: the frame leaves through the lower's routing table, not its L2.
 * Only unicast does: an ipvlan's multicast and broadcast (router and
 * neighbour solicitations, MLD, IGMP, pings to a group) are for a link the
 * ipvlan does not have, and would speak for the lower on the wire.
 */
static int ipvlan_route_out(struct ipvlan_dev *ipvlan, struct sk_buff *skb,
			    __be16 proto)
{
	struct net_device *lower = ipvlan->lower;

	if (is_multicast_ether_addr(eth_hdr(skb)->h_dest))
		return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_L3_MULTICAST);
	ipvlan_skb_move(skb, lower);
	__skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	switch (proto) {
	case htons(ETH_P_IP):
		return ipvlan_route_ip4(ipvlan, skb);
	case htons(ETH_P_IPV6):
		return ipvlan_route_ip6(ipvlan, skb);
	}
	return ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_L3_NOT_IP);
}

/*
 * L3S with host reach: traffic between ipvlan devices goes through the
 * lower namespace's routing and netfilter too, and comes back through the
 * hooks, so that conntrack there sees both directions of a DNATed flow.
 * Private still keeps them apart.
 */
static bool ipvlan_l3_via_host(const struct ipvlan_port *port)
{
	return READ_ONCE(port->mode) == IPVLAN_MODE_L3S &&
	       ipvlan_port_host_reach(port) && !ipvlan_port_is_private(port);
}

static int ipvlan_xmit_l3(struct ipvlan_dev *ipvlan, struct sk_buff *skb)
{
	__be16 proto = eth_hdr(skb)->h_proto;
	struct ipvlan_port *port = ipvlan->port;
	struct ipvlan_dev *peer;

	if (!ipvlan_port_is_vepa(port)) {
		peer = ipvlan_demux(port, skb, proto, ETH_HLEN);
		if (peer && !ipvlan_l3_via_host(port))
			return ipvlan_xmit_peer(ipvlan, peer, skb);
	}
	return ipvlan_route_out(ipvlan, skb, proto);
}

/* An ARP packet whose sender hardware address is not @mac. */
static bool ipvlan_arp_forged(const struct sk_buff *skb, const u8 *mac)
{
	const struct arphdr *arp;
	struct arphdr _arp;
	u8 _sha[ETH_ALEN];
	const u8 *sha;

	arp = skb_header_pointer(skb, ETH_HLEN, sizeof(_arp), &_arp);
	if (!arp || arp->ar_hln != ETH_ALEN)
		return false;
	sha = skb_header_pointer(skb, ETH_HLEN + sizeof(*arp), ETH_ALEN, _sha);
	return !sha || !ether_addr_equal(sha, mac);
}

/*
 * A router advertisement or a redirect: what only a router sends, with the
 * hop limit of 255 without which receivers ignore them.  No ipvlan can be
 * a router for the wire: what is sent to the shared MAC is demultiplexed
 * by destination address, so an ipvlan never receives what it would route.
 */
static bool ipvlan_ip6_router_msg(const struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	u8 nexthdr, _type;
	__be16 frag_off;
	const u8 *type;
	int off;

	ip6h = skb_header_pointer(skb, ETH_HLEN, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->hop_limit != 255)
		return false;
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, ETH_HLEN + sizeof(*ip6h), &nexthdr,
			       &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6)
		return false;
	type = skb_header_pointer(skb, off, sizeof(_type), &_type);
	return type && (*type == NDISC_ROUTER_ADVERTISEMENT ||
			*type == NDISC_REDIRECT);
}

/*
 * An ipvlan is one station behind the shared MAC, whatever its owner writes
 * to a packet socket or has tc do: its frames carry that MAC as their
 * source (ARP's sender too) and no VLAN tag, and it announces no routes.
 */
static bool ipvlan_tx_forged(const struct net_device *dev,
			     const struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);

	if (skb_vlan_tag_present(skb) || eth_type_vlan(eth->h_proto) ||
	    !ether_addr_equal(eth->h_source, dev->dev_addr))
		return true;
	switch (eth->h_proto) {
	case htons(ETH_P_ARP):
		return ipvlan_arp_forged(skb, dev->dev_addr);
	case htons(ETH_P_IPV6):
		return IS_ENABLED(CONFIG_IPV6) && ipvlan_ip6_router_msg(skb);
	}
	return false;
}

netdev_tx_t ipvlan_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ipvlan_dev *ipvlan = ipvlan_priv(dev);
	unsigned int len = skb->len;
	int ret;

	/* packet sockets may hand us frames with no MAC header set */
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		ret = ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_SHORT);
		goto count;
	}
	skb_reset_mac_header(skb);
	if (unlikely(ipvlan_tx_forged(dev, skb))) {
		ret = ipvlan_tx_drop(ipvlan, skb, IPVLAN_DROP_TX_SPOOFED);
		goto count;
	}

	rcu_read_lock();
	if (READ_ONCE(ipvlan->port->mode) == IPVLAN_MODE_L2)
		ret = ipvlan_xmit_l2(ipvlan, skb);
	else
		ret = ipvlan_xmit_l3(ipvlan, skb);
	rcu_read_unlock();
count:
	ipvlan_stats_tx(ipvlan, len, !net_xmit_eval(ret));
	return NETDEV_TX_OK;
}
