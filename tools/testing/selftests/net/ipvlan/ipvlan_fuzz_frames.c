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
 * -k limits the frame kinds, -S the socket kinds (raw, raw-bypass, dgram,
 * dgram-bypass).  At the end it prints, per kind, the frames sent and the
 * send errors by errno; it exits 0 unless it could not run at all.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
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

#define MAXFRAME 65536
#define MAXADDR 64

enum kind {
	K_ETH_TRUNC, K_ZERO, K_ARP, K_IPV4, K_IPV4_FRAG, K_IPV6, K_IPV6_EXT,
	K_IPV6_FRAG, K_NDISC, K_VLAN, K_MCAST, K_OVERSIZE, K_LOOP, K_MAX
};

static const char *const kind_name[K_MAX] = {
	"eth_trunc", "zero", "arp", "ipv4", "ipv4_frag", "ipv6", "ipv6_ext",
	"ipv6_frag", "ndisc", "vlan", "mcast", "oversize", "loop",
};

enum sockkind { S_RAW, S_RAW_BYPASS, S_DGRAM, S_DGRAM_BYPASS, S_MAX };

static const char *const sock_name[S_MAX] = {
	"raw", "raw-bypass", "dgram", "dgram-bypass",
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int rn(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int pct)
{
	return rn(100) < pct;
}

static void rfill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static uint8_t dstmac[6], ownmac[6];
static struct in_addr a4[MAXADDR];
static struct in6_addr a6[MAXADDR];
static int n4, n6;
static int kind_on[K_MAX], sock_on[S_MAX];
static int socks[S_MAX];
static int ifindex;
static const char *ifname;

static unsigned long sent[K_MAX], errs[K_MAX];
static unsigned long err_by[K_MAX][140];

static uint16_t csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;

	while (n > 1) {
		sum += (b[0] << 8) | b[1];
		b += 2;
		n -= 2;
	}
	if (n)
		sum += b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static void pick4(uint8_t *out)
{
	uint32_t v;

	if (n4 && chance(85)) {
		memcpy(out, &a4[rn(n4)], 4);
		return;
	}
	switch (rn(5)) {
	/* broadcast */
	case 0:
		v = 0xffffffff;
		break;
	/* multicast */
	case 1:
		v = 0xe0000001 + rn(255);
		break;
	case 2:
		v = 0;
		break;
	case 3:
		v = 0x7f000001;
		break;
	default:
		v = rnd();
		break;
	}
	v = htonl(v);
	memcpy(out, &v, 4);
}

static void pick6(uint8_t *out)
{
	if (n6 && chance(85)) {
		memcpy(out, &a6[rn(n6)], 16);
		return;
	}
	memset(out, 0, 16);
	switch (rn(4)) {
	case 0:		/* all nodes / random link-local multicast */
		out[0] = 0xff;
		out[1] = 0x02;
		out[15] = rn(3);
		break;
	case 1:		/* solicited-node of an address we know, or random */
		out[0] = 0xff;
		out[1] = 0x02;
		out[11] = 1;
		out[12] = 0xff;
		if (n6)
			memcpy(out + 13, &a6[rn(n6)].s6_addr[13], 3);
		else
			rfill(out + 13, 3);
		break;
	case 2:
		out[0] = 0xfe;
		out[1] = 0x80;
		rfill(out + 8, 8);
		break;
	default:
		rfill(out, 16);
		break;
	}
}

/* Destination MAC: mostly the shared MAC, sometimes odd ones. */
static void pick_mac(uint8_t *m, int mcast)
{
	static const uint8_t odd[][6] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0xff, 0x00, 0x00, 0x0a },
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 },
		{ 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};

	if (!mcast && chance(80)) {
		memcpy(m, dstmac, 6);
		return;
	}
	if (chance(70)) {
		memcpy(m, odd[rn(sizeof(odd) / 6)], 6);
		if (chance(30))
			rfill(m + 3, 3);
		return;
	}
	rfill(m, 6);
	m[0] |= 1;	/* group bit */
}

static size_t eth(uint8_t *f, uint16_t proto, int mcast)
{
	pick_mac(f, mcast);
	if (chance(80))
		memcpy(f + 6, ownmac, 6);
	else
		rfill(f + 6, 6);
	f[12] = proto >> 8;
	f[13] = proto;
	return 14;
}

/* An IPv4 header at p, total length len, with random defects. */
static size_t ip4(uint8_t *p, size_t room, int frag)
{
	size_t ihl = 5, plen, i;
	uint16_t tot, off = 0;

	if (chance(15))
		ihl = 5 + rn(11);	/* options: random bytes */
	plen = rn(chance(20) ? 1400 : 64);
	if (ihl * 4 + plen > room)
		plen = room - ihl * 4;
	p[0] = 0x40 | ihl;
	if (chance(10))
		p[0] = rnd();		/* bad version and/or IHL 0..4 */
	p[1] = rnd();
	tot = ihl * 4 + plen;
	if (chance(15))
		tot = rnd();		/* bad total length */
	p[2] = tot >> 8;
	p[3] = tot;
	p[4] = rnd();
	p[5] = rnd();
	if (frag) {
		off = rn(8192);
		if (chance(50))
			off |= 0x2000;	/* MF */
		if (chance(20))
			off = 0x2000;	/* first fragment */
	} else if (chance(30)) {
		off = 0x4000;		/* DF */
	}
	p[6] = off >> 8;
	p[7] = off;
	p[8] = 1 + rn(64);
	{
		static const uint8_t protos[] = { 1, 6, 17, 2, 47, 4, 41, 0, 255 };

		p[9] = protos[rn(sizeof(protos))];
	}
	p[10] = 0;
	p[11] = 0;
	if (n4 && chance(50))
		memcpy(p + 12, &a4[rn(n4)], 4);
	else
		pick4(p + 12);
	pick4(p + 16);
	for (i = 20; i < ihl * 4; i++)
		p[i] = rnd();
	if (ihl * 4 <= room && chance(90)) {
		uint16_t c = csum(p, ihl * 4, 0);

		memcpy(p + 10, &c, 2);
	}
	rfill(p + ihl * 4, plen);
	if (p[9] == 1 && plen >= 8 && chance(70)) {	/* ICMP echo */
		p[ihl * 4] = 8;
		p[ihl * 4 + 1] = 0;
	}
	return ihl * 4 + plen;
}

static const uint8_t ext_hdrs[] = { 0, 43, 44, 60, 51, 50, 135, 139, 140 };

/* An IPv6 header, extension headers, and a payload. */
static size_t ip6(uint8_t *p, size_t room, int exts, int frag)
{
	size_t off = 40, plen;
	uint8_t *nh = p + 6;
	int i;

	memset(p, 0, 40);
	p[0] = chance(95) ? 0x60 : rnd();
	p[1] = rnd() & 0x0f;
	p[7] = chance(10) ? 255 : 64;
	if (n6 && chance(50))
		memcpy(p + 8, &a6[rn(n6)], 16);
	else
		pick6(p + 8);
	pick6(p + 24);
	for (i = 0; i < exts && off + 8 <= room; i++) {
		uint8_t t = ext_hdrs[rn(sizeof(ext_hdrs))];
		size_t l = 8 * (1 + rn(3));

		if (off + l > room)
			l = 8;
		*nh = t;
		rfill(p + off, l);
		if (t == 44) {			/* fragment header: 8 bytes */
			l = 8;
			p[off + 1] = 0;
		} else if (t == 51) {		/* AH: length in 4-byte units - 2 */
			p[off + 1] = l / 4 - 2;
		} else {
			p[off + 1] = l / 8 - 1;
		}
		if (chance(10))
			p[off + 1] = rnd();	/* a length past the end */
		nh = p + off;
		off += l;
	}
	if (frag && off + 8 <= room) {
		*nh = 44;
		rfill(p + off, 8);
		p[off + 1] = 0;
		if (chance(30)) {	/* first fragment, more to come */
			p[off + 2] = 0;
			p[off + 3] = 1;
		}
		nh = p + off;
		off += 8;
	}
	*nh = chance(60) ? 58 : (uint8_t)rnd();
	plen = rn(chance(20) ? 1200 : 64);
	if (off + plen > room)
		plen = room - off;
	rfill(p + off, plen);
	if (*nh == 58 && plen >= 8 && chance(60)) {
		p[off] = 128;		/* echo request */
		p[off + 1] = 0;
	}
	i = off - 40 + plen;
	if (chance(15))
		i = rnd();
	p[4] = i >> 8;
	p[5] = i;
	return off + plen;
}

/* Neighbour discovery: NS/NA/RS/RA/redirect aimed at known targets. */
static size_t ndisc(uint8_t *p, size_t room)
{
	static const uint8_t types[] = { 135, 136, 133, 134, 137 };
	size_t len = 40 + 24 + (chance(60) ? 8 : rn(40));
	uint8_t *icmp = p + 40;
	uint32_t sum = 0;
	size_t i;

	if (len > room)
		len = room;
	memset(p, 0, len);
	p[0] = 0x60;
	p[6] = 58;
	p[7] = 255;
	if (chance(40)) {	/* DAD: unspecified source */
		memset(p + 8, 0, 16);
	} else if (n6 && chance(50)) {
		memcpy(p + 8, &a6[rn(n6)], 16);
	} else {
		pick6(p + 8);
	}
	pick6(p + 24);
	icmp[0] = types[rn(sizeof(types))];
	icmp[1] = chance(90) ? 0 : rnd();
	if (len >= 40 + 24) {
		if (n6)
			memcpy(icmp + 8, &a6[rn(n6)], 16);
		else
			rfill(icmp + 8, 16);
		if (len > 40 + 24) {
			icmp[24] = 1 + rn(2);		/* lladdr option */
			icmp[25] = chance(80) ? 1 : rn(4);	/* 0: bad */
			if (len > 40 + 26)
				rfill(icmp + 26, len - 40 - 26);
		}
	}
	i = len - 40;
	p[4] = i >> 8;
	p[5] = i;
	/* pseudo-header checksum, right most of the time */
	for (i = 8; i < 40; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	sum += len - 40;
	sum += 58;
	if (chance(90)) {
		uint16_t c = csum(icmp, len - 40, sum);

		memcpy(icmp + 2, &c, 2);
	}
	if (chance(25))	/* truncated anywhere */
		len = rn(len + 1);
	return len;
}

static size_t arp(uint8_t *p, size_t room)
{
	size_t len = 28;

	p[0] = 0;
	p[1] = chance(90) ? 1 : rnd();
	p[2] = 0x08;
	p[3] = 0;
	p[4] = chance(90) ? 6 : rnd();
	p[5] = chance(90) ? 4 : rnd();
	p[6] = 0;
	p[7] = chance(90) ? 1 + rn(2) : rnd();
	memcpy(p + 8, ownmac, 6);
	pick4(p + 14);
	if (chance(50))
		memset(p + 18, 0, 6);
	else
		memcpy(p + 18, dstmac, 6);
	pick4(p + 24);
	if (chance(30))
		len = rn(28);	/* truncated */
	else if (chance(20))
		len += rn(40);
	if (len > room)
		len = room;
	if (len > 28)
		rfill(p + 28, len - 28);
	return len;
}

/* Build one frame of kind k; returns its length (may be 0). */
static size_t build(int k, uint8_t *f, size_t room, uint16_t *proto)
{
	size_t l, n;
	uint16_t tag;
	int tags;

	switch (k) {
	case K_ZERO:
		*proto = chance(50) ? ETH_P_IP : rnd();
		l = rn(3);
		rfill(f, l);
		return l;
	case K_ETH_TRUNC:
		l = eth(f, chance(50) ? ETH_P_IP : ETH_P_IPV6, 0);
		*proto = (f[12] << 8) | f[13];
		n = rn(60);
		rfill(f + 14, n);
		return rn(14 + n + 1);
	case K_ARP:
		l = eth(f, ETH_P_ARP, chance(40));
		*proto = ETH_P_ARP;
		return l + arp(f + l, room - l);
	case K_IPV4:
	case K_IPV4_FRAG:
		l = eth(f, ETH_P_IP, chance(10));
		*proto = ETH_P_IP;
		l += ip4(f + l, room - l, k == K_IPV4_FRAG);
		if (chance(15))
			l = rn(l + 1);	/* truncated */
		return l;
	case K_IPV6:
	case K_IPV6_EXT:
	case K_IPV6_FRAG:
		l = eth(f, ETH_P_IPV6, chance(10));
		*proto = ETH_P_IPV6;
		l += ip6(f + l, room - l, k == K_IPV6_EXT ? 1 + rn(6) : 0,
			 k == K_IPV6_FRAG);
		if (chance(15))
			l = rn(l + 1);
		return l;
	case K_NDISC:
		l = eth(f, ETH_P_IPV6, chance(50));
		*proto = ETH_P_IPV6;
		return l + ndisc(f + l, room - l);
	case K_VLAN:
		l = eth(f, 0, chance(30));
		tags = 1 + rn(3);
		l -= 2;
		while (tags--) {
			tag = chance(50) ? 0x8100 : 0x88a8;
			f[l] = tag >> 8;
			f[l + 1] = tag;
			f[l + 2] = rnd() & 0x0f;
			f[l + 3] = rnd();
			l += 4;
		}
		*proto = (f[12] << 8) | f[13];
		switch (rn(3)) {
		case 0:
			f[l] = 0x08; f[l + 1] = 0x00; l += 2;
			l += ip4(f + l, room - l, 0);
			break;
		case 1:
			f[l] = 0x86; f[l + 1] = 0xdd; l += 2;
			l += ip6(f + l, room - l, rn(2), 0);
			break;
		default:
			f[l] = 0x08; f[l + 1] = 0x06; l += 2;
			l += arp(f + l, room - l);
			break;
		}
		if (chance(20))
			l = rn(l + 1);
		return l;
	case K_MCAST:
		switch (rn(3)) {
		case 0:
			l = eth(f, ETH_P_IP, 1);
			*proto = ETH_P_IP;
			l += ip4(f + l, room - l, 0);
			break;
		case 1:
			l = eth(f, ETH_P_IPV6, 1);
			*proto = ETH_P_IPV6;
			l += ip6(f + l, room - l, rn(3), 0);
			break;
		default:
			l = eth(f, ETH_P_ARP, 1);
			*proto = ETH_P_ARP;
			l += arp(f + l, room - l);
			break;
		}
		return l;
	case K_OVERSIZE:
		l = eth(f, chance(50) ? ETH_P_IP : ETH_P_IPV6, chance(20));
		*proto = (f[12] << 8) | f[13];
		if (*proto == ETH_P_IP)
			ip4(f + l, room - l, 0);
		else
			ip6(f + l, room - l, 0, 0);
		n = chance(50) ? 1501 + rn(100) : 1500 + rn(room - 1500 - 14);
		return l + n;
	}
	return 0;
}

static void count_err(int k, int e)
{
	errs[k]++;
	err_by[k][e < 140 ? e : 139]++;
}

static void send_loop(int k)
{
	static int u4 = -1, u6 = -1;
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	uint8_t buf[256];
	size_t len = rn(sizeof(buf));
	int one = 1, r;

	if (u4 < 0) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		u4 = socket(AF_INET, SOCK_DGRAM, 0);
		u6 = socket(AF_INET6, SOCK_DGRAM, 0);
		if (u4 >= 0) {
			setsockopt(u4, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
			setsockopt(u4, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one));
			setsockopt(u4, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
			setsockopt(u4, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				   strlen(ifname));
		}
		if (u6 >= 0) {
			setsockopt(u6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
			setsockopt(u6, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
				   sizeof(ifindex));
			setsockopt(u6, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				   strlen(ifname));
		}
	}
	rfill(buf, len);
	if (chance(50)) {
		uint32_t v = chance(50) ? 0xffffffff : 0xe0000001 + rn(4);

		s4.sin_addr.s_addr = htonl(v);
		s4.sin_port = htons(1 + rn(65535));
		r = sendto(u4, buf, len, MSG_DONTWAIT, (void *)&s4, sizeof(s4));
	} else {
		s6.sin6_addr.s6_addr[0] = 0xff;
		s6.sin6_addr.s6_addr[1] = 0x02;
		s6.sin6_addr.s6_addr[15] = 1 + rn(2);
		s6.sin6_scope_id = ifindex;
		s6.sin6_port = htons(1 + rn(65535));
		r = sendto(u6, buf, len, MSG_DONTWAIT, (void *)&s6, sizeof(s6));
	}
	sent[k]++;
	if (r < 0)
		count_err(k, errno);
}

static void open_socks(void)
{
	int s, one = 1;

	for (s = 0; s < S_MAX; s++) {
		struct sockaddr_ll ll = {
			.sll_family = AF_PACKET,
			.sll_protocol = 0,	/* send only */
			.sll_ifindex = ifindex,
		};

		socks[s] = -1;
		if (!sock_on[s])
			continue;
		socks[s] = socket(AF_PACKET, s < S_DGRAM ? SOCK_RAW : SOCK_DGRAM, 0);
		if (socks[s] < 0) {
			perror("socket(AF_PACKET)");
			exit(2);
		}
		if ((s == S_RAW_BYPASS || s == S_DGRAM_BYPASS) &&
		    setsockopt(socks[s], SOL_PACKET, PACKET_QDISC_BYPASS,
			       &one, sizeof(one)) < 0) {
			perror("PACKET_QDISC_BYPASS");
			exit(2);
		}
		if (bind(socks[s], (void *)&ll, sizeof(ll)) < 0) {
			perror("bind(AF_PACKET)");
			exit(2);
		}
	}
}

static void send_frame(int k, int s, uint8_t *f, size_t len, uint16_t proto)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};
	int r;

	if (s >= S_DGRAM) {
		/* the kernel builds the Ethernet header: strip ours */
		ll.sll_protocol = htons(proto);
		if (len >= 14) {
			memcpy(ll.sll_addr, f, 6);
			f += 14;
			len -= 14;
		} else {
			memcpy(ll.sll_addr, dstmac, 6);
		}
	}
	r = sendto(socks[s], f, len, MSG_DONTWAIT, (void *)&ll, sizeof(ll));
	sent[k]++;
	if (r < 0)
		count_err(k, errno);
}

static int parse_list(char *arg, const char *const *names, int n, int *on)
{
	char *tok;
	int i;

	memset(on, 0, n * sizeof(*on));
	for (tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
		for (i = 0; i < n; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == n) {
			fprintf(stderr, "unknown kind '%s'\n", tok);
			return -1;
		}
		on[i] = 1;
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
		      &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

static void print_help(void)
{
	fputs("Usage: ipvlan_fuzz_frames -i DEV [-n NETNS] [-s SEED] [-c COUNT]\n"
	      "       [-m DSTMAC] [-4 ADDR]... [-6 ADDR]... [-k KIND,...]\n"
	      "       [-S SOCK,...] [-q]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static uint8_t frame[MAXFRAME];
	unsigned long count = 50000, i, total = 0, terr = 0;
	unsigned long long seed = 1;
	const char *netns = NULL;
	int have_mac = 0, quiet = 0, nk = 0, ks[K_MAX], k, s, fd, e;
	struct timespec t0, t1;
	struct ifreq ifr;
	char path[256];
	int opt;

	for (k = 0; k < K_MAX; k++)
		kind_on[k] = 1;
	for (s = 0; s < S_MAX; s++)
		sock_on[s] = 1;
	while ((opt = getopt(argc, argv, "i:n:s:c:m:4:6:k:S:q")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			netns = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			if (parse_mac(optarg, dstmac))
				print_help();
			have_mac = 1;
			break;
		case '4':
			if (n4 < MAXADDR && inet_pton(AF_INET, optarg, &a4[n4]) == 1)
				n4++;
			else
				print_help();
			break;
		case '6':
			if (n6 < MAXADDR && inet_pton(AF_INET6, optarg, &a6[n6]) == 1)
				n6++;
			else
				print_help();
			break;
		case 'k':
			if (parse_list(optarg, kind_name, K_MAX, kind_on))
				print_help();
			break;
		case 'S':
			if (parse_list(optarg, sock_name, S_MAX, sock_on))
				print_help();
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			print_help();
		}
	}
	if (!ifname)
		print_help();
	if (netns) {
		snprintf(path, sizeof(path), "%s%s",
			 strchr(netns, '/') ? "" : "/run/netns/", netns);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
			perror(path);
			return 2;
		}
		close(fd);
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		perror(ifname);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		return 2;
	}
	close(fd);
	memcpy(ownmac, ifr.ifr_hwaddr.sa_data, 6);
	if (!have_mac)
		memcpy(dstmac, ownmac, 6);
	for (k = 0; k < K_MAX; k++)
		if (kind_on[k])
			ks[nk++] = k;
	for (s = 0, e = 0; s < S_MAX; s++)
		e |= sock_on[s];
	if (!nk || !e)
		print_help();
	open_socks();

	rng = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng)
		rng = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		uint16_t proto = 0;
		size_t len;

		k = ks[rn(nk)];
		if (k == K_LOOP) {
			send_loop(k);
			continue;
		}
		do
			s = rn(S_MAX);
		while (!sock_on[s]);
		len = build(k, frame, sizeof(frame) - 64, &proto);
		send_frame(k, s, frame, len, proto);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (k = 0; k < K_MAX; k++) {
		total += sent[k];
		terr += errs[k];
	}
	printf("# fuzz_frames dev %s seed %llu: %lu frames, %lu send errors, %.1f s\n",
	       ifname, seed, total, terr,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!quiet) {
		for (k = 0; k < K_MAX; k++) {
			char ebuf[512] = "";
			size_t o = 0;

			if (!sent[k])
				continue;
			for (e = 0; e < 140; e++)
				if (err_by[k][e] && o < sizeof(ebuf) - 40)
					o += snprintf(ebuf + o, sizeof(ebuf) - o,
						      " %s=%lu", strerrorname_np(e) ?: "?",
						      err_by[k][e]);
			printf("#   %-10s sent %8lu errors %7lu%s\n", kind_name[k],
			       sent[k], errs[k], ebuf);
		}
	}
	return 0;
}
