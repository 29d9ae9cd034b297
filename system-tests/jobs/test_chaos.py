"""Chaos tests of the durable job queue against a real PostgreSQL and real `adsapp worker` processes.

The diagnostics job (`diagnostics.record`) inserts a row into `job_diagnostics` in the same
transaction that marks its job succeeded, so the table proves how often each job completed.
"""

import signal
import time

import pytest

KIND = "kind = 'diagnostics.record'"


def _note(story: list[str], started: float, message: str) -> None:
    story.append(f"  {time.monotonic() - started:6.1f}s  {message}")


def _unfinished(db, workers) -> str:
    """The jobs that are not succeeded, with who holds them and how their lease looks."""
    names = {str(w.pid): f"{w.name} ({'alive' if w.alive() else 'exited ' + str(w.proc.returncode)})" for w in workers.started}
    now_us = "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
    rows = db.rows(f"SELECT id, state, attempts, coalesce(worker_id, '-'), "
                   f"coalesce(round(({now_us} - started_at) / 1e6, 1)::text, '-'), "
                   f"coalesce(round((lease_expires_at - {now_us}) / 1e6, 1)::text, '-'), coalesce(left(last_error, 60), '-') "
                   f"FROM jobs WHERE {KIND} AND state <> 'succeeded' ORDER BY state, started_at LIMIT 20")
    lines = []
    for job_id, state, attempts, worker_id, since, lease, error in rows:
        holder = names.get(worker_id.split(":")[1], worker_id) if worker_id.count(":") == 2 else worker_id
        lines.append(f"  {job_id} {state} attempts={attempts} worker={holder} started {since}s ago, "
                     f"lease expires in {lease}s, last error: {error}")
    return "\n".join(lines) or "  (none)"


def _wait_all_succeeded(db, workers, total: int, timeout: float, stall: float) -> None:
    """Waits until `total` diagnostics jobs succeeded; fails early when nothing moves for `stall` seconds."""
    __tracebackhide__ = True
    started = time.monotonic()
    last, last_change = -1, started
    while True:
        try:
            n = db.int(f"SELECT count(*) FROM jobs WHERE {KIND} AND state = 'succeeded'")
        except Exception:  # the database may be restarting
            n = None
        now = time.monotonic()
        if n == total:
            return
        if n is not None and n != last:
            last, last_change = n, now
        if now - last_change > stall or now - started > timeout:
            why = (f"no job finished for {stall:.0f}s" if now - last_change > stall else f"timed out after {timeout:.0f}s")
            pytest.fail(f"{why}: {last} of {total} jobs succeeded; {db.diagnostics_states()}\n"
                        f"unfinished jobs (a 'running' job whose lease keeps moving into the future is held by a live "
                        f"worker that never finishes it):\n{_unfinished(db, workers)}\n{workers.tails()}")
        time.sleep(0.25)


@pytest.mark.time_limit(480)
def test_every_job_completes_exactly_once_through_crashes(pg, app_db, workers, wait_until, summary):
    db = app_db
    total = 3000
    db.enqueue(total, 3, "chaos")
    assert db.diagnostics_states() == {"queued": total, "running": 0, "succeeded": 0, "dead": 0}

    def succeeded() -> int:
        return db.int(f"SELECT count(*) FROM jobs WHERE {KIND} AND state = 'succeeded'")

    def reach(fraction: float, timeout: float = 120) -> int:
        target = int(total * fraction)
        return wait_until(lambda: (n := succeeded()) >= target and n, timeout,
                          f"{target} of {total} jobs succeeded", workers, describe=db.diagnostics_states)

    def check_alive(*expected) -> None:
        for w in expected:
            if not w.alive():
                pytest.fail(f"{w.name} (pid {w.pid}) exited on its own with {w.proc.returncode}\n{workers.tails()}")

    env = {"JOBS_LEASE_SECONDS": "3", "JOBS_CONCURRENCY": "8"}
    story: list[str] = []
    started = time.monotonic()
    victim, *others = [workers.start(**env) for _ in range(3)]
    _note(story, started, f"3 workers started (pids {victim.pid}, {', '.join(str(w.pid) for w in others)})")

    # ~20%: SIGKILL a worker while it holds running jobs, start a replacement.
    n = reach(0.20)
    held_by_victim = f"SELECT id FROM jobs WHERE state = 'running' AND worker_id LIKE '{victim.id_pattern}'"
    wait_until(lambda: len(db.rows(held_by_victim)) >= 2, 10, f"{victim.name} runs at least 2 jobs", workers)
    victim.signal(signal.SIGKILL)
    assert victim.wait(10) == -signal.SIGKILL, f"{victim.name} did not die of SIGKILL"
    # What it still held when it died: only lease expiry can bring these back.
    held_ids = [row[0] for row in db.rows(held_by_victim)]
    replacement = workers.start(name="worker-replacement", **env)
    _note(story, started, f"at {n} succeeded: SIGKILL {victim.name} (pid {victim.pid}) in the middle of "
                          f"{len(held_ids)} job(s); started replacement pid {replacement.pid}")

    # ~45%: restart PostgreSQL (fast mode: every connection is dropped).
    n = reach(0.45)
    check_alive(*others, replacement)
    took = pg.restart()
    _note(story, started, f"at {n} succeeded: PostgreSQL restarted ({took:.1f}s)")

    # ~70%: kill every backend of the app database.
    n = reach(0.70)
    check_alive(*others, replacement)
    killed = wait_until(lambda: db.rows(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()") or [["none"]], 10,
        "pg_terminate_backend ran", workers)
    _note(story, started, f"at {n} succeeded: pg_terminate_backend on {sum(r[0] == 't' for r in killed)} backend(s)")

    _wait_all_succeeded(db, workers, total, timeout=240, stall=60)
    elapsed = time.monotonic() - started
    _note(story, started, f"all {total} succeeded")
    check_alive(*others, replacement)

    # The queue's books.
    states = db.diagnostics_states()
    assert states == {"queued": 0, "running": 0, "succeeded": total, "dead": 0}, f"job states: {states}"

    # Every job completed exactly once: one diagnostics row per job, none twice, none missing.
    rows, distinct = (int(x) for x in db.rows("SELECT count(*), count(DISTINCT job_id) FROM job_diagnostics")[0])
    twice = db.rows("SELECT job_id, count(*), string_agg(attempt::text, ',' ORDER BY attempt) "
                    "FROM job_diagnostics GROUP BY job_id HAVING count(*) > 1 LIMIT 10")
    missing = db.rows(f"SELECT id, state, attempts FROM jobs j WHERE {KIND} "
                      "AND NOT EXISTS (SELECT 1 FROM job_diagnostics d WHERE d.job_id = j.id) LIMIT 10")
    orphans = db.int("SELECT count(*) FROM job_diagnostics d WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.job_id)")
    assert not twice, f"jobs completed more than once (job_id, rows, attempts): {twice}"
    assert not missing, f"succeeded jobs without a diagnostics row (id, state, attempts): {missing}"
    assert orphans == 0, f"{orphans} diagnostics rows for jobs that do not exist"
    assert (rows, distinct) == (total, total), f"job_diagnostics: {rows} rows, {distinct} distinct job ids"
    # The completing attempt is the job's last one.
    mismatched = db.rows(f"SELECT j.id, j.attempts, d.attempt FROM jobs j JOIN job_diagnostics d ON d.job_id = j.id "
                         f"WHERE {KIND} AND d.attempt <> j.attempts LIMIT 10")
    assert not mismatched, f"diagnostics recorded by an attempt that is not the job's last (id, attempts, attempt): {mismatched}"

    # The jobs the killed worker was in the middle of came back by lease expiry, and then succeeded.
    if held_ids:
        in_list = ", ".join(f"'{i}'" for i in held_ids)
        recovered = db.int(f"SELECT count(DISTINCT job_id) FROM job_attempts WHERE error LIKE '%lease expired%' "
                           f"AND job_id IN ({in_list})")
        assert recovered == len(held_ids), \
            f"only {recovered} of the {len(held_ids)} jobs the killed worker held were recovered by lease expiry"

    # The story of the run.
    failed_attempts = db.rows("SELECT left(error, 70), count(*) FROM job_attempts GROUP BY 1 ORDER BY 2 DESC")
    retried = db.int(f"SELECT count(*) FROM jobs WHERE {KIND} AND attempts > 1")
    max_attempts = db.int(f"SELECT max(attempts) FROM jobs WHERE {KIND}")
    summary.append(f"test_every_job_completes_exactly_once_through_crashes: {total} jobs in {elapsed:.1f}s, "
                   f"each completed exactly once")
    summary.extend(story)
    summary.append(f"  failed attempts recorded in job_attempts: {sum(int(c) for _, c in failed_attempts)}"
                   f" ({retried} jobs needed more than one attempt, at most {max_attempts})")
    for error, count in failed_attempts:
        summary.append(f"    {count:>5} x {error}")
    summary.append(f"  the {len(held_ids)} job(s) the killed worker was running came back by lease expiry")
    for text in ("recovered jobs of a stopped worker", "lease was lost", "claiming jobs failed",
                 "renewing job leases failed", "recovering expired leases failed", "job notifications lost",
                 "job failed", "recording a job failure failed"):
        count = workers.count_in_logs(text)
        if count:
            summary.append(f"  worker logs: {count} x '{text}'")


@pytest.mark.time_limit(240)
def test_priorities_are_honoured_under_load(app_db, workers, wait_until, summary):
    db = app_db
    low, critical = 400, 20
    db.enqueue(low, 5, "low", "low")
    worker = workers.start(JOBS_CONCURRENCY="2")

    def count(priority: int, state: str = "succeeded") -> int:
        return db.int(f"SELECT count(*) FROM jobs WHERE {KIND} AND priority = {priority} AND state = '{state}'")

    done_before = wait_until(lambda: (n := count(3)) >= 40 and n, 60, "40 low jobs succeeded", workers,
                             interval=0.02, describe=db.diagnostics_states)
    db.enqueue(critical, 5, "critical", "critical")
    wait_until(lambda: count(0) == critical, 60, f"all {critical} critical jobs succeeded", workers,
               interval=0.05, describe=db.diagnostics_states)

    # Low jobs that were still waiting when the criticals were enqueued (not claimed before then).
    waiting_low = (f"SELECT started_at FROM jobs WHERE {KIND} AND priority = 3 AND (started_at IS NULL OR started_at >= "
                   f"(SELECT min(created_at) FROM jobs WHERE {KIND} AND priority = 0))")
    n_waiting = db.int(f"SELECT count(*) FROM ({waiting_low}) w")
    overtaken = db.rows(f"SELECT c.id, (SELECT count(*) FROM ({waiting_low}) w "
                        f"WHERE w.started_at IS NULL OR w.started_at > c.started_at), (c.started_at - c.created_at) / 1000 "
                        f"FROM jobs c WHERE {KIND} AND c.priority = 0 ORDER BY 2")
    assert len(overtaken) == critical
    assert n_waiting >= 300, (f"only {n_waiting} low jobs were still queued when the criticals were enqueued "
                              f"({done_before} had succeeded just before): the test did not create the backlog it needs")
    worst = min(int(r[1]) for r in overtaken)
    slow = [r for r in overtaken if int(r[1]) < 300]
    assert not slow, (f"critical jobs that did not jump the queue (id, waiting low jobs started after it, wait ms): {slow}; "
                      f"{n_waiting} low jobs were waiting")

    wait_until(lambda: count(3) == low and count(0) == critical, 120, f"all {low + critical} jobs succeeded",
               workers, interval=0.25, describe=db.diagnostics_states)
    assert db.diagnostics_states() == {"queued": 0, "running": 0, "succeeded": low + critical, "dead": 0}
    assert worker.alive(), f"the worker exited with {worker.proc.returncode}"
    summary.append(f"test_priorities_are_honoured_under_load: {n_waiting} low jobs waiting when {critical} criticals "
                   f"arrived; every critical started before at least {worst} of them; critical waits "
                   f"{min(int(r[2]) for r in overtaken)}-{max(int(r[2]) for r in overtaken)} ms")


@pytest.mark.time_limit(120)
def test_graceful_shutdown_releases_running_jobs(app_db, workers, wait_until, summary):
    db = app_db
    db.enqueue(10, 30000, "slow")
    worker = workers.start(JOBS_CONCURRENCY="4")

    running = wait_until(lambda: (ids := db.rows(f"SELECT id FROM jobs WHERE {KIND} AND state = 'running'"))
                         and len(ids) == 4 and ids, 30, "4 jobs are running", workers,
                         describe=db.diagnostics_states)
    running_ids = sorted(r[0] for r in running)

    sent = time.monotonic()
    worker.signal(signal.SIGTERM)
    rc = worker.wait(15)
    took = time.monotonic() - sent
    if rc is None:
        states = db.diagnostics_states()
        pytest.fail(f"`adsapp worker` did not exit within 15s of SIGTERM (grace period 10s); job states now: {states}\n"
                    f"{workers.tails()}")

    rows = db.rows(f"SELECT id, state, attempts FROM jobs WHERE {KIND} ORDER BY id")
    assert not [r for r in rows if r[1] == "running"], f"jobs left running after shutdown: {rows}"
    released = {r[0]: (r[1], int(r[2])) for r in rows if r[0] in running_ids}
    assert released == {i: ("queued", 0) for i in running_ids}, \
        f"the 4 jobs that were running must be back in the queue with attempts 0: {released}"
    assert all(r[1] == "queued" and r[2] == "0" for r in rows), f"every job should be queued, never attempted: {rows}"
    assert db.int("SELECT count(*) FROM job_diagnostics") == 0, "a 30 s job completed during a 10 s grace period"
    assert db.int("SELECT count(*) FROM job_attempts") == 0, "a release on shutdown must not record a failed attempt"
    assert rc == 0, f"`adsapp worker` exited with {rc} after SIGTERM\n{workers.tails()}"
    summary.append(f"test_graceful_shutdown_releases_running_jobs: worker exited {took:.1f}s after SIGTERM, "
                   f"4 running jobs released (queued, attempts 0)")
