#!/usr/bin/env bash
# Container runs leave nothing behind: mounts, cgroups, processes, fds.
. "$(dirname "$0")/lib.sh"
ensure_base_image

cgroup_dirs() { ls -d /sys/fs/cgroup/*/vmctl/*/ /sys/fs/cgroup/vmctl/*/ 2>/dev/null | wc -l; }
# Live inits only: one orphaned by a killed vmctl stays a zombie until the
# host's PID 1 reaps it.
init_count() { ps -C vmctl-init -o stat= | grep -vc Z; }

hundred_runs() {
	local mounts_before cg_before init_before i failures=0
	mounts_before=$(wc -l </proc/self/mountinfo)
	cg_before=$(cgroup_dirs)
	init_before=$(init_count)
	for i in $(seq 100); do
		"$VMCTL" run --rm -m 64m --pids-limit 50 -v "$T:/host" busybox true || failures=$((failures + 1))
	done
	expect_eq "$failures" "0" "every run succeeded"
	expect_eq "$(wc -l </proc/self/mountinfo)" "$mounts_before" "no mount left"
	expect_eq "$(cgroup_dirs)" "$cg_before" "no cgroup left"
	expect_eq "$(init_count)" "$init_before" "no process left"
	expect_eq "$(grep -c " $VMCTL_ROOT" /proc/self/mountinfo)" "0" "nothing mounted in the store"
}

fds_inside() {
	# vmctl's own fds (sockets, pidfd, signalfd, cgroup files) never reach the workload
	expect_eq "$("$VMCTL" run --rm busybox ls /proc/self/fd | tr '\n' ' ')" "0 1 2 3 " "only stdio + ls's own"
	expect_eq "$("$VMCTL" run --rm -i busybox ls /proc/self/fd </dev/null | tr '\n' ' ')" "0 1 2 3 " "with -i"
}

# Kills a foreground `vmctl run [--rm] --name NAME busybox sleep SECS` once
# its init is up.
kill_run_named() {
	"$VMCTL" run ${3:+"$3"} --name "$1" busybox sleep "$2" &
	local pid=$! i
	for i in $(seq 250); do
		pgrep -P $pid -x vmctl-init >/dev/null && break
		sleep 0.02
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	sleep 0.3
}

killed_runtime() {
	# vmctl killed with SIGKILL: the container dies with it (no orphan), and
	# cleanup (vmctl rm -f / the next start) removes the rest.
	# A duration no other test uses: the check below counts by command line.
	kill_run_named victim 3031
	expect_eq "$(pgrep -f '^sleep 3031$' | xargs -r ps -o comm= -p | grep -c sleep)" "0" "workload died with vmctl"
	expect_eq "$(init_count)" "0" "init died with vmctl"
	"$VMCTL" rm -f victim >/dev/null 2>&1
	expect_eq "$(cgroup_dirs)" "0" "cgroup removed by cleanup"
	expect_eq "$(grep -c " $VMCTL_ROOT" /proc/self/mountinfo)" "0" "no mount left"
}

killed_then_next_run() {
	# The next run cleans up after a killed vmctl, once its own workload
	# has started; sooner when it wants the name of a dead --rm run (a
	# kept container's name stays taken until `rm`, as Docker's).
	local cg_before
	cg_before=$(cgroup_dirs)
	kill_run_named stale1 3032
	expect_eq "$(cgroup_dirs)" "$((cg_before + 1))" "the killed run's cgroup is left"
	expect_eq "$("$VMCTL" run --rm busybox echo next)" "next" "the next run runs"
	expect_eq "$(cgroup_dirs)" "$cg_before" "the next run removed the killed run's cgroup"
	expect_eq "$("$VMCTL" ps -a | grep -c ' stale1$')" "1" "the killed run is listed as exited"
	"$VMCTL" rm stale1 >/dev/null
	kill_run_named stale2 3033 --rm
	expect_eq "$("$VMCTL" run --rm --name stale2 busybox echo reused 2>"$T/stale2.err")" "reused" "a dead --rm run's name is free for the next run"
	expect_eq "$(cat "$T/stale2.err")" "" "and nothing said about it"
	expect_eq "$(cgroup_dirs)" "$cg_before" "no cgroup left"
	expect_eq "$("$VMCTL" ps -a | grep -c ' stale2$')" "0" "the name went with the --rm run"
}

orphan_cgroups() {
	# A vmctl killed between making a run's cgroup and writing its record
	# leaves an empty cgroup no record names: the next command removes it
	# once it is old enough not to be a starting run's.  Populated or young
	# ones, and those of runs with a record, stay.
	# Where vmctl makes its cgroups: v1's memory hierarchy, else the v2 tree.
	local v1=/sys/fs/cgroup/memory/vmctl old young busy sleeper id
	[ -d /sys/fs/cgroup/memory ] || v1=/sys/fs/cgroup/vmctl
	mkdir -p "$v1"
	old=$v1/$(printf 'a%.0s' $(seq 64)) young=$v1/$(printf 'b%.0s' $(seq 64)) busy=$v1/$(printf 'c%.0s' $(seq 64))
	mkdir "$old" "$young" "$busy"
	sleep 3034 &
	sleeper=$!
	echo $sleeper >"$busy/cgroup.procs"
	id=$("$VMCTL" run -d busybox sleep 3035)
	# -d returns once its monitor runs; the cgroup comes a moment later.
	for _ in $(seq 100); do [ -d "$v1/$id" ] && break; sleep 0.05; done
	touch -d '1 hour ago' "$old" "$busy" "$v1/$id"
	"$VMCTL" ps >/dev/null
	expect_eq "$(test -d "$old" && echo kept || echo removed)" "removed" "an old empty orphan is removed"
	expect_eq "$(test -d "$young" && echo kept || echo removed)" "kept" "a young one stays (a starting run's)"
	expect_eq "$(test -d "$busy" && echo kept || echo removed)" "kept" "a populated one stays"
	expect_eq "$(test -d "$v1/$id" && echo kept || echo removed)" "kept" "a running container's stays"
	kill $sleeper
	wait $sleeper 2>/dev/null
	rmdir "$young"
	for _ in $(seq 50); do rmdir "$busy" 2>/dev/null && break; sleep 0.1; done
	"$VMCTL" rm -f "$id" >/dev/null
	expect_eq "$(test -d "$v1/$id" && echo kept || echo removed)" "removed" "rm -f removes it"
}

t hundred_runs hundred_runs
t fds_inside fds_inside
t killed_runtime killed_runtime
t killed_then_next_run killed_then_next_run
t orphan_cgroups orphan_cgroups
