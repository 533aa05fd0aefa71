#!/usr/bin/env bash
# vmctl diff, commit and build: a run's writable layer as an image (the seed's lesson), Dockerfile
# builds with their cache, history entries, the refusals, and a built image in --mode=vm.
. "$(dirname "$0")/lib.sh"
ensure_base_image

busybox_id() { "$VMCTL" inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
BASE_ID=$(busybox_id)
n_runs() { ls "$VMCTL_ROOT/containers" 2>/dev/null | grep -vc '^\.' ; }
n_layers() { ls "$VMCTL_ROOT/layers" | wc -l; }

commit_and_diff_lesson() {
	"$VMCTL" run --name writer busybox sh -c \
		'echo hello >/etc/motd; echo extra >>/etc/passwd; rm /etc/hosts; mkdir -p /srv/data; echo x >/srv/data/f' ||
		return 1
	local out
	out=$("$VMCTL" diff writer) || return 1
	expect_eq "$out" "C /etc
D /etc/hosts
A /etc/motd
C /etc/passwd
A /srv
A /srv/data
A /srv/data/f" "diff lists A/C/D like docker diff"
	local id
	id=$("$VMCTL" commit -m "the lesson" writer lesson:v1) || return 1
	expect_contains "$id" "sha256:"
	out=$("$VMCTL" run --rm lesson:v1 sh -c 'cat /etc/motd; tail -n 1 /etc/passwd; cat /srv/data/f; ls /etc/hosts 2>&1')
	expect_eq "$out" "hello
extra
x
ls: /etc/hosts: No such file or directory" "the new image has the run's changes"
	out=$("$VMCTL" history lesson:v1)
	expect_eq "$(echo "$out" | tail -n +2 | wc -l)" 2 "one history row per layer"
	expect_contains "$(echo "$out" | sed -n 2p)" "sh -c echo hello"
	expect_contains "$(echo "$out" | sed -n 2p)" "the lesson"
	expect_contains "$(echo "$out" | sed -n 2p)" "${id:7:12}"
	expect_eq "$("$VMCTL" inspect lesson:v1 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["layers"]))')" 2
	# The original image is unchanged.
	expect_eq "$(busybox_id)" "$BASE_ID" "busybox keeps its id"
	expect_eq "$("$VMCTL" history busybox | tail -n +2 | wc -l)" 1
	out=$("$VMCTL" run --rm busybox sh -c 'ls /etc/motd /srv 2>&1; ls /etc/hosts')
	expect_contains "$out" "/etc/motd: No such file"
	expect_contains "$out" "/etc/hosts"
	# The run's layer stays until rm; a commit without a name is an untagged image.
	id=$("$VMCTL" commit writer) || return 1
	"$VMCTL" images | grep -q "<none>" || _fail_check "untagged commit listed"
	"$VMCTL" rm writer >/dev/null
	expect_status 125 "$VMCTL" diff writer
}

commit_refusals() {
	local out
	out=$("$VMCTL" commit nosuch x:y 2>&1)
	expect_eq $? 125
	expect_contains "$out" "no such container"
	expect_status 125 "$VMCTL" diff nosuch
	expect_status 125 "$VMCTL" commit
	# A running run: refused (decided: a layer taken while the workload writes could hold half
	# a change; Docker pauses the container instead).  diff of a running run is fine.
	"$VMCTL" run -d --name busy busybox sh -c 'touch /running; sleep 30' >/dev/null || return 1
	sleep 0.5
	out=$("$VMCTL" commit busy busy:img 2>&1)
	expect_eq $? 125 "running run refused"
	expect_contains "$out" "is running"
	expect_contains "$("$VMCTL" diff busy)" "A /running"
	"$VMCTL" rm -f busy >/dev/null
	"$VMCTL" images | grep -q '^busy ' && _fail_check "nothing named after a refused commit"
	# A bad name is refused before anything is written.
	"$VMCTL" run --name named busybox true
	expect_status 125 "$VMCTL" commit named 'Bad:Name'
	"$VMCTL" rm named >/dev/null
	return 0
}

make_context() {
	rm -rf "$T/ctx"
	mkdir -p "$T/ctx/conf"
	echo "v1" >"$T/ctx/app.txt"
	echo "setting=1" >"$T/ctx/conf/a.conf"
	chmod 0750 "$T/ctx/conf/a.conf"
	cat >"$T/ctx/Dockerfile" <<'DF'
# a small app
FROM busybox
ENV GREETING="hello there" \
    MODE=test
WORKDIR /app
RUN echo "step-$((40 + 2))-ran" && echo built >/app/built.txt
COPY app.txt .
COPY conf /etc/app/
RUN cat /app/app.txt >/app/copy-of-app.txt
CMD ["sh", "-c", "echo $GREETING; cat /app/copy-of-app.txt"]
DF
}

build_with_cache() {
	make_context
	local out
	out=$("$VMCTL" build -t app:1 "$T/ctx" 2>&1) || { echo "$out"; return 1; }
	expect_contains "$out" "Step 1/8 : FROM busybox"
	expect_contains "$out" "Step 4/8 : RUN echo"
	expect_contains "$out" "step-42-ran" "RUN output is streamed"
	expect_contains "$out" "Successfully tagged app:1"
	expect_not_contains "$out" "Using cache"
	expect_eq "$("$VMCTL" run --rm app:1)" "hello there
v1"
	# The steps' images are untagged and hidden, as Docker's intermediate images; -a shows them.
	expect_eq "$("$VMCTL" images | grep -c '^app ')" 1 "the built image is listed once"
	local shown all
	shown=$("$VMCTL" images | grep -c '<none>')
	all=$("$VMCTL" images -a | grep -c '<none>')
	[ "$all" -ge $((shown + 6)) ] || _fail_check "intermediate images hidden without -a ($shown vs $all)"
	out=$("$VMCTL" run --rm app:1 sh -c 'pwd; echo $MODE; cat /app/built.txt; stat -c %a /etc/app/a.conf; stat -c %a /app')
	expect_eq "$out" "/app
test
built
750
755"
	# Second run: every step from the cache, no RUN executed.
	local id1
	id1=$("$VMCTL" inspect app:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	out=$("$VMCTL" build -t app:1 "$T/ctx" 2>&1) || return 1
	expect_eq "$(echo "$out" | grep -c 'Using cache')" 7 "all 7 steps after FROM cached"
	expect_not_contains "$out" "step-42-ran" "no RUN ran again"
	expect_eq "$("$VMCTL" inspect app:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" "$id1" "same image"
	# Changing a COPY'd file invalidates from that step on.
	echo "v2" >"$T/ctx/app.txt"
	out=$("$VMCTL" build -t app:2 "$T/ctx" 2>&1) || return 1
	expect_eq "$(echo "$out" | grep -c 'Using cache')" 3 "ENV, WORKDIR, RUN cached; COPY and after not"
	expect_not_contains "$(echo "$out" | grep -A1 'Step 5/8')" "Using cache"
	expect_eq "$("$VMCTL" run --rm app:2)" "hello there
v2"
	expect_eq "$("$VMCTL" run --rm app:1)" "hello there
v1" "the first build's image is untouched"
	# A mode change alone also counts.
	chmod 0700 "$T/ctx/conf/a.conf"
	out=$("$VMCTL" build -t app:3 "$T/ctx" 2>&1) || return 1
	expect_eq "$(echo "$out" | grep -c 'Using cache')" 4 "COPY conf re-run after chmod"
	# --no-cache runs everything; -f names another Dockerfile.
	cp "$T/ctx/Dockerfile" "$T/other.df"
	out=$("$VMCTL" build --no-cache -f "$T/other.df" -t app:4 "$T/ctx" 2>&1) || return 1
	expect_not_contains "$out" "Using cache"
	expect_contains "$out" "step-42-ran"
	expect_eq "$(n_runs)" 0 "no RUN container left"
	expect_eq "$(ls "$VMCTL_ROOT/tmp" | wc -l)" 0 "no temp file left"
}

build_history() {
	local out
	out=$("$VMCTL" history --no-trunc app:1) || return 1
	expect_eq "$(echo "$out" | tail -n +2 | wc -l)" 8 "FROM's layer + 7 steps"
	expect_contains "$(echo "$out" | sed -n 2p)" 'CMD ["sh", "-c",'
	expect_contains "$(echo "$out" | grep 'WORKDIR /app')" " 0B "
	expect_contains "$(echo "$out" | grep 'ENV GREETING')" " 0B "
	expect_not_contains "$(echo "$out" | grep 'COPY app.txt')" " 0B "
	python3 - "$VMCTL_ROOT" <<'PY' || _fail_check "config history entries"
import json, os, sys
root = sys.argv[1]
blobs = os.path.join(root, "oci", "blobs", "sha256")
idx = json.load(open(os.path.join(root, "oci", "index.json")))
ref = [m for m in idx["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "app:1"][0]
man = json.load(open(os.path.join(blobs, ref["digest"][7:])))
cfg = json.load(open(os.path.join(blobs, man["config"]["digest"][7:])))
h = cfg["history"]
empty = [e["created_by"] for e in h if e.get("empty_layer")]
assert empty == ['ENV GREETING="hello there" MODE=test', "WORKDIR /app", 'CMD ["sh", "-c", "echo $GREETING; cat /app/copy-of-app.txt"]'], empty
assert len([e for e in h if not e.get("empty_layer")]) == len(man["layers"]) == len(cfg["rootfs"]["diff_ids"]) == 5
PY
}

expect_build_fails() { # DOCKERFILE_TEXT NEEDLE...
	local text=$1
	shift
	mkdir -p "$T/bad"
	printf '%s\n' "$text" >"$T/bad/Dockerfile"
	local out
	out=$("$VMCTL" build -t bad:1 "$T/bad" 2>&1)
	expect_eq $? 125 "build of: $text"
	for needle in "$@"; do
		expect_contains "$out" "$needle"
	done
	"$VMCTL" images | grep -q '^bad ' && _fail_check "a failed build tagged nothing"
	return 0
}

build_refusals() {
	local layers runs
	layers=$(n_layers)
	runs=$(n_runs)
	expect_build_fails 'FROM busybox
RUN true
BOGUS thing' "Dockerfile line 3" "BOGUS"
	expect_build_fails 'FROM nosuch:image' "unable to find image 'nosuch:image'"
	echo secret >"$T/secret"
	expect_build_fails 'FROM busybox
COPY ../secret /x' "outside the build context"
	ln -sf ../secret "$T/bad/link"
	expect_build_fails 'FROM busybox
COPY link /x' "outside the build context"
	ln -sf /etc/passwd "$T/bad/abs"
	expect_build_fails 'FROM busybox
COPY abs /x' "outside the build context"
	expect_build_fails 'FROM busybox
COPY missing /x' "not found in the build context"
	expect_build_fails 'FROM busybox
RUN echo failing-step; exit 3' "step 2/2 (Dockerfile line 2)" "returned a non-zero code: 3" "failing-step"
	expect_build_fails 'FROM busybox
RUN ["/no/such/binary"]' "returned a non-zero code: 127"
	expect_eq "$(n_layers)" "$layers" "no layer left by failed builds"
	expect_eq "$(n_runs)" "$runs" "no RUN container left"
	expect_eq "$(ls "$VMCTL_ROOT/tmp" | wc -l)" 0 "no temp file left"
	expect_status 125 "$VMCTL" build "$T/nosuchdir"
	expect_status 125 "$VMCTL" build -t 'Bad:Name' "$T/ctx"
	expect_status 125 "$VMCTL" build
}

rmi_keeps_cache_sane() {
	# Removing the built image: the next build makes that step again, the rest is cached.
	"$VMCTL" rmi app:4 >/dev/null || return 1
	"$VMCTL" rmi app:3 >/dev/null || return 1
	local out
	out=$("$VMCTL" build -t app:3 "$T/ctx" 2>&1) || { echo "$out"; return 1; }
	expect_contains "$out" "Successfully tagged app:3"
	expect_eq "$("$VMCTL" run --rm app:3)" "hello there
v2"
}

built_image_in_vm() {
	if [ ! -w /dev/kvm ]; then
		skip built_image_in_vm "no writable /dev/kvm"
		return 0
	fi
	local kernel
	kernel=$("$VMCTL" kernel path 2>/dev/null)
	if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
		skip built_image_in_vm "no guest kernel (vmctl kernel build)"
		return 0
	fi
	# One VM run (~10 s here): the committed image's layers, whiteouts included, as the VM's disk.
	expect_eq "$("$VMCTL" run --name vmrun --mode=vm lesson:v1 sh -c 'cat /etc/motd; ls /etc/hosts 2>&1')" "hello
ls: /etc/hosts: No such file or directory"
	# A VM run's writes stay on its own disk copy: no diff, no commit.
	local out
	out=$("$VMCTL" commit vmrun vm:img 2>&1)
	expect_eq $? 125
	expect_contains "$out" "--mode=vm run"
	expect_status 125 "$VMCTL" diff vmrun
	"$VMCTL" rm vmrun >/dev/null
}

t commit_and_diff_lesson commit_and_diff_lesson
t commit_refusals commit_refusals
t build_with_cache build_with_cache
t build_history build_history
t build_refusals build_refusals
t rmi_keeps_cache_sane rmi_keeps_cache_sane
t built_image_in_vm built_image_in_vm
