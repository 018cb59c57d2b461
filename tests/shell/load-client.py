#!/usr/bin/python3
"""load-client.py — many concurrent TCP connections to an echo service, for
tests/shell/load.sh (it runs inside netbox).  Python 3 standard library only.

    load-client.py HOST PORT N BYTES [--start FILE] [--ready FILE] [--go FILE]
                   [--end FILE] [--procs P] [--retries R] [--timeout S]

Waits until --start FILE exists (if given; it creates FILE.waiting first),
then opens N connections to HOST:PORT, all at once (P processes of N/P each, so
that a low descriptor limit per process does not matter).  When every
connection is open it writes "open N" to --ready FILE and waits until --go
FILE exists (the harness measures netbox meanwhile; each process writes
its own FILE.PID).  Then each connection
sends BYTES bytes of its own (random.Random(index), so that a mix-up between
connections shows), shuts its write side, reads the echo to EOF and compares
the SHA-256 of what came back with what it sent.  A connection that fails
(reset, refused, short) is tried again, up to R times (default 0), after a
short pause.

Prints one line: "N ok" when every connection came back intact, else
"K ok, M failed: {reason: count}"; and "attempts A" (connections made,
retries included).  Then, if --end FILE is given, waits until it exists
(so that the harness can look at netbox before the program exits).  Exit
status 0 either way; 2 for bad arguments.
"""
import asyncio
import errno
import hashlib
import json
import os
import random
import resource
import socket
import sys
import time


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def reason(e):
    if isinstance(e, asyncio.TimeoutError):
        return "TIMEOUT"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


async def wait_file(path, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise TimeoutError("no " + path)
        await asyncio.sleep(0.02)


async def exchange(reader, writer, payload, timeout):
    async def send():
        writer.write(payload)
        await writer.drain()
        writer.write_eof()

    async def recv():
        h = hashlib.sha256()
        n = 0
        while True:
            d = await reader.read(65536)
            if not d:
                return h.hexdigest(), n
            h.update(d)
            n += len(d)

    _, (digest, n) = await asyncio.wait_for(asyncio.gather(send(), recv()), timeout)
    return digest, n


async def run(host, port, indices, nbytes, ready, go, retries, timeout, total):
    results = {}
    attempts = [0]
    conns = {}

    async def connect(i):
        attempts[0] += 1
        return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)

    async def open_one(i):
        try:
            conns[i] = await connect(i)
        except Exception as e:  # noqa: BLE001 — counted, maybe retried
            conns[i] = e

    await asyncio.gather(*(open_one(i) for i in indices))
    nopen = sum(1 for c in conns.values() if not isinstance(c, Exception))
    if ready:
        with open(ready + ".%d" % os.getpid(), "w") as f:
            f.write("open %d\n" % nopen)
    if go:
        await wait_file(go, 120)

    async def one(i):
        payload = random.Random(i).randbytes(nbytes)
        want = hashlib.sha256(payload).hexdigest()
        c = conns[i]
        for attempt in range(retries + 1):
            try:
                if isinstance(c, Exception):
                    raise c
                reader, writer = c
                try:
                    digest, n = await exchange(reader, writer, payload, timeout)
                finally:
                    writer.close()
                if digest == want:
                    results[i] = True
                    return
                raise ValueError("MISMATCH got %d bytes" % n)
            except Exception as e:  # noqa: BLE001
                results[i] = "MISMATCH" if isinstance(e, ValueError) else reason(e)
                if attempt == retries or results[i] == "MISMATCH":
                    return
                await asyncio.sleep(0.05 * (attempt + 1))
                try:
                    c = await connect(i)
                except Exception as e2:  # noqa: BLE001
                    c = e2

    await asyncio.gather(*(one(i) for i in indices))
    return results, attempts[0]


def child(host, port, indices, nbytes, ready, go, retries, timeout, total, wfd):
    raise_nofile()
    results, attempts = asyncio.run(run(host, port, indices, nbytes, ready, go, retries, timeout, total))
    out = {"ok": sum(1 for r in results.values() if r is True), "attempts": attempts, "failed": {}}
    for r in results.values():
        if r is not True:
            out["failed"][r] = out["failed"].get(r, 0) + 1
    os.write(wfd, (json.dumps(out) + "\n").encode())


def main(argv):
    opts = {"--start": None, "--ready": None, "--go": None, "--end": None, "--procs": "1", "--retries": "0", "--timeout": "60"}
    pos = []
    i = 0
    while i < len(argv):
        if argv[i] in opts:
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    if len(pos) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, n, nbytes = pos[0], int(pos[1]), int(pos[2]), int(pos[3])
    procs = max(1, min(int(opts["--procs"]), n))
    if opts["--start"]:
        with open(opts["--start"] + ".waiting", "w"):
            pass
        asyncio.run(wait_file(opts["--start"], 120))
    kids = []
    for p in range(procs):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                child(host, port, list(range(p, n, procs)), nbytes, opts["--ready"], opts["--go"],
                      int(opts["--retries"]), float(opts["--timeout"]), n, w)
            finally:
                os._exit(0)
        os.close(w)
        kids.append((pid, r))
    ok, attempts, failed = 0, 0, {}
    for pid, r in kids:
        data = b""
        while True:
            d = os.read(r, 65536)
            if not d:
                break
            data += d
        os.waitpid(pid, 0)
        if not data:
            failed["child died"] = failed.get("child died", 0) + 1
            continue
        o = json.loads(data)
        ok += o["ok"]
        attempts += o["attempts"]
        for k, v in o["failed"].items():
            failed[k] = failed.get(k, 0) + v
    if ok == n:
        print("%d ok" % n)
    else:
        print("%d ok, %d failed: %s" % (ok, n - ok, json.dumps(failed, sort_keys=True)))
    print("attempts %d" % attempts, flush=True)
    if opts["--end"]:
        asyncio.run(wait_file(opts["--end"], 120))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
