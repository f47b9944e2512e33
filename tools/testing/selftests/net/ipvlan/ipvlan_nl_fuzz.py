#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeded rtnetlink fuzzer for ipvlan and ipvtap links, printing KTAP.

Sends random valid and invalid RTM_NEWLINK (create and changelink) and
RTM_DELLINK requests: wrong sizes and values of IFLA_IPVLAN_MODE/FLAGS,
unknown and garbage attributes in IFLA_INFO_DATA, bad or missing IFLA_LINK,
loopback, non-Ethernet and busy masters, odd nlmsg flags, IFLA_MTU
extremes, IFLA_NET_NS_FD/PID/LINK_NETNSID to another namespace, colliding
names; then two processes race to create and delete the same slaves.
REQUESTS, at the end of the Fuzzer, lists every kind of request.

It checks that a refused create leaves no link behind, that invalid
requests are refused, that every refusal carries an errno and (for the
kinds the driver decides) an extack message, and that "ip -o link" in
every namespace is the same before and after.  It prints the figures: the
requests of each kind, the refusals without a message as distinct
(errno, kind) pairs, and the distinct messages.

    +---------------- ipvl-nlfz-a-TAG ----------------+  +- ipvl-nlfz-b-TAG -+
    |  m0 (veth) ------------------------------------------- p0              |
    |  m1 (veth) -- p1    mv0 (macvlan on m1)          |  |  fz* slaves made  |
    |  br0 (bridge) -- bp0 (veth) -- bp1               |  |  here or moved    |
    |  d0 (dummy)   tun0 (tun)    fz* slaves           |  |  here             |
    +--------------------------------------------------+  +-------------------+

  ipvlan_nl_fuzz.py [--seed N] [--count N] [--race N] [-v]

COUNT (default 1000, or NL_REQUESTS) requests in the first phase, RACE
(default 400, or NL_RACE) requests per racing process.  Run as root; it
makes its own namespaces.  IPVLAN=stock reports missing messages without
failing on them.
"""

import argparse
import collections
import json
import os
import random
import re
import struct
import subprocess
import sys
import time
import traceback

from ipvlan_nl import (
    IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_IPVLAN_FLAGS,
    IFLA_IPVLAN_MODE, IFLA_LINK, IFLA_LINKINFO, IFLA_LINK_NETNSID,
    IFLA_MASTER, IFLA_MTU, IFLA_NET_NS_FD, IFLA_NET_NS_PID, IFLA_TXQLEN,
    NLA_F_NESTED, NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, NLM_F_REPLACE,
    RTM_DELLINK, RTM_NEWLINK, Rtnl, attr, errno_name, ifinfo, linkinfo,
    s32, strz, u16, u32)

# Kinds of request whose refusal the driver itself decides: each must carry
# an extack message (this project's improvement B.1).
DRIVER_KINDS = {
    "new_mode_value", "new_flags_value", "new_no_link", "new_bad_link",
    "new_lo_master", "new_nonether_master", "new_busy_master",
    "set_mode_value", "set_flags_value",
}
# Kinds that must never succeed.
MUST_FAIL = DRIVER_KINDS | {"new_name_taken", "del_missing"}

CREATE = NLM_F_CREATE | NLM_F_EXCL
# the pool of names valid creates take theirs from: collisions happen
NAMES = ["fz%d" % i for i in range(12)]
# more live slaves than this, and the next request deletes one
MAX_SLAVES = 24

Request = collections.namedtuple("Request", "what nl mtype flags body")


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout


def netns(name):
    return "/run/netns/" + name


class Env:
    """Two namespaces: A holds the masters, B is "elsewhere"."""

    def __init__(self, tag):
        self.a = "ipvl-nlfz-a-" + tag
        self.b = "ipvl-nlfz-b-" + tag
        for ns in (self.a, self.b):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.add_links()
        # the id B knows A by (allocated for p0's link), for
        # IFLA_LINK_NETNSID
        nl = Rtnl(netns(self.b))
        self.nsid_a = struct.unpack("i", nl.getlink("p0")[IFLA_LINK_NETNSID])[0]
        nl.close()
        # processes living in B and in A, for IFLA_NET_NS_PID
        self.helper = self.spawn_in(self.b)
        self.helper_a = self.spawn_in(self.a)
        self.nsfd_b = os.open(netns(self.b), os.O_RDONLY)
        self.nsfd_a = os.open(netns(self.a), os.O_RDONLY)
        self.devnull = os.open("/dev/null", os.O_RDONLY)

    def add_links(self):
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

    @staticmethod
    def spawn_in(ns):
        proc = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "3600"])
        want = os.stat(netns(ns)).st_ino
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


class Fuzzer:
    """Makes random requests (REQUESTS) and keeps the figures of their
    answers."""

    def __init__(self, env, rnd, verbose):
        self.env = env
        self.r = rnd
        self.verbose = verbose
        self.na = Rtnl(netns(env.a))
        self.nb = Rtnl(netns(env.b))
        self.sent = collections.Counter()
        self.ok = collections.Counter()
        self.nomsg = collections.Counter()
        self.msgs = collections.Counter()
        self.problems = []
        self.serial = 0
        self.table = [gen for weight, gen in REQUESTS for _ in range(weight)]
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

    def rbytes(self, n):
        return bytes(self.r.randrange(256) for _ in range(n))

    def valid_data(self):
        d = b""
        if self.r.random() < 0.8:
            d += attr(IFLA_IPVLAN_MODE, u16(self.r.randrange(3)))
        if self.r.random() < 0.6:
            # now and then host reach (4), alone or with private: its
            # hooks come and go with the ports (stock refuses it)
            d += attr(IFLA_IPVLAN_FLAGS,
                      u16(self.r.choice([0, 1, 2, 0, 1, 2, 4, 5])))
        return d

    def valid_info(self):
        kind = self.kind()
        return linkinfo(kind, self.valid_data())

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

    def target(self):
        """(rtnl, name, index, kind) of a live slave, one time in ten with
        the other kind than its own; None when there is no slave."""
        sl = self.slaves()
        if not sl:
            return None
        nl, name, idx = self.r.choice(sl)
        kind = (self.la if nl is self.na else self.lb)[name][1]
        if self.r.random() < 0.1:
            kind = "ipvtap" if kind == "ipvlan" else "ipvlan"
        return nl, name, idx, kind

    # ---- requests: each takes a fresh IFLA_IFNAME, returns a Request
    def new(self, what, nm, extra, info=None, nl=None, flags=CREATE):
        """Create NM with EXTRA and INFO (default: a valid IFLA_LINKINFO)."""
        if info is None:
            info = self.valid_info()
        return Request(what, nl or self.na, RTM_NEWLINK, flags,
                       ifinfo() + nm + extra + info)

    def new_ok(self, nm):
        master = self.r.choice(["m0", "m0", "m1", "br0", "d0"])
        nm = attr(IFLA_IFNAME, strz(self.name()))
        return self.new("new_ok", nm, self.link(master))

    def sized(self, what, nm, atype, sizes):
        """ATYPE with a payload of a random size out of SIZES."""
        size = self.r.choice(sizes)
        kind = self.kind()
        return self.new(what, nm, self.link(),
                        linkinfo(kind, attr(atype, self.rbytes(size))))

    def bad_u16(self, values, valid=()):
        """A u16 out of VALUES or anything from 3 up, but not in VALID."""
        value = self.r.choice(values + [self.r.randrange(3, 65536)])
        while value in valid:
            value = self.r.randrange(3, 65536)
        return value

    def valued(self, what, nm, atype, values, valid=()):
        """ATYPE as a u16 out of VALUES or anything from 3 up, not VALID."""
        value = self.bad_u16(values, valid)
        return self.new(what, nm, self.link(),
                        linkinfo(self.kind(), attr(atype, u16(value))))

    def new_mode_size(self, nm):
        return self.sized("new_mode_size", nm, IFLA_IPVLAN_MODE,
                          [0, 1, 3, 4, 8])

    def new_mode_value(self, nm):
        return self.valued("new_mode_value", nm, IFLA_IPVLAN_MODE,
                           [3, 4, 255, 256, 0x8000, 0xffff])

    def new_flags_value(self, nm):
        # 4 and 5: host reach, alone or with private (this project's)
        return self.valued("new_flags_value", nm, IFLA_IPVLAN_FLAGS,
                           [3, 6, 7, 8, 0x8000, 0xffff], valid=(4, 5))

    def new_flags_size(self, nm):
        return self.sized("new_flags_size", nm, IFLA_IPVLAN_FLAGS,
                          [0, 1, 3, 4, 16])

    def new_unknown_data(self, nm):
        data = self.valid_data()
        for _ in range(self.r.randrange(1, 4)):
            atype = self.r.choice([0, 3, 4, 7, 31, 255, 0x3fff,
                                   NLA_F_NESTED | 3, NLA_F_NESTED | 1])
            data += attr(atype, self.rbytes(self.r.randrange(9)))
        return self.new("new_unknown_data", nm, self.link(),
                        linkinfo(self.kind(), data))

    def new_garbage(self, nm):
        """Garbage as IFLA_INFO_DATA, or as IFLA_LINKINFO after a kind or
        without one."""
        garbage = self.rbytes(self.r.randrange(1, 40))
        if self.r.random() < 0.5:
            return self.new("new_garbage_data", nm, self.link(),
                            linkinfo(self.kind(), garbage))
        if self.r.random() >= 0.5:
            garbage = attr(IFLA_INFO_KIND, b"ipvlan") + garbage
        return self.new("new_garbage_linkinfo", nm, self.link(),
                        attr(IFLA_LINKINFO, garbage))

    def new_no_link(self, nm):
        return self.new("new_no_link", nm, b"")

    def new_bad_link(self, nm):
        idx = self.r.choice([0, 0x7fffffff, 0xffffffff, 99999,
                             self.fixed["p1"] + 1000])
        return self.new("new_bad_link", nm, attr(IFLA_LINK, u32(idx)))

    def new_lo_master(self, nm):
        return self.new("new_lo_master", nm, self.link("lo"))

    def new_nonether_master(self, nm):
        return self.new("new_nonether_master", nm, self.link("tun0"))

    def new_busy_master(self, nm):
        """A bridge port, a macvlan's master."""
        return self.new("new_busy_master", nm,
                        self.link(self.r.choice(["bp0", "m1"])))

    def new_on_slave(self, nm):
        """A slave as the master, in the slave's namespace."""
        sl = self.slaves()
        if not sl:
            return self.gen()
        nl, _, idx = self.r.choice(sl)
        return self.new("new_on_slave", nm, attr(IFLA_LINK, u32(idx)), nl=nl)

    def new_mtu(self, nm):
        mtu = self.r.choice([0, 1, 67, 68, 576, 1279, 1280, 1500, 1501, 9000,
                             65535, 65536, 0x7fffffff, 0xffffffff])
        return self.new("new_mtu", nm, self.link() + attr(IFLA_MTU, u32(mtu)))

    def new_netns(self, nm):
        """Created into B or A by fd or pid, or a bad fd or pid."""
        env = self.env
        what, extra = self.r.choice([
            ("new_netns_fd", attr(IFLA_NET_NS_FD, u32(env.nsfd_b))),
            ("new_netns_fd", attr(IFLA_NET_NS_FD, u32(env.nsfd_a))),
            ("new_netns_badfd", attr(IFLA_NET_NS_FD, u32(env.devnull))),
            ("new_netns_badfd", attr(IFLA_NET_NS_FD, u32(0xffffffff))),
            ("new_netns_pid", attr(IFLA_NET_NS_PID, u32(env.helper.pid))),
            ("new_netns_pid", attr(IFLA_NET_NS_PID, u32(env.helper_a.pid))),
            ("new_netns_badpid", attr(IFLA_NET_NS_PID, u32(0x3fffffff))),
        ])
        return self.new(what, nm, self.link() + extra)

    def new_link_netnsid(self, nm):
        """From B, a master in A named by IFLA_LINK_NETNSID."""
        nsid = self.r.choice([self.env.nsid_a] * 3 + [99, -1])
        master = self.link(self.r.choice(["m0", "m0", "lo"]))
        return self.new("new_link_netnsid", nm,
                        master + attr(IFLA_LINK_NETNSID, s32(nsid)),
                        nl=self.nb)

    def new_name(self, nm):
        """A name taken, or an odd one (empty, a format, too long...)."""
        name = self.r.choice([b"m0\0", b"lo\0", b"br0\0"])
        what = "new_name_taken"
        if self.r.random() < 0.5:
            what = "new_name_odd"
            name = self.r.choice([b"\0", b"fz%d\0", b"a" * 16 + b"\0",
                                  b"fz/x\0", b"fz:0\0", b".\0", b"fz 0\0",
                                  b"fz%d%d\0", b"fz0"])
        return self.new(what, attr(IFLA_IFNAME, name), self.link())

    def new_nlm_flags(self, nm):
        flags = self.r.choice([0, NLM_F_CREATE, NLM_F_REPLACE | NLM_F_CREATE,
                               NLM_F_EXCL, NLM_F_ECHO | CREATE, NLM_F_REPLACE])
        return self.new("new_nlm_flags", nm, self.link(), flags=flags)

    def set_mode(self, nm):
        """Changelink of mode and flags, valid or not, by index or name."""
        t = self.target()
        if t is None:
            return self.del_by_kind(nm)
        nl, name, idx, kind = t
        what, data = "set_mode", self.valid_data()
        if self.r.random() < 0.3:
            what = "set_mode_value"
            data = attr(IFLA_IPVLAN_MODE, u16(self.r.randrange(3, 65536)))
        elif self.r.random() < 0.3:
            what = "set_flags_value"
            data = attr(IFLA_IPVLAN_FLAGS, u16(self.bad_u16([3, 6, 8],
                                                            valid=(4, 5))))
        head = ifinfo(idx)
        if self.r.random() < 0.5:
            head = ifinfo() + attr(IFLA_IFNAME, strz(name))
        return Request(what, nl, RTM_NEWLINK, 0, head + linkinfo(kind, data))

    def set_attr(self, nm):
        """Changelink of a device attribute, and random IFF_UP."""
        t = self.target()
        if t is None:
            return self.del_by_kind(nm)
        nl, _, idx, _ = t
        r, fixed = self.r, self.fixed
        mtu = r.choice([0, 67, 68, 1500, 1501, 65535, 0xffffffff])
        what, extra = r.choice([
            ("set_mtu", attr(IFLA_MTU, u32(mtu))),
            ("set_address", attr(IFLA_ADDRESS, self.rbytes(6))),
            ("set_address", attr(IFLA_ADDRESS, b"\x01\x02")),
            ("set_master", attr(IFLA_MASTER, u32(fixed["br0"]))),
            ("set_master", attr(IFLA_MASTER, u32(fixed["m1"]))),
            ("set_txqlen", attr(IFLA_TXQLEN, u32(r.randrange(1 << 32)))),
            ("set_link", attr(IFLA_LINK, u32(fixed["m1"]))),
        ])
        head = ifinfo(idx, r.choice([0, 1]), r.choice([0, 1]))
        return Request(what, nl, RTM_NEWLINK, 0, head + extra)

    def set_netns(self, nm):
        """A slave moved to the other namespace."""
        t = self.target()
        if t is None:
            return self.del_by_kind(nm)
        nl, _, idx, _ = t
        fd = self.env.nsfd_b if nl is self.na else self.env.nsfd_a
        return Request("set_netns", nl, RTM_NEWLINK, 0,
                       ifinfo(idx) + attr(IFLA_NET_NS_FD, u32(fd)))

    def del_ok(self, nm):
        t = self.target()
        if t is None:
            return self.del_by_kind(nm)
        nl, _, idx, _ = t
        return Request("del_ok", nl, RTM_DELLINK, 0, ifinfo(idx))

    def del_missing(self, nm):
        """Devices that do not exist (deleting the veth peer in B would
        take m0 with it)."""
        if self.r.random() < 0.5:
            idx = self.fixed["p1"] + 5000 + self.r.randrange(100)
            return Request("del_missing", self.na, RTM_DELLINK, 0,
                           ifinfo(idx))
        return Request("del_missing", self.na, RTM_DELLINK, 0,
                       ifinfo() + attr(IFLA_IFNAME, b"fzmissing\0"))

    def set_wrong_kind(self, nm):
        """An ipvlan changelink of a device of another kind."""
        idx = self.fixed[self.r.choice(["m0", "d0", "lo", "br0"])]
        return Request("set_wrong_kind", self.na, RTM_NEWLINK, 0,
                       ifinfo(idx) + self.valid_info())

    def del_by_kind(self, nm):
        body = ifinfo() + attr(IFLA_IFNAME, strz(self.name()))
        return Request("del_by_kind", self.na, RTM_DELLINK, 0,
                       body + linkinfo("ipvlan"))

    def gen(self):
        """A request of a kind picked from REQUESTS by weight."""
        pick = self.table[self.r.randrange(len(self.table))]
        if len(self.slaves()) > MAX_SLAVES:
            pick = Fuzzer.del_ok
        # invalid requests get a fresh name: refused for their own reason
        return pick(self, attr(IFLA_IFNAME, strz(self.fresh())))

    # ---- sending, and the figures
    def one(self):
        req = self.gen()
        before = self.fz_links()
        err, text = req.nl.request(req.mtype, req.flags, req.body)
        self.sent[req.what] += 1
        if err == 0:
            self.ok[req.what] += 1
            if req.what in MUST_FAIL:
                self.problems.append("%s succeeded" % req.what)
            self.refresh()
            return
        name = errno_name(err)
        if text:
            self.msgs[(name, req.what, text)] += 1
        else:
            self.nomsg[(name, req.what)] += 1
        if self.verbose:
            print("# %s: %s %s" % (req.what, name, text))
        if req.mtype == RTM_NEWLINK:
            self.refresh()
            after = self.fz_links()
            if after != before:
                self.problems.append("refused %s (%s) changed the links: "
                                     "%s -> %s" % (req.what, name, before,
                                                   after))

    def cleanup(self):
        self.refresh()
        for nl, links in ((self.na, self.la), (self.nb, self.lb)):
            for n, (i, k) in links.items():
                if n.startswith("fz"):
                    nl.request(RTM_DELLINK, 0, ifinfo(i))

    def report(self, seed, seconds):
        total = sum(self.sent.values())
        ok = sum(self.ok.values())
        print("# seed %d: %d requests, %d ok, %d refused (%d without a "
              "message) in %.1f s" % (seed, total, ok, total - ok,
                                      sum(self.nomsg.values()), seconds))
        for what in sorted(self.sent):
            sent, ok = self.sent[what], self.ok[what]
            print("#   %-22s sent %6d ok %6d" % (what, sent, ok))
        print("# refusals without an extack message (errno, request kind):")
        for (en, what), n in sorted(self.nomsg.items()):
            mark = " <- driver's" if what in DRIVER_KINDS else ""
            print("#   (%s, %s): %d%s" % (en, what, n, mark))
        print("# refusals with a message (errno, request kind, message):")
        for (en, what, text), n in sorted(self.msgs.items()):
            print("#   (%s, %s) \"%s\": %d" % (en, what, text, n))

    def close(self):
        self.na.close()
        self.nb.close()


# Every kind of request, with its weight out of the sum: gen() picks one
# in proportion.  A request on a live slave with none alive is a
# del_by_kind instead, a create on a slave another pick.
REQUESTS = [
    (6, Fuzzer.new_ok),
    (1, Fuzzer.new_mode_size),
    (1, Fuzzer.new_mode_value),
    (1, Fuzzer.new_flags_value),
    (1, Fuzzer.new_flags_size),
    (1, Fuzzer.new_unknown_data),
    (1, Fuzzer.new_garbage),
    (1, Fuzzer.new_no_link),
    (1, Fuzzer.new_bad_link),
    (1, Fuzzer.new_lo_master),
    (1, Fuzzer.new_nonether_master),
    (1, Fuzzer.new_busy_master),
    (1, Fuzzer.new_on_slave),
    (1, Fuzzer.new_mtu),
    (1, Fuzzer.new_netns),
    (1, Fuzzer.new_link_netnsid),
    (1, Fuzzer.new_name),
    (1, Fuzzer.new_nlm_flags),
    (1, Fuzzer.set_mode),
    (1, Fuzzer.set_attr),
    (1, Fuzzer.set_netns),
    (1, Fuzzer.del_ok),
    (1, Fuzzer.del_missing),
    (1, Fuzzer.set_wrong_kind),
    (1, Fuzzer.del_by_kind),
]


def racer(env, seed, count):
    """Create, change and delete the same few slaves as fast as possible;
    returns {"KIND ERRNO msg|nomsg": count}."""
    r = random.Random(seed)
    nl = Rtnl(netns(env.a))
    m0 = nl.links()["m0"][0]
    stats = collections.Counter()
    for _ in range(count):
        name = attr(IFLA_IFNAME, strz("fzr%d" % r.randrange(4)))
        op = r.randrange(3)
        if op == 0:
            data = attr(IFLA_IPVLAN_MODE, u16(r.randrange(3)))
            err, text = nl.request(RTM_NEWLINK, CREATE,
                                   ifinfo() + name + attr(IFLA_LINK, u32(m0)) +
                                   linkinfo("ipvlan", data))
            what = "race_new"
        elif op == 1:
            data = attr(IFLA_IPVLAN_MODE, u16(r.randrange(3))) + \
                attr(IFLA_IPVLAN_FLAGS, u16(r.randrange(3)))
            err, text = nl.request(RTM_NEWLINK, 0, ifinfo() + name +
                                   linkinfo("ipvlan", data))
            what = "race_set"
        else:
            err, text = nl.request(RTM_DELLINK, 0, ifinfo() + name)
            what = "race_del"
        en = "ok" if err == 0 else errno_name(err)
        stats["%s %s %s" % (what, en, "msg" if text else "nomsg")] += 1
    nl.close()
    return dict(stats)


def fork_racer(env, seed, count):
    """(pid, pipe) of a child running racer(), its figures as JSON."""
    rfd, wfd = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        os.close(wfd)
        return pid, rfd
    os.close(rfd)
    code = 1
    try:
        os.write(wfd, json.dumps(racer(env, seed, count)).encode())
        code = 0
    except Exception:  # pylint: disable=broad-except
        traceback.print_exc()
    finally:
        os._exit(code)


def join_racer(pid, rfd):
    """(exit status, figures) of a child from fork_racer()."""
    data = b""
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), json.loads(data or b"{}")


class Failed(Exception):
    pass


class Skipped(Exception):
    pass


class Run:
    """What the tests share: the namespaces, the fuzzer, the arguments."""

    def __init__(self, args):
        self.args = args
        self.stock = os.environ.get("IPVLAN", "ours") == "stock"
        self.env = Env("%d-%d" % (os.getpid(), args.seed))
        try:
            self.before = self.env.snapshot()
            self.fz = Fuzzer(self.env, random.Random(args.seed), args.verbose)
        except Exception:
            self.env.close()
            raise
        self.fuzzed = False

    def close(self):
        self.fz.close()
        self.env.close()


def test_refusals_are_clean(run):
    """COUNT random requests: what must fail fails, and a refused
    RTM_NEWLINK leaves the fz* links as they were."""
    start = time.time()
    for _ in range(run.args.count):
        run.fz.one()
    run.fz.cleanup()
    run.fuzzed = True
    run.fz.report(run.args.seed, time.time() - start)
    for problem in run.fz.problems[:20]:
        print("# " + problem)
    if run.fz.problems:
        raise Failed("%d problems" % len(run.fz.problems))


def test_driver_refusals_have_extack(run):
    """Every refusal the driver decides names its reason."""
    if not run.fuzzed:
        raise Failed("no figures: the requests were not sent")
    refused = sum(run.fz.sent[k] - run.fz.ok[k] for k in DRIVER_KINDS)
    if not refused:
        raise Skipped("no refusal of the driver's among %d requests"
                      % run.args.count)
    bad = sorted(x for x in run.fz.nomsg if x[1] in DRIVER_KINDS)
    if not bad:
        return
    if run.stock:
        raise Skipped("improvement over stock ipvlan (stock: %d without)"
                      % len(bad))
    raise Failed("driver refusals without a message: %s" % bad)


def test_races(run):
    """Two processes on the same names: every request answered."""
    start = time.time()
    children = [fork_racer(run.env, run.args.seed * 100 + i, run.args.race)
                for i in range(2)]
    stats = collections.Counter()
    codes = []
    for pid, rfd in children:
        code, figures = join_racer(pid, rfd)
        codes.append(code)
        stats.update(figures)
    run.fz.cleanup()
    seconds = time.time() - start
    print("# race: 2 x %d requests in %.1f s" % (run.args.race, seconds))
    for key in sorted(stats):
        print("#   %-34s %d" % (key, stats[key]))
    if any(codes):
        raise Failed("racers exited %s" % codes)
    if sum(stats.values()) != 2 * run.args.race:
        raise Failed("%d answers, want %d" % (sum(stats.values()),
                                              2 * run.args.race))


def test_link_list_unchanged(run):
    """"ip -o link" in both namespaces as it was before the requests."""
    after = run.env.snapshot()
    changed = [ns for ns in run.before if run.before[ns] != after[ns]]
    for ns in changed:
        print("# links in %s before:\n#  %s\n# after:\n#  %s" % (
            ns, run.before[ns].replace("\n", "\n#  "),
            after[ns].replace("\n", "\n#  ")))
    if changed:
        raise Failed("links changed in %s" % " ".join(changed))


TESTS = [
    ("nl_fuzz_refusals_are_clean", test_refusals_are_clean),
    ("nl_fuzz_driver_refusals_have_extack", test_driver_refusals_have_extack),
    ("nl_fuzz_races", test_races),
    ("nl_fuzz_link_list_unchanged", test_link_list_unchanged),
]


def run_test(n, name, test, run):
    """Runs TEST, prints its KTAP line; returns whether it failed."""
    try:
        test(run)
    except Skipped as exc:
        print("ok %d %s # SKIP %s" % (n, name, exc))
        return False
    except Exception as exc:  # pylint: disable=broad-except
        if isinstance(exc, Failed):
            lines = ["FAIL: %s" % exc]
        else:
            lines = traceback.format_exception(exc)
        for line in "".join(lines).splitlines()[-20:]:
            print("# " + line)
        print("not ok %d %s" % (n, name))
        return True
    print("ok %d %s" % (n, name))
    return False


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 1)))
    p.add_argument("--count", type=int,
                   default=int(os.environ.get("NL_REQUESTS", 1000)))
    p.add_argument("--race", type=int,
                   default=int(os.environ.get("NL_RACE", 400)))
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


def main():
    args = parse_args()
    print("TAP version 13")
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root")
        return 4
    print("1..%d" % len(TESTS))
    run = Run(args)
    failed = 0
    try:
        for n, (name, test) in enumerate(TESTS, 1):
            failed += run_test(n, name, test, run)
            sys.stdout.flush()
    finally:
        run.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
