"""AI help in a real browser, against `adsapp serve --demo` with its provider set to the loopback
`llm-simulator` (built beside the app): a reply draft streams into the composer of an open
conversation without a reload, and stays there for the agent to edit (nothing is sent); the
conversation and the AI settings page pass axe in English and in Dutch."""

import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import running_app
from helpers import ARTIFACTS, reload_until, sign_in, wait
from support.processes import start_process, stop_process
from test_inbox import DEMO_UNSET, OWNER, assert_not_reloaded, conversation_rows, mark_page
from test_whatsapp import _format, _violations, switch_language

API_KEY = "sk-or-test-browser"
# Long enough to arrive in many pieces.
ANSWER = ("Goedemorgen! Ja, we zijn zondag open van 8 tot 12 uur. Het zuurdesembrood kost €4,50. "
          "Zal ik er een voor je apart leggen?")


@pytest.fixture(scope="module")
def ai_demo(tmp_path_factory):
    simulator_binary = Path(os.environ["ADSAPP_BIN"]).with_name("llm-simulator")
    if not os.access(simulator_binary, os.X_OK):
        pytest.fail(f"{simulator_binary} is missing: run `swift build` first")
    ARTIFACTS.mkdir(exist_ok=True)
    simulator = start_process([str(simulator_binary), "--api-key", API_KEY, "--answer", ANSWER],
                              ARTIFACTS / "llm-simulator.log", dict(os.environ), stdout=subprocess.PIPE)
    try:
        base = simulator.stdout.readline().decode().strip()
        assert base.startswith("http://127.0.0.1:"), f"llm-simulator did not start: {base!r}"
        data_dir = tmp_path_factory.mktemp("adsapp-ai-demo")
        extra = {"OPENROUTER_API_KEY": API_KEY, "OPENROUTER_BASE_URL": base}
        with running_app(["--demo"], data_dir, ARTIFACTS / "ai-demo-server.log", DEMO_UNSET, extra) as url:
            yield url
    finally:
        stop_process(simulator)


def test_a_draft_streams_into_the_composer_and_waits_for_the_agent(driver, ai_demo):
    sign_in(driver, ai_demo, *OWNER)
    reload_until(driver, ai_demo + "/inbox", conversation_rows, 60, "no conversation appeared in /inbox")
    conversation = conversation_rows(driver)[0].find_element(By.TAG_NAME, "a").get_attribute("href")
    driver.get(conversation)
    composer = driver.find_element(By.ID, "compose-text")
    composer.send_keys("my own words")
    outbound_before = len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="thread"] .outbound'))
    mark_page(driver)

    # Watch the composer while the draft comes in: it grows piece by piece.
    driver.execute_script("""
        window.__lengths = [];
        const box = document.getElementById("compose-text");
        const watch = () => { window.__lengths.push(box.value.length); if (window.__lengths.length < 2000) requestAnimationFrame(watch); };
        requestAnimationFrame(watch);
    """)
    driver.find_element(By.ID, "ai-draft").click()
    wait(driver, 20).until(lambda d: d.find_element(By.ID, "compose-text").get_property("value") == ANSWER)
    assert "Read and edit it before you send it" in driver.find_element(By.ID, "ai-draft-status").text
    assert_not_reloaded(driver)
    lengths = driver.execute_script("return window.__lengths")
    partial = {n for n in lengths if 0 < n < len(ANSWER)}
    assert partial, f"the draft arrived whole, not streamed: {sorted(set(lengths))[:20]}"
    assert driver.switch_to.active_element.get_attribute("id") == "compose-text", "the agent can edit at once"
    # Nothing was sent: the thread has no new outbound message.
    assert len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="thread"] .outbound')) == outbound_before

    violations = _violations(driver)
    assert not violations, _format("conversation with a draft (en)", violations)
    driver.get(ai_demo + "/settings/ai")
    assert driver.find_element(By.CSS_SELECTOR, '[data-testid="ai-usage-chart"]')
    assert "Requests this month: 1;" in driver.find_element(By.CSS_SELECTOR, '[data-testid="ai-usage-total"]').text
    violations = _violations(driver)
    assert not violations, _format("/settings/ai (en)", violations)
    switch_language(driver, "nl")
    assert driver.find_element(By.TAG_NAME, "h1").text == "AI-hulp"
    violations = _violations(driver)
    assert not violations, _format("/settings/ai (nl)", violations)
    switch_language(driver, "en")
