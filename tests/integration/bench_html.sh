#!/usr/bin/env bash
# The report page of `vmctl bench` seen by a real browser: headless Chromium renders the page
# of a hand-built result (build/tests/bench_fixture), its DOM has the charts and the table, its
# screenshot is a PNG with the charts' colors in it; the SVG is well-formed XML.
# BENCH_HTML_KEEP=DIR keeps the page, the SVG and the screenshot there.
. "$(dirname "$0")/lib.sh"

FIXTURE=$TOP/build/tests/bench_fixture
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

if [ -z "$CHROMIUM" ]; then
	skip "bench_html" "chromium is not installed (scripts/setup installs it)"
	exit 0
fi
if ! make -s -C "$TOP" build/tests/bench_fixture >/dev/null 2>&1 || [ ! -x "$FIXTURE" ]; then
	fail "bench_html: building build/tests/bench_fixture" "make failed"
	exit 0
fi

# chromium URL ARGS...: one headless run with a private profile, nothing left behind.
chromium_run() {
	local url=$1
	shift
	local profile
	profile=$(mktemp -d "$T/chromium.XXXXXX")
	TMPDIR=$T HOME=$T timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$profile" \
		--hide-scrollbars "$@" "$url" 2>/dev/null
}

svg_well_formed() {
	local variant
	for variant in "" --hostile --empty; do
		"$FIXTURE" $variant "$T/page.html" "$T/charts.svg" || return 1
		python3 - "$T/charts.svg" "$variant" <<'EOF' || return 1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
texts = "".join(t for t in root.itertext())
if sys.argv[2] == "--hostile":
    # markup in names came through as text, not as elements
    assert "crun<b>bold</b>" in texts, "escaped name not in the text"
    assert all(e.tag.startswith(ns) for e in root.iter())
    assert not any(e.tag.endswith("}b") or e.tag.endswith("}script") for e in root.iter())
if sys.argv[2] == "--empty":
    assert "No subject was measured." in texts
else:
    assert len(root.findall(f".//{ns}rect[@class='bar']")) > 10
    assert "skipped: " in texts and "n/a" in texts
EOF
	done
}

# The DOM after parsing: three inline SVG charts with their bars, one table row per subject.
dom_has_charts() {
	"$FIXTURE" "$T/page.html" "$T/charts.svg" || return 1
	chromium_run "file://$T/page.html" --dump-dom >"$T/dom.html" || return 1
	python3 - "$T/dom.html" "$T/page.html" <<'EOF'
import sys
from html.parser import HTMLParser

class Count(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = self.bars = self.rows = self.scripts = 0
        self.stack = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg += 1
        if tag == "rect" and a.get("class") == "bar":
            self.bars += 1
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self.stack.append(a.get("class"))
        if tag == "tr" and self.stack and self.stack[-1] == "results":
            self.rows += 1
    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()

dom, src = Count(), Count()
dom.feed(open(sys.argv[1]).read())
src.feed(open(sys.argv[2]).read())
assert dom.svg == 3, f"{dom.svg} svg elements in the DOM"
assert dom.bars == src.bars and dom.bars > 10, f"{dom.bars} bars in the DOM, {src.bars} in the page"
assert dom.rows == 1 + 4, f"{dom.rows} rows in the results table"
assert dom.scripts == 0
EOF
}

# Hostile names stay text in the browser too: no element came out of them.
dom_hostile_is_text() {
	"$FIXTURE" --hostile "$T/page.html" "$T/charts.svg" || return 1
	chromium_run "file://$T/page.html" --dump-dom >"$T/dom.html" || return 1
	expect_not_contains "$(cat "$T/dom.html")" "<script>" "a script element in the DOM"
	expect_not_contains "$(cat "$T/dom.html")" "crun<b>" "a name became markup"
	expect_contains "$(cat "$T/dom.html")" "&lt;script&gt;alert(1)&lt;/script&gt;"
}

# PNG: the signature, then the pixels (zlib + PNG row filters, stdlib only): many colors, the
# two kind colors of the bars (vmctl modes, peers) present, far from a blank page.
screenshot_not_blank() {
	"$FIXTURE" "$T/page.html" "$T/charts.svg" || return 1
	printf '<!DOCTYPE html><html><body></body></html>\n' >"$T/blank.html"
	chromium_run "file://$T/page.html" --screenshot="$T/page.png" --window-size=1280,2000 \
		>/dev/null || return 1
	chromium_run "file://$T/blank.html" --screenshot="$T/blank.png" --window-size=1280,2000 \
		>/dev/null || return 1
	python3 - "$T/page.png" "$T/blank.png" <<'EOF'
import sys, struct, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows, i = bytearray(stride), [], 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return [tuple(r[x:x + 3]) for r in rows for x in range(0, stride, bpp)]

page, blank = pixels(sys.argv[1]), pixels(sys.argv[2])
colors = set(page)
white = sum(1 for p in page if p == (255, 255, 255))
assert len(set(blank)) <= 2, "the blank page is not blank"
assert len(colors) > 50, f"only {len(colors)} colors"
assert white < 0.97 * len(page), "almost all white"

def near(rgb, target, tol=6):
    return all(abs(a - b) <= tol for a, b in zip(rgb, target))

mode = sum(1 for p in page if near(p, (0x1d, 0x4e, 0xd8)))
peer = sum(1 for p in page if near(p, (0xfd, 0xba, 0x74)) or near(p, (0xc2, 0x41, 0x0c)))
assert mode > 500 and peer > 500, f"bar colors: {mode} mode pixels, {peer} peer pixels"
EOF
	if [ -n "${BENCH_HTML_KEEP:-}" ]; then
		mkdir -p "$BENCH_HTML_KEEP" && cp "$T/page.html" "$T/charts.svg" "$T/page.png" "$BENCH_HTML_KEEP/"
	fi
}

# The real thing: `vmctl bench --html` on both modes and a peer, rendered by chromium.
real_bench_page() {
	ensure_base_image
	local modes=container
	[ -w /dev/kvm ] && modes=container,vm
	"$VMCTL" bench --runs 3 --warmup 0 --modes "$modes" --peers bwrap --html "$T/real.html" \
		--svg "$T/real.svg" --json busybox true >"$T/real.json" 2>"$T/real.err" || {
		cat "$T/real.err"
		return 1
	}
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/real.svg" || return 1
	chromium_run "file://$T/real.html" --dump-dom >"$T/real-dom.html" || return 1
	local dom
	dom=$(cat "$T/real-dom.html")
	expect_eq "$(grep -o '<svg' "$T/real-dom.html" | wc -l)" 3 "three charts in the DOM"
	expect_contains "$dom" "bwrap"
	expect_contains "$dom" "container"
	[ "$modes" = container ] || expect_contains "$dom" "-vmctl" "the guest kernel among the machine's facts"
	# the JSON of the same run: every subject measured 3 times; its machine's facts and
	# the peer's version are on the page
	python3 - "$T/real.json" "$T/real-dom.html" <<'EOF' || return 1
import html, json, sys
d, dom = json.load(open(sys.argv[1])), html.unescape(open(sys.argv[2]).read())
S = {s["name"]: s for s in d["subjects"]}
for s in d["subjects"]:
    if s["skipped"]:
        assert s["name"] == "bwrap" and "not installed" in s["skipped"], s["skipped"]
        continue
    assert s["failures"] == 0 and s["stats"]["wall_ms"]["n"] == 3, (s["name"], s["first_failure"])
    assert s["ratio"]["wall_ms"] > 0, s["ratio"]
    assert s["name"] != "bwrap" or s["version"].split("\n")[0] in dom, s["version"]
m = d["machine"]
for k in ("cpu", "host_kernel", "guest_kernel", "vmctl_version"):
    assert not m[k] or m[k] in dom, (k, m[k])
assert m["cpu"] and m["host_kernel"], m
if "vm" in S:
    assert m["guest_kernel"] and S["vm"]["stats"]["guest_bytes"]["n"] == 3, m
EOF
	chromium_run "file://$T/real.html" --screenshot="$T/real.png" --window-size=1280,2000 \
		>/dev/null || return 1
	expect_eq "$(head -c 8 "$T/real.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "a PNG"
	expect_eq "$([ "$(stat -c %s "$T/real.png")" -gt 50000 ] && echo big)" big "a screenshot with content"
}

t "bench charts: the SVG is well-formed XML (plain, hostile names, no subject)" svg_well_formed
t "bench html: chromium's DOM has the three charts, their bars and the table" dom_has_charts
t "bench html: names full of markup stay text in the browser" dom_hostile_is_text
t "bench html: the screenshot is a PNG with the charts drawn, not a blank page" screenshot_not_blank
t "bench html: vmctl bench --html on both modes and bwrap renders in chromium" real_bench_page
