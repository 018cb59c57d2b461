#!/usr/bin/python3
"""bench/startup.py — wall time from start to exit of short commands, each
run many times, interleaved.

  startup.py SPEC.json ROUNDS WARMUP

SPEC.json: {"NAME": ["argv", ...], ...}.  Runs WARMUP untimed rounds, then
ROUNDS timed rounds; in each round every command once, in an order rotated
by one each round (A B C, B C A, ...) so that none always runs after the
same neighbour.  Each run: posix_spawnp (vfork + exec, the least a caller
can spend; default signal dispositions), stdin/stdout/stderr /dev/null, waitpid; the clock is
CLOCK_MONOTONIC around both.  Prints one JSON object on stdout:
{"NAME": {"ms": [...], "failed": N, "status": last exit status}}.
A command that fails (non-zero exit) in the warm-up is dropped (its entry
then has "error").  Runs as whoever calls it: bench/measure.py calls it as the
bench user in the lab's client namespace.
"""
import json
import os
import sys
import signal
import time

# Python ignores SIGPIPE and SIGXFSZ; the commands get default dispositions,
# as from a shell (pasta refuses to start when SIGPIPE is already ignored).
SIGDEF = (signal.SIGPIPE, signal.SIGXFSZ)


def run(argv, devnull):
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
          (os.POSIX_SPAWN_DUP2, devnull, 2)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=fa, setsigdef=SIGDEF)
    _, st = os.waitpid(pid, 0)
    t1 = time.perf_counter_ns()
    return (t1 - t0) / 1e6, os.waitstatus_to_exitcode(st)


def main():
    spec = json.load(open(sys.argv[1]))
    rounds, warmup = int(sys.argv[2]), int(sys.argv[3])
    devnull = os.open(os.devnull, os.O_RDWR)
    names = list(spec)
    out = {n: {"ms": [], "failed": 0, "status": None} for n in names}
    for w in range(max(warmup, 1)):
        for n in names:
            if "error" in out[n]:
                continue
            try:
                _, st = run(spec[n], devnull)
            except OSError as e:
                out[n]["error"] = str(e)
                continue
            if st != 0:
                out[n]["error"] = "exit status %d" % st
    live = [n for n in names if "error" not in out[n]]
    for r in range(rounds):
        k = r % len(live) if live else 0
        for n in live[k:] + live[:k]:
            ms, st = run(spec[n], devnull)
            out[n]["status"] = st
            if st == 0:
                out[n]["ms"].append(ms)
            else:
                out[n]["failed"] += 1
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
