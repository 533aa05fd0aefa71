#!/usr/bin/env bash
# Boot snapshots, as a user meets them: the first VM run of an image boots
# and saves the booted guest; the next ones restore it.  Restored runs must
# behave like booted ones (output, exit codes, a fresh root disk, the
# signal path), get their own clock and entropy, and a broken snapshot
# must only cost a boot.
. "$(dirname "$0")/lib.sh"
ensure_base_image

if [ ! -w /dev/kvm ]; then
	skip vm_snapshot "no writable /dev/kvm"
	exit 0
fi
export VMCTL_KERNEL_CACHE=${VMCTL_KERNEL_CACHE:-/var/lib/vmctl/kernel}
if ! "$VMCTL" kernel path >/dev/null 2>&1; then
	skip vm_snapshot "no guest kernel (vmctl kernel build)"
	exit 0
fi

SNAPS=$VMCTL_ROOT/cache/vm-snapshot
vm() { "$VMCTL" run --rm --mode=vm "$@"; }
json_field() { # FILE KEY: the value of KEY in the report (last stderr line)
	tail -n 1 "$1" | python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print(str(v).lower() if isinstance(v,bool) else v)' "$2"
}

first_boots_then_restores() {
	rm -rf "$SNAPS"
	local out1 out2
	out1=$(vm --report=json busybox uname -r 2>"$T/r1")
	expect_eq "$?" 0 "first run"
	expect_eq "$(json_field "$T/r1" boot)" cold "the first run boots"
	expect_eq "$(json_field "$T/r1" snapshot_saved)" true "and saves a snapshot"
	expect_eq "$(find "$SNAPS" -mindepth 2 -name state | wc -l)" 1 "one snapshot on disk"
	out2=$(vm --report=json busybox uname -r 2>"$T/r2")
	expect_eq "$?" 0 "second run"
	expect_eq "$(json_field "$T/r2" boot)" snapshot "the second run restores"
	expect_eq "$(json_field "$T/r2" snapshot_saved)" false "and saves nothing"
	expect_eq "$out2" "$out1" "the same guest kernel answers"
	expect_eq "$(json_field "$T/r2" kernel)" "$out1" "the report names the guest kernel"
}

restored_runs_behave() {
	local out status
	out=$(vm --hostname snapbox busybox sh -c 'echo out; echo err >&2; hostname; exit 42' 2>"$T/err")
	status=$?
	expect_eq "$status" 42 "exit status of a restored run"
	expect_eq "$out" "$(printf 'out\nsnapbox')" "stdout and the run's hostname"
	expect_contains "$(cat "$T/err")" err "stderr"
	expect_status 127 vm busybox /no/such/command
	expect_status 137 vm busybox sh -c 'kill -KILL $$'
	out=$(vm -e GREETING=hi -w /tmp busybox sh -c 'echo $GREETING; pwd')
	expect_eq "$out" "$(printf 'hi\n/tmp')" "env and workdir reach a restored guest"
	# the guest's own /sys: its root disk, sized as the image's ext4 file
	local disk
	disk=$(ls "$VMCTL_ROOT"/cache/disk/*.ext4 | head -1)
	out=$(vm busybox cat /sys/block/vda/size)
	expect_eq "$out" "$(($(stat -c %s "$disk") / 512))" "/sys/block/vda/size in the guest"
}

writes_stay_in_each_run() {
	local a b
	a=$(vm busybox sh -c 'cat /persist 2>/dev/null; echo one > /persist; cat /persist')
	expect_eq "$a" one "a restored guest can write its root"
	b=$(vm busybox sh -c 'cat /persist 2>/dev/null || echo absent')
	expect_eq "$b" absent "the next restored guest starts from the image"
}

fresh_clock_and_entropy() {
	local a b host guest
	a=$(vm busybox cat /proc/sys/kernel/random/uuid)
	b=$(vm busybox cat /proc/sys/kernel/random/uuid)
	expect_ne "$a" "" "a uuid"
	expect_ne "$a" "$b" "two restored guests draw different random numbers"
	host=$(date +%s)
	guest=$(vm busybox date +%s)
	[ $((guest - host)) -ge -5 ] && [ $((guest - host)) -le 30 ] ||
		_fail_check "guest clock $guest, host $host"
}

cold_boot_on_request() {
	vm --boot=cold --report=json busybox true 2>"$T/cold"
	expect_eq "$?" 0 "--boot=cold runs"
	expect_eq "$(json_field "$T/cold" boot)" cold "--boot=cold boots"
	local err
	err=$(vm --boot=warm busybox true 2>&1)
	expect_eq "$?" 125 "a bad --boot"
	expect_contains "$err" "want snapshot or cold"
}

broken_snapshot_costs_a_boot() {
	local state
	state=$(find "$SNAPS" -mindepth 2 -name state | head -1)
	[ -n "$state" ] || { _fail_check "no snapshot to break"; return; }
	printf 'garbage' >"$state"
	vm --report=json busybox true 2>"$T/b1"
	expect_eq "$?" 0 "a run over a broken snapshot"
	expect_eq "$(json_field "$T/b1" boot)" cold "boots instead"
	expect_eq "$(json_field "$T/b1" snapshot_saved)" true "and saves a good one"
	# memory file of the wrong size: refused the same way
	truncate -s 4096 "$(dirname "$state")/memory"
	vm --report=json busybox true 2>"$T/b2"
	expect_eq "$(json_field "$T/b2" boot)" cold "a truncated memory file: boot"
	vm --report=json busybox true 2>"$T/b3"
	expect_eq "$(json_field "$T/b3" boot)" snapshot "then restored again"
	# well-formed but not restorable (a device that is not there): the
	# restore fails before the guest runs, and the run boots instead
	state=$(find "$SNAPS" -mindepth 2 -name state | head -1)
	python3 -c 'import sys; p=sys.argv[1]; b=open(p,"rb").read(); assert b"serial\0" in b; open(p,"wb").write(b.replace(b"serial\0", b"serjal\0"))' "$state"
	vm --report=json busybox sh -c 'echo once' >"$T/b4.out" 2>"$T/b4"
	expect_eq "$?" 0 "a run over an unrestorable snapshot"
	expect_eq "$(cat "$T/b4.out")" once "the workload ran once"
	expect_eq "$(json_field "$T/b4" boot)" cold "it booted instead"
	expect_eq "$(json_field "$T/b4" snapshot_saved)" true "and saved a good snapshot"
}

# The guest's timer must run after a restore (the local APIC's TSC deadline
# is re-armed after the APIC itself): a restored `sleep` wakes up.
timers_run_after_restore() {
	local start end
	start=$(date +%s%N)
	timeout 60 "$VMCTL" run --rm --mode=vm --report=json busybox sleep 2 2>"$T/sl"
	expect_eq "$?" 0 "a restored sleep 2 ends"
	end=$(date +%s%N)
	expect_eq "$(json_field "$T/sl" boot)" snapshot "restored"
	[ $(((end - start) / 1000000)) -ge 2000 ] || _fail_check "slept less than 2 s"
}

ctrl_c_restored() {
	interrupt_after 2 "$T/int.err" "$VMCTL" run --rm --mode=vm busybox sleep 100
	expect_eq "$?" 130 "SIGINT exit status"
}

old_snapshots_pruned() {
	rm -rf "$SNAPS"
	mkdir -p "$SNAPS"
	local i
	for i in $(seq 10); do
		mkdir "$SNAPS/boot-old$i"
		touch -d "2020-01-0$((i % 9 + 1))" "$SNAPS/boot-old$i"
	done
	vm --report=json busybox true 2>"$T/p"
	expect_eq "$(json_field "$T/p" snapshot_saved)" true "a new snapshot"
	expect_eq "$(ls "$SNAPS" | wc -l)" 8 "only the newest eight kept"
	expect_eq "$(find "$SNAPS" -mindepth 2 -name state | wc -l)" 1 "the new one among them"
}

nothing_left_behind() {
	local junk
	junk=$(find "$SNAPS" -maxdepth 1 -name '*.tmp.*' 2>/dev/null)
	expect_eq "$junk" "" "no half-written snapshot"
	expect_eq "$(ls "$VMCTL_ROOT"/containers 2>/dev/null | grep -vc '^$')" 0 "no run left"
}

t "the first VM run boots and saves, the next restores" first_boots_then_restores
t "restored runs: output, exit codes, env, workdir, hostname" restored_runs_behave
t "restored runs: each starts from the image" writes_stay_in_each_run
t "restored runs: own clock and entropy" fresh_clock_and_entropy
t "--boot=cold" cold_boot_on_request
t "a broken snapshot costs a boot, never a failure" broken_snapshot_costs_a_boot
t "timers run after a restore (sleep)" timers_run_after_restore
t "Ctrl-C stops a restored VM" ctrl_c_restored
t "old snapshots are pruned" old_snapshots_pruned
t "snapshots leave nothing behind" nothing_left_behind
