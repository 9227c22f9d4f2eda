"""The platform's bucket policy on the local cloud: its conditional deny (insecure transport)
does not block every request, an unconditional deny still does."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError


def _deny(condition: dict | None) -> str:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::policy-test", "arn:aws:s3:::policy-test/*"],
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_conditional_deny_is_stored_but_does_not_deny_every_object_request(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="policy-test")
    policy = _deny({"Bool": {"aws:SecureTransport": "false"}})
    s3.put_bucket_policy(Bucket="policy-test", Policy=policy)

    s3.put_object(Bucket="policy-test", Key="k", Body=b"v")

    assert s3.get_object(Bucket="policy-test", Key="k")["Body"].read() == b"v"
    assert json.loads(s3.get_bucket_policy(Bucket="policy-test")["Policy"]) == json.loads(policy)


def test_unconditional_deny_still_denies_object_writes(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="policy-test")
    s3.put_bucket_policy(Bucket="policy-test", Policy=_deny(None))

    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket="policy-test", Key="k", Body=b"v")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
