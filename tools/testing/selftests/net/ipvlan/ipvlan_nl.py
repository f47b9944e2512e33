#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rtnetlink for the ipvlan selftests: the one codec, and a command line.

As a module (ipvlan_nl_fuzz.py imports it): encoders for attributes and
messages, an attribute parser, and Rtnl, a socket in a chosen namespace
whose request() returns the kernel's answer as (errno, extack message).

As a command: send one RTM_NEWLINK for an ipvlan slave with exactly the
attribute bytes asked for, and print the kernel's answer: "ok", or
"error <ERRNO-NAME>: <extack message>".  Exits 0 on ok, 1 on error.
"get" prints the slave's IFLA_IPVLAN_MODE and IFLA_IPVLAN_FLAGS instead.
With "-", the requests come one a line from standard input and the
answers one a line; exits 0 when every one was ok.

iproute2 cannot send out-of-range or wrongly sized IFLA_IPVLAN_* values;
this can.  Run it inside a namespace with "ip netns exec".

  ipvlan_nl.py new --link eth0 --name s0 [--mode 3] [--flags 0x4]
  ipvlan_nl.py set --name s0 --mode 1
  ipvlan_nl.py get --name s0            (prints "mode 1 flags 0x4")
  ipvlan_nl.py new --link eth0 --name s0 --data 1:0300 --data 9:00
  ipvlan_nl.py set --name s0 --kind "" --address 02:00:00:00:00:01
  ipvlan_nl.py set --name s0 --kind "" --master br0
  ipvlan_nl.py new --link s0 --name m0 --kind macvlan
  ipvlan_nl.py - <requests, one a line>
"""

import argparse
import errno
import os
import socket
import struct
import sys

# include/uapi/linux/netlink.h
NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 0x1, 0x2, 0x4, 0x8
NLM_F_DUMP = 0x300
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff
NLMSG_HDRLEN = 16

# include/uapi/linux/rtnetlink.h and if_link.h
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
IFINFO_LEN = 16
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK = 1, 3, 4, 5
IFLA_MASTER, IFLA_TXQLEN, IFLA_LINKINFO = 10, 13, 18
IFLA_NET_NS_PID, IFLA_IFALIAS, IFLA_NET_NS_FD = 19, 20, 28
IFLA_GROUP, IFLA_LINK_NETNSID = 27, 37
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_IPVLAN_MODE, IFLA_IPVLAN_FLAGS = 1, 2

CLONE_NEWNET = 0x40000000


# ---- encoders

def attr(kind, payload):
    """One attribute, padded to 4 bytes."""
    hdr = struct.pack("HH", 4 + len(payload), kind)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def u16(v):
    return struct.pack("H", v & 0xffff)


def u32(v):
    return struct.pack("I", v & 0xffffffff)


def s32(v):
    return struct.pack("i", v)


def strz(s):
    return s.encode() + b"\0"


def linkinfo(kind, data=None):
    """IFLA_LINKINFO with IFLA_INFO_KIND, and IFLA_INFO_DATA unless None."""
    info = attr(IFLA_INFO_KIND, strz(kind))
    if data is not None:
        info += attr(IFLA_INFO_DATA, data)
    return attr(IFLA_LINKINFO, info)


def nlmsg(kind, flags, body, seq):
    return struct.pack("IHHII", NLMSG_HDRLEN + len(body), kind, flags,
                       seq, 0) + body


def ifinfo(index=0, flags=0, change=0):
    """struct ifinfomsg, AF_UNSPEC."""
    return struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, flags, change)


# ---- decoders

def parse_attrs(buf):
    """{type: payload} of the attributes in BUF (the nested flag cleared)."""
    out = {}
    off = 0
    while off + 4 <= len(buf):
        alen, akind = struct.unpack("HH", buf[off:off + 4])
        if alen < 4:
            break
        out[akind & NLA_TYPE_MASK] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def messages(data):
    """(type, flags, seq, message) of each netlink message in DATA."""
    off = 0
    while off + NLMSG_HDRLEN <= len(data):
        length, mtype, mflags, seq, _ = struct.unpack(
            "IHHII", data[off:off + NLMSG_HDRLEN])
        if length < NLMSG_HDRLEN:
            raise OSError(errno.EPROTO, "bad netlink message length")
        yield mtype, mflags, seq, data[off:off + length]
        off += (length + 3) & ~3


def parse_error(msg, mflags):
    """(errno, extack message) of an NLMSG_ERROR: errno 0 for an ack."""
    err = -struct.unpack("i", msg[16:20])[0]
    if not mflags & NLM_F_ACK_TLVS:
        return err, ""
    orig_len = struct.unpack("I", msg[20:24])[0]
    start = 20 + (16 if mflags & NLM_F_CAPPED else (orig_len + 3) & ~3)
    text = parse_attrs(msg[start:]).get(NLMSGERR_ATTR_MSG, b"")
    return err, text.rstrip(b"\0").decode(errors="replace")


def errno_name(err):
    """ENOENT for 2; EOPNOTSUPP, not its alias ENOTSUP, for 95."""
    if err == errno.EOPNOTSUPP:
        return "EOPNOTSUPP"
    return errno.errorcode.get(err, str(err))


def link_kind(attrs):
    """IFLA_INFO_KIND of a link's attributes, "" when it has none."""
    info = parse_attrs(attrs.get(IFLA_LINKINFO, b""))
    return info.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()


# ---- the socket

def setns(fd):
    """Move this thread into the network namespace open at FD."""
    # imported here: the command line never needs it, and under UML the
    # import costs a tenth of a second at every start
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def route_socket(ns_path=None):
    """A NETLINK_ROUTE socket of the namespace at NS_PATH (None: ours)."""
    if ns_path is None:
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                             NETLINK_ROUTE)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(ns_path, os.O_RDONLY)
    try:
        setns(there)
        try:
            return route_socket()
        finally:
            setns(home)
    finally:
        os.close(there)
        os.close(home)


class Rtnl:
    """One rtnetlink socket with extended acks, opened in one namespace."""

    def __init__(self, ns_path=None, timeout=30):
        self.sock = route_socket(ns_path)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = 0

    def send(self, kind, flags, body):
        self.seq += 1
        self.sock.send(nlmsg(kind, flags | NLM_F_REQUEST, body, self.seq))

    def replies(self, bufsize=1 << 16):
        """(type, flags, message) of the answers to the last request."""
        while True:
            for mtype, mflags, seq, msg in messages(self.sock.recv(bufsize)):
                if seq == self.seq:
                    yield mtype, mflags, msg

    def request(self, kind, flags, body):
        """Returns (err, message): err 0 or a positive errno."""
        self.send(kind, flags | NLM_F_ACK, body)
        for mtype, mflags, msg in self.replies():
            if mtype == NLMSG_ERROR:
                return parse_error(msg, mflags)
        raise AssertionError("not reached")

    def getlink(self, name):
        """The attributes of link NAME."""
        self.send(RTM_GETLINK, 0, ifinfo() + attr(IFLA_IFNAME, strz(name)))
        for mtype, mflags, msg in self.replies():
            if mtype == NLMSG_ERROR:
                raise OSError(parse_error(msg, mflags)[0], "getlink " + name)
            if mtype == RTM_NEWLINK:
                return parse_attrs(msg[NLMSG_HDRLEN + IFINFO_LEN:])
        raise AssertionError("not reached")

    def links(self):
        """{name: (index, kind)} of every link in the namespace."""
        self.send(RTM_GETLINK, NLM_F_DUMP, ifinfo())
        out = {}
        for mtype, _, msg in self.replies(1 << 20):
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                return out
            if mtype != RTM_NEWLINK:
                continue
            index = struct.unpack("i", msg[20:24])[0]
            attrs = parse_attrs(msg[NLMSG_HDRLEN + IFINFO_LEN:])
            name = attrs.get(IFLA_IFNAME, b"?").rstrip(b"\0").decode()
            out[name] = (index, link_kind(attrs))
        raise AssertionError("not reached")

    def close(self):
        self.sock.close()


# ---- the command line

def link_index(link):
    if link.isdigit():
        return int(link)
    return socket.if_nametoindex(link)


def data_attrs(args):
    """IFLA_INFO_DATA's payload: --mode, --flags, then each --data."""
    out = b""
    if args.mode is not None:
        out += attr(IFLA_IPVLAN_MODE, u16(args.mode))
    if args.flags is not None:
        out += attr(IFLA_IPVLAN_FLAGS, u16(args.flags))
    for spec in args.data:
        kind, _, hexbytes = spec.partition(":")
        out += attr(int(kind, 0), bytes.fromhex(hexbytes))
    return out


def build(args):
    """(nlmsg flags, body) of the RTM_NEWLINK ARGS ask for."""
    flags = 0
    index = 0
    body = b""
    if args.op == "new":
        flags = NLM_F_CREATE | NLM_F_EXCL
        body += attr(IFLA_IFNAME, strz(args.name))
        if args.link is not None:
            body += attr(IFLA_LINK, u32(link_index(args.link)))
        if args.mtu is not None:
            body += attr(IFLA_MTU, u32(args.mtu))
    else:
        index = socket.if_nametoindex(args.name)
    if args.master is not None:
        body += attr(IFLA_MASTER, u32(link_index(args.master)))
    if args.address is not None:
        body += attr(IFLA_ADDRESS, bytes.fromhex(args.address.replace(":", "")))
    if args.kind:
        data = data_attrs(args)
        body += linkinfo(args.kind, data if data or args.empty_data else None)
    return flags, ifinfo(index) + body


def parse_args(argv):
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["new", "set", "get"])
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
    return p.parse_args(argv)


def port_of(name):
    """"mode M flags F" of ipvlan link NAME, as its IFLA_INFO_DATA says."""
    info = parse_attrs(Rtnl().getlink(name).get(IFLA_LINKINFO, b""))
    data = parse_attrs(info.get(IFLA_INFO_DATA, b""))
    mode, flags = (struct.unpack("H", data[a][:2])[0] if a in data else None
                   for a in (IFLA_IPVLAN_MODE, IFLA_IPVLAN_FLAGS))
    return "mode %s flags %s" % (mode, None if flags is None else hex(flags))


def answer(argv):
    """Send the request ARGV asks for; the kernel's answer as printed."""
    args = parse_args(argv)
    if args.op == "get":
        return port_of(args.name)
    flags, body = build(args)
    err, text = Rtnl().request(RTM_NEWLINK, flags, body)
    if err == 0:
        return "ok"
    return "error %s: %s" % (errno_name(err), text)


def main():
    # "-": one request a line on standard input, one answer a line, so
    # that a test pays for one Python start (most of a second under UML)
    if sys.argv[1:] == ["-"]:
        import shlex

        requests = [shlex.split(line) for line in sys.stdin if line.strip()]
    else:
        requests = [sys.argv[1:]]
    answers = [answer(argv) for argv in requests]
    print("\n".join(answers))
    return 0 if all(not a.startswith("error") for a in answers) else 1


if __name__ == "__main__":
    sys.exit(main())
