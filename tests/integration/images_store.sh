#!/usr/bin/env bash
# The image store: an OCI layout; images, tag, rmi (and its refusals), history, inspect.
. "$(dirname "$0")/lib.sh"
ensure_base_image

layout_is_oci() {
	expect_eq "$(cat "$VMCTL_ROOT/oci/oci-layout")" '{"imageLayoutVersion":"1.0.0"}' "oci-layout"
	python3 - "$VMCTL_ROOT" <<'PY' || return 1
import hashlib, json, os, sys
root = sys.argv[1]
blobs = os.path.join(root, "oci", "blobs", "sha256")
def blob(d):
    data = open(os.path.join(blobs, d.split(":")[1]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == d.split(":")[1], d
    return data
idx = json.load(open(os.path.join(root, "oci", "index.json")))
names = [m["annotations"]["org.opencontainers.image.ref.name"] for m in idx["manifests"]]
assert "busybox:latest" in names, names
m = json.loads(blob(idx["manifests"][0]["digest"]))
cfg = json.loads(blob(m["config"]["digest"]))
assert len(m["layers"]) == len(cfg["rootfs"]["diff_ids"]) == 1
for l, d in zip(m["layers"], cfg["rootfs"]["diff_ids"]):
    blob(l["digest"])
    assert os.path.isdir(os.path.join(root, "layers", d.split(":")[1])), d
PY
}

images_table() {
	local out
	out=$("$VMCTL" images)
	expect_contains "$(echo "$out" | head -n 1)" "REPOSITORY"
	expect_contains "$(echo "$out" | head -n 1)" "IMAGE ID"
	expect_contains "$out" "busybox"
	expect_contains "$("$VMCTL" images --json)" '"repository":	"busybox"'
}

tag_and_untag() {
	"$VMCTL" tag busybox my/app:v1 || return 1
	"$VMCTL" tag busybox:latest localhost:5000/app || return 1
	local out
	out=$("$VMCTL" images)
	expect_contains "$out" "my/app"
	expect_contains "$out" "localhost:5000/app"
	local id1 id2
	id1=$("$VMCTL" images --json | python3 -c 'import json,sys; print({i["repository"]: i["id"] for i in json.load(sys.stdin)}["my/app"])')
	id2=$("$VMCTL" images --json | python3 -c 'import json,sys; print({i["repository"]: i["id"] for i in json.load(sys.stdin)}["busybox"])')
	expect_eq "$id1" "$id2" "a tag is the same image"
	expect_eq "$("$VMCTL" run --rm my/app:v1 echo tagged)" "tagged"
	# Run by id prefix, as Docker allows.
	expect_eq "$("$VMCTL" run --rm "${id1:7:12}" echo by-id)" "by-id"
	# And by manifest digest (what a registry pull pins).
	local digest
	digest=$("$VMCTL" inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["digest"])')
	expect_eq "$("$VMCTL" run --rm "busybox@$digest" echo by-digest)" "by-digest"
	expect_status 125 "$VMCTL" run --rm "busybox@sha256:$(printf '0%.0s' $(seq 64))" true
	out=$("$VMCTL" rmi my/app:v1)
	expect_contains "$out" "Untagged: my/app:v1"
	expect_not_contains "$out" "Deleted" "other names keep the image"
	expect_status 0 "$VMCTL" rmi localhost:5000/app
	expect_status 125 "$VMCTL" tag nosuch:img x:y
	expect_status 125 "$VMCTL" tag busybox 'Bad:Name'
	expect_status 125 "$VMCTL" rmi nosuch
}

rmi_refuses_while_used() {
	"$VMCTL" tag busybox solo:1 || return 1
	"$VMCTL" run --name user1 solo:1 true
	local out
	out=$("$VMCTL" rmi solo:1 2>&1 busybox:latest)
	# busybox goes (solo:1 still names the image); solo:1 is refused: run user1 uses it.
	expect_contains "$out" "Untagged: busybox:latest"
	expect_contains "$out" "user1"
	"$VMCTL" images | grep -q '^solo' || _fail_check "solo:1 must survive the refused rmi"
	"$VMCTL" rm user1 >/dev/null
	# A running one, removed with -f: the layers stay while it runs.
	"$VMCTL" run -d --name user2 solo:1 sleep 30 >/dev/null
	expect_status 125 "$VMCTL" rmi solo:1
	local layer
	layer=$("$VMCTL" inspect solo:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["layers"][0])')
	out=$("$VMCTL" rmi -f solo:1)
	expect_contains "$out" "Deleted: sha256:"
	[ -d "$VMCTL_ROOT/layers/$layer" ] || _fail_check "layer kept while a run is alive"
	expect_eq "$("$VMCTL" images | tail -n +2 | wc -l)" 0 "no images left"
	"$VMCTL" rm -f user2 >/dev/null
	# Without images, the next rebuild collects nothing it needs; build-base brings it back.
	"$VMCTL" image build-base >/dev/null || return 1
	expect_eq "$("$VMCTL" run --rm busybox echo back)" "back"
}

rmi_collects() {
	"$VMCTL" rmi busybox >/dev/null || return 1
	expect_eq "$(ls "$VMCTL_ROOT/oci/blobs/sha256" | wc -l)" 0 "no blob left"
	expect_eq "$(ls "$VMCTL_ROOT/layers" | wc -l)" 0 "no layer left"
	"$VMCTL" image build-base >/dev/null
}

history_and_inspect() {
	local out
	out=$("$VMCTL" history busybox)
	expect_contains "$(echo "$out" | head -n 1)" "CREATED BY"
	expect_contains "$out" "build-base"
	expect_contains "$out" "MB"
	out=$("$VMCTL" inspect busybox)
	expect_contains "$out" '"kind":	"image"'
	expect_contains "$out" '"Cmd":	["sh"]'
	expect_status 125 "$VMCTL" history nosuch
}

corrupt_blob_detected() {
	local cfg
	cfg=$("$VMCTL" inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"][7:])')
	cp "$VMCTL_ROOT/oci/blobs/sha256/$cfg" "$T/cfg.bak"
	sed -i 's/"sh"/"ls"/' "$VMCTL_ROOT/oci/blobs/sha256/$cfg"
	# Blobs are verified when they enter the store and whenever they leave
	# it (save, push); `run` trusts the root-only store (see
	# oci_blob_read_trusted) so that no container start pays for libcrypto.
	local out
	out=$("$VMCTL" save -o "$T/tampered.tar" busybox 2>&1)
	expect_eq $? 125 "a tampered config is refused on export"
	expect_contains "$out" "corrupt"
	[ ! -e "$T/tampered.tar" ] || _fail_check "a partial archive was left behind"
	cp "$T/cfg.bak" "$VMCTL_ROOT/oci/blobs/sha256/$cfg"
	expect_eq "$("$VMCTL" run --rm busybox echo ok)" "ok"
}

layer_unpacked_again() {
	# A store copied without its layers unpacks them on first use.
	rm -rf "$VMCTL_ROOT/layers"/*
	expect_eq "$("$VMCTL" run --rm busybox echo relaid)" "relaid"
}

stale_temps_collected() {
	# What a vmctl killed mid-way leaves: temp entries named by its (now dead) pid.
	sleep 0 &
	local dead=$!
	wait $dead
	mkdir -p "$VMCTL_ROOT/layers/abc.tmp-$dead/x" "$VMCTL_ROOT/tmp/load-$dead"
	echo x >"$VMCTL_ROOT/oci/blobs/sha256/.tmp-$dead-AbCdEf"
	mkdir -p "$VMCTL_ROOT/tmp/load-$$" # a live owner: kept
	"$VMCTL" tag busybox gc:trigger && "$VMCTL" rmi gc:trigger >/dev/null || return 1
	"$VMCTL" tag busybox gc:only && "$VMCTL" rmi busybox >/dev/null && "$VMCTL" rmi gc:only >/dev/null
	expect_eq "$(ls -d "$VMCTL_ROOT"/layers/*.tmp-* "$VMCTL_ROOT"/tmp/load-$dead "$VMCTL_ROOT"/oci/blobs/sha256/.tmp-* 2>/dev/null | wc -l)" 0 "stale temps removed"
	[ -d "$VMCTL_ROOT/tmp/load-$$" ] || _fail_check "a live process's temp dir was removed"
	rmdir "$VMCTL_ROOT/tmp/load-$$"
	"$VMCTL" image build-base >/dev/null
}

dangling_image() {
	"$VMCTL" save -o "$T/dang.tar" busybox || return 1
	mkdir -p "$T/dang" && tar -C "$T/dang" -xf "$T/dang.tar" && rm "$T/dang/index.json"
	python3 -c 'import json,sys; p=sys.argv[1]; m=json.load(open(p)); m[0]["RepoTags"]=None; json.dump(m, open(p,"w"))' "$T/dang/manifest.json"
	local out id
	"$VMCTL" rmi busybox >/dev/null || return 1
	out=$("$VMCTL" load -i "$T/dang") || return 1
	expect_contains "$out" "Loaded image ID: sha256:"
	id=${out##*sha256:}
	expect_contains "$("$VMCTL" images)" "<none>"
	expect_eq "$("$VMCTL" run --rm "${id:0:12}" echo by-id)" "by-id"
	expect_contains "$("$VMCTL" rmi "${id:0:12}")" "Deleted: sha256:$id"
	expect_eq "$("$VMCTL" images | tail -n +2 | wc -l)" 0
	"$VMCTL" image build-base >/dev/null
}

not_linked() {
	local libs
	libs=$(ldd "$VMCTL")
	expect_not_contains "$libs" "libarchive" "bin/vmctl must not link libarchive"
	expect_not_contains "$libs" "libcurl" "bin/vmctl must not link libcurl"
}

t "the store is an OCI image layout" layout_is_oci
t "images lists REPOSITORY TAG IMAGE ID CREATED SIZE" images_table
t "tag, run by tag and id, untag" tag_and_untag
t "rmi refuses while a run uses the image; -f" rmi_refuses_while_used
t "rmi of the last name collects blobs and layers" rmi_collects
t "history and inspect" history_and_inspect
t "a tampered blob is detected" corrupt_blob_detected
t "missing layer directories are unpacked again" layer_unpacked_again
t "stale temp entries of killed vmctl processes are collected" stale_temps_collected
t "an untagged image: Loaded image ID, <none>, run by id" dangling_image
t "bin/vmctl links neither libarchive nor libcurl" not_linked
