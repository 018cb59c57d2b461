#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS SECONDS — run one libFuzzer target for a bounded
# time from its checked-in seed corpus (copied, so the repository stays clean).
# A crash leaves its input in ./fuzz-artifacts/ of the build directory.
set -u
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/netbox-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" fuzz-artifacts
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null
# libFuzzer exits 77 on a crash by default, which meson reads as "skipped".
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$PWD/fuzz-artifacts/" "$work/corpus"
