"""Role credentials from the local cloud's STS: issued only to a service the role trusts, and
known to STS as the assumed role."""

from __future__ import annotations

import json

import boto3
import pytest

from sagestack.localcloud.identity import (
    RoleAssumptionError,
    credential_environment,
    issue_role_credentials,
    role_of_access_key,
)

ACCOUNT = "123456789012"
CODEBUILD = "codebuild.amazonaws.com"
SAGEMAKER = "sagemaker.amazonaws.com"


def _trust(service: str, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _role(name: str, trust: str) -> str:
    return boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"][
        "Arn"
    ]


def test_issued_credentials_are_the_assumed_role_to_sts(fresh_local_cloud):
    role_arn = _role("builder", _trust(CODEBUILD))

    credentials = issue_role_credentials(role_arn, "AWSCodeBuild-42", service=CODEBUILD)
    identity = (
        boto3.Session(**{k.lower(): v for k, v in credential_environment(credentials).items()})
        .client("sts")
        .get_caller_identity()
    )

    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/builder/AWSCodeBuild-42"
    assert identity["Account"] == ACCOUNT
    session = role_of_access_key(credentials.access_key_id)
    assert session is not None
    assert (session.role_arn, session.session_name) == (role_arn, "AWSCodeBuild-42")
    assert session.expiration == credentials.expiration
    assert not session.expired()


def test_the_admin_key_and_unknown_keys_belong_to_no_role(fresh_local_cloud):
    assert role_of_access_key("test") is None
    assert role_of_access_key("ASIAAAAAAAAAAAAAAAAA") is None


def test_a_role_whose_trust_policy_does_not_name_the_service_is_refused_in_its_wording(
    fresh_local_cloud,
):
    role_arn = _role("trained", _trust(SAGEMAKER))

    with pytest.raises(RoleAssumptionError) as refused:
        issue_role_credentials(role_arn, "AWSCodeBuild-1", service=CODEBUILD)

    assert refused.value.message == (
        f"CodeBuild is not authorized to perform: sts:AssumeRole on {role_arn}"
    )
    assert issue_role_credentials(role_arn, "SageMaker", service=SAGEMAKER).session_token


def test_sagemaker_reports_a_role_it_cannot_assume_as_a_client_error(fresh_local_cloud):
    role_arn = _role("builder", _trust(CODEBUILD))

    with pytest.raises(RoleAssumptionError) as refused:
        issue_role_credentials(role_arn, "SageMaker", service=SAGEMAKER)

    assert (
        refused.value.message
        == f"ClientError: SageMaker was unable to assume the role '{role_arn}'"
    )


def test_a_missing_role_is_refused_naming_it(fresh_local_cloud):
    missing = f"arn:aws:iam::{ACCOUNT}:role/nobody"

    with pytest.raises(RoleAssumptionError, match="role/nobody does not exist"):
        issue_role_credentials(missing, "AWSCodeBuild-1", service=CODEBUILD)


def test_trust_policy_conditions_see_the_source_account_and_arn(fresh_local_cloud):
    project = f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/churn-build"
    role_arn = _role(
        "guarded",
        _trust(
            CODEBUILD,
            {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:codebuild:*:{ACCOUNT}:project/churn-*"},
            },
        ),
    )

    assert issue_role_credentials(role_arn, "ok", service=CODEBUILD, source_arn=project)
    other = f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/fraud-build"
    with pytest.raises(RoleAssumptionError):
        issue_role_credentials(role_arn, "no", service=CODEBUILD, source_arn=other)
    with pytest.raises(RoleAssumptionError):
        issue_role_credentials(role_arn, "no", service=CODEBUILD, account_id="210987654321")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"session_name": "a"}, "session_name 'a' is invalid"),
        ({"session_name": "has space"}, "session_name 'has space' is invalid"),
        ({"duration_seconds": 60}, "duration_seconds 60 is invalid"),
        ({"role_arn": "builder"}, "role_arn 'builder' is invalid"),
    ],
)
def test_malformed_requests_are_refused_naming_the_value(fresh_local_cloud, arguments, message):
    request = {
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/builder",
        "session_name": "AWSCodeBuild-1",
        "service": CODEBUILD,
    } | arguments

    with pytest.raises(ValueError, match=message):
        issue_role_credentials(**request)
