"""A broadcast made and sent in a real browser, against `adsapp serve --demo` (its Graph API
simulator calls back with delivery statuses): the owner picks the demo number and a template, fills
its variables from the contact and fixed text, aims it at a tag, checks the preview, sends, and
watches the page follow the campaign to its end; the form and the campaign page pass axe in English
and in Dutch."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import ARTIFACTS, page_lang, sign_in, wait, wait_for_path
from test_whatsapp import DEMO_EMAIL, DEMO_PASSWORD, _format, _violations, demo_url, switch_language  # noqa: F401

# Three opted-in customers tagged "Winteractie", made through the JSON API with the page's session.
SETUP = """
const done = arguments[arguments.length - 1];
const token = document.querySelector('input[name="_csrf"]').value;
const send = (path, body) => fetch(path, {
  method: "POST",
  headers: {"Content-Type": "application/json", "X-CSRF-Token": token, Accept: "application/json"},
  body: JSON.stringify(body),
}).then(r => r.status);
(async () => {
  const statuses = [await send("/api/v1/tags", {name: "Winteractie"})];
  for (const [name, phone] of [["Wim", "+31611120001"], ["Wanda", "+31611120002"], ["Willem", "+31611120003"]]) {
    statuses.push(await send("/api/v1/contacts", {name, phone, tags: ["Winteractie"], marketing_status: "opted_in"}));
  }
  done(statuses);
})().catch(error => done(String(error)));
"""


def number(driver, field: str) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f'#campaign-progress [data-field="{field}"]').text)


def test_owner_sends_a_campaign_and_watches_it_finish(driver, demo_url):  # noqa: F811
    sign_in(driver, demo_url, DEMO_EMAIL, DEMO_PASSWORD)
    driver.get(demo_url + "/campaigns")
    assert driver.execute_async_script(SETUP) == [201, 201, 201, 201]

    driver.find_element(By.CSS_SELECTOR, 'a[href="/campaigns/new"]').click()
    wait_for_path(driver, "/campaigns/new")
    Select(driver.find_element(By.ID, "campaign-template")).select_by_value("bestelling_klaar|nl")
    driver.find_element(By.CSS_SELECTOR, "#campaign-template-form button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.ID, "campaign-form"))

    form = driver.find_element(By.ID, "campaign-form")
    form.find_element(By.ID, "name").send_keys("Winteractie")
    Select(form.find_element(By.ID, "body0-source")).select_by_value("name")
    form.find_element(By.ID, "body0_fallback").send_keys("klant")
    Select(form.find_element(By.ID, "body1-source")).select_by_value("text")
    form.find_element(By.ID, "body1_text").send_keys("W-24")
    form.find_element(By.XPATH, '//label[contains(@class, "checkbox")][contains(., "Winteractie")]/input').click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    wait(driver).until(lambda d: d.find_elements(By.ID, "campaign-preview"))
    preview = driver.find_element(By.ID, "campaign-preview").text
    assert "je bestelling W-24 ligt klaar" in preview and "Wim" in preview, preview
    assert number(driver, "audience") == 0, "the audience is taken when it starts"

    driver.find_element(By.CSS_SELECTOR, "#campaign-actions button.button-primary").click()
    wait(driver).until(lambda d: "on its way" in d.find_element(By.TAG_NAME, "main").text)
    # campaign.js keeps the numbers live and reloads the page once it is over.
    wait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-field="status"]').text == "Finished")
    wait(driver, 30).until(lambda d: number(d, "read") == 3 or (d.refresh() and False))
    assert number(driver, "sent") == 3 and number(driver, "skipped") == 0
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="campaign-chart"]')

    campaign = driver.current_url.split("?")[0].removeprefix(demo_url)
    failures = []
    try:
        for language in ("en", "nl"):
            driver.get(demo_url + "/campaigns")
            switch_language(driver, language)
            for page in ["/campaigns", "/campaigns/new?template=bestelling_klaar%7Cnl", campaign]:
                driver.get(demo_url + page)
                assert page_lang(driver) == language, f"{page} is not in {language}"
                if found := _violations(driver):
                    failures.append(_format(f"{page} ({language})", found))
                    ARTIFACTS.mkdir(exist_ok=True)
                    driver.save_screenshot(str(ARTIFACTS / f"axe-{language}-campaign.png"))
    finally:
        driver.get(demo_url + "/campaigns")
        switch_language(driver, "en")
    assert not failures, "\n\n".join(failures)
