"""The event pattern matcher and validator on their own (the same cases go through TestEventPattern
and PutRule in test_events_patterns.py)."""

from __future__ import annotations

import json

import pytest
from event_pattern_cases import EVENT, INVALID, MATCHING, NOT_MATCHING

from sagestack.localcloud.services.events.patterns import PatternError, matches, parse_pattern


def _matches(pattern: dict, event: dict = EVENT) -> bool:
    return matches(parse_pattern(json.dumps(pattern)), event)


def _refusal(text: str) -> str:
    with pytest.raises(PatternError) as error:
        parse_pattern(text)
    return str(error.value)


@pytest.mark.parametrize("pattern", MATCHING.values(), ids=MATCHING.keys())
def test_pattern_matches_event_as_documented(pattern):
    assert _matches(pattern) is True


@pytest.mark.parametrize("pattern", NOT_MATCHING.values(), ids=NOT_MATCHING.keys())
def test_pattern_does_not_match_event_as_documented(pattern):
    assert _matches(pattern) is False


@pytest.mark.parametrize("pattern", INVALID.values(), ids=INVALID.keys())
def test_invalid_pattern_is_refused(pattern):
    _refusal(pattern)


def test_a_field_named_with_punctuation_is_matched_like_any_other():
    event = {"detail": {"#count": 5, "!flag": True}}
    assert _matches({"detail": {"#count": [5], "!flag": [True]}}, event) is True
    assert _matches({"detail": {"#count": [6]}}, event) is False


@pytest.mark.parametrize("operator", ["equals-ignore-case", "wildcard"])
def test_equals_ignore_case_and_wildcard_also_take_a_list_of_strings(operator):
    values = {"equals-ignore-case": ["RUNNING", "TERMINATED"], "wildcard": ["run*", "term*"]}
    assert _matches({"detail": {"state": [{operator: values[operator]}]}}) is True


REASONS = {
    "an empty array at a nested field": (
        {"detail": {"state": []}},
        "Empty arrays are not allowed at 'detail.state'",
    ),
    "a scalar at the top": ({"source": "aws.ec2"}, "'source' must be an object or an array"),
    "an unknown operator inside $or": (
        {"$or": [{"source": ["a"]}, {"detail": {"n": [{"startswith": "b"}]}}]},
        "Unrecognized match type startswith at '$or.detail.n'",
    ),
}


@pytest.mark.parametrize(("pattern", "reason"), REASONS.values(), ids=REASONS.keys())
def test_a_refusal_names_the_path_of_the_bad_field(pattern, reason):
    assert _refusal(json.dumps(pattern)) == reason
