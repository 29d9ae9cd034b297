"""Sends one email through Resend's official Python package, to check the ResendSimulator speaks its wire format.

    RESEND_API_URL=http://127.0.0.1:PORT RESEND_API_KEY=re_... resend_send.py < params.json

params.json: {"params": <resend.Emails.SendParams>, "idempotency_key": "..." (optional)}.
Prints one JSON line: {"id": ...} on success, or {"error": {"class", "code", "type", "message"}} when the
package raised one of its errors (exit status 0 either way: the caller asserts on the answer).
"""

import json
import os
import sys

import resend


def main() -> None:
    request = json.load(sys.stdin)
    resend.api_url = os.environ["RESEND_API_URL"]  # also read from the environment at import
    resend.api_key = os.environ["RESEND_API_KEY"]
    options = {"idempotency_key": request["idempotency_key"]} if request.get("idempotency_key") else None
    try:
        email = resend.Emails.send(request["params"], options) if options else resend.Emails.send(request["params"])
        print(json.dumps({"id": email["id"]}))
    except resend.exceptions.ResendError as error:
        print(json.dumps({"error": {
            "class": type(error).__name__, "code": int(error.code), "type": error.error_type,
            "message": error.message,
        }}))


if __name__ == "__main__":
    main()
