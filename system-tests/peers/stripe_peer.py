"""Stripe's official Python package, to check ADSapp's Stripe code and the StripeSimulator against it.

    stripe_peer.py < request.json

request.json is one of:
  {"command": "sign", "payload": str, "secret": str, "timestamp": int}
      -> {"header": <Stripe-Signature as the package makes it>}
  {"command": "verify", "payload": str, "header": str, "secret": str, "tolerance": int}
      -> {"event": <event id>} or {"error": <class name>}     (stripe.Webhook.construct_event)
  {"command": "before_payment", "base": url, "key": sk, "price": id, "organization": str}
      -> what a customer, a Checkout Session, a portal session and three refusals look like to the package
  {"command": "after_payment", "base": url, "key": sk, "customer": id, "subscription": id, "price": id}
      -> the subscription read back, moved to another price, its invoices and its next invoice

Prints one JSON line; exit status 0 unless the script itself broke (the caller asserts on the answer).
"""

import json
import sys

import stripe

API_VERSION = "2025-03-31.basil"


def client(request, key=None):
    return stripe.StripeClient(
        key or request["key"], base_addresses={"api": request["base"]}, stripe_version=API_VERSION, max_network_retries=0
    )


def error(call):
    try:
        call()
        return None
    except stripe.StripeError as failure:
        return {"class": type(failure).__name__, "status": failure.http_status, "code": failure.code}


def before_payment(request):
    api = client(request)
    params = {"email": "owner@example.test", "name": "Bakkerij Één", "metadata": {"organization": request["organization"]}}
    customer = api.v1.customers.create(params=params, options={"idempotency_key": "customer-1"})
    again = api.v1.customers.create(params=params, options={"idempotency_key": "customer-1"})
    session = api.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer.id,
            "client_reference_id": request["organization"],
            "line_items": [{"price": request["price"], "quantity": 1}],
            "success_url": "http://127.0.0.1/billing?checkout={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://127.0.0.1/billing",
            "subscription_data": {"trial_period_days": 14, "metadata": {"organization": request["organization"]}},
        }
    )
    portal = api.v1.billing_portal.sessions.create(params={"customer": customer.id, "return_url": "http://127.0.0.1/billing"})
    return {
        "customer": customer.id,
        "customer_metadata": customer.metadata.to_dict(),
        "replayed_id": again.id,
        "checkout": {"id": session.id, "url": session.url, "status": session.status, "client_reference_id": session.client_reference_id},
        "portal": {"id": portal.id, "url": portal.url},
        "reused_key": error(lambda: api.v1.customers.create(params={"email": "other@example.test"}, options={"idempotency_key": "customer-1"})),
        "missing": error(lambda: api.v1.subscriptions.retrieve("sub_missing")),
        "wrong_key": error(lambda: client(request, key="sk_test_wrong").v1.customers.create(params={"email": "x@example.test"})),
    }


def after_payment(request):
    api = client(request)
    subscription = api.v1.subscriptions.retrieve(request["subscription"])
    item = subscription["items"]["data"][0]
    moved = api.v1.subscriptions.update(
        request["subscription"],
        params={"items": [{"id": item.id, "price": request["price"]}], "proration_behavior": "create_prorations"},
    )
    invoices = api.v1.invoices.list(params={"customer": request["customer"], "limit": 10})
    preview = api.v1.invoices.create_preview(params={"customer": request["customer"], "subscription": request["subscription"]})
    return {
        "status": subscription.status,
        "trial_end": subscription.trial_end,
        "price": item.price.id,
        "current_period_end": item.current_period_end,
        "moved_price": moved["items"]["data"][0].price.id,
        "invoices": [{"id": invoice.id, "status": invoice.status, "amount_due": invoice.amount_due} for invoice in invoices.data],
        "preview_amount_due": preview.amount_due,
        "preview_subscription": preview.parent.subscription_details.subscription,
    }


def main() -> None:
    request = json.load(sys.stdin)
    command = request["command"]
    if command == "sign":
        header = stripe.WebhookSignature.generate_signature_header(request["payload"], request["secret"], timestamp=request["timestamp"])
        print(json.dumps({"header": header}))
    elif command == "verify":
        try:
            event = stripe.Webhook.construct_event(request["payload"], request["header"], request["secret"], tolerance=request["tolerance"])
            print(json.dumps({"event": event.id}))
        except (stripe.SignatureVerificationError, ValueError) as failure:
            print(json.dumps({"error": type(failure).__name__}))
    elif command == "before_payment":
        print(json.dumps(before_payment(request)))
    elif command == "after_payment":
        print(json.dumps(after_payment(request)))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
