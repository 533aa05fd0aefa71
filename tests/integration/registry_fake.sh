#!/usr/bin/env bash
# pull and push against tests/tools/fake_registry.py: Bearer tokens from the registry's own realm,
# relative upload Locations, and answers whose digests lie (refused, nothing stored).
. "$(dirname "$0")/lib.sh"
ensure_base_image
. "$(dirname "$0")/registry_lib.sh"
need_registry_tools

"$VMCTL" save -o "$T/lay/" busybox >/dev/null || exit 1
# Fake registries start here, not inside a test (tests run in subshells that cannot stop them).
start_fake_registry --layout "$T/lay" --token-user bob:tok-pw --relative-location || exit 1
TOKEN_REG=$FAKE TOKEN_LOG=$FAKE_LOG
start_fake_registry --layout "$T/lay" --tamper blob || exit 1
BLOB_REG=$FAKE
start_fake_registry --layout "$T/lay" --tamper manifest || exit 1
MANIFEST_REG=$FAKE
start_fake_registry --layout "$T/lay" --tamper header || exit 1
HEADER_REG=$FAKE

# A store without the busybox blobs, so that a pull must download them.
fresh_store() {
	export VMCTL_ROOT=$T/$1
	rm -rf "$VMCTL_ROOT"
}

bearer_pull() {
	local out
	fresh_store bearer
	out=$("$VMCTL" pull --insecure "$TOKEN_REG/busybox" 2>&1)
	expect_eq "$?" 125 "pull without credentials fails"
	expect_contains "$out" "token request" "says the token was refused"
	expect_contains "$out" "401" "with the status"
	out=$(echo nope | "$VMCTL" pull --insecure -u bob --password-stdin "$TOKEN_REG/busybox" 2>&1)
	expect_contains "$out" "wrong username or password" "wrong password is named"
	out=$(echo tok-pw | "$VMCTL" pull --insecure -u bob --password-stdin "$TOKEN_REG/busybox" 2>&1) ||
		{ echo "$out"; return 1; }
	expect_contains "$("$VMCTL" images)" "$TOKEN_REG/busybox" "pulled with a token"
	expect_contains "$(cat "$TOKEN_LOG")" "GET /token?service=fake%20registry&scope=repository%3Abusybox%3Apull%2Cpush" \
		"token asked with service and scope"
}

bearer_push() {
	local out
	fresh_store bearer-push
	echo tok-pw | "$VMCTL" pull --insecure -u bob --password-stdin "$TOKEN_REG/busybox" >/dev/null ||
		return 1
	"$VMCTL" tag "$TOKEN_REG/busybox" "$TOKEN_REG/pushed:2" || return 1
	out=$(echo tok-pw | "$VMCTL" push --insecure -u bob --password-stdin "$TOKEN_REG/pushed:2" 2>&1) ||
		{ echo "$out"; return 1; }
	# The store remembers that busybox on this registry holds the blobs: they are mounted.
	expect_contains "$out" "2 mounted" "pushed with a token, blobs mounted"
	expect_contains "$(cat "$TOKEN_LOG")" "PUT /v2/pushed/manifests/2" "manifest PUT by tag"
}

bearer_upload() {
	local out
	# A store that never talked to the fake: nothing to mount, every blob is uploaded, in chunks,
	# to the relative Locations the fake answers.
	fresh_store upload
	ensure_base_image
	"$VMCTL" tag busybox "$TOKEN_REG/up:1" || return 1
	out=$(echo tok-pw | VMCTL_PUSH_CHUNK_SIZE=256k "$VMCTL" push --insecure -u bob --password-stdin \
		"$TOKEN_REG/up:1" 2>&1) || { echo "$out"; return 1; }
	expect_contains "$out" "2 uploaded" "uploaded"
	expect_contains "$(cat "$TOKEN_LOG")" "PATCH /upload/" "chunks went to the relative Location"
	fresh_store upload-check
	echo tok-pw | "$VMCTL" pull --insecure -u bob --password-stdin "$TOKEN_REG/up:1" >/dev/null ||
		return 1
	expect_eq "$("$VMCTL" run --rm "$TOKEN_REG/up:1" echo up-ok)" "up-ok" "uploaded image pulls and runs"
}

# pull_refused NAME WHAT: the pull fails with a digest error and the store is as before.
pull_refused() {
	local out before
	fresh_store "refused-$2"
	mkdir -p "$VMCTL_ROOT"
	before=$(store_blobs)
	out=$("$VMCTL" pull --insecure "$1" 2>&1)
	expect_eq "$?" 125 "$2: pull fails"
	expect_contains "$out" "mismatch" "$2: says the digest does not match"
	expect_eq "$(store_blobs)" "$before" "$2: no blob stored"
	expect_not_contains "$("$VMCTL" images)" "127.0.0.1" "$2: no image named"
}

digest_of_busybox() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' \
		"$T/lay/index.json"
}

t bearer_pull bearer_pull
t bearer_push bearer_push
t bearer_upload bearer_upload
t tampered_blob pull_refused "$BLOB_REG/busybox" blob
t tampered_manifest_by_tag pull_refused "$MANIFEST_REG/busybox" manifest
t tampered_manifest_by_digest pull_refused "$MANIFEST_REG/busybox@$(digest_of_busybox)" manifest-digest
t wrong_digest_header pull_refused "$HEADER_REG/busybox" header
