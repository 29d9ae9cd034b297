"""Class 7, platform boundaries: a tenant cannot claim the platform's default number, never sees
the platform's secrets, and cannot connect a number under a business account it does not belong to."""

from conftest import PLATFORM, PLATFORM_APP_SECRET, PLATFORM_VERIFY_TOKEN, SPARE, sign_up


def connected_numbers(owner) -> list[str]:
    response = owner.api("GET", "/whatsapp/connections")
    assert response.status_code == 200, response.text
    return [c["phone_number_id"] for c in response.json()]


def test_a_new_tenant_cannot_claim_the_platforms_default_number(app):
    owner = sign_up(app.url, name="Claire Claimer", organization="Claimer BV")
    owner.form("/settings/whatsapp/default", {})
    assert PLATFORM.phone_number_id not in connected_numbers(owner), \
        "a tenant connected the platform's default number (WHATSAPP_PHONE_NUMBER_ID) to its own organization"


def test_tenant_admins_never_see_platform_secrets(app):
    owner = sign_up(app.url, name="Sid Snoop", organization="Snoop BV")
    shown = {path: owner.get(path).text for path in ("/settings/whatsapp", "/settings", "/dashboard")}
    shown["/api/v1/whatsapp/connections"] = owner.api("GET", "/whatsapp/connections").text
    leaks = {path: name for path, body in shown.items()
             for name, secret in (("WHATSAPP_WEBHOOK_VERIFY_TOKEN", PLATFORM_VERIFY_TOKEN),
                                  ("WHATSAPP_APP_SECRET", PLATFORM_APP_SECRET),
                                  ("WHATSAPP_ACCESS_TOKEN", PLATFORM.token))
             if secret in body}
    assert not leaks, f"platform secrets shown to a tenant admin: {leaks}"


def test_a_number_is_not_connected_under_a_business_account_it_does_not_belong_to(app):
    owner = sign_up(app.url, name="Wanda Waba", organization="Waba BV")
    response = owner.api("POST", "/whatsapp/connections", {
        "phone_number_id": SPARE.phone_number_id, "business_account_id": "299999999999999", "access_token": SPARE.token})
    assert response.status_code == 422, f"connecting under a foreign business account answered {response.status_code}"
    assert SPARE.phone_number_id not in connected_numbers(owner)
