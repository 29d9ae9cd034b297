"""Helpers shared by the browser tests (pytest puts this directory on sys.path)."""

import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "correct-horse-battery-staple-42"


def wait(drv, timeout: float = 10) -> "PageWait":
    return PageWait(drv, timeout)


class PageWait:
    """`WebDriverWait` for pages that change under the test.

    The live inbox swaps parts of the page while a test looks at them, and a submitted form loads the
    next document: an element found a moment ago may be gone, or Chrome may answer "unhandled inspector
    error" because the document it was asked about is being replaced. Both only mean "look again"; any
    other error still fails the test at once, and a condition that never holds still times out.
    """

    def __init__(self, drv, timeout: float):
        self._wait = WebDriverWait(drv, timeout, ignored_exceptions=(StaleElementReferenceException,))

    def until(self, condition, message: str = ""):
        def looking(drv):
            try:
                return condition(drv)
            except WebDriverException as error:
                if _between_documents(error):
                    return False
                raise

        return self._wait.until(looking, message)


def _between_documents(error: WebDriverException) -> bool:
    if isinstance(error, StaleElementReferenceException):
        return False  # WebDriverWait ignores these itself
    text = str(error.msg or "")
    return "unhandled inspector error" in text or "Cannot find context" in text


def retry_stale(action, attempts: int = 5):
    """Runs `action` again when the live page replaced the element it was using."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def path_of(drv) -> str:
    return urllib.parse.urlsplit(drv.current_url).path


def wait_for_path(drv, path: str, timeout: float = 10) -> None:
    try:
        wait(drv, timeout).until(lambda d: path_of(d).rstrip("/") == path)
    except Exception:
        pytest.fail(f"expected to be on {path}, but the browser is on {drv.current_url}")


def unique_email() -> str:
    return f"smoke-{uuid.uuid4().hex[:12]}@example.com"


def sign_up(drv, base_url: str, email: str | None = None) -> str:
    """Signs up a new user and organization through the UI; returns the email. Ends on /dashboard."""
    email = email or unique_email()
    drv.get(base_url + "/signup")
    form = drv.find_element(By.CSS_SELECTOR, "form#signup-form")
    for name, value in (("name", "Smoke Tester"), ("organization", "Smoke Test BV"),
                        ("email", email), ("password", PASSWORD)):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Sign-up answers alike for new and taken addresses and signs nobody in: the new account signs in.
    wait_for_path(drv, "/signin")
    sign_in(drv, base_url, email, PASSWORD)
    wait_for_path(drv, "/dashboard")
    return email


def nav_link_words(drv) -> set[str]:
    """The words of the link texts in the main navigation (tolerates icons and badges)."""
    nav = drv.find_element(By.CSS_SELECTOR, 'nav[data-testid="main-nav"]')
    words = set()
    for link in nav.find_elements(By.TAG_NAME, "a"):
        words.update((link.get_attribute("textContent") or "").split())
    return words


def page_lang(drv) -> str:
    return drv.execute_script("return document.documentElement.lang")


def sign_in(drv, base_url: str, email: str, password: str) -> None:
    drv.get(base_url + "/signin")
    form = drv.find_element(By.CSS_SELECTOR, "form#signin-form")
    form.find_element(By.NAME, "email").send_keys(email)
    form.find_element(By.NAME, "password").send_keys(password)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(drv).until(lambda d: path_of(d).rstrip("/") not in ("/signin", ""))


def reload_until(drv, url: str, condition, timeout: float, what: str):
    """Loads `url` until `condition(driver)` is truthy (pages that do not update by themselves)."""
    deadline = time.monotonic() + timeout
    while True:
        drv.get(url)
        if result := condition(drv):
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f}s (on {drv.current_url})")
        time.sleep(1)
