"""The WhatsApp pages in a real browser, against `adsapp serve --demo`: the demo's simulated
customers write in, an agent answers from the conversation page and finds a customer with the
search box, and the inbox, a conversation, search results, /templates and /settings/whatsapp pass
axe in English and in Dutch."""

import uuid
from pathlib import Path

import axe_core_python
import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import running_app
from helpers import ARTIFACTS, page_lang, path_of, reload_until, retry_stale, sign_in, wait, wait_for_path

DEMO_EMAIL = "demo@adsapp.local"
DEMO_PASSWORD = "sourdough-starter-2026"
DEMO_NUMBER = "+31 20 555 0100"
DEMO_TEMPLATES = ["order_ready", "bestelling_klaar", "weekend_offer"]
AXE_SCRIPT = Path(axe_core_python.__file__).parent / "axe.min.js"
# Status texts of an answered message once the simulator has called back (English UI).
DELIVERY_STATUSES = {"status-sent", "status-delivered", "status-read"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """`$ADSAPP_BIN serve --demo` (its Graph API simulator and customers in-process), fresh DATA_DIR."""
    unset = ("WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID",
             "WHATSAPP_WEBHOOK_VERIFY_TOKEN", "WHATSAPP_GRAPH_URL")
    data_dir = tmp_path_factory.mktemp("adsapp-demo-data")
    with running_app(["--demo"], data_dir, ARTIFACTS / "demo-server.log", unset) as url:
        yield url


def sign_in_as_demo(drv, base_url: str) -> None:
    sign_in(drv, base_url, DEMO_EMAIL, DEMO_PASSWORD)


def conversation_links(drv):
    return drv.find_elements(By.CSS_SELECTOR, '[data-testid="conversation-list"] li a')


def open_first_conversation(drv, base_url: str) -> str:
    """Waits for the demo customers' first conversation in /inbox, opens it; returns its path."""
    reload_until(drv, base_url + "/inbox", conversation_links, 60, "no conversation appeared in /inbox")
    retry_stale(lambda: conversation_links(drv)[0].click())
    wait(drv).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"]'))
    return path_of(drv)


def switch_language(drv, language: str) -> None:
    form = drv.find_element(By.CSS_SELECTOR, "form#language-form")
    Select(form.find_element(By.CSS_SELECTOR, 'select[name="language"]')).select_by_value(language)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(drv).until(lambda d: page_lang(d) == language)


def test_agent_answers_a_demo_customer(driver, demo_url):
    sign_in_as_demo(driver, demo_url)
    conversation = open_first_conversation(driver, demo_url)
    inbound = driver.find_elements(By.CSS_SELECTOR, '[data-testid="thread"] li.bubble.inbound')
    assert inbound, "the conversation shows no message from the customer"

    text = f"Thanks for writing! Reference {uuid.uuid4().hex[:8]}"
    form = driver.find_element(By.CSS_SELECTOR, "form#compose-form")
    form.find_element(By.CSS_SELECTOR, "textarea#compose-text").send_keys(text)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def my_bubble(d):
        for bubble in d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"] li.bubble.outbound'):
            if text in bubble.text:
                return bubble
        return None

    wait(driver, 15).until(my_bubble)
    assert path_of(driver).rstrip("/") == conversation, f"after sending, the browser is on {driver.current_url}"
    # The simulator's status callbacks redraw the bubble as they arrive: find it afresh when it was replaced.
    status_text = retry_stale(lambda: my_bubble(driver).find_element(By.CSS_SELECTOR, ".meta .status").text)
    assert status_text.strip(" ·"), "the answered message shows no status"

    # The simulator calls back sent → delivered → read within a few seconds.
    def delivered(d):
        b = my_bubble(d)
        if b is None:
            return None
        s = b.find_element(By.CSS_SELECTOR, ".meta .status")
        return s if DELIVERY_STATUSES & set((s.get_attribute("class") or "").split()) else None

    reload_until(driver, demo_url + conversation, delivered, 30, "the answer never reached sent/delivered/read")
    final = retry_stale(lambda: my_bubble(driver).find_element(By.CSS_SELECTOR, ".meta .status").text)
    assert final.strip(" ·") in {"Sent", "Delivered", "Read"}, final


def test_templates_and_whatsapp_settings(driver, demo_url):
    sign_in_as_demo(driver, demo_url)

    def all_templates(d):
        names = {row.find_element(By.TAG_NAME, "td").text for row in d.find_elements(By.CSS_SELECTOR, "tr[data-template-id]")}
        return names if set(DEMO_TEMPLATES) <= names else None

    names = reload_until(driver, demo_url + "/templates", all_templates, 30, f"/templates never listed {DEMO_TEMPLATES}")
    assert driver.find_element(By.TAG_NAME, "h1").text.strip()
    assert set(DEMO_TEMPLATES) <= names
    assert driver.find_elements(By.CSS_SELECTOR, "form#template-create-form")

    driver.get(demo_url + "/settings/whatsapp")
    rows = driver.find_elements(By.CSS_SELECTOR, "tr[data-connection-id]")
    assert len(rows) == 1, f"expected the demo's one connected number, found {len(rows)}"
    assert DEMO_NUMBER in rows[0].text
    assert "/api/webhooks/whatsapp" in driver.page_source
    assert driver.find_elements(By.CSS_SELECTOR, "form#connect-form")


def first_name_in(drv) -> str:
    """The first word of the open conversation's title: the customer's first name."""
    return drv.find_element(By.TAG_NAME, "h1").text.split()[0]


def test_agent_finds_a_customer_with_the_search_box(driver, demo_url):
    sign_in_as_demo(driver, demo_url)
    conversation = open_first_conversation(driver, demo_url)
    name = first_name_in(driver)

    driver.get(demo_url + "/inbox")
    box = driver.find_element(By.CSS_SELECTOR, '[data-testid="search-input"]')
    box.send_keys(name[:3].lower())
    box.submit()
    results = wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="search-results"] li'))
    marked = [m.text for m in driver.find_elements(By.CSS_SELECTOR, '[data-testid="search-results"] mark')]
    assert any(text.lower().startswith(name[:3].lower()) for text in marked), f"no marked match for {name[:3]!r} in {marked}"
    assert driver.find_element(By.CSS_SELECTOR, '[data-testid="search-input"]').get_attribute("value") == name[:3].lower()

    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, '[data-testid="search-results"] li a')]
    assert any(link.rstrip("/").endswith(conversation) for link in links), f"{conversation} is not among {links}"
    results[0].find_element(By.TAG_NAME, "a").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"]'))


def _violations(driver) -> list[dict]:
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    return axe.run()["violations"]


def _format(page: str, violations: list[dict]) -> str:
    lines = [f"{page}: {len(violations)} accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node.get('target', [])))}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def test_accessibility_of_whatsapp_pages_in_english_and_dutch(driver, demo_url):
    sign_in_as_demo(driver, demo_url)
    conversation = open_first_conversation(driver, demo_url)
    search = "/inbox?q=" + first_name_in(driver)[:3]
    pages = ["/inbox", "/inbox?status=resolved&assignee=mine", conversation, search, "/templates", "/settings/whatsapp", "/settings/inbox"]
    failures = []
    try:
        for language in ("en", "nl"):
            driver.get(demo_url + "/inbox")
            switch_language(driver, language)
            for page in pages:
                driver.get(demo_url + page)
                assert page_lang(driver) == language, f"{page} is not in {language}"
                if found := _violations(driver):
                    failures.append(_format(f"{page} ({language})", found))
                    ARTIFACTS.mkdir(exist_ok=True)
                    driver.save_screenshot(str(ARTIFACTS / f"axe-{language}-{page.strip('/').replace('/', '-').replace('?', '-')}.png"))
    finally:
        # The choice is stored with the demo person: leave them in English for the other tests.
        driver.get(demo_url + "/inbox")
        switch_language(driver, "en")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
