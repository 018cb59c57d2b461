#!/usr/bin/python3
"""ptyrun.py — run a command on a new pseudo-terminal, as a person at a
terminal would, for the harnesses in tests/shell/.

  ptyrun.py [--timeout S] [--expect REGEX --send TEXT]... -- CMD [ARGS...]

Each --expect waits (bounded by --timeout) until the output so far matches
REGEX, then the paired --send writes TEXT (Python escapes: \\x03 is Ctrl-C,
\\n is Enter).  The whole output goes to stdout; the exit status is the
command's (128+N if a signal killed it), 124 on timeout, 123 if an
--expect never matched.
"""
import argparse
import os
import pty
import re
import select
import signal
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    steps = list(zip(a.expect, [s.encode().decode("unicode_escape") for s in a.send]))

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    deadline = time.monotonic() + a.timeout
    status = None
    failed_expect = False
    pos = 0
    while True:
        if steps and re.search(steps[0][0].encode(), out[pos:]):
            m = re.search(steps[0][0].encode(), out[pos:])
            pos += m.end()
            time.sleep(0.2)
            os.write(fd, steps[0][1].encode())
            steps.pop(0)
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace"))
            sys.stdout.write("\n[ptyrun: timeout; waiting for %r]\n" % (steps[0][0] if steps else None))
            return 124
        r, _, _ = select.select([fd], [], [], min(left, 0.1))
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
        else:
            p, st = os.waitpid(pid, os.WNOHANG)
            if p:
                status = st
                # drain what is left
                try:
                    while select.select([fd], [], [], 0.1)[0]:
                        chunk = os.read(fd, 4096)
                        if not chunk:
                            break
                        out += chunk
                except OSError:
                    pass
                break
    if status is None:
        _, status = os.waitpid(pid, 0)
    if steps:
        failed_expect = True
    sys.stdout.write(out.decode(errors="replace"))
    if failed_expect:
        sys.stdout.write("\n[ptyrun: never saw %r]\n" % steps[0][0])
        return 123
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
