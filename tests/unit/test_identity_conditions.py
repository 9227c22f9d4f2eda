"""IAM condition operators and statement matching, as the IAM User Guide documents them."""

from __future__ import annotations

import pytest

from sagestack.localcloud.identity.conditions import (
    UnknownOperatorError,
    conditions_hold,
    wildcard_match,
)
from sagestack.localcloud.identity.policies import Principal, Request, Verdict, evaluate

CONTEXT = {
    "aws:sourceaccount": ["123456789012"],
    "aws:sourcearn": ["arn:aws:codebuild:us-east-1:123456789012:project/churn-build"],
    "aws:securetransport": ["true"],
    "s3:prefix": ["projects/churn/data"],
    "s3:max-keys": ["100"],
    "aws:currenttime": ["2026-06-01T12:00:00Z"],
    "aws:tagkeys": ["team", "cost-center"],
    "aws:sourceip": ["127.0.0.1"],
    "aws:principaltag/team": ["ml"],
}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringEquals": {"AWS:SOURCEACCOUNT": ["1", "123456789012"]}}, True),  # keys ignore case
        ({"StringEquals": {"aws:SourceAccount": "210987654321"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "210987654321"}}, True),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ML"}}, True),
        ({"StringLike": {"s3:prefix": ["projects/churn/*"]}}, True),
        ({"StringLike": {"s3:prefix": ["projects/fraud/*"]}}, False),
        ({"StringLike": {"s3:prefix": ["projects/chur?/data"]}}, True),
        ({"StringNotLike": {"s3:prefix": ["projects/churn/*"]}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:codebuild:*:123456789012:project/churn-*"}}, True),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:codebuild:*:*:project/fraud-*"}}, False),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:codebuild:*:*:project/fraud-*"}}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, False),
        ({"Bool": {"aws:SecureTransport": True}}, True),
        ({"NumericLessThanEquals": {"s3:max-keys": "100"}}, True),
        ({"NumericGreaterThan": {"s3:max-keys": "100"}}, False),
        ({"NumericEquals": {"s3:max-keys": "not a number"}}, False),
        ({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, True),
        ({"DateGreaterThan": {"aws:CurrentTime": "1798761600"}}, False),  # 2027-01-01 epoch
        ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, False),
        # several operators and keys AND together
        (
            {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "Bool": {"aws:SecureTransport": "false"},
            },
            False,
        ),
    ],
)
def test_operators(condition, holds):
    assert conditions_hold(condition, CONTEXT) is holds


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"StringEquals": {"aws:username": "alice"}}, False),  # roles have no aws:username
        ({"StringNotEquals": {"aws:username": "alice"}}, True),  # negated: a missing key holds
        ({"StringEqualsIfExists": {"aws:username": "alice"}}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "1"}}, False),
        ({"Null": {"aws:username": "true"}}, True),
        ({"Null": {"aws:SourceAccount": "true"}}, False),
        ({"Null": {"aws:SourceAccount": "false"}}, True),
        ({"StringLike": {"made:up-key": "*"}}, False),  # unknown keys are missing, not errors
    ],
)
def test_missing_keys(condition, holds):
    assert conditions_hold(condition, CONTEXT) is holds


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center", "x"]}}, True),
        ({"ForAllValues:StringEquals": {"aws:RequestTag/none": ["x"]}}, True),  # empty set holds
        ({"ForAnyValue:StringEquals": {"aws:RequestTag/none": ["x"]}}, False),
        ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}, True),
        ({"StringNotEquals": {"aws:TagKeys": ["team"]}}, False),  # no value may match
    ],
)
def test_set_operators_on_multivalued_keys(condition, holds):
    assert conditions_hold(condition, CONTEXT) is holds


def test_policy_variables_are_filled_from_the_context():
    assert conditions_hold(
        {"StringLike": {"s3:prefix": "projects/${aws:PrincipalTag/team}*"}},
        {**CONTEXT, "s3:prefix": ["projects/ml-churn"]},
    )
    assert not conditions_hold({"StringLike": {"s3:prefix": "${aws:username}/*"}}, CONTEXT)


def test_an_unknown_operator_is_named():
    with pytest.raises(UnknownOperatorError, match="'StringSortOf'"):
        conditions_hold({"StringSortOf": {"aws:SourceAccount": "1"}}, CONTEXT)


def test_wildcards_span_separators_and_escape_regex_characters():
    assert wildcard_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c")
    assert not wildcard_match("arn:aws:s3:::bucket.x/*", "arn:aws:s3:::bucketyx/a")
    assert wildcard_match("s3:get*", "s3:GetObject", ignore_case=True)


ROLE = "arn:aws:iam::123456789012:role/builder"
SESSION = "arn:aws:sts::123456789012:assumed-role/builder/AWSCodeBuild-1"
CALLER = Principal(arns=(SESSION, ROLE), account_id="123456789012")


def _request(action="s3:GetObject", resource="arn:aws:s3:::data/in/x", context=None):
    return Request(action, resource, CALLER, context or {})


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        ({"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}, Verdict.ALLOW),
        ({"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*"}, Verdict.ALLOW),
        ({"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}, Verdict.NONE),
        (
            {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::data/out/*"},
            Verdict.ALLOW,
        ),
        (
            {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::data/in/*"},
            Verdict.NONE,
        ),
        # a failing condition means the statement does not apply (moto's evaluation denies)
        (
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            Verdict.NONE,
        ),
    ],
)
def test_identity_statements(statement, verdict):
    document = {"Version": "2012-10-17", "Statement": [statement]}

    assert evaluate(document, _request(context={"aws:securetransport": ["true"]})) is verdict


@pytest.mark.parametrize(
    ("principal", "verdict"),
    [
        ("*", Verdict.ALLOW),
        ({"AWS": ROLE}, Verdict.ALLOW),
        ({"AWS": [SESSION]}, Verdict.ALLOW),
        ({"AWS": "123456789012"}, Verdict.DELEGATED),
        ({"AWS": "arn:aws:iam::123456789012:root"}, Verdict.DELEGATED),
        ({"AWS": "arn:aws:iam::210987654321:root"}, Verdict.NONE),
        ({"Service": "codebuild.amazonaws.com"}, Verdict.NONE),
    ],
)
def test_resource_policy_principals(principal, verdict):
    document = {
        "Statement": {"Effect": "Allow", "Principal": principal, "Action": "s3:*", "Resource": "*"}
    }

    assert evaluate(document, _request(), resource_policy=True) is verdict


def test_not_principal_applies_to_everyone_else():
    document = {
        "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*", "Resource": "*"}
        ]
    }
    other = Request("s3:GetObject", "*", Principal(arns=("arn:aws:iam::1:role/x",), account_id="1"))

    assert evaluate(document, _request(), resource_policy=True) is Verdict.NONE
    assert evaluate(document, other, resource_policy=True) is Verdict.DENY


@pytest.mark.parametrize(("effect", "verdict"), [("Deny", Verdict.DENY), ("Allow", Verdict.NONE)])
def test_a_statement_with_an_operator_iam_lacks_errs_towards_refusing(effect, verdict):
    statement = {
        "Effect": effect,
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringSortOf": {"aws:SourceAccount": "1"}},
    }

    assert evaluate({"Statement": [statement]}, _request()) is verdict
