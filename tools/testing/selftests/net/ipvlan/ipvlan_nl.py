#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one RTM_NEWLINK for an ipvlan slave with exactly the attribute
bytes asked for, and print the kernel's answer: "ok", or
"error <ERRNO-NAME>: <extack message>".  Exits 0 on ok, 1 on error.

iproute2 cannot send out-of-range or wrongly sized IFLA_IPVLAN_* values;
this can.  Run it inside a namespace with "ip netns exec".

  ipvlan_nl.py new --link eth0 --name s0 [--mode 3] [--flags 0x4]
  ipvlan_nl.py set --name s0 --mode 1
  ipvlan_nl.py new --link eth0 --name s0 --data 1:0300 --data 9:00
  ipvlan_nl.py set --name s0 --kind "" --address 02:00:00:00:00:01
  ipvlan_nl.py set --name s0 --kind "" --master br0
  ipvlan_nl.py new --link s0 --name m0 --kind macvlan
"""

import argparse
import errno
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11

RTM_NEWLINK = 16
NLMSG_ERROR = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1

IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_LINK = 5
IFLA_MTU = 4
IFLA_MASTER = 10
IFLA_LINKINFO = 18
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
IFLA_IPVLAN_MODE = 1
IFLA_IPVLAN_FLAGS = 2


def attr(kind, payload):
    hdr = struct.pack("HH", 4 + len(payload), kind)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def data_attrs(args):
    out = b""
    if args.mode is not None:
        out += attr(IFLA_IPVLAN_MODE, struct.pack("H", args.mode))
    if args.flags is not None:
        out += attr(IFLA_IPVLAN_FLAGS, struct.pack("H", args.flags))
    for spec in args.data:
        kind, _, hexbytes = spec.partition(":")
        out += attr(int(kind, 0), bytes.fromhex(hexbytes))
    return out


def build(args, seq):
    flags = NLM_F_REQUEST | NLM_F_ACK
    index = 0
    body = b""
    if args.op == "new":
        flags |= NLM_F_CREATE | NLM_F_EXCL
        body += attr(IFLA_IFNAME, args.name.encode() + b"\0")
        if args.link is not None:
            body += attr(IFLA_LINK, struct.pack("I", link_index(args.link)))
        if args.mtu is not None:
            body += attr(IFLA_MTU, struct.pack("I", args.mtu))
    else:
        index = socket.if_nametoindex(args.name)
    if args.master is not None:
        body += attr(IFLA_MASTER, struct.pack("I", link_index(args.master)))
    if args.address is not None:
        body += attr(IFLA_ADDRESS, bytes.fromhex(args.address.replace(":", "")))
    if args.kind:
        info = attr(IFLA_INFO_KIND, args.kind.encode() + b"\0")
        data = data_attrs(args)
        if data or args.empty_data:
            info += attr(IFLA_INFO_DATA, data)
        body += attr(IFLA_LINKINFO, info)
    ifi = struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, 0, 0)
    payload = ifi + body
    return struct.pack("IHHII", 16 + len(payload), RTM_NEWLINK, flags,
                       seq, 0) + payload


def link_index(link):
    if link.isdigit():
        return int(link)
    return socket.if_nametoindex(link)


def parse_ack(msg):
    length, kind, flags, _, _ = struct.unpack("IHHII", msg[:16])
    if kind != NLMSG_ERROR:
        return None, None
    err = struct.unpack("i", msg[16:20])[0]
    text = ""
    if flags & NLM_F_ACK_TLVS:
        orig_len = struct.unpack("I", msg[20:24])[0]
        off = 20 + (16 if flags & NLM_F_CAPPED else (orig_len + 3) & ~3)
        while off + 4 <= length:
            alen, akind = struct.unpack("HH", msg[off:off + 4])
            if alen < 4:
                break
            if akind == NLMSGERR_ATTR_MSG:
                text = msg[off + 4:off + alen].rstrip(b"\0").decode()
            off += (alen + 3) & ~3
    return err, text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["new", "set"])
    p.add_argument("--name", required=True)
    p.add_argument("--link")
    p.add_argument("--kind", default="ipvlan",
                   help='link kind; "" sends no IFLA_LINKINFO')
    p.add_argument("--address", help="IFLA_ADDRESS, as aa:bb:cc:dd:ee:ff")
    p.add_argument("--mtu", type=int)
    p.add_argument("--master", help="IFLA_MASTER: a bridge, bond...")
    p.add_argument("--mode", type=lambda v: int(v, 0))
    p.add_argument("--flags", type=lambda v: int(v, 0))
    p.add_argument("--data", action="append", default=[],
                   help="TYPE:HEX raw attribute inside IFLA_INFO_DATA")
    p.add_argument("--empty-data", action="store_true")
    args = p.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    sock.send(build(args, 1))
    err, text = parse_ack(sock.recv(65536))
    if err is None:
        print("error EPROTO: no ack")
        return 1
    if err == 0:
        print("ok")
        return 0
    name = errno.errorcode.get(-err, str(-err))
    if -err == errno.EOPNOTSUPP:
        name = "EOPNOTSUPP"  # not its alias ENOTSUP
    print("error %s: %s" % (name, text))
    return 1


if __name__ == "__main__":
    sys.exit(main())
