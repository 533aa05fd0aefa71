#!/usr/bin/env bash
# Container cgroup limits: memory (OOM kill, exit 137), pids (fork bomb), cpus.
. "$(dirname "$0")/lib.sh"
ensure_base_image

run() { "$VMCTL" run --rm "$@"; }

# The container's cgroup dirs (v1: <ctrl>/vmctl/<id>; v2: vmctl/<id>).
cgroup_dirs() {
	ls -d /sys/fs/cgroup/*/vmctl/*/ /sys/fs/cgroup/vmctl/*/ 2>/dev/null
}

memory_hog_killed() {
	# 100 MB of 'a' held in a shell variable under a 32 MB limit
	run -m 32m busybox sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived' >"$T/hog.out" 2>&1
	expect_eq $? 137 "OOM-killed"
	expect_not_contains "$(cat "$T/hog.out")" "survived"
	# Under the limit, the same workload size is fine.
	expect_status 0 run -m 32m busybox sh -c 'x=$(head -c 1000000 /dev/zero | tr "\0" a)'
}

memory_peak_reported() {
	local err
	err=$(run --report=json busybox sh -c 'x=$(head -c 20000000 /dev/zero | tr "\0" a)' 2>&1 >/dev/null | tail -n 1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); p=d["memory"]["peak_bytes"]; assert p > 20e6, p' "$err" ||
		_fail_check "peak below 20 MB: $err"
}

fork_bomb_stopped() {
	local out
	out=$(run --pids-limit 20 busybox sh -c 'i=0; while [ $i -lt 50 ]; do sleep 3 & i=$((i+1)); done; echo all-started' 2>&1)
	expect_not_contains "$out" "all-started" "50 processes under a limit of 20"
	expect_contains "$out" "fork" "the shell could not fork"
	# A real fork bomb is contained: the run ends when its shell does (the
	# init's exit takes the rest of the namespace), well before the timeout.
	local start=$SECONDS
	run --pids-limit 30 --timeout 20 busybox sh -c 'b() { b | b & }; b; sleep 1' >/dev/null 2>&1
	expect_ne $? 137 "not ended by the timeout"
	[ $((SECONDS - start)) -lt 15 ] || _fail_check "the bomb ran $((SECONDS - start)) s"
	expect_eq "$(cgroup_dirs | wc -l)" "0" "cgroups removed after the bomb"
}

cpu_quota_set() {
	run --cpus 0.5 busybox sleep 2 &
	local pid=$! q="" i
	for i in $(seq 50); do
		q=$(cat /sys/fs/cgroup/cpu/vmctl/*/cpu.cfs_quota_us /sys/fs/cgroup/vmctl/*/cpu.max 2>/dev/null | head -n 1)
		[ -n "$q" ] && break
		sleep 0.05
	done
	wait $pid
	case "$q" in
	50000 | "50000 100000") ;;
	*) _fail_check "cpu quota: got '$q'" ;;
	esac
}

# A --rm run's writable layer is a tmpfs of its own mount namespace: -m bounds
# it, the host's disk never sees it, and a kept run's layer is on disk instead.
writable_layer_placement() {
	local out status
	out=$(run -m 48m busybox df /)
	expect_contains "$out" "49152" "the tmpfs is sized by -m"
	# Its pages count against -m: a writer of 64 MiB into a 32 MiB layer is stopped
	# (ENOSPC, or the OOM killer takes it or its shell): never a clean exit.
	run -m 32m busybox dd if=/dev/zero of=/big bs=1M count=64 >/dev/null 2>&1
	status=$?
	expect_ne "$status" 0 "64 MiB written into a -m 32m layer"
	expect_eq "$(ls "$VMCTL_ROOT/containers" | grep -v '^\.' | wc -l)" 0 "--rm leaves no run dir"
	"$VMCTL" run --name keep busybox sh -c 'echo kept >/kept' >/dev/null
	local id
	id=$("$VMCTL" inspect keep | sed -n 's/.*"id":[[:space:]]*"\([0-9a-f]*\)".*/\1/p' | head -1)
	expect_eq "$(cat "$VMCTL_ROOT/containers/$id/upper/kept" 2>&1)" kept "a kept run's layer is on disk"
	"$VMCTL" rm keep >/dev/null
}

limits_cleaned_up() {
	run -m 64m --cpus 1 --pids-limit 10 busybox true
	expect_eq "$(cgroup_dirs | wc -l)" "0" "no cgroup left"
}

t memory_hog_killed memory_hog_killed
t memory_peak_reported memory_peak_reported
t fork_bomb_stopped fork_bomb_stopped
t cpu_quota_set cpu_quota_set
t writable_layer_placement writable_layer_placement
t limits_cleaned_up limits_cleaned_up
