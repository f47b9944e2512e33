// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic malformed-frame injector for the ipvlan selftests.
 *
 * Sends COUNT frames chosen by a seeded xorshift PRNG out of one interface
 * through AF_PACKET sockets (SOCK_RAW and SOCK_DGRAM, each with and without
 * PACKET_QDISC_BYPASS), and UDP multicast/broadcast with loopback on (the
 * looped copies are PACKET_LOOPBACK skbs without an Ethernet header).
 * Run it with "ip netns exec NS" or give -n NS to setns itself.
 *
 *   ipvlan_fuzz_frames -i DEV [-n NETNS] [-s SEED] [-c COUNT] [-m DSTMAC]
 *                      [-4 ADDR]... [-6 ADDR]... [-k KIND,...] [-S SOCK,...]
 *                      [-q]
 *
 * -4/-6 give the addresses frames are aimed at (the slaves' and the
 * master's), so that the demux paths really run.  -m is the destination
 * MAC of unicast frames (default: DEV's own, the shared MAC on a slave).
 * -k limits the frame kinds (the table kinds[] below), -S the socket kinds
 * (raw, raw-bypass, dgram, dgram-bypass).  At the end it prints, per kind,
 * the frames sent and the send errors by errno; it exits 0 unless it could
 * not run at all.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_QDISC_BYPASS
#define PACKET_QDISC_BYPASS 20
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXFRAME 65536
/* what a frame may fill of the buffer */
#define FRAME_ROOM (MAXFRAME - 64)
#define MAXADDR 64
/* send errors are counted by errno below this, the others as the last */
#define NERRNO 140

enum kind {
	K_ETH_TRUNC, K_ZERO, K_ARP, K_IPV4, K_IPV4_FRAG, K_IPV6, K_IPV6_EXT,
	K_IPV6_FRAG, K_NDISC, K_VLAN, K_MCAST, K_OVERSIZE, K_LOOP, K_MAX
};

enum sockkind { S_RAW, S_RAW_BYPASS, S_DGRAM, S_DGRAM_BYPASS, S_MAX };

static const struct sock_kind {
	const char *name;
	int type;
	bool bypass;	/* PACKET_QDISC_BYPASS */
} sock_kinds[S_MAX] = {
	[S_RAW]		= { "raw",		SOCK_RAW,	false },
	[S_RAW_BYPASS]	= { "raw-bypass",	SOCK_RAW,	true },
	[S_DGRAM]	= { "dgram",		SOCK_DGRAM,	false },
	[S_DGRAM_BYPASS] = { "dgram-bypass",	SOCK_DGRAM,	true },
};

struct kind_stats {
	unsigned long sent;
	unsigned long errs;
	unsigned long err_by[NERRNO];
};

struct fuzz {
	/* the command line */
	const char *ifname;
	const char *netns;
	unsigned long long seed;
	unsigned long count;
	bool quiet;
	bool have_mac;
	bool kind_on[K_MAX];
	bool sock_on[S_MAX];
	/* the device, and the addresses frames are aimed at */
	int ifindex;
	__u8 ownmac[ETH_ALEN];
	__u8 dstmac[ETH_ALEN];
	struct in_addr a4[MAXADDR];
	struct in6_addr a6[MAXADDR];
	int n4, n6;
	/* the kinds picked from, and the sockets to send with */
	int ks[K_MAX];
	int nk;
	int socks[S_MAX];
	int u4, u6;
	/* the PRNG, and the frame being built with its ethertype */
	__u64 rng;
	__u16 proto;
	__u8 frame[MAXFRAME];
	struct kind_stats stats[K_MAX];
};

/* ---- the PRNG */

static __u64 rnd(struct fuzz *fz)
{
	fz->rng ^= fz->rng << 13;
	fz->rng ^= fz->rng >> 7;
	fz->rng ^= fz->rng << 17;
	return fz->rng;
}

static unsigned int rn(struct fuzz *fz, unsigned int n)
{
	return n ? rnd(fz) % n : 0;
}

static bool chance(struct fuzz *fz, unsigned int pct)
{
	return rn(fz, 100) < pct;
}

static void rfill(struct fuzz *fz, __u8 *p, size_t n)
{
	while (n--)
		*p++ = rnd(fz);
}

/* ---- headers and addresses */

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static __u16 get16(const __u8 *p)
{
	return (p[0] << 8) | p[1];
}

static __u16 csum(const void *p, size_t n, __u32 sum)
{
	const __u8 *b = p;

	while (n > 1) {
		sum += get16(b);
		b += 2;
		n -= 2;
	}
	if (n)
		sum += b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

/* An IPv4 address: mostly a target, else broadcast, multicast... */
static void pick4(struct fuzz *fz, __u8 *out)
{
	__u32 v;

	if (fz->n4 && chance(fz, 85)) {
		memcpy(out, &fz->a4[rn(fz, fz->n4)], 4);
		return;
	}
	switch (rn(fz, 5)) {
	case 0:		/* broadcast */
		v = 0xffffffff;
		break;
	case 1:		/* multicast */
		v = 0xe0000001 + rn(fz, 255);
		break;
	case 2:
		v = 0;
		break;
	case 3:
		v = 0x7f000001;
		break;
	default:
		v = rnd(fz);
		break;
	}
	v = htonl(v);
	memcpy(out, &v, 4);
}

/* An IPv6 address: mostly a target, else multicast, link-local... */
static void pick6(struct fuzz *fz, __u8 *out)
{
	if (fz->n6 && chance(fz, 85)) {
		memcpy(out, &fz->a6[rn(fz, fz->n6)], 16);
		return;
	}
	memset(out, 0, 16);
	switch (rn(fz, 4)) {
	case 0:		/* all nodes / random link-local multicast */
		out[0] = 0xff;
		out[1] = 0x02;
		out[15] = rn(fz, 3);
		break;
	case 1:		/* solicited-node of an address we know, or random */
		out[0] = 0xff;
		out[1] = 0x02;
		out[11] = 1;
		out[12] = 0xff;
		if (fz->n6)
			memcpy(out + 13, &fz->a6[rn(fz, fz->n6)].s6_addr[13], 3);
		else
			rfill(fz, out + 13, 3);
		break;
	case 2:
		out[0] = 0xfe;
		out[1] = 0x80;
		rfill(fz, out + 8, 8);
		break;
	default:
		rfill(fz, out, 16);
		break;
	}
}

/* A source address: a target half the time, else as pick4/pick6. */
static void src4(struct fuzz *fz, __u8 *out)
{
	if (fz->n4 && chance(fz, 50))
		memcpy(out, &fz->a4[rn(fz, fz->n4)], 4);
	else
		pick4(fz, out);
}

static void src6(struct fuzz *fz, __u8 *out)
{
	if (fz->n6 && chance(fz, 50))
		memcpy(out, &fz->a6[rn(fz, fz->n6)], 16);
	else
		pick6(fz, out);
}

/* Destination MAC: mostly the shared MAC, sometimes odd ones. */
static void pick_mac(struct fuzz *fz, __u8 *m, bool mcast)
{
	static const __u8 odd[][ETH_ALEN] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0xff, 0x00, 0x00, 0x0a },
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 },
		{ 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};

	if (!mcast && chance(fz, 80)) {
		memcpy(m, fz->dstmac, ETH_ALEN);
		return;
	}
	if (chance(fz, 70)) {
		memcpy(m, odd[rn(fz, ARRAY_SIZE(odd))], ETH_ALEN);
		if (chance(fz, 30))
			rfill(fz, m + 3, 3);
		return;
	}
	rfill(fz, m, ETH_ALEN);
	m[0] |= 1;	/* group bit */
}

/* An Ethernet header, and the frame's ethertype; returns its length. */
static size_t eth(struct fuzz *fz, __u8 *f, __u16 proto, bool mcast)
{
	pick_mac(fz, f, mcast);
	if (chance(fz, 80))
		memcpy(f + ETH_ALEN, fz->ownmac, ETH_ALEN);
	else
		rfill(fz, f + ETH_ALEN, ETH_ALEN);
	put16(f + 12, proto);
	fz->proto = proto;
	return ETH_HLEN;
}

/* ---- IPv4 */

static __u16 ip4_frag_off(struct fuzz *fz, bool frag)
{
	__u16 off = 0;

	if (frag) {
		off = rn(fz, 8192);
		if (chance(fz, 50))
			off |= 0x2000;	/* MF */
		if (chance(fz, 20))
			off = 0x2000;	/* first fragment */
	} else if (chance(fz, 30)) {
		off = 0x4000;		/* DF */
	}
	return off;
}

/* The IPv4 header at p, ihl words with options of random bytes. */
static void ip4_header(struct fuzz *fz, __u8 *p, size_t ihl, size_t plen,
		       bool frag)
{
	static const __u8 protos[] = { 1, 6, 17, 2, 47, 4, 41, 0, 255 };
	__u16 tot = ihl * 4 + plen;

	p[0] = 0x40 | ihl;
	if (chance(fz, 10))
		p[0] = rnd(fz);		/* bad version and/or IHL 0..4 */
	p[1] = rnd(fz);
	if (chance(fz, 15))
		tot = rnd(fz);		/* bad total length */
	put16(p + 2, tot);
	p[4] = rnd(fz);
	p[5] = rnd(fz);
	put16(p + 6, ip4_frag_off(fz, frag));
	p[8] = 1 + rn(fz, 64);
	p[9] = protos[rn(fz, sizeof(protos))];
	put16(p + 10, 0);
	src4(fz, p + 12);
	pick4(fz, p + 16);
	rfill(fz, p + 20, ihl * 4 - 20);
}

/* An IPv4 packet at p, with random defects; returns its length. */
static size_t ip4(struct fuzz *fz, __u8 *p, size_t room, bool frag)
{
	size_t ihl = 5, hlen, plen;

	if (chance(fz, 15))
		ihl = 5 + rn(fz, 11);	/* options: random bytes */
	hlen = ihl * 4;
	plen = rn(fz, chance(fz, 20) ? 1400 : 64);
	if (hlen + plen > room)
		plen = room - hlen;
	ip4_header(fz, p, ihl, plen, frag);
	if (hlen <= room && chance(fz, 90)) {
		__u16 c = csum(p, hlen, 0);

		memcpy(p + 10, &c, 2);
	}
	rfill(fz, p + hlen, plen);
	if (p[9] == 1 && plen >= 8 && chance(fz, 70)) {	/* ICMP echo */
		p[hlen] = 8;
		p[hlen + 1] = 0;
	}
	return hlen + plen;
}

/* ---- IPv6 */

static void ip6_header(struct fuzz *fz, __u8 *p)
{
	memset(p, 0, 40);
	p[0] = chance(fz, 95) ? 0x60 : rnd(fz);
	p[1] = rnd(fz) & 0x0f;
	p[7] = chance(fz, 10) ? 255 : 64;
	src6(fz, p + 8);
	pick6(fz, p + 24);
}

/* An extension header of a random type at h, *nh its next header byte. */
static size_t ip6_ext(struct fuzz *fz, __u8 *h, __u8 *nh, size_t room)
{
	static const __u8 types[] = { 0, 43, 44, 60, 51, 50, 135, 139, 140 };
	__u8 t = types[rn(fz, sizeof(types))];
	size_t l = 8 * (1 + rn(fz, 3));

	if (l > room)
		l = 8;
	*nh = t;
	rfill(fz, h, l);
	if (t == 44) {			/* fragment header: 8 bytes */
		l = 8;
		h[1] = 0;
	} else if (t == 51) {		/* AH: length in 4-byte units - 2 */
		h[1] = l / 4 - 2;
	} else {
		h[1] = l / 8 - 1;
	}
	if (chance(fz, 10))
		h[1] = rnd(fz);		/* a length past the end */
	return l;
}

static void ip6_frag(struct fuzz *fz, __u8 *h, __u8 *nh)
{
	*nh = 44;
	rfill(fz, h, 8);
	h[1] = 0;
	if (chance(fz, 30)) {	/* first fragment, more to come */
		h[2] = 0;
		h[3] = 1;
	}
}

/* An IPv6 header, extension headers, and a payload. */
static size_t ip6(struct fuzz *fz, __u8 *p, size_t room, int exts, bool frag)
{
	size_t off = 40, plen, len;
	__u8 *nh = p + 6;
	int i;

	ip6_header(fz, p);
	for (i = 0; i < exts && off + 8 <= room; i++) {
		len = ip6_ext(fz, p + off, nh, room - off);
		nh = p + off;
		off += len;
	}
	if (frag && off + 8 <= room) {
		ip6_frag(fz, p + off, nh);
		nh = p + off;
		off += 8;
	}
	*nh = chance(fz, 60) ? 58 : (__u8)rnd(fz);
	plen = rn(fz, chance(fz, 20) ? 1200 : 64);
	if (off + plen > room)
		plen = room - off;
	rfill(fz, p + off, plen);
	if (*nh == 58 && plen >= 8 && chance(fz, 60)) {
		p[off] = 128;		/* echo request */
		p[off + 1] = 0;
	}
	len = off - 40 + plen;
	if (chance(fz, 15))
		len = rnd(fz);
	put16(p + 4, len);
	return off + plen;
}

/* The target, and a link-layer address option with random bytes. */
static void ndisc_target(struct fuzz *fz, __u8 *icmp, size_t len)
{
	if (fz->n6)
		memcpy(icmp + 8, &fz->a6[rn(fz, fz->n6)], 16);
	else
		rfill(fz, icmp + 8, 16);
	if (len > 24) {
		icmp[24] = 1 + rn(fz, 2);		/* lladdr option */
		icmp[25] = chance(fz, 80) ? 1 : rn(fz, 4);	/* 0: bad */
		if (len > 26)
			rfill(fz, icmp + 26, len - 26);
	}
}

/* The ICMPv6 checksum with the pseudo-header, right most of the time. */
static void ndisc_csum(struct fuzz *fz, __u8 *p, size_t len)
{
	__u32 sum = len - 40 + 58;
	size_t i;

	for (i = 8; i < 40; i += 2)
		sum += get16(p + i);
	if (chance(fz, 90)) {
		__u16 c = csum(p + 40, len - 40, sum);

		memcpy(p + 42, &c, 2);
	}
}

/* Neighbour discovery: NS/NA/RS/RA/redirect aimed at known targets. */
static size_t ndisc(struct fuzz *fz, __u8 *p, size_t room)
{
	static const __u8 types[] = { 135, 136, 133, 134, 137 };
	size_t len = 40 + 24 + (chance(fz, 60) ? 8 : rn(fz, 40));
	__u8 *icmp = p + 40;

	if (len > room)
		len = room;
	memset(p, 0, len);
	p[0] = 0x60;
	p[6] = 58;
	p[7] = 255;
	if (chance(fz, 40))	/* DAD: unspecified source */
		memset(p + 8, 0, 16);
	else
		src6(fz, p + 8);
	pick6(fz, p + 24);
	icmp[0] = types[rn(fz, sizeof(types))];
	icmp[1] = chance(fz, 90) ? 0 : rnd(fz);
	if (len >= 40 + 24)
		ndisc_target(fz, icmp, len - 40);
	put16(p + 4, len - 40);
	ndisc_csum(fz, p, len);
	if (chance(fz, 25))	/* truncated anywhere */
		len = rn(fz, len + 1);
	return len;
}

/* ---- ARP */

static size_t arp(struct fuzz *fz, __u8 *p, size_t room)
{
	size_t len = 28;

	p[0] = 0;
	p[1] = chance(fz, 90) ? 1 : rnd(fz);
	p[2] = 0x08;
	p[3] = 0;
	p[4] = chance(fz, 90) ? 6 : rnd(fz);
	p[5] = chance(fz, 90) ? 4 : rnd(fz);
	p[6] = 0;
	p[7] = chance(fz, 90) ? 1 + rn(fz, 2) : rnd(fz);
	memcpy(p + 8, fz->ownmac, ETH_ALEN);
	pick4(fz, p + 14);
	if (chance(fz, 50))
		memset(p + 18, 0, ETH_ALEN);
	else
		memcpy(p + 18, fz->dstmac, ETH_ALEN);
	pick4(fz, p + 24);
	if (chance(fz, 30))
		len = rn(fz, 28);	/* truncated */
	else if (chance(fz, 20))
		len += rn(fz, 40);
	if (len > room)
		len = room;
	if (len > 28)
		rfill(fz, p + 28, len - 28);
	return len;
}

/* ---- the frame kinds: each builds one in fz->frame, returns its length */

/* What VLAN and multicast frames carry. */
static const __u16 l3_protos[] = { ETH_P_IP, ETH_P_IPV6, ETH_P_ARP };

static size_t l3(struct fuzz *fz, __u8 *p, size_t room, __u16 proto,
		 unsigned int max_exts)
{
	switch (proto) {
	case ETH_P_IP:
		return ip4(fz, p, room, false);
	case ETH_P_IPV6:
		return ip6(fz, p, room, rn(fz, max_exts), false);
	}
	return arp(fz, p, room);
}

/* Up to 2 bytes of a frame, with any ethertype for the DGRAM sockets. */
static size_t build_zero(struct fuzz *fz)
{
	size_t l;

	fz->proto = chance(fz, 50) ? ETH_P_IP : rnd(fz);
	l = rn(fz, 3);
	rfill(fz, fz->frame, l);
	return l;
}

/* A frame cut anywhere up to 60 bytes after its Ethernet header. */
static size_t build_eth_trunc(struct fuzz *fz)
{
	size_t n;

	eth(fz, fz->frame, chance(fz, 50) ? ETH_P_IP : ETH_P_IPV6, false);
	n = rn(fz, 60);
	rfill(fz, fz->frame + ETH_HLEN, n);
	return rn(fz, ETH_HLEN + n + 1);
}

static size_t build_arp(struct fuzz *fz)
{
	size_t l = eth(fz, fz->frame, ETH_P_ARP, chance(fz, 40));

	return l + arp(fz, fz->frame + l, FRAME_ROOM - l);
}

static size_t build_ip4(struct fuzz *fz, bool frag)
{
	size_t l = eth(fz, fz->frame, ETH_P_IP, chance(fz, 10));

	l += ip4(fz, fz->frame + l, FRAME_ROOM - l, frag);
	if (chance(fz, 15))
		l = rn(fz, l + 1);	/* truncated */
	return l;
}

static size_t build_ipv4(struct fuzz *fz)
{
	return build_ip4(fz, false);
}

static size_t build_ipv4_frag(struct fuzz *fz)
{
	return build_ip4(fz, true);
}

static size_t build_ip6(struct fuzz *fz, bool ext, bool frag)
{
	size_t l = eth(fz, fz->frame, ETH_P_IPV6, chance(fz, 10));
	int exts = 0;

	if (ext)
		exts = 1 + rn(fz, 6);
	l += ip6(fz, fz->frame + l, FRAME_ROOM - l, exts, frag);
	if (chance(fz, 15))
		l = rn(fz, l + 1);	/* truncated */
	return l;
}

static size_t build_ipv6(struct fuzz *fz)
{
	return build_ip6(fz, false, false);
}

static size_t build_ipv6_ext(struct fuzz *fz)
{
	return build_ip6(fz, true, false);
}

static size_t build_ipv6_frag(struct fuzz *fz)
{
	return build_ip6(fz, false, true);
}

static size_t build_ndisc(struct fuzz *fz)
{
	size_t l = eth(fz, fz->frame, ETH_P_IPV6, chance(fz, 50));

	return l + ndisc(fz, fz->frame + l, FRAME_ROOM - l);
}

/* One to three 802.1Q or 802.1ad tags at p; returns their length. */
static size_t vlan_tags(struct fuzz *fz, __u8 *p)
{
	int tags = 1 + rn(fz, 3);
	size_t l = 0;

	while (tags--) {
		put16(p + l, chance(fz, 50) ? ETH_P_8021Q : ETH_P_8021AD);
		p[l + 2] = rnd(fz) & 0x0f;
		p[l + 3] = rnd(fz);
		l += 4;
	}
	return l;
}

static size_t build_vlan(struct fuzz *fz)
{
	__u8 *f = fz->frame;
	size_t l = eth(fz, f, 0, chance(fz, 30)) - 2;
	__u16 proto;

	l += vlan_tags(fz, f + l);
	fz->proto = get16(f + 12);
	proto = l3_protos[rn(fz, ARRAY_SIZE(l3_protos))];
	put16(f + l, proto);
	l += 2;
	l += l3(fz, f + l, FRAME_ROOM - l, proto, 2);
	if (chance(fz, 20))
		l = rn(fz, l + 1);
	return l;
}

static size_t build_mcast(struct fuzz *fz)
{
	__u16 proto = l3_protos[rn(fz, ARRAY_SIZE(l3_protos))];
	size_t l = eth(fz, fz->frame, proto, true);

	return l + l3(fz, fz->frame + l, FRAME_ROOM - l, proto, 3);
}

/* Longer than the MTU: an IP header, then whatever the buffer holds. */
static size_t build_oversize(struct fuzz *fz)
{
	bool mcast = chance(fz, 20);
	__u16 proto = chance(fz, 50) ? ETH_P_IP : ETH_P_IPV6;
	size_t l = eth(fz, fz->frame, proto, mcast);

	if (proto == ETH_P_IP)
		ip4(fz, fz->frame + l, FRAME_ROOM - l, false);
	else
		ip6(fz, fz->frame + l, FRAME_ROOM - l, 0, false);
	if (chance(fz, 50))
		return l + 1501 + rn(fz, 100);
	return l + 1500 + rn(fz, FRAME_ROOM - 1500 - ETH_HLEN);
}

/* In the order -k names them and the figures list them. */
static const struct frame_kind {
	const char *name;
	/* NULL: not a frame built here but UDP with loopback, send_loop() */
	size_t (*build)(struct fuzz *fz);
} kinds[K_MAX] = {
	[K_ETH_TRUNC]	= { "eth_trunc",	build_eth_trunc },
	[K_ZERO]	= { "zero",		build_zero },
	[K_ARP]		= { "arp",		build_arp },
	[K_IPV4]	= { "ipv4",		build_ipv4 },
	[K_IPV4_FRAG]	= { "ipv4_frag",	build_ipv4_frag },
	[K_IPV6]	= { "ipv6",		build_ipv6 },
	[K_IPV6_EXT]	= { "ipv6_ext",		build_ipv6_ext },
	[K_IPV6_FRAG]	= { "ipv6_frag",	build_ipv6_frag },
	[K_NDISC]	= { "ndisc",		build_ndisc },
	[K_VLAN]	= { "vlan",		build_vlan },
	[K_MCAST]	= { "mcast",		build_mcast },
	[K_OVERSIZE]	= { "oversize",		build_oversize },
	[K_LOOP]	= { "loop",		NULL },
};

/* ---- sending */

static void count_sent(struct fuzz *fz, int k, int ret)
{
	struct kind_stats *st = &fz->stats[k];
	int e = errno;

	st->sent++;
	if (ret >= 0)
		return;
	st->errs++;
	st->err_by[e < NERRNO ? e : NERRNO - 1]++;
}

static int send_loop4(struct fuzz *fz, const __u8 *buf, size_t len)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	__u32 v = chance(fz, 50) ? 0xffffffff : 0xe0000001 + rn(fz, 4);

	s4.sin_addr.s_addr = htonl(v);
	s4.sin_port = htons(1 + rn(fz, 65535));
	return sendto(fz->u4, buf, len, MSG_DONTWAIT, (void *)&s4, sizeof(s4));
}

static int send_loop6(struct fuzz *fz, const __u8 *buf, size_t len)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	s6.sin6_addr.s6_addr[0] = 0xff;
	s6.sin6_addr.s6_addr[1] = 0x02;
	s6.sin6_addr.s6_addr[15] = 1 + rn(fz, 2);
	s6.sin6_scope_id = fz->ifindex;
	s6.sin6_port = htons(1 + rn(fz, 65535));
	return sendto(fz->u6, buf, len, MSG_DONTWAIT, (void *)&s6, sizeof(s6));
}

/* Broadcast or multicast UDP of random bytes, looped back to DEV. */
static void send_loop(struct fuzz *fz, int k)
{
	__u8 buf[256];
	size_t len = rn(fz, sizeof(buf));
	int ret;

	rfill(fz, buf, len);
	if (chance(fz, 50))
		ret = send_loop4(fz, buf, len);
	else
		ret = send_loop6(fz, buf, len);
	count_sent(fz, k, ret);
}

/* fz->frame out of socket kind s; DGRAM sockets get its MAC apart. */
static void send_frame(struct fuzz *fz, int k, int s, size_t len)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = fz->ifindex,
		.sll_halen = ETH_ALEN,
	};
	__u8 *f = fz->frame;
	int ret;

	if (sock_kinds[s].type == SOCK_DGRAM) {
		/* the kernel builds the Ethernet header: strip ours */
		ll.sll_protocol = htons(fz->proto);
		if (len >= ETH_HLEN) {
			memcpy(ll.sll_addr, f, ETH_ALEN);
			f += ETH_HLEN;
			len -= ETH_HLEN;
		} else {
			memcpy(ll.sll_addr, fz->dstmac, ETH_ALEN);
		}
	}
	ret = sendto(fz->socks[s], f, len, MSG_DONTWAIT, (void *)&ll, sizeof(ll));
	count_sent(fz, k, ret);
}

static void send_one(struct fuzz *fz)
{
	int k = fz->ks[rn(fz, fz->nk)];
	size_t len;
	int s;

	if (!kinds[k].build) {
		send_loop(fz, k);
		return;
	}
	do
		s = rn(fz, S_MAX);
	while (!fz->sock_on[s]);
	len = kinds[k].build(fz);
	send_frame(fz, k, s, len);
}

/* ---- setting up */

static int open_sock(struct fuzz *fz, int s)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,	/* send only */
		.sll_ifindex = fz->ifindex,
	};
	int fd, one = 1;

	fd = socket(AF_PACKET, sock_kinds[s].type, 0);
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return -1;
	}
	if (sock_kinds[s].bypass &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0) {
		perror("PACKET_QDISC_BYPASS");
		return -1;
	}
	if (bind(fd, (void *)&ll, sizeof(ll)) < 0) {
		perror("bind(AF_PACKET)");
		return -1;
	}
	fz->socks[s] = fd;
	return 0;
}

/* The UDP sockets of K_LOOP, bound to DEV, multicast looped back. */
static void open_udp(struct fuzz *fz)
{
	struct ip_mreqn mr = { .imr_ifindex = fz->ifindex };
	size_t dev = strlen(fz->ifname);
	int one = 1;

	fz->u4 = socket(AF_INET, SOCK_DGRAM, 0);
	fz->u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fz->u4 >= 0) {
		setsockopt(fz->u4, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
		setsockopt(fz->u4, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one));
		setsockopt(fz->u4, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
		setsockopt(fz->u4, SOL_SOCKET, SO_BINDTODEVICE, fz->ifname, dev);
	}
	if (fz->u6 >= 0) {
		setsockopt(fz->u6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
		setsockopt(fz->u6, IPPROTO_IPV6, IPV6_MULTICAST_IF, &fz->ifindex,
			   sizeof(fz->ifindex));
		setsockopt(fz->u6, SOL_SOCKET, SO_BINDTODEVICE, fz->ifname, dev);
	}
}

static int open_socks(struct fuzz *fz)
{
	int s;

	for (s = 0; s < S_MAX; s++)
		if (fz->sock_on[s] && open_sock(fz, s))
			return -1;
	if (fz->kind_on[K_LOOP])
		open_udp(fz);
	return 0;
}

static int enter_netns(const char *netns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s%s",
		 strchr(netns, '/') ? "" : "/run/netns/", netns);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		perror(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* DEV's index and MAC, the default destination MAC. */
static int open_device(struct fuzz *fz)
{
	struct ifreq ifr;
	int fd;

	fz->ifindex = if_nametoindex(fz->ifname);
	if (!fz->ifindex) {
		perror(fz->ifname);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", fz->ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		return -1;
	}
	close(fd);
	memcpy(fz->ownmac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (!fz->have_mac)
		memcpy(fz->dstmac, fz->ownmac, ETH_ALEN);
	return 0;
}

/* The kinds to pick from; false if no kind or no socket kind is on. */
static bool pick_kinds(struct fuzz *fz)
{
	bool any_sock = false;
	int k, s;

	for (k = 0; k < K_MAX; k++)
		if (fz->kind_on[k])
			fz->ks[fz->nk++] = k;
	for (s = 0; s < S_MAX; s++)
		any_sock |= fz->sock_on[s];
	return fz->nk && any_sock;
}

/* ---- the command line, and the figures */

static void print_help(void)
{
	fputs("Usage: ipvlan_fuzz_frames -i DEV [-n NETNS] [-s SEED] [-c COUNT]\n"
	      "       [-m DSTMAC] [-4 ADDR]... [-6 ADDR]... [-k KIND,...]\n"
	      "       [-S SOCK,...] [-q]\n", stderr);
	exit(2);
}

static int kind_index(const char *name)
{
	int k;

	for (k = 0; k < K_MAX; k++)
		if (!strcmp(name, kinds[k].name))
			return k;
	return -1;
}

static int sock_index(const char *name)
{
	int s;

	for (s = 0; s < S_MAX; s++)
		if (!strcmp(name, sock_kinds[s].name))
			return s;
	return -1;
}

/* Turns on exactly the n entries of on[] that comma-separated arg names. */
static int parse_list(char *arg, int (*index)(const char *), bool *on, int n)
{
	char *tok;
	int i;

	memset(on, 0, n * sizeof(*on));
	for (tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
		i = index(tok);
		if (i < 0) {
			fprintf(stderr, "unknown kind '%s'\n", tok);
			return -1;
		}
		on[i] = true;
	}
	return 0;
}

static int parse_mac(const char *s, __u8 *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
		      &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

static int add_addr4(struct fuzz *fz, const char *arg)
{
	if (fz->n4 >= MAXADDR || inet_pton(AF_INET, arg, &fz->a4[fz->n4]) != 1)
		return -1;
	fz->n4++;
	return 0;
}

static int add_addr6(struct fuzz *fz, const char *arg)
{
	if (fz->n6 >= MAXADDR || inet_pton(AF_INET6, arg, &fz->a6[fz->n6]) != 1)
		return -1;
	fz->n6++;
	return 0;
}

static int parse_opt(struct fuzz *fz, int opt, char *arg)
{
	switch (opt) {
	case 'i':
		fz->ifname = arg;
		return 0;
	case 'n':
		fz->netns = arg;
		return 0;
	case 's':
		fz->seed = strtoull(arg, NULL, 0);
		return 0;
	case 'c':
		fz->count = strtoul(arg, NULL, 0);
		return 0;
	case 'm':
		fz->have_mac = true;
		return parse_mac(arg, fz->dstmac);
	case '4':
		return add_addr4(fz, arg);
	case '6':
		return add_addr6(fz, arg);
	case 'k':
		return parse_list(arg, kind_index, fz->kind_on, K_MAX);
	case 'S':
		return parse_list(arg, sock_index, fz->sock_on, S_MAX);
	case 'q':
		fz->quiet = true;
		return 0;
	}
	return -1;
}

static void parse_args(struct fuzz *fz, int argc, char **argv)
{
	int opt, i;

	fz->seed = 1;
	fz->count = 50000;
	for (i = 0; i < K_MAX; i++)
		fz->kind_on[i] = true;
	for (i = 0; i < S_MAX; i++)
		fz->sock_on[i] = true;
	while ((opt = getopt(argc, argv, "i:n:s:c:m:4:6:k:S:q")) != -1)
		if (parse_opt(fz, opt, optarg))
			print_help();
	if (!fz->ifname)
		print_help();
}

static void print_kind(const char *name, const struct kind_stats *st)
{
	char ebuf[512] = "";
	size_t o = 0;
	int e;

	for (e = 0; e < NERRNO; e++)
		if (st->err_by[e] && o < sizeof(ebuf) - 40)
			o += snprintf(ebuf + o, sizeof(ebuf) - o, " %s=%lu",
				      strerrorname_np(e) ?: "?", st->err_by[e]);
	printf("#   %-10s sent %8lu errors %7lu%s\n", name, st->sent, st->errs,
	       ebuf);
}

static void print_figures(const struct fuzz *fz, double secs)
{
	unsigned long total = 0, errs = 0;
	int k;

	for (k = 0; k < K_MAX; k++) {
		total += fz->stats[k].sent;
		errs += fz->stats[k].errs;
	}
	printf("# fuzz_frames dev %s seed %llu: %lu frames, %lu send errors, %.1f s\n",
	       fz->ifname, fz->seed, total, errs, secs);
	if (fz->quiet)
		return;
	for (k = 0; k < K_MAX; k++)
		if (fz->stats[k].sent)
			print_kind(kinds[k].name, &fz->stats[k]);
}

int main(int argc, char **argv)
{
	static struct fuzz fz = { .u4 = -1, .u6 = -1 };
	struct timespec t0, t1;
	unsigned long i;

	parse_args(&fz, argc, argv);
	if (fz.netns && enter_netns(fz.netns))
		return 2;
	if (open_device(&fz))
		return 2;
	if (!pick_kinds(&fz))
		print_help();
	if (open_socks(&fz))
		return 2;

	fz.rng = fz.seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!fz.rng)
		fz.rng = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < fz.count; i++)
		send_one(&fz);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_figures(&fz, (t1.tv_sec - t0.tv_sec) +
			   (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
