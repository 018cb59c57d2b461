#!/usr/bin/python3
"""bench/idle.py — idle TCP connections for the RSS benchmark.

  idle.py serve --addr A --port P
      In the lab's server namespace: accept every connection, greet it with
      one byte ("!"), then hold it open, silent, until the peer closes.
  idle.py hold --host H --port P --count N [--batch B]
      In the sandbox: open N connections to H:P, wait until each one has
      received the server's greeting (so every relay through netbox is
      established end to end), print "READY N" on stdout, then hold them,
      silent, until stdin closes (or a signal); exit 0.  Exit 1 if not all
      N were greeted within the timeout.

Only the standard library: selectors and non-blocking sockets.
"""
import argparse
import errno
import os
import resource
import selectors
import socket
import sys
import time


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve(args):
    raise_nofile()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.addr, args.port))
    ls.listen(8192)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                for _ in range(256):
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    except OSError as e:
                        if e.errno in (errno.EMFILE, errno.ENFILE):
                            time.sleep(0.01)
                            break
                        raise
                    c.setblocking(False)
                    try:
                        c.send(b"!")
                    except OSError:
                        c.close()
                        continue
                    sel.register(c, selectors.EVENT_READ, True)
            else:
                c = key.fileobj
                try:
                    d = c.recv(4096)
                except OSError:
                    d = b""
                if not d:
                    sel.unregister(c)
                    c.close()


def hold(args):
    raise_nofile()
    addr = socket.getaddrinfo(args.host, args.port, socket.AF_INET, socket.SOCK_STREAM)[0][4]
    sel = selectors.DefaultSelector()
    greeted = 0
    opened = 0
    pending = 0
    socks = []
    deadline = time.monotonic() + args.timeout
    while greeted < args.count:
        while opened < args.count and pending < args.batch:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(addr)
            if err not in (0, errno.EINPROGRESS):
                sys.stderr.write("idle.py: connect: %s\n" % os.strerror(err))
                return 1
            sel.register(s, selectors.EVENT_READ)
            socks.append(s)
            opened += 1
            pending += 1
        left = deadline - time.monotonic()
        if left <= 0:
            sys.stderr.write("idle.py: %d of %d connections greeted\n" % (greeted, args.count))
            return 1
        for key, _ in sel.select(min(left, 1.0)):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            try:
                d = s.recv(16)
            except OSError:
                d = b""
            if d != b"!":
                sys.stderr.write("idle.py: a connection closed before the greeting\n")
                return 1
            greeted += 1
    sys.stdout.write("READY %d\n" % greeted)
    sys.stdout.flush()
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--addr", required=True)
    s.add_argument("--port", type=int, required=True)
    h = sub.add_parser("hold")
    h.add_argument("--host", required=True)
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--count", type=int, required=True)
    h.add_argument("--batch", type=int, default=2000)
    h.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    return serve(args) if args.cmd == "serve" else hold(args)


if __name__ == "__main__":
    sys.exit(main())
