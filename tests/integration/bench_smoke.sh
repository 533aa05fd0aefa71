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

bench_startup_floor() {
	# The floor (bench/floor): vmctl's isolation with no runtime, level by level.
	local out
	out=$("$TOP/bench/startup" --runs 3 --warmup 1 --json --levels --vmctl "$VMCTL" --only vmctl,floor) || return 1
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["runtimes"]
for name in ("floor-1", "floor-2", "floor-3", "floor-4", "floor"):
    assert r[name]["runs"] == 3 and r[name]["failures"] == 0, (name, r[name])
f = d["floor"]
assert [lv["level"] for lv in f["levels"]] == [1, 2, 3, 4, 5], f
assert f["levels"][0]["median_ms"] < f["levels"][4]["median_ms"], f
assert f["floor_ms"] == r["floor"]["median_ms"], f
assert abs(f["vmctl_above_floor_ms"] - (r["vmctl"]["median_ms"] - r["floor"]["median_ms"])) < 1e-9, f
'
	expect_eq "$(ls -d /sys/fs/cgroup/*/vmctl/floor* 2>/dev/null | wc -l)" "0" "the floor removed its cgroups"
}

t "bench: unit tests of the statistics and timing loop" bench_unit
t "bench/startup --json: vmctl measured beside a peer" bench_startup_json
t "bench/startup --levels: the floor, level by level, beside vmctl" bench_startup_floor
