#!/usr/bin/python3
"""layout.py SOURCE_ROOT — the layout rules of issue 11, as TAP:
  1. no C file over 800 lines (a file that grows past it is split by job);
  2. launcher/ (netbox and the sandbox init) includes nothing of netproxy/
     or dns/: those run in the supervisor (supervisor/);
  3. every file a comment or a doc names by path (launcher/x.c) or by name
     (x.c, x.h) exists: a file moved or split leaves no stale pointer.
Reads the files git tracks (or, outside a git checkout, every file)."""
import os
import re
import subprocess
import sys

MAX_LINES = 800
# Named but not in the tree: generated at build time, made by a run, a
# placeholder, or another project's file cited for its design.
ELSEWHERE = {
    "seccomp-filter.h", "isolate-filter.h",      # seccomp_gen.c's outputs
    "shipped-profiles.h",                        # suggest_gen.c's
    "isolation.c", "utils.h",                    # passt's, bubblewrap's
    "bench/results/latest", "bench/results/quick", "launcher/netbox",
    "fuzz/corpus/NAME", "tests/probes/NAME.c", "tests/shell/NAME.sh",
}
TOP = ("launcher", "supervisor", "netproxy", "dns", "policy", "common", "tests", "fuzz",
       "scripts", "bench", "docs", "profiles")
BY_PATH = re.compile(r"(?<![\w/.-])((?:%s)/[\w./-]*\w)" % "|".join(TOP))
BY_NAME = re.compile(r"(?<![\w/.<\"-])([a-z][\w-]*\.[ch])\b")
SKIP = (".pem", ".png", ".json", ".jsonl", ".bin")


def tracked(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        return [f for f in out if f and os.path.exists(os.path.join(root, f))]
    except (OSError, subprocess.CalledProcessError):
        return [os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root)
                if "/build" not in d and "/." not in d for f in fs]


def main():
    root = sys.argv[1]
    files = tracked(root)
    dirs = set()
    for f in files:
        parts = f.split("/")[:-1]
        dirs |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
    names = {os.path.basename(f) for f in files}
    n = 0
    failed = 0

    def ok(good, what, detail):
        nonlocal n, failed
        n += 1
        print(("ok %d - %s" if good else "not ok %d - %s") % (n, what))
        if not good:
            failed += 1
            for line in detail[:40]:
                print("#   " + line)

    texts = {}
    for f in files:
        if f.endswith(SKIP) or "/corpus/" in f:
            continue
        try:
            with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
                texts[f] = fh.read()
        except OSError:
            continue

    big = ["%s: %d lines" % (f, t.count("\n")) for f, t in sorted(texts.items())
           if f.endswith(".c") and t.count("\n") > MAX_LINES]
    ok(not big, "no C file over %d lines" % MAX_LINES, big)

    bad = []
    for f, t in sorted(texts.items()):
        if f.startswith("launcher/") and f.endswith((".c", ".h")):
            for i, line in enumerate(t.split("\n"), 1):
                if re.match(r'\s*#\s*include\s*"(netproxy|dns)/', line):
                    bad.append("%s:%d: %s" % (f, i, line.strip()))
    ok(not bad, "launcher/ includes nothing of netproxy/ or dns/", bad)

    stale = []
    for f, t in sorted(texts.items()):
        if f == "tests/lint/layout.py":  # its examples
            continue
        for i, line in enumerate(t.split("\n"), 1):
            if line.lstrip().startswith("#include"):
                continue
            for m in BY_PATH.finditer(line):
                p = m.group(1).rstrip("./")
                if p not in ELSEWHERE and p not in files and p not in dirs:
                    stale.append("%s:%d: %s" % (f, i, p))
            for m in BY_NAME.finditer(line):
                if m.group(1) not in names and m.group(1) not in ELSEWHERE:
                    stale.append("%s:%d: %s" % (f, i, m.group(1)))
    ok(not stale, "every file named in a comment or a doc exists", stale)

    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
