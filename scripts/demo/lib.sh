# scripts/demo/lib.sh - the classroom demos' step helper.  Sourced by scripts/demo/<topic>.
#
#   step 'vmctl run --rm busybox uname -r' 'one line of explanation'
#       prints "$ CMD" (bold on a terminal), runs CMD, shows its output (stdout and stderr),
#       then "  -> explanation".  CMD is shell text: `vmctl` in it is the binary in $VMCTL.
#       The demo fails (exit 1, cleanup done) when CMD exits non-zero.  Its output is left in
#       $STEP_OUT for the script to check.
#   step_status N 'CMD' 'explanation'     the same, for a command that must exit with N.
#   say 'text'                            a heading or a remark between steps.
#   note 'text'                           a quiet remark: "(text)", dimmed.
#   needs_command NAME                    fails clearly when this vmctl has no `vmctl NAME`.
#   claim_run NAME / claim_image REF      a run or image name the demo creates: refused when it
#                                         exists already, removed at the end otherwise.
#   at_exit 'shell text'                  one more thing to undo at the end.
#
# Options of every demo: --pause (show the next command, wait for Enter on stdin, run it).
# Everything a demo creates goes away when it ends, on success, failure or Ctrl-C: its runs,
# its images, $DEMO_TMP (a private temp dir; mounts below it are unmounted first).

set -u
DEMO_NAME=$(basename "$0")
DEMO_DIR=$(cd "$(dirname "$0")" && pwd)
# The binary: from `vmctl demo` (VMCTL is set to it), else the tree's, else the PATH's.
if [ -z "${VMCTL:-}" ]; then
	if [ -x "$DEMO_DIR/../../bin/vmctl" ]; then
		VMCTL=$DEMO_DIR/../../bin/vmctl
	else
		VMCTL=$(command -v vmctl) || {
			echo "demo $DEMO_NAME: no vmctl binary (set VMCTL)" >&2
			exit 1
		}
	fi
fi
export VMCTL

DEMO_PAUSE=0
for _arg in "$@"; do
	case $_arg in
	--pause) DEMO_PAUSE=1 ;;
	*)
		echo "demo $DEMO_NAME: unknown argument '$_arg' (only --pause)" >&2
		exit 2
		;;
	esac
done

if [ -t 1 ]; then
	_bold=$(printf '\033[1m') _dim=$(printf '\033[2m') _off=$(printf '\033[0m')
else
	_bold="" _dim="" _off=""
fi

# The commands the steps show say `vmctl`; they run $VMCTL.
vmctl() { "$VMCTL" "$@"; }

DEMO_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-demo.XXXXXX") || exit 1
_runs=()
_images=()
_undo=()
STEP_OUT=""

demo_cleanup() {
	local rc=$?
	# A second Ctrl-C must not cut the cleanup short (nor the vmctl rm it runs).
	trap - EXIT
	trap '' INT TERM
	set +e
	local i
	for ((i = ${#_undo[@]} - 1; i >= 0; i--)); do
		eval "${_undo[i]}" >/dev/null 2>&1
	done
	for i in "${_runs[@]}"; do
		"$VMCTL" rm -f "$i" >/dev/null 2>&1
	done
	for i in "${_images[@]}"; do
		"$VMCTL" rmi "$i" >/dev/null 2>&1
	done
	grep -o " ${DEMO_TMP}[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf "$DEMO_TMP"
	exit "$rc"
}
trap demo_cleanup EXIT
trap 'echo; echo "demo $DEMO_NAME: interrupted, cleaning up" >&2; exit 130' INT
trap 'exit 143' TERM

say() { printf '\n%s%s%s\n' "$_bold" "$*" "$_off"; }
note() { printf '%s(%s)%s\n' "$_dim" "$*" "$_off"; }

demo_fail() {
	echo "demo $DEMO_NAME: $*" >&2
	exit 1
}

at_exit() { _undo+=("$1"); }

claim_run() {
	"$VMCTL" inspect "$1" >/dev/null 2>&1 &&
		demo_fail "a run named '$1' exists already; remove it first (vmctl rm -f $1)"
	_runs+=("$1")
}

claim_image() {
	"$VMCTL" inspect "$1" >/dev/null 2>&1 &&
		demo_fail "an image named '$1' exists already; remove it first (vmctl rmi $1)"
	_images+=("$1")
}

needs_command() {
	"$VMCTL" help "$1" >/dev/null 2>&1 ||
		demo_fail "the next step needs \`vmctl $1\`, which this vmctl ($VMCTL) does not have yet"
}

needs_base_image() {
	"$VMCTL" inspect busybox >/dev/null 2>&1 ||
		demo_fail "no busybox image: run scripts/quickstart (or vmctl image build-base) first"
}

has_kvm() { [ -w /dev/kvm ]; }

step_status() {
	local want=$1 cmd=$2 why=$3
	printf '\n%s$ %s%s\n' "$_bold" "$cmd" "$_off"
	if [ "$DEMO_PAUSE" = 1 ]; then
		# From stdin (the terminal, in class); the steps themselves never read it.
		read -r -p "${_dim}(Enter to run)${_off}" _ || true
	fi
	local got
	# The output is shown as it comes and kept for the script's checks.
	eval "$cmd" </dev/null 2>&1 | tee "$DEMO_TMP/.out"
	got=${PIPESTATUS[0]}
	# shellcheck disable=SC2034 # read by the demo scripts
	STEP_OUT=$(cat "$DEMO_TMP/.out")
	printf '%s  -> %s%s\n' "$_dim" "$why" "$_off"
	[ "$got" = "$want" ] ||
		demo_fail "step failed: \`$cmd\` exited $got (expected $want)"
}

step() { step_status 0 "$@"; }
