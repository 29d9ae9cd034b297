"""A member makes a segment: from the contact list to the segment editor, ticks a tag and watches
the live count follow the filter, saves, and finds the segment with its count in the list."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import sign_up, wait, wait_for_path

# Two customers tagged VIP and one without, made through the JSON API with the page's session.
SETUP = """
const done = arguments[arguments.length - 1];
const token = document.querySelector('input[name="_csrf"]').value;
const send = (path, body) => fetch(path, {
  method: "POST",
  headers: {"Content-Type": "application/json", "X-CSRF-Token": token, Accept: "application/json"},
  body: JSON.stringify(body),
}).then(r => r.status);
(async () => {
  const statuses = [await send("/api/v1/tags", {name: "VIP"})];
  statuses.push(await send("/api/v1/contacts", {name: "Segment Klant Een", phone: "+31611110001", tags: ["VIP"]}));
  statuses.push(await send("/api/v1/contacts", {name: "Segment Klant Twee", phone: "+31611110002", tags: ["VIP"]}));
  statuses.push(await send("/api/v1/contacts", {name: "Segment Klant Drie", phone: "+31611110003"}));
  done(statuses);
})().catch(error => done(String(error)));
"""


def count_text(driver) -> str:
    return driver.find_element(By.ID, "segment-count").text


def test_segment_with_live_count(driver, base_url):
    sign_up(driver, base_url)
    assert driver.execute_async_script(SETUP) == [201, 201, 201, 201]

    driver.get(f"{base_url}/contacts")
    driver.find_element(By.CSS_SELECTOR, 'a[href="/contacts/segments"]').click()
    wait_for_path(driver, "/contacts/segments")
    assert driver.find_element(By.ID, "segments-empty")
    driver.find_element(By.CSS_SELECTOR, 'a[href="/contacts/segments/new"]').click()
    wait_for_path(driver, "/contacts/segments/new")

    # Rendered by the server on load: every contact.
    assert count_text(driver) == "3 contacts"
    driver.find_element(By.ID, "name").send_keys("VIP klanten")
    # Typing the name asks nothing.
    assert count_text(driver) == "3 contacts"

    vip = driver.find_element(By.XPATH, '//label[contains(@class, "checkbox")][contains(., "VIP")]/input')
    vip.click()
    wait(driver).until(lambda d: count_text(d) == "2 contacts")
    link = driver.find_element(By.ID, "segment-contacts-link").get_attribute("href")
    assert "/contacts?" in link and "tag=" in link

    # Narrower, then back to "any": the count follows each change.
    marketing = Select(driver.find_element(By.ID, "marketing"))
    marketing.select_by_value("opted_in")
    wait(driver).until(lambda d: count_text(d) == "0 contacts")
    marketing.select_by_value("")
    wait(driver).until(lambda d: count_text(d) == "2 contacts")

    driver.find_element(By.CSS_SELECTOR, "#segment-form button[type=submit]").click()
    wait_for_path(driver, "/contacts/segments")
    row = driver.find_element(By.CSS_SELECTOR, "#segments-table tbody tr")
    assert "VIP klanten" in row.text
    assert row.find_element(By.CSS_SELECTOR, '[data-field="count"]').text == "2 contacts"

    # The editor opens with the saved filter and its count.
    row.find_element(By.LINK_TEXT, "VIP klanten").click()
    wait(driver).until(lambda d: d.find_elements(By.ID, "segment-form"))
    assert count_text(driver) == "2 contacts"
    assert driver.find_element(By.XPATH, '//label[contains(@class, "checkbox")][contains(., "VIP")]/input').is_selected()
