"""Class 8: the mailed links and the forms around them, attacked over HTTP against the real app:
enumeration through sign-up and password reset, guessed tokens, tokens of one organization used
in another, CSRF on every new form, open redirects through the invitation's sign-in, markup in the
names an invitation shows, and the reset throttle."""

import re
import time
import urllib.parse

import pytest

from conftest import PASSWORD, anonymous, sign_up, unique_email


def mail_link(app, to: str, kind: str, fragment: str, timeout: float = 20) -> str:
    """The path of the `fragment` link in the newest email of `kind` to `to` in the app's local outbox."""
    deadline = time.monotonic() + timeout
    while True:
        rows = app.sql("SELECT text_body FROM outbox_emails WHERE to_address = ? AND kind = ? ORDER BY created_at DESC", (to, kind))
        if rows:
            links = [link for link in re.findall(r"https?://\S+", rows[0][0]) if fragment in link]
            assert links, rows[0][0]
            return urllib.parse.urlsplit(links[0]).path
        if time.monotonic() > deadline:
            pytest.fail(f"no {kind} email to {to}")
        time.sleep(0.3)


def invite(owner, address: str, role: str = "agent") -> None:
    response = owner.api("POST", "/invitations", {"email": address, "role": role})
    assert response.status_code == 201, response.text


def test_sign_up_does_not_tell_which_addresses_exist(app):
    taken = sign_up(app.url).email
    answers = []
    for address in (unique_email("free"), taken):
        http, token = anonymous(app.url, "/signup")
        response = http.post(app.url + "/signup", data={"_csrf": token, "name": "Probe", "organization": "Probe BV", "email": address,
                                                        "password": "probing-passphrase-77"}, allow_redirects=False, timeout=30)
        cookies = sorted(c.split("=")[0] for c in response.headers.get("Set-Cookie", "").split(",") if "=" in c)
        answers.append((response.status_code, response.headers.get("Location"), cookies, response.text))
    assert answers[0] == answers[1]
    assert answers[0][0] == 303


def test_password_reset_does_not_tell_which_addresses_exist(app):
    taken = sign_up(app.url).email
    answers = []
    for address in (unique_email("free"), taken):
        http, token = anonymous(app.url, "/password/forgot")
        response = http.post(app.url + "/password/forgot", data={"_csrf": token, "email": address}, allow_redirects=False, timeout=30)
        answers.append((response.status_code, response.headers.get("Location"), response.text))
    assert answers[0] == answers[1]


def test_guessed_tokens_get_the_same_404(app):
    owner = sign_up(app.url)
    address = unique_email("guess")
    invite(owner, address)
    real = mail_link(app, address, "invitation", "/invitations/")
    invitation_id = owner.api("GET", "/invitations").json()["data"][0]["id"]
    assert owner.api("DELETE", f"/invitations/{invitation_id}").status_code == 204
    visitor, _ = anonymous(app.url)
    bodies = set()
    for path in (real, "/invitations/" + "A" * 43, "/invitations/" + real[-43:-1] + "B", "/invitations/short", "/invitations/%27%20OR%201%3D1"):
        response = visitor.get(app.url + path, allow_redirects=False, timeout=30)
        assert response.status_code == 404, path
        bodies.add(re.sub(r'name="return_to" value="[^"]*"', "", response.text))
    assert len(bodies) == 1, "every refused token gets the same page"
    for path in ("/email/verify/" + "A" * 43, "/password/reset/" + "A" * 43):
        assert visitor.get(app.url + path, timeout=30).status_code == 404


def test_one_organizations_invitation_cannot_be_touched_from_another(app):
    owner = sign_up(app.url)
    address = unique_email("target")
    invite(owner, address)
    invitation_id = owner.api("GET", "/invitations").json()["data"][0]["id"]
    intruder = sign_up(app.url, organization="Intruder BV")
    assert intruder.api("POST", f"/invitations/{invitation_id}/resend").status_code == 404
    assert intruder.api("DELETE", f"/invitations/{invitation_id}").status_code == 404
    assert intruder.form(f"/settings/members/invitations/{invitation_id}/revoke", {}).status_code == 404
    assert all(row["id"] != invitation_id for row in intruder.api("GET", "/invitations").json()["data"])
    assert owner.api("GET", "/invitations").json()["data"][0]["id"] == invitation_id


def test_every_new_form_needs_the_csrf_token(app):
    owner = sign_up(app.url)
    address = unique_email("csrf")
    invite(owner, address)
    path = mail_link(app, address, "invitation", "/invitations/")
    invitation_id = owner.api("GET", "/invitations").json()["data"][0]["id"]
    signed_in_forms = [
        ("/settings/members/invitations", {"email": unique_email("x"), "role": "agent", "language": "en"}),
        (f"/settings/members/invitations/{invitation_id}/resend", {}),
        (f"/settings/members/invitations/{invitation_id}/revoke", {}),
        ("/account/verification", {}),
        (path + "/join", {}),
    ]
    for target, data in signed_in_forms:
        response = owner.http.post(app.url + target, data=data, allow_redirects=False, timeout=30)
        assert response.status_code == 403, target
    visitor, _ = anonymous(app.url)
    for target, data in [(path + "/signup", {"name": "Csrf", "password": PASSWORD}), ("/password/forgot", {"email": owner.email}),
                         ("/password/reset/" + "A" * 43, {"password": "a-brand-new-passphrase"})]:
        response = visitor.post(app.url + target, data=data, allow_redirects=False, timeout=30)
        assert response.status_code == 403, target
    assert owner.api("GET", "/invitations").json()["data"][0]["id"] == invitation_id, "nothing was withdrawn"
    assert visitor.get(app.url + path, timeout=30).status_code == 200, "nothing was accepted"


def test_the_invitations_sign_in_comes_back_only_to_this_site(app):
    person = sign_up(app.url)
    for target in ("//evil.example", "https://evil.example/invitations/x", "/\\evil.example"):
        http, token = anonymous(app.url, "/signin?next=" + urllib.parse.quote(target, safe=""))
        response = http.post(app.url + "/signin", data={"_csrf": token, "email": person.email, "password": PASSWORD, "next": target},
                             allow_redirects=False, timeout=30)
        location = response.headers.get("Location", "")
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location, (target, location)


def test_names_in_an_invitation_are_escaped(app):
    owner = sign_up(app.url, name="<img src=x onerror=alert(1)>", organization="<script>alert(1)</script>")
    address = unique_email("escape")
    invite(owner, address)
    path = mail_link(app, address, "invitation", "/invitations/")
    visitor, _ = anonymous(app.url)
    page = visitor.get(app.url + path, timeout=30).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    html = app.sql("SELECT html_body FROM outbox_emails WHERE to_address = ? AND kind = 'invitation'", (address,))[0][0]
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_password_reset_is_throttled(app):
    target = unique_email("flood")
    http, token = anonymous(app.url, "/password/forgot")
    statuses = [http.post(app.url + "/password/forgot", data={"_csrf": token, "email": target}, allow_redirects=False, timeout=30).status_code
                for _ in range(5)]
    assert statuses[:3] == [303, 303, 303]
    assert statuses[3:] == [429, 429]
