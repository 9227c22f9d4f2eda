"""What a rule passes to a target: the event, ``Input``, ``InputPath`` or ``InputTransformer``.

Follows "Transforming target input" in the EventBridge user guide: a template that is JSON (once
its placeholders are filled) is filled with JSON-aware quoting (a string variable outside quotes is
quoted, inside quotes its text is inserted escaped; objects and arrays as JSON) and delivered
minified; any other template is plain text and gets the raw values. moto's own transformer only
handles JSON templates and ignores ``Input`` and ``InputPath``, hence this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonpath_ng import parse as parse_json_path
from jsonpath_ng.exceptions import JSONPathError

RESERVED_PREFIX = "aws.events."
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_MISSING = object()


@dataclass(frozen=True)
class RuleContext:
    """What a template may reference besides the event: the rule and the ingestion time."""

    rule_arn: str
    rule_name: str
    ingestion_time: str  # ISO 8601


def compact(value: Any) -> str:
    """JSON as EventBridge delivers it: minified, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def target_input(target: dict[str, Any], event: dict[str, Any], context: RuleContext) -> str:
    """The text a target receives for ``event``, per the target's input settings."""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath"):
        found = json_path(event, target["InputPath"])
        return compact(None if found is _MISSING else found)
    transformer = target.get("InputTransformer")
    if transformer:
        variables = _variables(transformer.get("InputPathsMap") or {}, event, context)
        return render_template(transformer["InputTemplate"], variables)
    return compact(event)


def json_path(document: Any, path: str) -> Any:
    """The value at a JSONPath (``$.detail.x``); a list when it has wildcards; _MISSING if none.

    Raises :class:`PathError` for a path EventBridge would not accept."""
    expression = _compiled_path(path)
    found = [match.value for match in expression.find(document)]
    if not found:
        return _MISSING
    return found if "*" in path else found[0]


def check_path(path: str) -> None:
    """Raise :class:`PathError` unless ``path`` is a JSON path EventBridge accepts."""
    if not path.startswith("$"):
        raise PathError(f"'{path}' is not a JSON path: it must start with '$'")
    _compiled_path(path)


def resolve_dynamic(value: Any, event: dict[str, Any]) -> Any:
    """A target parameter that may be a dynamic JSON path (``$.detail.x``) into the event."""
    if isinstance(value, str) and value.startswith("$."):
        found = json_path(event, value)
        return "" if found is _MISSING else found
    return value


class PathError(ValueError):
    """A JSON path EventBridge's syntax does not allow."""


@lru_cache(maxsize=512)
def _compiled_path(path: str) -> Any:
    try:
        return parse_json_path(_quoted_segments(path))
    except JSONPathError as error:
        raise PathError(f"'{path}' is not a valid JSON path: {error}") from None


_PLAIN_SEGMENT = re.compile(r"^[A-Za-z0-9_\-*]*(\[[0-9*]+\])*$")
_SEGMENT_PARTS = re.compile(r"^(?P<name>[^\[]*)(?P<indices>(\[[0-9*]+\])*)$")


def _quoted_segments(path: str) -> str:
    """Quote the names jsonpath-ng cannot read bare (EventBridge allows e.g. "a/b" in a path)."""
    head, *segments = path.split(".")
    quoted = [head]
    for segment in segments:
        parts = _SEGMENT_PARTS.fullmatch(segment)
        if _PLAIN_SEGMENT.fullmatch(segment) or parts is None:
            quoted.append(segment)
        else:
            quoted.append(f'"{parts["name"]}"{parts["indices"]}')
    return ".".join(quoted)


def _variables(
    paths: dict[str, str], event: dict[str, Any], context: RuleContext
) -> dict[str, Any]:
    variables = {name: json_path(event, path) for name, path in paths.items()}
    variables.update(
        {
            "aws.events.rule-arn": context.rule_arn,
            "aws.events.rule-name": context.rule_name,
            "aws.events.event.ingestion-time": context.ingestion_time,
            "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
            "aws.events.event.json": event,
        }
    )
    return variables


def render_template(template: str, variables: dict[str, Any]) -> str:
    """Fill ``<name>`` placeholders; unknown names are left as they are."""
    if _is_json_template(template, variables):
        filled = _fill(template, variables, json_aware=True)
        return compact(json.loads(filled))
    return _fill(template, variables, json_aware=False)


def _is_json_template(template: str, variables: dict[str, Any]) -> bool:
    probe = _fill(template, dict.fromkeys(variables), json_aware=True)
    try:
        json.loads(probe)
    except json.JSONDecodeError:
        return False
    return True


def _fill(template: str, variables: dict[str, Any], json_aware: bool) -> str:
    pieces: list[str] = []
    in_string = False
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        in_string = _inside_string_after(literal, in_string)
        pieces.append(literal)
        name = match.group(1)
        if name in variables:
            pieces.append(_render_value(variables[name], json_aware, in_string))
        else:
            pieces.append(match.group(0))
        position = match.end()
    pieces.append(template[position:])
    return "".join(pieces)


def _inside_string_after(literal: str, in_string: bool) -> bool:
    escaped = False
    for char in literal:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string


def _render_value(value: Any, json_aware: bool, in_string: bool) -> str:
    if value is _MISSING:
        return "" if (in_string or not json_aware) else "null"
    if not json_aware:
        return value if isinstance(value, str) else compact(value)
    if in_string:
        text = value if isinstance(value, str) else compact(value)
        return json.dumps(text, ensure_ascii=False)[1:-1]
    return compact(value)
