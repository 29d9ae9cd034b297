#!/usr/bin/env python3
"""Helpers for scripts/bench (standard library only).

  startup --runs N --path /health --out FILE -- CMD... ({port} in CMD is replaced)
      Starts CMD N times with a fresh DATA_DIR on a free loopback port, measures ms until the
      first 200 on PATH, then VmRSS after 2 s idle; stops it by PID. Writes JSON to FILE.
  csrf            Reads an HTML page on stdin, prints the value of the `_csrf` hidden input.
  rss PID         Prints VmRSS of PID in KiB.
  report --results DIR --section NAME --command CMD --out docs/benchmarks.md
      Writes the `## NAME` section of the benchmarks document from DIR's measurements.
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


def _wrk_cells(w: dict) -> tuple[str, str]:
    warn = []
    if w["non_2xx"]:
        warn.append(f"{w['non_2xx']} non-2xx/3xx")
    if w["socket_errors"]:
        warn.append(f"{w['socket_errors']} socket errors")
    rps = f"{w['rps']:,.0f}" + (f" (**{', '.join(warn)}**)" if warn else "")
    return rps, f"{w['p50_ms']:.2f} / {w['p99_ms']:.2f}"


def http_table(results: Path) -> list[str]:
    app = json.loads((results / "startup-app.json").read_text())
    bare = json.loads((results / "startup-bare.json").read_text())
    wrk = {name: parse_wrk((results / f"wrk-{name}.txt").read_text())
           for name in ("bare", "signin", "dashboard")}

    def mib(kib: float) -> str:
        return f"{kib / 1024:.1f}"

    rows = [
        ("start-up to first 200 on `/health` (ms, median of 5)",
         f"{statistics.median(app['startup_ms']):.0f} (min {min(app['startup_ms']):.0f}, max {max(app['startup_ms']):.0f})",
         f"bare Vapor app to first 200 on `/`: {statistics.median(bare['startup_ms']):.0f}"),
        ("RSS 2 s idle after start-up (MiB, median of 5)", mib(statistics.median(app["rss_kib"])),
         f"bare Vapor app: {mib(statistics.median(bare['rss_kib']))}"),
    ]
    if (results / "rss-after-load.txt").exists():
        rows.append(("RSS after the wrk runs (MiB)",
                     mib(int((results / "rss-after-load.txt").read_text())), "—"))
    b_rps, b_lat = _wrk_cells(wrk["bare"])
    rows += [
        ("bare Vapor `GET /` req/s", b_rps, "(baseline)"),
        ("bare Vapor `GET /` p50 / p99 (ms)", b_lat, "(baseline)"),
    ]
    for name, label in (("signin", "`GET /signin` (anonymous)"), ("dashboard", "`GET /dashboard` (signed in)")):
        rps, lat = _wrk_cells(wrk[name])
        share = 100 * wrk[name]["rps"] / wrk["bare"]["rps"] if wrk["bare"]["rps"] else 0
        rows += [
            (f"{label} req/s", rps, f"{share:.1f} % of bare ({wrk['bare']['rps']:,.0f})"),
            (f"{label} p50 / p99 (ms)", lat, f"bare: {b_lat}"),
        ]
    lines = ["| measurement | value | limit / baseline (same run) |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return lines


def cmd_report(args) -> None:
    results = Path(args.results)
    commit = _git("rev-parse", "--short", "HEAD")
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    body = [
        f"## {args.section}",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- machine: {os.cpu_count()} cores, {_cpu_model()}",
        f"- commit: {commit}",
        f"- command: `{args.command}`",
        "- load: `wrk -t2 -c32 -d10s --latency` after a 2 s warm-up, on loopback; wrk and the server"
        " share the same cores. Release build, SQLite in a fresh DATA_DIR.",
        "",
        *http_table(results),
        "",
    ]
    out = Path(args.out)
    text = out.read_text() if out.exists() else (
        "# Benchmarks\n\nWritten by `scripts/bench NAME`; each run replaces its own section.\n")
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == f"## {args.section}"), None)
    if start is None:
        lines = lines + ([""] if lines and lines[-1].strip() else []) + body
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines = lines[:start] + body + lines[end:]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines).rstrip("\n") + "\n")
    print("\n".join(body))


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
