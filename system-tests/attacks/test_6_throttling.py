"""Class 6: throttling that holds under concurrency and behind a proxy.

Each test starts its own app (so its counts start at zero): 40 parallel wrong passwords for one
account get at most the limit evaluated; sign-up and password change are throttled too; and with
TRUSTED_PROXIES naming the proxy, clients are told apart by the address the proxy adds to
X-Forwarded-For, while what a client writes into that header itself changes nothing."""

import threading
import uuid

import pytest
import requests

from conftest import PASSWORD, anonymous, running_app, sign_up, unique_email

MAX_PER_ACCOUNT = 5


def attempt_sign_in(app_url: str, email: str, password: str, headers: dict | None = None,
                    session: tuple[requests.Session, str] | None = None) -> int:
    http, token = session or anonymous(app_url)
    return http.post(app_url + "/signin", data={"_csrf": token, "email": email, "password": password},
                     headers=headers or {}, allow_redirects=False, timeout=60).status_code


def test_parallel_wrong_passwords_get_no_more_than_the_limit_evaluated(tmp_path_factory):
    # The production hash cost: the race is between the check and the failure recorded after bcrypt.
    with running_app(tmp_path_factory, "race", {"BCRYPT_COST": "10"}) as app:
        email = sign_up(app.url, name="Race Target", organization="Race BV").email
        sessions = [anonymous(app.url) for _ in range(40)]
        start = threading.Barrier(len(sessions))
        statuses: list[int] = []

        def guess(session):
            start.wait()
            statuses.append(attempt_sign_in(app.url, email, "wrong-password-" + uuid.uuid4().hex, session=session))

        threads = [threading.Thread(target=guess, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        evaluated = statuses.count(401)
        assert len(statuses) == 40 and set(statuses) <= {401, 429}, f"unexpected answers: {sorted(statuses)}"
        assert evaluated <= MAX_PER_ACCOUNT, f"{evaluated} of 40 parallel wrong passwords were checked; the limit is {MAX_PER_ACCOUNT}"
        assert attempt_sign_in(app.url, email, PASSWORD) == 429, "the right password got through a locked account"


def test_sign_up_is_throttled(tmp_path_factory):
    with running_app(tmp_path_factory, "signup-flood", unset=("SIGNUP_MAX_PER_IP",)) as app:
        statuses = []
        for n in range(60):
            http, token = anonymous(app.url, "/signup")
            status = http.post(app.url + "/signup", allow_redirects=False, timeout=30, data={
                "_csrf": token, "name": f"Bot {n}", "organization": f"Bot {n} BV", "email": unique_email("bot"),
                "password": PASSWORD}).status_code
            statuses.append(status)
            if status == 429:
                break
        assert 429 in statuses, f"60 sign-ups from one address in a row were all accepted ({statuses.count(303)} accounts)"


def test_password_change_is_throttled(tmp_path_factory):
    """A stolen session must not be a password-guessing oracle for the account's current password."""
    with running_app(tmp_path_factory, "password-guess") as app:
        member = sign_up(app.url, name="Pat Password", organization="Password BV")
        statuses = []
        for n in range(30):
            statuses.append(member.form("/account/password", {"current_password": f"guess-{n}",
                                                              "new_password": "a-new-passphrase-for-mallory"}).status_code)
            if statuses[-1] == 429:
                break
        assert 429 in statuses, f"30 wrong current passwords in a row were all checked ({statuses})"
        right = member.form("/account/password", {"current_password": PASSWORD, "new_password": "a-new-passphrase-for-mallory"})
        assert right.status_code == 429, "the password changed while the account was throttled"


@pytest.fixture
def proxied(tmp_path_factory):
    """The app behind a reverse proxy on 127.0.0.1 that appends the client's address to X-Forwarded-For."""
    with running_app(tmp_path_factory, "proxied", {"TRUSTED_PROXIES": "127.0.0.1", "LOGIN_MAX_FAILURES_PER_IP": "5"}) as app:
        yield app


def test_behind_a_trusted_proxy_clients_are_throttled_by_their_own_address(proxied):
    app = proxied
    victim = sign_up(app.url, name="Legit User", organization="Legit BV").email
    attacker = "203.0.113.9"
    # The attacker tries many accounts (never the same one twice) until their address is blocked;
    # the left-most X-Forwarded-For entries are theirs to choose, the last one the proxy added.
    statuses = []
    for n in range(12):
        spoofed = f"10.0.{n}.1, {attacker}" if n % 2 else attacker
        statuses.append(attempt_sign_in(app.url, unique_email("guess"), "wrong-" + str(n), {"X-Forwarded-For": spoofed}))
    assert 429 in statuses, f"an address guessing 12 accounts was never throttled: {statuses}"
    assert statuses[-1] == 429 and statuses[-2] == 429, f"spoofed X-Forwarded-For entries reset the attacker's count: {statuses}"
    # Another person behind the same proxy signs in normally.
    status = attempt_sign_in(app.url, victim, PASSWORD, {"X-Forwarded-For": "198.51.100.7"})
    assert status in (302, 303), f"a different client behind the proxy was refused ({status}): every client shares one address"
