#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeded rtnetlink fuzzer for ipvlan and ipvtap links, printing KTAP.

Sends random valid and invalid RTM_NEWLINK (create and changelink) and
RTM_DELLINK requests: wrong sizes and values of IFLA_IPVLAN_MODE/FLAGS,
unknown and garbage attributes in IFLA_INFO_DATA, bad or missing IFLA_LINK,
loopback, non-Ethernet and busy masters, odd nlmsg flags, IFLA_MTU
extremes, IFLA_NET_NS_FD/PID/LINK_NETNSID to another namespace, colliding
names; then two processes race to create and delete the same slaves.

It checks that a refused create leaves no link behind, that invalid
requests are refused, that every refusal carries an errno and (for the
kinds the driver decides) an extack message, and that "ip -o link" in
every namespace is the same before and after.  It prints the figures: the
requests of each kind, the refusals without a message as distinct
(errno, kind) pairs, and the distinct messages.

  ipvlan_nl_fuzz.py [--seed N] [--count N] [--race N] [-v]

COUNT (default 1000) requests in the first phase, RACE (default 400)
requests per racing process.  Run as root; it makes its own namespaces.
IPVLAN=stock reports missing messages without failing on them.
"""

import argparse
import collections
import ctypes
import errno
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 0x1, 0x2, 0x4, 0x8
NLM_F_DUMP = 0x300
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSGERR_ATTR_MSG = 1

IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK = 1, 3, 4, 5
IFLA_MASTER, IFLA_TXQLEN, IFLA_LINKINFO = 10, 13, 18
IFLA_NET_NS_PID, IFLA_IFALIAS, IFLA_NET_NS_FD = 19, 20, 28
IFLA_GROUP, IFLA_LINK_NETNSID = 27, 37
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_IPVLAN_MODE, IFLA_IPVLAN_FLAGS = 1, 2
NLA_F_NESTED = 0x8000

# Kinds of request whose refusal the driver itself decides: each must carry
# an extack message (this project's improvement B.1).
DRIVER_KINDS = {
    "new_mode_value", "new_flags_value", "new_no_link", "new_bad_link",
    "new_lo_master", "new_nonether_master", "new_busy_master",
    "set_mode_value", "set_flags_value",
}
# Kinds that must never succeed.
MUST_FAIL = {
    "new_mode_value", "new_flags_value", "new_no_link", "new_bad_link",
    "new_lo_master", "new_nonether_master", "new_busy_master",
    "new_name_taken", "set_mode_value", "set_flags_value", "del_missing",
}

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def attr(kind, payload):
    hdr = struct.pack("HH", 4 + len(payload), kind)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def u16(v):
    return struct.pack("H", v & 0xffff)


def u32(v):
    return struct.pack("I", v & 0xffffffff)


def strz(s):
    return s.encode() + b"\0"


def nlmsg(kind, flags, body, seq):
    return struct.pack("IHHII", 16 + len(body), kind, flags, seq, 0) + body


def ifinfo(index=0, flags=0, change=0):
    return struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, flags, change)


def parse_attrs(buf):
    out = {}
    off = 0
    while off + 4 <= len(buf):
        alen, akind = struct.unpack("HH", buf[off:off + 4])
        if alen < 4:
            break
        out[akind & 0x3fff] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


class Rtnl:
    """One rtnetlink socket, opened in one namespace."""

    def __init__(self, ns_path):
        home = "/proc/self/ns/net"
        self.home_fd = os.open(home, os.O_RDONLY)
        setns(ns_path)
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        if libc.setns(self.home_fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(self.home_fd)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(30)
        self.seq = 0

    def request(self, kind, flags, body):
        """Returns (err, message): err 0 or a positive errno."""
        self.seq += 1
        self.sock.send(nlmsg(kind, flags | NLM_F_REQUEST | NLM_F_ACK, body,
                             self.seq))
        while True:
            data = self.sock.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                length, mtype, mflags, seq, _ = struct.unpack(
                    "IHHII", data[off:off + 16])
                if length < 16:
                    return errno.EPROTO, "bad netlink reply"
                msg = data[off:off + length]
                off += (length + 3) & ~3
                if mtype != NLMSG_ERROR or seq != self.seq:
                    continue
                err = -struct.unpack("i", msg[16:20])[0]
                text = ""
                if mflags & NLM_F_ACK_TLVS:
                    olen = struct.unpack("I", msg[20:24])[0]
                    start = 20 + (16 if mflags & NLM_F_CAPPED
                                  else (olen + 3) & ~3)
                    a = parse_attrs(msg[start:])
                    if NLMSGERR_ATTR_MSG in a:
                        text = a[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode(
                            errors="replace")
                return err, text

    def link_netnsid(self, name):
        self.seq += 1
        self.sock.send(nlmsg(RTM_GETLINK, NLM_F_REQUEST,
                             ifinfo() + attr(IFLA_IFNAME, strz(name)),
                             self.seq))
        msg = self.sock.recv(1 << 16)
        return struct.unpack("i", parse_attrs(msg[32:])[IFLA_LINK_NETNSID])[0]

    def links(self):
        """{name: (index, kind)} of every link in the namespace."""
        self.seq += 1
        self.sock.send(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP,
                             ifinfo(), self.seq))
        out = {}
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                length, mtype, _, seq, _ = struct.unpack(
                    "IHHII", data[off:off + 16])
                msg = data[off:off + length]
                off += (length + 3) & ~3
                if seq != self.seq:
                    continue
                if mtype in (NLMSG_DONE, NLMSG_ERROR):
                    return out
                if mtype != RTM_NEWLINK:
                    continue
                index = struct.unpack("i", msg[20:24])[0]
                a = parse_attrs(msg[32:])
                kind = ""
                if IFLA_LINKINFO in a:
                    li = parse_attrs(a[IFLA_LINKINFO])
                    kind = li.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()
                name = a.get(IFLA_IFNAME, b"?").rstrip(b"\0").decode()
                out[name] = (index, kind)


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout


class Env:
    """Two namespaces: A holds the masters, B is "elsewhere"."""

    def __init__(self, tag):
        self.a = "ipvl-nlfz-a-" + tag
        self.b = "ipvl-nlfz-b-" + tag
        for ns in (self.a, self.b):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        a = ["ip", "-n", self.a]
        sh(*a, "link", "add", "m0", "type", "veth", "peer", "name", "p0",
           "netns", self.b)
        sh(*a, "link", "add", "m1", "type", "veth", "peer", "name", "p1")
        sh(*a, "link", "add", "br0", "type", "bridge")
        sh(*a, "link", "add", "bp0", "type", "veth", "peer", "name", "bp1")
        sh(*a, "link", "set", "bp0", "master", "br0")
        sh(*a, "link", "add", "mv0", "link", "m1", "type", "macvlan")
        sh(*a, "link", "add", "d0", "type", "dummy")
        sh(*a, "tuntap", "add", "dev", "tun0", "mode", "tun")
        for dev in ("m0", "m1", "p1", "br0", "bp0", "bp1", "d0"):
            sh(*a, "link", "set", dev, "up")
        sh("ip", "-n", self.b, "link", "set", "p0", "up")
        # the id B knows A by (allocated for p0's link), for
        # IFLA_LINK_NETNSID
        self.nsid_a = Rtnl("/run/netns/" + self.b).link_netnsid("p0")
        # processes living in B and in A, for IFLA_NET_NS_PID
        self.helper = self.spawn_in(self.b)
        self.helper_a = self.spawn_in(self.a)
        self.nsfd_b = os.open("/run/netns/" + self.b, os.O_RDONLY)
        self.nsfd_a = os.open("/run/netns/" + self.a, os.O_RDONLY)
        self.devnull = os.open("/dev/null", os.O_RDONLY)

    @staticmethod
    def spawn_in(ns):
        proc = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "3600"])
        want = os.stat("/run/netns/" + ns).st_ino
        for _ in range(200):
            try:
                if os.stat("/proc/%d/ns/net" % proc.pid).st_ino == want:
                    return proc
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("helper did not enter " + ns)

    def snapshot(self):
        # Carrier comes up from the linkwatch work, some time after "ip link
        # set up" returns: wait until every device up has it, so that the
        # comparison sees what the requests did, not when linkwatch ran.
        for _ in range(100):
            links = {ns: sh("ip", "-n", ns, "-o", "link")
                     for ns in (self.a, self.b)}
            flags = re.findall(r"<([A-Z_,-]*)>", "".join(links.values()))
            if not any("UP" in f.split(",") and "NO-CARRIER" in f.split(",")
                       for f in flags):
                break
            time.sleep(0.1)
        return links

    def close(self):
        for proc in (self.helper, self.helper_a):
            proc.kill()
            proc.wait()
        for fd in (self.nsfd_a, self.nsfd_b, self.devnull):
            os.close(fd)
        for ns in (self.a, self.b):
            sh("ip", "netns", "del", ns, check=False)


NAMES = ["fz%d" % i for i in range(12)]


class Fuzzer:
    def __init__(self, env, rnd, verbose):
        self.env = env
        self.r = rnd
        self.verbose = verbose
        self.na = Rtnl("/run/netns/" + env.a)
        self.nb = Rtnl("/run/netns/" + env.b)
        self.sent = collections.Counter()
        self.ok = collections.Counter()
        self.nomsg = collections.Counter()
        self.msgs = collections.Counter()
        self.problems = []
        self.serial = 0
        self.refresh()
        self.fixed = {n: i for n, (i, k) in self.la.items()}

    def refresh(self):
        self.la = self.na.links()
        self.lb = self.nb.links()

    def fz_links(self):
        return ({n for n in self.la if n.startswith("fz")},
                {n for n in self.lb if n.startswith("fz")})

    def slaves(self):
        """(rtnl, name, index) of our live slaves."""
        out = []
        for nl, links in ((self.na, self.la), (self.nb, self.lb)):
            for n, (i, k) in links.items():
                if k in ("ipvlan", "ipvtap"):
                    out.append((nl, n, i))
        return out

    # ---- attribute makers
    def kind(self):
        return "ipvtap" if self.r.random() < 0.25 else "ipvlan"

    def linkinfo(self, kind, data):
        info = attr(IFLA_INFO_KIND, strz(kind))
        if data is not None:
            info += attr(IFLA_INFO_DATA, data)
        return attr(IFLA_LINKINFO, info)

    def valid_data(self):
        d = b""
        if self.r.random() < 0.8:
            d += attr(IFLA_IPVLAN_MODE, u16(self.r.randrange(3)))
        if self.r.random() < 0.6:
            d += attr(IFLA_IPVLAN_FLAGS, u16(self.r.randrange(3)))
        return d

    def name(self):
        """Mostly a name from a small pool (collisions happen), else a
        fresh one."""
        if self.r.random() < 0.5:
            return self.r.choice(NAMES)
        return self.fresh()

    def fresh(self):
        self.serial += 1
        return "fzq%d" % self.serial

    def link(self, name="m0"):
        return attr(IFLA_LINK, u32(self.fixed[name]))

    # ---- requests: each returns (kind, rtnl, msgtype, flags, body)
    def gen(self):
        r = self.r
        C = NLM_F_CREATE | NLM_F_EXCL
        na = self.na
        k = r.randrange(30)
        sl = self.slaves()
        if len(sl) > 24:    # keep the population bounded
            k = 26
        # invalid requests get a fresh name: refused for their own reason
        nm = attr(IFLA_IFNAME, strz(self.fresh()))
        if k < 6:
            master = r.choice(["m0", "m0", "m1", "br0", "d0"])
            nm = attr(IFLA_IFNAME, strz(self.name()))
            return ("new_ok", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link(master) +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 6:
            size = r.choice([0, 1, 3, 4, 8])
            return ("new_mode_size", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + self.linkinfo(
                        self.kind(), attr(IFLA_IPVLAN_MODE,
                                          bytes(r.randrange(256)
                                                for _ in range(size)))))
        if k == 7:
            mode = r.choice([3, 4, 255, 256, 0x8000, 0xffff,
                             r.randrange(3, 65536)])
            return ("new_mode_value", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + self.linkinfo(
                        self.kind(), attr(IFLA_IPVLAN_MODE, u16(mode))))
        if k == 8:
            flags = r.choice([3, 4, 7, 0x8000, 0xffff,
                              r.randrange(3, 65536)])
            return ("new_flags_value", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + self.linkinfo(
                        self.kind(), attr(IFLA_IPVLAN_FLAGS, u16(flags))))
        if k == 9:
            size = r.choice([0, 1, 3, 4, 16])
            return ("new_flags_size", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + self.linkinfo(
                        self.kind(), attr(IFLA_IPVLAN_FLAGS,
                                          bytes(r.randrange(256)
                                                for _ in range(size)))))
        if k == 10:
            data = self.valid_data()
            for _ in range(r.randrange(1, 4)):
                t = r.choice([0, 3, 4, 7, 31, 255, 0x3fff,
                              NLA_F_NESTED | 3, NLA_F_NESTED | 1])
                data += attr(t, bytes(r.randrange(256)
                                      for _ in range(r.randrange(9))))
            return ("new_unknown_data", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() +
                    self.linkinfo(self.kind(), data))
        if k == 11:
            garbage = bytes(r.randrange(256) for _ in range(r.randrange(1, 40)))
            if r.random() < 0.5:
                body = self.linkinfo(self.kind(), garbage)
                what = "new_garbage_data"
            else:
                body = attr(IFLA_LINKINFO, garbage if r.random() < 0.5 else
                            attr(IFLA_INFO_KIND, b"ipvlan") + garbage)
                what = "new_garbage_linkinfo"
            return (what, na, RTM_NEWLINK, C, ifinfo() + nm + self.link() + body)
        if k == 12:
            return ("new_no_link", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.linkinfo(self.kind(), self.valid_data()))
        if k == 13:
            idx = r.choice([0, 0x7fffffff, 0xffffffff, 99999,
                            self.fixed["p1"] + 1000])
            return ("new_bad_link", na, RTM_NEWLINK, C,
                    ifinfo() + nm + attr(IFLA_LINK, u32(idx)) +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 14:
            return ("new_lo_master", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link("lo") +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 15:
            return ("new_nonether_master", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link("tun0") +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 16:
            return ("new_busy_master", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link(r.choice(["bp0", "m1"])) +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 17:
            sl = self.slaves()
            if sl:
                nl, _, idx = r.choice(sl)
                return ("new_on_slave", nl, RTM_NEWLINK, C,
                        ifinfo() + nm + attr(IFLA_LINK, u32(idx)) +
                        self.linkinfo(self.kind(), self.valid_data()))
            return self.gen()
        if k == 18:
            mtu = r.choice([0, 1, 67, 68, 576, 1279, 1280, 1500, 1501, 9000,
                            65535, 65536, 0x7fffffff, 0xffffffff])
            return ("new_mtu", na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + attr(IFLA_MTU, u32(mtu)) +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 19:
            what, extra = r.choice([
                ("new_netns_fd", attr(IFLA_NET_NS_FD, u32(self.env.nsfd_b))),
                ("new_netns_fd", attr(IFLA_NET_NS_FD, u32(self.env.nsfd_a))),
                ("new_netns_badfd", attr(IFLA_NET_NS_FD, u32(self.env.devnull))),
                ("new_netns_badfd", attr(IFLA_NET_NS_FD, u32(0xffffffff))),
                ("new_netns_pid", attr(IFLA_NET_NS_PID, u32(self.env.helper.pid))),
                ("new_netns_pid", attr(IFLA_NET_NS_PID, u32(self.env.helper_a.pid))),
                ("new_netns_badpid", attr(IFLA_NET_NS_PID, u32(0x3fffffff))),
            ])
            return (what, na, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link() + extra +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 20:
            # from B, a master in A named by IFLA_LINK_NETNSID
            nsid = r.choice([self.env.nsid_a] * 3 + [99, -1])
            return ("new_link_netnsid", self.nb, RTM_NEWLINK, C,
                    ifinfo() + nm + self.link(r.choice(["m0", "m0", "lo"])) +
                    attr(IFLA_LINK_NETNSID, struct.pack("i", nsid)) +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 21:
            name = r.choice([b"m0\0", b"lo\0", b"br0\0"])
            what = "new_name_taken"
            if r.random() < 0.5:
                what = "new_name_odd"
                name = r.choice([b"\0", b"fz%d\0", b"a" * 16 + b"\0",
                                 b"fz/x\0", b"fz:0\0", b".\0", b"fz 0\0",
                                 b"fz%d%d\0", b"fz0"])
            return (what, na, RTM_NEWLINK, C,
                    ifinfo() + attr(IFLA_IFNAME, name) + self.link() +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k == 22:
            flags = r.choice([0, NLM_F_CREATE, NLM_F_REPLACE | NLM_F_CREATE,
                              NLM_F_EXCL, NLM_F_ECHO | C, NLM_F_REPLACE])
            return ("new_nlm_flags", na, RTM_NEWLINK, flags,
                    ifinfo() + nm + self.link() +
                    self.linkinfo(self.kind(), self.valid_data()))
        if k in (23, 24, 25, 26) and sl:
            nl, name, idx = r.choice(sl)
            kind = (self.la if nl is self.na else self.lb)[name][1]
            if r.random() < 0.1:
                kind = "ipvtap" if kind == "ipvlan" else "ipvlan"
            if k == 23:
                what, data = "set_mode", self.valid_data()
                if r.random() < 0.3:
                    what = "set_mode_value"
                    data = attr(IFLA_IPVLAN_MODE, u16(r.randrange(3, 65536)))
                elif r.random() < 0.3:
                    what = "set_flags_value"
                    data = attr(IFLA_IPVLAN_FLAGS,
                                u16(r.choice([3, 4, r.randrange(3, 65536)])))
                if r.random() < 0.5:   # by name instead of by index
                    return (what, nl, RTM_NEWLINK, 0,
                            ifinfo() + attr(IFLA_IFNAME, strz(name)) +
                            self.linkinfo(kind, data))
                return (what, nl, RTM_NEWLINK, 0,
                        ifinfo(idx) + self.linkinfo(kind, data))
            if k == 24:
                what, extra = r.choice([
                    ("set_mtu", attr(IFLA_MTU, u32(r.choice(
                        [0, 67, 68, 1500, 1501, 65535, 0xffffffff])))),
                    ("set_address", attr(IFLA_ADDRESS, bytes(
                        r.randrange(256) for _ in range(6)))),
                    ("set_address", attr(IFLA_ADDRESS, b"\x01\x02")),
                    ("set_master", attr(IFLA_MASTER, u32(self.fixed["br0"]))),
                    ("set_master", attr(IFLA_MASTER, u32(self.fixed["m1"]))),
                    ("set_txqlen", attr(IFLA_TXQLEN, u32(r.randrange(1 << 32)))),
                    ("set_link", attr(IFLA_LINK, u32(self.fixed["m1"]))),
                ])
                return (what, nl, RTM_NEWLINK, 0,
                        ifinfo(idx, r.choice([0, 1]), r.choice([0, 1])) +
                        extra)
            if k == 25:
                fd = self.env.nsfd_b if nl is self.na else self.env.nsfd_a
                return ("set_netns", nl, RTM_NEWLINK, 0,
                        ifinfo(idx) + attr(IFLA_NET_NS_FD, u32(fd)))
            return ("del_ok", nl, RTM_DELLINK, 0, ifinfo(idx))
        if k == 27:
            # the master's peer: deleting the veth peer in B would take m0
            # with it, so aim at devices that do not exist
            if r.random() < 0.5:
                return ("del_missing", na, RTM_DELLINK, 0,
                        ifinfo(self.fixed["p1"] + 5000 + r.randrange(100)))
            return ("del_missing", na, RTM_DELLINK, 0,
                    ifinfo() + attr(IFLA_IFNAME, b"fzmissing\0"))
        if k == 28:
            return ("set_wrong_kind", na, RTM_NEWLINK, 0,
                    ifinfo(self.fixed[r.choice(["m0", "d0", "lo", "br0"])]) +
                    self.linkinfo(self.kind(), self.valid_data()))
        return ("del_by_kind", na, RTM_DELLINK, 0,
                ifinfo() + attr(IFLA_IFNAME, strz(self.name())) +
                self.linkinfo("ipvlan", None))

    def one(self):
        what, nl, mtype, flags, body = self.gen()
        before = self.fz_links()
        err, text = nl.request(mtype, flags, body)
        self.sent[what] += 1
        if err == 0:
            self.ok[what] += 1
            if what in MUST_FAIL:
                self.problems.append("%s succeeded" % what)
            self.refresh()
            return
        name = errno.errorcode.get(err, str(err))
        if text:
            self.msgs[(name, what, text)] += 1
        else:
            self.nomsg[(name, what)] += 1
        if self.verbose:
            print("# %s: %s %s" % (what, name, text))
        if mtype == RTM_NEWLINK:
            self.refresh()
            after = self.fz_links()
            if after != before:
                self.problems.append("refused %s (%s) changed the links: "
                                     "%s -> %s" % (what, name, before, after))

    def cleanup(self):
        self.refresh()
        for nl, links in ((self.na, self.la), (self.nb, self.lb)):
            for n, (i, k) in links.items():
                if n.startswith("fz"):
                    nl.request(RTM_DELLINK, 0, ifinfo(i))


def racer(env, seed, count, out_fd):
    """Create, change and delete the same few slaves as fast as possible."""
    r = random.Random(seed)
    nl = Rtnl("/run/netns/" + env.a)
    m0 = nl.links()["m0"][0]
    stats = collections.Counter()
    for _ in range(count):
        name = strz("fzr%d" % r.randrange(4))
        op = r.randrange(3)
        if op == 0:
            data = attr(IFLA_IPVLAN_MODE, u16(r.randrange(3)))
            body = (ifinfo() + attr(IFLA_IFNAME, name) + attr(IFLA_LINK, u32(m0)) +
                    attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"ipvlan\0") +
                         attr(IFLA_INFO_DATA, data)))
            err, text = nl.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
            what = "race_new"
        elif op == 1:
            data = attr(IFLA_IPVLAN_MODE, u16(r.randrange(3))) + \
                attr(IFLA_IPVLAN_FLAGS, u16(r.randrange(3)))
            body = (ifinfo() + attr(IFLA_IFNAME, name) +
                    attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"ipvlan\0") +
                         attr(IFLA_INFO_DATA, data)))
            err, text = nl.request(RTM_NEWLINK, 0, body)
            what = "race_set"
        else:
            err, text = nl.request(RTM_DELLINK, 0,
                                   ifinfo() + attr(IFLA_IFNAME, name))
            what = "race_del"
        en = "ok" if err == 0 else errno.errorcode.get(err, str(err))
        stats["%s %s %s" % (what, en, "msg" if text else "nomsg")] += 1
    os.write(out_fd, repr(dict(stats)).encode())
    os.close(out_fd)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 1)))
    p.add_argument("--count", type=int,
                   default=int(os.environ.get("NL_REQUESTS", 1000)))
    p.add_argument("--race", type=int,
                   default=int(os.environ.get("NL_RACE", 400)))
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    stock = os.environ.get("IPVLAN", "ours") == "stock"

    if os.geteuid() != 0:
        print("TAP version 13\n1..0 # SKIP needs root")
        return 4
    print("TAP version 13")
    print("1..4")
    tag = "%d-%d" % (os.getpid(), args.seed)
    env = Env(tag)
    start = time.time()
    failed = 0
    try:
        before = env.snapshot()
        fz = Fuzzer(env, random.Random(args.seed), args.verbose)
        for _ in range(args.count):
            fz.one()
        fz.cleanup()

        total = sum(fz.sent.values())
        refused = total - sum(fz.ok.values())
        nomsg = sum(fz.nomsg.values())
        print("# seed %d: %d requests, %d ok, %d refused (%d without a "
              "message) in %.1f s" % (args.seed, total, sum(fz.ok.values()),
                                      refused, nomsg, time.time() - start))
        for what in sorted(fz.sent):
            print("#   %-22s sent %6d ok %6d" % (what, fz.sent[what],
                                                  fz.ok[what]))
        print("# refusals without an extack message (errno, request kind):")
        for (en, what), n in sorted(fz.nomsg.items()):
            mark = " <- driver's" if what in DRIVER_KINDS else ""
            print("#   (%s, %s): %d%s" % (en, what, n, mark))
        print("# refusals with a message (errno, request kind, message):")
        for (en, what, text), n in sorted(fz.msgs.items()):
            print("#   (%s, %s) \"%s\": %d" % (en, what, text, n))

        bad = [x for x in fz.nomsg if x[1] in DRIVER_KINDS]
        for x in fz.problems[:20]:
            print("# " + x)
        if fz.problems:
            print("not ok 1 nl_fuzz_refusals_are_clean")
            failed += 1
        else:
            print("ok 1 nl_fuzz_refusals_are_clean")
        if bad and not stock:
            print("# driver refusals without a message: %s" % bad)
            print("not ok 2 nl_fuzz_driver_refusals_have_extack")
            failed += 1
        elif bad:
            print("ok 2 nl_fuzz_driver_refusals_have_extack # SKIP "
                  "improvement over stock ipvlan (stock: %d without)" % len(bad))
        else:
            print("ok 2 nl_fuzz_driver_refusals_have_extack")

        # two processes racing on the same names
        rstart = time.time()
        pids = []
        fds = []
        for i in range(2):
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(rfd)
                try:
                    racer(env, args.seed * 100 + i, args.race, wfd)
                finally:
                    os._exit(0)
            os.close(wfd)
            pids.append(pid)
            fds.append(rfd)
        stats = collections.Counter()
        for pid, rfd in zip(pids, fds):
            data = b""
            while True:
                chunk = os.read(rfd, 65536)
                if not chunk:
                    break
                data += chunk
            os.close(rfd)
            os.waitpid(pid, 0)
            if data:
                stats.update(eval(data.decode()))
        fz.cleanup()
        print("# race: 2 x %d requests in %.1f s" % (args.race,
                                                    time.time() - rstart))
        for key in sorted(stats):
            print("#   %-34s %d" % (key, stats[key]))
        if sum(stats.values()) == 2 * args.race:
            print("ok 3 nl_fuzz_races")
        else:
            print("not ok 3 nl_fuzz_races")
            failed += 1

        after = env.snapshot()
        same = True
        for ns in before:
            if before[ns] != after[ns]:
                same = False
                print("# links in %s before:\n#  %s\n# after:\n#  %s" % (
                    ns, before[ns].replace("\n", "\n#  "),
                    after[ns].replace("\n", "\n#  ")))
        if same:
            print("ok 4 nl_fuzz_link_list_unchanged")
        else:
            print("not ok 4 nl_fuzz_link_list_unchanged")
            failed += 1
    finally:
        env.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
