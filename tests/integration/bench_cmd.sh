#!/usr/bin/env bash
# vmctl bench: both modes with and without peers (the JSON's fields), CSV,
# the expected exit status, timeouts, concurrency, bad flags, Ctrl-C, and
# nothing left behind.  VM runs take ~10 s here: as few as possible.
. "$(dirname "$0")/lib.sh"
ensure_base_image

# jcheck FILE PYTHON: runs the python assertions with d = the JSON in FILE.
jcheck() {
	python3 -c '
import json, math, sys
d = json.load(open(sys.argv[1]))
S = {s["name"]: s for s in d["subjects"]}
exec(sys.argv[2])
' "$1" "$2"
}

# Nothing of a bench may outlive it: temp dirs, runs, processes.
no_leftovers() {
	expect_eq "$(ls -A "$VMCTL_ROOT/tmp" 2>/dev/null | grep -c bench)" 0 "bench temp dir left"
	expect_eq "$("$VMCTL" ps -a 2>/dev/null | tail -n +2 | wc -l)" 0 "runs left"
	expect_eq "$(pgrep -f "vmctl-bench-" | wc -l)" 0 "crun/runc runs left"
	expect_eq "$(grep -c "$VMCTL_ROOT/tmp" /proc/self/mountinfo)" 0 "mounts left"
}

container_json() {
	"$VMCTL" bench --runs 3 --modes container --json busybox true >"$T/c.json" 2>"$T/c.err" || return 1
	jcheck "$T/c.json" '
assert d["image"] == "busybox" and d["argv"] == ["true"], d["argv"]
assert d["runs"] == 3 and d["warmup"] == 1 and d["concurrency"] == 1
assert d["baseline"] == "container"
m = d["machine"]
assert m["ncpu"] >= 1 and m["mem_bytes"] > 0 and m["host_kernel"] and m["date"], m
assert m["cgroup"] in ("v1", "v2", "hybrid"), m
c = S["container"]
assert c["kind"] == "mode" and c["vm"] is False and c["skipped"] is None, c
assert c["failures"] == 0 and c["exit_codes"] == [0, 0, 0], c
for k in ("startup_ms", "total_ms", "wall_ms", "peak_bytes", "overhead_bytes"):
    assert len(c["samples"][k]) == 3, k
    st = c["stats"][k]
    assert st["n"] == 3 and st["min"] <= st["median"] <= st["p95"] <= st["max"], (k, st)
    assert c["ratio"][k] == 1, (k, c["ratio"])
assert c["samples"]["guest_bytes"] == [None] * 3
assert c["stats"]["startup_ms"]["median"] < c["stats"]["total_ms"]["median"] <= c["stats"]["wall_ms"]["median"]
assert c["starts_per_sec"] is None
assert "vmctl run --rm --report=json" in c["how"]
' || return 1
	no_leftovers
}

container_peers_json() {
	"$VMCTL" bench --runs 3 --modes container --peers crun,runc,bwrap --json busybox true \
		>"$T/p.json" 2>"$T/p.err" || return 1
	jcheck "$T/p.json" '
assert [s["name"] for s in d["subjects"]] == ["container", "crun", "runc", "bwrap"]
for name in ("crun", "runc", "bwrap"):
    p = S[name]
    assert p["kind"] == "peer", p
    if p["skipped"]:
        assert "not installed" in p["skipped"], p["skipped"]
        continue
    assert p["version"], p
    assert p["failures"] == 0, (name, p["first_failure"])
    assert p["stats"]["wall_ms"]["n"] == 3 and p["stats"]["peak_bytes"]["n"] == 3, p["stats"]
    assert p["samples"]["startup_ms"] == [None] * 3  # not measured for these peers
    assert p["ratio"]["wall_ms"] > 0 and p["ratio"]["peak_bytes"] is None
    assert name in p["how"]
' || return 1
	no_leftovers
}

table_and_csv() {
	local out
	out=$("$VMCTL" bench --runs 2 --warmup 0 --modes container --peers bwrap busybox true 2>&1) || return 1
	expect_contains "$out" "vmctl bench busybox true: 2 runs each"
	expect_contains "$out" "container  startup"
	expect_contains "$out" "how:"
	"$VMCTL" bench --runs 2 --warmup 0 --modes container --csv busybox true >"$T/r.csv" || return 1
	expect_eq "$(head -n 1 "$T/r.csv")" \
		"subject,kind,run,exit_code,startup_ms,total_ms,wall_ms,peak_bytes,overhead_bytes,guest_bytes,starts_per_sec,mem_per_instance_bytes"
	expect_eq "$(grep -c '^container,mode,[12],0,[0-9.]*,[0-9.]*,[0-9.]*,.*,,$' "$T/r.csv")" 2 "csv rows"
	# --baseline: the ratios are against that subject's medians
	command -v bwrap >/dev/null || return 0
	"$VMCTL" bench --runs 2 --warmup 0 --modes container --peers bwrap --baseline bwrap --json \
		busybox true >"$T/b.json" || return 1
	jcheck "$T/b.json" '
assert d["baseline"] == "bwrap"
b, c = S["bwrap"], S["container"]
assert b["ratio"]["wall_ms"] == 1 and b["ratio"]["startup_ms"] is None
assert math.isclose(c["ratio"]["wall_ms"], c["stats"]["wall_ms"]["median"] / b["stats"]["wall_ms"]["median"], rel_tol=1e-6)
assert c["ratio"]["peak_bytes"] is None  # a report against a max RSS: not alike
'
}

# The workload's status in the warm-up is what every run must give.
expected_status_and_concurrency() {
	"$VMCTL" bench --runs 2 --concurrency 3 --modes container --peers bwrap --json \
		busybox sh -c 'exit 3' >"$T/k.json" 2>/dev/null || return 1
	jcheck "$T/k.json" '
assert d["concurrency"] == 3
for s in d["subjects"]:
    if s["skipped"]:
        continue
    assert s["exit_codes"] == [3] * 6 and s["failures"] == 0, s["exit_codes"]
    assert s["stats"]["wall_ms"]["n"] == 6
    assert s["starts_per_sec"] > 0 and s["mem_per_instance_bytes"] > 0, s
' || return 1
	# the aggregate in the table and, beside each run's figures, in the CSV
	local out
	out=$("$VMCTL" bench --runs 1 --warmup 0 --concurrency 2 --modes container busybox true 2>&1) ||
		return 1
	expect_contains "$out" "interleaved, 2 at a time" "the table's header"
	expect_contains "$out" "2 runs, 0 failed; 2 at once: " "the table's aggregate line"
	expect_contains "$out" " starts/s, " "starts per second in the table"
	"$VMCTL" bench --runs 1 --warmup 0 --concurrency 2 --modes container --csv busybox true \
		>"$T/k.csv" || return 1
	expect_eq "$(grep -cE '^container,mode,[12],0,([0-9.]*,){6}[0-9.]+,[0-9.]+$' "$T/k.csv")" 2 \
		"csv rows with starts_per_sec and mem_per_instance_bytes"
	no_leftovers
}

# The progress bar goes to a terminal only; the table follows it on a clean line.
progress_on_tty() {
	command -v script >/dev/null || {
		skip "bench: progress bar" "no script(1)"
		return 0
	}
	script -qc "$VMCTL bench --runs 2 --warmup 0 --modes container --peers bwrap busybox true" \
		/dev/null >"$T/tty.out" </dev/null || return 1
	local out
	out=$(tr '\r' '\n' <"$T/tty.out")
	# Each round's order is the previous one's turned by one.
	expect_contains "$out" "[#######.......................] 1/4 container"
	expect_contains "$out" "] 2/4 bwrap"
	expect_contains "$out" "] 3/4 bwrap"
	expect_contains "$out" "[##############################] 4/4 container"
	expect_contains "$out" "container  startup" "the table after the bar"
	# not a terminal: no bar
	"$VMCTL" bench --runs 1 --warmup 0 --modes container busybox true >"$T/p.out" 2>"$T/p.err" ||
		return 1
	expect_not_contains "$(cat "$T/p.out" "$T/p.err")" "[#"
	expect_eq "$(grep -c $'\r' "$T/p.err")" 0 "carriage returns without a terminal"
}

timeout_counts_as_failure() {
	"$VMCTL" bench --runs 1 --warmup 0 --timeout 1 --modes container --peers bwrap --json \
		busybox sleep 30 >"$T/t.json" 2>/dev/null || return 1
	jcheck "$T/t.json" '
for s in d["subjects"]:
    if s["skipped"]:
        continue
    assert s["failures"] == 1 and "timed out" in s["first_failure"], s
    assert s["stats"]["wall_ms"]["n"] == 0 and s["stats"]["wall_ms"]["median"] is None
' || return 1
	expect_eq "$(pgrep -f "sleep 30" | wc -l)" 0 "timed-out workload left running"
	no_leftovers
}

bad_flags() {
	local args err
	for args in "--runs 0" "--runs x" "--warmup -1" "--modes docker" "--modes ," \
		"--peers podman" "--peers=" "--concurrency 0" "--baseline runc" "--timeout 0" \
		"--json --csv" "--nope"; do
		# shellcheck disable=SC2086
		"$VMCTL" bench $args busybox true >"$T/out" 2>"$T/err" </dev/null
		expect_eq "$?" 125 "status of bench $args"
		expect_eq "$(wc -l <"$T/err")" 1 "one error line for $args"
		expect_eq "$(wc -c <"$T/out")" 0 "no output for $args"
	done
	"$VMCTL" bench >/dev/null 2>"$T/err"
	expect_eq "$?" 125 "no image"
	err=$("$VMCTL" bench --runs 1 --modes container no-such-image 2>&1)
	expect_eq "$?" 125 "unknown image"
	expect_contains "$err" "no-such-image"
	no_leftovers
}

# A peer that is not installed is skipped with the reason and still listed;
# a --baseline that cannot run is an error.
skipped_peer() {
	mkdir -p "$T/nobin"
	PATH=$T/nobin "$VMCTL" bench --runs 1 --warmup 0 --modes container --peers crun,qemu --json \
		busybox true >"$T/n.json" 2>/dev/null || return 1
	jcheck "$T/n.json" '
assert [s["name"] for s in d["subjects"]] == ["container", "crun", "qemu"]
assert S["crun"]["skipped"] == "crun is not installed", S["crun"]["skipped"]
assert S["qemu"]["skipped"] == "qemu-system-x86_64 is not installed"
assert S["crun"]["samples"]["wall_ms"] == [] and S["crun"]["stats"]["wall_ms"]["n"] == 0
assert S["container"]["stats"]["wall_ms"]["n"] == 1
' || return 1
	local err
	err=$(PATH=$T/nobin "$VMCTL" bench --runs 1 --modes container --peers crun --baseline crun \
		busybox true 2>&1 >/dev/null)
	expect_eq "$?" 125 "status with a baseline that cannot run"
	expect_eq "$err" "vmctl: bench: --baseline crun cannot run: crun is not installed"
	no_leftovers
}

# Ctrl-C: the running child is stopped, everything prepared removed, exit 130.
interrupt() {
	"$VMCTL" bench --runs 1000 --modes container --peers crun,runc,bwrap busybox sleep 0.02 \
		>"$T/i.out" 2>"$T/i.err" &
	local pid=$!
	sleep 2
	kill -INT "$pid"
	wait "$pid"
	expect_eq "$?" 130 "status after SIGINT"
	expect_contains "$(cat "$T/i.err")" "interrupted"
	sleep 0.5
	no_leftovers
}

# --svg writes the charts (bench/svg.c) atomically; a path it cannot write is one line, 125.
svg_file() {
	"$VMCTL" bench --runs 1 --warmup 0 --modes container --svg "$T/b.svg" busybox true >/dev/null 2>"$T/s.err"
	expect_eq "$?" 0 "status"
	expect_contains "$(head -c 300 "$T/b.svg")" "<svg"
	expect_contains "$(tail -c 20 "$T/b.svg")" "</svg>"
	"$VMCTL" bench --runs 1 --warmup 0 --modes container --svg "$T/no/such/dir/b.svg" busybox true \
		>/dev/null 2>"$T/s.err"
	expect_eq "$?" 125 "status for an unwritable path"
	expect_eq "$(wc -l <"$T/s.err")" 1 "one error line"
}

t "bench: container mode, --runs 3, JSON fields" container_json
t "bench: container mode with crun, runc, bwrap, JSON fields" container_peers_json
t "bench: the table and --csv" table_and_csv
t "bench: a progress bar on a terminal, none otherwise" progress_on_tty
t "bench: expected exit status from the warm-up, --concurrency 3" expected_status_and_concurrency
t "bench: a hung run is killed at --timeout and counted as failed" timeout_counts_as_failure
t "bench: bad flags give one line and 125" bad_flags
t "bench: a missing peer is skipped and listed; its --baseline is an error" skipped_peer
t "bench: Ctrl-C stops, cleans up, exits 130" interrupt
t "bench: --svg writes the charts; an unwritable path fails cleanly" svg_file

if [ ! -w /dev/kvm ] || ! "$VMCTL" kernel path >/dev/null 2>&1; then
	skip "bench: vm mode" "no writable /dev/kvm or no guest kernel"
	exit 0
fi

both_modes_json() {
	"$VMCTL" bench --runs 3 --warmup 0 --modes container,vm --json --svg "$T/v.svg" busybox true \
		>"$T/v.json" 2>"$T/v.err" || return 1
	jcheck "$T/v.json" '
assert [s["name"] for s in d["subjects"]] == ["container", "vm"] and d["runs"] == 3
v = S["vm"]
assert v["kind"] == "mode" and "--mode=vm" in v["how"]
assert v["vm"] is True and v["skipped"] is None and v["failures"] == 0, (v["skipped"], v["first_failure"])
assert v["exit_codes"] == [0, 0, 0], v["exit_codes"]
for k in ("startup_ms", "total_ms", "wall_ms", "peak_bytes", "overhead_bytes", "guest_bytes"):
    st = v["stats"][k]
    assert st["n"] == 3 and len(v["samples"][k]) == 3, k
    assert 0 < st["min"] <= st["median"] <= st["p95"] <= st["max"], (k, st)
    assert st["median"] == sorted(v["samples"][k])[1], (k, st)
assert v["ratio"]["wall_ms"] > 1  # a boot against a container start
c = S["container"]
assert c["stats"]["wall_ms"]["n"] == 3 and c["samples"]["guest_bytes"] == [None] * 3
r = v["ratio"]["startup_ms"]
assert math.isclose(r, v["stats"]["startup_ms"]["median"] / c["stats"]["startup_ms"]["median"], rel_tol=1e-6), r
assert d["machine"]["guest_kernel"] and d["machine"]["guest_kernel"] != d["machine"]["host_kernel"]
' || return 1
	python3 - "$T/v.svg" <<'EOF' || return 1
import sys, xml.etree.ElementTree as E
svg = E.parse(sys.argv[1]).getroot()
titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
assert any(t.startswith("vm startup:") for t in titles) and any(t.startswith("container startup:") for t in titles), titles
EOF
	no_leftovers
}

vm_with_qemu_json() {
	"$VMCTL" bench --runs 1 --warmup 0 --modes vm --peers qemu --json busybox true \
		>"$T/q.json" 2>"$T/q.err" || return 1
	jcheck "$T/q.json" '
assert d["baseline"] == "vm"
q = S["qemu"]
assert q["kind"] == "peer" and q["vm"] is True
if q["skipped"]:
    assert "not installed" in q["skipped"], q["skipped"]
else:
    assert q["failures"] == 0, q["first_failure"]
    assert q["version"].startswith("QEMU"), q["version"]
    st = q["stats"]
    assert st["startup_ms"]["n"] == 1 and st["startup_ms"]["median"] < st["total_ms"]["median"] < st["wall_ms"]["median"], st
    assert st["peak_bytes"]["median"] > 0 and q["ratio"]["wall_ms"] > 0
    assert "-M microvm" in q["how"] and "vmctl_root=vda" in q["how"]
    # QEMU exits when the guest resets (-device i8042): without it, wall
    # was total + ~20 s of the kernel polling an absent keyboard controller
    assert st["wall_ms"]["median"] < 2 * st["total_ms"]["median"], st
' || return 1
	no_leftovers
}

t "bench: container and vm modes, --runs 2, JSON fields" both_modes_json
t "bench: vm mode beside QEMU microvm, JSON fields" vm_with_qemu_json
