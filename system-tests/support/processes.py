"""What every Python test suite here needs to run the app and its peers: free loopback ports,
processes that die with pytest and are stopped by PID, waiting for /health, a fresh PostgreSQL
database, and the tails of every log when something failed.

A conftest imports it after putting `system-tests/` on the path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from support.processes import free_port, start_process, ...
"""

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60

# Every log a process started here writes to, for `print_log_tails`.
started_logs: list[Path] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGTERM when pytest goes away.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_process(args: list[str], log: Path, env: dict, cwd: Path | None = None, stdout=None) -> subprocess.Popen:
    """Starts `args` with stderr (and stdout, unless given) appended to `log`; it gets SIGTERM if
    pytest dies first."""
    started_logs.append(log)
    with open(log, "ab") as out:
        return subprocess.Popen(
            args, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else out, stderr=out,
            preexec_fn=_die_with_parent,
        )


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def binary(variable: str, default: str | None = None) -> str:
    """The executable an environment variable names (or `default`, relative to the repository)."""
    path = os.environ.get(variable) or (str(ROOT / default) if default else None)
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"{variable} must point at a built executable (got {path!r}); run `swift build` first")
    return path


def wait_for_health(url: str, proc: subprocess.Popen, log: Path, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Waits until `url`/health answers 200; fails with the log's tail if the process exits first."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"adsapp exited with {proc.returncode} before answering /health\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as resp:
                if resp.status == 200:
                    return
                last_error = f"status {resp.status}"
        except (urllib.error.URLError, OSError) as e:
            last_error = str(e)
        time.sleep(0.1)
    pytest.fail(f"adsapp did not answer /health within {timeout:.0f}s ({last_error})\n{log_tail(log)}")


@contextmanager
def postgres_database(prefix: str):
    """A new, empty PostgreSQL database in the server `TEST_DATABASE_URL` names (scripts/test starts
    one); yields its URL and drops it afterwards."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.fail("TEST_DATABASE_URL must name a PostgreSQL server (scripts/test starts one)")
    psql = next((p for p in ("/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql") if os.access(p, os.X_OK)), None)
    if psql is None:
        pytest.fail("psql not found (install postgresql-15)")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    subprocess.run([psql, server, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        subprocess.run([psql, server, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def print_log_tails(terminalreporter, exitstatus: int, lines: int = 60) -> None:
    """For `pytest_terminal_summary`: after a failure, the end of every log a process wrote."""
    if exitstatus != 0:
        for log in started_logs:
            terminalreporter.section(f"{log.name} (tail)")
            terminalreporter.write_line(log_tail(log, lines))
