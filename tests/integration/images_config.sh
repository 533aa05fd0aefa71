#!/usr/bin/env bash
# The image config honoured by run: Env, Cmd, Entrypoint, WorkingDir and User, in both modes.  The
# images are built by vmctl, their User set by umoci (the Dockerfile subset has no USER), so this
# is also "vmctl loads what umoci writes".
. "$(dirname "$0")/lib.sh"
ensure_base_image

# build DIR TAG DOCKERFILE-LINES...: builds TAG from a context DIR holding the lines.
build() {
	local dir=$T/$1 tag=$2
	shift 2
	mkdir -p "$dir"
	printf '%s\n' "$@" >"$dir/Dockerfile"
	"$VMCTL" build -t "$tag" "$dir" >/dev/null 2>"$T/build.err" || { cat "$T/build.err"; return 1; }
}

# with_user IMAGE USER NAME: IMAGE tagged NAME, saved, its User set by umoci, loaded back as NAME.
with_user() {
	rm -rf "$T/lay"
	"$VMCTL" tag "$1" "$3" || return 1
	"$VMCTL" save -o "$T/lay/" "$3" >/dev/null || return 1
	umoci config --image "$T/lay:$3:latest" --config.user "$2" || return 1
	expect_eq "$("$VMCTL" load -i "$T/lay")" "Loaded image: $3:latest"
}

ENTRY='["sh", "-c", "echo \"$GREETING\"; pwd; echo \"$HOME\"; id; grep ^CapEff /proc/self/status; echo \"args: $*\"", "ep"]'
WANT='hi there
/work
/home/alice
uid=1234(alice) gid=1234(alice) groups=1234(alice),2000(extra)
CapEff:	0000000000000000
args: one two'

setup_images() {
	build app cfg:1 "FROM busybox" \
		"RUN echo alice:x:1234:1234::/home/alice:/bin/sh >>/etc/passwd && echo alice:x:1234: >>/etc/group && echo extra:x:2000:alice >>/etc/group" \
		'ENV GREETING="hi there"' "WORKDIR /work" "ENTRYPOINT $ENTRY" 'CMD ["one", "two"]' || return 1
	with_user cfg:1 alice alice || return 1
	with_user cfg:1 4321:4321 numeric || return 1
	with_user cfg:1 mallory missing || return 1
	with_user cfg:1 alice:nosuchgroup badgroup || return 1
	# Hostile images: /etc/passwd a FIFO (would block a reader), or a symlink aimed at the host.
	build fifo fifo:1 "FROM cfg:1" "RUN rm /etc/passwd && mkfifo /etc/passwd" || return 1
	with_user fifo:1 alice fifo || return 1
	build link link:1 "FROM cfg:1" "RUN ln -sf ../../../../../../$T/host-passwd /etc/passwd" || return 1
	with_user link:1 mallory link || return 1
	echo "mallory:x:0:0::/:/bin/sh" >"$T/host-passwd"
}

config_in_container() {
	expect_eq "$("$VMCTL" run --rm alice)" "$WANT" "Env, WorkingDir, User, Entrypoint + Cmd"
	expect_eq "$("$VMCTL" run --rm alice x y | tail -n 1)" "args: x y" "arguments replace Cmd, not Entrypoint"
	expect_eq "$("$VMCTL" run --rm numeric | sed -n 3,4p)" "/
uid=4321 gid=4321 groups=4321" "uid:gid, not in passwd: HOME=/"
	expect_eq "$("$VMCTL" run --rm -e HOME=/elsewhere alice | sed -n 3p)" "/elsewhere" "-e HOME wins"
	# Without a User: root, as before.
	expect_eq "$("$VMCTL" run --rm cfg:1 | sed -n 3p)" "/root"
	expect_contains "$("$VMCTL" run --rm cfg:1 | sed -n 4p)" "uid=0(root) gid=0(root)"
}

user_refusals() {
	local out
	out=$("$VMCTL" run --rm missing 2>&1)
	expect_eq $? 125 "unknown user"
	expect_contains "$out" "unable to find user mallory: no matching entries in passwd file"
	# The report must not be lost when the init fails before reading "go" (it was, 1 run in 50).
	local i lost=0
	for i in $(seq 40); do
		"$VMCTL" run --rm missing 2>&1 | grep -q "unable to find user" || lost=$((lost + 1))
	done
	expect_eq "$lost" 0 "runs whose failure report was lost"
	out=$("$VMCTL" run --rm badgroup 2>&1)
	expect_eq $? 125 "unknown group"
	expect_contains "$out" "unable to find group nosuchgroup"
	out=$(timeout 20 "$VMCTL" run --rm fifo 2>&1)
	expect_eq $? 125 "a FIFO as /etc/passwd is refused, not read"
	expect_contains "$out" "/etc/passwd: not a regular file"
	out=$("$VMCTL" run --rm link 2>&1)
	expect_eq $? 125 "the symlink resolves inside the image, where mallory is unknown"
	expect_contains "$out" "unable to find user mallory"
	expect_eq "$(ls "$VMCTL_ROOT/containers" | grep -vc '^\.')" 0 "no run left behind"
}

config_in_vm() {
	if [ ! -w /dev/kvm ] || [ ! -r "$("$VMCTL" kernel path 2>/dev/null)" ]; then
		skip config_in_vm "no /dev/kvm or no guest kernel"
		return 0
	fi
	# One VM run (~10 s here): the same image, the same answer from the guest init.
	expect_eq "$("$VMCTL" run --rm --mode=vm alice)" "$WANT" "Env, WorkingDir, User, Entrypoint + Cmd in a VM"
}

t setup_images setup_images
t config_in_container config_in_container
t user_refusals user_refusals
t config_in_vm config_in_vm
