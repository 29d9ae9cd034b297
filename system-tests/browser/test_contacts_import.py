"""A member imports contacts from a CSV file: upload, check the mapping, start, watch the bar reach
100% and find the contacts in the list."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import sign_up, wait, wait_for_path


def test_import_csv_with_progress(driver, base_url, tmp_path):
    sign_up(driver, base_url)
    rows = ["Naam;Telefoon;E-mail;Opt-in"] + [
        f"Browser Klant {i};06 2{i:07d};klant{i}@example.com;{'ja' if i % 2 else 'nee'}" for i in range(1, 1201)
    ]
    csv = tmp_path / "klanten.csv"
    # As Excel on Windows writes it: Windows-1252 with semicolons.
    csv.write_bytes(("\r\n".join(rows) + "\r\n").replace("Klant 1;", "Kläant 1;").encode("cp1252"))

    driver.get(f"{base_url}/contacts/import")
    driver.find_element(By.ID, "import-file").send_keys(str(csv))
    driver.find_element(By.CSS_SELECTOR, "#import-form button[type=submit]").click()

    # The review page: the first rows and the columns guessed from the Dutch header.
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=import-preview]"))
    assert "Kläant 1" in driver.find_element(By.CSS_SELECTOR, "[data-testid=import-preview]").text
    assert Select(driver.find_element(By.ID, "column0")).first_selected_option.get_attribute("value") == "name"
    assert Select(driver.find_element(By.ID, "column1")).first_selected_option.get_attribute("value") == "phone"
    assert Select(driver.find_element(By.ID, "column2")).first_selected_option.get_attribute("value") == "email"
    assert Select(driver.find_element(By.ID, "column3")).first_selected_option.get_attribute("value") == "opt_in"
    driver.find_element(By.CSS_SELECTOR, "#import-mapping button[type=submit]").click()

    # The job page follows the import live until it is finished.
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#job-progress progress"))
    assert "/jobs/" in driver.current_url
    bar = driver.find_element(By.CSS_SELECTOR, "#job-progress progress")
    wait(driver, 60).until(lambda d: bar.get_attribute("value") == "100")
    state = driver.find_element(By.CSS_SELECTOR, '#job-progress [data-field="state"]')
    wait(driver, 20).until(lambda d: state.text == "Finished")

    driver.get(f"{base_url}/contacts?q=Browser%20Klant%201200")
    wait_for_path(driver, "/contacts")
    assert "Browser Klant 1200" in driver.page_source
