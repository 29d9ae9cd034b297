"""Class 7: downloading a customer's media sends the connection's access token only to Meta's media
hosts over https. Here the Graph API names a media URL on another host over plain http (as a
compromised or spoofed Graph answer would); that host must never see the token."""

import time
import uuid

import pytest

from conftest import GRAPH_VERSION, VICTIM, Recorder, fresh_wa_id, inbound, post_webhook

WAIT_S = 6


@pytest.fixture
def foreign_host():
    recorder = Recorder(host="127.0.0.2")  # another loopback address: another host than the simulator's
    try:
        yield recorder
    finally:
        recorder.close()


def test_the_access_token_is_not_sent_to_a_foreign_http_media_url(app, victim, graph, foreign_host):
    media_id = str(900000000000000 + uuid.uuid4().int % 99999999)
    graph.overrides[f"/{GRAPH_VERSION}/{media_id}"] = {
        "messaging_product": "whatsapp", "id": media_id, "mime_type": "image/jpeg", "file_size": 10,
        "sha256": "0" * 64, "url": f"{foreign_host.url}/whatsapp_business/attachments/?mid={media_id}"}
    try:
        message = {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": "0" * 64}}
        assert post_webhook(app, inbound(VICTIM, fresh_wa_id(), "Media Customer", message)) == 200
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and not foreign_host.requests:
            time.sleep(0.2)
        leaked = [(method, path) for method, path, headers in foreign_host.requests
                  if VICTIM.token in headers.get("authorization", "")]
        assert not leaked, f"the connection's access token was sent to {foreign_host.url}: {leaked}"
    finally:
        graph.overrides.pop(f"/{GRAPH_VERSION}/{media_id}", None)
