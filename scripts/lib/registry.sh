# scripts/lib/registry.sh - a private OCI registry on loopback (Debian's docker-registry).
# Sourced by tests/integration/registry_pull.sh and scripts/demo/registry.
#
#   registry_start DIR   writes DIR/registry.yml (storage in DIR/storage, a free port on
#                        127.0.0.1), starts docker-registry, waits until /v2/ answers.
#                        Sets REGISTRY (host:port) and REGISTRY_PID; returns 1 on failure
#                        (the server's log is DIR/registry.log).
#   registry_stop        stops it and waits for it to exit.

registry_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

registry_start() {
	local dir=$1 port
	command -v docker-registry >/dev/null || {
		echo "docker-registry is not installed (scripts/setup installs it)" >&2
		return 1
	}
	port=$(registry_free_port) || return 1
	REGISTRY=127.0.0.1:$port
	mkdir -p "$dir/storage" || return 1
	cat >"$dir/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: $REGISTRY
YML
	docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 </dev/null &
	REGISTRY_PID=$!
	local _
	for _ in $(seq 100); do
		curl -sf "http://$REGISTRY/v2/" >/dev/null && return 0
		kill -0 "$REGISTRY_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "docker-registry did not start on $REGISTRY: $(tail -n 3 "$dir/registry.log")" >&2
	registry_stop
	return 1
}

registry_stop() {
	[ -n "${REGISTRY_PID:-}" ] || return 0
	kill "$REGISTRY_PID" 2>/dev/null
	wait "$REGISTRY_PID" 2>/dev/null
	REGISTRY_PID=""
}
