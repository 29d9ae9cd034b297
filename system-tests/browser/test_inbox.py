"""The shared inbox with two people at once, in two real browsers.

Across two app processes on one PostgreSQL (one with the demo's simulated customers, one serving
web pages only): each sees the other's notes, assignments, replies and state changes without
reloading, and who else is looking. In one process on SQLite: the keyboard shortcuts, the help
overlay and canned responses."""

import uuid

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import running_app
from helpers import ARTIFACTS, path_of, reload_until, retry_stale, sign_in, wait
from support.processes import postgres_database

OWNER = ("demo@adsapp.local", "sourdough-starter-2026")
AGENT = ("agent@adsapp.local", "sourdough-starter-2026")
DEMO_UNSET = ("WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID",
              "WHATSAPP_WEBHOOK_VERIFY_TOKEN", "WHATSAPP_GRAPH_URL")


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """(A, B): A is `serve --demo` (customers, simulator, workers), B is a second `serve` that only
    serves pages (JOBS_IN_PROCESS=false); both on one new PostgreSQL database."""
    data_dir = tmp_path_factory.mktemp("adsapp-two-processes")
    with postgres_database("adsapp_browser") as database_url:
        with running_app(["--demo"], data_dir, ARTIFACTS / "process-a.log", DEMO_UNSET, {"DATABASE_URL": database_url}) as a:
            with running_app([], data_dir, ARTIFACTS / "process-b.log", DEMO_UNSET,
                             {"DATABASE_URL": database_url, "JOBS_IN_PROCESS": "false"}) as b:
                yield a, b


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("adsapp-inbox-demo")
    with running_app(["--demo"], data_dir, ARTIFACTS / "inbox-demo-server.log", DEMO_UNSET) as url:
        yield url


def conversation_rows(drv):
    return drv.find_elements(By.CSS_SELECTOR, '[data-testid="conversation-list"] li[data-conversation-id]')


def open_first_conversation(drv, base_url: str) -> str:
    reload_until(drv, base_url + "/inbox", conversation_rows, 60, "no conversation appeared in /inbox")
    retry_stale(lambda: conversation_rows(drv)[0].find_element(By.TAG_NAME, "a").click())
    wait(drv).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"]'))
    return path_of(drv)


def mark_page(drv) -> None:
    """Marks the loaded page, so a later check can tell it changed without being reloaded."""
    drv.execute_script("window.__notReloaded = true")


def assert_not_reloaded(drv) -> None:
    assert drv.execute_script("return window.__notReloaded === true"), "the page was reloaded instead of updated live"


def text_of(drv, selector: str) -> str:
    return retry_stale(lambda: " ".join(element.text for element in drv.find_elements(By.CSS_SELECTOR, selector)))


def test_two_agents_on_two_app_processes_see_each_others_work_live(driver, second_driver, two_processes):
    a, b = two_processes
    owner, agent = driver, second_driver
    sign_in(owner, a, *OWNER)
    sign_in(agent, b, *AGENT)
    conversation = open_first_conversation(owner, a)
    agent.get(b + conversation)
    wait(agent).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"]'))
    mark_page(owner)
    mark_page(agent)

    # Each sees who else is looking.
    wait(owner, 20).until(lambda d: "Demo Agent" in text_of(d, '[data-testid="viewers"]'))

    # A note written on process B appears on process A, and its mention reaches the owner.
    note = f"@demo can you check order {uuid.uuid4().hex[:6]}?"
    agent.find_element(By.ID, "note-text").send_keys(note)
    agent.find_element(By.CSS_SELECTOR, "form#note-form button[type=submit]").click()
    wait(owner, 15).until(lambda d: note in text_of(d, '[data-testid="note"]'))
    wait(owner, 15).until(lambda d: "mentioned you" in d.find_element(By.ID, "live").text)
    assert_not_reloaded(owner)

    # An assignment on A appears on B.
    mark_page(agent)
    Select(owner.find_element(By.ID, "assignee-select")).select_by_visible_text("Demo Agent")
    owner.find_element(By.CSS_SELECTOR, "form#work-assign button[type=submit]").click()
    wait(agent, 15).until(lambda d: "Demo Agent" in text_of(d, '[data-testid="assignee"]'))
    assert_not_reloaded(agent)

    # A reply sent on A appears on B, and its ticks move there too.
    reply = f"Fresh loaves at nine, ref {uuid.uuid4().hex[:6]}"
    owner.find_element(By.ID, "compose-text").send_keys(reply)
    owner.find_element(By.CSS_SELECTOR, "form#compose-form button[type=submit]").click()
    wait(agent, 15).until(lambda d: reply in text_of(d, '[data-testid="thread"] li.bubble.outbound'))

    def delivered(d):
        for bubble in d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"] li.bubble.outbound'):
            if reply in bubble.text:
                return bubble.find_elements(By.CSS_SELECTOR, ".status-delivered, .status-read")
        return None

    wait(agent, 30).until(delivered)
    assert_not_reloaded(agent)

    # The agent watches the open list on B; the owner resolves the conversation on A.
    conversation_id = conversation.rstrip("/").rsplit("/", 1)[1]
    agent.get(b + "/inbox?status=open&assignee=all")
    wait(agent).until(lambda d: d.find_elements(By.CSS_SELECTOR, f'li[data-conversation-id="{conversation_id}"]'))
    mark_page(agent)
    owner.get(a + conversation)

    # The owner's own page redraws its work panel live; a click on a button that was just swapped out
    # does nothing, so click until the page shows the conversation resolved (its reopen form).
    def resolved(d):
        if d.find_elements(By.CSS_SELECTOR, "form#work-open"):
            return True
        for button in d.find_elements(By.CSS_SELECTOR, '[data-key="e"]'):
            try:
                button.click()
            except StaleElementReferenceException:
                pass  # found again on the next try
        return False

    wait(owner, 15).until(resolved)
    wait(agent, 30).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'li[data-conversation-id="{conversation_id}"]'))
    assert_not_reloaded(agent)
    # The list asked for the changed rows only, never for its whole page again.
    fetched = agent.execute_script(
        "return performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'fetch')"
        ".map((e) => new URL(e.name).pathname)")
    assert "/inbox/rows" in fetched, fetched
    assert "/inbox" not in fetched, f"the list fetched its whole page: {fetched}"


def test_keyboard_shortcuts_help_overlay_and_canned_responses(driver, demo_sqlite):
    sign_in(driver, demo_sqlite, *OWNER)
    reload_until(driver, demo_sqlite + "/inbox", conversation_rows, 60, "no conversation appeared in /inbox")
    body = driver.find_element(By.TAG_NAME, "body")

    body.send_keys("?")
    dialog = driver.find_element(By.ID, "shortcuts")
    wait(driver).until(lambda d: dialog.get_attribute("open") is not None)
    assert "Resolve the conversation" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "button").click()
    wait(driver).until(lambda d: dialog.get_attribute("open") is None)

    # j focuses the first conversation.
    driver.find_element(By.TAG_NAME, "body").send_keys("j")
    focused = driver.switch_to.active_element
    assert focused.get_attribute("href") and "/inbox/" in focused.get_attribute("href")
    # Open it by its address: the live list may swap the focused row just now.
    driver.get(focused.get_attribute("href"))
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="thread"]'))
    customer_first_name = driver.find_element(By.TAG_NAME, "h1").text.split()[0]

    # a assigns the conversation to me.
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    wait(driver).until(lambda d: "Demo Owner" in text_of(d, '[data-testid="assignee"]'))

    # r focuses the composer; /tha offers the canned answer, Enter takes it, filled in.
    driver.find_element(By.TAG_NAME, "body").send_keys("r")
    composer = driver.switch_to.active_element
    assert composer.get_attribute("id") == "compose-text"
    composer.send_keys("/tha")
    options = wait(driver).until(lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, "#canned-responses [data-shortcut]") if o.is_displayed()])
    assert [o.get_attribute("data-shortcut") for o in options] == ["thanks"]
    composer.send_keys(Keys.ENTER)
    value = composer.get_attribute("value")
    assert value == f"Thank you {customer_first_name}! Anything else we can do for you?", value
