"""Roles, credentials and role-signed clients for the identity tests."""

from __future__ import annotations

import json
from typing import Any

import boto3

from sagestack.localcloud.identity import Credentials, issue_role_credentials

ACCOUNT = "123456789012"
REGION = "us-east-1"
CODEBUILD = "codebuild.amazonaws.com"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: str | list[str], resources: str | list[str], **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deny(actions: str | list[str], resources: str | list[str], **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": actions, "Resource": resources, **extra}


def make_role(name: str, service: str = CODEBUILD, *inline: dict) -> str:
    """A role ``service`` may assume, with ``inline`` statements as its one inline policy."""
    trust = document(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if inline:
        grant(name, "inline", *inline)
    return arn


def grant(role: str, policy_name: str, *statements: dict) -> None:
    boto3.client("iam").put_role_policy(
        RoleName=role, PolicyName=policy_name, PolicyDocument=document(*statements)
    )


def credentials_for(
    role_arn: str, service: str = CODEBUILD, session: str = "AWSCodeBuild-1"
) -> Credentials:
    return issue_role_credentials(role_arn, session, service=service)


def client(service: str, credentials: Credentials) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
    )


def session_arn(role: str, session: str = "AWSCodeBuild-1") -> str:
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"
