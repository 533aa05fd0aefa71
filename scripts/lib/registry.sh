# scripts/lib/registry.sh - a private OCI registry on loopback (Debian's docker-registry).
# Sourced by tests/integration/registry_pull.sh and scripts/demo/registry.
#
#   registry_start DIR [HTPASSWD]
#                        writes DIR/registry.yml (storage in DIR/storage, a free port on
#                        127.0.0.1, Basic auth against HTPASSWD when given), starts
#                        docker-registry, waits until /v2/ answers (401 counts).  Sets
#                        REGISTRY (host:port) and REGISTRY_PID; returns 1 on failure (the
#                        server's log, one line per request, is DIR/registry.log).
#   registry_stop        stops it and waits for it to exit.

registry_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

registry_start() {
	local dir=$1 htpasswd=${2:-} port
	command -v docker-registry >/dev/null || {
		echo "docker-registry is not installed (scripts/setup installs it)" >&2
		return 1
	}
	port=$(registry_free_port) || return 1
	REGISTRY=127.0.0.1:$port
	mkdir -p "$dir/storage" || return 1
	{
		echo "version: 0.1"
		echo "log: {level: info}"
		echo "storage: {filesystem: {rootdirectory: $dir/storage}, delete: {enabled: true}}"
		echo "http: {addr: $REGISTRY}"
		[ -z "$htpasswd" ] || echo "auth: {htpasswd: {realm: vmctl, path: $htpasswd}}"
	} >"$dir/registry.yml"
	docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 </dev/null &
	REGISTRY_PID=$!
	local _
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://$REGISTRY/v2/" && return 0
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
