"""A tally of the capture records a run read and of those it skipped as malformed, per reason.

One bad record must not silence a whole window, and a window made mostly of bad records must not
pass for a quiet one: the run skips bad records, counts them, and fails when their share is above
a threshold. The tally is a few counters, whatever the window's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

NOT_A_CAPTURE_RECORD = "not a capture record"
UNSUPPORTED_ENCODING = "unsupported encoding or content type"
INVALID_BASE64 = "invalid base64"
INVALID_JSON = "request is not valid JSON"
WRONG_VALUE_COUNT = "wrong number of values"
NOT_A_NUMBER = "numeric feature is not a number"
INFINITE = "numeric feature is infinite"
INVALID_UTF8 = "invalid UTF-8"
UNREADABLE_CSV = "unreadable CSV"
# Reasons that are about one feature's value: they also count against that feature's data type.
VALUE_REASONS = frozenset({NOT_A_NUMBER, INFINITE})


class MalformedRecordError(ValueError):
    """One capture record that cannot be read; ``reason`` is one of this module's reasons and
    ``feature`` the feature whose value is wrong, for the reasons that concern one."""

    def __init__(self, message: str, reason: str, feature: str = ""):
        super().__init__(message)
        self.reason = reason
        self.feature = feature


class TooManyBadRecordsError(ValueError):
    """More of the window's records are malformed than the run accepts."""


@dataclass
class RecordTally:
    records: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    first_bad: str = ""  # "<file>:<line> <what is wrong>" of the first skipped record
    mismatched_values: Counter[str] = field(default_factory=Counter)  # per feature: not numbers
    extra_columns: set[str] = field(default_factory=set)  # request keys the baseline lacks

    @property
    def skipped(self) -> int:
        return sum(self.by_reason.values())

    @property
    def bad_share(self) -> float:
        return self.skipped / self.records if self.records else 0.0

    def skip(self, error: MalformedRecordError) -> None:
        self.by_reason[error.reason] += 1
        if error.feature and error.reason in VALUE_REASONS:
            self.mismatched_values[error.feature] += 1
        self.first_bad = self.first_bad or str(error)

    def check(self, highest_share: float) -> None:
        """Raise when more than ``highest_share`` of the records were malformed."""
        if self.bad_share > highest_share:
            raise TooManyBadRecordsError(
                f"{self.skipped:,} of {self.records:,} capture records ({self.bad_share:.2%}) are "
                f"malformed, more than the {highest_share:.2%} allowed "
                f"({self.describe_reasons()}); the first: {self.first_bad}"
            )

    def describe_reasons(self) -> str:
        return ", ".join(f"{reason}: {count:,}" for reason, count in self.by_reason.most_common())

    def as_json(self) -> dict:
        return {
            "records": self.records,
            "skipped": self.skipped,
            "by_reason": dict(self.by_reason.most_common()),
            "first": self.first_bad,
            "values_not_numbers": dict(self.mismatched_values.most_common()),
        }
