#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send raw Ethernet frames out of a device through an AF_PACKET socket,
as a container's root with CAP_NET_RAW can.  Prints nothing; exits 0 when
every frame was handed to the device (a driver may still drop it).

  ipvlan_raw.py DEV KIND DST_MAC [--src MAC] [--vlan ID] [--count N]
                [--sip A] [--tip A] [--sha MAC]

KIND is one of:
  probe  an experimental-ethertype (0x88b5) frame, counted by its DST_MAC
  arp    an ARP reply "SIP is at SHA" to TIP
  ra     an ICMPv6 router advertisement from SIP (hop limit 255) to ff02::1
  badip  an IPv4 ethertype frame whose header says version 5

--src defaults to DEV's own MAC (the shared MAC on an ipvlan slave),
--sha to --src.  --vlan puts an 802.1Q tag with that ID in front of the
payload.
"""

import argparse
import ipaddress
import socket
import struct


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def probe():
    return 0x88b5, b"ipvlan selftest probe".ljust(46, b"\0")


def arp_reply(sha, sip, tip):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2)
    body += sha + socket.inet_aton(sip) + b"\xff" * 6 + socket.inet_aton(tip)
    return 0x0806, body


def router_advert(sip):
    src = ipaddress.IPv6Address(sip).packed
    dst = ipaddress.IPv6Address("ff02::1").packed
    # type 134, hop limit 64, lifetime 1800 s, no options
    icmp = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    pseudo = src + dst + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + src + dst
    return 0x86dd, ip6 + icmp


def bad_ip():
    # version 5, header length 5: no IPv4 header
    return 0x0800, bytes([0x55]) + bytes(45)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dev")
    p.add_argument("kind", choices=["probe", "arp", "ra", "badip"])
    p.add_argument("dst")
    p.add_argument("--src")
    p.add_argument("--sha")
    p.add_argument("--sip", default="0.0.0.0")
    p.add_argument("--tip", default="0.0.0.0")
    p.add_argument("--vlan", type=int)
    p.add_argument("--count", type=int, default=1)
    a = p.parse_args()

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    own = s.getsockname()[4]
    src = mac_bytes(a.src) if a.src else own
    sha = mac_bytes(a.sha) if a.sha else src

    if a.kind == "probe":
        ethertype, payload = probe()
    elif a.kind == "badip":
        ethertype, payload = bad_ip()
    elif a.kind == "arp":
        ethertype, payload = arp_reply(sha, a.sip, a.tip)
    else:
        ethertype, payload = router_advert(a.sip)

    frame = mac_bytes(a.dst) + src
    if a.vlan is not None:
        frame += struct.pack("!HH", 0x8100, a.vlan)
    frame += struct.pack("!H", ethertype) + payload
    for _ in range(a.count):
        s.send(frame)


if __name__ == "__main__":
    main()
