"""What IAM enforcement costs a request: role-signed calls against the same calls admin-signed.

Baseline: the admin key (unchecked), in the same local cloud and the same command. Each round runs
a loop of S3 ``GetObject`` and a loop of SSM ``PutParameter`` once admin-signed and once signed
with credentials the local cloud's STS issued for a role whose policies allow exactly those calls
(so every role-signed request is resolved, evaluated and allowed). Requests per second are the
median over rounds; the ratio is role / admin (1.00 = no cost).

    python -m benchmarks.iam_overhead [--requests N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3

from sagestack import contract
from sagestack.localcloud.identity import issue_role_credentials
from sagestack.localcloud.server import LocalCloud

REGION = "us-east-1"
BUCKET = "bench-data"
PARAMETER = "/bench/value"


def _client(service: str, url: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def _role(url: str) -> Any:
    admin = _client("iam", url, contract.LOCAL_ACCESS_KEY_ID, contract.LOCAL_SECRET_ACCESS_KEY)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = admin.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
            {
                "Effect": "Allow",
                "Action": "ssm:PutParameter",
                "Resource": f"arn:aws:ssm:{REGION}:123456789012:parameter/bench/*",
            },
        ],
    }
    admin.put_role_policy(RoleName="bench", PolicyName="bench", PolicyDocument=json.dumps(policy))
    return issue_role_credentials(arn, "bench", service="codebuild.amazonaws.com")


def _rate(call: Callable[[], Any], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        call()
    return requests / (time.perf_counter() - started)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with LocalCloud(port=0) as cloud:
        key, secret = contract.LOCAL_ACCESS_KEY_ID, contract.LOCAL_SECRET_ACCESS_KEY
        _client("s3", cloud.url, key, secret).create_bucket(Bucket=BUCKET)
        _client("s3", cloud.url, key, secret).put_object(Bucket=BUCKET, Key="k", Body=b"x" * 1024)
        credentials = _role(cloud.url)
        signers = {
            "admin": (key, secret, None),
            "role": (
                credentials.access_key_id,
                credentials.secret_access_key,
                credentials.session_token,
            ),
        }
        loops = {
            "GetObject": lambda s3, _ssm: s3.get_object(Bucket=BUCKET, Key="k")["Body"].read(),
            "PutParameter": lambda _s3, ssm: ssm.put_parameter(
                Name=PARAMETER, Value="v", Type="String", Overwrite=True
            ),
        }
        rates: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds + 1):  # the first round warms both up and is not counted
            for who, signer in signers.items():
                s3, ssm = _client("s3", cloud.url, *signer), _client("ssm", cloud.url, *signer)
                for name, loop in loops.items():
                    rate = _rate(lambda loop=loop, s3=s3, ssm=ssm: loop(s3, ssm), args.requests)
                    rates.setdefault((name, who), []).append(rate)
    print(f"median of {args.rounds} rounds of {args.requests} requests; ratio role / admin")
    print(f"{'':14}{'admin (req/s)':>15}{'role (req/s)':>15}{'ratio':>8}")
    for name in loops:
        admin = statistics.median(rates[(name, "admin")][1:])
        role = statistics.median(rates[(name, "role")][1:])
        print(f"{name:14}{admin:15.1f}{role:15.1f}{role / admin:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
