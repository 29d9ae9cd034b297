"""Fixtures for the attack suite: the real app (`adsapp serve`, SQLite in a temporary DATA_DIR) and
Graph API simulators (`whatsapp-simulator`), all on loopback, driven over HTTP and WebSocket the
way an attacker would drive them.

Run (after `swift build`):
  ADSAPP_BIN=.build/debug/adsapp ADSAPP_SIMULATOR_BIN=.build/debug/whatsapp-simulator \
      .venv-peers/bin/python -m pytest system-tests/attacks -q

Every process started here is stopped when its fixture ends, pass or fail, and gets SIGTERM from
the kernel if pytest itself dies first (PR_SET_PDEATHSIG).
"""

import hashlib
import hmac
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.processes import (  # noqa: E402
    STARTUP_TIMEOUT_S, binary, free_port, log_tail, postgres_database, print_log_tails, start_process, stop_process,
    wait_for_health,
)

PASSWORD = "correct-horse-battery-staple-42"
PLATFORM_APP_SECRET = "attack-suite-platform-app-secret-4b1e"
PLATFORM_VERIFY_TOKEN = "attack-suite-PLATFORM-verify-token-91c3f0"
GRAPH_VERSION = "v23.0"

# Processes -------------------------------------------------------------------------------------

def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Calls `predicate` until it returns something truthy or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# The app ---------------------------------------------------------------------------------------

@dataclass
class App:
    url: str
    data_dir: Path
    log: Path
    proc: subprocess.Popen

    def sql(self, statement: str, parameters: tuple = ()) -> list[tuple]:
        """Runs SQL on the app's SQLite database (the suite's stand-in for features not built yet,
        such as invitations: it adds members directly)."""
        db = sqlite3.connect(self.data_dir / "adsapp.sqlite", timeout=15)
        try:
            rows = db.execute(statement, parameters).fetchall()
            db.commit()
            return rows
        finally:
            db.close()

    def files_under(self, fragment: str) -> list[Path]:
        return [p for p in self.data_dir.rglob("*") if p.is_file() and fragment in str(p)]


@contextmanager
def running_app(tmp_path_factory, name: str, extra: dict[str, str] | None = None, unset: tuple[str, ...] = ()):
    """`$ADSAPP_BIN serve` on a free loopback port with its own SQLite DATA_DIR; `extra` adds
    settings, `unset` leaves out some of the suite's defaults."""
    adsapp = binary("ADSAPP_BIN", ".build/debug/adsapp")
    data_dir = tmp_path_factory.mktemp(f"adsapp-{name}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"{data_dir.name}.log"
    # The suite signs up dozens of people from one address: sign-up throttling is tested on its own.
    env = dict(os.environ, DATA_DIR=str(data_dir), APP_URL=url, LOG_LEVEL="notice", BCRYPT_COST="4",
               SIGNUP_MAX_PER_IP="100000")
    for variable in ("DATABASE_URL", "TEST_DATABASE_URL", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID",
                     "WHATSAPP_BUSINESS_ACCOUNT_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
                     "WHATSAPP_GRAPH_URL", "TRUSTED_PROXIES"):
        env.pop(variable, None)
    env.update(extra or {})
    for variable in unset:
        env.pop(variable, None)
    # The data dir is the working directory too, so no developer's .env is read.
    proc = start_process([adsapp, "serve", "--hostname", "127.0.0.1", "--port", str(port)], log, env, data_dir)
    try:
        wait_for_health(url, proc, log)
        yield App(url=url, data_dir=data_dir, log=log, proc=proc)
    finally:
        stop_process(proc)


# The Graph API: simulators behind a router -----------------------------------------------------

@dataclass
class Number:
    """One number of the Graph API simulator: what Meta's WhatsApp Manager shows its owner."""
    phone_number_id: str
    waba_id: str
    token: str
    display_number: str
    base_url: str = ""


@contextmanager
def running_simulator(tmp_path: Path, number: Number):
    executable = binary("ADSAPP_SIMULATOR_BIN", ".build/debug/whatsapp-simulator")
    log = tmp_path / f"simulator-{number.phone_number_id}.log"
    args = [executable, "--port", "0", "--phone-number-id", number.phone_number_id, "--waba-id", number.waba_id,
            "--token", number.token, "--display-number", number.display_number, "--app-secret", "unused-" + number.token]
    proc = start_process(args, log, dict(os.environ), tmp_path, stdout=subprocess.PIPE)
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline().decode().strip()), daemon=True)
        reader.start()
        reader.join(STARTUP_TIMEOUT_S)
        if not line or not line[0].startswith("http://127.0.0.1:"):
            pytest.fail(f"whatsapp-simulator printed {line!r} instead of its base URL\n{log_tail(log)}")
        number.base_url = line[0].rstrip("/")
        yield number
    finally:
        stop_process(proc)
        if proc.stdout:
            proc.stdout.close()


class GraphRouter:
    """One Graph API base URL for the app in front of several simulator processes (one number
    each): a request goes to the simulator whose access token it carries. `overrides` answers
    chosen paths itself, as a hostile or broken Graph API would (e.g. a media URL on another host)."""

    def __init__(self, numbers: list[Number]) -> None:
        self.by_token = {n.token: n for n in numbers}
        self.overrides: dict[str, dict] = {}
        router = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                path = urllib.parse.urlsplit(self.path).path
                if path in router.overrides:
                    return self._answer(200, {"Content-Type": "application/json"}, json.dumps(router.overrides[path]).encode())
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                number = router.by_token.get(token)
                if number is None:
                    error = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
                    return self._answer(401, {"Content-Type": "application/json"}, json.dumps(error).encode())
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                try:
                    upstream = requests.request(self.command, number.base_url + self.path, headers=headers, data=body,
                                                timeout=30, allow_redirects=False)
                except requests.RequestException as e:
                    return self._answer(502, {"Content-Type": "text/plain"}, str(e).encode())
                kept = {k: v for k, v in upstream.headers.items()
                        if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")}
                self._answer(upstream.status_code, kept, upstream.content)

            def _answer(self, status: int, headers: dict, body: bytes):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PUT = _forward  # noqa: N815 (http.server's naming)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="graph-router", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class Recorder:
    """A loopback HTTP server that answers every request and keeps what it got (an attacker's host)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                recorder.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                body = b"\xff\xd8\xff\xe0stolen"
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _record  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="recorder", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


# Numbers: each is connected to at most one organization, so every purpose has its own.
VICTIM = Number("110000000000001", "210000000000001", "victim-graph-token-1f2e", "+31 20 555 0101")
ATTACKER = Number("120000000000001", "220000000000001", "attacker-graph-token-7a9c", "+31 20 555 0102")
PLATFORM = Number("130000000000001", "230000000000001", "platform-graph-token-3d4b", "+31 20 555 0103")
SPARE = Number("140000000000001", "240000000000001", "spare-graph-token-8e0f", "+31 20 555 0104")


@pytest.fixture(scope="session")
def graph(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("simulators")
    with running_simulator(tmp_path, VICTIM), running_simulator(tmp_path, ATTACKER), \
            running_simulator(tmp_path, PLATFORM), running_simulator(tmp_path, SPARE):
        router = GraphRouter([VICTIM, ATTACKER, PLATFORM, SPARE])
        try:
            yield router
        finally:
            router.close()


def platform_settings(graph: GraphRouter) -> dict[str, str]:
    """The platform's Meta app secret and verify token, its default number (PLATFORM), and the
    Graph API at the router."""
    return {
        "WHATSAPP_GRAPH_URL": graph.url,
        "WHATSAPP_API_VERSION": GRAPH_VERSION,
        "WHATSAPP_APP_SECRET": PLATFORM_APP_SECRET,
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN": PLATFORM_VERIFY_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PLATFORM.phone_number_id,
        "WHATSAPP_BUSINESS_ACCOUNT_ID": PLATFORM.waba_id,
        "WHATSAPP_ACCESS_TOKEN": PLATFORM.token,
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory, graph) -> App:
    """The shared app (SQLite) with the platform's settings."""
    with running_app(tmp_path_factory, "shared", platform_settings(graph)) as running:
        yield running


# People ----------------------------------------------------------------------------------------

class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.csrf: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "_csrf" and self.csrf is None:
            self.csrf = a.get("value")


def csrf_of(html: str) -> str:
    parser = _Forms()
    parser.feed(html)
    assert parser.csrf, "the page has no form with a _csrf field"
    return parser.csrf


def unique_email(prefix: str = "attack") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@dataclass
class Member:
    """A browser session of one person (cookies kept by `requests`)."""
    app_url: str
    email: str
    password: str
    http: requests.Session = field(default_factory=requests.Session)
    organization_id: str = ""
    membership_id: str = ""
    csrf: str = ""

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.app_url + path, allow_redirects=False, timeout=30, **kw)

    def form(self, path: str, data: dict, **kw) -> requests.Response:
        """Posts a form as the page would: with the session's CSRF token."""
        return self.http.post(self.app_url + path, data={"_csrf": self.csrf, **data}, allow_redirects=False, timeout=30, **kw)

    def api(self, method: str, path: str, payload=None) -> requests.Response:
        return self.http.request(method, self.app_url + "/api/v1" + path, json=payload, allow_redirects=False, timeout=30,
                                 headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"})

    def refresh(self) -> "Member":
        me = self.api("GET", "/me")
        assert me.status_code == 200, f"/api/v1/me answered {me.status_code}: {me.text[:300]}"
        body = me.json()
        self.csrf, self.organization_id = body["csrf_token"], body["organization"]["id"]
        return self

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


def browser_session(app_url: str) -> requests.Session:
    """Requests as the app's own pages make them: a browser names the page's origin on every POST."""
    http = requests.Session()
    if app_url:
        http.headers["Origin"] = app_url
    return http


def anonymous(app_url: str, page: str = "/signin") -> tuple[requests.Session, str]:
    """A first-time visitor: the anonymous CSRF cookie and the token its form carries."""
    http = browser_session(app_url)
    response = http.get(app_url + page, timeout=30)
    assert response.status_code == 200, f"GET {page} answered {response.status_code}"
    return http, csrf_of(response.text)


def sign_up(app_url: str, name: str = "Attack Tester", organization: str = "Attack Test BV",
            email: str | None = None) -> Member:
    email = email or unique_email()
    http, token = anonymous(app_url, "/signup")
    response = http.post(app_url + "/signup", data={"_csrf": token, "name": name, "organization": organization,
                                                    "email": email, "password": PASSWORD},
                         allow_redirects=False, timeout=30)
    assert response.status_code in (302, 303), f"sign-up answered {response.status_code}: {response.text[:500]}"
    # Sign-up answers alike for new and taken addresses and signs nobody in: the new account signs in.
    return sign_in(app_url, email)


def sign_in(app_url: str, email: str, password: str = PASSWORD) -> Member:
    http, token = anonymous(app_url)
    response = http.post(app_url + "/signin", data={"_csrf": token, "email": email, "password": password},
                         allow_redirects=False, timeout=30)
    assert response.status_code in (302, 303), f"sign-in answered {response.status_code}: {response.text[:300]}"
    return Member(app_url, email, password, http).refresh()


def _uuid_value(app: App, table: str, text: str):
    """A UUID as the app's SQLite database stores it in `table` (16 bytes or text)."""
    kind, sample = app.sql(f"SELECT typeof(id), id FROM {table} LIMIT 1")[0]
    if kind == "blob":
        return uuid.UUID(text).bytes
    return text.upper() if sample == sample.upper() else text.lower()


def add_member(app: App, owner: Member, role: str, name: str = "Second Member") -> Member:
    """A new person who is `role` in the owner's organization, signed in and working in it. (There
    is no invitation yet: the membership row is written the way the app writes it.)"""
    person = sign_up(app.url, name=name, organization=f"{name}'s own BV")
    membership_id = str(uuid.uuid4())
    org = _uuid_value(app, "organizations", owner.organization_id)
    app.sql("INSERT INTO memberships (id, organization_id, user_id, role, created_at) "
            "SELECT ?, ?, u.id, ?, m.created_at FROM users u, memberships m WHERE u.email = ? AND m.organization_id = ? LIMIT 1",
            (_uuid_value(app, "memberships", membership_id), org, role, person.email, org))
    switched = person.form("/organizations/switch", {"organization_id": owner.organization_id})
    assert switched.status_code in (302, 303), f"switching organization answered {switched.status_code}"
    person.refresh()
    assert person.organization_id.lower() == owner.organization_id.lower()
    person.membership_id = membership_id
    return person


def connect_number(owner: Member, number: Number, app_secret: str | None = None) -> dict:
    payload = {"phone_number_id": number.phone_number_id, "business_account_id": number.waba_id,
               "access_token": number.token}
    if app_secret:
        payload["app_secret"] = app_secret
    response = owner.api("POST", "/whatsapp/connections", payload)
    assert response.status_code in (200, 201), f"connecting {number.phone_number_id} answered {response.status_code}: {response.text[:300]}"
    return response.json()


@pytest.fixture(scope="session")
def victim(app) -> Member:
    """Owner of the victim organization, whose number (VICTIM) uses the platform's Meta app."""
    owner = sign_up(app.url, name="Vera Victim", organization="Victim Bakery")
    connect_number(owner, VICTIM)
    return owner


# WhatsApp webhooks -----------------------------------------------------------------------------

def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(app: App, payload: dict, secret: str = PLATFORM_APP_SECRET, path: str = "/api/webhooks/whatsapp") -> int:
    body = json.dumps(payload).encode()
    response = requests.post(app.url + path, data=body, timeout=30,
                             headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)})
    return response.status_code


def inbound(number: Number, wa_id: str, name: str, message: dict, waba_id: str | None = None) -> dict:
    """A customer's message as Meta posts it (`message` is the element of `messages[]` after from/id/timestamp)."""
    message = {"from": wa_id, "id": f"wamid.attack{uuid.uuid4().hex}", "timestamp": str(int(time.time())), **message}
    return {"object": "whatsapp_business_account", "entry": [{
        "id": waba_id or number.waba_id,
        "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": re.sub(r"\D", "", number.display_number), "phone_number_id": number.phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [message],
        }}],
    }]}


def text(body: str) -> dict:
    return {"type": "text", "text": {"body": body}}


def fresh_wa_id() -> str:
    return "316" + str(uuid.uuid4().int)[:8]


def conversations(member: Member) -> list[dict]:
    response = member.api("GET", "/conversations?limit=100")
    assert response.status_code == 200, f"/api/v1/conversations answered {response.status_code}: {response.text[:300]}"
    return response.json()["data"]


def conversation_with(member: Member, wa_id: str, timeout: float = 15) -> dict | None:
    def find():
        return next((c for c in conversations(member) if c["contact"].get("wa_id") == wa_id), None)
    return wait_until(find, timeout, interval=0.2)


def customer_writes(app: App, owner: Member, number: Number, name: str = "Chris Customer", body: str = "Hello",
                    message: dict | None = None, timestamp: int | None = None) -> dict:
    """A new customer writes to `number` (platform-signed); returns the conversation as the owner's API shows it."""
    wa_id = fresh_wa_id()
    payload = inbound(number, wa_id, name, message or text(body))
    if timestamp is not None:
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(timestamp)
    assert post_webhook(app, payload) == 200
    conversation = conversation_with(owner, wa_id)
    assert conversation, f"the customer's message did not reach the inbox\n{log_tail(app.log)}"
    return conversation


# HTML ------------------------------------------------------------------------------------------

MARKER = "data-pwn"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def injected(html: str, origin: str) -> list[str]:
    """What an attacker's string made of the page, as a parser reads it: elements or attributes
    no page of ours has (a meta refresh, event handler attributes, the payloads' marker attribute,
    scripts from elsewhere, a <base>, forms posting elsewhere)."""
    found = []
    for tag, attrs in elements(html):
        names = {name.lower() for name in attrs}
        if tag == "meta" and "http-equiv" in names:
            found.append(f"<meta http-equiv={attrs.get('http-equiv')!r} content={attrs.get('content')!r}>")
        if tag == "base":
            found.append(f"<base href={attrs.get('href')!r}>")
        if MARKER in names:
            found.append(f"<{tag} {MARKER}> (an element the payload created)")
        for name in names:
            if name.startswith("on"):
                found.append(f"<{tag} {name}={attrs.get(name)!r}>")
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            if value.startswith(("javascript:", "data:text", "vbscript:")):
                found.append(f"<{tag} {name}={attrs.get(name)!r}>")
        if tag == "script" and attrs.get("src") and urllib.parse.urljoin(origin + "/", attrs["src"]).split("/")[2] != origin.split("/")[2]:
            found.append(f"<script src={attrs['src']!r}>")
        if tag == "script" and attrs.get("src") and not urllib.parse.urlsplit(attrs["src"]).path.startswith("/assets/"):
            found.append(f"<script src={attrs['src']!r}> (not one of our assets)")
    return found


# Reports ---------------------------------------------------------------------------------------

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    print_log_tails(terminalreporter, exitstatus, lines=30)
