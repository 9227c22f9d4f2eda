"""EventBridge operations moto leaves unimplemented: TestEventPattern."""

from __future__ import annotations

import json

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.events import patterns
from sagestack.localcloud.services.exceptions import (
    InvalidEventPatternException,
    ValidationException,
)

# The fields AWS requires of the Event given to TestEventPattern.
REQUIRED_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


class EventsResponse(moto_internals.moto_responses_class("events")):  # type: ignore[misc]
    def test_event_pattern(self) -> str:
        pattern = _parsed_pattern(self._get_param("EventPattern"))
        event = _parsed_event(self._get_param("Event"))
        return json.dumps({"Result": patterns.matches(pattern, event)})


def _parsed_pattern(text: str | None) -> dict:
    try:
        return patterns.parse_pattern(text)
    except patterns.PatternError as error:
        raise InvalidEventPatternException(str(error)) from None


def _parsed_event(text: str | None) -> dict:
    try:
        event = json.loads(text or "")
    except json.JSONDecodeError:
        raise ValidationException("Parameter Event is not valid: it is not JSON.") from None
    if not isinstance(event, dict):
        raise ValidationException("Parameter Event is not valid: it must be a JSON object.")
    missing = [name for name in REQUIRED_EVENT_FIELDS if name not in event]
    if missing:
        raise ValidationException(
            f"Parameter Event is not valid: missing required field(s) {', '.join(missing)}."
        )
    return event
