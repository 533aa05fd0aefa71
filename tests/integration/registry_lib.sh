# registry_lib.sh - Debian's docker-registry on loopback for the registry tests.
# Sourced after lib.sh.  start_registry [HTPASSWD_FILE] starts one (filesystem storage under $T,
# Basic auth when a htpasswd file is given) and sets REG (127.0.0.1:PORT), REG_DIR (its storage)
# and REG_LOG; every registry started is stopped when the script exits.

REG_PIDS=""
trap 'stop_registries; cleanup_test_dir' EXIT

stop_registries() {
	local p
	for p in $REG_PIDS; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	REG_PIDS=""
}

# wait_http URL: until something answers there (any status), at most 5 s.
wait_http() {
	local _
	for _ in $(seq 50); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

. "$TOP/scripts/lib/registry.sh"

# start_registry [HTPASSWD_FILE]: one more registry (scripts/lib/registry.sh).
start_registry() {
	local n
	n=$(echo $REG_PIDS | wc -w)
	registry_start "$T/reg$n" "${1:-}" || return 1
	REG_PIDS="$REG_PIDS $REGISTRY_PID"
	REGISTRY_PID="" # stopped by stop_registries, with the others
	REG=$REGISTRY
	REG_DIR=$T/reg$n/storage
	REG_LOG=$T/reg$n/registry.log
}

# Every tool the registry tests need, or skip the script.
need_registry_tools() {
	local tool
	for tool in docker-registry curl python3 "$@"; do
		command -v "$tool" >/dev/null || { skip registry "$tool not installed"; exit 0; }
	done
}

# start_fake_registry ARGS...: tests/tools/fake_registry.py with ARGS; sets FAKE (127.0.0.1:PORT)
# and FAKE_LOG (one line per request).
start_fake_registry() {
	local n pf
	n=$(echo $REG_PIDS | wc -w)
	pf=$T/fake$n.port
	FAKE_LOG=$T/fake$n.log
	python3 "$TOP/tests/tools/fake_registry.py" --port-file "$pf" "$@" 2>"$FAKE_LOG" &
	REG_PIDS="$REG_PIDS $!"
	local _
	for _ in $(seq 50); do [ -s "$pf" ] && break; sleep 0.1; done
	FAKE=127.0.0.1:$(cat "$pf" 2>/dev/null)
	wait_http "http://$FAKE/v2/" || { echo "fake registry did not start: $(tail -3 "$FAKE_LOG")" >&2; return 1; }
}

# The store's blobs, one digest a line (to check that a refused pull stored nothing).
store_blobs() {
	ls "$VMCTL_ROOT/oci/blobs/sha256" 2>/dev/null | sort
}
