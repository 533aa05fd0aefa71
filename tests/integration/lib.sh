# lib.sh - the integration tests' small harness.  Sourced by tests/integration/*.sh.
#
# Each script runs with: VMCTL (the built binary), T (a private temp dir), VMCTL_ROOT (a private
# store under T, seeded from the shared base image cache so tests do not rebuild it), and
# RESULTS (a file where every check appends "PASS name" or "FAIL name: why").

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VMCTL=${VMCTL:-$TOP/bin/vmctl}
RESULTS=${RESULTS:-/dev/stdout}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-test.XXXXXX")
export VMCTL_ROOT=${VMCTL_TEST_ROOT:-$T/root}
trap 'cleanup_test_dir' EXIT

cleanup_test_dir() {
	# Never leave a mount behind from a failed test: unmount anything under T first.
	grep -o " $T[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$T"
}

_current=""
_failed_current=0

pass() { echo "PASS $1" >>"$RESULTS"; }
fail() { echo "FAIL $1: $2" >>"$RESULTS"; }

# t NAME CMD... : runs CMD (usually a function); it passes when it returns 0 and no expect_* inside failed.
t() {
	local name=$1
	shift
	_current=$name
	_failed_current=0
	local out
	# The test runs in a subshell: its expect_* failures are folded into its status there.
	if out=$(
		"$@" 2>&1
		rc=$?
		[ "$_failed_current" = 0 ] || rc=1
		exit $rc
	); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 5 | tr '\n' '|')"
	fi
	_current=""
}

skip() { echo "SKIP $1: $2" >>"$RESULTS"; }

_fail_check() {
	echo "check failed: $*" >&2
	_failed_current=1
	return 1
}

expect_eq() { # A B MSG
	[ "$1" = "$2" ] || _fail_check "${3:-values differ}: got '$1', want '$2'"
}

expect_ne() { # A B MSG
	[ "$1" != "$2" ] || _fail_check "${3:-values equal}: both '$1'"
}

expect_contains() { # HAYSTACK NEEDLE MSG
	case "$1" in
	*"$2"*) return 0 ;;
	esac
	_fail_check "${3:-missing text}: '$2' not in '$(echo "$1" | head -c 400)'"
}

expect_not_contains() { # HAYSTACK NEEDLE MSG
	case "$1" in
	*"$2"*) _fail_check "${3:-unexpected text}: '$2' found" ;;
	esac
	return 0
}

expect_status() { # N CMD... : CMD's exit status must be N
	local want=$1
	shift
	"$@" >/dev/null 2>&1 </dev/null
	local got=$?
	[ "$got" = "$want" ] || _fail_check "status of '$*': got $got, want $want"
}

# interrupt_after SECONDS ERRFILE CMD... : starts CMD in the background (stderr
# to ERRFILE), sends it SIGINT after SECONDS, fails the check if it is still
# running 5 s later (then kills it); returns CMD's exit status.
interrupt_after() {
	local secs=$1 errfile=$2 pid i
	shift 2
	"$@" >/dev/null 2>"$errfile" &
	pid=$!
	sleep "$secs"
	kill -INT "$pid"
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		_fail_check "still running 5 s after SIGINT: $*"
	fi
	wait "$pid"
}

# The base image, built once per test run and shared read-only (tests/run sets VMCTL_BASE_ROOT).
ensure_base_image() {
	"$VMCTL" images 2>/dev/null | grep -q '^busybox' && return 0
	if [ -n "${VMCTL_BASE_ROOT:-}" ] && [ -d "$VMCTL_BASE_ROOT/oci" ] && [ "$VMCTL_BASE_ROOT" != "$VMCTL_ROOT" ]; then
		# Everything but the runs: images, layers and whatever the store keeps.
		mkdir -p "$VMCTL_ROOT"
		local d
		for d in "$VMCTL_BASE_ROOT"/*; do
			[ "$(basename "$d")" = containers ] || cp -a "$d" "$VMCTL_ROOT/"
		done
		return 0
	fi
	"$VMCTL" image build-base >/dev/null
}
