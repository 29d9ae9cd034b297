"""pyotp's side of the TOTP cross-check (Tests/TwoFactorTests/PyOTPCrossCheckTests.swift).

    totp_pyotp.py generate SEED COUNT   codes pyotp makes for random 160-bit secrets and times
    totp_pyotp.py verify FILE           pyotp.TOTP(...).verify(code, for_time, valid_window) per case
    totp_pyotp.py parse-uri FILE        what pyotp.parse_uri reads from each otpauth URI

FILE holds a JSON list of cases; the answer is one JSON document on stdout.
"""

import base64
import json
import random
import sys

import pyotp


def generate(seed, count):
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        secret = base64.b32encode(rng.randbytes(20)).decode("ascii")  # 160 bits, 32 symbols, no padding
        digits = 8 if index % 5 == 4 else 6
        for_time = rng.randrange(0, 4_102_444_800)  # up to the year 2100
        if index % 7 == 0:
            for_time -= for_time % 30  # the first second of a step
        elif index % 7 == 1:
            for_time += 29 - for_time % 30  # the last second of a step
        totp = pyotp.TOTP(secret, digits=digits)
        cases.append({"secret": secret, "digits": digits, "time": for_time, "code": totp.at(for_time)})
    return cases


def verify(cases):
    return [
        pyotp.TOTP(case["secret"], digits=case["digits"]).verify(case["code"], for_time=case["time"], valid_window=case["window"])
        for case in cases
    ]


def parse_uri(uris):
    answers = []
    for uri in uris:
        totp = pyotp.parse_uri(uri)
        answers.append(
            {
                "secret": totp.secret,
                "secret_bytes": base64.b16encode(totp.byte_secret()).decode("ascii").lower(),
                "issuer": totp.issuer,
                "name": totp.name,
                "digits": totp.digits,
                "interval": totp.interval,
                "digest": totp.digest().name,
                "type": type(totp).__name__,
            }
        )
    return answers


def main(argv):
    command = argv[1]
    if command == "generate":
        answer = generate(int(argv[2]), int(argv[3]))
    else:
        with open(argv[2], encoding="utf-8") as file:
            cases = json.load(file)
        answer = verify(cases) if command == "verify" else parse_uri(cases)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
