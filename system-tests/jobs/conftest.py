"""Fixtures for the job chaos tests: a throw-away PostgreSQL 15 per test and `adsapp worker` processes.

Run (after `swift build`):  ADSAPP_BIN=.build/debug/adsapp .venv-peers/bin/python -m pytest system-tests/jobs -q

Everything here is bounded in time: every subprocess call has a timeout, every wait has a deadline,
and each test has a hard limit (`@pytest.mark.time_limit(seconds)`, SIGALRM). On failure the report
gets the tails of the worker logs and of the PostgreSQL log. Teardown kills the workers' process
groups and stops PostgreSQL by PID, pass or fail.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CLI_TIMEOUT_S = 60
DEFAULT_TIME_LIMIT_S = 300

# Lines collected by tests for the end-of-run summary (printed even when everything passes).
SUMMARY: list[str] = []


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    if not text:
        return "(empty log)"
    # A Swift crash appends a long backtrace (every thread, registers): show what led to it, the
    # crash line and the top of the crashed thread instead of the register dump.
    crash = next((i for i, line in enumerate(text) if line.startswith("*** Signal") or "Program crashed" in line), None)
    if crash is None:
        return "\n".join(text[-lines:])
    before = text[:crash]
    crashed = next((i for i, line in enumerate(text) if " crashed:" in line), None)
    frames = text[crashed:crashed + 10] if crashed is not None else []
    return "\n".join(before[-lines:] + text[crash:crash + 2] + frames)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_root() -> bool:
    return os.geteuid() == 0


def _pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (PostgreSQL is not our child)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _binary() -> str:
    binary = os.environ.get("ADSAPP_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail(f"ADSAPP_BIN must point at the built adsapp binary (got {binary!r})")
    return binary


# MARK: - PostgreSQL


class PostgresServer:
    """A PostgreSQL 15 cluster in its own temp dir, on a free loopback port (run as `postgres`)."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (install postgresql-15)")
        self.root = Path(tempfile.mkdtemp(prefix="adsapp-jobs-pg."))
        if _is_root():
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = 0
        self.pid: int | None = None

    def _run_as_postgres(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
        cmd = [*args]
        if _is_root():
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        return self._run_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *args)

    def _read_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def start(self) -> None:
        res = self._run_as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--no-locale", "--no-sync")
        if res.returncode != 0:
            pytest.fail(f"initdb failed:\n{res.stdout}\n{res.stderr}")
        # The port is free when we look; if someone takes it before the server binds, try another.
        for _ in range(5):
            self.port = _free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
                    "-c fsync=off -c max_connections=200")
            res = self._pg_ctl("-o", opts, "start")
            if res.returncode == 0:
                break
        else:
            pytest.fail(f"PostgreSQL did not start:\n{res.stdout}\n{res.stderr}\n{log_tail(self.log)}")
        self.pid = self._read_pid()
        # Make sure we talk to our server and not another one that happened to hold the port.
        data_dir = self.scalar("SHOW data_directory")
        if Path(data_dir).resolve() != self.data.resolve():
            pytest.fail(f"port {self.port} is served by another PostgreSQL ({data_dir})")

    def restart(self) -> float:
        """`pg_ctl restart -m fast -w`: every connection is dropped. Returns the seconds it took."""
        started = time.monotonic()
        res = self._pg_ctl("-m", "fast", "restart")
        if res.returncode != 0:
            pytest.fail(f"pg_ctl restart failed:\n{res.stdout}\n{res.stderr}\n{log_tail(self.log)}")
        self.pid = self._read_pid()
        return time.monotonic() - started

    def stop(self) -> None:
        """Stops the server by PID (SIGINT = fast shutdown, then SIGKILL) and removes its directory."""
        pids = {self.pid} if self.pid else set()
        try:
            pids.add(self._read_pid())  # after a restart it is a new PID
        except (OSError, ValueError, IndexError):
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 15
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres", timeout: float = 30) -> str:
        """Runs SQL with psql; returns unaligned, tuples-only output ('|' between columns)."""
        res = subprocess.run(
            ["psql", "-X", "-A", "-t", "-q", "-F", "|", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
            env=dict(os.environ, PGCONNECT_TIMEOUT="5"),
        )
        if res.returncode != 0:
            raise subprocess.CalledProcessError(res.returncode, f"psql: {sql}", res.stdout, res.stderr)
        return res.stdout.strip()

    def rows(self, sql: str, database: str = "postgres") -> list[list[str]]:
        out = self.psql(sql, database)
        return [line.split("|") for line in out.splitlines() if line]

    def scalar(self, sql: str, database: str = "postgres") -> str:
        return self.psql(sql, database)


@pytest.fixture
def pg():
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


class AppDatabase:
    """A fresh, migrated app database in `pg`, with SQL and `adsapp` CLI helpers."""

    def __init__(self, server: PostgresServer, name: str, workdir: Path) -> None:
        self.server = server
        self.name = name
        self.workdir = workdir

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def psql(self, sql: str, timeout: float = 30) -> str:
        return self.server.psql(sql, self.name, timeout)

    def rows(self, sql: str) -> list[list[str]]:
        return self.server.rows(sql, self.name)

    def scalar(self, sql: str) -> str:
        return self.server.scalar(sql, self.name)

    def int(self, sql: str) -> int:
        return int(self.scalar(sql) or 0)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DATABASE_URL=self.url, LOG_LEVEL="warning", DATA_DIR=str(self.workdir / "data"))
        env.pop("TEST_DATABASE_URL", None)
        env.update(extra)
        return env

    def cli(self, *args: str) -> str:
        """Runs `adsapp ARGS` against this database and returns its output."""
        res = subprocess.run([_binary(), *args], env=self.env(), stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        if res.returncode != 0:
            pytest.fail(f"`adsapp {' '.join(args)}` exited with {res.returncode}:\n{res.stdout}\n{res.stderr}")
        return res.stdout

    def enqueue(self, count: int, sleep_ms: int, label: str, priority: str | None = None) -> None:
        args = ["jobs", "enqueue", "--kind", "diagnostics.record", "--count", str(count),
                "--payload", f'{{"sleepMilliseconds":{sleep_ms},"label":"{label}"}}']
        if priority:
            args += ["--priority", priority]
        out = self.cli(*args)
        assert f"enqueued {count} " in out, f"unexpected enqueue output: {out!r}"

    def diagnostics_states(self) -> dict[str, int]:
        """Diagnostics jobs per state (the scheduler's own maintenance jobs are left out)."""
        counts = {"queued": 0, "running": 0, "succeeded": 0, "dead": 0}
        for state, n in self.rows("SELECT state, count(*) FROM jobs WHERE kind = 'diagnostics.record' GROUP BY state"):
            counts[state] = int(n)
        return counts


@pytest.fixture
def app_db(pg, tmp_path):
    db = AppDatabase(pg, "adsapp_jobs", tmp_path)
    (tmp_path / "data").mkdir()
    pg.psql(f"CREATE DATABASE {db.name}")
    db.cli("migrate", "-y")
    return db


# MARK: - Workers


class Worker:
    def __init__(self, name: str, proc: subprocess.Popen, log: Path) -> None:
        self.name = name
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def id_pattern(self) -> str:
        """A LIKE pattern for this process's jobs.worker_id (host:pid:random)."""
        return f"%:{self.pid}:%"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        """Sends `sig` to the worker's process group."""
        if self.alive():
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if it is still running after `timeout` seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def tail(self, lines: int = 40) -> str:
        return log_tail(self.log, lines)


class Workers:
    """Starts `adsapp worker` processes, each in its own process group with its own log file."""

    def __init__(self, db: AppDatabase, logdir: Path) -> None:
        self.db = db
        self.logdir = logdir
        self.started: list[Worker] = []

    def start(self, name: str | None = None, **env: str) -> Worker:
        name = name or f"worker-{len(self.started) + 1}"
        log = self.logdir / f"{name}.log"
        worker_env = self.db.env(**{"LOG_LEVEL": "notice", **env})
        with open(log, "wb") as out:
            proc = subprocess.Popen([_binary(), "worker"], env=worker_env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(name, proc, log)
        self.started.append(worker)
        return worker

    def tails(self, lines: int = 40) -> str:
        parts = []
        for w in self.started:
            state = "running" if w.alive() else f"exited {w.proc.returncode}"
            parts.append(f"--- {w.name} (pid {w.pid}, {state}) {w.log} ---\n{w.tail(lines)}")
        return "\n".join(parts) if parts else "(no workers started)"

    def count_in_logs(self, text: str) -> int:
        total = 0
        for w in self.started:
            try:
                total += w.log.read_text(errors="replace").count(text)
            except OSError:
                pass
        return total

    def kill_all(self) -> None:
        for w in self.started:
            w.signal(signal.SIGKILL)
        for w in self.started:
            if w.wait(10) is None:
                print(f"warning: {w.name} (pid {w.pid}) survived SIGKILL")


@pytest.fixture
def workers(app_db, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    pool = Workers(app_db, logdir)
    try:
        yield pool
    finally:
        pool.kill_all()


# MARK: - Waiting, time limits and failure reports


def wait_until(predicate, timeout: float, what: str, workers: Workers | None = None, interval: float = 0.1,
               describe=None):
    """Polls `predicate` (errors such as a refused connection count as "not yet") until it returns a
    truthy value, which is returned. After `timeout` seconds fails with `what`, the last state
    (`describe()`) and the worker log tails."""
    __tracebackhide__ = True
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last_error = None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            last_error = f"{e}: {getattr(e, 'stderr', '') or ''}".strip()
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    message = [f"timed out after {timeout:.0f}s waiting until {what}"]
    if describe is not None:
        try:
            message.append(f"last state: {describe()}")
        except Exception as e:  # the database may be the problem
            message.append(f"last state unavailable: {e}")
    if last_error:
        message.append(f"last error: {last_error}")
    if workers is not None:
        message.append(workers.tails())
    pytest.fail("\n".join(message))


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    """`wait_until(predicate, timeout, what, workers=None, interval=0.1, describe=None)`."""
    return wait_until


@pytest.fixture
def summary():
    """A list to append lines to; they are printed in the "job chaos summary" at the end of the run."""
    return SUMMARY


class TimeLimitExceeded(Exception):
    pass


def pytest_configure(config):
    config.addinivalue_line("markers", "time_limit(seconds): fail the test (SIGALRM) if it runs longer")


@pytest.fixture(autouse=True)
def _time_limit(request):
    marker = request.node.get_closest_marker("time_limit")
    seconds = int(marker.args[0]) if marker else DEFAULT_TIME_LIMIT_S

    def on_alarm(signum, frame):
        raise TimeLimitExceeded(f"{request.node.name} exceeded its time limit of {seconds}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        pool = item.funcargs.get("workers")
        if isinstance(pool, Workers):
            report.sections.append(("adsapp worker logs (tails)", pool.tails(60)))
        server = item.funcargs.get("pg")
        if isinstance(server, PostgresServer):
            report.sections.append(("PostgreSQL log (tail)", log_tail(server.log, 30)))
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SUMMARY:
        terminalreporter.section("job chaos summary")
        for line in SUMMARY:
            terminalreporter.write_line(line)
