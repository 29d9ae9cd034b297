"""Class 5: an open `/inbox/live` socket must follow its member's access. Within a second of
sign-out, sign-out everywhere, a password change, removal from the organization, the
organization hiding unassigned conversations from agents, an Admin becoming an Agent, or an
Agent leaving a team, the socket is closed or stops carrying
events it may no longer see. And the upgrade checks `Origin` (a foreign page must not open a
socket with the victim's cookie: cross-site WebSocket hijacking). Across two app processes on one
PostgreSQL too: the sign-out happens on one, the socket is open on the other."""

import threading
import time
import uuid

import pytest
import websocket

from conftest import (VICTIM, add_member, connect_number, conversation_with, fresh_wa_id, inbound, platform_settings,
                      post_webhook, postgres_database, running_app, sign_in, sign_up, text)

GRACE_S = 1.2   # the time access may take to reach the socket
QUIET_S = 3.0   # how long the socket is watched afterwards


class Socket:
    """A live inbox socket as the page opens it, its frames collected in the background."""

    def __init__(self, member, origin: str):
        url = member.app_url.replace("http://", "ws://") + "/inbox/live"
        self.ws = websocket.create_connection(url, header=[f"Cookie: {member.cookie_header()}"], origin=origin, timeout=10)
        self.ws.settimeout(0.5)
        self.frames: list[tuple[float, str]] = []
        self.closed_at: float | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stopped:
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue  # a quiet moment, not the end
            except Exception:
                break
            if not frame:
                break
            self.frames.append((time.monotonic(), frame if isinstance(frame, str) else frame.decode()))
        self.closed_at = time.monotonic()

    def mentions(self, needle: str, since: float = 0) -> bool:
        return any(needle.lower() in frame.lower() for at, frame in self.frames if at >= since)

    def close(self):
        self._stopped = True
        self._thread.join(5)
        try:
            self.ws.close()
        except Exception:
            pass


def customer(app, owner, name: str) -> str:
    wa_id = fresh_wa_id()
    assert post_webhook(app, inbound(VICTIM, wa_id, name, text("Hello?"))) == 200
    conversation = conversation_with(owner, wa_id)
    assert conversation, "the customer's message did not reach the inbox"
    return conversation["id"]


def second_session(app, member):
    other = sign_in(app.url, member.email, member.password)
    if other.organization_id.lower() != member.organization_id.lower():
        assert other.form("/organizations/switch", {"organization_id": member.organization_id}).status_code in (302, 303)
        other.refresh()
    return other


def sign_out(app, victim, member):
    assert member.form("/signout", {}).status_code in (302, 303)


def sign_out_everywhere(app, victim, member):
    assert second_session(app, member).form("/account/signout-everywhere", {}).status_code in (302, 303)


def change_password(app, victim, member):
    other = second_session(app, member)
    response = other.form("/account/password", {"current_password": member.password,
                                                 "new_password": "a-brand-new-passphrase-" + uuid.uuid4().hex[:6]})
    assert response.status_code in (302, 303), f"the password change answered {response.status_code}"


def removal(app, victim, member):
    response = victim.form(f"/settings/members/{member.membership_id}/remove", {})
    assert response.status_code in (302, 303), f"removing the member answered {response.status_code}"


def visibility_off(app, victim, member):
    response = victim.api("PUT", "/organization/inbox", {"agents_see_all": False})
    assert response.status_code == 200, response.text


def demotion(app, victim, member):
    """An Admin (who sees everything) becomes an Agent, who sees only their teams' and own conversations."""
    response = victim.form(f"/settings/members/{member.membership_id}/role", {"role": "agent"})
    assert response.status_code in (302, 303) and "error" not in response.headers.get("Location", ""), \
        f"the role change answered {response.status_code} {response.headers.get('Location')}"


@pytest.mark.parametrize("action", [sign_out, sign_out_everywhere, change_password, removal, visibility_off, demotion],
                         ids=lambda f: f.__name__)
def test_the_socket_stops_carrying_events_when_access_ends(app, victim, action):
    if action is demotion:
        assert victim.api("PUT", "/organization/inbox", {"agents_see_all": False}).status_code == 200
    member = add_member(app, victim, "admin" if action is demotion else "agent", name="Sam Socket")
    socket = Socket(member, origin=app.url)
    try:
        before = customer(app, victim, "Before " + uuid.uuid4().hex[:6])
        deadline = time.monotonic() + 10
        while not socket.mentions(before) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.mentions(before), f"the open socket did not carry the first conversation: {socket.frames[-5:]}"

        action(app, victim, member)
        time.sleep(GRACE_S)
        since = time.monotonic()
        after = customer(app, victim, "After " + uuid.uuid4().hex[:6])
        time.sleep(QUIET_S)
        assert not socket.mentions(after, since), \
            f"after {action.__name__} the socket still carried a new conversation (closed: {socket.closed_at is not None})"
    finally:
        socket.close()
        victim.api("PUT", "/organization/inbox", {"agents_see_all": True})


def test_the_socket_stops_carrying_a_teams_events_when_the_agent_leaves_the_team(app, victim):
    assert victim.api("PUT", "/organization/inbox", {"agents_see_all": False}).status_code == 200
    member = add_member(app, victim, "agent", name="Tess Team")
    team = victim.api("POST", "/teams", {"name": "Counter " + uuid.uuid4().hex[:6], "member_ids": [member.membership_id]})
    assert team.status_code in (200, 201), team.text
    team_id = team.json()["id"]

    def team_conversation(name: str) -> str:
        conversation_id = customer(app, victim, name)
        moved = victim.api("POST", f"/conversations/{conversation_id}/work", {"action": "team", "team_id": team_id})
        assert moved.status_code in (200, 204), moved.text
        return conversation_id

    socket = Socket(member, origin=app.url)
    try:
        before = team_conversation("Before " + uuid.uuid4().hex[:6])
        deadline = time.monotonic() + 10
        while not socket.mentions(before) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.mentions(before), f"the open socket did not carry the team's conversation: {socket.frames[-5:]}"

        left = victim.api("PATCH", f"/teams/{team_id}", {"member_ids": []})
        assert left.status_code in (200, 204), left.text
        time.sleep(GRACE_S)
        since = time.monotonic()
        after = team_conversation("After " + uuid.uuid4().hex[:6])
        time.sleep(QUIET_S)
        assert not socket.mentions(after, since), \
            f"after leaving the team the socket still carried the team's new conversation (closed: {socket.closed_at is not None})"
    finally:
        socket.close()
        victim.api("PUT", "/organization/inbox", {"agents_see_all": True})


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory, graph):
    """(A, B): two `serve` processes on one new PostgreSQL database; B runs no jobs and serves pages."""
    with postgres_database("adsapp_attacks") as database_url:
        settings = {**platform_settings(graph), "DATABASE_URL": database_url}
        with running_app(tmp_path_factory, "pg-a", settings) as a:
            with running_app(tmp_path_factory, "pg-b", {**settings, "JOBS_IN_PROCESS": "false"}) as b:
                yield a, b


def test_a_socket_on_another_process_stops_when_the_session_ends(two_processes):
    a, b = two_processes
    owner = sign_up(a.url, name="Paula Processes", organization="Two Process Bakery")
    connect_number(owner, VICTIM)
    tab = sign_in(b.url, owner.email, owner.password)
    socket = Socket(tab, origin=b.url)
    try:
        before = customer(a, owner, "Before " + uuid.uuid4().hex[:6])
        deadline = time.monotonic() + 10
        while not socket.mentions(before) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.mentions(before), f"the socket on process B did not carry A's conversation: {socket.frames[-5:]}"

        assert owner.form("/account/signout-everywhere", {}).status_code in (302, 303)
        time.sleep(GRACE_S)
        since = time.monotonic()
        after = customer(a, owner, "After " + uuid.uuid4().hex[:6])
        time.sleep(QUIET_S)
        assert not socket.mentions(after, since), \
            f"after sign-out everywhere on process A the socket on B still carried a new conversation (closed: {socket.closed_at is not None})"
    finally:
        socket.close()


def test_a_socket_opened_from_a_foreign_origin_is_refused(app, victim):
    member = add_member(app, victim, "agent", name="Olga Origin")
    for origin in ("https://evil.example", app.url + ".evil.example", "null"):
        try:
            socket = Socket(member, origin=origin)
        except websocket.WebSocketBadStatusException:
            continue
        socket.close()
        pytest.fail(f"the live socket opened for a page on {origin}")
