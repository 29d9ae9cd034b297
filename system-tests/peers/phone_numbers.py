"""Phone number cross-check peer: reads [{"input": ..., "region": "NL"}, ...] as JSON on stdin and
answers, in the same order, [{"e164": "+31612345678" | null, "valid": true | false}, ...] with
Google's libphonenumber rules (the `phonenumbers` package): parse(input, region), then
format_number(..., E164) and is_valid_number. A number that does not parse answers e164 null."""

import json
import sys

import phonenumbers


def answer(item):
    try:
        number = phonenumbers.parse(item["input"], item["region"])
    except phonenumbers.NumberParseException:
        return {"e164": None, "valid": False}
    return {
        "e164": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        "valid": phonenumbers.is_valid_number(number),
    }


def main():
    items = json.load(sys.stdin)
    json.dump([answer(item) for item in items], sys.stdout)


if __name__ == "__main__":
    main()
