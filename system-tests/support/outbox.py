"""Reads the app's local outbox (table outbox_emails) for the Python browser and attack tests.

read_outbox("./data/adsapp.sqlite", to="bram@example.com") or read_outbox("postgres://...", kind="invitation")
returns dicts, newest first: id, kind, to, subject, text_body, html_body, headers (list of [name, value]),
message_id, created_at, links (the http(s) links in the text part, in order).
"""
import json
import re
import sqlite3

LINK = re.compile(r"https?://[^\s<>\"]+")
COLUMNS = "id, kind, to_address, subject, text_body, html_body, headers_json, message_id, created_at"


def read_outbox(db_path_or_url, to=None, kind=None, limit=100):
    conditions, values = [], []
    if to is not None:
        conditions.append("to_address = {}")
        values.append(to)
    if kind is not None:
        conditions.append("kind = {}")
        values.append(kind)
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    sql = f"SELECT {COLUMNS} FROM outbox_emails{where} ORDER BY created_at DESC LIMIT {int(limit)}"
    if str(db_path_or_url).startswith(("postgres://", "postgresql://")):
        import psycopg  # only needed for PostgreSQL

        with psycopg.connect(db_path_or_url) as connection:
            rows = connection.execute(sql.format(*(["%s"] * len(values))), values).fetchall()
    else:
        connection = sqlite3.connect(f"file:{db_path_or_url}?mode=ro", uri=True)
        try:
            rows = connection.execute(sql.format(*(["?"] * len(values))), values).fetchall()
        finally:
            connection.close()
    emails = []
    for row in rows:
        text = row[4] or ""
        emails.append({
            "id": str(row[0]), "kind": row[1], "to": row[2], "subject": row[3], "text_body": text, "html_body": row[5],
            "headers": json.loads(row[6] or "[]"), "message_id": row[7], "created_at": row[8],
            "links": LINK.findall(text),
        })
    return emails


def header(email, name):
    """The first header of that name (case-insensitive), or None."""
    for key, value in email["headers"]:
        if key.lower() == name.lower():
            return value
    return None
