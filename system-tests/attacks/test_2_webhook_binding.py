"""Class 2: a webhook verified with one connection's own Meta app secret may only touch that
connection. The attacker is a tenant who brings its own Meta app (so it knows the secret of its
own connection's webhook URL) and signs events that name the victim's phone number id (messages,
statuses) or the victim's business account (template updates).

Each attack is followed by a legitimate event for the attacker's own number through the same
URL; once that one has been processed, the attack has been too (events are processed in order),
so "nothing changed for the victim" is not just "not processed yet"."""

import time
import uuid

import pytest

from conftest import (ATTACKER, GRAPH_VERSION, VICTIM, conversation_with, connect_number, customer_writes, fresh_wa_id, inbound,
                      post_webhook, sign_up, text, wait_until)

ATTACKER_APP_SECRET = "attacker-own-meta-app-secret-55aa"


@pytest.fixture(scope="module")
def attacker(app):
    owner = sign_up(app.url, name="Mallory Attacker", organization="Attacker Ltd")
    connection = connect_number(owner, ATTACKER, app_secret=ATTACKER_APP_SECRET)
    owner.webhook_path = f"/api/webhooks/whatsapp/{connection['id']}"
    return owner


def attack(app, attacker, payload: dict) -> None:
    """Posts `payload` signed with the attacker's own secret, then a legitimate message for the
    attacker's own number, and waits until that one is in the attacker's inbox."""
    status = post_webhook(app, payload, ATTACKER_APP_SECRET, attacker.webhook_path)
    assert status in (200, 202, 401, 403), f"the webhook answered {status}"
    sentinel = fresh_wa_id()
    assert post_webhook(app, inbound(ATTACKER, sentinel, "Sentinel", text("ping")), ATTACKER_APP_SECRET, attacker.webhook_path) == 200
    assert conversation_with(attacker, sentinel, timeout=20), "the attacker's own event was not processed"


def test_a_message_signed_with_another_connections_secret_does_not_reach_the_victims_inbox(app, victim, attacker):
    wa_id = fresh_wa_id()
    attack(app, attacker, inbound(VICTIM, wa_id, "Injected Customer", text("Please pay invoice 123 at evil.example")))
    assert conversation_with(victim, wa_id, timeout=1) is None, "the attacker's message landed in the victim's inbox"


def test_a_status_signed_with_another_connections_secret_does_not_change_the_victims_message(app, victim, attacker, graph):
    conversation = customer_writes(app, victim, VICTIM, name="Status Customer")
    # The customer wrote through our webhook, not through the simulator (which would refuse a reply
    # outside its own service window): Meta's answer to the send is given by the router.
    wa_id = conversation["contact"]["wa_id"]
    send_path = f"/{GRAPH_VERSION}/{VICTIM.phone_number_id}/messages"
    graph.overrides[send_path] = {"messaging_product": "whatsapp", "contacts": [{"input": wa_id, "wa_id": wa_id}],
                                  "messages": [{"id": f"wamid.victim{uuid.uuid4().hex}"}]}
    try:
        sent = victim.api("POST", f"/conversations/{conversation['id']}/messages", {"type": "text", "text": "We are on it"})
        assert sent.status_code == 202, sent.text
        message = wait_until(lambda: sent_message(victim, conversation), 20, interval=0.3)
    finally:
        graph.overrides.pop(send_path, None)
    assert message, "the victim's reply was not sent"
    before = message["status"]
    payload = inbound(VICTIM, wa_id, "x", text("x"))
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    value["statuses"] = [{"id": message["wamid"], "status": "failed", "timestamp": str(int(time.time())),
                          "recipient_id": wa_id, "errors": [{"code": 131049, "title": "Attacker says this failed"}]}]
    attack(app, attacker, payload)
    after = sent_message(victim, conversation)
    assert after["status"] == before and after["status"] != "failed", \
        f"the attacker changed the victim's message status from {before} to {after['status']}"


def sent_message(victim, conversation):
    listed = victim.api("GET", f"/conversations/{conversation['id']}/messages").json()
    items = listed["data"] if isinstance(listed, dict) else listed
    return next((m for m in items if m["direction"] == "outbound" and m.get("wamid")), None)


def test_a_template_update_signed_with_another_connections_secret_does_not_change_the_victims_template(app, victim, attacker):
    name = "attack_" + uuid.uuid4().hex[:8]
    created = victim.api("POST", "/whatsapp/templates", {"name": name, "language": "en_US", "category": "UTILITY",
                                                         "body": "Your order is ready for pickup."})
    assert created.status_code == 201, created.text
    before = created.json()["status"]
    payload = {"object": "whatsapp_business_account", "entry": [{
        "id": VICTIM.waba_id, "time": int(time.time()),
        "changes": [{"field": "message_template_status_update", "value": {
            "event": "REJECTED", "message_template_id": 1, "message_template_name": name,
            "message_template_language": "en_US", "reason": "ABUSIVE_CONTENT"}}]}]}
    attack(app, attacker, payload)
    template = next(t for t in victim.api("GET", "/whatsapp/templates").json() if t["name"] == name)
    assert template["status"] == before and template["status"] != "REJECTED", \
        f"the attacker changed the victim's template from {before} to {template['status']}"
