"""A broadcast on the production build, with the sending worker killed (SIGKILL) midway.

The Graph API simulator (its own process, 200 messages a second, one log line per accepted message)
and the app (`adsapp serve` takes the webhooks; `adsapp worker` processes send) share nothing but
HTTP. Once a third of the audience is sent, the worker is killed and a second one starts. Nobody may
get the message twice; everyone the first worker had not reached is sent; the few whose calls were
in flight are settled by Meta's status callbacks (sent) or stay `unknown` (never reached Meta),
never resent by the app on its own.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.processes import binary, free_port, log_tail, start_process, stop_process, wait_for_health  # noqa: E402
from test_contact_import import _member  # noqa: E402

AUDIENCE = 3_000
RATE = 200
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
TOKEN = "EAAG-kill-test-token"
APP_SECRET = "kill-test-app-secret-0123456789"


def _simulator(tmp_path: Path, webhook_url: str, sent_log: Path) -> tuple[subprocess.Popen, str]:
    args = [binary("ADSAPP_SIMULATOR_BIN", ".build/debug/whatsapp-simulator"), "--port", "0", "--phone-number-id", PHONE_NUMBER_ID,
            "--waba-id", WABA_ID, "--token", TOKEN, "--app-secret", APP_SECRET, "--webhook-url", webhook_url,
            "--throughput", str(RATE), "--messaging-limit-tier", "TIER_UNLIMITED", "--webhook-retry-seconds", "120",
            "--template", "welcome:nl:MARKETING:Hoi {{1}}, welkom bij de winteractie!", "--sent-log", str(sent_log)]
    log = tmp_path / "simulator.log"
    proc = start_process(args, log, dict(os.environ), tmp_path, stdout=subprocess.PIPE)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline().decode().strip()), daemon=True)
    reader.start()
    reader.join(30)
    if not line or not line[0].startswith("http://127.0.0.1:"):
        pytest.fail(f"whatsapp-simulator printed {line!r} instead of its base URL\n{log_tail(log)}")
    return proc, line[0].rstrip("/")


def _sent(sent_log: Path) -> list[tuple[str, str]]:
    """(wa_id, callback data) of every message the simulator accepted."""
    rows = []
    for line in sent_log.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            rows.append((parts[0], parts[2]))
    return rows


@pytest.mark.time_limit(480)
def test_a_broadcast_survives_a_killed_worker_without_sending_anyone_twice(app_db, workers, wait_until, summary, tmp_path):
    db = app_db
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sent_log = tmp_path / "sent.tsv"
    simulator, graph_url = _simulator(tmp_path, url + "/api/webhooks/whatsapp", sent_log)
    shared = {"WHATSAPP_GRAPH_URL": graph_url, "WHATSAPP_APP_SECRET": APP_SECRET, "WHATSAPP_WEBHOOK_VERIFY_TOKEN": "kill-test",
              "CAMPAIGN_CLAIM_TIMEOUT_SECONDS": "5", "JOBS_LEASE_SECONDS": "3"}
    env = db.env(APP_URL=url, JOBS_IN_PROCESS="false", BCRYPT_COST="4", LOG_LEVEL="notice", **shared)
    app = start_process([binary("ADSAPP_BIN"), "serve", "--hostname", "127.0.0.1", "--port", str(port)], tmp_path / "serve.log", env, tmp_path)
    try:
        wait_for_health(url, app, tmp_path / "serve.log")
        http, csrf = _member(url)
        api = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        first = workers.start("worker-1", **shared)

        connected = http.post(url + "/api/v1/whatsapp/connections", headers=api, timeout=30, json={
            "phone_number_id": PHONE_NUMBER_ID, "business_account_id": WABA_ID, "access_token": TOKEN, "sends_per_second": RATE})
        assert connected.status_code == 201, connected.text[:300]
        connection_id = connected.json()["id"]
        wait_until(lambda: any(t["name"] == "welcome" and t["status"] == "APPROVED"
                               for t in http.get(url + "/api/v1/whatsapp/templates", headers=api, timeout=30).json()),
                   60, "the template synced", workers)

        lines = ["name;phone;opt_in"] + [f"Klant {i};+3162{2_000_000 + i};yes" for i in range(AUDIENCE)]
        imported = http.post(url + "/api/v1/contacts/imports", data=("\n".join(lines) + "\n").encode(), timeout=60,
                             headers={**api, "Content-Type": "text/csv"})
        assert imported.status_code == 202, imported.text[:300]
        wait_until(lambda: db.scalar(f"SELECT state FROM contact_imports WHERE id = '{imported.json()['id']}'") == "done", 120,
                   "the contacts are imported", workers)
        segment = http.post(url + "/api/v1/segments", headers=api, timeout=30, json={"name": "Everyone", "filter": {}})
        assert segment.status_code == 201, segment.text[:300]

        created = http.post(url + "/api/v1/campaigns", headers=api, timeout=30, json={
            "name": "Winteractie", "connection_id": connection_id, "template_name": "welcome", "template_language": "nl",
            "message": {"body": [{"source": "name", "fallback": "klant"}]}, "audience": {"segment_id": segment.json()["id"]}})
        assert created.status_code == 201, created.text[:300]
        campaign_id = created.json()["id"]
        started = time.monotonic()
        assert http.post(f"{url}/api/v1/campaigns/{campaign_id}/start", headers=api, timeout=30).status_code == 200

        wait_until(lambda: len(_sent(sent_log)) >= AUDIENCE // 3, 120, "a third of the audience was sent", workers,
                   describe=lambda: len(_sent(sent_log)), interval=0.02)
        first.signal(signal.SIGKILL)
        assert first.wait(10) is not None, "the worker survived SIGKILL"
        at_kill = len(_sent(sent_log))
        assert at_kill < AUDIENCE, "the broadcast finished before the worker could be killed"
        workers.start("worker-2", **shared)

        def campaign() -> dict:
            return http.get(f"{url}/api/v1/campaigns/{campaign_id}", headers=api, timeout=30).json()

        wait_until(lambda: campaign()["status"] == "finished", 240, "the campaign finished", workers,
                   describe=lambda: campaign()["statistics"], interval=0.5)
        elapsed = time.monotonic() - started

        sent = _sent(sent_log)
        numbers = [wa_id for wa_id, _ in sent]
        twice = {n for n, times in Counter(numbers).items() if times > 1}
        assert not twice, f"{len(twice)} customers got the message twice, e.g. {sorted(twice)[:5]}"
        assert all(callback.startswith("campaign-recipient:") for _, callback in sent)

        # The messages Meta accepted are settled by their callbacks, those claimed at the kill included.
        accepted = set(numbers)
        wait_until(lambda: db.int(f"""SELECT count(*) FROM campaign_recipients WHERE campaign_id = '{campaign_id}'
                                      AND status IN ('sent', 'delivered', 'read')""") == len(accepted), 120,
                   "every accepted message is settled by its callbacks", workers)
        unknown = {row[0] for row in db.rows(f"SELECT wa_id FROM campaign_recipients WHERE campaign_id = '{campaign_id}' AND status = 'unknown'")}
        assert not unknown & accepted, "a message Meta accepted stayed unknown"
        everyone = {f"3162{2_000_000 + i}" for i in range(AUDIENCE)}
        assert accepted | unknown == everyone, f"{len(everyone - accepted - unknown)} customers were neither sent nor accounted for"
        # Only what was in flight at the kill can be unknown: at most a batch (a twentieth of a second's worth).
        assert len(unknown) <= max(1, RATE // 20), f"{len(unknown)} unknown outcomes"
        summary.append(f"campaign kill: {AUDIENCE} recipients at {RATE}/s, worker killed after {at_kill} sent, finished after "
                       f"{elapsed:.1f}s: {len(accepted)} sent once each, {len(unknown)} unknown (in flight at the kill), 0 twice")
    finally:
        stop_process(app)
        stop_process(simulator)
