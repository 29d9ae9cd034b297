"""A member watches a long job of their organization: the page follows the job without reloading."""

import sqlite3
import time
import uuid

from selenium.webdriver.common.by import By

from helpers import sign_up, wait


def _organization_of(db: sqlite3.Connection, email: str) -> str:
    row = db.execute(
        "SELECT m.organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ?",
        (email,),
    ).fetchone()
    assert row, f"no membership for {email}"
    return row[0]


def test_progress_page_updates_live(driver, base_url, app_data_dir):
    email = sign_up(driver, base_url)
    db = sqlite3.connect(app_data_dir / "adsapp.sqlite", timeout=10)
    try:
        organization = _organization_of(db, email)
        job_id = str(uuid.uuid4()).upper()
        now = int(time.time() * 1_000_000)
        # A job of a kind no worker handles here, as an import in progress would look.
        db.execute(
            "INSERT INTO jobs (id, kind, queue, payload, priority, state, run_at, due_at, attempts, max_attempts,"
            " organization_id, created_at, started_at, progress, progress_message)"
            " VALUES (?, 'contacts.import', 'contact-import', '{}', 2, 'running', ?, ?, 1, 5, ?, ?, ?, 0.1, ?)",
            (job_id, now, now, organization, now, now, "100 of 1,000 contacts"),
        )
        db.commit()

        driver.get(f"{base_url}/jobs/{job_id}")
        bar = driver.find_element(By.CSS_SELECTOR, "#job-progress progress")
        assert bar.get_attribute("value") == "10"
        assert "100 of 1,000 contacts" in driver.page_source

        db.execute("UPDATE jobs SET progress = 0.6, progress_message = ? WHERE id = ?", ("600 of 1,000 contacts", job_id))
        db.commit()
        wait(driver, 10).until(lambda d: bar.get_attribute("value") == "60")
        message = driver.find_element(By.CSS_SELECTOR, '#job-progress [data-field="message"]')
        assert message.text == "600 of 1,000 contacts"

        db.execute("UPDATE jobs SET progress = 1.0, state = 'succeeded', progress_message = ? WHERE id = ?",
                   ("1,000 of 1,000 contacts", job_id))
        db.commit()
        state = driver.find_element(By.CSS_SELECTOR, '#job-progress [data-field="state"]')
        wait(driver, 10).until(lambda d: state.text == "Finished")
        assert bar.get_attribute("value") == "100"
    finally:
        db.close()
