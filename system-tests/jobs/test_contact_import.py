"""A 100,000-row contact import on the production build, with the worker killed midway.

The app (`adsapp serve`, no job workers of its own) takes the CSV through its API and queues the
import; an `adsapp worker` starts it and is SIGKILLed once a fifth of the rows are in; a second
worker picks the job up after its lease ran out and finishes from the last committed batch. Every
row must end up as exactly one contact with exactly one `imported` history line.
"""

import signal
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.processes import binary, free_port, start_process, stop_process, wait_for_health  # noqa: E402

ROWS = 100_000
PASSWORD = "correct-horse-battery-staple-42"


def _csrf(html: str) -> str:
    marker = 'name="_csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def _member(url: str) -> tuple[requests.Session, str]:
    """Signs up the owner of a new organization and signs in; returns the session and its CSRF token."""
    http = requests.Session()
    http.headers["Origin"] = url
    token = _csrf(http.get(url + "/signup", timeout=30).text)
    email = "importer@example.com"
    response = http.post(url + "/signup", data={"_csrf": token, "name": "Ida Importer", "organization": "Import BV",
                                                "email": email, "password": PASSWORD}, allow_redirects=False, timeout=30)
    assert response.status_code in (302, 303), f"sign-up answered {response.status_code}: {response.text[:300]}"
    token = _csrf(http.get(url + "/signin", timeout=30).text)
    response = http.post(url + "/signin", data={"_csrf": token, "email": email, "password": PASSWORD},
                         allow_redirects=False, timeout=30)
    assert response.status_code in (302, 303), f"sign-in answered {response.status_code}: {response.text[:300]}"
    me = http.get(url + "/api/v1/me", headers={"Accept": "application/json"}, timeout=30)
    assert me.status_code == 200, f"/api/v1/me answered {me.status_code}"
    return http, me.json()["csrf_token"]


@pytest.mark.time_limit(600)
def test_a_hundred_thousand_rows_import_once_through_a_worker_crash(app_db, workers, wait_until, summary, tmp_path):
    db = app_db
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = db.env(APP_URL=url, JOBS_IN_PROCESS="false", BCRYPT_COST="4", LOG_LEVEL="notice")
    app = start_process([binary("ADSAPP_BIN"), "serve", "--hostname", "127.0.0.1", "--port", str(port)], log, env, tmp_path)
    try:
        wait_for_health(url, app, log)
        http, csrf = _member(url)
        lines = ["name;phone;email"] + [f"Contact {i};+3161{1_000_000 + i};c{i}@example.com" for i in range(ROWS)]
        body = ("\n".join(lines) + "\n").encode()
        started = time.monotonic()
        created = http.post(url + "/api/v1/contacts/imports", data=body, timeout=120,
                            headers={"Content-Type": "text/csv", "X-CSRF-Token": csrf, "Accept": "application/json"})
        assert created.status_code == 202, f"the import answered {created.status_code}: {created.text[:300]}"
        import_id = created.json()["id"]
        uploaded = time.monotonic() - started

        def rows_done() -> int:
            return db.int(f"SELECT rows_done FROM contact_imports WHERE id = '{import_id}'")

        job_env = {"JOBS_LEASE_SECONDS": "3"}
        first = workers.start("worker-1", **job_env)
        wait_until(lambda: rows_done() >= ROWS // 5, 300, f"a fifth of the {ROWS} rows were imported", workers,
                   describe=rows_done, interval=0.05)
        first.signal(signal.SIGKILL)
        assert first.wait(10) is not None, "the first worker survived SIGKILL"
        at_kill = rows_done()
        assert at_kill < ROWS, "the import finished before the worker could be killed"

        workers.start("worker-2", **job_env)
        wait_until(lambda: db.scalar(f"SELECT state FROM contact_imports WHERE id = '{import_id}'") == "done", 480,
                   "the import is done", workers, describe=rows_done, interval=0.25)
        elapsed = time.monotonic() - started

        shown = http.get(f"{url}/api/v1/contacts/imports/{import_id}", headers={"Accept": "application/json"}, timeout=30).json()
        assert (shown["state"], shown["created"], shown["failed"]) == ("done", ROWS, 0), shown
        assert db.int("SELECT count(*) FROM contacts") == ROWS
        assert db.int("SELECT count(DISTINCT wa_id) FROM contacts") == ROWS
        assert db.int("SELECT count(*) FROM contact_events WHERE kind = 'imported'") == ROWS
        assert db.int("SELECT count(*) FROM contact_import_failures") == 0
        summary.append(f"contact import: {ROWS} rows, upload {uploaded:.1f}s, worker killed at {at_kill} rows, "
                       f"all rows once after {elapsed:.1f}s ({ROWS / elapsed:.0f} rows/s with the crash)")
    finally:
        stop_process(app)

