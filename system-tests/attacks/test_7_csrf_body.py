"""Class 7, request bodies: a multipart post without the CSRF token is refused before its body is
read (no one makes the server buffer ~100 MB on someone else's session), and a send that is
refused leaves no uploaded file behind."""

import base64
import socket
import time
import urllib.parse
import uuid

from conftest import VICTIM, customer_writes, sign_up

ANSWER_WITHIN_S = 5
# A 1x1 PNG: a file WhatsApp accepts, so only the closed window refuses the send.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_a_huge_multipart_post_without_a_token_is_refused_before_its_body_is_read(app):
    member = sign_up(app.url, name="Buffer Target", organization="Buffer BV")
    host, port = urllib.parse.urlsplit(app.url).netloc.split(":")
    boundary = "attackboundary" + uuid.uuid4().hex
    head = (f"POST /inbox/{uuid.uuid4()}/messages HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Cookie: {member.cookie_header()}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 100000000\r\n\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=ANSWER_WITHIN_S) as connection:
        connection.sendall(head + b"\0" * 1_000_000)
        started = time.monotonic()
        try:
            answer = connection.recv(4096)
        except TimeoutError:
            answer = b""
    status_line = answer.split(b"\r\n")[0]
    assert status_line.startswith(b"HTTP/1.1 4"), \
        f"no refusal within {ANSWER_WITHIN_S}s of sending 1 MB of a 100 MB body without a token " \
        f"(got {status_line!r} after {time.monotonic() - started:.1f}s): the server is buffering it"


def test_a_refused_send_leaves_no_upload_behind(app, victim):
    two_days_ago = int(time.time()) - 2 * 24 * 3600  # the customer service window has closed
    conversation = customer_writes(app, victim, VICTIM, name="Closed Window", timestamp=two_days_ago)
    uploads = f"uploads/{victim.organization_id.lower()}"
    before = set(app.files_under(uploads))
    response = victim.http.post(f"{app.url}/inbox/{conversation['id']}/messages", allow_redirects=False, timeout=30,
                                headers={"X-CSRF-Token": victim.csrf},
                                data={"_csrf": victim.csrf, "caption": ""}, files={"file": ("photo.png", PNG, "image/png")})
    assert 400 <= response.status_code < 500, f"a send into a closed window answered {response.status_code}"
    left = set(app.files_under(uploads)) - before
    assert not left, f"the refused send left its upload behind: {sorted(str(p) for p in left)}"
