"""Class 8: two-factor sign-in. The password alone reaches nothing; a pending sign-in works only in
the browser that typed the password; code guesses are throttled; the QR code's SVG escapes names."""

import re

import pyotp
import pytest

from conftest import PASSWORD, anonymous, csrf_of, injected, running_app, sign_up


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app of its own: the throttling test must not share counts with other classes."""
    with running_app(tmp_path_factory, "two-factor") as running:
        yield running


def enrol(member) -> pyotp.TOTP:
    page = member.get("/account/two-factor")
    secret = re.search(r'data-testid="two-factor-secret">([^<]+)<', page.text).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    member.csrf = csrf_of(page.text)
    assert member.form("/account/two-factor/confirm", {"code": totp.now()}).status_code == 200
    return totp


def password_step(app_url: str, email: str):
    http, token = anonymous(app_url)
    response = http.post(app_url + "/signin", data={"_csrf": token, "email": email, "password": PASSWORD},
                         allow_redirects=False, timeout=30)
    return http, token, response


def test_the_password_alone_reaches_nothing(app):
    member = sign_up(app.url, name="Tina Two", organization="Two Step BV")
    enrol(member)
    http, _, response = password_step(app.url, member.email)
    assert response.status_code == 303 and response.headers["Location"] == "/signin/two-factor"
    assert "adsapp_session" not in http.cookies
    for path in ("/dashboard", "/account", "/inbox", "/settings/security"):
        assert http.get(app.url + path, allow_redirects=False, timeout=30).headers.get("Location", "").startswith("/signin"), path
    assert http.get(app.url + "/api/v1/me", timeout=30).status_code == 401


def test_a_pending_sign_in_does_not_move_to_another_browser(app):
    member = sign_up(app.url, name="Paul Pending", organization="Pending BV")
    totp = enrol(member)
    victim, _, _ = password_step(app.url, member.email)
    thief, token = anonymous(app.url)
    thief.cookies.set("adsapp_2fa_pending", victim.cookies["adsapp_2fa_pending"])
    stolen = thief.post(app.url + "/signin/two-factor", data={"_csrf": token, "code": totp.now()}, allow_redirects=False, timeout=30)
    assert stolen.headers.get("Location") == "/signin?notice=expired"
    assert "adsapp_session" not in thief.cookies


def test_code_guessing_is_throttled(app):
    member = sign_up(app.url, name="Bruno Brute", organization="Brute BV")
    totp = enrol(member)
    statuses = []
    for guess in range(12):
        http, token, _ = password_step(app.url, member.email)
        statuses.append(http.post(app.url + "/signin/two-factor", data={"_csrf": token, "code": f"{guess:06d}"},
                                  allow_redirects=False, timeout=30).status_code)
    assert 429 in statuses, statuses
    http, token, _ = password_step(app.url, member.email)
    assert http.post(app.url + "/signin/two-factor", data={"_csrf": token, "code": totp.now()},
                     allow_redirects=False, timeout=30).status_code == 429


def test_the_qr_code_escapes_the_account_name(app):
    member = sign_up(app.url, name='"><svg data-pwn onload=alert(1)>', organization='</title><script data-pwn>alert(1)</script>')
    page = member.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text
    assert injected(page.text, app.url) == []
