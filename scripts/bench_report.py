#!/usr/bin/env python3
"""Helpers for scripts/bench (standard library only).

  startup --runs N --path /health --out FILE -- CMD... ({port} in CMD is replaced)
      Starts CMD N times with a fresh DATA_DIR on a free loopback port, measures ms until the
      first 200 on PATH, then VmRSS after 2 s idle; stops it by PID. Writes JSON to FILE.
  csrf            Reads an HTML page on stdin, prints the value of the `_csrf` hidden input.
  rss PID         Prints VmRSS of PID in KiB.
  search --url URL --bodies FILE --first N --last M --high-from WRK.txt --p99-ms 125 --behind-ms 1000
         --steps K --seconds S --out FILE -- DRAIN_CMD... ({since} in DRAIN_CMD is replaced)
      Finds the most events/s the server acknowledges with p99 under --p99-ms while processing stays
      at most --behind-ms behind (received to processed p99 of the step's events): paced wrk runs of
      S seconds (scripts/lib/bench-webhook.lua, bodies N..M-1, each once while they last), starting at
      the unpaced rate in WRK.txt, then bisecting; after each step DRAIN_CMD waits until the backlog
      is processed. Prints each step and writes every step and the result as JSON.
  report --results DIR --section NAME --command CMD --out docs/benchmarks.md
      Writes the `## NAME` section of the benchmarks document (and of its Dutch twin
      docs/benchmarks.nl.md) from DIR's measurements, and the chart docs/benchmarks-NAME.svg.
"""

import argparse
import datetime
import html
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def answers_200(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cmd_startup(args) -> None:
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    startup_ms, rss = [], []
    for run in range(args.runs):
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="adsapp-bench-") as data_dir:
            env = dict(os.environ, DATA_DIR=data_dir, APP_URL=f"http://127.0.0.1:{port}",
                       LOG_LEVEL="warning")
            argv = [a.replace("{port}", str(port)) for a in cmd]
            log = open(Path(data_dir) / "server.log", "wb")
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT)
            try:
                deadline = t0 + args.timeout
                while not answers_200(port, args.path):
                    if proc.poll() is not None or time.perf_counter() > deadline:
                        log.flush()
                        tail = (Path(data_dir) / "server.log").read_text(errors="replace")[-3000:]
                        sys.exit(f"{argv[0]} did not answer 200 on {args.path} (run {run + 1})\n{tail}")
                    time.sleep(0.005)
                startup_ms.append((time.perf_counter() - t0) * 1000)
                time.sleep(2)
                rss.append(rss_kib(proc.pid))
            finally:
                stop(proc)
                log.close()
        print(f"  run {run + 1}: first 200 after {startup_ms[-1]:.0f} ms, RSS idle {rss[-1] / 1024:.1f} MiB",
              file=sys.stderr)
    Path(args.out).write_text(json.dumps({"startup_ms": startup_ms, "rss_kib": rss}))


def cmd_csrf(_args) -> None:
    page = sys.stdin.read()
    for tag in re.findall(r"<input\b[^>]*>", page, flags=re.I):
        if re.search(r"""\bname\s*=\s*["']_csrf["']""", tag):
            m = re.search(r"""\bvalue\s*=\s*(["'])(.*?)\1""", tag, flags=re.S)
            if m:
                print(html.unescape(m.group(2)))
                return
    sys.exit("no <input name=\"_csrf\" value=...> in the page")


def cmd_rss(args) -> None:
    print(rss_kib(args.pid))


# ---- wrk output ----

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def parse_wrk(text: str) -> dict:
    out = {"non_2xx": 0, "socket_errors": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        raise ValueError("no Requests/sec in wrk output")
    out["rps"] = float(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, flags=re.M)
        if not m:
            raise ValueError(f"no {pct}% latency in wrk output (was --latency given?)")
        out[key] = _ms(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        out["non_2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        out["socket_errors"] = sum(int(g) for g in m.groups())
    return out


# ---- search ----

def _round_rate(value: float, step: int = 25) -> int:
    return max(step, int(round(value / step)) * step)


def cmd_search(args) -> None:
    """Step, then binary, search over offered rates for the most events/s with acknowledgement p99
    under the limit and processing at most --behind-ms behind. A step passes when its p99 is under
    the limit, its events' received to processed p99 (from DRAIN_CMD, which waits for the step's
    backlog) is at most --behind-ms, nothing failed, and wrk got at least 95 % of the offered rate
    acknowledged (its Requests/sec counts only the answers inside the step's window, so a short step
    that keeps up still shows a few percent less)."""
    drain = args.drain[1:] if args.drain[:1] == ["--"] else args.drain
    if not drain:
        sys.exit("search: give the drain command after --")
    high = _round_rate(parse_wrk(Path(args.high_from).read_text())["rps"])
    cursor, steps = args.first, []

    def measure(rate: int) -> bool:
        nonlocal cursor
        need = int(rate * args.seconds * 1.1) + 64
        reused = cursor + need > args.last
        if reused:
            cursor = args.first
        first, last = cursor, min(args.last, cursor + need)
        cursor = last
        since = time.time()
        wrk = subprocess.run(
            ["timeout", f"{args.seconds + 60}s", "wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
             "-s", "scripts/lib/bench-webhook.lua", args.url, "--", args.bodies, str(first), str(last), "2", str(rate)],
            capture_output=True, text=True, check=True)
        w = parse_wrk(wrk.stdout)
        drained = subprocess.run([part.replace("{since}", f"{since:.3f}") for part in drain],
                                 capture_output=True, text=True, check=True)
        d = json.loads(drained.stdout.strip().splitlines()[-1])
        reused = reused or "bodies ran out" in wrk.stdout
        behind = d["receivedToProcessedP99Milliseconds"]
        ok = (w["rps"] >= 0.95 * rate and w["p99_ms"] < args.p99_ms and behind <= args.behind_ms
              and not w["non_2xx"] and not w["socket_errors"] and not d["failed"])
        step = {"offered": rate, "acknowledged": w["rps"], "p50_ms": w["p50_ms"], "p99_ms": w["p99_ms"],
                "non_2xx": w["non_2xx"], "socket_errors": w["socket_errors"], "bodies_reused": reused,
                "backlog_at_end": d["backlogAtStart"], "processed_per_second": d["processedPerSecond"],
                "received_to_processed_p99_ms": behind, "passed": ok}
        steps.append(step)
        print(f"search step {len(steps)}: offered {rate:,}/s, acknowledged {w['rps']:,.0f}/s, p50 {w['p50_ms']:.1f} ms,"
              f" p99 {w['p99_ms']:.1f} ms, backlog {d['backlogAtStart']:,}, received to processed p99 {behind:,.0f} ms"
              f"{', bodies reused' if reused else ''} -> {'pass' if ok else 'fail'}", file=sys.stderr, flush=True)
        return ok

    # Upwards while the most acknowledged unpaced rate still passes (rare: pacing spreads the load),
    # else bisect between 0 and it.
    low, high_fail = 0, None
    rate = high
    for _ in range(args.steps):
        if high_fail is None:
            if measure(rate):
                low, rate = rate, _round_rate(rate * 1.5)
                continue
            high_fail = rate
        else:
            mid = _round_rate((low + high_fail) / 2)
            if mid <= low or mid >= high_fail:
                break
            if measure(mid):
                low = mid
            else:
                high_fail = mid
    result = {"p99_limit_ms": args.p99_ms, "behind_limit_ms": args.behind_ms, "seconds_per_step": args.seconds,
              "connections": args.connections, "start_rate": high, "sustained": low, "first_failing": high_fail, "steps": steps}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({"sustained": low, "first_failing": high_fail, "steps": len(steps)}))


def parse_pgbench(text: str) -> dict:
    m = re.search(r"^tps = ([\d.]+)", text, flags=re.M)
    if not m:
        raise ValueError("no tps in pgbench output")
    clients = re.search(r"^number of clients: (\d+)", text, flags=re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, flags=re.M)
    return {"tps": float(m.group(1)), "clients": int(clients.group(1)) if clients else None,
            "failed": int(failed.group(1)) if failed else 0}


# ---- report ----

def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# Every sentence of the report, per language. Numbers are formatted the same in both.
TEXT = {
    "en": {
        "title": "# Benchmarks",
        "intro": "Written by `scripts/bench NAME`; each run replaces its own section.",
        "other": "*Nederlands: [benchmarks.nl.md](benchmarks.nl.md)*",
        "date": "date",
        "machine": "machine",
        "cores": "{n} cores, {cpu}",
        "commit": "commit",
        "dirty": " (with uncommitted changes)",
        "command": "command",
        "load": "load: `wrk -t2 -c32 -d10s --latency` after a 2 s warm-up, on loopback; wrk, the"
                " server and PostgreSQL share the same cores. Release build, SQLite in a fresh DATA_DIR, then"
                " a fresh PostgreSQL 15 database ({pg}); one person signed in, one organization.",
        "header": "| measurement | value | limit / baseline (same run) |",
        "startup": "start-up to first 200 on `/health` (ms, median of 5)",
        "startup_bare": "bare Vapor app to first 200 on `/`: {ms}",
        "rss_idle": "RSS 2 s idle after start-up (MiB, median of 5)",
        "rss_bare": "bare Vapor app: {mib}",
        "rss_load": "RSS after the wrk runs (MiB)",
        "bare": "bare Vapor `GET /`",
        "signin": "`GET /signin` (anonymous)",
        "dashboard": "`GET /dashboard` (signed in)",
        "inbox": "`GET /inbox` (signed in, empty inbox)",
        "rps": "{route} req/s",
        "latency": "{route} p50 / p99 (ms)",
        "baseline": "(baseline)",
        "share": "{share} % of bare ({rps})",
        "on_postgresql": "{route}, PostgreSQL",
        "share_target": "{share} % of bare ({rps}); target (issue 19): at least 20 %: {verdict}",
        "met": "**met**",
        "not_met": "**not met**",
        "bare_latency": "bare: {lat}",
        "non_2xx": "{n} non-2xx/3xx",
        "socket_errors": "{n} socket errors",
        "chart_alt": "requests per second and p99",
        "load_jobs": "load: {count} no-op jobs enqueued in batches of 1,000, then processed by one worker in the"
                     " same process (concurrency {concurrency}); latency from single enqueues to an idle worker."
                     " Release build; fresh SQLite file and fresh PostgreSQL 15 database ({pg}) on this machine."
                     " Anchors from elsewhere: River about 46k jobs/s on 8 cores, graphile-worker about 15.6k/s"
                     " unbatched on 24 cores.",
        "jobs_header": "| measurement | SQLite | PostgreSQL | limit / target |",
        "raw_insert": "plain multi-row INSERT of the same rows (rows/s)",
        "raw_limit": "(limit: no queue code)",
        "enqueue": "enqueue through the queue (jobs/s)",
        "of_raw": "{sqlite} % / {pg} % of the plain INSERT",
        "processed": "no-op jobs processed (jobs/s)",
        "processed_target": "target: at least 5,000/s on PostgreSQL",
        "job_latency": "enqueue to start, idle worker: p50 / p99 / max (ms)",
        "latency_target": "target: p99 under 50 ms",
        "jobs_chart_alt": "jobs per second",
        "jobs_chart_title": "Jobs per second",
        "bar_enqueue": "enqueue {db}",
        "bar_processed": "processed {db}",
        "load_webhook": "load: the original target, 4,000 events/s for 20 s, offered by `wrk -t2 -c512 -d20s --latency` paced as Meta sends"
                        " (each send on its schedule whatever the answers; 512 connections so the schedule never waits for one),"
                        " after a 2 s warm-up whose backlog is processed first; then, for the most the node takes, 10 s without"
                        " pacing on 32 connections. On loopback, POSTing pre-signed bodies, each once, to `/api/webhooks/whatsapp`"
                        " of `adsapp serve` with its in-process worker at default settings. Mix as in a busy inbox: per outbound"
                        " message one inbound text and its `sent`, `delivered` and `read` callbacks, {avg} bytes a body, {contacts}"
                        " customers. wrk, the server and PostgreSQL share the same 2 cores. Release build; fresh SQLite file (WAL,"
                        " one connection) and fresh PostgreSQL 15 database ({pg}). Then the most events/s the node sustains with"
                        " {criteria}: paced runs of {step} s on 512 connections, starting at the unpaced rate and bisecting, each"
                        " step's backlog processed before the next; how far processing is behind is the received to processed p99"
                        " of the step's events (steps below the table). Its target (issue 19, on PostgreSQL): at least 8,000/s when"
                        " bare Vapor serves 20,000 req/s or more, and at least 30 % of bare Vapor's rate in any run. The database's ceiling:"
                        " `pgbench` inserting the same rows (a `webhook_events` row with one of the same bodies and its job, one"
                        " transaction per event, 32 clients) on the same PostgreSQL.",
        "webhook_header": "| measurement | SQLite | PostgreSQL | limit / target (same run) |",
        "wh_ack": "signed events acknowledged at the offered 4,000/s (events/s)",
        "wh_ack_limit": "original target: all of the 4,000/s",
        "wh_max": "most acknowledged, unpaced on 32 connections (events/s; p99 ms)",
        "wh_max_limit": "limit: bare Vapor `GET /`: {rps} req/s",
        "wh_latency": "acknowledgement latency p50 / p99 (ms)",
        "wh_latency_limit": "original target: p99 under 250 ms; bare Vapor `GET /`: {lat}",
        "wh_raw": "plain INSERT of the handler's rows (webhook event + job, one transaction per event, 32 at a time; events/s)",
        "wh_raw_limit": "limit: no HTTP, signature or Fluent; most acknowledged = {sqlite} % / {pg} % of it",
        "wh_processed": "processed by the worker, from the start of the load until the backlog was empty (events/s)",
        "wh_backlog": "backlog when the load stopped (events) / time to work it off (s)",
        "wh_backlog_target": "original target: at most 1 s behind (4,000 events)",
        "wh_e2e": "received to processed p50 / p99 (ms)",
        "wh_counts": "events stored / processed / failed",
        "wh_counts_note": "every acknowledged event is stored; processing leaves no failure",
        "wh_rss": "RSS of the server after the run (MiB)",
        "wh_sustained": "most events/s sustained with {criteria} (search over paced rates)",
        "wh_criteria": "acknowledgement p99 under {p99} ms and processing at most {behind} s behind",
        "wh_criteria_old": "acknowledgement p99 under {p99} ms, how far processing was behind not checked",
        "wh_target_fixed": "target: 8,000/s (bare Vapor {bare} req/s, 20,000 or more)",
        "wh_target_share": "target: 30 % of bare Vapor's {bare} req/s = {target}/s",
        "wh_target_share_high": "target: 30 % of bare Vapor's {bare} req/s = {target}/s (more than the 8,000/s asked from 20,000 req/s on)",
        "wh_target_met": "target **met**",
        "wh_target_missed": "target **not met**",
        "wh_target_unknown": "target: unknown, searched with other limits",
        "wh_sustained_limit": "limit: pgbench insert of the same rows, {pgbench}/s",
        "wh_pgbench": "pgbench insert of the same rows, same durability (webhook event + job, one transaction per event, 32 clients; tps)",
        "wh_pgbench_limit": "limit: the database alone; sustained = {share} % of it",
        "wh_steps": "search steps, {db} (offered → acknowledged events/s, acknowledgement p99 / received to processed p99):",
        "wh_below": "below {n}/s",
        "pass": "pass",
        "fail": "fail",
        "reused": "bodies reused",
        "pg_settings": "fsync {fsync}, synchronous_commit {sync}",
        "pg_unknown": "durability not recorded",
        "wh_verdict": "original target met (4,000/s offered: all acknowledged, p99 under 250 ms, the worker at most 1 s behind)",
        "yes": "yes",
        "no": "no",
        "miss_ack": "acknowledges {n}/s",
        "miss_processed": "processes {n}/s",
        "miss_backlog": "{n} events behind",
        "miss_p99": "p99 {ms} ms",
        "webhook_chart_alt": "webhook events per second",
        "webhook_chart_title": "WhatsApp webhook events per second",
        "bar_ack": "acknowledged {db}",
        "bar_wh_processed": "processed {db}",
        "bar_wh_max": "most acknowledged {db}",
        "load_inbox": "load: one organization of {conversations} conversations and {messages} messages on a fresh PostgreSQL 15"
                      " database ({pg}), seeded in {seed:.0f} s (then vacuumed and checkpointed, so the seed's writes are on disk before anything is measured); `adsapp serve` (release, workers in-process) with the owner's"
                      " session. Each request kind under `wrk -t2 -c2 -d10s --latency` after a 2 s warm-up (two requests at every"
                      " instant, each sent as soon as the last answer came: both cores busy), paths picked at random:"
                      " list = the list API's first pages of six filters and pages 50 to 30,000 deep; page = the `/inbox` HTML page"
                      " (25 rows) with its counts; thread = the last 50 messages of one of 2,000 random conversations; search = {searches}"
                      " words, name and number fragments. Live: {sockets} WebSockets open on `/inbox/live`, then {posted} signed"
                      " inbound messages posted to the webhook at 10 a second, each to another conversation; the time from the POST"
                      " until each socket heard of it{large}. wrk, the server, the sockets' client and PostgreSQL share the same 2 cores.",
        "load_inbox_large": "; then the same again with {sockets} WebSockets connected, {others} of them as the owners of {organizations}"
                            " other organizations (they must hear none of it)",
        "load_inbox_one_org": "; and, with no target, the worst case: {sockets} WebSockets all of the same organization, every one"
                              " hearing every message (a message is {sockets} frames)",
        "inbox_header": "| measurement | p50 / p99 (ms) | target (p99) | limit (same run) |",
        "ib_list": "conversation list, API ({rps} req/s)",
        "ib_page": "inbox page, HTML with filter counts ({rps} req/s)",
        "ib_thread": "thread, last 50 messages ({rps} req/s)",
        "ib_search": "search ({rps} req/s)",
        "ib_live": "message in → every agent's WebSocket, {sockets} sockets ({received} of {expected} deliveries)",
        "ib_live_unmeasured": "message in → every agent's WebSocket, {sockets} sockets",
        "ib_live_connected": "message in → every agent's WebSocket, {connected} sockets connected, {sockets} of them the organization's"
                             " ({received} of {expected} deliveries; the other organizations' sockets heard {others_heard})",
        "ib_live_one_org": "message in → every agent's WebSocket, {sockets} sockets all of one organization ({received} of {expected}"
                           " deliveries)",
        "ib_no_target_worst": "no target: the worst case, every socket hears every message",
        "ib_first": "way through the server (the first socket): {p50:.1f} / {p99:.1f}",
        "ib_chart_live": "live, {sockets} sockets",
        "ib_bare": "bare Vapor `GET /`: {lat}",
        "ib_target": "target (issue 19): under {ms} ms (originally {original} ms)",
        "ib_target_new": "target (issue 19): under {ms} ms (no original target)",
        "ib_met": "met",
        "ib_missed": "**missed**",
        "ib_not_measured": "not measured",
        "ib_too_few_sockets": "not measured with {sockets} sockets",
        "inbox_chart_alt": "p99 latency of the inbox per request kind, with the targets",
        "inbox_chart_title": "Shared inbox: p99 latency (ms) against the target",
        "bar_raw": "plain INSERT {db}",
    },
    "nl": {
        "title": "# Metingen",
        "intro": "Geschreven door `scripts/bench NAAM`; elke run vervangt alleen zijn eigen sectie.",
        "other": "*English: [benchmarks.md](benchmarks.md)*",
        "date": "datum",
        "machine": "machine",
        "cores": "{n} kernen, {cpu}",
        "commit": "commit",
        "dirty": " (met wijzigingen die nog niet gecommit zijn)",
        "command": "opdracht",
        "load": "belasting: `wrk -t2 -c32 -d10s --latency` na 2 s opwarmen, via loopback; wrk, de"
                " server en PostgreSQL delen dezelfde kernen. Release-build, SQLite in een nieuwe DATA_DIR,"
                " daarna een nieuwe PostgreSQL 15-database ({pg}); één persoon ingelogd, één organisatie.",
        "header": "| meting | waarde | grens / referentie (zelfde run) |",
        "startup": "opstarten tot de eerste 200 op `/health` (ms, mediaan van 5)",
        "startup_bare": "kale Vapor-app tot de eerste 200 op `/`: {ms}",
        "rss_idle": "RSS na 2 s rust na het opstarten (MiB, mediaan van 5)",
        "rss_bare": "kale Vapor-app: {mib}",
        "rss_load": "RSS na de wrk-runs (MiB)",
        "bare": "kale Vapor `GET /`",
        "signin": "`GET /signin` (anoniem)",
        "dashboard": "`GET /dashboard` (ingelogd)",
        "inbox": "`GET /inbox` (ingelogd, lege inbox)",
        "rps": "{route} verzoeken/s",
        "latency": "{route} p50 / p99 (ms)",
        "baseline": "(referentie)",
        "share": "{share} % van kale Vapor ({rps})",
        "on_postgresql": "{route}, PostgreSQL",
        "share_target": "{share} % van kale Vapor ({rps}); doel (issue 19): minstens 20 %: {verdict}",
        "met": "**gehaald**",
        "not_met": "**niet gehaald**",
        "bare_latency": "kale Vapor: {lat}",
        "non_2xx": "{n} niet-2xx/3xx",
        "socket_errors": "{n} socketfouten",
        "chart_alt": "verzoeken per seconde en p99",
        "load_jobs": "belasting: {count} lege taken, in porties van 1.000 in de wachtrij gezet en daarna verwerkt door"
                     " één worker in hetzelfde proces (gelijktijdigheid {concurrency}); latentie van losse taken naar een"
                     " worker zonder werk. Release-build; een nieuw SQLite-bestand en een nieuwe PostgreSQL 15-database"
                     " ({pg}) op deze machine. Ter vergelijking elders: River ongeveer 46k taken/s op 8 kernen,"
                     " graphile-worker ongeveer 15,6k/s zonder batches op 24 kernen.",
        "jobs_header": "| meting | SQLite | PostgreSQL | grens / doel |",
        "raw_insert": "kale INSERT van dezelfde rijen, meerdere per opdracht (rijen/s)",
        "raw_limit": "(grens: geen wachtrijcode)",
        "enqueue": "in de wachtrij zetten (taken/s)",
        "of_raw": "{sqlite} % / {pg} % van de kale INSERT",
        "processed": "lege taken verwerkt (taken/s)",
        "processed_target": "doel: minstens 5.000/s op PostgreSQL",
        "job_latency": "van wachtrij tot start, worker zonder werk: p50 / p99 / max (ms)",
        "latency_target": "doel: p99 onder 50 ms",
        "jobs_chart_alt": "taken per seconde",
        "jobs_chart_title": "Taken per seconde",
        "bar_enqueue": "in wachtrij {db}",
        "bar_processed": "verwerkt {db}",
        "load_webhook": "belasting: het oorspronkelijke doel, 4.000 events/s gedurende 20 s, aangeboden door `wrk -t2 -c512 -d20s --latency` in"
                        " het tempo waarin Meta verstuurt (elke verzending op haar tijd, wat de antwoorden ook doen; 512 verbindingen"
                        " zodat het schema nooit op een verbinding wacht), na 2 s opwarmen (waarvan de achterstand eerst verwerkt"
                        " wordt); daarna, voor het maximum, 10 s zonder tempo op 32 verbindingen. Via loopback: vooraf ondertekende"
                        " berichten, elk één keer, gepost naar `/api/webhooks/whatsapp` van `adsapp serve` met de worker in hetzelfde"
                        " proces, standaardinstellingen. Mix als in een drukke inbox: per uitgaand bericht één binnenkomend"
                        " tekstbericht en de callbacks `sent`, `delivered` en `read`, {avg} bytes per bericht, {contacts} klanten."
                        " wrk, de server en PostgreSQL delen dezelfde 2 kernen. Release-build; een nieuw SQLite-bestand (WAL, één"
                        " verbinding) en een nieuwe PostgreSQL 15-database ({pg}). Daarna het meeste events/s dat de node volhoudt met"
                        " {criteria}: runs van {step} s met vast tempo op 512 verbindingen, beginnend bij het maximum zonder tempo en"
                        " dan halverend, de achterstand van elke stap verwerkt voor de volgende; hoe ver de verwerking achterloopt is"
                        " de p99 van ontvangst tot verwerkt van de events van die stap (stappen onder de tabel). Het doel daarvan"
                        " (issue 19, op PostgreSQL): minstens 8.000/s als kale Vapor 20.000 verzoeken/s of meer haalt, en in elke run"
                        " minstens 30 % van het tempo van kale Vapor. Het plafond van de database: `pgbench` die dezelfde rijen"
                        " invoegt (een `webhook_events`-rij met een van dezelfde berichten en zijn taak, één transactie per event,"
                        " 32 clients) op dezelfde PostgreSQL.",
        "webhook_header": "| meting | SQLite | PostgreSQL | grens / doel (zelfde run) |",
        "wh_ack": "ondertekende events bevestigd bij aangeboden 4.000/s (events/s)",
        "wh_ack_limit": "oorspronkelijk doel: alle 4.000/s",
        "wh_max": "meeste bevestigd, zonder tempo op 32 verbindingen (events/s; p99 ms)",
        "wh_max_limit": "grens: kale Vapor `GET /`: {rps} verzoeken/s",
        "wh_latency": "latentie van de bevestiging p50 / p99 (ms)",
        "wh_sustained": "meeste events/s volgehouden met {criteria} (zoektocht over vaste tempo's)",
        "wh_criteria": "p99 van de bevestiging onder {p99} ms en de verwerking hooguit {behind} s achter",
        "wh_criteria_old": "p99 van de bevestiging onder {p99} ms, zonder te controleren hoe ver de verwerking achterliep",
        "wh_target_fixed": "doel: 8.000/s (kale Vapor {bare} verzoeken/s, 20.000 of meer)",
        "wh_target_share": "doel: 30 % van de {bare} verzoeken/s van kale Vapor = {target}/s",
        "wh_target_share_high": "doel: 30 % van de {bare} verzoeken/s van kale Vapor = {target}/s (meer dan de 8.000/s die vanaf 20.000 verzoeken/s gevraagd wordt)",
        "wh_target_met": "doel **gehaald**",
        "wh_target_missed": "doel **niet gehaald**",
        "wh_target_unknown": "doel: onbekend, gezocht met andere grenzen",
        "wh_sustained_limit": "grens: pgbench-insert van dezelfde rijen, {pgbench}/s",
        "wh_pgbench": "pgbench-insert van dezelfde rijen, zelfde duurzaamheid (webhook-event + taak, één transactie per event, 32 clients; tps)",
        "wh_pgbench_limit": "grens: alleen de database; volgehouden = {share} % daarvan",
        "wh_steps": "stappen van de zoektocht, {db} (aangeboden → bevestigd events/s, p99 van de bevestiging / p99 van ontvangst tot verwerkt):",
        "wh_below": "onder {n}/s",
        "pass": "gehaald",
        "fail": "niet gehaald",
        "reused": "berichten hergebruikt",
        "pg_settings": "fsync {fsync}, synchronous_commit {sync}",
        "pg_unknown": "duurzaamheid niet vastgelegd",
        "wh_latency_limit": "oorspronkelijk doel: p99 onder 250 ms; kale Vapor `GET /`: {lat}",
        "wh_raw": "kale INSERT van de rijen van de handler (webhook-event + taak, één transactie per event, 32 tegelijk; events/s)",
        "wh_raw_limit": "grens: geen HTTP, handtekening of Fluent; meeste bevestigd = {sqlite} % / {pg} % daarvan",
        "wh_processed": "verwerkt door de worker, van het begin van de belasting tot de achterstand weg was (events/s)",
        "wh_backlog": "achterstand toen de belasting stopte (events) / tijd om die weg te werken (s)",
        "wh_backlog_target": "oorspronkelijk doel: hooguit 1 s achter (4.000 events)",
        "wh_e2e": "van ontvangst tot verwerkt p50 / p99 (ms)",
        "wh_counts": "events opgeslagen / verwerkt / mislukt",
        "wh_counts_note": "elk bevestigd event is opgeslagen; verwerken laat geen fouten achter",
        "wh_rss": "RSS van de server na de run (MiB)",
        "wh_verdict": "oorspronkelijk doel gehaald (4.000/s aangeboden: alles bevestigd, p99 onder 250 ms, de worker hooguit 1 s achter)",
        "yes": "ja",
        "no": "nee",
        "miss_ack": "bevestigt {n}/s",
        "miss_processed": "verwerkt {n}/s",
        "miss_backlog": "{n} events achter",
        "miss_p99": "p99 {ms} ms",
        "webhook_chart_alt": "webhook-events per seconde",
        "webhook_chart_title": "WhatsApp-webhook-events per seconde",
        "bar_ack": "bevestigd {db}",
        "bar_wh_processed": "verwerkt {db}",
        "bar_wh_max": "meeste bevestigd {db}",
        "load_inbox": "belasting: één organisatie met {conversations} gesprekken en {messages} berichten in een nieuwe PostgreSQL 15-"
                      "database ({pg}), gevuld in {seed:.0f} s (daarna gevacuümd en gecheckpoint, zodat de geschreven gegevens op schijf staan voordat er iets gemeten wordt); `adsapp serve` (release, workers in hetzelfde proces) met de sessie"
                      " van de eigenaar. Elk soort verzoek onder `wrk -t2 -c2 -d10s --latency` na 2 s opwarmen (op elk moment twee"
                      " verzoeken, elk verstuurd zodra het vorige antwoord er was: beide kernen bezig), paden willekeurig gekozen:"
                      " lijst = de eerste pagina's van zes filters van de lijst-API en pagina's 50 tot 30.000 diep; pagina = de HTML-pagina"
                      " `/inbox` (25 rijen) met haar tellingen; gesprek = de laatste 50 berichten van een van 2.000 willekeurige gesprekken; zoeken ="
                      " {searches} woorden, stukken van namen en nummers. Live: {sockets} WebSockets open op `/inbox/live`, daarna {posted}"
                      " ondertekende inkomende berichten naar de webhook, 10 per seconde, elk naar een ander gesprek; de tijd van de POST"
                      " tot elke socket het hoorde{large}. wrk, de server, de client van de sockets en PostgreSQL delen dezelfde 2 kernen.",
        "load_inbox_large": "; daarna nog eens hetzelfde met {sockets} WebSockets verbonden, {others} daarvan als de eigenaars van"
                            " {organizations} andere organisaties (die mogen er niets van horen)",
        "load_inbox_one_org": "; en, zonder doel, het slechtste geval: {sockets} WebSockets allemaal van dezelfde organisatie, die elk"
                              " elk bericht horen (een bericht is {sockets} frames)",
        "inbox_header": "| meting | p50 / p99 (ms) | doel (p99) | grens (zelfde run) |",
        "ib_list": "gesprekkenlijst, API ({rps} verzoeken/s)",
        "ib_page": "inboxpagina, HTML met tellingen per filter ({rps} verzoeken/s)",
        "ib_thread": "gesprek, laatste 50 berichten ({rps} verzoeken/s)",
        "ib_search": "zoeken ({rps} verzoeken/s)",
        "ib_live": "bericht binnen → de WebSocket van elke agent, {sockets} sockets ({received} van {expected} afleveringen)",
        "ib_live_unmeasured": "bericht binnen → de WebSocket van elke agent, {sockets} sockets",
        "ib_live_connected": "bericht binnen → de WebSocket van elke agent, {connected} sockets verbonden, {sockets} daarvan van de"
                             " organisatie ({received} van {expected} afleveringen; de sockets van de andere organisaties hoorden er {others_heard})",
        "ib_live_one_org": "bericht binnen → de WebSocket van elke agent, {sockets} sockets allemaal van één organisatie ({received} van"
                           " {expected} afleveringen)",
        "ib_no_target_worst": "geen doel: het slechtste geval, elke socket hoort elk bericht",
        "ib_first": "weg door de server (de eerste socket): {p50:.1f} / {p99:.1f}",
        "ib_chart_live": "live, {sockets} sockets",
        "ib_bare": "kale Vapor `GET /`: {lat}",
        "ib_target": "doel (issue 19): onder {ms} ms (oorspronkelijk {original} ms)",
        "ib_target_new": "doel (issue 19): onder {ms} ms (geen oorspronkelijk doel)",
        "ib_met": "gehaald",
        "ib_missed": "**niet gehaald**",
        "ib_not_measured": "niet gemeten",
        "ib_too_few_sockets": "niet gemeten met {sockets} sockets",
        "inbox_chart_alt": "p99-latentie van de inbox per soort verzoek, met de doelen",
        "inbox_chart_title": "Gedeelde inbox: p99-latentie (ms) tegen het doel",
        "bar_raw": "kale INSERT {db}",
    },
}

ROUTES = ("bare", "signin", "dashboard", "inbox")
SIGNED_IN_ROUTES = ("signin", "dashboard", "inbox")
# Issue 19: the signed-in pages serve at least this share of bare Vapor's req/s, on PostgreSQL.
SIGNED_IN_SHARE_TARGET = 20.0



# English-formatted figures (1,234.5) as Dutch writes them (1.234,5). Only the figures this script
# formats: thousands with commas, one or two decimals; the Dutch texts' own "4.000" stays as it is.
# A figure may end before punctuation ("2,313, 67 ms"), not before more digits.
_ENGLISH_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{1,2})(?!\w|[.,]\d)")


def in_language(text: str, t: dict) -> str:
    if t is not TEXT["nl"]:
        return text
    return _ENGLISH_NUMBER.sub(lambda m: m.group(0).translate(str.maketrans(",.", ".,")), text)


def write_chart(path: Path, svg: str, t: dict) -> None:
    """Writes a chart, its text (not its coordinates) in the language's number format."""
    path.write_text(re.sub(r">([^<]+)<", lambda m: ">" + in_language(m.group(1), t) + "<", svg))

def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def _rps(value: float) -> str:
    return f"{value:,.0f}"


def _latency(w: dict) -> str:
    return f"{w['p50_ms']:.2f} / {w['p99_ms']:.2f}"


def load_results(results: Path) -> dict:
    """Reads the measurement files a `scripts/bench http` run leaves in RESULTS."""
    rss_after = results / "rss-after-load.txt"
    return {
        "app": json.loads((results / "startup-app.json").read_text()),
        "bare": json.loads((results / "startup-bare.json").read_text()),
        "wrk": {name: parse_wrk((results / f"wrk-{name}.txt").read_text()) for name in ROUTES},
        # Runs from before the PostgreSQL half of the bench have none of these.
        "wrk_postgresql": {name: parse_wrk((results / f"wrk-{name}-postgresql.txt").read_text())
                           for name in SIGNED_IN_ROUTES if (results / f"wrk-{name}-postgresql.txt").exists()},
        "rss_after_kib": int(rss_after.read_text()) if rss_after.exists() else None,
    }


def _rps_cell(w: dict, t: dict) -> str:
    warn = []
    if w["non_2xx"]:
        warn.append(t["non_2xx"].format(n=w["non_2xx"]))
    if w["socket_errors"]:
        warn.append(t["socket_errors"].format(n=w["socket_errors"]))
    return _rps(w["rps"]) + (f" (**{', '.join(warn)}**)" if warn else "")


def http_rows(m: dict, t: dict) -> list[tuple[str, str, str]]:
    app, bare, wrk = m["app"], m["bare"], m["wrk"]
    ms = app["startup_ms"]
    rows = [
        (t["startup"],
         f"{statistics.median(ms):.0f} (min {min(ms):.0f}, max {max(ms):.0f})",
         t["startup_bare"].format(ms=f"{statistics.median(bare['startup_ms']):.0f}")),
        (t["rss_idle"], _mib(statistics.median(app["rss_kib"])),
         t["rss_bare"].format(mib=_mib(statistics.median(bare["rss_kib"])))),
    ]
    if m["rss_after_kib"] is not None:
        rows.append((t["rss_load"], _mib(m["rss_after_kib"]), "—"))
    b = wrk["bare"]
    rows += [
        (t["rps"].format(route=t["bare"]), _rps_cell(b, t), t["baseline"]),
        (t["latency"].format(route=t["bare"]), _latency(b), t["baseline"]),
    ]
    for name in SIGNED_IN_ROUTES:
        rows += _route_rows(t[name], wrk[name], b, t, target=False)
    for name, w in m["wrk_postgresql"].items():
        rows += _route_rows(t["on_postgresql"].format(route=t[name]), w, b, t, target=name != "signin")
    return rows


def _route_rows(route: str, w: dict, b: dict, t: dict, target: bool) -> list[tuple[str, str, str]]:
    share = 100 * w["rps"] / b["rps"] if b["rps"] else 0
    limit = t["share"].format(share=f"{share:.1f}", rps=_rps(b["rps"]))
    if target:
        verdict = t["met"] if share >= SIGNED_IN_SHARE_TARGET else t["not_met"]
        limit = t["share_target"].format(share=f"{share:.1f}", rps=_rps(b["rps"]), verdict=verdict)
    return [
        (t["rps"].format(route=route), _rps_cell(w, t), limit),
        (t["latency"].format(route=route), _latency(w), t["bare_latency"].format(lat=_latency(b))),
    ]


def http_table(results: Path, lang: str = "en") -> list[str]:
    return markdown_table(http_rows(load_results(results), TEXT[lang]), TEXT[lang]["header"])


def markdown_table(rows: list[tuple[str, str, str]], header: str) -> list[str]:
    return [header, "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)]


# ---- SVG chart (language-neutral: route names and numbers only) ----

CHART_ROUTES = (
    ("bare", "Vapor GET /"), ("signin", "GET /signin"), ("dashboard", "GET /dashboard"), ("inbox", "GET /inbox"))


def http_chart_svg(sqlite: dict, postgresql: dict) -> str:
    """Horizontal bars of req/s per route, with p99 (ms) in a column on the right."""
    wrk = dict(sqlite) | {f"{name}-postgresql": w for name, w in postgresql.items()}
    routes = CHART_ROUTES + tuple((f"{name}-postgresql", f"{label}, PostgreSQL") for name, label in CHART_ROUTES if name in postgresql)
    width, label_w, bar_x, bar_max, p99_x = 760, 230, 240, 300, 744
    top, row_h, bar_h = 72, 40, 24
    height = top + row_h * len(routes) + 12
    peak = max(wrk[name]["rps"] for name, _ in routes) or 1
    title = "HTTP: req/s, p99 (ms)"
    summary = "; ".join(f"{label}: {_rps(wrk[name]['rps'])} req/s, p99 {wrk[name]['p99_ms']:.2f} ms"
                        for name, label in routes)
    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"'
        ' font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">',
        f'<title id="chart-title">{esc(title)}</title>',
        f'<desc id="chart-desc">{esc(summary)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="30" font-size="18" font-weight="600" fill="#1f2933">{esc(title)}</text>',
        f'<text x="{bar_x}" y="58" font-size="13" fill="#52606d">req/s</text>',
        f'<text x="{p99_x}" y="58" font-size="13" fill="#52606d" text-anchor="end">p99 (ms)</text>',
        f'<line x1="{bar_x}" y1="{top - 6}" x2="{bar_x}" y2="{height - 12}" stroke="#9aa5b1"/>',
    ]
    for i, (name, label) in enumerate(routes):
        w = wrk[name]
        y = top + i * row_h
        text_y = y + bar_h / 2 + 5
        bar_w = max(1.0, bar_max * w["rps"] / peak)
        out += [
            f'<text x="{label_w}" y="{text_y}" font-size="14" fill="#1f2933"'
            f' text-anchor="end">{esc(label)}</text>',
            f'<rect x="{bar_x}" y="{y}" width="{bar_w:.1f}" height="{bar_h}" fill="#7b8794"/>',
            f'<text x="{bar_x + bar_w + 8:.1f}" y="{text_y}" font-size="14"'
            f' fill="#1f2933">{_rps(w["rps"])}</text>',
            f'<text x="{p99_x}" y="{text_y}" font-size="14" fill="#1f2933"'
            f' text-anchor="end">{w["p99_ms"]:.2f} ms</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- writing the documents ----

def run_info(command: str) -> dict:
    """What the section says about the run, the same for every language."""
    return {
        "now": datetime.datetime.now(datetime.timezone.utc),
        "cpu": _cpu_model(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "command": command,
    }


def section_body(section: str, table: list[str], t: dict, run: dict, chart: str, load: str | None = None) -> list[str]:
    return [
        f"## {section}",
        "",
        f"- {t['date']}: {run['now']:%Y-%m-%d %H:%M UTC}",
        f"- {t['machine']}: {t['cores'].format(n=os.cpu_count(), cpu=run['cpu'])}",
        f"- {t['commit']}: {run['commit']}{t['dirty'] if run['dirty'] else ''}",
        f"- {t['command']}: `{run['command']}`",
        f"- {load or t['load']}",
        "",
        *table,
        "",
        f"![{t[{'jobs': 'jobs_chart_alt', 'webhook': 'webhook_chart_alt', 'inbox': 'inbox_chart_alt'}.get(section, 'chart_alt')]}]({chart})",
        "",
    ]


def with_language_link(lines: list[str], t: dict) -> list[str]:
    """Makes sure the line linking to the other language sits right under the title."""
    if t["other"] in (l.strip() for l in lines):
        return lines
    title = next((i for i, l in enumerate(lines) if l.startswith("# ")), None)
    if title is None:
        return [t["title"], "", t["other"], "", *lines]
    return lines[:title + 1] + ["", t["other"]] + lines[title + 1:]


def replace_section(text: str, section: str, body: list[str]) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == f"## {section}"), None)
    if start is None:
        return lines + ([""] if lines and lines[-1].strip() else []) + body
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[:start] + body + lines[end:]


def write_section(out: Path, section: str, body: list[str], t: dict) -> None:
    text = out.read_text() if out.exists() else f"{t['title']}\n\n{t['other']}\n\n{t['intro']}\n"
    lines = with_language_link(replace_section(text, section, [in_language(line, t) for line in body]), t)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines).rstrip("\n") + "\n")


def language_paths(out: Path) -> dict[str, Path]:
    """docs/benchmarks.md -> {"en": docs/benchmarks.md, "nl": docs/benchmarks.nl.md}"""
    return {"en": out, "nl": out.with_name(f"{out.stem}.nl{out.suffix}")}


def jobs_rows(sqlite: dict, pg: dict, t: dict) -> list[tuple[str, str, str, str]]:
    def share(m: dict) -> str:
        return f"{100 * m['enqueuePerSecond'] / m['rawInsertRowsPerSecond']:.0f}"
    def lat(m: dict) -> str:
        return f"{m['latencyP50Milliseconds']:.1f} / {m['latencyP99Milliseconds']:.1f} / {m['latencyMaxMilliseconds']:.1f}"
    return [
        (t["raw_insert"], _rps(sqlite["rawInsertRowsPerSecond"]), _rps(pg["rawInsertRowsPerSecond"]), t["raw_limit"]),
        (t["enqueue"], _rps(sqlite["enqueuePerSecond"]), _rps(pg["enqueuePerSecond"]), t["of_raw"].format(sqlite=share(sqlite), pg=share(pg))),
        (t["processed"], _rps(sqlite["processedPerSecond"]), _rps(pg["processedPerSecond"]), t["processed_target"]),
        (t["job_latency"], lat(sqlite), lat(pg), t["latency_target"]),
    ]


def jobs_chart_svg(sqlite: dict, pg: dict, t: dict) -> str:
    """Horizontal bars: enqueue and processing rates on both databases, with the 5,000/s target."""
    bars = [
        (t["bar_enqueue"].format(db="SQLite"), sqlite["enqueuePerSecond"], "#6b7a8c"),
        (t["bar_enqueue"].format(db="PostgreSQL"), pg["enqueuePerSecond"], "#6b7a8c"),
        (t["bar_processed"].format(db="SQLite"), sqlite["processedPerSecond"], "#0b6e4f"),
        (t["bar_processed"].format(db="PostgreSQL"), pg["processedPerSecond"], "#0b6e4f"),
    ]
    width, left, bar_h, gap, top = 760, 190, 26, 12, 44
    scale = (width - left - 110) / max(max(v for _, v, _ in bars), 5000)
    height = top + len(bars) * (bar_h + gap) + 30
    desc = "; ".join(f"{label}: {value:,.0f}/s" for label, value, _ in bars)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d">',
        f'<title id="t">{html.escape(t["jobs_chart_title"])}</title>',
        f'<desc id="d">{html.escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-family="sans-serif" font-size="16" font-weight="bold" fill="#1b2430">{html.escape(t["jobs_chart_title"])}</text>',
    ]
    for i, (label, value, color) in enumerate(bars):
        y = top + i * (bar_h + gap)
        w = max(1, value * scale)
        out += [
            f'<text x="{left - 10}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" font-family="sans-serif" font-size="14" fill="#1b2430">{html.escape(label)}</text>',
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>',
            f'<text x="{left + w + 8:.1f}" y="{y + bar_h * 0.7:.0f}" font-family="sans-serif" font-size="14" fill="#1b2430">{value:,.0f}</text>',
        ]
    target_x = left + 5000 * scale
    out += [
        f'<line x1="{target_x:.1f}" y1="{top - 6}" x2="{target_x:.1f}" y2="{height - 22}" stroke="#b3261e" stroke-dasharray="4 3"/>',
        f'<text x="{target_x:.1f}" y="{height - 8}" text-anchor="middle" font-family="sans-serif" font-size="12" fill="#b3261e">5,000/s</text>',
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def cmd_report_jobs(args) -> None:
    results = Path(args.results)
    sqlite = json.loads((results / "jobs-sqlite.json").read_text())
    pg = json.loads((results / "jobs-postgresql.json").read_text())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    run = run_info(args.command)
    for lang, path in language_paths(out).items():
        t = TEXT[lang]
        # One chart per language: its labels are words.
        chart = out.with_name(f"{out.stem}-jobs{'' if lang == 'en' else '.' + lang}.svg")
        write_chart(chart, jobs_chart_svg(sqlite, pg, t), t)
        table = [t["jobs_header"], "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in jobs_rows(sqlite, pg, t)]
        load = t["load_jobs"].format(count=f"{sqlite['count']:,}", concurrency=sqlite["concurrency"], pg=pg_settings(Path(args.results), t))
        body = section_body("jobs", table, t, run, chart.name, load=load)
        write_section(path, "jobs", body, t)
        if lang == "en":
            print("\n".join(body))


def pg_settings(results: Path, t: dict) -> str:
    """How durable the run's PostgreSQL was, from `postgresql-settings.txt` (written by scripts/bench)."""
    path = results / "postgresql-settings.txt"
    if not path.exists():
        return t["pg_unknown"]
    values = dict(part.split("=", 1) for part in path.read_text().split())
    words = {"on": "on", "off": "off"} if t is TEXT["en"] else {"on": "aan", "off": "uit"}
    return t["pg_settings"].format(fsync=words.get(values.get("fsync", "?"), values.get("fsync", "?")),
                                   sync=words.get(values.get("synchronous_commit", "?"), values.get("synchronous_commit", "?")))


# ---- webhook ----

# The original target: the paced 4,000/s run.
WEBHOOK_TARGET_EPS = 4000
WEBHOOK_TARGET_P99_MS = 250
# Issue 19's target for the search's sustained rate on PostgreSQL: 8,000/s when bare Vapor serves
# 20,000 req/s or more, and at least 30 % of bare Vapor's rate in any run; with acknowledgement p99
# under 125 ms and processing at most 1 s behind.
WEBHOOK_SUSTAINED_EPS = 8000
WEBHOOK_SUSTAINED_BARE_RPS = 20000
WEBHOOK_SUSTAINED_SHARE = 0.30
WEBHOOK_SUSTAINED_P99_MS = 125
WEBHOOK_SUSTAINED_BEHIND_MS = 1000


def load_webhook(results: Path) -> dict:
    """Reads what `scripts/bench webhook` leaves in RESULTS: per database the wrk run and the JSON
    lines of `adsapp-bench webhook` (prepare, drain, raw insert), the search's steps, the pgbench run, and
    the bare route's wrk run."""
    out = {"bare": parse_wrk((results / "wrk-bare.txt").read_text())}
    for db in ("sqlite", "postgresql"):
        wrk_text = (results / f"wrk-webhook-{db}.txt").read_text()
        rss = results / f"webhook-{db}-rss.txt"
        out[db] = {
            "wrk": parse_wrk(wrk_text),
            "unpaced": parse_wrk((results / f"wrk-webhook-{db}-unpaced.txt").read_text()),
            "reused": "bodies ran out" in wrk_text,
            "prepare": json.loads((results / f"webhook-{db}-prepare.json").read_text()),
            "drain": json.loads((results / f"webhook-{db}-drain.json").read_text()),
            "raw": json.loads((results / f"webhook-{db}-raw.json").read_text()),
            "rss_kib": int(rss.read_text()) if rss.exists() else None,
            "search": _json_if_exists(results / f"webhook-{db}-search.json"),
        }
    pgbench = results / "webhook-postgresql-pgbench.txt"
    out["pgbench"] = parse_pgbench(pgbench.read_text()) if pgbench.exists() else None
    return out


def _json_if_exists(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def webhook_verdict(m: dict, t: dict) -> str:
    misses = []
    # wrk paces in whole milliseconds: within 1 % of the offered rate is all of it.
    if m["wrk"]["rps"] < 0.99 * WEBHOOK_TARGET_EPS:
        misses.append(t["miss_ack"].format(n=_rps(m["wrk"]["rps"])))
    if m["drain"]["backlogAtStart"] > WEBHOOK_TARGET_EPS:
        misses.append(t["miss_backlog"].format(n=_rps(m["drain"]["backlogAtStart"])))
    if m["wrk"]["p99_ms"] >= WEBHOOK_TARGET_P99_MS:
        misses.append(t["miss_p99"].format(ms=f"{m['wrk']['p99_ms']:.0f}"))
    if m["wrk"]["non_2xx"] or m["wrk"]["socket_errors"] or m["drain"]["failed"]:
        misses.append("errors")
    return f"**{t['yes']}**" if not misses else f"**{t['no']}** ({', '.join(misses)})"


def webhook_criteria(found: dict | None, t: dict) -> str:
    """The search's pass conditions as it ran them; a search from before the lag condition has no
    `behind_limit_ms`."""
    if found is None:
        found = {"p99_limit_ms": WEBHOOK_SUSTAINED_P99_MS, "behind_limit_ms": WEBHOOK_SUSTAINED_BEHIND_MS}
    p99 = found.get("p99_limit_ms")
    p99_text = f"{p99:g}" if p99 is not None else "—"
    behind = found.get("behind_limit_ms")
    if behind is None:
        return t["wh_criteria_old"].format(p99=p99_text)
    return t["wh_criteria"].format(p99=p99_text, behind=f"{behind / 1000:g}")


def webhook_sustained_target(bare_rps: float, t: dict) -> tuple[float, str]:
    """Issue 19's sustained rate for this run's bare Vapor rate, and the cell saying which rule set it."""
    share = WEBHOOK_SUSTAINED_SHARE * bare_rps
    if bare_rps < WEBHOOK_SUSTAINED_BARE_RPS:
        return share, t["wh_target_share"].format(bare=_rps(bare_rps), target=_rps(share))
    if share > WEBHOOK_SUSTAINED_EPS:
        return share, t["wh_target_share_high"].format(bare=_rps(bare_rps), target=_rps(share))
    return WEBHOOK_SUSTAINED_EPS, t["wh_target_fixed"].format(bare=_rps(bare_rps))


def webhook_sustained_verdict(found: dict, target: float, t: dict) -> str:
    """Met only by a search whose limits were at least as strict as the issue's."""
    p99, behind = found.get("p99_limit_ms"), found.get("behind_limit_ms")
    if p99 is None or behind is None or p99 > WEBHOOK_SUSTAINED_P99_MS or behind > WEBHOOK_SUSTAINED_BEHIND_MS:
        return t["wh_target_unknown"]
    return t["wh_target_met"] if found["sustained"] >= target else t["wh_target_missed"]


def webhook_rows(w: dict, t: dict) -> list[tuple[str, str, str, str]]:
    sq, pg, bare = w["sqlite"], w["postgresql"], w["bare"]

    def ack(m: dict) -> str:
        cell = _rps_cell(m["wrk"], t)
        return cell + (" (**bodies reused**)" if m["reused"] else "")

    def share(m: dict) -> str:
        return f"{100 * m['unpaced']['rps'] / m['raw']['rawInsertEventsPerSecond']:.0f}"

    def most(m: dict) -> str:
        return f"{_rps(m['unpaced']['rps'])}; {m['unpaced']['p99_ms']:.0f}"

    def backlog(m: dict) -> str:
        return f"{m['drain']['backlogAtStart']:,} / {m['drain']['drainSeconds']:.1f}"

    def e2e(m: dict) -> str:
        d = m["drain"]
        return f"{d['receivedToProcessedP50Milliseconds']:,.0f} / {d['receivedToProcessedP99Milliseconds']:,.0f}"

    def counts(m: dict) -> str:
        d = m["drain"]
        notes = f" (**{d['withNotes']} with notes**)" if d["withNotes"] else ""
        return f"{d['events']:,} / {d['processed']:,} / {d['failed']:,}{notes}"

    def rss(m: dict) -> str:
        return _mib(m["rss_kib"]) if m["rss_kib"] is not None else "—"

    def sustained(m: dict) -> str:
        found = m["search"]
        if found is None:
            return "—"
        if not found["sustained"]:
            return t["wh_below"].format(n=_rps(min(step["offered"] for step in found["steps"])))
        return _rps(found["sustained"])

    pgbench = w.get("pgbench")
    pgbench_tps = _rps(pgbench["tps"]) if pgbench else "—"
    pgbench_share = (f"{100 * pg['search']['sustained'] / pgbench['tps']:.0f}"
                     if pgbench and pg.get("search") and pgbench["tps"] else "—")
    target, target_cell = webhook_sustained_target(bare["rps"], t)
    sustained_pg = sustained(pg)
    if pg["search"] is not None:
        sustained_pg += f" ({webhook_sustained_verdict(pg['search'], target, t)})"
    searched = pg["search"] or sq["search"]

    return [
        (t["wh_ack"], ack(sq), ack(pg), t["wh_ack_limit"]),
        (t["wh_latency"], _latency(sq["wrk"]), _latency(pg["wrk"]), t["wh_latency_limit"].format(lat=_latency(bare))),
        (t["wh_processed"], _rps(sq["drain"]["processedPerSecond"]), _rps(pg["drain"]["processedPerSecond"]), "—"),
        (t["wh_backlog"], backlog(sq), backlog(pg), t["wh_backlog_target"]),
        (t["wh_e2e"], e2e(sq), e2e(pg), "—"),
        (t["wh_counts"], counts(sq), counts(pg), t["wh_counts_note"]),
        (t["wh_max"], most(sq), most(pg), t["wh_max_limit"].format(rps=_rps(bare["rps"]))),
        (t["wh_raw"], _rps(sq["raw"]["rawInsertEventsPerSecond"]), _rps(pg["raw"]["rawInsertEventsPerSecond"]),
         t["wh_raw_limit"].format(sqlite=share(sq), pg=share(pg))),
        (t["wh_sustained"].format(criteria=webhook_criteria(searched, t)), sustained(sq), sustained_pg,
         f"{target_cell}; {t['wh_sustained_limit'].format(pgbench=pgbench_tps)}"),
        (t["wh_pgbench"], "—", pgbench_tps, t["wh_pgbench_limit"].format(share=pgbench_share)),
        (t["wh_rss"], rss(sq), rss(pg), "—"),
        (t["wh_verdict"], webhook_verdict(sq, t), webhook_verdict(pg, t), "—"),
    ]


def webhook_steps(w: dict, t: dict) -> list[str]:
    """Every step of each database's search, one list item per database."""
    lines = []
    for db, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        found = w[db]["search"]
        if not found:
            continue
        steps = "; ".join(
            f"{_rps(s['offered'])} → {_rps(s['acknowledged'])}, {s['p99_ms']:.0f} / {_behind(s)} ms:"
            f" {t['pass'] if s['passed'] else t['fail']}"
            + (f" ({t['reused']})" if s["bodies_reused"] else "")
            for s in found["steps"])
        lines.append(f"- {t['wh_steps'].format(db=name)} {steps}")
    return [""] + lines if lines else []


def _behind(step: dict) -> str:
    """A step's received to processed p99; steps from before it was recorded have none."""
    behind = step.get("received_to_processed_p99_ms")
    return f"{behind:,.0f}" if behind is not None else "—"


def webhook_chart_svg(w: dict, t: dict) -> str:
    """Horizontal bars per database: acknowledged, processed and plain-INSERT rates, with the 4,000/s target."""
    bars = []
    for db, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        m = w[db]
        bars += [
            (t["bar_ack"].format(db=name), m["wrk"]["rps"], "#6b7a8c"),
            (t["bar_wh_processed"].format(db=name), m["drain"]["processedPerSecond"], "#0b6e4f"),
            (t["bar_wh_max"].format(db=name), m["unpaced"]["rps"], "#8da2bb"),
            (t["bar_raw"].format(db=name), m["raw"]["rawInsertEventsPerSecond"], "#c5ccd6"),
        ]
    width, left, bar_h, gap, top = 760, 210, 22, 8, 44
    scale = (width - left - 110) / max(max(v for _, v, _ in bars), WEBHOOK_TARGET_EPS)
    height = top + len(bars) * (bar_h + gap) + 12 + 30
    desc = "; ".join(f"{label}: {value:,.0f}/s" for label, value, _ in bars)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d">',
        f'<title id="t">{html.escape(t["webhook_chart_title"])}</title>',
        f'<desc id="d">{html.escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-family="sans-serif" font-size="16" font-weight="bold" fill="#1b2430">{html.escape(t["webhook_chart_title"])}</text>',
    ]
    for i, (label, value, color) in enumerate(bars):
        y = top + i * (bar_h + gap) + (12 if i >= 4 else 0)
        bw = max(1, value * scale)
        out += [
            f'<text x="{left - 10}" y="{y + bar_h * 0.72:.0f}" text-anchor="end" font-family="sans-serif" font-size="14" fill="#1b2430">{html.escape(label)}</text>',
            f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="{color}"/>',
            f'<text x="{left + bw + 8:.1f}" y="{y + bar_h * 0.72:.0f}" font-family="sans-serif" font-size="14" fill="#1b2430">{value:,.0f}</text>',
        ]
    target_x = left + WEBHOOK_TARGET_EPS * scale
    out += [
        f'<line x1="{target_x:.1f}" y1="{top - 6}" x2="{target_x:.1f}" y2="{height - 22}" stroke="#b3261e" stroke-dasharray="4 3"/>',
        f'<text x="{target_x:.1f}" y="{height - 8}" text-anchor="middle" font-family="sans-serif" font-size="12" fill="#b3261e">4,000/s</text>',
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def cmd_report_webhook(args) -> None:
    w = load_webhook(Path(args.results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    run = run_info(args.command)
    prepared = w["sqlite"]["prepare"]
    for lang, path in language_paths(out).items():
        t = TEXT[lang]
        chart = out.with_name(f"{out.stem}-webhook{'' if lang == 'en' else '.' + lang}.svg")
        write_chart(chart, webhook_chart_svg(w, t), t)
        table = [t["webhook_header"], "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in webhook_rows(w, t)]
        table += webhook_steps(w, t)
        searched = w["postgresql"]["search"] or w["sqlite"]["search"]
        load = t["load_webhook"].format(avg=prepared["averageBodyBytes"], contacts=f"{prepared['contacts']:,}",
                                        pg=pg_settings(Path(args.results), t), criteria=webhook_criteria(searched, t),
                                        step=(searched or {}).get("seconds_per_step", "—"))
        body = section_body("webhook", table, t, run, chart.name, load=load)
        write_section(path, "webhook", body, t)
        if lang == "en":
            print("\n".join(body))


# ---- inbox ----

# Issue 19's targets (p99, ms) on PostgreSQL with fsync and synchronous_commit on: half of the
# original ones, and 10,000 sockets (live_large), which had none.
INBOX_TARGETS_MS = {"list": 10, "page": 10, "thread": 10, "search": 25, "live": 50, "live_large": 100}
INBOX_ORIGINAL_TARGETS_MS = {"list": 20, "page": 20, "thread": 20, "search": 50, "live": 100}
# The sockets each live target is for: a run with fewer cannot meet it.
INBOX_LIVE_SOCKETS = {"live": 2000, "live_large": 10000}


def load_inbox(results: Path) -> dict:
    """Reads what `scripts/bench inbox` leaves in RESULTS: the wrk runs per request kind, the bare
    route's, the seed and the live measurements of `adsapp-bench inbox`."""
    out = {"bare": parse_wrk((results / "wrk-bare.txt").read_text())}
    for kind in ("list", "page", "thread", "search"):
        out[kind] = parse_wrk((results / f"wrk-inbox-{kind}.txt").read_text())
    out["seed"] = json.loads((results / "inbox-seed.json").read_text())
    out["live"] = json.loads((results / "inbox-live.json").read_text())
    # Runs from before issue 19's 10,000 sockets have no such file, runs before 2026-12-08 no
    # one-organization run and no other organizations (an empty file: that run failed).
    out["live_large"] = optional_json(results / "inbox-live-large.json")
    out["live_one_org"] = optional_json(results / "inbox-live-one-org.json")
    others = results / "other-cookies.txt"
    out["other_organizations"] = len(others.read_text().split()) if others.exists() else 0
    out["searches"] = len((results / "search.paths").read_text().split())
    return out


def optional_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() and path.read_text().strip() else None


def connected_sockets(live: dict) -> int:
    """A live run's sockets: the organization's and the other organizations'."""
    return live["sockets"] + live.get("otherSockets", 0)


def inbox_live_verdict(live: dict | None, kind: str, t: dict) -> str:
    """The verdict on a live run: met only with all its sockets connected, every delivery, nothing
    heard by another organization's sockets and p99 under target."""
    if live is None:
        return t["ib_not_measured"]
    if connected_sockets(live) < INBOX_LIVE_SOCKETS[kind]:
        return t["ib_too_few_sockets"].format(sockets=f"{INBOX_LIVE_SOCKETS[kind]:,}")
    if live["received"] < live["expected"] or live.get("heardByOthers", 0) or live["p99Milliseconds"] >= INBOX_TARGETS_MS[kind]:
        return t["ib_missed"]
    return t["ib_met"]


def inbox_rows(m: dict, t: dict) -> list[tuple[str, str, str, str]]:
    def target(kind: str, verdict: str) -> str:
        original = INBOX_ORIGINAL_TARGETS_MS.get(kind)
        text = t["ib_target"] if original else t["ib_target_new"]
        return f"{text.format(ms=INBOX_TARGETS_MS[kind], original=original)}: {verdict}"

    def wrk_row(kind: str, label: str) -> tuple[str, str, str, str]:
        w = m[kind]
        errors = (f"; {t['non_2xx'].format(n=w['non_2xx'])}" if w["non_2xx"] else "") + \
                 (f"; {t['socket_errors'].format(n=w['socket_errors'])}" if w["socket_errors"] else "")
        verdict = t["ib_met"] if w["p99_ms"] < INBOX_TARGETS_MS[kind] else t["ib_missed"]
        return (t[label].format(rps=_rps(w["rps"])), f"{w['p50_ms']:.1f} / {w['p99_ms']:.1f}{errors}",
                target(kind, verdict), t["ib_bare"].format(lat=_latency(m["bare"])))

    def first(live: dict) -> str:
        # Runs from before 2026-12-08 did not measure the first socket.
        if "firstP99Milliseconds" not in live:
            return "—"
        return t["ib_first"].format(p50=live["firstP50Milliseconds"], p99=live["firstP99Milliseconds"])

    def counts(live: dict) -> dict:
        return {"received": f"{live['received']:,}", "expected": f"{live['expected']:,}", "sockets": f"{live['sockets']:,}"}

    def latencies(live: dict) -> str:
        return f"{live['p50Milliseconds']:.1f} / {live['p99Milliseconds']:.1f}"

    def live_label(live: dict) -> str:
        if live.get("otherSockets"):
            return t["ib_live_connected"].format(connected=f"{connected_sockets(live):,}", others_heard=live["heardByOthers"], **counts(live))
        return t["ib_live"].format(**counts(live))

    def live_row(kind: str) -> tuple[str, str, str, str]:
        live = m[kind]
        verdict = inbox_live_verdict(live, kind, t)
        if live is None:
            return (t["ib_live_unmeasured"].format(sockets=f"{INBOX_LIVE_SOCKETS[kind]:,}"), t["ib_not_measured"],
                    target(kind, verdict), "—")
        return (live_label(live), latencies(live), target(kind, verdict), first(live))

    rows = [
        wrk_row("list", "ib_list"),
        wrk_row("page", "ib_page"),
        wrk_row("thread", "ib_thread"),
        wrk_row("search", "ib_search"),
        live_row("live"),
        live_row("live_large"),
    ]
    worst = m["live_one_org"]
    if worst:
        rows.append((t["ib_live_one_org"].format(**counts(worst)), latencies(worst), t["ib_no_target_worst"], first(worst)))
    return rows


def inbox_chart_svg(m: dict, t: dict) -> str:
    """Horizontal bars: p99 per request kind, each beside its own target mark (a live run not
    measured has the mark only)."""
    rows = [(t[key].split(" (")[0].split(",")[0], m[kind]["p99_ms"], INBOX_TARGETS_MS[kind], m[kind]["p99_ms"] < INBOX_TARGETS_MS[kind])
            for kind, key in (("list", "ib_list"), ("page", "ib_page"), ("thread", "ib_thread"), ("search", "ib_search"))]
    for kind in ("live", "live_large"):
        live = m[kind]
        sockets = connected_sockets(live) if live else INBOX_LIVE_SOCKETS[kind]
        rows.append((t["ib_chart_live"].format(sockets=f"{sockets:,}"), live["p99Milliseconds"] if live else None,
                     INBOX_TARGETS_MS[kind], inbox_live_verdict(live, kind, t) == t["ib_met"]))
    width, left, bar_h, gap, top = 760, 230, 24, 14, 44
    scale = (width - left - 90) / max(max(v for _, v, _, _ in rows if v is not None), max(target for _, _, target, _ in rows))
    height = top + len(rows) * (bar_h + gap) + 16
    desc = "; ".join(f"{label}: {f'p99 {value:.1f} ms' if value is not None else t['ib_not_measured']}, target {target} ms"
                     for label, value, target, _ in rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d">',
        f'<title id="t">{html.escape(t["inbox_chart_title"])}</title>',
        f'<desc id="d">{html.escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-family="sans-serif" font-size="16" font-weight="bold" fill="#1b2430">{html.escape(t["inbox_chart_title"])}</text>',
    ]
    for i, (label, value, target, met) in enumerate(rows):
        y = top + i * (bar_h + gap)
        tx = left + target * scale
        out.append(f'<text x="{left - 10}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" font-family="sans-serif" font-size="14" fill="#1b2430">{html.escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{left + 8}" y="{y + bar_h * 0.7:.0f}" font-family="sans-serif" font-size="14" fill="#52606d">{html.escape(t["ib_not_measured"])}</text>')
        else:
            bw = max(1, value * scale)
            out += [
                f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="{"#0b6e4f" if met else "#b3261e"}"/>',
                f'<text x="{left + bw + 8:.1f}" y="{y + bar_h * 0.7:.0f}" font-family="sans-serif" font-size="14" fill="#1b2430">{value:.1f}</text>',
            ]
        out.append(f'<line x1="{tx:.1f}" y1="{y - 4}" x2="{tx:.1f}" y2="{y + bar_h + 4}" stroke="#1b2430" stroke-width="2" stroke-dasharray="3 2"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def inbox_large_load(m: dict, t: dict) -> str:
    """The load line's part on the 10,000-socket runs. Before 2026-12-08 the 10,000-socket run had
    every socket in the one organization: it is described as the worst case."""
    large, worst = m["live_large"], m["live_one_org"]
    text = ""
    if large and large.get("otherSockets"):
        text += t["load_inbox_large"].format(sockets=f"{connected_sockets(large):,}", others=f"{large['otherSockets']:,}",
                                             organizations=m["other_organizations"])
    else:
        worst = worst or large
    if worst:
        text += t["load_inbox_one_org"].format(sockets=f"{worst['sockets']:,}")
    return text


def cmd_report_inbox(args) -> None:
    m = load_inbox(Path(args.results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    run = run_info(args.command)
    for lang, path in language_paths(out).items():
        t = TEXT[lang]
        chart = out.with_name(f"{out.stem}-inbox{'' if lang == 'en' else '.' + lang}.svg")
        write_chart(chart, inbox_chart_svg(m, t), t)
        table = [t["inbox_header"], "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in inbox_rows(m, t)]
        load = t["load_inbox"].format(
            conversations=f"{m['seed']['conversations']:,}", messages=f"{m['seed']['messages']:,}",
            seed=m["seed"]["seedSeconds"], searches=m["searches"], sockets=f"{m['live']['sockets']:,}",
            posted=m["live"]["messages"], pg=pg_settings(Path(args.results), t),
            large=inbox_large_load(m, t),
        )
        body = section_body("inbox", table, t, run, chart.name, load=load)
        write_section(path, "inbox", body, t)
        if lang == "en":
            print("\n".join(body))


def cmd_report(args) -> None:
    if args.section == "jobs":
        return cmd_report_jobs(args)
    if args.section == "webhook":
        return cmd_report_webhook(args)
    if args.section == "inbox":
        return cmd_report_inbox(args)
    m = load_results(Path(args.results))
    out = Path(args.out)
    chart = out.with_name(f"{out.stem}-{args.section}.svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    chart.write_text(http_chart_svg(m["wrk"], m["wrk_postgresql"]))
    run = run_info(args.command)
    for lang, path in language_paths(out).items():
        t = TEXT[lang]
        table = markdown_table(http_rows(m, t), t["header"])
        body = section_body(args.section, table, t, run, chart.name, load=t["load"].format(pg=pg_settings(Path(args.results), t)))
        write_section(path, args.section, body, t)
        if lang == "en":
            print("\n".join(body))
    print(f"also wrote {language_paths(out)['nl']} and {chart}", file=sys.stderr)


def main() -> None:
    # So that `finally` blocks stop the servers we started when we are terminated.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command_name", required=True)
    p = sub.add_parser("startup")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--path", default="/health")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--out", required=True)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_startup)
    sub.add_parser("csrf").set_defaults(func=cmd_csrf)
    p = sub.add_parser("rss")
    p.add_argument("pid", type=int)
    p.set_defaults(func=cmd_rss)
    p = sub.add_parser("search")
    p.add_argument("--url", required=True)
    p.add_argument("--bodies", required=True)
    p.add_argument("--first", type=int, required=True)
    p.add_argument("--last", type=int, required=True)
    p.add_argument("--high-from", required=True)
    p.add_argument("--p99-ms", type=float, default=125)
    p.add_argument("--behind-ms", type=float, default=1000)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=512)
    p.add_argument("--out", required=True)
    p.add_argument("drain", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("report")
    p.add_argument("--results", required=True)
    p.add_argument("--section", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_report)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
