#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Act as a guest behind /dev/tapN: write an ARP request and an ICMP echo
request for a peer, and read the ARP reply and the echo reply.

  ipvtap_io.py /dev/tapN MAC GUEST_IP PEER_IP

Frames on a tap device carry a virtio_net_hdr in front by default.
Exits 0 when both replies came back, 1 otherwise.
"""

import os
import select
import socket
import struct
import sys
import time

VNET_HDR = bytes(10)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def arp_request(mac, sip, tip):
    eth = b"\xff" * 6 + mac + struct.pack("!H", 0x0806)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
    arp += mac + sip + b"\0" * 6 + tip
    return eth + arp


def echo_request(mac, peer_mac, sip, dip):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"ipvtap" * 8
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64,
                     1, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return peer_mac + mac + struct.pack("!H", 0x0800) + ip + icmp


def read_until(fd, match, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], end - time.time())
        if not r:
            break
        frame = os.read(fd, 65536)[len(VNET_HDR):]
        found = match(frame)
        if found is not None:
            return found
    return None


def main():
    path, mac, gip, pip = sys.argv[1:5]
    mac = bytes.fromhex(mac.replace(":", ""))
    gip = socket.inet_aton(gip)
    pip = socket.inet_aton(pip)
    fd = os.open(path, os.O_RDWR)

    def arp_reply(f):
        if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02" and \
                f[28:32] == pip and f[38:42] == gip:
            return f[22:28]
        return None

    peer_mac = None
    for _ in range(3):
        os.write(fd, VNET_HDR + arp_request(mac, gip, pip))
        peer_mac = read_until(fd, arp_reply, 2.0)
        if peer_mac:
            break
    if not peer_mac:
        print("no ARP reply from the peer")
        return 1

    def echo_reply(f):
        if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0 and \
                f[26:30] == pip:
            return True
        return None

    os.write(fd, VNET_HDR + echo_request(mac, peer_mac, gip, pip))
    if not read_until(fd, echo_reply):
        print("no echo reply from the peer")
        return 1
    print("ok: ARP and ICMP echo through", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
