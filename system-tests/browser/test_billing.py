"""Billing in a real browser, against `adsapp serve` with Stripe set to the loopback `stripe-simulator`
(built beside the app): an owner without a plan starts a trial from the billing page, is redirected
to the Checkout page, pays there, and comes back to the plan Stripe's signed webhooks set; the
billing page passes axe in English and in Dutch."""

import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import running_app
from helpers import ARTIFACTS, reload_until, sign_up, wait, wait_for_path
from support.processes import free_port, start_process, stop_process
from test_whatsapp import _format, _violations, switch_language

SECRET_KEY = "sk_test_browser0000000000000000"
WEBHOOK_SECRET = "whsec_browser00000000000000000"
PRICES = {"STARTER": ("price_starter_b", 2900), "PROFESSIONAL": ("price_professional_b", 7900), "ENTERPRISE": ("price_enterprise_b", 24900)}


@pytest.fixture(scope="module")
def billing_url(tmp_path_factory):
    """The app on a port chosen first, and the Stripe simulator that posts its events there."""
    simulator_binary = Path(os.environ["ADSAPP_BIN"]).with_name("stripe-simulator")
    if not os.access(simulator_binary, os.X_OK):
        pytest.fail(f"{simulator_binary} is missing: run `swift build` first")
    app_port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    arguments = [str(simulator_binary), "--secret-key", SECRET_KEY, "--webhook-secret", WEBHOOK_SECRET,
                 "--webhook-url", f"http://127.0.0.1:{app_port}/api/webhooks/stripe"]
    for price, cents in PRICES.values():
        arguments += ["--price", f"{price}:{cents}:eur"]
    simulator = start_process(arguments, ARTIFACTS / "stripe-simulator.log", dict(os.environ), stdout=subprocess.PIPE)
    try:
        stripe_base = simulator.stdout.readline().decode().strip()
        assert stripe_base.startswith("http://127.0.0.1:"), f"stripe-simulator did not start: {stripe_base!r}"
        extra = {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": stripe_base}
        for plan, (price, _) in PRICES.items():
            extra[f"STRIPE_{plan}_PRICE_ID"] = price
        data_dir = tmp_path_factory.mktemp("adsapp-billing-data")
        with running_app([], data_dir, ARTIFACTS / "billing-server.log", extra=extra, port=app_port) as url:
            yield url, stripe_base
    finally:
        stop_process(simulator)


def test_owner_starts_a_trial_through_checkout_and_comes_back_to_the_plan(driver, billing_url):
    base_url, stripe_base = billing_url
    sign_up(driver, base_url)
    # No plan yet: every page says so.
    assert "no plan yet" in driver.find_element(By.TAG_NAME, "main").text
    driver.get(base_url + "/settings")
    driver.find_element(By.CSS_SELECTOR, 'a[href="/settings/billing"]').click()
    wait_for_path(driver, "/settings/billing")
    assert "Start a 14-day free trial" in driver.find_element(By.ID, "checkout-professional").text

    driver.find_element(By.ID, "checkout-professional").click()
    # The redirect to Stripe's Checkout page (here the simulator's stand-in).
    wait(driver).until(lambda d: d.current_url.startswith(stripe_base + "/checkout/cs_test_"))
    assert "price_professional_b: 79.00 EUR / month, 14 days free" in driver.find_element(By.ID, "price").text
    driver.find_element(By.ID, "pay").click()

    wait_for_path(driver, "/settings/billing")
    assert "as soon as Stripe confirms" in driver.find_element(By.TAG_NAME, "main").text
    reload_until(driver, base_url + "/settings/billing",
                 lambda d: "Professional, free trial until" in d.find_element(By.ID, "billing-standing").text,
                 30, "the plan did not arrive from the webhooks")
    assert driver.find_element(By.CSS_SELECTOR, '#billing-usage li[data-limit="seats"] .usage-amount').text == "1 of 10"
    assert "Next invoice: €79.00" in driver.find_element(By.ID, "billing-next-invoice").text
    assert driver.find_elements(By.CSS_SELECTOR, ".plan-current[data-plan=professional]")

    violations = _violations(driver)
    assert not violations, _format("/settings/billing (en)", violations)
    switch_language(driver, "nl")
    # WebDriver reads the no-break space after € as a space.
    assert "Volgende factuur: € 79,00" in driver.find_element(By.ID, "billing-next-invoice").text
    violations = _violations(driver)
    assert not violations, _format("/settings/billing (nl)", violations)
    switch_language(driver, "en")
