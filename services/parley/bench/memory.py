"""Figure (d): resident memory and CPU of every process of the pipeline, sampled over time.

A background thread reads RSS and CPU time of each watched PID (the four services, the
embedded broker, the benchmark driver itself) every `interval` seconds. Phases are marked
so CPU shares and RSS growth can be given per phase.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass
class Mark:
    name: str
    t: float
    cpu: dict[str, float]


@dataclass
class Sampler:
    pids: dict[str, int]
    interval: float = 0.5
    t0: float = field(default_factory=time.monotonic)
    samples: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # (t, {name: rss bytes})
    marks: list[Mark] = field(default_factory=list)
    _procs: dict = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "Sampler":
        import psutil

        self._procs = {name: psutil.Process(pid) for name, pid in self.pids.items()}
        self.sample()
        self._thread = threading.Thread(target=self._run, name="parley-bench-rss", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _read(self, what: str) -> dict:
        import psutil

        out = {}
        for name, proc in self._procs.items():
            try:
                if what == "rss":
                    out[name] = proc.memory_info().rss
                else:
                    times = proc.cpu_times()
                    out[name] = times.user + times.system
            except psutil.Error:  # exited: nothing more to read
                continue
        return out

    def sample(self) -> None:
        self.samples.append((self.now(), self._read("rss")))

    def mark(self, name: str) -> None:
        """Start of a phase (or "end"): remembers the time and every process's CPU time."""
        self.sample()
        self.marks.append(Mark(name, self.now(), self._read("cpu")))

    def phase_cpu(self) -> dict[str, dict[str, float]]:
        """Per phase, each process's CPU use as a share of one core (1.0 = one core busy)."""
        out = {}
        for start, end in zip(self.marks, self.marks[1:]):
            wall = end.t - start.t
            if wall <= 0:
                continue
            out[start.name] = {
                name: round((end.cpu[name] - start.cpu[name]) / wall, 3)
                for name in start.cpu if name in end.cpu
            }
        return out

    def peak_rss_mb(self) -> dict[str, float]:
        peaks: dict[str, int] = {}
        for _t, rss in self.samples:
            for name, value in rss.items():
                peaks[name] = max(peaks.get(name, 0), value)
        return {name: round(value / MB, 1) for name, value in peaks.items()}

    def rss_at(self, t: float) -> dict[str, int]:
        """The first sample at or after `t` (the last one if none)."""
        for ts, rss in self.samples:
            if ts >= t:
                return rss
        return self.samples[-1][1] if self.samples else {}

    def growth(self, start: float, end: float) -> dict[str, dict[str, float]]:
        """RSS of each process at `start` and `end` (seconds since t0) and the change in %."""
        first, last = self.rss_at(start), self.rss_at(end)
        out = {}
        for name, before in first.items():
            after = last.get(name)
            if after is None or not before:
                continue
            out[name] = {
                "start_mb": round(before / MB, 1),
                "end_mb": round(after / MB, 1),
                "change_pct": round((after - before) / before * 100, 1),
            }
        return out

    def series_mb(self) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {}
        for t, rss in self.samples:
            for name, value in rss.items():
                out.setdefault(name, []).append((round(t, 2), round(value / MB, 1)))
        return out
