"""CPU an idle `parley up` pipeline uses, per process (figures only).

    .venv/bin/python tools/idle_cpu.py [--seconds 30] [--settle 15] [--runs 1] [--env NAME=VALUE ...]

Starts `parley up` (embedded broker, the four stage workers and the HTTP ingest worker, on a
free ingest port, with a throw-away SQLite database in a temp folder) on the five sample
articles, waits until it says the pipeline is running and then `--settle` seconds more (the
samples are through by then), and reads utime + stime of every process of the run from
/proc/PID/stat at the start and the end of a `--seconds` window. Prints, per process, the
share of one core it used in that window and how often it woke up (context switches per
second, which unlike CPU time do not swell when the machine is busy), and the total; with `--runs N` the whole thing is
repeated N times and the median of each process is printed as well. SIGTERM stops `parley
up` at the end (a clean stop, like Ctrl-C).

`--env NAME=VALUE` sets a variable for the run, e.g. `--env PARLEY_BATCH_WITHIN=0.01` to
compare a setting.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "services") not in sys.path:   # lets PYTHONPATH put another checkout first
    sys.path.insert(0, str(ROOT / "services"))

from parley.broker import free_port  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()   # after "pid (comm) "
    return int(fields[11]) + int(fields[12])        # utime, stime (fields 14 and 15 of stat)


def wakeups(pid: int) -> int | None:
    """Context switches of all threads of a process so far: how often it woke up (a figure
    that, unlike CPU time, does not swell when the machine is busy)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    except OSError:
        return None
    return total


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (workers run in their own sessions, but stay its children)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def label(pid: int, root: int) -> str:
    if pid == root:
        return "parley up"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"pid {pid}"
    words = [c.decode(errors="replace") for c in cmd if c]
    if "worker" in words and words.index("worker") + 1 < len(words):
        return words[words.index("worker") + 1]
    if words and "tansu" in Path(words[0]).name:
        return "broker"
    return Path(words[0]).name if words else f"pid {pid}"


def one_run(args, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="parley-idle-"))
    port = free_port()
    run_env = {**os.environ, **env, "PARLEY_INGEST_PORT": str(port), "PARLEY_SQLITE_PATH": str(tmp / "parley.db")}
    proc = subprocess.Popen([sys.executable, "-m", "parley.cli", "up"], cwd=tmp, env=run_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    running = threading.Event()
    output: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            output.append(line)
            if "pipeline running" in line:
                running.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not running.wait(args.start_timeout):
            raise SystemExit("parley up did not say 'pipeline running' in time; its output:\n" + "".join(output[-30:]))
        time.sleep(args.settle)
        pids = [proc.pid] + children(proc.pid)
        names = {pid: label(pid, proc.pid) for pid in pids}
        before = {pid: (cpu_ticks(pid), wakeups(pid)) for pid in pids}
        started = time.monotonic()
        time.sleep(args.seconds)
        elapsed = time.monotonic() - started
        after = {pid: (cpu_ticks(pid), wakeups(pid)) for pid in pids}
        # A process that died (e.g. a broker killed by someone else on a shared machine)
        # leaves the others retrying connections: such a window measures nothing useful.
        dead = [names[pid] for pid in pids if not alive(pid)]
        if dead:
            raise SystemExit(f"{', '.join(dead)} died during the measurement; run again")
    finally:
        proc.send_signal(signal.SIGTERM)  # SIGINT is ignored by a process started in the background of a script
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shares: dict[str, tuple[float, float]] = {}
    for pid, name in names.items():
        (cpu0, woke0), (cpu1, woke1) = before[pid], after[pid]
        if None in (cpu0, cpu1, woke0, woke1):
            continue
        key = name if name not in shares else f"{name} ({pid})"
        shares[key] = ((cpu1 - cpu0) / TICKS / elapsed * 100, (woke1 - woke0) / elapsed)
    return shares


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the measured idle window")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait after 'pipeline running'")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--start-timeout", type=float, default=120.0)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    env = {}
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            parser.error(f"--env takes NAME=VALUE, got {item!r}")
        env[name] = value
    runs = []
    for i in range(args.runs):
        shares = one_run(args, env)
        runs.append(shares)
        total = sum(cpu for cpu, _ in shares.values())
        print(f"run {i + 1}: " + ", ".join(f"{n} {cpu:.2f}" for n, (cpu, _) in sorted(shares.items()))
              + f"; total {total:.2f} % of a core over {args.seconds:g} s", flush=True)
    names = sorted({n for r in runs for n in r})
    print(f"idle, median of {len(runs)} run{'s' if len(runs) > 1 else ''}"
          f"{' with ' + ' '.join(args.env) if args.env else ''}: % of one core, wake-ups per second")
    for name in names:
        cpu = statistics.median(r[name][0] for r in runs if name in r)
        woke = statistics.median(r[name][1] for r in runs if name in r)
        print(f"  {name:12s} {cpu:6.2f} %  {woke:7.1f} /s")
    cpu = statistics.median(sum(c for c, _ in r.values()) for r in runs)
    woke = statistics.median(sum(w for _, w in r.values()) for r in runs)
    print(f"  {'total':12s} {cpu:6.2f} %  {woke:7.1f} /s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
