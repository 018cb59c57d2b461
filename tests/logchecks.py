"""logchecks.py LOG CHECK... — checks of a --log file for the shell
harnesses (tests/lib.sh lib_log_checks).  Each CHECK is "DESCRIPTION|PYTHON
EXPRESSION" evaluated over `lines` (every record); helpers: ev(event,
**fields) selects records, pkg(l) and exe(l) name a record's package and
executable, TIME matches a record's time.  Prints "PASS desc" or "FAIL
desc" per check, after one for the log itself parsing as JSON, then "DUMP"
and the records (times left out) for the diagnostics."""
import json
import re
import sys

lines, bad = [], []
for n, raw in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        lines.append(json.loads(raw))
    except ValueError as e:
        bad.append("%d: %s" % (n, e))
print("PASS every line parses as JSON" if not bad and lines else
      "FAIL every line parses as JSON: %s" % (bad[:3] or "empty log"))


def ev(event, **kw):
    return [l for l in lines if l.get("event") == event and all(l.get(k) == v for k, v in kw.items())]


def pkg(l):
    return ((l.get("proc") or {}).get("package") or {}).get("name")


def exe(l):
    return ((l.get("proc") or {}).get("exe") or "").rsplit("/", 1)[-1]


TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for check in sys.argv[2:]:
    desc, expr = check.split("|", 1)
    try:
        ok = eval(expr)
    except Exception as e:  # noqa: BLE001
        ok, desc = False, "%s (%s: %s)" % (desc, type(e).__name__, e)
    print(("PASS " if ok else "FAIL ") + desc)
print("DUMP " + json.dumps([{k: v for k, v in l.items() if k != "time"} for l in lines])[:3000])
