#!/usr/bin/env bash
# Container signals, timeout, stdin and the -t terminal.
. "$(dirname "$0")/lib.sh"
ensure_base_image

run() { "$VMCTL" run --rm "$@"; }

# Starts a run in the background, waits until the init's descendants DEPTH
# levels down exist (1: the workload; 2: its child, so a shell had time to
# set its traps), sends SIG to vmctl and echoes vmctl's exit status.
signal_status() {
	local sig=$1 depth=$2
	shift 2
	"$VMCTL" run --rm "$@" &
	local pid=$! i p d
	for i in $(seq 250); do
		p=$(pgrep -P $pid -x vmctl-init)
		for d in $(seq "$depth"); do
			[ -n "$p" ] && p=$(pgrep -P "$p" | head -n 1)
		done
		[ -n "$p" ] && break
		sleep 0.02
	done
	[ -n "$p" ] || echo "workload never started" >&2
	kill -"$sig" $pid
	wait $pid
	echo $?
}

forwarded_signals() {
	# sleep has no handlers: it dies of the forwarded signal, like outside
	expect_eq "$(signal_status TERM 1 busybox sleep 30)" "143" "SIGTERM -> 143"
	expect_eq "$(signal_status INT 1 busybox sleep 30)" "130" "SIGINT -> 130"
	expect_eq "$(signal_status HUP 1 busybox sleep 30)" "129" "SIGHUP -> 129"
	expect_eq "$(signal_status USR1 1 busybox sleep 30)" "138" "SIGUSR1 -> 138"
	# a workload that handles the signal decides its own exit status
	expect_eq "$(signal_status TERM 2 busybox sh -c 'trap "exit 7" TERM; sleep 30 & wait')" "7" "trapped"
}

timeout_kills() {
	local start=$SECONDS out
	out=$(run --timeout 1 busybox sleep 30 2>&1)
	expect_eq $? 137 "killed"
	[ $((SECONDS - start)) -lt 5 ] || _fail_check "took $((SECONDS - start)) s"
	expect_status 0 run --timeout 5 busybox true
}

stdin_handling() {
	expect_eq "$(echo piped | run -i busybox cat)" "piped" "-i keeps stdin"
	expect_eq "$(echo piped | run busybox cat)" "" "without -i stdin is /dev/null"
}

tty_mode() {
	command -v python3 >/dev/null || { skip tty_mode "no python3"; return 0; }
	local out
	out=$(python3 - "$VMCTL" <<'PY'
import os, pty, sys, fcntl, termios, struct, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "run", "--rm", "-t", "-i", "busybox", "sh"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
time.sleep(0.5)
os.write(fd, b"echo hi-$((40+2)); tty; stty size; exit 7\n")
out, end = b"", time.time() + 10
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if fd in r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
_, st = os.waitpid(pid, 0)
print(out.decode(errors="replace"))
print("status", os.waitstatus_to_exitcode(st))
PY
)
	expect_contains "$out" "hi-42" "shell ran in the pty"
	expect_contains "$out" "/dev/pts/0" "the container's own devpts"
	expect_contains "$out" "33 111" "window size propagated"
	expect_contains "$out" "status 7" "exit status"
}

t forwarded_signals forwarded_signals
t timeout_kills timeout_kills
t stdin_handling stdin_handling
t tty_mode tty_mode
