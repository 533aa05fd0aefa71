#!/bin/bash
# build.sh - builds vmctl's guest kernel once and caches it.
#
#   images/kernel/build.sh               build if needed, print the vmlinux path
#   images/kernel/build.sh --print-path  same; stdout carries the path only
#   images/kernel/build.sh --key         print the cache key only (no build)
#
# The kernel is Debian's linux-source-6.1 + patches/*.patch (in name order,
# patch -p1) + `make tinyconfig` + config.fragment.  The result lands in
#   ${VMCTL_KERNEL_CACHE:-${VMCTL_ROOT:-/var/lib/vmctl}/kernel}/<key>/
#     vmlinux  .config  release
# where <key> is the first 16 hex digits of a sha256 over the inputs (see
# compute_key; images/kernel.c computes the very same bytes, keep them in
# step).  Progress goes to stderr as "[kernel] ..." lines, the full log to
# <cache>/build.log.  Concurrent runs serialise on <cache>/.lock.
#
# Environment: VMCTL_KERNEL_SOURCE (tarball, default
# /usr/src/linux-source-6.1.tar.xz), VMCTL_KERNEL_CACHE, VMCTL_ROOT,
# VMCTL_KERNEL_JOBS (default: nproc).
set -euo pipefail
export LC_ALL=C # stable glob order for the patches, plain messages

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=${VMCTL_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
CACHE=${VMCTL_KERNEL_CACHE:-${VMCTL_ROOT:-/var/lib/vmctl}/kernel}
JOBS=${VMCTL_KERNEL_JOBS:-$(nproc)}
LOG=$CACHE/build.log

say() { printf '[kernel] %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# The key's input, byte for byte: for each of config.fragment, the patches
# in name order and this script, a line "file <name> <size>" then the file's
# bytes; last, a line "source <tarball basename> <size> <mtime>" (or
# "source <basename> absent") standing for the linux-source version: a new
# Debian upload changes both size and mtime.
key_input() {
	local f size mtime
	for f in "$HERE/config.fragment" "$HERE"/patches/*.patch "$HERE/build.sh"; do
		[ -f "$f" ] || continue
		printf 'file %s %s\n' "${f#"$HERE"/}" "$(stat -c %s "$f")"
		cat "$f"
	done
	if [ -f "$SOURCE" ]; then
		size=$(stat -L -c %s "$SOURCE")
		mtime=$(stat -L -c %Y "$SOURCE")
		printf 'source %s %s %s\n' "$(basename "$SOURCE")" "$size" "$mtime"
	else
		printf 'source %s absent\n' "$(basename "$SOURCE")"
	fi
}

compute_key() {
	key_input | sha256sum | cut -c1-16
}

# Every line of the fragment must hold in the final .config: "=value" lines
# literally, "is not set" lines either literally or by the symbol's absence
# (a dependency that is off hides it).  Kconfig silently drops what it cannot
# satisfy; this is where such a drop becomes a clear failure.
verify_config() {
	local config=$1 line sym bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" && continue
			;;
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%" is not set"}
			grep -q "^$sym=" "$config" || continue
			;;
		*) continue ;;
		esac
		sym=$(grep -oE 'CONFIG_[A-Za-z0-9_]+' <<<"$line" | head -n1)
		say "config: wanted '$line', got '$(grep -E "^$sym=|^# $sym is not set" "$config" || echo absent)'"
		bad=1
	done <"$HERE/config.fragment"
	return $bad
}

fail_with_log() {
	say "error: $1; last 30 lines of $LOG:"
	tail -n 30 "$LOG" >&2 || true
	exit 1
}

# Prints "[kernel]   N objects compiled" every 15 s while make runs.
show_progress() {
	local start=$SECONDS n
	while sleep 15; do
		n=$(grep -c '^  CC ' "$LOG" || true)
		say "  $n objects compiled ($((SECONDS - start)) s)"
	done
}

build() {
	local key=$1 out=$CACHE/$1 work=$CACHE/build-$1 stage=$CACHE/.stage-$1
	local start=$SECONDS progress p n

	[ -f "$SOURCE" ] || die "$SOURCE not found (apt-get install linux-source-6.1)"
	# Old build trees of other keys are dead weight (about 1.3 GB each).
	for p in "$CACHE"/build-* "$CACHE"/.stage-*; do
		[ -e "$p" ] && [ "$p" != "$work" ] && [ "$p" != "$stage" ] && rm -rf -- "$p"
	done

	: >"$LOG"
	# A build tree left by an interrupted run is reused; the stamps say how
	# far it got (patches must not be applied twice).
	if [ ! -f "$work/.vmctl-unpacked" ]; then
		say "unpacking $(basename "$SOURCE")..."
		rm -rf -- "$work"
		mkdir -p "$work"
		tar -xf "$SOURCE" -C "$work" --strip-components=1 >>"$LOG" 2>&1 ||
			fail_with_log "unpacking $SOURCE failed"
		touch "$work/.vmctl-unpacked"
	fi
	if [ ! -f "$work/.vmctl-patched" ]; then
		n=0
		for p in "$HERE"/patches/*.patch; do
			[ -f "$p" ] || continue
			echo "== patch $p" >>"$LOG"
			patch -d "$work" -p1 --forward --batch <"$p" >>"$LOG" 2>&1 ||
				fail_with_log "patch $(basename "$p") does not apply"
			n=$((n + 1))
		done
		say "applied $n patches"
		touch "$work/.vmctl-patched"
	fi

	say "configuring (tinyconfig + config.fragment)..."
	# LOCALVERSION= (set, empty): no "+" suffix from setlocalversion; the
	# "-vmctl" suffix comes from CONFIG_LOCALVERSION in the fragment.
	local -a mk=(make -C "$work" LOCALVERSION=)
	{
		"${mk[@]}" tinyconfig &&
			(cd "$work" && scripts/kconfig/merge_config.sh -m .config "$HERE/config.fragment") &&
			"${mk[@]}" olddefconfig
	} >>"$LOG" 2>&1 || fail_with_log "configuration failed"
	verify_config "$work/.config" || die "config.fragment did not apply (see above)"

	say "compiling (about 3 minutes on 2 cores, $JOBS jobs)..."
	show_progress &
	progress=$!
	if ! "${mk[@]}" -j"$JOBS" vmlinux >>"$LOG" 2>&1; then
		kill "$progress" 2>/dev/null || true
		fail_with_log "compilation failed"
	fi
	kill "$progress" 2>/dev/null || true
	wait "$progress" 2>/dev/null || true

	# Stage the result and rename the directory into place: a reader either
	# sees no <key>/ or a complete one.
	rm -rf -- "$stage"
	mkdir -p "$stage"
	cp "$work/vmlinux" "$stage/vmlinux"
	cp "$work/.config" "$stage/.config"
	"${mk[@]}" -s kernelrelease >"$stage/release" 2>>"$LOG" ||
		fail_with_log "make kernelrelease failed"
	rm -rf -- "$out"
	mv -T "$stage" "$out"
	say "built $(cat "$out/release") in $((SECONDS - start)) s; removing the build tree"
	rm -rf -- "$work"
}

main() {
	local mode=build key
	case ${1:-} in
	"") ;;
	--print-path) mode=path ;;
	--key) mode=key ;;
	-h | --help)
		sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		return 0
		;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac

	key=$(compute_key)
	if [ "$mode" = key ]; then
		echo "$key"
		return 0
	fi
	if [ ! -f "$CACHE/$key/vmlinux" ]; then
		mkdir -p "$CACHE"
		exec 9>"$CACHE/.lock"
		# Another run may be building the same key: wait for it, then
		# look again before doing the work twice.
		if ! flock -n 9; then
			say "waiting for another build to finish..."
			flock 9
		fi
		[ -f "$CACHE/$key/vmlinux" ] || build "$key"
		exec 9>&-
	fi
	echo "$CACHE/$key/vmlinux"
}

main "$@"
