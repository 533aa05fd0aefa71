#!/usr/bin/env python3
"""Tests of the harness's pure parts (no root, no KVM):

    python3 -m unittest discover -s bench -p 'test_*.py'
"""

import importlib.machinery
import importlib.util
import json
import math
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, HERE)
import benchlib as bl  # noqa: E402


def load_script(name):
    """bench/startup and bench/vm have no .py suffix: load them by path."""
    loader = importlib.machinery.SourceFileLoader("bench_" + name, os.path.join(HERE, name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Stats(unittest.TestCase):
    def test_median_odd_even(self):
        self.assertEqual(bl.median([3, 1, 2]), 2)
        self.assertEqual(bl.median([4, 1, 3, 2]), 2.5)

    def test_percentile_interpolates(self):
        xs = list(range(1, 31))  # 1..30
        self.assertAlmostEqual(bl.percentile(xs, 95), 28.55)
        self.assertEqual(bl.percentile(xs, 0), 1)
        self.assertEqual(bl.percentile(xs, 100), 30)

    def test_summarize_empty_is_nan(self):
        s = bl.summarize([])
        self.assertEqual(s["n"], 0)
        self.assertTrue(math.isnan(s["median"]))

    def test_summarize(self):
        s = bl.summarize([5.0, 1.0, 3.0])
        self.assertEqual((s["median"], s["min"], s["max"]), (3.0, 1.0, 5.0))

    def test_ratio(self):
        self.assertEqual(bl.ratio(8.0, 2.0), 4.0)
        self.assertTrue(math.isnan(bl.ratio(8.0, 0)))
        self.assertTrue(math.isnan(bl.ratio(math.nan, 2.0)))
        self.assertTrue(math.isnan(bl.ratio(None, 2.0)))

    def test_json_clean_turns_nan_into_null(self):
        self.assertEqual(json.dumps(bl.json_clean({"a": [math.nan, 1.0]})),
                         '{"a": [null, 1.0]}')


class Report(unittest.TestCase):
    def test_last_json_line_wins(self):
        err = 'noise\n{"mode":"x"}\nmore noise\n{"mode":"container","exit_code":0}\n'
        self.assertEqual(bl.parse_report(err)["mode"], "container")

    def test_no_report(self):
        self.assertIsNone(bl.parse_report("vmctl: error\n"))
        self.assertIsNone(bl.parse_report("{not json\n"))

    def test_report_values_skips_missing_and_null(self):
        reps = [{"memory": {"overhead_bytes": 10}}, {"memory": {"overhead_bytes": None}},
                {"memory": {}}, {}, {"memory": {"overhead_bytes": 30}}]
        self.assertEqual(bl.report_values(reps, "memory", "overhead_bytes"), [10.0, 30.0])

    def test_phases(self):
        reps = [{"phases_ms": {"exec": 1.5}}, {"phases_ms": {"exec": 2.5}}]
        self.assertEqual(bl.report_values(reps, "phases_ms", "exec"), [1.5, 2.5])


class Inspect(unittest.TestCase):
    def test_layer_dir(self):
        out = json.dumps([{"kind": "image", "layers": ["abc", "def"]}])
        self.assertEqual(bl.layer_dir_from_inspect(out, "/r"), "/r/layers/abc")

    def test_rejects_odd_layer_ids(self):
        for bad in ([], [".."], ["a/b"]):
            with self.assertRaises(ValueError):
                bl.layer_dir_from_inspect(json.dumps([{"layers": bad}]), "/r")


class Timing(unittest.TestCase):
    def test_status_and_stderr(self):
        with tempfile.TemporaryDirectory() as d:
            res = bl.time_command(["sh", "-c", "echo oops >&2; exit 3"], d + "/e")
        self.assertEqual(res["status"], 3)
        self.assertIn("oops", res["stderr"])
        self.assertGreater(res["wall_ns"], 0)

    def test_missing_binary_is_127(self):
        with tempfile.TemporaryDirectory() as d:
            res = bl.time_command(["/nonexistent/x"], d + "/e")
        self.assertEqual(res["status"], 127)

    def test_watchdog_kills(self):
        with tempfile.TemporaryDirectory() as d:
            res = bl.time_command(["sleep", "5"], d + "/e", timeout_s=0.2)
        self.assertEqual(res["status"], 128 + 9)
        self.assertLess(res["wall_ns"], 3e9)

    def test_stamped_milestones(self):
        script = r"printf 'boot\036I\n'; sleep 0.2; printf '\036'; sleep 0.1; printf 'X\n\036S0\n'"
        with tempfile.TemporaryDirectory() as d:
            res = bl.time_command(["sh", "-c", script], d + "/e", stamp_marks=True)
        st = res["stamps_ms"]
        self.assertEqual(sorted(st), ["I", "S", "X"])
        self.assertLess(st["I"], 150)
        self.assertGreaterEqual(st["X"], 290)  # stamped when its type byte came
        self.assertIn("boot", res["stdout"])
        self.assertGreaterEqual(res["wall_ns"] / 1e6, st["S"])

    def test_rotated(self):
        self.assertEqual([bl.rotated([1, 2, 3], i) for i in range(4)],
                         [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]])
        self.assertEqual(bl.rotated([], 5), [])

    def test_interleaving_order_and_warmup(self):
        calls = []

        def rt(name, fail_at=None):
            def argv_for(i):
                calls.append((name, i))
                return ["false"] if i == fail_at else ["true"]
            return bl.Runtime(name, argv_for, "test")

        a, b, c = rt("a"), rt("b", fail_at=-1), rt("c", fail_at=1)
        with tempfile.TemporaryDirectory() as d:
            bl.run_interleaved([a, b, c], runs=2, warmup=1, workdir=d)
        self.assertEqual(calls, [("a", -1), ("b", -1), ("c", -1),
                                 ("a", 0), ("c", 0), ("c", 1), ("a", 1)])
        self.assertIn("warm-up", b.skipped)
        self.assertEqual((len(a.samples_ms), a.failures), (2, 0))
        self.assertEqual((len(c.samples_ms), c.failures), (1, 1))


class Startup(unittest.TestCase):
    def setUp(self):
        self.st = load_script("startup")

    def test_patch_oci_config(self):
        spec = {"process": {"args": ["sh"], "terminal": True},
                "root": {"path": "rootfs", "readonly": False},
                "linux": {"namespaces": [{"type": "pid"}]}}
        c = self.st.patch_oci_config(spec, "/layers/x")
        self.assertEqual(c["process"]["args"], ["/bin/true"])
        self.assertFalse(c["process"]["terminal"])
        self.assertEqual(c["root"], {"path": "/layers/x", "readonly": True})
        self.assertEqual(sorted(n["type"] for n in c["linux"]["namespaces"]),
                         ["cgroup", "ipc", "mount", "network", "pid", "uts"])
        self.assertEqual(spec["process"]["args"], ["sh"], "input left alone")

    def test_targets(self):
        figures = {"vmctl": {"median_ms": 1.5}, "crun": {"ratio_to_vmctl": 5.0}}
        t = self.st.targets(figures, {"overhead_bytes_median": 2.0 * 1048576})
        self.assertEqual([x["pass"] for x in t], [True, True, False])

    def test_targets_unmeasured(self):
        t = self.st.targets({"crun": {"skipped": "no"}}, {})
        self.assertEqual([x["pass"] for x in t], [None, None, None])

    def test_floor_summary(self):
        figures = {"vmctl": {"median_ms": 2.5}, "floor-1": {"median_ms": 0.5},
                   "floor-3": {"median_ms": 1.75}, "floor": {"median_ms": 2.0},
                   "floor-2": {"skipped": "no"}}
        f = self.st.floor_summary(figures)
        self.assertEqual([lv["level"] for lv in f["levels"]], [1, 3, 5])
        self.assertEqual([lv["adds_ms"] for lv in f["levels"]], [None, 1.25, 0.25])
        self.assertEqual(f["floor_ms"], 2.0)
        self.assertEqual(f["vmctl_above_floor_ms"], 0.5)

    def test_floor_summary_without_floor(self):
        f = self.st.floor_summary({"vmctl": {"median_ms": 2.5}})
        self.assertEqual(f["levels"], [])
        self.assertTrue(math.isnan(f["vmctl_above_floor_ms"]))


class Vm(unittest.TestCase):
    def setUp(self):
        self.vm = load_script("vm")

    def test_cmdline_from_header(self):
        hdr = ('#define X 1\n#define VM_CMDLINE_BASE   \\\n'
               '\t"console=ttyS0 a=b "   \\\n\t"rdinit=/vmctl/init"\n\nint f(void);\n')
        self.assertEqual(self.vm.cmdline_base_from_header(hdr),
                         "console=ttyS0 a=b rdinit=/vmctl/init")
        self.assertIsNone(self.vm.cmdline_base_from_header("#define Y \"x\"\n"))

    def test_default_cmdline_is_vmctls(self):
        c = self.vm.default_cmdline()
        self.assertIn("rdinit=/vmctl/init", c)
        self.assertTrue(c.endswith(" quiet"))

    def test_config_records(self):
        self.assertEqual(self.vm.config_records(["true", "-x"], ["A=1"]),
                         b"atrue\0a-x\0eA=1\0w/\0hvmctl\0")

    def test_run_part_is_a_newc_archive(self):
        part = self.vm.run_part(["true"], ["PATH=/bin"])
        self.assertEqual(len(part) % 512, 0)
        self.assertTrue(part.startswith(b"070701"))
        namesize = int(part[94:102], 16)
        filesize = int(part[54:62], 16)
        self.assertEqual(part[110:110 + namesize], b"vmctl/config\0")
        self.assertEqual(filesize, len(b"atrue\0ePATH=/bin\0w/\0hvmctl\0"))
        self.assertIn(b"TRAILER!!!\0", part)

    def test_milestones(self):
        con = "boot noise\n\x1eI\r\n\x1eUsix\n\x1eX\nout\n\x1eS0\n"
        self.assertEqual(self.vm.milestones(con),
                         [("I", ""), ("U", "six"), ("X", ""), ("S", "0")])

    def test_qemu_check(self):
        self.assertIsNone(self.vm.qemu_check({"stdout": "\x1eX\n\x1eS0\n"}))
        self.assertIn("status", self.vm.qemu_check({"stdout": "\x1eX\n\x1eS256\n"}))
        self.assertIn("init error 2 exec",
                      self.vm.qemu_check({"stdout": "\x1eF2 exec\n"}))
        self.assertIn("no exec", self.vm.qemu_check({"stdout": "panic\n"}))

    def test_phase_table_steps(self):
        reps = [{"phases_ms": {"created": 1, "kernel_entry": 2, "init_started": 10,
                               "exec": 11, "exit": 12}},
                {"phases_ms": {"created": 3, "kernel_entry": 4, "init_started": 20,
                               "exec": 23, "exit": 25}}]
        t = {p["phase"]: p for p in self.vm.phase_table(reps)}
        self.assertEqual(t["created"]["step_ms"], 2)           # median of 1 and 3
        self.assertEqual(t["init_started"]["step_ms"], 12)     # (8 + 16) / 2
        self.assertEqual(t["exit"]["at_ms"], 18.5)
        self.assertEqual(t["exec"]["from"], "init_started")

    def test_exit_comparison(self):
        figs = {"vmctl-vm": {"phases": [{"phase": "exit", "at_ms": 100.0}]},
                "qemu": {"console_phases_ms": {"exit": 80.0}}}
        self.assertEqual(self.vm.exit_comparison(figs)["ratio"], 0.8)
        self.assertIsNone(self.vm.exit_comparison({"qemu": {"skipped": "x"}}))

    def test_phase_table_missing_phases(self):
        t = self.vm.phase_table([{"phases_ms": {"created": 1}}])
        self.assertTrue(math.isnan(t[1]["at_ms"]))


if __name__ == "__main__":
    unittest.main()
