"""Two-factor sign-in in the browser: set up from the key on the page (codes computed with pyotp),
sign out, sign in with a code (a wrong and a reused one refused), a recovery code once, and a
remembered device that skips the code."""

import time

import pyotp
from selenium.webdriver.common.by import By

from helpers import PASSWORD, path_of, sign_in, sign_up, wait, wait_for_path


def sign_out(drv):
    drv.find_element(By.CSS_SELECTOR, 'form[action="/signout"] button').click()
    wait_for_path(drv, "/signin")


def enter_code(drv, code, remember=False):
    form = drv.find_element(By.CSS_SELECTOR, "form#two-factor-signin-form")
    form.find_element(By.NAME, "code").send_keys(code)
    if remember:
        form.find_element(By.ID, "remember").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def error_text(drv) -> str:
    """The error the code page answered with (waited for: the click does not wait for the answer)."""
    return wait(drv).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert-error"))[0].text


def next_step_code(totp: pyotp.TOTP) -> str:
    """A code of a step not used yet: wait for the next 30-second step."""
    time.sleep(30 - time.time() % 30 + 0.5)
    return totp.now()


def test_two_factor_sign_in(driver, base_url):
    email = sign_up(driver, base_url)
    driver.get(base_url + "/account")
    driver.find_element(By.CSS_SELECTOR, '[data-testid="two-factor-link"]').click()
    wait_for_path(driver, "/account/two-factor")
    assert driver.find_element(By.CSS_SELECTOR, 'svg[data-testid="two-factor-qr"]').is_displayed()
    totp = pyotp.TOTP(driver.find_element(By.CSS_SELECTOR, '[data-testid="two-factor-secret"]').text.replace(" ", ""))
    form = driver.find_element(By.ID, "two-factor-confirm-form")
    form.find_element(By.NAME, "code").send_keys(totp.now())
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    codes = [e.text for e in wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="recovery-codes"] code'))]
    assert len(codes) == 10

    sign_out(driver)
    sign_in(driver, base_url, email, PASSWORD)
    wait_for_path(driver, "/signin/two-factor")
    enter_code(driver, "000000")
    assert "not correct" in error_text(driver)
    code = next_step_code(totp)
    enter_code(driver, code)
    wait_for_path(driver, "/dashboard")

    sign_out(driver)
    sign_in(driver, base_url, email, PASSWORD)
    enter_code(driver, code)
    assert "already used" in error_text(driver)

    enter_code(driver, codes[0])
    wait_for_path(driver, "/dashboard")
    sign_out(driver)
    sign_in(driver, base_url, email, PASSWORD)
    enter_code(driver, codes[0])
    assert error_text(driver), "a used recovery code is refused with an error"
    assert path_of(driver) == "/signin/two-factor"

    enter_code(driver, next_step_code(totp), remember=True)
    wait_for_path(driver, "/dashboard")
    sign_out(driver)
    sign_in(driver, base_url, email, PASSWORD)
    wait_for_path(driver, "/dashboard")
