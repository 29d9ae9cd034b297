"""A drip sequence made and activated in a real browser, against `adsapp serve --demo`: the owner
names it, enrols a tag's contacts, adds a template step with its variables and a free-text step a day
later, activates it, and sees step 1 reach every contact; the drip pages pass axe in English and in
Dutch."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import ARTIFACTS, page_lang, sign_in, wait, wait_for_path
from test_campaigns import SETUP
from test_whatsapp import DEMO_EMAIL, DEMO_PASSWORD, _format, _violations, demo_url, switch_language  # noqa: F401


def step_number(driver, position: int, column: int) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f'#drip-steps tr[data-step="{position}"] td:nth-child({column})').text.split()[0])


def test_owner_builds_a_drip_sequence_and_step_one_goes_out(driver, demo_url):  # noqa: F811
    sign_in(driver, demo_url, DEMO_EMAIL, DEMO_PASSWORD)
    driver.get(demo_url + "/campaigns")
    assert driver.execute_async_script(SETUP) == [201, 201, 201, 201]

    driver.find_element(By.ID, "drips-link").click()
    wait_for_path(driver, "/drips")
    driver.find_element(By.CSS_SELECTOR, 'a[href="/drips/new"]').click()
    wait_for_path(driver, "/drips/new")
    form = driver.find_element(By.ID, "drip-form")
    form.find_element(By.ID, "name").send_keys("Welkomstreeks")
    Select(form.find_element(By.ID, "drip-tag")).select_by_visible_text("Winteractie")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.ID, "drip-add-step"))
    drip = driver.current_url.split("?")[0].removeprefix(demo_url)

    # Step 1: the template, its variables from the contact and fixed text.
    Select(driver.find_element(By.ID, "drip-step")).select_by_value("bestelling_klaar|nl")
    driver.find_element(By.CSS_SELECTOR, "#drip-step-choice button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.ID, "drip-step-form"))
    form = driver.find_element(By.ID, "drip-step-form")
    amount = form.find_element(By.ID, "delay_amount")
    amount.clear()
    amount.send_keys("0")
    Select(form.find_element(By.ID, "body0-source")).select_by_value("name")
    Select(form.find_element(By.ID, "body1-source")).select_by_value("text")
    form.find_element(By.ID, "body1_text").send_keys("W-24")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#drip-steps tr[data-step="1"]'))

    # Step 2: free text a day later.
    Select(driver.find_element(By.ID, "drip-step")).select_by_value("text")
    driver.find_element(By.CSS_SELECTOR, "#drip-step-choice button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.ID, "drip-text"))
    driver.find_element(By.ID, "drip-text").send_keys("Nog vragen over je bestelling?")
    driver.find_element(By.CSS_SELECTOR, "#drip-step-form button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#drip-steps tr[data-step="2"]'))
    assert "after 1 days" in driver.find_element(By.CSS_SELECTOR, '#drip-steps tr[data-step="2"]').text

    driver.find_element(By.CSS_SELECTOR, "#drip-actions button.button-primary").click()
    wait(driver).until(lambda d: "is active" in d.find_element(By.TAG_NAME, "main").text)
    # Step 1 goes out at once; the sent column counts what Meta accepted (queued until then).
    wait(driver, 60).until(lambda d: (step_number(d, 1, 5) + step_number(d, 1, 6) == 3) or (d.refresh() and False))
    wait(driver, 60).until(lambda d: step_number(d, 1, 6) == 3 or (d.refresh() and False))
    assert int(driver.find_element(By.CSS_SELECTOR, '#drip-summary [data-field="enrolled"]').text) == 3
    assert step_number(driver, 2, 4) == 3, "all three wait for step 2"

    failures = []
    try:
        for language in ("en", "nl"):
            driver.get(demo_url + "/drips")
            switch_language(driver, language)
            for page in ["/drips", "/drips/new", drip]:
                driver.get(demo_url + page)
                assert page_lang(driver) == language, f"{page} is not in {language}"
                if found := _violations(driver):
                    failures.append(_format(f"{page} ({language})", found))
                    ARTIFACTS.mkdir(exist_ok=True)
                    driver.save_screenshot(str(ARTIFACTS / f"axe-{language}-drip.png"))
    finally:
        driver.get(demo_url + "/drips")
        switch_language(driver, "en")
    assert not failures, "\n\n".join(failures)
