#!/usr/bin/env bash
# Micro-VM mode as a user sees it: output, exit codes, its own kernel and
# memory, the timeout, a bad kernel, Ctrl-C, and nothing left behind.
# A boot takes seconds on the nested hypervisor: one boot per check, and
# checks share a boot where they can.
. "$(dirname "$0")/lib.sh"
ensure_base_image

if [ ! -w /dev/kvm ]; then
	skip vm_basic "no writable /dev/kvm"
	exit 0
fi
# The guest kernel: the cached build, or VMCTL_TEST_KERNEL.
KERNEL=${VMCTL_TEST_KERNEL:-$("$VMCTL" kernel path 2>/dev/null)}
if [ -z "$KERNEL" ] || [ ! -r "$KERNEL" ]; then
	skip vm_basic "no guest kernel (vmctl kernel build)"
	exit 0
fi

vm() { "$VMCTL" run --rm --mode=vm --kernel "$KERNEL" "$@"; }

# One boot: stdout and stderr apart, the guest's own kernel, -m visible in
# the guest, the workload's exit status.
hello_kernel_memory() {
	local out err status
	out=$(vm -m 256m busybox sh -c \
		'echo hello; uname -r; grep MemTotal /proc/meminfo; echo oops >&2; exit 42' \
		2>"$T/err")
	status=$?
	err=$(cat "$T/err")
	expect_eq "$status" 42 "exit status"
	expect_eq "$(echo "$out" | sed -n 1p)" hello "stdout"
	expect_contains "$err" oops "stderr streamed"
	expect_not_contains "$out" oops "stderr kept off stdout"
	local release
	release=$(echo "$out" | sed -n 2p)
	expect_ne "$release" "$(uname -r)" "guest kernel differs from the host's"
	expect_contains "$release" "6.1" "the guest kernel's release"
	# MemTotal is RAM minus what the kernel keeps: 256 MiB gives > 200 MiB
	local kb
	kb=$(echo "$out" | awk '/MemTotal/ {print $2}')
	[ "${kb:-0}" -gt 200000 ] && [ "${kb:-0}" -le 262144 ] ||
		_fail_check "MemTotal ${kb:-?} kB for -m 256m"
}

exit_codes() {
	expect_status 0 vm busybox true
	expect_status 1 vm busybox false
	expect_status 127 vm busybox /no/such/command
	expect_status 137 vm busybox sh -c 'kill -KILL $$'
}

timeout_ends_run() {
	local start end status err
	start=$(date +%s)
	err=$(vm --timeout 2 busybox sleep 100 2>&1 >/dev/null)
	status=$?
	end=$(date +%s)
	expect_eq "$status" 125 "timeout exit status"
	expect_contains "$err" "timed out" "timeout message"
	[ $((end - start)) -lt 10 ] || _fail_check "took $((end - start)) s for --timeout 2"
}

bad_kernel() {
	local err status
	err=$("$VMCTL" run --rm --mode=vm --kernel /etc/passwd busybox true 2>&1)
	status=$?
	expect_eq "$status" 125 "bad kernel exit status"
	expect_contains "$err" "not a kernel" "bad kernel message"
}

ctrl_c() {
	# "$VMCTL" itself (not the vm function: $! would be a subshell's pid)
	interrupt_after 2 "$T/ctrlc.err" \
		"$VMCTL" run --rm --mode=vm --kernel "$KERNEL" busybox sleep 100
	expect_eq "$?" 130 "SIGINT exit status"
	expect_contains "$(cat "$T/ctrlc.err")" "interrupted" "SIGINT message"
}

nothing_left_behind() {
	# after the runs above: no monitor process, no temporary files
	local procs
	procs=$(pgrep -f "$VMCTL run" | grep -v "^$$\$" || true)
	expect_eq "$procs" "" "no vmctl run process left"
	local junk
	junk=$(find "$VMCTL_ROOT" -name '*.tmp.*' -o -name 'initramfs.cpio.*' 2>/dev/null)
	expect_eq "$junk" "" "no temporary initramfs files"
	# the image part is cached: one more run of the same image adds none
	local before after
	before=$(find "$VMCTL_ROOT/cache/initramfs" -name '*.cpio' | wc -l)
	expect_status 0 vm busybox true
	after=$(find "$VMCTL_ROOT/cache/initramfs" -name '*.cpio' | wc -l)
	expect_eq "$after" "$before" "the image's initramfs part is reused"
	[ "$before" -ge 1 ] || _fail_check "no cached initramfs image part"
}


# The root disk is a per-run copy of the image's ext4: what one VM writes is
# gone in the next, and the cached image itself is never changed.
writes_stay_in_guest() {
	local first second
	first=$(vm busybox sh -c 'cat /persist 2>/dev/null; echo written > /persist; cat /persist')
	expect_eq "$first" "written" "the guest can write its root"
	second=$(vm busybox sh -c 'cat /persist 2>/dev/null || echo absent')
	expect_eq "$second" "absent" "a new VM starts from the image"
	expect_eq "$(ls "$VMCTL_ROOT"/containers 2>/dev/null | grep -vc '^$')" 0 "no per-run disk left"
}

# Bad input before any guest runs: one line, 125, nothing started.
bad_input() {
	local err
	err=$(unshare -m sh -c 'mount -t tmpfs none /dev && "$0" run --rm --mode=vm busybox true' \
		"$VMCTL" 2>&1)
	expect_eq "$?" 125 "no /dev/kvm: exit status"
	expect_contains "$err" "modprobe" "no /dev/kvm: says how to fix it"
	err=$(vm -m 1m busybox true 2>&1)
	expect_eq "$?" 125 "-m 1m: exit status"
	expect_contains "$err" "too small"
	err=$(vm -m 100g busybox true 2>&1)
	expect_eq "$?" 125 "-m 100g: exit status"
	expect_contains "$err" "must be between"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line"
}

# Twenty runs, two at a time: afterwards no process, no file, no mount, no fd of theirs.
twenty_runs_leave_nothing() {
	local before_mounts before_files i
	before_mounts=$(wc -l </proc/self/mountinfo)
	before_files=$(find "$VMCTL_ROOT" -type f | grep -v '/cache/\|/kernel/' | sort)
	for i in $(seq 10); do
		vm busybox true &
		vm busybox sh -c 'exit 3' >/dev/null
		expect_eq "$?" 3 "run $i: the workload's status"
		wait $!
		expect_eq "$?" 0 "run $i: the other one's status"
	done
	expect_eq "$(pgrep -f "$VMCTL run" | wc -l)" 0 "no vmctl left running"
	expect_eq "$(wc -l </proc/self/mountinfo)" "$before_mounts" "no mount left"
	expect_eq "$(find "$VMCTL_ROOT" -type f | grep -v '/cache/\|/kernel/' | sort)" "$before_files" \
		"no file left in the store"
	expect_eq "$(ls "$VMCTL_ROOT/containers" | grep -vc '^\.')" 0 "no record left"
}

# A guest kernel that panics while booting (no root file system to mount):
# exit 125 and the kernel's own reason, nothing left behind.
guest_panics() {
	local err
	err=$(VMCTL_VM_CMDLINE="rdinit=/nonexistent" "$VMCTL" run --rm --mode=vm busybox true 2>&1)
	expect_eq "$?" 125 "panic exit status"
	expect_contains "$err" "guest kernel panicked" "says it panicked"
	expect_contains "$err" "Unable to mount root" "and why"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line"
}

# A guest that never reports (here: a boot slower than the watchdog allows):
# the run ends by itself with 125, it does not wait forever.
guest_never_reports() {
	local err start end monitors
	monitors=$(pgrep -c vmctl-vmm)
	start=$(date +%s)
	err=$(VMCTL_VM_BOOT_TIMEOUT=1 "$VMCTL" run --rm --mode=vm --boot=cold busybox true 2>&1)
	expect_eq "$?" 125 "exit status"
	end=$(date +%s)
	expect_contains "$err" "no report from the guest within 1 s"
	[ $((end - start)) -lt 15 ] || _fail_check "took $((end - start)) s"
	[ "$(pgrep -c vmctl-vmm)" -le "$monitors" ] || _fail_check "a monitor process was left"
}

t vm_bad_input bad_input
t "a guest kernel that panics" guest_panics
t "a guest that never reports" guest_never_reports
t vm_hello_kernel_memory hello_kernel_memory
t vm_exit_codes exit_codes
t vm_timeout timeout_ends_run
t vm_bad_kernel bad_kernel
t vm_ctrl_c ctrl_c
t vm_nothing_left_behind nothing_left_behind
t vm_twenty_runs_leave_nothing twenty_runs_leave_nothing
t "a VM's writes stay in that VM" writes_stay_in_guest
