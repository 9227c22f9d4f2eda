"""CodeBuild projects run unprivileged: privileged mode gives builds the Docker daemon as root."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import dig

PROJECT = "aws:codebuild/project:Project"


def privileged_build_problems(props: Mapping[str, Any]) -> list[str]:
    if dig(props, "environment", "privilegedMode") is True:
        return ["environment.privilegedMode is true: builds must not run privileged"]
    return []
