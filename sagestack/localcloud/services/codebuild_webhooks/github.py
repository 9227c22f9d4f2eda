"""GitHub's ``push`` and ``pull_request`` payloads as CodeBuild reads them: the CodeBuild event
(per /work/notes/codebuild.md §5's mapping), the values its filters compare, and the
``CODEBUILD_WEBHOOK_*`` variables and source version of the build it would start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagestack.localcloud.services.codebuild_webhooks.filters import WebhookEvent

ZERO = "0" * 40
_PULL_REQUEST_ACTIONS = {
    "opened": "PULL_REQUEST_CREATED",
    "reopened": "PULL_REQUEST_REOPENED",
    "synchronize": "PULL_REQUEST_UPDATED",
}


@dataclass(frozen=True)
class BuildTrigger:
    """What a matching event starts: the build's source version and webhook variables."""

    event: WebhookEvent
    source_version: str
    variables: dict[str, str]
    deleted: bool = False  # a deleted branch or tag: nothing to check out, no build


def read(github_event: str, payload: dict[str, Any]) -> BuildTrigger | None:
    """The trigger for a GitHub delivery, or None for events CodeBuild does not build on."""
    if github_event == "push":
        return _push(payload)
    if github_event == "pull_request":
        return _pull_request(payload)
    return None


def _push(payload: dict[str, Any]) -> BuildTrigger:
    ref = payload["ref"]
    head = payload.get("head_commit") or {}
    files = sorted(
        {
            path
            for commit in payload.get("commits") or []
            for key in ("added", "removed", "modified")
            for path in commit.get(key) or []
        }
    )
    event = WebhookEvent(
        event="PUSH",
        head_ref=ref,
        actor_account_id=str((payload.get("sender") or {}).get("id", "")),
        commit_message=head.get("message"),
        file_paths=tuple(files),
    )
    kind, _, name = ref.removeprefix("refs/").partition("/")
    trigger = f"{'tag' if kind == 'tags' else 'branch'}/{name}"
    variables = _variables(event, trigger, prev_commit=payload.get("before", ""))
    return BuildTrigger(event, payload["after"], variables, deleted=bool(payload.get("deleted")))


def _pull_request(payload: dict[str, Any]) -> BuildTrigger | None:
    pull = payload["pull_request"]
    action = payload.get("action")
    if action == "closed":
        codebuild_event = "PULL_REQUEST_MERGED" if pull.get("merged") else "PULL_REQUEST_CLOSED"
    else:
        codebuild_event = _PULL_REQUEST_ACTIONS.get(action or "")
    if codebuild_event is None:
        return None  # edited, labeled, ...: CodeBuild builds on none of them
    number = payload.get("number", pull.get("number"))
    event = WebhookEvent(
        event=codebuild_event,
        head_ref=f"refs/heads/{pull['head']['ref']}",
        base_ref=f"refs/heads/{pull['base']['ref']}",
        actor_account_id=str((payload.get("sender") or {}).get("id", "")),
    )
    variables = _variables(event, f"pr/{number}", prev_commit="")
    return BuildTrigger(event, f"pr/{number}", variables)


def _variables(event: WebhookEvent, trigger: str, prev_commit: str) -> dict[str, str]:
    return {
        "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID": event.actor_account_id,
        "CODEBUILD_WEBHOOK_BASE_REF": event.base_ref or "",
        "CODEBUILD_WEBHOOK_EVENT": event.event,
        "CODEBUILD_WEBHOOK_HEAD_REF": event.head_ref,
        "CODEBUILD_WEBHOOK_MERGE_COMMIT": "",
        "CODEBUILD_WEBHOOK_PREV_COMMIT": prev_commit,
        "CODEBUILD_WEBHOOK_TRIGGER": trigger,
    }
