"""Whether a webhook event starts a build: CodeBuild's filter-group semantics.

A build starts if **any** filter group passes; a group passes if **all** its filters pass; a
filter with ``excludeMatchedPattern`` passes when its pattern does *not* match. EVENT's pattern is
a comma-separated list of event names; the other patterns are regular expressions (RE2 on AWS,
Python's ``re`` here: the same for the patterns RE2 accepts) searched in the event's value. A
filter whose value an event does not have (BASE_REF on a push, FILE_PATH on a pull request
closed) does not match. No filter groups at all: every push and pull request starts a build
(/work/notes/codebuild.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_FILE_PATHS = 3000  # CodeBuild evaluates FILE_PATH against the first 3,000 changed files
_PUSH_AND_PULL_REQUEST_EVENTS = frozenset(
    {
        "PUSH",
        "PULL_REQUEST_CREATED",
        "PULL_REQUEST_UPDATED",
        "PULL_REQUEST_REOPENED",
        "PULL_REQUEST_MERGED",
        "PULL_REQUEST_CLOSED",
    }
)


@dataclass(frozen=True)
class WebhookEvent:
    """An event as CodeBuild's filters see it."""

    event: str
    head_ref: str
    base_ref: str | None = None
    actor_account_id: str = ""
    commit_message: str | None = None
    file_paths: tuple[str, ...] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def value(self, filter_type: str) -> str | tuple[str, ...] | None:
        return {
            "EVENT": self.event,
            "HEAD_REF": self.head_ref,
            "BASE_REF": self.base_ref,
            "ACTOR_ACCOUNT_ID": self.actor_account_id,
            "COMMIT_MESSAGE": self.commit_message,
            "FILE_PATH": self.file_paths,
        }.get(filter_type, self.extra.get(filter_type))


def starts_build(webhook: dict[str, Any], event: WebhookEvent) -> bool:
    groups = webhook.get("filterGroups") or []
    if not groups:
        return event.event in _PUSH_AND_PULL_REQUEST_EVENTS and _branch_filter_passes(
            webhook.get("branchFilter"), event
        )
    return any(all(_passes(f, event) for f in group) for group in groups)


def _passes(webhook_filter: dict[str, Any], event: WebhookEvent) -> bool:
    matched = _matches(webhook_filter["type"], webhook_filter.get("pattern", ""), event)
    return not matched if webhook_filter.get("excludeMatchedPattern") else matched


def _matches(filter_type: str, pattern: str, event: WebhookEvent) -> bool:
    if filter_type == "EVENT":
        return event.event in {name.strip() for name in pattern.split(",")}
    value = event.value(filter_type)
    if value is None:
        return False
    if isinstance(value, tuple):
        return any(re.search(pattern, path) for path in value[:MAX_FILE_PATHS])
    return re.search(pattern, value) is not None


def _branch_filter_passes(branch_filter: str | None, event: WebhookEvent) -> bool:
    """The legacy ``branchFilter``: a regex on the branch name of the head ref."""
    if not branch_filter:
        return True
    return re.search(branch_filter, event.head_ref.removeprefix("refs/heads/")) is not None
