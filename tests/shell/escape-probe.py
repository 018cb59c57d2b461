#!/usr/bin/python3
"""escape-probe.py — the escape attempts of tests/shell/escape.sh that need
more than a shell.  Each runs the same way with and without netbox and
prints lines the harness matches (errno names, never a traceback).

  hosts-write                 append a line to /etc/hosts: "written" or errno
  bind PORT                   bind a TCP listener on [::]:PORT and 0.0.0.0:PORT,
                              plain and with SO_REUSEPORT: "v6 R v4 R v6-reuseport R"
  proc-fds                    every /proc/PID/fd the program can list: its
                              sockets, and whether one can be opened or
                              fetched: "pids N listed N sockets N opened N"
                              plus "fd-dir PID errno" for those it cannot list
  pidfd-getfd PID MAXFD       pidfd_open(PID), then pidfd_getfd() of its
                              descriptors 0..MAXFD: "getfd ok N" / "getfd err E"
  pidfd-getfd-child           the same on a child of our own that holds a
                              socket: "getfd ok N" (the mechanism works)
  signal-init                 SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
                              SIGSEGV, SIGBUS, SIGFPE, SIGSTOP to pid 1; then "init STATE" (its
                              /proc/1/stat state) and "term-back yes|no" (did
                              a SIGTERM come back to us) and "alive"
  ptrace PID                  PTRACE_ATTACH, then PTRACE_SEIZE: "attach R seize R"
  ptrace-child                the same on a child of our own (the mechanism works)
  memscan CANARY|@FILE [PID...]
                              look for CANARY (or the one in FILE) in the environ, cmdline and memory
                              (/proc/PID/mem, process_vm_readv) of every
                              process in /proc and each PID given: "found PID
                              HOW" per hit, or "notfound pids=N"; then one
                              line per given PID: "pid PID environ R mem R vm R kill R"
"""
import ctypes
import errno
import os
import signal
import socket
import struct
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_open, SYS_pidfd_getfd, SYS_process_vm_readv = 434, 438, 310
PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206


def en(e):
    return errno.errorcode.get(e, str(e))


def oserr(e):
    return en(e.errno) if isinstance(e, OSError) and e.errno else type(e).__name__


def p_hosts_write():
    try:
        with open("/etc/hosts", "a") as f:
            f.write("198.18.0.99 evil.test\n")
        print("written")
    except OSError as e:
        print(oserr(e))


def p_bind(port):
    port = int(port)
    out = []
    for label, fam, addr, reuse in (("v6", socket.AF_INET6, "::", False), ("v4", socket.AF_INET, "0.0.0.0", False),
                                    ("v6-reuseport", socket.AF_INET6, "::", True)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind((addr, port))
            s.listen(1)
            out.append("%s ok" % label)
        except OSError as e:
            out.append("%s %s" % (label, oserr(e)))
        finally:
            s.close()
    print(" ".join(out))


def pidfd_getfd(pid, maxfd):
    pfd = libc.syscall(SYS_pidfd_open, int(pid), 0)
    if pfd < 0:
        return ["pidfd_open err %s" % en(ctypes.get_errno())]
    res = {}
    for fd in range(int(maxfd) + 1):
        r = libc.syscall(SYS_pidfd_getfd, pfd, fd, 0)
        if r >= 0:
            res.setdefault("ok", []).append(str(fd))
            os.close(r)
        else:
            res.setdefault(en(ctypes.get_errno()), []).append(str(fd))
    os.close(pfd)
    return ["getfd %s %s" % (k, ",".join(v) if k == "ok" else len(v)) for k, v in sorted(res.items())]


def p_pidfd_getfd(pid, maxfd):
    print("\n".join(pidfd_getfd(pid, maxfd)))


def p_pidfd_getfd_child():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        s = socket.socket()
        os.write(w, str(s.fileno()).encode())
        time.sleep(5)
        os._exit(0)
    fd = int(os.read(r, 16))
    try:
        print("\n".join(l for l in pidfd_getfd(pid, fd) if not l.startswith("getfd EBADF")))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def p_proc_fds():
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    listed = sockets = opened = 0
    errs = []
    for p in pids:
        d = "/proc/%s/fd" % p
        try:
            fds = os.listdir(d)
        except OSError as e:
            errs.append("fd-dir %s %s" % (p, oserr(e)))
            continue
        listed += 1
        for fd in fds:
            path = os.path.join(d, fd)
            try:
                target = os.readlink(path)
            except OSError:
                continue
            if target.startswith("socket:"):
                sockets += 1
                try:
                    os.close(os.open(path, os.O_RDWR))
                    opened += 1
                except OSError:
                    pass
    print("pids %d listed %d sockets %d opened %d" % (len(pids), listed, sockets, opened))
    for e in errs:
        print(e)


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError as e:
        return oserr(e)


def p_signal_init():
    got = []
    signal.signal(signal.SIGTERM, lambda *_: got.append("TERM"))
    out = []
    for sig in ("KILL", "TERM", "INT", "HUP", "QUIT", "USR1", "SEGV", "BUS", "FPE", "STOP"):
        try:
            os.kill(1, getattr(signal, "SIG" + sig))
            out.append("%s sent" % sig)
        except OSError as e:
            out.append("%s %s" % (sig, oserr(e)))
    time.sleep(0.5)
    print(" ".join(out))
    print("init", state(1))
    print("term-back", "yes" if got else "no")
    print("alive")


def ptrace_pair(pid):
    out = []
    for label, req in (("attach", PTRACE_ATTACH), ("seize", PTRACE_SEIZE)):
        r = libc.ptrace(req, int(pid), None, None)
        if r == 0:
            out.append("%s ok" % label)
            if req == PTRACE_ATTACH:
                os.waitpid(int(pid), 0)
            libc.ptrace(PTRACE_DETACH, int(pid), None, None)
        else:
            out.append("%s %s" % (label, en(ctypes.get_errno())))
    return " ".join(out)


def p_ptrace(pid):
    print(ptrace_pair(pid))


def p_ptrace_child():
    pid = os.fork()
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    try:
        print(ptrace_pair(pid))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


class IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def vm_read(pid, addr, n):
    buf = ctypes.create_string_buffer(n)
    local = IOVec(ctypes.cast(buf, ctypes.c_void_p), n)
    remote = IOVec(addr, n)
    r = libc.syscall(SYS_process_vm_readv, int(pid), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if r < 0:
        return None, en(ctypes.get_errno())
    return buf.raw[:r], "ok"


def maps(pid):
    out = []
    with open("/proc/%s/maps" % pid) as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            if parts[1].startswith("r") and hi - lo <= 64 << 20:
                out.append((lo, hi))
    return out


def scan(pid, canary):
    """-> (hits, {how: result}) for one pid."""
    hits, res = [], {}
    for what in ("environ", "cmdline"):
        try:
            with open("/proc/%s/%s" % (pid, what), "rb") as f:
                data = f.read()
            res[what] = "ok"
            if canary in data:
                hits.append(what)
        except OSError as e:
            res[what] = oserr(e)
    try:
        ranges = maps(pid)
        res["maps"] = "ok"
    except OSError as e:
        ranges = []
        res["maps"] = oserr(e)
    try:
        with open("/proc/%s/mem" % pid, "rb") as f:
            res["mem"] = "ok"
            for lo, hi in ranges:
                try:
                    f.seek(lo)
                    if canary in f.read(hi - lo):
                        hits.append("mem")
                        break
                except OSError:
                    continue
    except OSError as e:
        res["mem"] = oserr(e)
    # process_vm_readv: of the stack (where environ lives) or a guess
    vm = "not-tried"
    for lo, hi in ranges or [(0x7ffffffde000, 0x7ffffffff000)]:
        data, vm = vm_read(pid, lo, hi - lo)
        if data is not None and canary in data:
            hits.append("process_vm_readv")
            break
        if data is None and vm != "EFAULT":
            break
    res["vm"] = vm
    try:
        os.kill(int(pid), 0)
        res["kill"] = "ok"
    except OSError as e:
        res["kill"] = oserr(e)
    return hits, res


def p_memscan(canary, *extra):
    if canary.startswith("@"):  # from a file: not in any command line
        with open(canary[1:], "rb") as f:
            canary = f.read().strip()
    else:
        canary = canary.encode()
    me = str(os.getpid())
    pids = [p for p in os.listdir("/proc") if p.isdigit() and p != me]
    found = []
    for p in pids + list(extra):
        hits, _ = scan(p, canary)
        found += ["found %s %s" % (p, h) for h in hits]
    print("\n".join(found) if found else "notfound pids=%d" % len(pids))
    for p in extra:
        _, res = scan(p, canary)
        print("pid %s environ %s mem %s vm %s kill %s" % (p, res["environ"], res["mem"], res["vm"], res["kill"]))


PROBES = {
    "hosts-write": p_hosts_write, "bind": p_bind, "proc-fds": p_proc_fds,
    "pidfd-getfd": p_pidfd_getfd, "pidfd-getfd-child": p_pidfd_getfd_child,
    "signal-init": p_signal_init, "ptrace": p_ptrace, "ptrace-child": p_ptrace_child,
    "memscan": p_memscan,
}

if __name__ == "__main__":
    try:
        PROBES[sys.argv[1]](*sys.argv[2:])
    except Exception as e:  # noqa: BLE001 — the harness matches the name
        print(oserr(e), str(e)[:200].replace("\n", " "))
        sys.exit(1)
