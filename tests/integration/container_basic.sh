#!/usr/bin/env bash
# Container mode as a user sees it: output, exit codes, PID 1, identity, isolation.
. "$(dirname "$0")/lib.sh"
ensure_base_image

run() { "$VMCTL" run --rm "$@"; }

hello() {
	expect_eq "$(run busybox echo hello)" "hello" "stdout streamed"
	expect_eq "$(run busybox sh -c 'echo oops >&2' 2>&1 >/dev/null)" "oops" "stderr streamed"
}

exit_codes() {
	expect_status 0 run busybox true
	expect_status 1 run busybox false
	expect_status 42 run busybox sh -c 'exit 42'
	expect_status 127 run busybox /no/such/command
	expect_status 126 run busybox /etc      # a directory: cannot execute
	expect_status 126 run busybox /etc/passwd # not executable
	expect_status 143 run busybox sh -c 'kill -TERM $$'
	expect_status 137 run busybox sh -c 'kill -KILL $$'
}

pid1() {
	# A tiny init is PID 1 (reaps, forwards signals); the workload is its child.
	expect_eq "$(run busybox cat /proc/1/comm)" "vmctl-init" "init is PID 1"
	expect_eq "$(run busybox sh -c 'echo $$')" "2" "workload is PID 2"
	# Only the container's own processes are visible.
	local n
	n=$(run busybox sh -c 'set -- /proc/[0-9]*; echo $#')
	expect_eq "$n" "2" "init and sh only"
	# Orphans are reaped: no zombie remains after a double fork.
	local z
	z=$(run busybox sh -c '(sleep 0.1 &) ; sleep 0.4; grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l')
	expect_eq "$z" "0" "no zombies"
}

identity() {
	expect_eq "$(run --hostname box1 busybox hostname)" "box1" "hostname"
	# vmctl steps back (nice +10) while the init sets up; the workload keeps the caller's nice.
	local mine
	mine=$(cut -d" " -f19 /proc/$$/stat)
	expect_eq "$(run busybox sh -c 'cut -d" " -f19 /proc/self/stat')" "$mine" "the caller's nice"
	expect_eq "$(nice -n 3 "$VMCTL" run --rm busybox sh -c 'cut -d" " -f19 /proc/self/stat')" \
		"$((mine + 3 > 19 ? 19 : mine + 3))" "nice -n 3 inherited"
	expect_eq "$(run -e FOO=bar busybox sh -c 'echo $FOO')" "bar" "env"
	expect_eq "$(run -w /tmp busybox pwd)" "/tmp" "workdir"
	expect_eq "$(run -w /new/dir busybox pwd)" "/new/dir" "missing workdir created"
	expect_eq "$(run busybox uname -r)" "$(uname -r)" "same kernel as the host"
	# The workload is root:root, not whatever group vmctl was started with.
	expect_eq "$(setpriv --regid=1 --groups=1,2 -- "$VMCTL" run --rm busybox id)" \
		"uid=0(root) gid=0(root) groups=0(root)" "host gid and groups not lent"
	expect_eq "$(run busybox cat /proc/self/cgroup | grep memory)" "4:memory:/" "cgroup namespace"
}

devices_and_mounts() {
	local out
	out=$(run busybox sh -c 'ls /dev | tr "\n" " "')
	for d in null zero full random urandom tty ptmx pts shm fd stdin stdout stderr; do
		expect_contains "$out" "$d" "/dev/$d"
	done
	expect_eq "$(run busybox sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c')" "4" "null and zero work"
	expect_eq "$(run busybox readlink /dev/ptmx)" "pts/ptmx" "ptmx link"
	# read-only /sys and /proc/sys, masked paths
	expect_status 1 run busybox sh -c 'echo 1 > /proc/sys/kernel/domainname'
	expect_status 1 run busybox touch /sys/x
	expect_eq "$(run busybox cat /proc/kcore | wc -c)" "0" "kcore masked"
	expect_eq "$(run busybox ls /sys/firmware | wc -l)" "0" "/sys/firmware masked"
	out=$(run busybox cat /proc/self/mountinfo)
	expect_contains "$out" " / / " "pivoted root"
	expect_not_contains "$out" "$VMCTL_ROOT/images" "no host paths as mount points"
}

network() {
	local out
	out=$(run busybox cat /sys/class/net/lo/operstate /sys/class/net/lo/flags)
	expect_contains "$out" "0x9" "lo is up (IFF_UP|IFF_LOOPBACK)"
	expect_eq "$(run busybox ls /sys/class/net)" "lo" "only loopback"
	expect_status 0 run busybox ping -c1 -W1 127.0.0.1
}

security() {
	local out
	out=$(run busybox cat /proc/self/status)
	expect_contains "$out" "CapEff:	00000000a80425fb" "Docker's default capabilities"
	expect_contains "$out" "CapBnd:	00000000a80425fb" "bounding set reduced"
	expect_contains "$(run busybox cat /proc/1/status)" "CapBnd:	00000000a80425fb" "the init's bounding set too"
	expect_contains "$out" "CapAmb:	0000000000000000" "no ambient caps"
	expect_contains "$out" "NoNewPrivs:	1"
	expect_contains "$out" "Seccomp:	2" "seccomp filter on"
	# CAP_SYS_ADMIN gone: no mount; seccomp: no unshare of namespaces
	expect_status 1 run busybox mount -t tmpfs none /mnt
	expect_status 1 run busybox unshare -m true
	# fds: only 0 1 2 and the one ls opens for /proc/self/fd
	expect_eq "$(run busybox ls /proc/self/fd | tr '\n' ' ')" "0 1 2 3 " "no leaked fds"
	expect_eq "$(run busybox sh -c 'readlink /proc/self/fd/0')" "/dev/null" "stdin is /dev/null without -i"
}

isolation() {
	# A file created in one container is absent in the next one...
	run busybox sh -c 'echo secret > /tmp/mine' >/dev/null
	expect_status 1 run busybox test -e /tmp/mine
	# ...and the image itself is untouched.
	expect_eq "$(find "$VMCTL_ROOT/layers" -name mine | wc -l)" "0" "image not modified"
	# ...but two containers share what they put in the same volume.
	mkdir -p "$T/shared"
	run -v "$T/shared:/shared" busybox sh -c 'echo hi > /shared/note'
	expect_eq "$(run -v "$T/shared:/shared" busybox cat /shared/note)" "hi" "shared via volume"
	# Other namespaces: ipc, uts, pid, net differ from the host's.
	for ns in ipc uts pid net mnt cgroup; do
		expect_ne "$(run busybox readlink /proc/self/ns/$ns)" "$(readlink /proc/self/ns/$ns)" "$ns namespace"
	done
}

t hello hello
t exit_codes exit_codes
t pid1 pid1
t identity identity
t devices_and_mounts devices_and_mounts
t network network
t security security
t isolation isolation
