#!/usr/bin/env bash
# scripts/readme-figures renders the README's table from what `vmctl bench --json`
# really writes (the measuring itself is left to the integrator's quiet machine).
. "$(dirname "$0")/lib.sh"
ensure_base_image

readme_render() {
	"$VMCTL" bench --runs 1 --warmup 0 --modes container --peers bwrap --json busybox true \
		>"$T/b.json" 2>"$T/b.err" || return 1
	cp "$TOP/README.md" "$T/README.md"
	"$TOP/scripts/readme-figures" --render "$T/b.json" "$T/README.md" >/dev/null || return 1
	local once
	once=$(cat "$T/README.md")
	# a second rendering replaces the first (the markers survive)
	"$TOP/scripts/readme-figures" --render "$T/b.json" "$T/README.md" >/dev/null || return 1
	expect_eq "$(cat "$T/README.md")" "$once" "rendering twice differs"
	python3 - "$T/README.md" "$TOP/README.md" <<'PY' || return 1
import re, sys
new, old = open(sys.argv[1]).read(), open(sys.argv[2]).read()
a, b = new.index("<!-- bench:begin"), new.index("<!-- bench:end -->")
part = new[a:b]
assert new[:a] == old[:old.index("<!-- bench:begin")], "text before the markers changed"
assert "--modes container --peers bwrap" in part, part
rows = [l for l in part.splitlines() if l.startswith("| ")]
assert rows[0].startswith("| subject |") and len(rows) == 3, rows
assert rows[1].startswith("| **vmctl container** | ") and "1.00x" in rows[1], rows[1]
assert rows[2].startswith("| bwrap (bubblewrap "), rows[2]
cells = [c.strip() for c in rows[1].strip("|").split("|")]
assert re.fullmatch(r"[0-9.]+ ms", cells[1]) and re.fullmatch(r"[0-9.]+ MiB", cells[5]), cells
assert "![startup, total and memory per mode and peer](docs/bench.svg)" in part
PY
}

bad_usage() {
	expect_status 2 "$TOP/scripts/readme-figures" --render "$T/only-one.json"
	"$TOP/scripts/readme-figures" --render "$T/only-one.json" 2>"$T/u.err"
	expect_contains "$(cat "$T/u.err")" "usage:"
}

t "readme-figures --render: the README table from vmctl bench --json" readme_render
t "readme-figures: bad usage is one line, exit 2" bad_usage
