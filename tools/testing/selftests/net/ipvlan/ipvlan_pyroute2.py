#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A Python client over rtnetlink: pyroute2's IPRoute, printing KTAP.

Creates ipvlan slaves with every mode and flag through
IPRoute.link('add', kind='ipvlan', link=..., ipvlan_mode=...,
ipvlan_flags=...), reads them back from get_links() (IFLA_LINKINFO:
IFLA_INFO_KIND, IFLA_INFO_DATA: IFLA_IPVLAN_MODE and IFLA_IPVLAN_FLAGS),
changes mode and flags with link('set'), and deletes them.  Each test
runs in namespaces of its own, made with pyroute2.netns:

    +----------------- ipvl-py-host-XXXXXX -----------------+
    |  s0  s1 (ipvlan slaves, IFLA_LINK = eth0)             |
    |    \\  |                                                |
    |   eth0 (veth) ------------ peer0                       |
    +--------------------------------------------------------+
    +--- ipvl-py-other-XXXXXX ---+
    |  s9 (created here with     |
    |  IFLA_NET_NS_FD, master    |
    |  in the host namespace)    |
    +----------------------------+

Run by ipvlan_pyroute2.sh, with Debian's python3 (python3-pyroute2).
Exits 4 (skip) when pyroute2 cannot be imported.
"""

import errno
import os
import random
import string
import sys
import traceback

try:
    from pyroute2 import IPRoute
    from pyroute2 import netns
    from pyroute2.netlink.exceptions import NetlinkError
    from pyroute2.netlink.rtnl.ifinfmsg.plugins.ipvlan import ipvlan as ipvlan_nla
except ImportError as exc:
    print("TAP version 13")
    print(f"1..0 # SKIP needs pyroute2 (python3-pyroute2): {exc}")
    sys.exit(4)

# include/uapi/linux/if_link.h
MODES = {"l2": 0, "l3": 1, "l3s": 2}
FLAGS = {"bridge": 0, "private": 1, "vepa": 2}
IFLA_IPVLAN_FLAGS = 2

# pyroute2's ipvlan attributes (0.7.2 in Debian 12, and later releases)
# stop at IFLA_IPVLAN_MODE: teach it IFLA_IPVLAN_FLAGS, a u16, before the
# first message is built, so that ipvlan_flags= works and get_links()
# decodes the flags.
if not any(n == "IFLA_IPVLAN_FLAGS" for n, _ in ipvlan_nla.nla_map):
    assert len(ipvlan_nla.nla_map) == IFLA_IPVLAN_FLAGS
    ipvlan_nla.nla_map = tuple(ipvlan_nla.nla_map) + (
        ("IFLA_IPVLAN_FLAGS", "uint16"),)


class Failed(Exception):
    pass


def expect(what, got, want):
    if got != want:
        raise Failed(f"{what}: got {got!r}, want {want!r}")


class Namespace:
    """A named network namespace and an IPRoute socket bound to it."""

    def __init__(self, tag):
        suffix = "".join(random.choices(string.ascii_letters, k=6))
        self.name = f"ipvl-py-{tag}-{suffix}"
        netns.create(self.name)
        netns.pushns(self.name)
        try:
            self.ipr = IPRoute()
        finally:
            netns.popns()
        self.ipr.link("set", index=self.index("lo"), state="up")

    def index(self, ifname):
        found = self.ipr.link_lookup(ifname=ifname)
        if not found:
            raise Failed(f"no {ifname} in {self.name}")
        return found[0]

    def has(self, ifname):
        return bool(self.ipr.link_lookup(ifname=ifname))

    def close(self):
        self.ipr.close()
        netns.remove(self.name)


class Env:
    """The host namespace with its master eth0, and any other namespaces."""

    def __init__(self):
        self.spaces = []
        self.host = None
        self.master = None

    def setup(self):
        self.host = self.namespace("host")
        ipr = self.host.ipr
        ipr.link("add", ifname="eth0", kind="veth", peer="peer0")
        ipr.link("set", index=self.host.index("eth0"), state="up")
        ipr.link("set", index=self.host.index("peer0"), state="up")
        self.master = self.host.index("eth0")

    def namespace(self, tag):
        space = Namespace(tag)
        self.spaces.append(space)
        return space

    def add(self, name, mode=None, flags=None, space=None, **kwarg):
        """Create slave NAME of eth0 with pyroute2's own keywords."""
        if mode is not None:
            kwarg["ipvlan_mode"] = MODES[mode]
        if flags is not None:
            kwarg["ipvlan_flags"] = FLAGS[flags]
        if space is not None:
            kwarg["net_ns_fd"] = space.name
        self.host.ipr.link("add", ifname=name, kind="ipvlan",
                           link=self.master, **kwarg)

    def close(self):
        for space in reversed(self.spaces):
            try:
                space.close()
            except Exception:  # pylint: disable=broad-except
                pass


def read_back(space, name):
    """(kind, mode, flags, IFLA_LINK) of NAME as get_links() decodes them."""
    msg = space.ipr.get_links(space.index(name))[0]
    info = msg.get_attr("IFLA_LINKINFO")
    if info is None:
        raise Failed(f"{name}: no IFLA_LINKINFO")
    data = info.get_attr("IFLA_INFO_DATA")
    if data is None:
        raise Failed(f"{name}: no IFLA_INFO_DATA")
    return (info.get_attr("IFLA_INFO_KIND"),
            data.get_attr("IFLA_IPVLAN_MODE"),
            data.get_attr("IFLA_IPVLAN_FLAGS"),
            msg.get_attr("IFLA_LINK"))


def expect_slave(env, name, mode, flags, space=None):
    got = read_back(space or env.host, name)
    expect(f"{name} (kind, mode, flags, link)", got,
           ("ipvlan", MODES[mode], FLAGS[flags], env.master))


def expect_errno(what, want, func, *args, **kwarg):
    try:
        func(*args, **kwarg)
    except NetlinkError as err:
        expect(f"{what}: errno", errno.errorcode.get(err.code, err.code),
               errno.errorcode[want])
        return
    raise Failed(f"{what}: succeeded, want {errno.errorcode[want]}")


def test_modes_flags(env, mode):
    """Every flag in MODE: create, read back, delete."""
    for flags in FLAGS:
        env.add("s0", mode, flags)
        expect_slave(env, "s0", mode, flags)
        env.host.ipr.link("del", index=env.host.index("s0"))
        expect("s0 after link('del')", env.host.has("s0"), False)


def test_default(env):
    """Neither ipvlan_mode nor ipvlan_flags: l3 bridge."""
    env.add("s0")
    expect_slave(env, "s0", "l3", "bridge")


def test_set(env):
    """link('set') changes the port: both slaves show it, and a request
    with only one of mode or flags keeps the other."""
    env.add("s0", "l2", "bridge")
    env.add("s1", "l2", "bridge")
    ipr = env.host.ipr
    s1 = env.host.index("s1")
    for mode in ("l3", "l3s", "l2"):
        for flags in ("vepa", "private", "bridge"):
            ipr.link("set", index=s1, kind="ipvlan",
                     ipvlan_mode=MODES[mode], ipvlan_flags=FLAGS[flags])
            expect_slave(env, "s0", mode, flags)
            expect_slave(env, "s1", mode, flags)
    ipr.link("set", index=s1, kind="ipvlan", ipvlan_flags=FLAGS["private"])
    expect_slave(env, "s0", "l2", "private")
    ipr.link("set", index=s1, kind="ipvlan", ipvlan_mode=MODES["l3s"])
    expect_slave(env, "s0", "l3s", "private")


def test_invalid(env):
    """Mode 3 and private|vepa: EINVAL, nothing created or changed."""
    expect_errno("ipvlan_mode=3", errno.EINVAL, env.host.ipr.link, "add",
                 ifname="s0", kind="ipvlan", link=env.master, ipvlan_mode=3)
    expect_errno("ipvlan_flags=private|vepa", errno.EINVAL,
                 env.host.ipr.link, "add", ifname="s0", kind="ipvlan",
                 link=env.master, ipvlan_mode=0, ipvlan_flags=3)
    expect("s0 after refused adds", env.host.has("s0"), False)
    env.add("s1", "l2", "vepa")
    expect_errno("set ipvlan_flags=private|vepa", errno.EINVAL,
                 env.host.ipr.link, "set", index=env.host.index("s1"),
                 kind="ipvlan", ipvlan_flags=3)
    expect_slave(env, "s1", "l2", "vepa")


def test_other_netns(env):
    """Created straight into another namespace (IFLA_NET_NS_FD): read
    back there, IFLA_LINK is the master's index in its own namespace."""
    other = env.namespace("other")
    env.add("s9", "l3s", "private", space=other)
    expect("s9 in the host namespace", env.host.has("s9"), False)
    expect_slave(env, "s9", "l3s", "private", space=other)
    msg = other.ipr.get_links(other.index("s9"))[0]
    if msg.get_attr("IFLA_LINK_NETNSID") is None:
        raise Failed("s9: no IFLA_LINK_NETNSID for a master elsewhere")
    other.ipr.link("del", index=other.index("s9"))
    expect("s9 after link('del')", other.has("s9"), False)


def test_master_delete(env):
    """Deleting the master over rtnetlink deletes its slaves."""
    env.add("s0", "l2", "bridge")
    env.add("s1", "l2", "bridge")
    env.host.ipr.link("del", index=env.master)
    expect("slaves left", [n for n in ("s0", "s1") if env.host.has(n)], [])


TESTS = [
    ("l2: each flag created, read back, deleted",
     lambda env: test_modes_flags(env, "l2")),
    ("l3: each flag created, read back, deleted",
     lambda env: test_modes_flags(env, "l3")),
    ("l3s: each flag created, read back, deleted",
     lambda env: test_modes_flags(env, "l3s")),
    ("no mode or flags: l3 bridge", test_default),
    ("link('set') of mode and flags changes the whole port", test_set),
    ("invalid mode and flags: EINVAL", test_invalid),
    ("created into another netns, read back there", test_other_netns),
    ("master deleted: slaves gone", test_master_delete),
]


def main():
    if os.geteuid() != 0:
        print("TAP version 13")
        print("1..0 # SKIP needs root")
        return 4
    print("TAP version 13")
    print(f"1..{len(TESTS)}")
    failed = 0
    for n, (name, func) in enumerate(TESTS, 1):
        env = Env()
        try:
            env.setup()
            func(env)
            print(f"ok {n} {name}")
        except Exception as exc:  # pylint: disable=broad-except
            failed += 1
            lines = traceback.format_exception(exc) if not isinstance(
                exc, Failed) else [f"FAIL: {exc}"]
            for line in "".join(lines).splitlines()[-20:]:
                print(f"# {line}")
            print(f"not ok {n} {name}")
        finally:
            env.close()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
