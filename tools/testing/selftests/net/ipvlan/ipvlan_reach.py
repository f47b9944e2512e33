#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Who reaches whom, by ping, TCP and UDP: many checks in one process.

Each argument is a check, "PROTO FROM TO ADDR[:PORT][@BIND]":

  PROTO  ping, tcp or udp
  FROM   the namespace (a name in /var/run/netns) that sends
  TO     the namespace that answers (ping: unused, write -)
  ADDR   the address FROM sends to; BIND, the address and port TO
         listens on (default ADDR: a DNATed Service is not its backend)

A ping is an ICMP or ICMPv6 echo that must be answered.  A tcp check
connects, sends a word and must read it back; a udp check sends a datagram
and must get the server's echo.  All checks run at once, each for up to
TIMEOUT seconds (-t, default 2).  Prints one line a check, in order:
"<check>: ok" or "<check>: fail (<why>)".  Exits 0 when every one is ok.

Sockets are created in the namespaces with setns(2): a socket stays in
the namespace it was created in.
"""

import ctypes
import os
import select
import socket
import struct
import sys
import threading
import time

from ipvlan_raw import csum

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)


def enter(ns):
    fd = home if ns == "." else os.open("/var/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + ns)
    if fd != home:
        os.close(fd)


def split_addr(text, port):
    """"ADDR[:PORT]", with IPv6 as "[ADDR]:PORT" or a bare ADDR."""
    if text.startswith("["):
        addr, _, rest = text[1:].partition("]")
        return addr, int(rest[1:]) if rest else port
    if text.count(":") == 1:
        addr, p = text.split(":")
        return addr, int(p)
    return text, port


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Check:
    def __init__(self, text, port, timeout):
        self.text = text
        self.proto, self.src, self.dst, where = text.split()
        where, _, bind = where.partition("@")
        self.addr, self.port = split_addr(where, port)
        self.bind, self.bind_port = (split_addr(bind, self.port) if bind
                                     else (self.addr, self.port))
        self.fam = family(self.addr)
        self.timeout = timeout
        self.result = "fail (not run)"
        self.server = self.client = None

    def open(self):
        """Server socket in TO, client socket in FROM."""
        if self.proto == "ping":
            enter(self.src)
            if self.fam == socket.AF_INET:
                self.client = socket.socket(self.fam, socket.SOCK_RAW,
                                            socket.IPPROTO_ICMP)
            else:
                self.client = socket.socket(self.fam, socket.SOCK_RAW,
                                            socket.IPPROTO_ICMPV6)
            return
        kind = socket.SOCK_STREAM if self.proto == "tcp" else socket.SOCK_DGRAM
        enter(self.dst)
        self.server = socket.socket(self.fam, kind)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((self.bind, self.bind_port))
        if kind == socket.SOCK_STREAM:
            self.server.listen(1)
        enter(self.src)
        self.client = socket.socket(self.fam, kind)

    def serve(self):
        """The server's side: echo one word back."""
        deadline = time.monotonic() + self.timeout
        self.server.settimeout(self.timeout)
        try:
            if self.proto == "udp":
                data, peer = self.server.recvfrom(100)
                self.server.sendto(data, peer)
                return
            conn, _ = self.server.accept()
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            conn.sendall(conn.recv(100))
            conn.close()
        except OSError:
            pass

    def ping(self):
        ident = (os.getpid() + id(self)) & 0xffff
        if self.fam == socket.AF_INET:
            req, rep = 8, 0
        else:
            req, rep = 128, 129
        msg = struct.pack("!BBHHH", req, 0, 0, ident, 1) + b"ipvlan"
        if self.fam == socket.AF_INET:
            msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        deadline = time.monotonic() + self.timeout
        next_send = 0
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "fail (no echo reply)"
            if now >= next_send:
                self.client.sendto(msg, (self.addr, 0))
                next_send = now + 0.5
            r, _, _ = select.select([self.client], [], [],
                                    min(deadline, next_send) - now)
            if not r:
                continue
            data = self.client.recv(2000)
            if self.fam == socket.AF_INET:
                data = data[(data[0] & 0xf) * 4:]
            if len(data) >= 8 and data[0] == rep and \
                    struct.unpack("!H", data[4:6])[0] == ident:
                return "ok"

    def talk(self):
        word = b"ipvlan-" + self.proto.encode()
        deadline = time.monotonic() + self.timeout
        c = self.client
        try:
            if self.proto == "tcp":
                c.settimeout(self.timeout)
                c.connect((self.addr, self.port))
                c.sendall(word)
                got = c.recv(100)
            else:
                c.setblocking(False)
                got = b""
                while not got:
                    now = time.monotonic()
                    if now >= deadline:
                        return "fail (no echo)"
                    c.sendto(word, (self.addr, self.port))
                    r, _, _ = select.select([c], [], [],
                                            min(0.5, deadline - now))
                    if r:
                        got = c.recv(100)
        except OSError as e:
            return "fail (%s)" % (e.strerror or type(e).__name__)
        return "ok" if got == word else "fail (read %r)" % got

    def run(self):
        try:
            if self.proto == "ping":
                self.result = self.ping()
                return
            server = threading.Thread(target=self.serve)
            server.start()
            self.result = self.talk()
            server.join()
        except OSError as e:
            self.result = "fail (%s)" % e


def main(argv):
    timeout = 2.0
    if len(argv) > 1 and argv[0] == "-t":
        timeout = float(argv[1])
        argv = argv[2:]
    checks = [Check(text, 7700 + i, timeout) for i, text in enumerate(argv)]
    for check in checks:
        try:
            check.open()
        except OSError as e:
            check.result = "fail (%s)" % e
            check.open = None
    enter(".")
    threads = [threading.Thread(target=c.run) for c in checks
               if c.open is not None]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for check in checks:
        print("%s: %s" % (check.text, check.result))
    return 0 if all(c.result == "ok" for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
