#!/usr/bin/env bash
# save/load: OCI layout (dir and tar) and docker-archive, round trips, skopeo/umoci interop,
# and the hostile-layer corpus refused through `vmctl load`.
. "$(dirname "$0")/lib.sh"
ensure_base_image
HOSTILE=$TOP/tests/data/hostile

# A fresh store for loading into, so that nothing comes from the base image.
fresh() { export VMCTL_ROOT=$T/fresh-$1; mkdir -p "$VMCTL_ROOT"; }

roundtrip_tar() {
	"$VMCTL" tag busybox app:1 || return 1
	"$VMCTL" save -o "$T/two.tar" busybox app:1 || return 1
	local list
	list=$(tar tf "$T/two.tar")
	for f in oci-layout index.json manifest.json blobs/sha256/; do expect_contains "$list" "$f"; done
	local id
	id=$("$VMCTL" inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	fresh tar
	local out
	out=$("$VMCTL" load -i "$T/two.tar") || return 1
	expect_contains "$out" "Loaded image: busybox:latest"
	expect_contains "$out" "Loaded image: app:1"
	expect_eq "$("$VMCTL" inspect app:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" "$id" "same image id after the round trip"
	expect_eq "$("$VMCTL" run --rm app:1 echo loaded)" "loaded" "a loaded image runs"
	expect_eq "$(ls "$VMCTL_ROOT/tmp" | wc -l)" 0 "no temp files left"
}

roundtrip_dir() {
	"$VMCTL" save -o "$T/layout/" busybox || return 1
	expect_eq "$(cat "$T/layout/oci-layout")" '{"imageLayoutVersion":"1.0.0"}'
	fresh dir
	expect_contains "$("$VMCTL" load -i "$T/layout")" "Loaded image: busybox:latest"
	expect_eq "$("$VMCTL" run --rm busybox echo dir-loaded)" "dir-loaded"
	# Loading twice is harmless.
	expect_status 0 "$VMCTL" load -i "$T/layout"
	expect_eq "$("$VMCTL" images | tail -n +2 | wc -l)" 1
}

docker_archive() {
	"$VMCTL" save -o "$T/d.tar" busybox || return 1
	# A docker-archive only: drop the OCI parts, keep manifest.json and the blobs it names.
	mkdir -p "$T/d" && tar -C "$T/d" -xf "$T/d.tar" && rm "$T/d/index.json" "$T/d/oci-layout"
	python3 - "$T/d" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
m[0]["RepoTags"] = ["docker.io/library/dockerimg:v1", "other/name:v2"]
json.dump(m, open(sys.argv[1] + "/manifest.json", "w"))
PY
	tar -C "$T/d" -cf "$T/docker-only.tar" .
	fresh docker
	local out
	out=$("$VMCTL" load -i "$T/docker-only.tar") || return 1
	expect_contains "$out" "Loaded image: dockerimg:v1"
	expect_contains "$out" "Loaded image: other/name:v2"
	expect_eq "$("$VMCTL" run --rm dockerimg:v1 echo docker-ok)" "docker-ok"
}

wrong_digest_refused() {
	"$VMCTL" save -o "$T/bad/" busybox || return 1
	local layer
	layer=$(python3 -c '
import json,sys
d=sys.argv[1]; i=json.load(open(d+"/index.json"))
m=json.load(open(d+"/blobs/sha256/"+i["manifests"][0]["digest"][7:]))
print(m["layers"][0]["digest"][7:])' "$T/bad")
	chmod u+w "$T/bad/blobs/sha256/$layer"
	printf 'tampered' | dd of="$T/bad/blobs/sha256/$layer" bs=1 seek=600 conv=notrunc 2>/dev/null
	fresh bad
	local out
	out=$("$VMCTL" load -i "$T/bad" 2>&1)
	expect_eq $? 125 "a blob that does not match its digest is refused"
	expect_contains "$out" "digest mismatch"
	expect_eq "$("$VMCTL" images | tail -n +2 | wc -l)" 0 "no image"
	expect_eq "$(ls "$VMCTL_ROOT/oci/blobs/sha256" | wc -l)" 0 "no blob kept"
}

# A docker-archive directory around one corpus layer; then as a tar.
hostile_archive() { # NAME -> $T/h-NAME.tar
	local name=$1 d=$T/h-$1
	mkdir -p "$d"
	cp "$HOSTILE/$name" "$d/layer.tar"
	python3 - "$d" "$name" <<'PY'
import gzip, hashlib, json, sys
d, name = sys.argv[1], sys.argv[2]
data = open(d + "/layer.tar", "rb").read()
if data[:2] == b"\x1f\x8b":
    data = gzip.decompress(data)
cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(data).hexdigest()]}}
json.dump(cfg, open(d + "/config.json", "w"))
json.dump([{"Config": "config.json", "RepoTags": ["hostile:" + name.split(".")[0].replace("_", "-")],
            "Layers": ["layer.tar"]}], open(d + "/manifest.json", "w"))
PY
	tar -C "$d" -cf "$T/h-$name.tar" .
}

hostile_corpus_refused() {
	fresh hostile
	local name out
	for name in dotdot.tar dotdot_inner.tar absolute.tar symlink_parent.tar symlink_dotdot.tar \
		hardlink_outside.tar hardlink_absolute.tar hardlink_via_symlink.tar long_path.tar \
		long_name.tar bad_whiteout.tar dir_then_file.tar not_a_tar.tar truncated.tar; do
		hostile_archive "$name"
		out=$("$VMCTL" load -i "$T/h-$name.tar" 2>&1)
		[ $? = 125 ] || _fail_check "$name: load did not fail: $out"
		expect_contains "$out" "layer" "$name: the error names the layer"
	done
	expect_eq "$("$VMCTL" images | tail -n +2 | wc -l)" 0 "no hostile image stored"
	expect_eq "$(ls "$VMCTL_ROOT/layers" 2>/dev/null | wc -l)" 0 "no layer directory left"
	expect_eq "$(ls "$VMCTL_ROOT/oci/blobs/sha256" | wc -l)" 0 "no blob left"
	[ ! -e /tmp/vmctl-hostile-absolute.txt ] || _fail_check "absolute path escaped"
	[ ! -e /tmp/vmctl-hostile-symlink.txt ] || _fail_check "symlink escaped"
}

hostile_but_accepted() {
	fresh accepted
	hostile_archive devices.tar
	hostile_archive whiteouts.tar
	"$VMCTL" load -i "$T/h-devices.tar" >/dev/null || return 1
	"$VMCTL" load -i "$T/h-whiteouts.tar" >/dev/null || return 1
	local dev
	dev=$(ls "$VMCTL_ROOT"/layers/*/dev 2>/dev/null | wc -l)
	expect_eq "$dev" 0 "device nodes skipped"
	local gone
	gone=$(find "$VMCTL_ROOT/layers" -name gone -type c | wc -l)
	expect_eq "$gone" 1 "whiteout became a 0/0 char device"
}

skopeo_umoci_read_ours() {
	command -v skopeo >/dev/null && command -v umoci >/dev/null || { echo "skopeo/umoci missing"; return 1; }
	"$VMCTL" save -o "$T/ours/" busybox || return 1
	"$VMCTL" save -o "$T/ours.tar" busybox || return 1
	skopeo inspect "oci:$T/ours:busybox:latest" >"$T/si.json" || return 1
	expect_contains "$(cat "$T/si.json")" '"Architecture": "amd64"'
	skopeo inspect "oci-archive:$T/ours.tar:busybox:latest" >/dev/null || _fail_check "skopeo oci-archive"
	skopeo inspect "docker-archive:$T/ours.tar" >/dev/null || _fail_check "skopeo docker-archive"
	umoci unpack --image "$T/ours:busybox:latest" "$T/bundle" >/dev/null || return 1
	[ -x "$T/bundle/rootfs/bin/busybox" ] || _fail_check "umoci unpacked our layer"
}

we_read_umoci() {
	command -v umoci >/dev/null || { echo "umoci missing"; return 1; }
	"$VMCTL" save -o "$T/um/" busybox || return 1
	# A new tag whose manifest and config umoci writes; it copies the old manifest's
	# io.containerd.image.name along, the tag is in ref.name.
	umoci config --image "$T/um:busybox:latest" --tag edited --config.env EDITED=by-umoci \
		--config.workingdir /tmp || return 1
	fresh umoci
	local out
	out=$("$VMCTL" load -i "$T/um") || return 1
	expect_contains "$out" "Loaded image: busybox:edited"
	expect_contains "$out" "Loaded image: busybox:latest"
	expect_eq "$("$VMCTL" run --rm busybox:edited sh -c 'echo $EDITED; pwd')" "by-umoci
/tmp"
	expect_eq "$("$VMCTL" run --rm busybox:latest sh -c 'echo ${EDITED:-unset}')" "unset"
}

we_read_skopeo() {
	command -v skopeo >/dev/null || { echo "skopeo missing"; return 1; }
	"$VMCTL" save -o "$T/src/" busybox || return 1
	# skopeo recompresses (gzip), names by tag only (oci:DIR:TAG) and writes docker-archives.
	skopeo copy -q "oci:$T/src:busybox:latest" "oci:$T/skopeo-oci:v2" || return 1
	skopeo copy -q "oci:$T/src:busybox:latest" "docker-archive:$T/skopeo-docker.tar:sk/docker:v3" || return 1
	skopeo copy -q --dest-compress-format zstd "oci:$T/src:busybox:latest" "oci-archive:$T/sk-zstd.tar:v4" || return 1
	fresh skopeo
	expect_contains "$("$VMCTL" load -i "$T/skopeo-oci")" "Loaded image: skopeo-oci:v2"
	expect_contains "$("$VMCTL" load -i "$T/skopeo-docker.tar")" "Loaded image: sk/docker:v3"
	expect_contains "$("$VMCTL" load -i "$T/sk-zstd.tar" 2>&1)" "Loaded image: sk-zstd:v4"
	expect_eq "$("$VMCTL" run --rm skopeo-oci:v2 echo gz)" "gz"
	expect_eq "$("$VMCTL" run --rm sk/docker:v3 echo dk)" "dk"
}

t "save -o FILE / load -i FILE round trip; the loaded image runs" roundtrip_tar
t "save -o DIR/ (OCI layout) / load -i DIR" roundtrip_dir
t "load a docker-archive (manifest.json, RepoTags)" docker_archive
t "a blob with a wrong digest is refused by load, nothing kept" wrong_digest_refused
t "the hostile corpus is refused through load, nothing left" hostile_corpus_refused
t "devices skipped and whiteouts converted through load" hostile_but_accepted
t "skopeo and umoci read what vmctl saves" skopeo_umoci_read_ours
t "vmctl loads what umoci writes (a new tag, a config edit)" we_read_umoci
t "vmctl loads what skopeo copy writes (gzip, zstd, docker-archive)" we_read_skopeo
