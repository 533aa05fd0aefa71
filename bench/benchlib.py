"""benchlib.py - what bench/startup and bench/vm share (python3 stdlib only).

- statistics over wall-time samples (pure, tested in bench/test_benchlib.py);
- timing one command: posix_spawn + wait4, the clock read right before the
  spawn and right after the reap, output redirected to files so a slow reader
  never stalls the runtime under test;
- timing helpers (PeerHost): persistent processes that time commands, one
  in the host's namespaces and, for a peer that needs another mount table
  (crun needs a cgroup2 tree at /sys/fs/cgroup on this hybrid host), one in
  a private mount namespace entered ONCE, so no `unshare` exec is added per
  run and every contender pays the same harness costs;
- finding vmctl, its busybox image's layer and parsing its --report=json line;
- an interleaved runner: warm-up rounds, then A B C D A B C D ...
"""

import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


# --------------------------------------------------------------------------
# statistics (pure)
# --------------------------------------------------------------------------

def percentile(samples, p):
    """The p-th percentile (0..100), linear between closest ranks (numpy's
    default), so that p95 of 30 samples is not just the 29th value."""
    if not samples:
        return math.nan
    xs = sorted(samples)
    pos = (len(xs) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(samples):
    return percentile(samples, 50)


def summarize(samples):
    """median, p95, min, max (same unit as the samples); NaN when empty."""
    if not samples:
        return {"n": 0, "median": math.nan, "p95": math.nan,
                "min": math.nan, "max": math.nan}
    return {"n": len(samples), "median": median(samples),
            "p95": percentile(samples, 95), "min": min(samples),
            "max": max(samples)}


def ratio(a, b):
    """a / b, NaN when either is missing or b is 0."""
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return math.nan
    return a / b


def fmt_ms(v):
    return "-" if v is None or math.isnan(v) else ("%.2f" % v)


def json_clean(obj):
    """NaN is not JSON: turn it into null, recursively."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_clean(v) for v in obj]
    return obj


# --------------------------------------------------------------------------
# vmctl's report line (pure)
# --------------------------------------------------------------------------

def parse_report(stderr_text):
    """The last line of stderr that is a JSON object, as vmctl --report=json
    prints it; None when there is none."""
    for line in reversed(stderr_text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                return None
            return obj if isinstance(obj, dict) else None
    return None


def last_line(text, limit=200):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:limit] if lines else ""


# --------------------------------------------------------------------------
# timing one command
# --------------------------------------------------------------------------

def time_command(argv, stderr_path, env=None, timeout_s=None, stdout_path=None,
                 stamp_marks=False):
    """Runs argv with stdin on /dev/null, stderr into stderr_path and stdout
    into stdout_path (default /dev/null).  A run longer than timeout_s is
    SIGKILLed (bounded loops).

    stamp_marks: stdout is a pipe read while the command runs, and the
    arrival of each console milestone record (MS_MARK + type, see
    vmm/milestone.h) is time-stamped: stamps_ms {type: ms since spawn}, first
    arrival of each type.  For long runs (a VM boot) whose phases we want.

    Returns a dict: wall_ns (spawn to reap), status (0..255, 128+N for
    signal N, 127 when it could not be spawned), stderr, stdout (when
    stdout_path or stamp_marks; its last 64 KiB), stamps_ms, maxrss_kib
    (wait4's ru_maxrss: NOT the runtime's own figure for small runtimes,
    since the spawned child counts the helper's pages it shares until exec;
    meaningful only well above that floor).
    """
    rfd = wfd = -1
    if stamp_marks:
        rfd, wfd = os.pipe()  # both close-on-exec; dup2 makes the child's 1 inheritable
        out_action = (os.POSIX_SPAWN_DUP2, wfd, 1)
    else:
        out_action = (os.POSIX_SPAWN_OPEN, 1, stdout_path or os.devnull,
                      os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    fa = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), out_action,
          (os.POSIX_SPAWN_OPEN, 2, stderr_path,
           os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    env = os.environ if env is None else env
    text, stamps = "", {}
    # The watchdog is an interval timer armed outside the timed region: no
    # thread is started and nothing polls while the runtime runs.
    with _Watchdog(timeout_s) as dog:
        t0 = time.perf_counter_ns()
        try:
            # Python ignores SIGPIPE and SIGXFSZ, and an ignored signal
            # survives exec: give the runtime every default, as a shell would.
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=fa,
                                  setsigdef=_DEFAULT_SIGNALS)
        except OSError as e:
            for fd in (rfd, wfd):
                if fd >= 0:
                    os.close(fd)
            return {"wall_ns": 0, "status": 127, "maxrss_kib": 0, "stdout": "",
                    "stamps_ms": {}, "stderr": "%s: %s" % (argv[0], e.strerror)}
        dog.pid = pid
        if stamp_marks:
            os.close(wfd)
            text, stamps = _read_stamped(rfd, t0)
            os.close(rfd)
        _, wstatus, rusage = os.wait4(pid, 0)  # retried by Python on EINTR
        t1 = time.perf_counter_ns()
    with open(stderr_path, errors="replace") as f:
        err = f.read()
    if stdout_path and not stamp_marks:
        with open(stdout_path, errors="replace") as f:
            text = f.read()[-65536:]  # a console log: its end tells enough
    if dog.fired:
        err += "\n(killed by the harness after %s s)" % timeout_s
    return {"wall_ns": t1 - t0, "status": _exit_code(wstatus), "stderr": err,
            "stdout": text, "stamps_ms": stamps, "maxrss_kib": rusage.ru_maxrss}


MS_MARK = b"\x1e"  # vmm/milestone.h: a record is MS_MARK <type> [payload] '\n'


def _read_stamped(fd, t0):
    """Reads fd to EOF; the time each milestone type first arrives.  A mark
    at the very end of one read is stamped when its type byte arrives."""
    tail = b""
    carry = b""  # a trailing MS_MARK whose type byte has not arrived yet
    stamps = {}
    while True:
        chunk = os.read(fd, 65536)  # retried by Python on EINTR
        if not chunk:
            break
        now_ms = (time.perf_counter_ns() - t0) / 1e6
        scan = carry + chunk
        i = scan.find(MS_MARK)
        while 0 <= i < len(scan) - 1:
            stamps.setdefault(chr(scan[i + 1]), now_ms)
            i = scan.find(MS_MARK, i + 1)
        carry = MS_MARK if scan.endswith(MS_MARK) else b""
        tail = (tail + chunk)[-65536:]
    return tail.decode(errors="replace"), stamps


_DEFAULT_SIGNALS = tuple(s for s in signal.valid_signals()
                         if s not in (signal.SIGKILL, signal.SIGSTOP))


class _Watchdog:
    """SIGALRM after timeout_s kills self.pid (a hung runtime)."""

    def __init__(self, timeout_s):
        self.timeout_s = timeout_s
        self.pid = None
        self.fired = False
        self.old = None

    def _on_alarm(self, signum, frame):
        if self.pid:
            self.fired = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def __enter__(self):
        if self.timeout_s:
            self.old = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        return self

    def __exit__(self, *exc):
        if self.timeout_s:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def _exit_code(wstatus):
    """Docker's convention: the status, or 128+N when killed by signal N."""
    if os.WIFSIGNALED(wstatus):
        return 128 + os.WTERMSIG(wstatus)
    return os.WEXITSTATUS(wstatus)


# --------------------------------------------------------------------------
# the peer host: timing inside one persistent private mount namespace
# --------------------------------------------------------------------------

class PeerHost:
    """A helper process (this file run with --serve) that times commands.

    Every runtime is timed by such a helper, so that all of them pay the very
    same harness costs; they differ only in where the helper lives:
    - private=False: in the host's namespaces (vmctl, runc, bwrap);
    - private=True: in a private mount namespace with a fresh cgroup2 tree
      mounted at /sys/fs/cgroup (crun refuses the host's hybrid layout).  The
      namespace is entered ONCE, with `unshare`, so no exec is added per run.
      Why it is safe: `unshare --mount --propagation private` makes every
      mount in the helper's namespace private, so the cgroup2 mount never
      reaches the host's mount table and it disappears with the helper.

    Protocol: one JSON request per line on its stdin ({"argv": [...],
    "timeout": s, "stdout": capture?}), one JSON reply per line on its
    stdout (the time_command dict).  The helper reads the clock itself, so the pipe round trip is not
    part of any figure.
    """

    def __init__(self, workdir, private=False):
        self.proc = None
        self.error = None
        self.private = private
        cmd = [sys.executable, os.path.abspath(__file__), "--serve", workdir]
        if private:
            cmd = ["unshare", "--mount", "--propagation", "private", "--"] + cmd + ["--cgroup2"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True,
                                         bufsize=1)
        except OSError as e:
            self.error = "cannot start %s: %s" % (cmd[0], e.strerror)
            return
        hello = self.proc.stdout.readline()
        try:
            msg = json.loads(hello)
        except ValueError:
            msg = {"error": "helper did not start (%r)" % hello[:200]}
        if msg.get("error"):
            self.error = msg["error"]
            self.close()

    @property
    def ok(self):
        return self.proc is not None and self.error is None

    def time_command(self, argv, timeout_s=None, capture_stdout=False, stamp_marks=False):
        req = {"argv": argv, "timeout": timeout_s, "stdout": capture_stdout,
               "stamp": stamp_marks}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the timing helper exited")
        return json.loads(line)

    def run_untimed(self, argv):
        """For set-up and clean-up inside the namespace (e.g. `crun delete`)."""
        return self.time_command(argv, timeout_s=30)

    def close(self):
        if self.proc:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def serve(workdir, cgroup2):
    """The helper's side of PeerHost."""
    out = sys.stdout
    if cgroup2:
        # A v2 tree where the host has hybrid v1+v2: crun refuses the hybrid
        # layout.  Private to this namespace (see PeerHost).
        r = subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            out.write(json.dumps({"error": "mount cgroup2: " + last_line(r.stderr)}) + "\n")
            out.flush()
            return 1
    out.write(json.dumps({"ok": True}) + "\n")
    out.flush()
    errfile = os.path.join(workdir, "helper-%d.stderr" % os.getpid())
    outfile = os.path.join(workdir, "helper-%d.stdout" % os.getpid())
    for line in sys.stdin:
        req = json.loads(line)
        res = time_command(req["argv"], errfile, timeout_s=req.get("timeout"),
                           stdout_path=outfile if req.get("stdout") else None,
                           stamp_marks=bool(req.get("stamp")))
        out.write(json.dumps(res) + "\n")
        out.flush()
    return 0


# --------------------------------------------------------------------------
# vmctl: the binary, the image, the rootfs
# --------------------------------------------------------------------------

def vmctl_root():
    return os.environ.get("VMCTL_ROOT") or "/var/lib/vmctl"


def vmctl_usable(vmctl):
    """(True, "") when vmctl exists and answers `version`; else (False, why)."""
    if not os.access(vmctl, os.X_OK):
        return False, "%s not built (make)" % vmctl
    try:
        r = subprocess.run([vmctl, "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "%s version: %s" % (vmctl, e)
    if r.returncode != 0:
        return False, "%s version failed: %s" % (vmctl, last_line(r.stderr + r.stdout))
    return True, ""


def layer_dir_from_inspect(inspect_json, root):
    """Pure: `vmctl inspect busybox` output -> $root/layers/<layers[0]>."""
    data = json.loads(inspect_json)
    if isinstance(data, list):
        data = data[0] if data else {}
    layers = data.get("layers") or []
    if not layers:
        raise ValueError("the image has no layers")
    layer = layers[0]
    if "/" in layer or layer in ("", ".", ".."):
        raise ValueError("odd layer id %r" % layer)
    return os.path.join(root, "layers", layer)


def ensure_image(vmctl, image="busybox"):
    """`vmctl inspect IMAGE` output, making the base image when the store
    lacks it.  Returns (inspect stdout, note) or raises RuntimeError."""
    r = subprocess.run([vmctl, "inspect", image], capture_output=True, text=True, timeout=60)
    note = "layer 0 of vmctl's %s image" % image
    if r.returncode != 0:
        b = subprocess.run([vmctl, "image", "build-base"], capture_output=True,
                           text=True, timeout=300)
        if b.returncode != 0:
            raise RuntimeError("vmctl image build-base: " + last_line(b.stderr))
        note += " (made now with `vmctl image build-base`)"
        r = subprocess.run([vmctl, "inspect", image], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("vmctl inspect %s: %s" % (image, last_line(r.stderr)))
    return r.stdout, note


def busybox_rootfs(vmctl, image="busybox"):
    """The busybox image's layer directory, making the image when missing.
    Returns (path, note) or raises RuntimeError."""
    text, note = ensure_image(vmctl, image)
    path = layer_dir_from_inspect(text, vmctl_root())
    if not os.path.isfile(os.path.join(path, "bin", "busybox")):
        raise RuntimeError("%s has no bin/busybox" % path)
    return path, note


def make_fallback_rootfs(dest, busybox="/bin/busybox"):
    """The same layout as vmctl's base image (images/base.c), for measuring
    the peers while bin/vmctl does not work yet."""
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys",
              "tmp", "root", "home", "var/tmp", "run", "mnt"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    target = os.path.join(dest, "bin", "busybox")
    with open(busybox, "rb") as src, open(target, "wb") as dst:
        dst.write(src.read())
    os.chmod(target, 0o755)
    applets = subprocess.run([busybox, "--list-full"], capture_output=True,
                             text=True, check=True).stdout.split()
    for a in applets:
        if a == "bin/busybox" or ".." in a or a.startswith("/"):
            continue
        link = os.path.join(dest, a)
        if not os.path.lexists(link):
            os.symlink("/bin/busybox", link)
    return dest


def tree_fingerprint(path):
    """(relative path, mode, size, mtime) of every entry: to show that no
    runtime wrote into the shared read-only rootfs."""
    out = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            out.append((os.path.relpath(p, path), st.st_mode, st.st_size, st.st_mtime_ns))
    return out


# --------------------------------------------------------------------------
# the machine
# --------------------------------------------------------------------------

def machine_facts():
    facts = {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu_model": "",
             "kvm": "", "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    facts["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    for mod in ("kvm_pvm", "kvm_intel", "kvm_amd"):
        if os.path.isdir("/sys/module/" + mod):
            facts["kvm"] = mod
            break
    facts["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    facts["loadavg"] = loadavg()
    return facts


def loadavg():
    """The 1-minute load average: on 2 CPUs, other work skews every figure."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return math.nan


def tool_version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else ""


def vmctl_version():
    """The source tree's commit (read-only git): `vmctl version` prints
    Docker's multi-line form."""
    v = tool_version(["git", "-C", TOP, "describe", "--always", "--dirty"])
    return "vmctl " + (v or "?")


# --------------------------------------------------------------------------
# the interleaved runner
# --------------------------------------------------------------------------

class Runtime:
    """One contender.  argv_for(i) gives the command of run i (ids may vary
    per run); host is the PeerHost that times it (None: this process, for
    tests); check(res) returns an error string for a run that did not do
    its job."""

    def __init__(self, name, argv_for, how, host=None, check=None, timeout_s=60,
                 capture_stdout=False, stamp_marks=False):
        self.name = name
        self.capture_stdout = capture_stdout
        self.stamp_marks = stamp_marks
        self.argv_for = argv_for
        self.how = how
        self.host = host
        self.check = check
        self.timeout_s = timeout_s
        self.samples_ms = []
        self.maxrss_kib = []
        self.stamps = []  # per run: {milestone type: ms since spawn}
        self.reports = []  # parsed --report=json objects (vmctl)
        self.failures = 0
        self.first_failure = None  # the reason of the first failed measured run
        self.skipped = None  # why, when it could not run here

    def run_once(self, i, stderr_path):
        argv = self.argv_for(i)
        if self.host is not None:
            res = self.host.time_command(argv, timeout_s=self.timeout_s,
                                         capture_stdout=self.capture_stdout,
                                         stamp_marks=self.stamp_marks)
        else:
            res = time_command(argv, stderr_path, timeout_s=self.timeout_s,
                               stdout_path=stderr_path + ".out" if self.capture_stdout else None,
                               stamp_marks=self.stamp_marks)
        why = None
        if res["status"] != 0:
            why = "exit %d: %s" % (res["status"], last_line(res["stderr"]))
        elif self.check:
            why = self.check(res)
        return res, why


def rotated(items, i):
    """Round i's order: the list turned by i, so that over the rounds every
    runtime follows every other one equally often (pure).  What a runtime
    leaves to the kernel to finish after it exits (a network namespace's
    cleanup, RCU callbacks, freed cgroups) lands on whoever runs next: with
    one fixed order it would always be the same one."""
    k = i % len(items) if items else 0
    return items[k:] + items[:k]


def run_interleaved(runtimes, runs, warmup, workdir, log=None):
    """Warm-up rounds, then `runs` rounds of every runtime in turn, each round
    in a rotated order (rotated()).  A runtime whose warm-up fails is skipped
    (with the reason); a failing measured run is counted and left out of the
    figures.  Every loop is bounded."""
    stderr_path = os.path.join(workdir, "run.stderr")
    for w in range(warmup):
        for rt in runtimes:
            if rt.skipped:
                continue
            _, why = rt.run_once(-1 - w, stderr_path)
            if why:
                rt.skipped = "warm-up run failed: " + why
    active = [rt for rt in runtimes if not rt.skipped]
    for i in range(runs):
        for rt in rotated(active, i):
            res, why = rt.run_once(i, stderr_path)
            if why:
                rt.failures += 1
                rt.first_failure = rt.first_failure or why
                if log:
                    log("%s run %d failed: %s" % (rt.name, i, why))
                continue
            rt.samples_ms.append(res["wall_ns"] / 1e6)
            rt.maxrss_kib.append(res["maxrss_kib"])
            rt.stamps.append(res.get("stamps_ms") or {})
            rep = parse_report(res["stderr"])
            if rep is not None:
                rt.reports.append(rep)
        if log and (i + 1) % 10 == 0:
            log("round %d/%d done" % (i + 1, runs))


def spawn_floor_ms(host, runs=30, argv=("/bin/true",)):
    """Median wall time of the host's plain /bin/true timed by host (a
    PeerHost): what the harness itself puts into every figure.  The floors of
    two helpers should agree, else one is not a fair place to time in.
    With another argv: that command's floor (e.g. `vmctl version`)."""
    samples = []
    for _ in range(runs):
        res = host.time_command(list(argv), timeout_s=10)
        if res["status"] == 0:
            samples.append(res["wall_ns"] / 1e6)
    return median(samples)


def report_values(reports, *keys):
    """The numeric values at keys (e.g. "memory", "overhead_bytes") in each
    report, missing ones and nulls left out."""
    out = []
    for rep in reports:
        v = rep
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v))
    return out


def fs_type(path):
    """The file system type of the mount holding path ("" if unknown)."""
    best, kind = "", ""
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                mnt = left.split()[4]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, right.split()[0]
    except OSError:
        pass
    return kind


def make_workdir(prefix):
    # On a tmpfs, like crun's and runc's default state roots (/run on a
    # systemd host; /dev/shm where /run is not one, as on this machine): the
    # per-run files the harness and the runtimes write never touch a disk.
    for base in ("/run", "/dev/shm"):
        if os.access(base, os.W_OK) and fs_type(base) == "tmpfs":
            return tempfile.mkdtemp(prefix=prefix, dir=base)
    return tempfile.mkdtemp(prefix=prefix)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--serve":
        sys.exit(serve(sys.argv[2], "--cgroup2" in sys.argv[3:]))
    sys.exit("benchlib.py is a module; run bench/startup or bench/vm")
