#!/usr/bin/env bash
# vmctl demo: each classroom demo runs to completion through `vmctl demo TOPIC` (no terminal, no
# pause), shows its key lines, and leaves nothing behind: no runs, no images but busybox, no
# registry process, no temp dir or mount.  Bad topics, and Ctrl-C in the middle of a demo.
# VM runs: kernels 1, memory 1 + the bench's, processes 2.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_base_image

# The demos' temp dirs go under T (leftovers are visible), the memory chart to T/out.
export TMPDIR=$T
export DEMO_OUTPUT_DIR=$T/out
mkdir -p "$DEMO_OUTPUT_DIR"

demo() { "$VMCTL" demo "$@" </dev/null 2>&1; }

# Nothing a demo made outlives it.
nothing_left() {
	expect_eq "$("$VMCTL" ps -a | tail -n +2)" "" "runs left behind"
	expect_eq "$("$VMCTL" images | tail -n +2 | awk '{print $1 ":" $2}')" "busybox:latest" \
		"images left behind"
	expect_eq "$(pgrep -f "docker-registry serve $T/" || true)" "" "registry still running"
	expect_eq "$(grep -c " $T/" /proc/self/mountinfo)" 0 "mounts left under $T"
	expect_eq "$(find "$T" -maxdepth 1 -name 'vmctl-demo.*')" "" "temp dir left behind"
}

# Runs TOPIC; passes when it exits 0, its output (kept in $T/TOPIC.out) has every NEEDLE, and
# nothing is left.
run_demo() { # TOPIC NEEDLE...
	local topic=$1 out rc needle
	shift
	out=$(demo "$topic")
	rc=$?
	echo "$out" >"$T/$topic.out"
	if [ "$rc" != 0 ]; then
		_fail_check "demo $topic exited $rc: $(echo "$out" | grep "^demo $topic:" | tail -n 1)"
		nothing_left
		return 1
	fi
	for needle in "$@"; do
		expect_contains "$out" "$needle" "demo $topic output"
	done
	steps_explained "$T/$topic.out"
	nothing_left
}

# Every step shows "$ CMD", then its output, then one line "  -> why": the commands and the
# explanations alternate, each explanation says something.
steps_explained() { # FILE
	local bad
	bad=$(awk '
		/^\$ / { if (open) { print "no explanation after: " cmd; exit }
			open = 1; cmd = $0; n++; next }
		/^  -> / { if (!open) { print "an explanation without a command: " $0; exit }
			if (length($0) < 12) { print "an empty explanation after: " cmd; exit }
			open = 0; next }
		END { if (open) print "no explanation after: " cmd; else if (n < 2) print "fewer than 2 steps" }
	' "$1")
	expect_eq "$bad" "" "demo steps in $(basename "$1")"
}

kvm_only() { [ -w /dev/kvm ] && "$VMCTL" kernel path >/dev/null 2>&1; }

kernels() {
	local out host
	host=$(uname -r)
	run_demo kernels "container: $host" || return 1
	kvm_only || return 0
	out=$(grep '^vm:' "$T/kernels.out")
	expect_ne "$out" "" "a vm line in the summary"
	expect_not_contains "$out" "$host" "the VM's release is not the host's"
}

memory() {
	if kvm_only; then
		run_demo memory "vmctl: container exit=0" "vmctl: vm exit=0" "guest=" \
			"The chart is $DEMO_OUTPUT_DIR/vmctl-demo-memory.svg" || return 1
	else
		run_demo memory "vmctl: container exit=0" || return 1
	fi
	expect_contains "$(head -c 300 "$DEMO_OUTPUT_DIR/vmctl-demo-memory.svg" 2>&1)" "<svg" \
		"the chart is an SVG"
}

processes() {
	if kvm_only; then
		run_demo processes " sleep 1001" "[kthreadd]" "guest up"
	else
		run_demo processes " sleep 1001"
	fi
}

isolation() {
	run_demo isolation "box-b" "secret of a" "written by a container" "Read-only file system"
}

layers() {
	run_demo layers "A /hello.txt" "hello from my layer" "demo-hello"
}

registry() {
	command -v docker-registry >/dev/null || {
		echo "docker-registry not installed (scripts/setup)"
		return 1
	}
	run_demo registry '"repositories":["class/busybox"]' "pulled from the registry and running"
}

clientserver() {
	run_demo clientserver "Client:" "Server:" "demo-cs"
}

# `vmctl demo` lists the topics; each has its script, executable.
topic_list() {
	local out topics t
	out=$("$VMCTL" demo)
	expect_eq "$?" 0 "listing exit status"
	topics=$(echo "$out" | awk '/^Topics:/ {f = 1; next} f {print $1}')
	expect_eq "$(echo "$topics" | wc -l)" 7 "seven topics"
	for t in $topics; do
		[ -x "$TOP/scripts/demo/$t" ] || _fail_check "no executable scripts/demo/$t"
	done
	# docs/classroom.md: the lesson plan in English and in Portuguese, each over every topic
	python3 - "$TOP/docs/classroom.md" $topics <<'EOF' || return 1
import sys
doc, topics = open(sys.argv[1]).read(), sys.argv[2:]
en, pt = doc.index("\n## English\n"), doc.index("\n## Português")
assert en < pt, "English first, then Portuguese"
for part, name in ((doc[en:pt], "English"), (doc[pt:], "Portuguese")):
    for t in topics:
        assert "`vmctl demo %s`" % t in part, (name, t)
assert "Objetivos" in doc[pt:] and "Goals" in doc[en:pt]
EOF
}

bad_topics() {
	local out t
	out=$("$VMCTL" demo nosuch 2>&1)
	expect_eq "$?" 125 "unknown topic"
	expect_eq "$(echo "$out" | wc -l)" 1 "one line"
	expect_contains "$out" "topics: kernels, memory" "the error lists the topics"
	for t in ../demo/kernels kernels/ lib.sh lib /etc/passwd "" .; do
		expect_status 125 "$VMCTL" demo "$t"
	done
	expect_status 125 "$VMCTL" demo kernels extra
	expect_status 125 "$VMCTL" demo --nosuch kernels
}

# --pause, then Ctrl-C (SIGINT to the demo's process group) while its container runs and the
# demo waits for Enter: everything cleaned up.
interrupted() {
	local pid out
	mkfifo "$T/enter" && exec 3<>"$T/enter"
	# A background job starts with SIGINT ignored; a terminal's Ctrl-C finds it default.
	setsid env --default-signal=INT "$VMCTL" demo processes --pause <&3 >"$T/int.out" 2>&1 &
	pid=$!
	wait_for_output '$ vmctl run -d' || return 1
	sleep 0.5
	expect_eq "$("$VMCTL" ps | tail -n +2)" "" "--pause: nothing runs before Enter"
	echo >&3
	wait_for_output '$ vmctl ps' || return 1
	expect_contains "$("$VMCTL" ps)" demo-sleeper "the demo's container runs"
	kill -INT -- -"$pid"
	wait "$pid"
	expect_eq "$?" 130 "interrupted demo's exit status"
	exec 3>&-
	out=$(cat "$T/int.out")
	expect_contains "$out" "interrupted, cleaning up" "says so"
	nothing_left
}

wait_for_output() { # TEXT: in $T/int.out within 10 s
	for _ in $(seq 100); do
		grep -qF -- "$1" "$T/int.out" && return 0
		sleep 0.1
	done
	_fail_check "no '$1' in the demo's output: $(tail -n 3 "$T/int.out")"
}

t demo_topic_list topic_list
t demo_bad_topics bad_topics
t demo_kernels kernels
t demo_memory memory
t demo_processes processes
t demo_isolation isolation
t demo_layers layers
t demo_registry registry
t demo_clientserver clientserver
t demo_interrupted interrupted
