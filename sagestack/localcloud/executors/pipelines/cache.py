"""Step caching (``CacheConfig``): a step whose key attributes equal those of a successful run
of the same step of the same pipeline, within ``ExpireAfter``, is not run again; it takes that
run's properties and names its execution in ``CacheHitResult``.

The key attributes are SageMaker's: for processing ``AppSpecification``, ``Environment`` and
``ProcessingInputs``; for training ``AlgorithmSpecification``, ``CheckpointConfig``,
``DebugHookConfig``, ``DebugRuleConfigurations``, ``Environment``, ``HyperParameters`` and
``InputDataConfig``; for other steps (not documented) all of the arguments. They are compared
after the expressions in them are evaluated, so an input that is another step's fresh output
misses, while an output path (not a key attribute) never does. The cache lives as long as the
local cloud's state (a reset forgets it).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

KEY_ATTRIBUTES = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": (
        "AlgorithmSpecification",
        "CheckpointConfig",
        "DebugHookConfig",
        "DebugRuleConfigurations",
        "Environment",
        "HyperParameters",
        "InputDataConfig",
    ),
}
_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Entry:
    source_execution_arn: str
    finished: datetime
    properties: dict[str, Any]
    metadata: dict[str, Any]


def expiry(config: dict[str, Any] | None) -> timedelta | None:
    """How long a cached run counts: ``ExpireAfter`` (ISO 8601); None when caching is off."""
    if not config or not config.get("Enabled"):
        return None
    text = config.get("ExpireAfter")
    if not text:
        return timedelta.max
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT"):
        raise ValueError(f"CacheConfig ExpireAfter '{text}' is not an ISO 8601 duration")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    days = parts.get("days", 0) + 7 * parts.get("weeks", 0)
    days += 30 * parts.get("months", 0) + 365 * parts.get("years", 0)
    return timedelta(
        days=days,
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def key(step_type: str, arguments: dict[str, Any]) -> str:
    names = KEY_ATTRIBUTES.get(step_type)
    chosen = arguments if names is None else {name: arguments.get(name) for name in names}
    text = json.dumps({"Type": step_type, **chosen}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class StepCache:
    """Successful step runs by (pipeline ARN, step name, key)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], Entry] = {}
        self._lock = threading.Lock()

    def find(
        self, pipeline_arn: str, step: str, cache_key: str, now: datetime, expire_after: timedelta
    ) -> Entry | None:
        with self._lock:
            entry = self._entries.get((pipeline_arn, step, cache_key))
        if entry is None or (expire_after != timedelta.max and now - entry.finished > expire_after):
            return None
        return entry

    def store(self, pipeline_arn: str, step: str, cache_key: str, entry: Entry) -> None:
        with self._lock:
            self._entries[(pipeline_arn, step, cache_key)] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = StepCache()
