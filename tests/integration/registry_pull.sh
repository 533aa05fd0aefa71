#!/usr/bin/env bash
# pull from Debian's docker-registry on loopback, seeded by skopeo (interoperability: an image
# another tool pushed): by tag, run the result, by digest, missing names.
. "$(dirname "$0")/lib.sh"
ensure_base_image

. "$(dirname "$0")/registry_lib.sh"
need_registry_tools skopeo
start_registry || exit 1

"$VMCTL" save -o "$T/lay/" busybox
skopeo copy -q --dest-tls-verify=false oci:"$T/lay":busybox:latest "docker://$REG/busybox:1"

pull_by_tag() {
	"$VMCTL" pull --insecure "$REG/busybox:1" || return 1
	expect_contains "$("$VMCTL" images)" "$REG/busybox" "pulled image listed"
	expect_eq "$("$VMCTL" run --rm "$REG/busybox:1" echo pulled-ok)" "pulled-ok" "pulled image runs"
}

pull_by_digest() {
	local d
	d=$(curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REG/v2/busybox/manifests/1" | tr -d '\r' |
		awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
	"$VMCTL" rmi "$REG/busybox:1" >/dev/null
	"$VMCTL" pull --insecure "$REG/busybox@$d" || return 1
	expect_contains "$("$VMCTL" images)" "$REG/busybox" "pulled by digest"
}

pull_missing() {
	local out
	out=$("$VMCTL" pull --insecure "$REG/nothere:1" 2>&1)
	expect_eq "$?" 125 "missing image fails"
	expect_contains "$out" "404 not found" "clear error"
}

pull_wrong_digest() {
	expect_status 125 "$VMCTL" pull --insecure \
		"$REG/busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000"
}

t pull_by_tag pull_by_tag
t pull_by_digest pull_by_digest
t pull_missing pull_missing
t pull_wrong_digest pull_wrong_digest
