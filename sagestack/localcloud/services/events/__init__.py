"""EventBridge delivery: rules match events with AWS's pattern semantics and invoke SNS, SQS,
CodeBuild and SageMaker pipeline targets with Input / InputPath / InputTransformer applied.

Installed on moto's events service by :func:`install` (called by the server at start).
"""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud import clock, moto_integration
from sagestack.localcloud.services.events import (
    deliveries,
    delivery,
    patterns,
    schedules,
    transform,
)
from sagestack.localcloud.services.events.deliveries import DELIVERIES, Delivery
from sagestack.localcloud.services.events.exceptions import (
    InvalidEventPatternException,
    ValidationException,
)

__all__ = ["DELIVERIES", "Delivery", "install"]

MAX_INPUT_PATHS = 100
_INPUT_KINDS = ("Input", "InputPath", "InputTransformer")


def install() -> None:
    from sagestack.localcloud.services.events.responses import EventsResponse

    moto_integration.extend_service("events", EventsResponse)
    moto_integration.wrap_backend_operation("events", "put_rule", _validated_rule)
    moto_integration.wrap_backend_operation("events", "put_rule", schedules.anchored_put_rule)
    moto_integration.wrap_backend_operation("events", "put_targets", _validated_targets)
    moto_integration.wrap_model_method(
        "events", "Rule", "send_to_targets", delivery.send_to_targets
    )
    moto_integration.register_route(deliveries.ROUTE, deliveries.http_app)
    clock.on_tick(schedules.fire_due)
    clock.ensure_ticking()


def _validated_rule(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    """AWS rejects a malformed or unknown-operator pattern at PutRule; moto accepts most."""
    try:
        patterns.parse_pattern(kwargs.get("event_pattern"))
    except patterns.PatternError as error:
        raise InvalidEventPatternException(str(error)) from None
    return original(*args, **kwargs)


def _validated_targets(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
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
