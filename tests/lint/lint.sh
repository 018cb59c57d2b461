#!/bin/bash
# lint.sh SOURCE_ROOT BUILD_ROOT — static analysis of every C file the build
# compiles (BUILD_ROOT/compile_commands.json), as TAP:
#   1. cppcheck (warning, performance, portability), suppressions in
#      tests/lint/cppcheck.supp, each with its reason;
#   2. clang-tidy with the checked-in .clang-tidy (tests/unit/.clang-tidy
#      for the unit tests), every warning an error.
# A missing tool is a TAP skip.  Run by meson test --suite lint, in the normal
# build only (a sanitizer build compiles the same sources).
set -u
SRC=${1:?source root}
BUILD=${2:?build root}
JOBS=${NETBOX_LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
n=0
failed=0

ok() { # ok STATUS DESCRIPTION [OUTPUT]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		printf '%s\n' "${3:-}" | head -60 | sed 's/^/#   /'
	fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

if [ "${NETBOX_SANITIZE:-none}" != none ]; then
	echo "1..0 # SKIP lint runs in the normal build (this build compiles the same sources with -fsanitize=$NETBOX_SANITIZE)"
	exit 0
fi
DB="$BUILD/compile_commands.json"
if [ ! -f "$DB" ]; then
	echo "1..0 # SKIP no $DB"
	exit 0
fi
cd "$SRC" || exit 1
mapfile -t FILES < <(python3 -c '
import json, os, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f not in seen:
        seen.add(f)
        print(f)' "$DB" | sort)

if command -v cppcheck >/dev/null 2>&1; then
	t0=$(date +%s)
	out=$(cppcheck --project="$DB" --enable=warning,performance,portability --inline-suppr \
		--suppressions-list="$SRC/tests/lint/cppcheck.supp" --quiet -j "$JOBS" --error-exitcode=3 \
		--template='{file}:{line}: {severity} [{id}] {message}' 2>&1)
	rc=$?
	ok "$rc" "cppcheck: no finding in ${#FILES[@]} files ($(($(date +%s) - t0)) s)" "$out"
else
	skip "cppcheck" "cppcheck is not installed (apt-get install cppcheck)"
fi

if command -v clang-tidy >/dev/null 2>&1; then
	t0=$(date +%s)
	out=$(printf '%s\n' "${FILES[@]}" |
		xargs -P "$JOBS" -n 2 clang-tidy -p "$BUILD" --quiet 2>&1 |
		grep -E '(warning|error):' | sort -u)
	[ -z "$out" ]
	ok $? "clang-tidy (.clang-tidy): no finding in ${#FILES[@]} files ($(($(date +%s) - t0)) s)" "$out"
else
	skip "clang-tidy" "clang-tidy is not installed (apt-get install clang-tidy)"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
