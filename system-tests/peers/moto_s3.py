"""An S3 emulator (moto) on loopback that checks request signatures, for the ObjectStore tests.

Starts moto on 127.0.0.1 with a free port, creates an IAM user with an access key and a bucket,
prints one JSON line
    {"endpoint": ..., "access_key_id": ..., "secret_access_key": ..., "bucket": ..., "region": "us-east-1"}
and serves until it is killed or its stdin closes.

moto checks signatures only after INITIAL_NO_AUTH_ACTION_COUNT unauthenticated calls: the first
three (create the user, attach its policy, create its key) are allowed without a signature;
from then on every request must be signed with that key, so a wrong secret is refused.
"""

import json
import logging
import os
import sys

UNSIGNED_SETUP_CALLS = 3
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(UNSIGNED_SETUP_CALLS)  # read when moto is imported

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

REGION = "us-east-1"
BUCKET = "adsapp-media-test"
USER = "adsapp-object-store"
S3_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"

    # The unsigned setup calls: any credentials do here.
    iam = boto3.client(
        "iam", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="setup", aws_secret_access_key="setup",
    )
    iam.create_user(UserName=USER)
    iam.put_user_policy(UserName=USER, PolicyName="s3-all", PolicyDocument=json.dumps(S3_POLICY))
    key = iam.create_access_key(UserName=USER)["AccessKey"]

    # From here on requests are checked: create the bucket as the new user.
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
    )
    s3.create_bucket(Bucket=BUCKET)

    print(json.dumps({
        "endpoint": endpoint,
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
        "bucket": BUCKET,
        "region": REGION,
    }), flush=True)

    # Serve until stdin closes (the parent went away) or the process is killed.
    for _ in sys.stdin:
        pass
    server.stop()


if __name__ == "__main__":
    main()
