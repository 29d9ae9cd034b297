"""The team and email flows in a real browser: invitations (a new person, an existing account, and
the refusals: used, withdrawn, expired), the verification link, and password reset end to end.
Mails are read from the app's local outbox (the `outbox_emails` table of its SQLite database)."""

import re
import sqlite3
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import ARTIFACTS, new_driver, running_app
from helpers import PASSWORD, path_of, sign_in, sign_up, wait, wait_for_path

NEW_PASSWORD = "a-brand-new-passphrase-7"


@pytest.fixture(scope="module")
def team_app(tmp_path_factory):
    """An app of this module's own: it signs up more people from one address than the sign-up
    throttle lets through in the shared app."""
    data_dir = tmp_path_factory.mktemp("adsapp-team-email")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app([], data_dir, ARTIFACTS / "server-team-email.log", extra={"SIGNUP_MAX_PER_IP": "1000"}) as url:
        yield url, data_dir


@pytest.fixture
def base_url(team_app):
    return team_app[0]


@pytest.fixture
def app_data_dir(team_app):
    return team_app[1]


def read_mail(data_dir: Path, to: str, kind: str, timeout: float = 20) -> str:
    """The text part of the newest email of `kind` to `to` in the outbox (mail is sent by jobs: wait for it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            db = sqlite3.connect(data_dir / "adsapp.sqlite", timeout=15)
            try:
                rows = db.execute("SELECT text_body FROM outbox_emails WHERE to_address = ? AND kind = ? ORDER BY created_at DESC",
                                  (to, kind)).fetchall()
            finally:
                db.close()
        except sqlite3.OperationalError:
            rows = []
        if rows:
            return rows[0][0]
        if time.monotonic() > deadline:
            pytest.fail(f"no {kind} email to {to} within {timeout:.0f}s")
        time.sleep(0.3)


def mail_count(data_dir: Path, to: str, kind: str) -> int:
    db = sqlite3.connect(data_dir / "adsapp.sqlite", timeout=15)
    try:
        return db.execute("SELECT count(*) FROM outbox_emails WHERE to_address = ? AND kind = ?", (to, kind)).fetchone()[0]
    finally:
        db.close()


def link_path(text: str, fragment: str) -> str:
    links = [link for link in re.findall(r"https?://\S+", text) if fragment in link]
    assert links, f"no {fragment} link in: {text}"
    return urllib.parse.urlsplit(links[0]).path


def email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def invite(drv, base_url: str, address: str, role: str = "agent") -> None:
    drv.get(base_url + "/settings/members")
    form = drv.find_element(By.CSS_SELECTOR, "form#invite-form")
    form.find_element(By.NAME, "email").send_keys(address)
    Select(form.find_element(By.NAME, "role")).select_by_value(role)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(drv).until(lambda d: "notice=invited" in d.current_url)
    assert address in drv.find_element(By.ID, "pending-invitations").text


def assert_link_refused(drv, url: str) -> None:
    drv.get(url)
    assert drv.find_elements(By.CSS_SELECTOR, '[data-testid="link-invalid"]'), f"{url} still works: {drv.page_source[:500]}"


def test_invitation_accepted_by_a_new_person(driver, second_driver, base_url, app_data_dir):
    sign_up(driver, base_url)
    invitee = email("invitee")
    invite(driver, base_url, invitee, role="agent")
    path = link_path(read_mail(app_data_dir, invitee, "invitation"), "/invitations/")

    second_driver.get(base_url + path)
    summary = second_driver.find_element(By.CSS_SELECTOR, '[data-testid="invitation-summary"]').text
    assert "Smoke Tester" in summary and "Smoke Test BV" in summary and "Agent" in summary
    form = second_driver.find_element(By.CSS_SELECTOR, "form#invitation-signup-form")
    assert second_driver.find_element(By.ID, "invitation-email").get_attribute("value") == invitee
    form.find_element(By.NAME, "name").send_keys("Nieuwe Collega")
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_path(second_driver, "/dashboard")
    assert "Smoke Test BV" in second_driver.page_source

    driver.get(base_url + "/settings/members")
    assert "Nieuwe Collega" in driver.find_element(By.CSS_SELECTOR, "table.data-table").text
    # Used: the same link is refused now.
    fresh = new_driver()
    try:
        assert_link_refused(fresh, base_url + path)
    finally:
        fresh.quit()


def test_invitation_accepted_by_an_existing_account(driver, second_driver, base_url, app_data_dir):
    sign_up(driver, base_url)
    existing = sign_up(second_driver, base_url, email=email("existing"))
    second_driver.delete_all_cookies()
    invite(driver, base_url, existing, role="viewer")
    path = link_path(read_mail(app_data_dir, existing, "invitation"), "/invitations/")

    # Signed out: sign in through the invitation, which comes back to it, then join.
    second_driver.get(base_url + path)
    second_driver.find_element(By.CSS_SELECTOR, '[data-testid="invitation-signin-link"]').click()
    wait_for_path(second_driver, "/signin")
    form = second_driver.find_element(By.CSS_SELECTOR, "form#signin-form")
    form.find_element(By.NAME, "email").send_keys(existing)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_path(second_driver, path)
    second_driver.find_element(By.CSS_SELECTOR, "form#invitation-join-form button[type=submit]").click()
    wait_for_path(second_driver, "/dashboard")
    assert "Smoke Test BV" in second_driver.page_source
    switcher = Select(second_driver.find_element(By.ID, "organization-select"))
    assert len(switcher.options) == 2, "a member of both organizations"


def test_invitation_for_another_address_is_refused(driver, second_driver, base_url, app_data_dir):
    sign_up(driver, base_url)
    invitee = email("someone")
    invite(driver, base_url, invitee)
    path = link_path(read_mail(app_data_dir, invitee, "invitation"), "/invitations/")
    sign_up(second_driver, base_url)
    second_driver.get(base_url + path)
    refusal = second_driver.find_element(By.CSS_SELECTOR, '[data-testid="invitation-wrong-address"]').text
    assert invitee in refusal
    assert not second_driver.find_elements(By.CSS_SELECTOR, "form#invitation-join-form")


def test_withdrawn_and_resent_invitations(driver, base_url, app_data_dir):
    sign_up(driver, base_url)
    invitee = email("withdrawn")
    invite(driver, base_url, invitee)
    first = link_path(read_mail(app_data_dir, invitee, "invitation"), "/invitations/")
    row = driver.find_element(By.XPATH, f"//table[@id='pending-invitations']//tr[td[text()='{invitee}']]")
    row.find_element(By.XPATH, ".//button[contains(@class,'button-secondary')]").click()
    wait(driver).until(lambda d: "notice=resent" in d.current_url)
    wait(driver, 20).until(lambda _: mail_count(app_data_dir, invitee, "invitation") == 2)
    second = link_path(read_mail(app_data_dir, invitee, "invitation"), "/invitations/")
    assert second != first
    row = driver.find_element(By.XPATH, f"//table[@id='pending-invitations']//tr[td[text()='{invitee}']]")
    row.find_element(By.XPATH, ".//button[contains(@class,'button-danger')]").click()
    wait(driver).until(lambda d: "notice=revoked" in d.current_url)
    visitor = new_driver()
    try:
        assert_link_refused(visitor, base_url + first)
        assert_link_refused(visitor, base_url + second)
    finally:
        visitor.quit()


def test_expired_invitation_verification_and_reset_links_are_refused(driver, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("adsapp-short-links")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app([], data_dir, ARTIFACTS / "server-short-links.log",
                     extra={"INVITATION_TTL_SECONDS": "3", "PASSWORD_RESET_TTL_SECONDS": "3",
                            "EMAIL_VERIFICATION_TTL_SECONDS": "3"}) as url:
        owner = sign_up(driver, url)
        verify = link_path(read_mail(data_dir, owner, "verify-email"), "/email/verify/")
        invitee = email("late")
        invite(driver, url, invitee)
        path = link_path(read_mail(data_dir, invitee, "invitation"), "/invitations/")
        driver.get(url + "/account")
        driver.delete_all_cookies()
        driver.get(url + "/password/forgot")
        form = driver.find_element(By.CSS_SELECTOR, "form#forgot-form")
        form.find_element(By.NAME, "email").send_keys(owner)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        reset = link_path(read_mail(data_dir, owner, "password-reset"), "/password/reset/")
        time.sleep(4)
        assert_link_refused(driver, url + path)
        assert_link_refused(driver, url + reset)
        assert_link_refused(driver, url + verify)
        # The expired link verified nothing: signed in again, the account still says so.
        sign_in(driver, url, owner, PASSWORD)
        driver.get(url + "/account")
        assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="unverified"]')


def test_email_verification_link(driver, base_url, app_data_dir):
    address = sign_up(driver, base_url)
    driver.get(base_url + "/account")
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="unverified"]')
    path = link_path(read_mail(app_data_dir, address, "verify-email"), "/email/verify/")
    driver.get(base_url + path)
    wait_for_path(driver, "/account")
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="unverified"]')
    assert driver.find_elements(By.CSS_SELECTOR, ".alert-notice")
    assert_link_refused(driver, base_url + path)


def test_password_reset_end_to_end(driver, second_driver, base_url, app_data_dir):
    address = sign_up(driver, base_url)
    # Another browser stays signed in: the reset ends its session too.
    sign_in(second_driver, base_url, address, PASSWORD)
    driver.delete_all_cookies()
    driver.get(base_url + "/signin")
    driver.find_element(By.CSS_SELECTOR, '[data-testid="forgot-password-link"]').click()
    wait_for_path(driver, "/password/forgot")
    form = driver.find_element(By.CSS_SELECTOR, "form#forgot-form")
    form.find_element(By.NAME, "email").send_keys(address)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert-notice"))
    path = link_path(read_mail(app_data_dir, address, "password-reset"), "/password/reset/")

    driver.get(base_url + path)
    form = driver.find_element(By.CSS_SELECTOR, "form#reset-form")
    form.find_element(By.NAME, "password").send_keys(NEW_PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_path(driver, "/signin")
    assert driver.find_elements(By.CSS_SELECTOR, ".alert-notice")
    read_mail(app_data_dir, address, "password-changed")

    second_driver.get(base_url + "/dashboard")
    wait_for_path(second_driver, "/signin")

    sign_in(driver, base_url, address, NEW_PASSWORD)
    wait_for_path(driver, "/dashboard")
    assert_link_refused(driver, base_url + path)


def test_unknown_address_gets_the_same_reset_answer(driver, base_url):
    answers = []
    for address in (email("nobody"), sign_up(driver, base_url)):
        driver.delete_all_cookies()
        driver.get(base_url + "/password/forgot")
        form = driver.find_element(By.CSS_SELECTOR, "form#forgot-form")
        form.find_element(By.NAME, "email").send_keys(address)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert-notice"))
        answers.append((path_of(driver), driver.find_element(By.CSS_SELECTOR, ".alert-notice").text))
    assert answers[0] == answers[1]
