"""EventBridge event patterns on the local cloud, through TestEventPattern and PutRule.

Every case is an example or a rule from the EventBridge user guide ("Content filtering in event
patterns", "Arrays in event patterns", "Matching null values and empty strings").
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from event_pattern_cases import EVENT, INVALID, MATCHING, NOT_MATCHING


@pytest.fixture(scope="module")
def events(local_cloud):
    # TestEventPattern is stateless and the rejected rules are never created: no reset needed
    return boto3.client("events", endpoint_url=local_cloud.url)


def _test(events, pattern: dict) -> bool:
    return events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(EVENT))[
        "Result"
    ]


@pytest.mark.parametrize("pattern", MATCHING.values(), ids=MATCHING.keys())
def test_pattern_matches_event_as_documented(events, pattern):
    assert _test(events, pattern) is True


@pytest.mark.parametrize("pattern", NOT_MATCHING.values(), ids=NOT_MATCHING.keys())
def test_pattern_does_not_match_event_as_documented(events, pattern):
    assert _test(events, pattern) is False


@pytest.mark.parametrize("pattern", INVALID.values(), ids=INVALID.keys())
def test_invalid_pattern_is_rejected_by_put_rule(events, pattern):
    name = f"bad-{uuid.uuid4().hex}"
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name, EventPattern=pattern)
    assert error.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert error.value.response["Error"]["Message"].startswith("Event pattern is not valid.")
    assert not events.list_rules(NamePrefix=name)["Rules"]


def test_test_event_pattern_rejects_invalid_pattern(events):
    with pytest.raises(ClientError) as error:
        events.test_event_pattern(
            EventPattern=INVALID["an unknown operator"], Event=json.dumps(EVENT)
        )
    assert error.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert "startswith" in error.value.response["Error"]["Message"]


def test_test_event_pattern_requires_the_event_envelope(events):
    event = {k: v for k, v in EVENT.items() if k != "account"}
    with pytest.raises(ClientError) as error:
        events.test_event_pattern(
            EventPattern=json.dumps({"source": ["aws.ec2"]}), Event=json.dumps(event)
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "account" in error.value.response["Error"]["Message"]
