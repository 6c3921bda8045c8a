"""The worker processes of a pipeline on one machine (`parley up`, the test harness, the
streaming benchmark): one `parley worker NAME` child per stage, each with its own log and
port file in a run folder. They run in their own sessions (a Ctrl-C reaches `parley up`
only) and die with their parent (PR_SET_PDEATHSIG)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..broker import die_with_parent
from ..config import Settings
from ..stages import STAGES, active_stages

# One worker process per stage of the STAGES table; the alert stages (alerts, notifier) only
# when an alert rules file is configured: pipeline(settings).
PIPELINE = tuple(spec.name for spec in STAGES if spec.needs is None)


def pipeline(settings: Settings) -> tuple[str, ...]:
    """The stages these settings run: PIPELINE, and alerts + notifier when PARLEY_ALERT_RULES is set."""
    return tuple(spec.name for spec in active_stages(settings))


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen
    log_path: Path
    port_file: Path

    def port(self) -> int | None:
        try:
            return int(self.port_file.read_text())
        except (OSError, ValueError):
            return None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Workers:
    """The worker processes of one pipeline run."""

    settings: Settings
    run_dir: Path
    started: list[WorkerProcess] = field(default_factory=list)

    def start(self, names=PIPELINE) -> None:
        for name in names:
            self.started.append(self._spawn(name))

    def _spawn(self, name: str) -> WorkerProcess:
        # A second process of the same service (scaling out) gets its own log and port file.
        label = name
        taken = {w.log_path.stem for w in self.started}
        while label in taken:
            label = f"{name}-{sum(1 for t in taken if t.startswith(name)) + 1}"
        log_path = self.run_dir / f"{label}.log"
        port_file = self.run_dir / f"{label}.port"
        port_file.unlink(missing_ok=True)
        env = {**os.environ, **self.settings.env(), "PARLEY_PORT_FILE": str(port_file), "PYTHONUNBUFFERED": "1"}
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "parley.cli", "worker", name],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=die_with_parent,
            )
        return WorkerProcess(name, proc, log_path, port_file)

    def get(self, name: str) -> WorkerProcess:
        return next(w for w in self.started if w.name == name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to one worker and reap it (fault injection, or a stop of one service)."""
        worker = self.get(name)
        if worker.proc.poll() is None:
            worker.proc.send_signal(sig)
        worker.proc.wait(timeout=60)

    def restart(self, name: str) -> WorkerProcess:
        """Start a fresh process for a worker that was killed or stopped."""
        old = self.get(name)
        if old.proc.poll() is None:
            self.kill(name, signal.SIGTERM)
        index = self.started.index(old)
        self.started.pop(index)
        fresh = self._spawn(name)
        self.started.insert(index, fresh)
        return fresh

    def wait_for_ports(self, timeout: float = 60.0) -> dict[str, int | None]:
        """The HTTP port of each worker (label -> port; None if it did not announce one in time)."""
        deadline = time.monotonic() + timeout
        while True:
            ports = {w.log_path.stem: w.port() for w in self.started}
            if all(p is not None for p in ports.values()) or time.monotonic() > deadline:
                return ports
            self.check()
            time.sleep(0.1)

    def check(self) -> None:
        for worker in self.started:
            code = worker.proc.poll()
            if code is not None:
                raise SystemExit(
                    f"worker {worker.name} exited with code {code}; its log ({worker.log_path}) ends:\n"
                    f"{worker.log_tail()}"
                )

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM: each worker finishes its batch, commits and closes; SIGKILL stragglers."""
        for worker in self.started:
            if worker.proc.poll() is None:
                worker.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for worker in self.started:
            try:
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
        self.started.clear()
