"""Class 1: untrusted strings that reach an attribute (or the page title in <meta>) must stay text.

Each test puts hostile strings where an attacker controls them (a query parameter, a customer's
WhatsApp profile name, names an organization's members give to tags, teams, canned responses,
themselves and their organization), loads every page that shows them, parses each page with an
HTML parser, and expects none of the elements or attributes the strings try to create."""

import uuid
from urllib.parse import quote

import requests

from conftest import (MARKER, VICTIM, add_member, customer_writes, injected, sign_up)

# Each breaks out of a double-quoted, single-quoted or unquoted attribute value, or out of text.
REFRESH = '/"><meta http-equiv="refresh" content="0;url=https://evil.example/">'
IMG_DQ = f'"><img src=x {MARKER} onerror=alert(1)>'
IMG_SQ = f"'><img src=x {MARKER} onerror=alert(1)>"
IMG_BARE = f" {MARKER} onerror=alert(1) x=`"
HOSTILE = [REFRESH, IMG_DQ, IMG_SQ, IMG_BARE]


def problems(member, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = member.get(path)
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
        if hits := injected(response.text, member.app_url):
            found[path] = hits
    return found


def test_reflected_query_strings_stay_in_their_attribute(app, victim):
    """`/signin?next=…` (before sign-in: a meta refresh that sends every visitor elsewhere) and the
    inbox search box's `q`."""
    found = {}
    for payload in HOSTILE:
        path = "/signin?next=" + quote(payload if payload.startswith("/") else "/" + payload, safe="")
        response = requests.get(app.url + path, timeout=30)
        assert response.status_code == 200
        if hits := injected(response.text, app.url):
            found[path] = hits
        found.update(problems(victim, ["/inbox?q=" + quote(payload, safe="")]))
    assert not found, f"reflected strings became markup: {found}"


def test_stored_names_stay_text_on_every_page_that_shows_them(app, victim):
    """A customer's WhatsApp profile name, tag, team and member names, a canned response, and the
    person's and organization's own names (page titles go into <meta> tags)."""
    suffix = uuid.uuid4().hex[:4]
    conversation = customer_writes(app, victim, VICTIM, name=IMG_DQ, body=IMG_SQ)
    assert victim.api("POST", "/tags", {"name": IMG_DQ[:40] + suffix}).status_code in (200, 201)
    assert victim.api("POST", "/tags", {"name": IMG_SQ[:40] + suffix}).status_code in (200, 201)
    assert victim.api("POST", "/teams", {"name": IMG_DQ[:40] + suffix, "member_ids": []}).status_code in (200, 201)
    assert victim.api("POST", "/canned-responses", {"shortcut": "x" + suffix, "body": IMG_DQ + IMG_SQ}).status_code in (200, 201)
    add_member(app, victim, "agent", name=IMG_DQ[:40])

    owner = sign_up(app.url, name=IMG_DQ[:50], organization=IMG_SQ[:50])

    found = problems(victim, ["/inbox", f"/inbox/{conversation['id']}", "/settings/members", "/settings/inbox",
                              "/dashboard", "/account", f"/inbox/rows?ids={conversation['id']}&status=open"])
    found.update({f"(own names) {k}": v for k, v in
                  problems(owner, ["/dashboard", "/account", "/settings", "/settings/members", "/inbox", "/settings/whatsapp"]).items()})
    assert not found, f"stored strings became markup: {found}"
