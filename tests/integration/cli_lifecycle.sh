#!/usr/bin/env bash
# The CLI as a user drives it: bad input, the report, ps/logs/rm/--rm/-d, kill -9 recovery.
. "$(dirname "$0")/lib.sh"
ensure_base_image

bad_input() {
	local out
	out=$("$VMCTL" run --bogus busybox true 2>&1); expect_eq $? 125 "unknown flag"
	expect_contains "$out" "unknown flag"
	expect_eq "$(echo "$out" | wc -l)" 1 "one line"
	out=$("$VMCTL" run -m lots busybox true 2>&1); expect_eq $? 125 "bad memory"
	expect_contains "$out" "invalid memory"
	out=$("$VMCTL" run nosuchimage true 2>&1); expect_eq $? 125 "unknown image"
	expect_contains "$out" "unable to find image"
	out=$("$VMCTL" run 2>&1); expect_eq $? 125 "missing image"
	out=$("$VMCTL" frobnicate 2>&1); expect_eq $? 125 "unknown command"
	out=$("$VMCTL" run --rm busybox /no/such/cmd 2>&1); expect_eq $? 127 "command not found"
	out=$("$VMCTL" run --rm -v /no/such/dir:/x busybox true 2>&1); expect_eq $? 125 "bad volume"
	expect_contains "$out" "/no/such/dir"
	# Nothing was left behind by any of them.
	expect_eq "$("$VMCTL" ps -a | tail -n +2 | wc -l)" 0 "no records left"
}

report_json() {
	local err
	err=$("$VMCTL" run --rm --report=json busybox sh -c 'exit 3' 2>&1 >/dev/null)
	expect_eq $? 3 "exit status propagated"
	local last
	last=$(echo "$err" | tail -n 1)
	for key in '"mode":"container"' '"exit_code":3' '"startup_ms":' '"total_ms":' '"peak_bytes":' '"overhead_bytes":'; do
		expect_contains "$last" "$key"
	done
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert 0 < d["startup_ms"] <= d["total_ms"], d; assert d["memory"]["peak_bytes"] > 0, d; assert d["memory"]["overhead_bytes"] > 0, d' "$last"
}

report_text() {
	local err
	err=$("$VMCTL" run --rm --report busybox true 2>&1 >/dev/null)
	expect_contains "$err" "startup="
	expect_contains "$err" "container exit=0"
}

detached_logs_rm() {
	local id
	id=$("$VMCTL" run -d --name bg1 busybox sh -c 'echo out-line; echo err-line >&2; sleep 30')
	expect_eq "${#id}" 64 "run -d prints the id"
	expect_contains "$("$VMCTL" ps)" "bg1"
	sleep 0.5
	local logs
	logs=$("$VMCTL" logs bg1)
	expect_contains "$logs" "out-line"
	expect_contains "$logs" "err-line"
	"$VMCTL" rm bg1 >/dev/null 2>&1; expect_ne $? 0 "rm of a running run needs -f"
	"$VMCTL" rm -f bg1 >/dev/null; expect_eq $? 0 "rm -f"
	expect_not_contains "$("$VMCTL" ps -a)" "bg1"
}

ps_exited_and_rm() {
	"$VMCTL" run --name done1 busybox sh -c 'exit 7'
	expect_eq $? 7
	local ps
	ps=$("$VMCTL" ps -a)
	expect_contains "$ps" "done1"
	expect_contains "$ps" "Exited (7)"
	expect_not_contains "$("$VMCTL" ps)" "done1" "ps without -a hides exited runs"
	expect_contains "$("$VMCTL" ps -a --json)" '"exit_code":	7'
	expect_contains "$("$VMCTL" inspect done1)" '"status":	"exited"'
	"$VMCTL" run --name done1 busybox true 2>/dev/null; expect_eq $? 125 "names are unique"
	"$VMCTL" rm done1 >/dev/null
	expect_not_contains "$("$VMCTL" ps -a)" "done1"
	expect_eq "$(ls "$VMCTL_ROOT/containers" | wc -l)" 0 "state removed"
}

rm_flag() {
	"$VMCTL" run --rm --name gone1 busybox true
	expect_not_contains "$("$VMCTL" ps -a)" "gone1"
}

# A --rm run's record is written while its init sets up (common/runner.c): a taken name
# then stops a run whose init already exists, and nothing of it may stay.
rm_name_taken() {
	"$VMCTL" run --rm --name taken1 busybox sleep 2 &
	local pid=$! out cgroups
	for _ in $(seq 50); do "$VMCTL" ps | grep -q taken1 && break; sleep 0.1; done
	cgroups=$(ls -d /sys/fs/cgroup/*/vmctl/* 2>/dev/null | wc -l)
	out=$("$VMCTL" run --rm --name taken1 busybox echo never 2>&1); expect_eq $? 125 "a taken name: exit 125"
	expect_contains "$out" "the container name 'taken1' is already in use"
	expect_not_contains "$out" "never" "its workload never ran"
	expect_eq "$(ls -d /sys/fs/cgroup/*/vmctl/* 2>/dev/null | wc -l)" "$cgroups" "no cgroup of it left"
	expect_eq "$("$VMCTL" ps | grep -c taken1)" 1 "the first run is untouched"
	wait $pid; expect_eq $? 0 "the first run ends normally"
	expect_eq "$(ls "$VMCTL_ROOT/run" | wc -l)" 0 "no record left"
	expect_eq "$(ls -A "$VMCTL_ROOT/run/.names" | wc -l)" 0 "no name left"
}

kill9_recovery() {
	"$VMCTL" run --name k9 busybox sleep 6767 &
	local pid=$!
	for _ in $(seq 50); do "$VMCTL" ps | grep -q k9 && break; sleep 0.1; done
	sleep 0.3
	kill -9 $pid
	wait $pid 2>/dev/null
	# The next command notices: the run is marked exited and its mount is gone.
	local ps
	ps=$("$VMCTL" ps -a)
	expect_contains "$ps" "k9"
	expect_contains "$ps" "Exited (137)"
	expect_eq "$(grep -c "$VMCTL_ROOT" /proc/self/mountinfo)" 0 "no mount left"
	# The container's init dies with vmctl (parent-death signal); its pid namespace goes with it.
	for _ in $(seq 50); do pgrep -f '^sleep 6767' >/dev/null || break; sleep 0.1; done
	expect_eq "$(pgrep -f '^sleep 6767' | wc -l)" 0 "no process left"
	"$VMCTL" rm k9 >/dev/null
}

# A foreground --rm run's record is runtime state, kept apart ($VMCTL_RUN_DIR,
# here the private root's run/): listed, its name unique, cleaned after kill -9.
kill9_rm_recovery() {
	local id
	"$VMCTL" run --rm --name k9rm busybox sleep 6768 &
	local pid=$!
	for _ in $(seq 50); do "$VMCTL" ps | grep -q k9rm && break; sleep 0.1; done
	expect_contains "$("$VMCTL" ps)" "k9rm" "ps lists the running --rm run"
	"$VMCTL" run --name k9rm busybox true 2>/dev/null; expect_eq $? 125 "its name is taken for a kept run too"
	id=$("$VMCTL" inspect k9rm | sed -n 's/.*"id":[[:space:]]*"\([0-9a-f]*\)".*/\1/p')
	expect_eq "$(ls "$VMCTL_ROOT/run" | wc -l)" 1 "its record is in the run dir"
	sleep 0.3
	kill -9 $pid
	wait $pid 2>/dev/null
	expect_not_contains "$("$VMCTL" ps -a)" "k9rm" "the next command removes the record"
	expect_eq "$(ls -A "$VMCTL_ROOT/run" "$VMCTL_ROOT/run/.names" | grep -vc -e '^\.names$' -e '^$' -e ':$')" 0 "record and name gone"
	expect_eq "$(ls -d /sys/fs/cgroup/*/vmctl/"$id" 2>/dev/null | wc -l)" 0 "its cgroup removed"
	for _ in $(seq 50); do pgrep -f '^sleep 6768' >/dev/null || break; sleep 0.1; done
	expect_eq "$(pgrep -f '^sleep 6768' | wc -l)" 0 "no process left"
	"$VMCTL" run --rm --name k9rm busybox true; expect_eq $? 0 "the name is free again"
	# Without --name the record is written once the workload started.
	"$VMCTL" run --rm busybox sleep 6769 &
	pid=$!
	for _ in $(seq 50); do "$VMCTL" ps | grep -q 'sleep 6769' && break; sleep 0.1; done
	expect_contains "$("$VMCTL" ps)" "sleep 6769" "ps lists the running unnamed --rm run"
	kill -9 $pid
	wait $pid 2>/dev/null
	expect_not_contains "$("$VMCTL" ps -a)" "sleep 6769" "the next command removes its record"
	expect_eq "$(ls -A "$VMCTL_ROOT/run" "$VMCTL_ROOT/run/.names" | grep -vc -e '^\.names$' -e '^$' -e ':$')" 0 "record and name gone"
}

# bin/vmctl is static (musl) and hands the commands that load shared libraries to
# vmctl-full (cli/main.c); `make asan` builds one glibc binary that does both.
static_and_full() {
	local full out
	full=$(dirname "$VMCTL")/vmctl-full
	if [ ! -x "$full" ]; then
		skip "static bin/vmctl" "no vmctl-full beside $VMCTL (a STATIC=0 build)"
		return 0
	fi
	out=$(LC_ALL=C readelf -d "$VMCTL" 2>&1)
	expect_not_contains "$out" "NEEDED" "bin/vmctl needs no shared library"
	expect_contains "$(LC_ALL=C readelf -d "$full")" "NEEDED" "vmctl-full is the dynamic one"
	# history is one of the commands marked needs_libs (cli/commands.c).
	out=$("$VMCTL" history busybox 2>&1); expect_eq $? 0 "a handed-over command works"
	expect_contains "$out" "CREATED BY"
	# The report's t0 travels in VMCTL_T0_NS and never reaches a workload.
	out=$(VMCTL_T0_NS=12345 "$VMCTL" run --rm busybox env 2>&1)
	expect_not_contains "$out" "VMCTL_T0_NS" "t0 not in the container"
	out=$(VMCTL_T0_NS=12345 "$VMCTL" run --rm --report=json busybox true 2>&1 >/dev/null | tail -n 1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert 0 < d["startup_ms"] < 10000, d' "$out"
	expect_eq $? 0 "a made-up t0 is ignored"
}

t "bad input: one line, exit 125/127, nothing left" bad_input
t "bin/vmctl is static; vmctl-full runs what needs shared libraries" static_and_full
t "--report=json has every field, measured" report_json
t "--report prints a human line" report_text
t "-d, logs, rm -f" detached_logs_rm
t "ps -a shows exited runs; rm removes them" ps_exited_and_rm
t "--rm removes the run" rm_flag
t "--rm with a taken name: 125, nothing left" rm_name_taken
t "kill -9 of vmctl: the next command cleans up" kill9_recovery
t "kill -9 of a --rm run: its runtime record is cleaned up too" kill9_rm_recovery
