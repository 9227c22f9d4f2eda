"""CodeBuild projects run unprivileged (privileged mode gives builds the Docker daemon as root)
and encrypt their artifacts, cache and logs with a key of the platform's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import dig, is_set

PROJECT = "aws:codebuild/project:Project"


def privileged_build_problems(props: Mapping[str, Any]) -> list[str]:
    if dig(props, "environment", "privilegedMode") is True:
        return ["environment.privilegedMode is true: builds must not run privileged"]
    return []


def unencrypted_project_problems(props: Mapping[str, Any]) -> list[str]:
    if not is_set(props.get("encryptionKey")):
        return [
            "encryptionKey is not set: artifacts and cache would be encrypted with the account's "
            "aws/s3 key instead of the platform's"
        ]
    return []
