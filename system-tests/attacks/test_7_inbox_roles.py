"""Class 7, the inbox: the mentions panel shows nothing of a conversation the reader may not see, and
a Viewer (read-only) opening a conversation does not mark it read for the team."""

from html.parser import HTMLParser
import uuid

from conftest import VICTIM, add_member, customer_writes, conversations


class _Everything(HTMLParser):
    """All text and attribute values of a page, as a person or a script could read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.extend(v for _, v in attrs if v)

    def handle_data(self, data):
        self.parts.append(data)


def readable(html: str) -> str:
    parser = _Everything()
    parser.feed(html)
    return "\n".join(parser.parts)


def test_the_mentions_panel_does_not_name_contacts_outside_the_agents_visibility(app, victim):
    assert victim.api("PUT", "/organization/inbox", {"agents_see_all": False}).status_code == 200
    try:
        agent = add_member(app, victim, "agent", name="Mia Mention")
        secret = f"Secret Customer {uuid.uuid4().hex[:6]}"
        conversation = customer_writes(app, victim, VICTIM, name=secret)
        assert agent.get(f"/inbox/{conversation['id']}").status_code == 404, "the agent may see this conversation"
        handle = agent.email.split("@")[0]
        noted = victim.api("POST", f"/conversations/{conversation['id']}/notes", {"body": f"@{handle} can you look?"})
        assert noted.status_code in (200, 201), noted.text
        page = agent.get("/inbox")
        assert page.status_code == 200
        api = agent.api("GET", "/mentions").text
        assert secret not in readable(page.text) and secret not in api, \
            "the agent's mentions name a contact of a conversation the agent may not see"
    finally:
        victim.api("PUT", "/organization/inbox", {"agents_see_all": True})


def test_a_viewer_opening_a_conversation_does_not_mark_it_read(app, victim):
    viewer = add_member(app, victim, "viewer", name="Vic Viewer")
    conversation = customer_writes(app, victim, VICTIM, name="Unread Customer")
    assert conversation["unread_count"] >= 1
    assert viewer.get(f"/inbox/{conversation['id']}").status_code == 200
    after = next(c for c in conversations(victim) if c["id"] == conversation["id"])
    assert after["unread_count"] == conversation["unread_count"], \
        f"a Viewer opening the conversation marked it read for everyone ({conversation['unread_count']} -> {after['unread_count']})"
