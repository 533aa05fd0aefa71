#!/usr/bin/env bash
# The benchmark harness: its pure parts, and a short real run whose JSON has every runtime's figures.
. "$(dirname "$0")/lib.sh"
ensure_base_image

bench_unit() { python3 -m unittest discover -s "$TOP/bench" -p 'test_*.py' 2>&1; }

bench_startup_json() {
	local out
	out=$("$TOP/bench/startup" --runs 2 --warmup 1 --json --vmctl "$VMCTL" --only vmctl,bwrap) || return 1
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = d["runtimes"]["vmctl"]
assert v["runs"] == 2, v
assert v["median_ms"] > 0, v
'
}

t "bench: unit tests of the statistics and timing loop" bench_unit
t "bench/startup --json: vmctl measured beside a peer" bench_startup_json
