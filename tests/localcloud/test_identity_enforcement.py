"""IAM enforcement for role-signed requests: identity policies (inline and attached), explicit
denies, bucket policies with conditions, the session's token, and the admin key unchecked."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import replace

import boto3
import pytest
from identity_helpers import (
    ACCOUNT,
    allow,
    client,
    credentials_for,
    deny,
    document,
    grant,
    make_role,
    session_arn,
)

from sagestack.localcloud import frozen_clock

BUCKET = "data"
OBJECTS = f"arn:aws:s3:::{BUCKET}/*"


@pytest.fixture
def bucket(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="in/x.csv", Body=b"1,2")
    return s3


def _put(credentials, key="in/y.csv"):
    return client("s3", credentials).put_object(Bucket=BUCKET, Key=key, Body=b"3,4")


def test_a_role_without_put_object_is_denied_naming_role_action_and_resource(bucket, aws_error):
    credentials = credentials_for(make_role("builder"))

    error = aws_error(lambda: _put(credentials))

    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        f"User: {session_arn('builder')} is not authorized to perform: s3:PutObject on "
        f'resource: "arn:aws:s3:::{BUCKET}/in/y.csv" because no identity-based policy allows '
        "the s3:PutObject action"
    )
    assert "Contents" not in bucket.list_objects_v2(Bucket=BUCKET, Prefix="in/y")


def test_an_inline_grant_lets_the_same_credentials_through(bucket, aws_error):
    credentials = credentials_for(make_role("builder"))
    aws_error(lambda: _put(credentials))

    grant("builder", "write", allow("s3:PutObject", OBJECTS))

    _put(credentials)
    assert bucket.get_object(Bucket=BUCKET, Key="in/y.csv")["Body"].read() == b"3,4"


def test_an_attached_managed_policy_grants(bucket, aws_error):
    credentials = credentials_for(make_role("builder"))
    iam = boto3.client("iam")
    policy = iam.create_policy(
        PolicyName="read-data", PolicyDocument=document(allow("s3:GetObject", OBJECTS))
    )["Policy"]["Arn"]
    reader = client("s3", credentials)
    aws_error(lambda: reader.get_object(Bucket=BUCKET, Key="in/x.csv"))

    iam.attach_role_policy(RoleName="builder", PolicyArn=policy)

    assert reader.get_object(Bucket=BUCKET, Key="in/x.csv")["Body"].read() == b"1,2"
    head = reader.head_object(Bucket=BUCKET, Key="in/x.csv")  # HeadObject is s3:GetObject
    assert head["ContentLength"] == 3


def test_an_explicit_deny_wins_over_any_allow(bucket, aws_error):
    role = make_role(
        "builder", "codebuild.amazonaws.com", allow("s3:*", "*"), deny("s3:PutObject", OBJECTS)
    )

    error = aws_error(lambda: _put(credentials_for(role)))

    assert error["Error"]["Message"].endswith("with an explicit deny in an identity-based policy")


def test_bucket_policy_deny_applies_only_when_its_condition_matches(bucket, aws_error):
    role = make_role("builder", "codebuild.amazonaws.com", allow("s3:PutObject", OBJECTS))
    credentials = credentials_for(role)
    insecure = deny(
        "s3:*", OBJECTS, Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}}
    )
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=document(insecure))

    _put(credentials)  # the local endpoint stands for AWS's TLS endpoint: the deny does not apply

    this_role = deny(
        "s3:PutObject", OBJECTS, Principal="*", Condition={"ArnEquals": {"aws:PrincipalArn": role}}
    )
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=document(insecure, this_role))
    error = aws_error(lambda: _put(credentials))
    assert error["Error"]["Message"].endswith("with an explicit deny in a resource-based policy")


def test_a_bucket_policy_naming_the_role_grants_without_an_identity_policy(bucket, aws_error):
    role = make_role("builder")
    credentials = credentials_for(role)
    reader = client("s3", credentials)
    aws_error(lambda: reader.get_object(Bucket=BUCKET, Key="in/x.csv"))
    account_only = allow("s3:GetObject", OBJECTS, Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=document(account_only))
    aws_error(lambda: reader.get_object(Bucket=BUCKET, Key="in/x.csv"))  # delegation only

    bucket.put_bucket_policy(
        Bucket=BUCKET, Policy=document(allow("s3:GetObject", OBJECTS, Principal={"AWS": role}))
    )

    assert reader.get_object(Bucket=BUCKET, Key="in/x.csv")["Body"].read() == b"1,2"


def test_listing_is_authorized_on_the_bucket_with_the_requested_prefix(bucket, aws_error):
    role = make_role(
        "builder",
        "codebuild.amazonaws.com",
        allow(
            "s3:ListBucket",
            f"arn:aws:s3:::{BUCKET}",
            Condition={"StringLike": {"s3:prefix": ["in/*"]}},
        ),
    )
    lister = client("s3", credentials_for(role))

    assert [o["Key"] for o in lister.list_objects_v2(Bucket=BUCKET, Prefix="in/")["Contents"]] == [
        "in/x.csv"
    ]
    assert aws_error(lambda: lister.list_objects_v2(Bucket=BUCKET))["Error"]["Code"] == (
        "AccessDenied"
    )


def test_admin_credentials_stay_unchecked(bucket):
    admin = boto3.client("s3", aws_access_key_id="test", aws_secret_access_key="test")

    admin.put_object(Bucket=BUCKET, Key="in/admin", Body=b"ok")

    assert admin.get_object(Bucket=BUCKET, Key="in/admin")["Body"].read() == b"ok"


def test_get_caller_identity_needs_no_permission_even_under_a_deny_all(fresh_local_cloud):
    role = make_role("builder", "codebuild.amazonaws.com", deny("*", "*"))

    identity = client("sts", credentials_for(role)).get_caller_identity()

    assert identity["Arn"] == session_arn("builder")


def test_an_expired_session_is_refused_in_each_protocol(bucket, aws_error):
    role = make_role("builder", "codebuild.amazonaws.com", allow("*", "*"))
    with frozen_clock() as clock:
        credentials = credentials_for(role)
        _put(credentials)
        clock.advance(3601)

        s3_error = aws_error(lambda: _put(credentials))
        sts_error = aws_error(lambda: client("sts", credentials).get_caller_identity())
        ssm_error = aws_error(lambda: client("ssm", credentials).get_parameter(Name="/x"))

    assert (s3_error["Error"]["Code"], s3_error["Error"]["Message"]) == (
        "ExpiredToken",
        "The provided token has expired.",
    )
    assert sts_error["Error"]["Code"] == "ExpiredToken"
    assert ssm_error["Error"]["Code"] == "ExpiredTokenException"


def test_a_wrong_session_token_or_an_unknown_sts_key_is_refused(bucket, aws_error):
    credentials = credentials_for(make_role("builder", "codebuild.amazonaws.com", allow("*", "*")))
    forged = replace(credentials, session_token="forged")
    unknown = replace(credentials, access_key_id="ASIAZZZZZZZZZZZZZZZZ")

    assert aws_error(lambda: _put(forged))["Error"]["Code"] == "InvalidToken"
    sts_error = aws_error(client("sts", forged).get_caller_identity)
    assert sts_error["Error"]["Code"] == "InvalidClientTokenId"
    assert aws_error(lambda: _put(unknown))["Error"]["Code"] == "InvalidToken"


def test_a_presigned_url_is_checked_like_a_signed_request(bucket):
    role = make_role("builder")
    credentials = credentials_for(role)
    url = client("s3", credentials).generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "in/x.csv"}
    )

    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(url, timeout=10)
    assert denied.value.code == 403
    assert b"<Code>AccessDenied</Code>" in denied.value.read()

    grant("builder", "read", allow("s3:GetObject", OBJECTS))
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"1,2"
