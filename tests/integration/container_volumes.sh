#!/usr/bin/env bash
# Container volumes: rw, :ro, files, missing host paths, symlink escapes.
. "$(dirname "$0")/lib.sh"
ensure_base_image

run() { "$VMCTL" run --rm "$@"; }

read_write() {
	mkdir -p "$T/v" && echo host > "$T/v/in"
	expect_eq "$(run -v "$T/v:/data" busybox cat /data/in)" "host" "host file visible"
	run -v "$T/v:/data" busybox sh -c 'echo container > /data/out'
	expect_eq "$(cat "$T/v/out")" "container" "container write visible on the host"
	# a target that does not exist in the image is created (in the container's layer)
	expect_eq "$(run -v "$T/v:/a/b/c" busybox cat /a/b/c/in)" "host" "deep target"
	expect_eq "$(find "$VMCTL_ROOT/layers" -path '*a/b/c' | wc -l)" "0" "image untouched"
}

read_only() {
	mkdir -p "$T/ro" && echo keep > "$T/ro/f"
	expect_status 1 run -v "$T/ro:/data:ro" busybox sh -c 'echo x > /data/f'
	expect_status 1 run -v "$T/ro:/data:ro" busybox touch /data/new
	expect_eq "$(cat "$T/ro/f")" "keep" "unchanged"
	expect_eq "$(ls "$T/ro")" "f" "nothing created"
	expect_eq "$(run -v "$T/ro:/data:ro" busybox cat /data/f)" "keep" "still readable"
	# MS_REC: a mount below the volume's host path comes along, read-only too
	mkdir -p "$T/ro/sub" && mount -t tmpfs none "$T/ro/sub" && echo deep > "$T/ro/sub/x"
	expect_eq "$(run -v "$T/ro:/data:ro" busybox cat /data/sub/x)" "deep" "recursive bind"
	expect_status 1 run -v "$T/ro:/data:ro" busybox touch /data/sub/y
	umount "$T/ro/sub"
}

single_file() {
	echo "one file" > "$T/file"
	expect_eq "$(run -v "$T/file:/etc/injected:ro" busybox cat /etc/injected)" "one file"
}

missing_host_path() {
	local out
	out=$(run -v "$T/nope:/x" busybox true 2>&1)
	expect_eq $? 125 "runtime error"
	expect_contains "$out" "$T/nope" "names the path"
}

symlink_escape() {
	# A volume whose content plants links pointing out of the root; a second
	# volume mounted through them must land inside the container, not on the host.
	mkdir -p "$T/evil" "$T/v2" && echo payload > "$T/v2/p"
	ln -s /etc "$T/evil/abs"
	ln -s ../../../../../../../../etc "$T/evil/rel"
	run -v "$T/evil:/evil" -v "$T/v2:/evil/abs/vmctl-escape-abs" busybox ls /etc/vmctl-escape-abs >"$T/o1" 2>&1
	expect_eq "$(cat "$T/o1")" "p" "absolute link resolved inside the root"
	run -v "$T/evil:/evil" -v "$T/v2:/evil/rel/vmctl-escape-rel" busybox ls /etc/vmctl-escape-rel >"$T/o2" 2>&1
	expect_eq "$(cat "$T/o2")" "p" "dot-dot link clamped at the root"
	[ ! -e /etc/vmctl-escape-abs ] || _fail_check "escaped to the host's /etc (abs)"
	[ ! -e /etc/vmctl-escape-rel ] || _fail_check "escaped to the host's /etc (rel)"
	rmdir /etc/vmctl-escape-abs /etc/vmctl-escape-rel 2>/dev/null
	# a link to a missing place is refused, not created on the host
	ln -s /tmp/vmctl-escape-missing "$T/evil/dangling"
	expect_status 125 run -v "$T/evil:/evil" -v "$T/v2:/evil/dangling/x" busybox true
	[ ! -e /tmp/vmctl-escape-missing ] || _fail_check "created on the host"
	return 0
}

t read_write read_write
t read_only read_only
t single_file single_file
t missing_host_path missing_host_path
t symlink_escape symlink_escape
