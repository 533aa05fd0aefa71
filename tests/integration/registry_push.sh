#!/usr/bin/env bash
# push against Debian's docker-registry on loopback: push, rmi, pull, run (container and one VM),
# chunked uploads, cross-repository mounts, and a registry with htpasswd (Basic) auth.
. "$(dirname "$0")/lib.sh"
ensure_base_image
. "$(dirname "$0")/registry_lib.sh"
need_registry_tools htpasswd
# Registries start here, not inside a test (tests run in subshells): one plain, one for the
# chunked push (a fresh one, so nothing is there to skip or mount), one with htpasswd auth.
htpasswd -Bbn alice s3cret-pw >"$T/htpasswd" || exit 1
start_registry "$T/htpasswd" || exit 1
AUTH_REG=$REG AUTH_LOG=$REG_LOG
start_registry || exit 1
CHUNK_REG=$REG CHUNK_LOG=$REG_LOG
start_registry || exit 1

push_pull_run() {
	local out
	"$VMCTL" tag busybox "$REG/app:1" || return 1
	out=$("$VMCTL" push --insecure "$REG/app:1" 2>&1) || { echo "$out"; return 1; }
	expect_contains "$out" "2 uploaded" "config and layer uploaded"
	expect_eq "$(curl -s "http://$REG/v2/_catalog")" '{"repositories":["app"]}' "registry has the repo"
	"$VMCTL" rmi "$REG/app:1" >/dev/null || return 1
	expect_not_contains "$("$VMCTL" images)" "$REG/app" "gone after rmi"
	"$VMCTL" pull --insecure "$REG/app:1" >/dev/null || return 1
	expect_eq "$("$VMCTL" run --rm "$REG/app:1" echo pushed-and-pulled)" "pushed-and-pulled" \
		"runs as a container"
	out=$("$VMCTL" push --insecure "$REG/app:1" 2>&1)
	expect_contains "$out" "2 already there" "second push uploads nothing"
}

run_in_vm() {
	[ -w /dev/kvm ] || { skip run_in_vm "no writable /dev/kvm"; return 0; }
	expect_eq "$("$VMCTL" run --rm --mode=vm "$REG/app:1" echo in-vm | tr -d '\r')" "in-vm" \
		"pulled image runs as a VM"
}

# The registry must see PATCHes with Content-Range, and still hold the right blob.
chunked_push() {
	local out REG=$CHUNK_REG
	"$VMCTL" tag busybox "$REG/chunked:1"
	out=$(VMCTL_PUSH_CHUNK_SIZE=64k "$VMCTL" push --insecure "$REG/chunked:1" 2>&1) ||
		{ echo "$out"; return 1; }
	expect_ne "$(grep -c '"PATCH ' "$CHUNK_LOG")" 0 "chunks were PATCHed"
	"$VMCTL" rmi "$REG/chunked:1" >/dev/null
	# A fresh store: every blob comes from the registry and is verified again.
	VMCTL_ROOT=$T/fresh "$VMCTL" pull --insecure "$REG/chunked:1" >/dev/null || return 1
	expect_eq "$(VMCTL_ROOT=$T/fresh "$VMCTL" run --rm "$REG/chunked:1" echo chunked-ok)" \
		"chunked-ok" "chunk-pushed image runs"
}

mount_push() {
	local out
	"$VMCTL" tag busybox "$REG/copy:1"
	out=$("$VMCTL" push --insecure "$REG/copy:1" 2>&1) || { echo "$out"; return 1; }
	expect_contains "$out" "2 mounted" "blobs mounted from the first repository"
	expect_ne "$(grep -c 'mount=' "$REG_LOG")" 0 "registry saw mount requests"
}

bad_names() {
	local out
	out=$("$VMCTL" push --insecure "$REG/nosuch:1" 2>&1)
	expect_eq "$?" 125 "unknown local image fails"
	expect_contains "$out" "no local image" "clear error"
	out=$("$VMCTL" push --insecure "$REG/app@sha256:0000000000000000000000000000000000000000000000000000000000000000" 2>&1)
	expect_contains "$out" "needs a tag" "push by digest refused"
	out=$("$VMCTL" pull --insecure 192.0.2.1:5000/app:1 2>&1)
	expect_eq "$?" 125 "--insecure off loopback refused"
	expect_contains "$out" "loopback only, not 192.0.2.1:5000"
	out=$("$VMCTL" push --insecure --password-stdin "$REG/app:1" </dev/null 2>&1)
	expect_contains "$out" "needs --username" "--password-stdin alone refused"
}

basic_auth() {
	local out REG=$AUTH_REG
	"$VMCTL" tag busybox "$REG/private:1"
	out=$("$VMCTL" push --insecure "$REG/private:1" 2>&1)
	expect_eq "$?" 125 "push without credentials fails"
	expect_contains "$out" "401 unauthorized" "says 401"
	expect_contains "$out" "--username" "says what to do"
	out=$(echo wrong | "$VMCTL" push --insecure -u alice --password-stdin "$REG/private:1" 2>&1)
	expect_eq "$?" 125 "wrong password fails"
	expect_contains "$out" "wrong username or password" "says the password is wrong"
	out=$(echo s3cret-pw | "$VMCTL" push --insecure -u alice --password-stdin "$REG/private:1" 2>&1) ||
		{ echo "$out"; return 1; }
	expect_contains "$out" "Pushed" "push with credentials"
	expect_not_contains "$out" "s3cret-pw" "password never printed"
	"$VMCTL" rmi "$REG/private:1" >/dev/null
	out=$("$VMCTL" pull --insecure "$REG/private:1" 2>&1)
	expect_contains "$out" "401 unauthorized" "pull without credentials fails"
	out=$(VMCTL_REGISTRY_USER=alice VMCTL_REGISTRY_PASSWORD=s3cret-pw \
		"$VMCTL" pull --insecure "$REG/private:1" 2>&1) || { echo "$out"; return 1; }
	expect_eq "$("$VMCTL" run --rm "$REG/private:1" echo private-ok)" "private-ok" \
		"pulled with env credentials"
	expect_eq "$(grep -c s3cret "$AUTH_LOG")" 0 "password not in the registry's log (no URL carries it)"
}

# "A progress bar on a terminal; quiet otherwise": script(1) gives vmctl a pty.
progress_on_tty() {
	command -v script >/dev/null || { echo "script(1) missing"; return 1; }
	# A layer the registry has nowhere yet, so the push transfers it.
	"$VMCTL" run --name prog busybox sh -c 'head -c 400000 /dev/urandom >/noise' || return 1
	"$VMCTL" commit prog "$REG/progress:1" >/dev/null || return 1
	"$VMCTL" rm prog >/dev/null
	local out
	out=$(script -qec "$VMCTL push --insecure $REG/progress:1" /dev/null) || { echo "$out"; return 1; }
	expect_contains "$out" "Pushed: $REG/progress:1"
	expect_contains "$out" "[========================================]" "a finished bar for the new layer"
	expect_contains "$out" $'\r\033[K' "redrawn in place"
	# A fresh store pulls every blob: bars on the pty; none without one, stderr empty.
	out=$(VMCTL_ROOT=$T/tty-store script -qec "$VMCTL pull --insecure $REG/progress:1" /dev/null) ||
		{ echo "$out"; return 1; }
	expect_contains "$out" "[========================================]" "a full bar on pull"
	VMCTL_ROOT=$T/quiet-store "$VMCTL" pull --insecure "$REG/progress:1" >"$T/pull.out" 2>"$T/pull.err" ||
		return 1
	expect_eq "$(cat "$T/pull.err")" "" "no tty: stderr stays quiet"
	expect_eq "$(cat "$T/pull.out")" "Pulled: $REG/progress:1 ($("$VMCTL" inspect "$REG/progress:1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'))" "no tty: one line on stdout"
	"$VMCTL" rmi "$REG/progress:1" >/dev/null
	rm -rf "$T/tty-store" "$T/quiet-store"
}

t push_pull_run push_pull_run
t progress_on_tty progress_on_tty
t run_in_vm run_in_vm
t mount_push mount_push
t bad_names bad_names
t chunked_push chunked_push
t basic_auth basic_auth
