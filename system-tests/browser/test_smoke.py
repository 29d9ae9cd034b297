"""Browser smoke tests: sign-up, navigation, language switch, sign-in error, accessibility."""

from pathlib import Path

import axe_core_python
import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import (ARTIFACTS, PASSWORD, nav_link_words, page_lang, path_of, sign_up,
                     wait, wait_for_path)

NAV_EN = ["Inbox", "Contacts", "Campaigns", "Templates", "Automation", "Analytics", "Settings"]
NAV_NL = ["Contacten", "Instellingen"]
# A current axe-core engine (see requirements-peers.txt), driven by axe-selenium-python.
AXE_SCRIPT = Path(axe_core_python.__file__).parent / "axe.min.js"


def test_signup_lands_on_dashboard_and_switches_language(driver, base_url):
    driver.get(base_url + "/")
    wait_for_path(driver, "/signin")

    driver.find_element(By.CSS_SELECTOR, '[data-testid="signup-link"]').click()
    wait_for_path(driver, "/signup")
    sign_up(driver, base_url)

    assert driver.current_url.rstrip("/").endswith("/dashboard")
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="dashboard-title"]')
    assert page_lang(driver) == "en"
    words = nav_link_words(driver)
    missing = [label for label in NAV_EN if label not in words]
    assert not missing, f"main nav lacks {missing}; it has {sorted(words)}"

    form = driver.find_element(By.CSS_SELECTOR, "form#language-form")
    Select(form.find_element(By.CSS_SELECTOR, 'select[name="language"]')).select_by_value("nl")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(lambda d: page_lang(d) == "nl")
    words = nav_link_words(driver)
    missing = [label for label in NAV_NL if label not in words]
    assert not missing, f"Dutch main nav lacks {missing}; it has {sorted(words)}"

    driver.refresh()
    assert page_lang(driver) == "nl", "the language preference was not kept after a reload"
    assert "Instellingen" in nav_link_words(driver)


def test_wrong_password_shows_alert(driver, base_url):
    email = sign_up(driver, base_url)
    driver.delete_all_cookies()

    driver.get(base_url + "/signin")
    form = driver.find_element(By.CSS_SELECTOR, "form#signin-form")
    form.find_element(By.NAME, "email").send_keys(email)
    form.find_element(By.NAME, "password").send_keys(PASSWORD + "-wrong")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    alerts = wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[role="alert"]'))
    assert any(a.text.strip() for a in alerts), "the alert is empty"
    assert path_of(driver).rstrip("/") == "/signin"


def _serious_violations(driver) -> list[dict]:
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    results = axe.run()
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]


def _format(page: str, violations: list[dict]) -> str:
    lines = [f"{page}: {len(violations)} serious/critical accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node.get('target', [])))}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def test_accessibility_of_every_kind_of_page(driver, base_url):
    failures = []
    driver.get(base_url + "/signin")
    if found := _serious_violations(driver):
        failures.append(_format("/signin", found))

    sign_up(driver, base_url)
    for path in ["/dashboard", "/settings/members", "/account", "/inbox", "/no-such-page"]:
        driver.get(base_url + path)
        if found := _serious_violations(driver):
            failures.append(_format(path, found))

    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_dashboard_screenshot(driver, base_url):
    sign_up(driver, base_url)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "dashboard.png"
    assert driver.save_screenshot(str(target))
    assert target.stat().st_size > 0
