"""What EventBridge refuses at PutRule and PutTargets that moto accepts: patterns with unknown
operators or bad values, and target input settings AWS documents as invalid.
"""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud.services.events import patterns, schedules, transform
from sagestack.localcloud.services.exceptions import (
    InvalidEventPatternException,
    ValidationException,
)

MAX_INPUT_PATHS = 100
_INPUT_KINDS = ("Input", "InputPath", "InputTransformer")


def validated_rule(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    """AWS rejects a malformed or unknown-operator pattern at PutRule, and a rate() whose unit
    does not agree with its value; moto accepts most of them."""
    try:
        patterns.parse_pattern(kwargs.get("event_pattern"))
    except patterns.PatternError as error:
        raise InvalidEventPatternException(str(error)) from None
    rate_error = schedules.rate_error(kwargs.get("scheduled_expression"))
    if rate_error:
        raise ValidationException(f"Parameter ScheduleExpression is not valid: {rate_error}.")
    return original(*args, **kwargs)


def validated_targets(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    targets = kwargs.get("targets", args[2] if len(args) > 2 else [])
    for target in targets:
        validate_target_input(target)
    return original(*args, **kwargs)


def validate_target_input(target: dict[str, Any]) -> None:
    """Input, InputPath, InputTransformer are exclusive; Input is JSON; no reserved names."""
    given = [kind for kind in _INPUT_KINDS if target.get(kind) is not None]
    if len(given) > 1:
        raise ValidationException(
            f"Target {target.get('Id')}: only one of Input, InputPath or InputTransformer may be "
            f"given, not {' and '.join(given)}."
        )
    if target.get("Input") is not None:
        _require_json(target["Input"], target.get("Id"))
    if target.get("InputPath") is not None:
        try:
            transform.check_path(target["InputPath"])
        except transform.PathError as error:
            raise ValidationException(f"Target {target.get('Id')}: InputPath {error}") from None
    transformer = target.get("InputTransformer")
    if transformer:
        _validate_transformer(transformer, target.get("Id"))


def _require_json(text: str, target_id: str | None) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        raise ValidationException(
            f"Target {target_id}: Input '{text}' is not valid JSON text."
        ) from None


def _validate_transformer(transformer: dict[str, Any], target_id: str | None) -> None:
    paths = transformer.get("InputPathsMap") or {}
    if len(paths) > MAX_INPUT_PATHS:
        raise ValidationException(
            f"Target {target_id}: InputPathsMap has {len(paths)} entries; at most "
            f"{MAX_INPUT_PATHS} are allowed."
        )
    for name, path in paths.items():
        if name.startswith("aws."):
            raise ValidationException(
                f"Target {target_id}: InputPathsMap key '{name}' is reserved (keys starting "
                "with 'aws.' are predefined variables)."
            )
        try:
            transform.check_path(path)
        except (transform.PathError, AttributeError) as error:
            raise ValidationException(
                f"Target {target_id}: InputPathsMap value for '{name}': {error}"
            ) from None
