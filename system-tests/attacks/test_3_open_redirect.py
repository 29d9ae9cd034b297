"""Class 3: after sign-in (`next`) and after the language switch (`return_to`) the browser must stay
on this site, whatever the attacker puts in the parameter.

The verdict is the browser's: a `Location` is resolved as the URL standard does it (ASCII tab and
newline removed anywhere, C0 controls and spaces trimmed, `\\` read as `/` in http URLs) against the
app's URL, and the result must have the app's origin."""

import re
import urllib.parse

import pytest

from conftest import PASSWORD, anonymous, sign_up

BYPASSES = [
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\t\\evil.example", "\t//evil.example",
    " //evil.example", "//evil.example", "/\\evil.example", "\\/evil.example", "\\\\evil.example",
    "/%2F/evil.example", "/%5C/evil.example", "%2F%2Fevil.example", "/%09/evil.example",
    "https://evil.example/", "https:evil.example", "//user@evil.example", "/\x00/evil.example",
    "javascript:alert(1)", "//evil.example/%2F..", "///evil.example",
]


def browser_resolves(app_url: str, location: str) -> str:
    """Where a browser goes for this Location header."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    scheme = urllib.parse.urlsplit(cleaned).scheme
    if scheme in ("", "http", "https"):
        cleaned = cleaned.replace("\\", "/")
    return urllib.parse.urljoin(app_url + "/signin", cleaned)


def escapes(app_url: str, location: str | None) -> bool:
    if location is None:
        return False
    target = urllib.parse.urlsplit(browser_resolves(app_url, location))
    return (target.scheme, target.netloc) != tuple(urllib.parse.urlsplit(app_url)[:2])


@pytest.fixture(scope="module")
def account(app):
    return sign_up(app.url, name="Redirect Tester", organization="Redirect BV").email


def test_next_after_sign_in_never_leaves_the_site(app, account):
    escaped = {}
    for candidate in BYPASSES:
        http, token = anonymous(app.url)
        response = http.post(app.url + "/signin", allow_redirects=False, timeout=30,
                             data={"_csrf": token, "email": account, "password": PASSWORD, "next": candidate})
        location = response.headers.get("Location")
        if escapes(app.url, location):
            escaped[candidate] = location
    assert not escaped, f"sign-in redirected off the site: {escaped}"


def test_return_to_after_the_language_switch_never_leaves_the_site(app):
    escaped = {}
    for candidate in BYPASSES:
        http, token = anonymous(app.url)
        response = http.post(app.url + "/language", allow_redirects=False, timeout=30,
                             data={"_csrf": token, "language": "nl", "return_to": candidate})
        location = response.headers.get("Location")
        if escapes(app.url, location):
            escaped[candidate] = location
    assert not escaped, f"the language switch redirected off the site: {escaped}"

