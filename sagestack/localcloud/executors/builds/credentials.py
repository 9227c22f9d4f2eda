"""Credentials for a project's service role, issued by the local cloud's STS as CodeBuild's
AssumeRole would (session ``AWSCodeBuild-<build uuid>``), never the admin credentials."""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals

SESSION_SECONDS = 3600


def role_credentials(account_id: str, region: str, role_arn: str, session_name: str) -> dict:
    """``{AccessKeyId, SecretAccessKey, SessionToken, Expiration}`` for ``role_arn``."""
    sts = moto_internals.backend("sts", account_id, "aws")
    role: Any = sts.assume_role(
        region_name=region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy=None,
        duration=SESSION_SECONDS,
        external_id=None,
    )
    return {
        "AccessKeyId": role.access_key_id,
        "SecretAccessKey": role.secret_access_key,
        "SessionToken": role.session_token,
        "Expiration": role.expiration,
    }


def credential_environment(credentials: dict) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }
