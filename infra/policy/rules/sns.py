"""SNS topics are encrypted at rest with a KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import is_set

TOPIC = "aws:sns/topic:Topic"


def unencrypted_topic_problems(props: Mapping[str, Any]) -> list[str]:
    if not is_set(props.get("kmsMasterKeyId")):
        return ["kmsMasterKeyId is not set: encrypt the topic with the platform's KMS key"]
    return []
