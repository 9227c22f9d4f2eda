"""What the Pulumi CLI prints around an operation: its header, the resource summary, the duration
(pulumi's display: ``renderSummaryEvent``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

CREATE, UPDATE, DELETE, REPLACE, SAME = "create", "update", "delete", "replace", "same"
PREFIX = {CREATE: "+ ", UPDATE: "~ ", DELETE: "- ", REPLACE: "+-"}
PAST = {CREATE: "created", UPDATE: "updated", DELETE: "deleted", REPLACE: "replaced"}


def summary(counts: Mapping[str, int], preview: bool) -> str:
    """``Resources:`` and one line per kind of change, as ``pulumi up`` / ``preview`` end."""
    lines = ["Resources:"]
    changes = [kind for kind in (CREATE, UPDATE, DELETE, REPLACE) if counts.get(kind)]
    for kind in changes:
        verb = f"to {kind}" if preview else PAST[kind]
        lines.append(f"    {PREFIX[kind]}{counts[kind]} {verb}")
    total = sum(counts.get(kind, 0) for kind in changes)
    tail = []
    if len(changes) >= 2:
        tail.append(f"{total} changes")
    if counts.get(SAME):
        tail.append(f"{counts[SAME]} unchanged")
    if tail:
        lines.append("    " + ". ".join(tail))
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """Go's duration, rounded up to the second: ``5s``, ``1m4s``."""
    whole = max(1, math.ceil(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def outputs_block(outputs: Mapping[str, Any]) -> str:
    if not outputs:
        return ""
    width = max(len(name) for name in outputs)
    lines = [f"    {name:<{width}}: {json.dumps(value)}" for name, value in sorted(outputs.items())]
    return "Outputs:\n" + "\n".join(lines) + "\n"


def output_value(value: Any) -> str:
    """``pulumi stack output NAME``: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def outputs_table(outputs: Mapping[str, Any]) -> str:
    if not outputs:
        return "Current stack outputs (0):\n    No output values currently in this stack"
    width = max(6, *(len(name) for name in outputs))
    rows = [
        f"    {name:<{width}}  {output_value(value)}" for name, value in sorted(outputs.items())
    ]
    return f"Current stack outputs ({len(outputs)}):\n    {'OUTPUT':<{width}}  VALUE\n" + "\n".join(
        rows
    )
