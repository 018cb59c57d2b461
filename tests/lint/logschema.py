#!/usr/bin/python3
"""logschema.py — check netbox --log files (JSON Lines) against the log's
schema, docs/log.schema.json (draft 2020-12, the jsonschema module:
Debian's python3-jsonschema).

  logschema.py [--schema FILE] [--tap] [--all-events] FILE...   (- : stdin)
  logschema.py [...] --run PROGRAM [ARG...]    what PROGRAM writes on stdout
  logschema.py [...] --refuses FILE            each record must fail

Every line must be valid UTF-8, end with a newline, hold one JSON object
(no key twice, no NaN) and match the schema.  Each failing line is printed
as FILE:LINE: REASON, then the line itself; the last line counts files and
records.  --all-events: each event the schema defines must appear (the
unit check, tests/unit/logsample.c, writes them all).  --refuses: the
schema must refuse every record of FILE, each for the reason its "# ..."
line above gives (tests/lint/logschema-bad.txt: a schema that accepts too
much fails).  --tap: TAP for meson test, a line for
the schema and one per file.
Exit 0: all match; 1: a line does not; 2: usage; 77 (a skip for meson and
for tests/lib.sh): no jsonschema module.

Run by tests/lib.sh's t_done on every log a shell harness wrote, and by
meson test logschema on tests/unit/logsample.c's output.
"""
import json
import os
import subprocess
import sys

SKIP = 77
SHOWN = 300  # bytes of a failing line printed under its reason


def usage(msg):
    print("logschema.py: %s (see its docstring)" % msg, file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    opts = {"schema": os.path.join(here, "..", "..", "docs", "log.schema.json"),
            "tap": False, "all_events": False, "run": None, "files": [], "refuses": []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--schema" and i + 1 < len(argv):
            opts["schema"] = argv[i + 1]
            i += 1
        elif a == "--tap":
            opts["tap"] = True
        elif a == "--refuses" and i + 1 < len(argv):
            opts["refuses"].append(argv[i + 1])
            i += 1
        elif a == "--all-events":
            opts["all_events"] = True
        elif a == "--run":
            opts["run"] = argv[i + 1:]
            break
        elif a.startswith("--"):
            usage("unknown option " + a)
        else:
            opts["files"].append(a)
        i += 1
    if opts["run"] == [] or (opts["run"] is None and not opts["files"] and not opts["refuses"]):
        usage("no file to check")
    return opts


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError("key %s more than once" % ", ".join(repr(k) for k in dup))
    return dict(pairs)


def no_constant(name):
    raise ValueError("%s is not JSON the log writes" % name)


def where(error):
    path = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in error.absolute_path)
    return "$" + path


def explain(error, best_match):
    """The error, or for oneOf/anyOf the branch that came closest: not one
    that wants another type ("proc": an object, not null)."""
    while error.context:
        closer = [e for e in error.context if e.validator != "type" or e.relative_path]
        error = best_match(closer or error.context)
    # jsonschema's words for minLength changed ("'' is too short" up to 4.2x,
    # "'' should be non-empty" since): one wording, whichever is installed.
    if error.validator == "minLength":
        return "%s: %r is shorter than %d" % (where(error), error.instance, error.validator_value)
    return "%s: %s" % (where(error), error.message)


def check_lines(name, data, validator, best_match, events):
    """(records, failures, accepted): each failure 'NAME:LINE: reason\\n
    line'; accepted, the numbers of the lines that match."""
    failures, accepted = [], []
    records = 0
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        failures.append("%s:%d: the last line has no newline (a record cut short)" %
                        (name, len(lines)))
    for n, raw in enumerate(lines, 1):
        reasons = []
        try:
            obj = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates,
                             parse_constant=no_constant)
        except UnicodeDecodeError as e:
            reasons.append("not UTF-8 (%s)" % e.reason)
        except ValueError as e:
            reasons.append("not JSON: %s" % e)
        else:
            records += 1
            if isinstance(obj, dict) and isinstance(obj.get("event"), str):
                events.add(obj["event"])
            errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
            for e in errors:  # one message per cause (each event's branch repeats v, time)
                if explain(e, best_match) not in reasons:
                    reasons.append(explain(e, best_match))
        if not reasons:
            accepted.append(n)
        else:
            shown = raw[:SHOWN].decode("utf-8", "backslashreplace")
            failures.append("%s:%d: %s\n    %s%s" % (name, n, "; ".join(reasons), shown,
                                                    " ..." if len(raw) > SHOWN else ""))
    return records, failures, accepted


def refused(name, validator, best_match):
    """What is wrong with @name's cases: each a "# REASON" line then a
    record the schema must refuse with a reason containing REASON ("##":
    a comment)."""
    wrong, want, cases = [], None, 0
    with open(name, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip(b"\n")
            if not line.strip():
                continue
            if line.startswith(b"##"):  # a comment
                continue
            if line.startswith(b"#"):
                want = line[1:].strip().decode("utf-8")
                continue
            cases += 1
            _, failures, _ = check_lines("%s:%d" % (name, n), line + b"\n", validator,
                                         best_match, set())
            got = failures[0].split("\n")[0] if failures else ""
            if not want or want not in got:
                wrong.append("%s:%d: want a refusal for %r, got %s" %
                             (name, n, want, got.split(": ", 1)[-1] or "none"))
            want = None
    return wrong if cases else ["%s: no case" % name]


def read_inputs(opts):
    """[(name, bytes, problem or None)]."""
    if opts["run"]:
        prog = opts["run"]
        try:
            p = subprocess.run(prog, stdout=subprocess.PIPE, check=False)
        except OSError as e:
            return [(prog[0], b"", "cannot run: %s" % e)]
        return [(os.path.basename(prog[0]), p.stdout,
                 "exited %d" % p.returncode if p.returncode else None)]
    out = []
    for f in opts["files"]:
        try:
            if f == "-":
                out.append(("-", sys.stdin.buffer.read(), None))
            else:
                with open(f, "rb") as fh:
                    out.append((f, fh.read(), None))
        except OSError as e:
            out.append((f, b"", "cannot read: %s" % e.strerror))
    return out


def main():
    opts = parse_args(sys.argv[1:])
    try:
        import jsonschema
        from jsonschema.exceptions import best_match
    except ImportError:
        why = "no jsonschema module (apt-get install python3-jsonschema, or scripts/install-deps)"
        if opts["tap"]:
            print("1..0 # SKIP " + why)
        else:
            print("logschema.py: " + why, file=sys.stderr)
        return SKIP

    n = 0
    failed = 0

    def report(good, what, detail=()):
        nonlocal n, failed
        failed += not good
        if not opts["tap"]:
            for d in detail:
                print(d)
            return
        n += 1
        print(("ok %d - %s" if good else "not ok %d - %s") % (n, what))
        for d in list(detail)[:40]:
            for line in d.split("\n"):
                print("#   " + line)

    with open(opts["schema"], encoding="utf-8") as fh:
        schema = json.load(fh)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        schema_ok = []
    except jsonschema.SchemaError as e:
        schema_ok = ["%s: %s" % (opts["schema"], e.message)]
    report(not schema_ok, "%s is a valid draft 2020-12 schema" % os.path.basename(opts["schema"]),
           schema_ok)
    if schema_ok:
        return 1
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

    events = set()
    total = bad = 0
    inputs = read_inputs(opts)
    for name, data, problem in inputs:
        records, failures = check_lines(name, data, validator, best_match, events)[:2]
        total += records
        bad += len(failures)
        if problem:
            failures.insert(0, "%s: %s" % (name, problem))
        report(not failures, "%s: %d records match the schema" % (name, records), failures)
    for name in opts["refuses"]:
        wrong = refused(name, validator, best_match)
        report(not wrong, "%s: the schema refuses each record, for the reason given" %
               os.path.basename(name), wrong)
    if opts["all_events"]:
        missing = [e for e in schema["properties"]["event"]["enum"] if e not in events]
        report(not missing, "every event the schema defines is written",
               ["no %s record" % e for e in missing])
    if opts["tap"]:
        print("1..%d" % n)
    else:
        print("%d files, %d records, %d failing" % (len(inputs), total, bad))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
