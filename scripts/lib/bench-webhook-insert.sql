-- pgbench script for `scripts/bench webhook`: the database's ceiling for webhook intake. One
-- transaction per event writes what the webhook handler writes: a `webhook_events` row with the
-- signed body (one of the benchmark's own bodies, picked at random from `bench_bodies`) and the
-- `jobs` row that processes it, in a queue of its own so that no worker takes it.
--
--   pgbench -n -c 32 -j 2 -T 20 -D bodies=N -f scripts/lib/bench-webhook-insert.sql URL
\set n random(1, :bodies)
BEGIN;
WITH event AS (
    INSERT INTO webhook_events (id, source, body, received_at, state)
    SELECT gen_random_uuid(), 'bench-pgbench', body, now(), 'pending' FROM bench_bodies WHERE n = :n
    RETURNING id
)
INSERT INTO jobs (id, kind, queue, payload, priority, state, run_at, due_at, attempts, max_attempts,
                  unique_key, organization_id, created_at, progress)
SELECT gen_random_uuid(), 'whatsapp.webhook', 'bench-pgbench', '{"eventIDs":["' || upper(event.id::text) || '"],"round":0}',
       1, 'queued', clock.micros, clock.micros, 0, 8, NULL, NULL, clock.micros, 0.0
FROM event, (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS micros) AS clock;
COMMIT;
