"""Reading the engine's props, which arrive as plain containers or as pulumi-policy's
read-only ``Mapping``/``Sequence`` proxies: never test for ``dict`` or ``list``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (absent or null inputs)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """IAM-style "one or many": a string or mapping becomes a one-item list, null an empty one."""
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def dig(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]...``, or None where any step is missing."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def json_or_mapping(value: Any) -> Mapping[str, Any] | None:
    """A JSON-object input (policies, the provider's ``defaultTags`` from stack config) parsed,
    whether it arrives as text or already as a mapping; None when it is neither."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def is_set(value: Any) -> bool:
    """True for a present, non-blank value."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None
