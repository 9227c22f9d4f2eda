"""Per-resource waivers: a resource tagged ``sagestack:waive:<policy name>`` with the reason as the
value is exempt from that one policy. A tag, so the waiver lives on the resource it excuses, is
reviewed with it, and shows in the console; an empty reason waives nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack import contract
from sagestack_infra.policy.rules.props import as_mapping, is_set


def waiver_tag(policy: str) -> str:
    return f"{contract.POLICY_WAIVER_TAG_PREFIX}{policy}"


def is_waived(policy: str, props: Mapping[str, Any]) -> bool:
    tags = {**as_mapping(props.get("tagsAll")), **as_mapping(props.get("tags"))}
    return is_set(tags.get(waiver_tag(policy)))
