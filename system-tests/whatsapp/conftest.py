"""Fixtures for the WhatsApp peer tests: the app and the Graph API simulator, both on loopback,
cross-checked with the `pywa` package (Meta's webhook signature as pywa validates it).

Run (after `swift build`):
  ADSAPP_BIN=.build/debug/adsapp ADSAPP_SIMULATOR_BIN=.build/debug/whatsapp-simulator \
      .venv-peers/bin/python -m pytest system-tests/whatsapp -q

Every process started here is stopped when its fixture ends, pass or fail; and it gets
SIGTERM from the kernel if pytest itself dies first (PR_SET_PDEATHSIG).
"""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.processes import (  # noqa: E402
    STARTUP_TIMEOUT_S, binary, free_port, log_tail, print_log_tails, start_process, stop_process, wait_for_health,
)

APP_SECRET = "wa-peers-app-secret-8d1f0c2e"
VERIFY_TOKEN = "wa-peers-verify-token"


@dataclass
class App:
    url: str
    data_dir: Path
    log: Path

    def webhook_bodies(self) -> list[bytes]:
        """The raw bodies the app stored from /api/webhooks/whatsapp (its `webhook_events`)."""
        db = sqlite3.connect(self.data_dir / "adsapp.sqlite", timeout=10)
        try:
            return [bytes(row[0]) for row in db.execute("SELECT body FROM webhook_events WHERE source = 'whatsapp'")]
        finally:
            db.close()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> App:
    """`$ADSAPP_BIN serve` on a loopback port, its own SQLite DATA_DIR, WHATSAPP_APP_SECRET set."""
    adsapp = binary("ADSAPP_BIN")
    data_dir = tmp_path_factory.mktemp("adsapp-whatsapp-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    env = dict(os.environ, DATA_DIR=str(data_dir), APP_URL=url, LOG_LEVEL="warning",
               WHATSAPP_APP_SECRET=APP_SECRET, WHATSAPP_WEBHOOK_VERIFY_TOKEN=VERIFY_TOKEN)
    for name in ("DATABASE_URL", "TEST_DATABASE_URL", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"):
        env.pop(name, None)
    # The data dir is the working directory too, so no developer's .env is read.
    proc = start_process([adsapp, "serve", "--hostname", "127.0.0.1", "--port", str(port)], log, env, data_dir)
    try:
        wait_for_health(url, proc, log)
        yield App(url=url, data_dir=data_dir, log=log)
    finally:
        stop_process(proc)


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A loopback HTTP server that answers 200 to every POST and keeps what it got."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._cond:
                    receiver.deliveries.append(Delivery(self.path, {k: v for k, v in self.headers.items()}, body))
                    receiver._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        self._thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)
        self._thread.start()

    def wait_until(self, predicate, timeout: float) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.deliveries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return list(self.deliveries)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def receiver():
    r = WebhookReceiver()
    try:
        yield r
    finally:
        r.close()


@dataclass
class Simulator:
    base_url: str
    phone_number_id: str
    waba_id: str
    token: str
    display_number: str
    app_secret: str

    def graph(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.base_url.rstrip("/") + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


def _read_first_line(proc: subprocess.Popen, timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline().decode().strip()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


@pytest.fixture(scope="module")
def simulator_with_customers(receiver, tmp_path_factory):
    """The `whatsapp-simulator` executable posting to `receiver`, with demo customers writing fast."""
    executable = binary("ADSAPP_SIMULATOR_BIN", ".build/debug/whatsapp-simulator")
    sim = Simulator(base_url="", phone_number_id="109876543210001", waba_id="209876543210001",
                    token="wa-peers-simulator-token", display_number="+31 20 555 0199",
                    app_secret="wa-peers-simulator-secret")
    tmp_path = tmp_path_factory.mktemp("whatsapp-simulator")
    log = tmp_path / "simulator.log"
    args = [executable, "--port", str(free_port()), "--webhook-url", receiver.url,
            "--app-secret", sim.app_secret, "--phone-number-id", sim.phone_number_id, "--waba-id", sim.waba_id,
            "--token", sim.token, "--display-number", sim.display_number,
            "--demo-customers", "120"]  # messages per minute, all customers together
    proc = start_process(args, log, dict(os.environ), tmp_path, stdout=subprocess.PIPE)
    try:
        line = _read_first_line(proc, STARTUP_TIMEOUT_S)
        if not line.startswith("http://127.0.0.1:"):
            pytest.fail(f"whatsapp-simulator printed {line!r} instead of its base URL\n{log_tail(log)}")
        sim.base_url = line
        yield sim
    finally:
        stop_process(proc)
        if proc.stdout:
            proc.stdout.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    print_log_tails(terminalreporter, exitstatus)
