"""The receiver behind payloadUrl: GitHub's signature, replay and size rules, and CodeBuild's
filter groups, tried with deliveries made by hand."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid

import pytest
from conftest import builds_of, create_project, wait_for_build

PULL_REQUEST_EVENTS = ("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_REOPENED")
PLATFORM_FILTER_GROUPS = [  # what the platform's SourceWebhook creates (infra/components/source.py)
    [{"type": "EVENT", "pattern": "PUSH"}, {"type": "HEAD_REF", "pattern": "^refs/heads/main$"}],
    [
        {
            "type": "EVENT",
            "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED",
        },
        {"type": "BASE_REF", "pattern": "^refs/heads/main$"},
    ],
]
SPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo built\n"


@pytest.fixture
def webhook(codebuild):
    create_project(codebuild, source_type="GITHUB", buildspec=SPEC)
    created = codebuild.create_webhook(
        projectName="churn-build", filterGroups=PLATFORM_FILTER_GROUPS, manualCreation=True
    )["webhook"]
    return created


def _push(ref: str = "refs/heads/main", sender_id: int = 7, message: str = "fix") -> dict:
    commit = {
        "id": "a" * 40,
        "message": message,
        "added": ["src/a.py"],
        "removed": [],
        "modified": ["README.md"],
    }
    return {
        "ref": ref,
        "before": "b" * 40,
        "after": "a" * 40,
        "created": False,
        "deleted": False,
        "commits": [commit],
        "head_commit": commit,
        "sender": {"id": sender_id},
        "repository": {"html_url": "https://github.com/acme/churn"},
    }


def _pull_request(action: str, base: str = "main", number: int = 4, merged: bool = False) -> dict:
    return {
        "action": action,
        "number": number,
        "sender": {"id": 7},
        "pull_request": {
            "number": number,
            "merged": merged,
            "head": {"ref": "feature", "sha": "c" * 40},
            "base": {"ref": base, "sha": "d" * 40},
        },
        "repository": {"html_url": "https://github.com/acme/unknown"},
    }


def _deliver(
    webhook: dict,
    payload: dict | bytes,
    event: str = "push",
    secret: str | None = None,
    signature: str | None = None,
    delivery: str | None = None,
) -> tuple[int, dict]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    digest = hmac.new((secret or webhook["secret"]).encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
    }
    if signature != "":
        headers["X-Hub-Signature-256"] = signature or f"sha256={digest}"
    request = urllib.request.Request(
        webhook["payloadUrl"], data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_signed_push_to_main_starts_a_build_as_github_hookshot(codebuild, webhook):
    status, answer = _deliver(webhook, _push())
    assert status == 202, answer
    build = codebuild.batch_get_builds(ids=[answer["build"]])["builds"][0]
    assert build["initiator"] == "GitHub-Hookshot/044aadd"
    assert build["sourceVersion"] == "a" * 40
    wait_for_build(codebuild, build["id"])


@pytest.mark.parametrize(
    ("secret", "signature", "status"),
    [
        ("not-the-secret", None, 403),  # signed with another secret
        (None, "sha256=" + "0" * 64, 403),  # a made-up signature
        (None, "", 401),  # no signature at all
    ],
)
def test_a_delivery_not_signed_with_the_webhooks_secret_is_refused(
    codebuild, webhook, secret, signature, status
):
    answer_status, answer = _deliver(webhook, _push(), secret=secret, signature=signature)
    assert answer_status == status
    assert "X-Hub-Signature-256" in answer["message"]
    assert builds_of(codebuild) == []


def test_the_signature_is_checked_before_the_body_is_parsed(codebuild, webhook):
    status, answer = _deliver(webhook, b"{not json", secret="wrong")
    assert status == 403  # not 400: nothing is parsed before the signature holds


def test_a_replayed_delivery_starts_nothing(codebuild, webhook):
    delivery = str(uuid.uuid4())
    first, answer = _deliver(webhook, _push(), delivery=delivery)
    assert first == 202
    again, replayed = _deliver(webhook, _push(), delivery=delivery)
    assert again == 409 and "received before" in replayed["message"]
    assert builds_of(codebuild) == [answer["build"]]
    wait_for_build(codebuild, answer["build"])


def test_a_body_over_githubs_25_mb_cap_is_refused_unread(codebuild, webhook):
    request = urllib.request.Request(
        webhook["payloadUrl"],
        data=b"{}",
        method="POST",
        headers={"Content-Length": str(25 * 1024 * 1024 + 1), "X-GitHub-Event": "push"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    assert builds_of(codebuild) == []


def test_an_unknown_payload_url_token_is_not_found(codebuild, webhook):
    unknown = dict(webhook, payloadUrl=webhook["payloadUrl"].replace("?t=", "?t=x"))
    assert _deliver(unknown, _push())[0] == 404


@pytest.mark.parametrize(
    ("payload", "starts"),
    [
        (_pull_request("opened"), "PULL_REQUEST_CREATED"),
        (_pull_request("synchronize"), "PULL_REQUEST_UPDATED"),
        (_pull_request("reopened"), "PULL_REQUEST_REOPENED"),
        (_pull_request("opened", base="release"), None),  # BASE_REF is not main
        (_pull_request("closed", merged=True), None),  # MERGED is in no group
        (_pull_request("edited"), None),  # CodeBuild builds on no such action
    ],
)
def test_pull_request_events_start_builds_per_filter_group(codebuild, webhook, payload, starts):
    status, answer = _deliver(webhook, payload, event="pull_request")
    if starts is None:
        assert status == 200 and builds_of(codebuild) == []
        return
    assert status == 202, answer
    build = codebuild.batch_get_builds(ids=[answer["build"]])["builds"][0]
    assert build["sourceVersion"] == "pr/4"
    build = wait_for_build(codebuild, build["id"])  # the PR head is not in any local repository
    assert build["buildStatus"] == "FAILED"


@pytest.mark.parametrize(
    ("group", "payload", "starts"),
    [
        ([{"type": "FILE_PATH", "pattern": r"^src/"}], _push(), True),
        ([{"type": "FILE_PATH", "pattern": r"^docs/"}], _push(), False),
        (
            [{"type": "COMMIT_MESSAGE", "pattern": r"\[skip ci\]", "excludeMatchedPattern": True}],
            _push(message="docs [skip ci]"),
            False,
        ),
        (
            [{"type": "COMMIT_MESSAGE", "pattern": r"\[skip ci\]", "excludeMatchedPattern": True}],
            _push(message="fix"),
            True,
        ),
        ([{"type": "ACTOR_ACCOUNT_ID", "pattern": "^7$"}], _push(sender_id=7), True),
        ([{"type": "ACTOR_ACCOUNT_ID", "pattern": "^7$"}], _push(sender_id=8), False),
        (
            [{"type": "HEAD_REF", "pattern": r"^refs/tags/", "excludeMatchedPattern": True}],
            _push(ref="refs/tags/v1"),
            False,
        ),
        ([{"type": "BASE_REF", "pattern": "^refs/heads/main$"}], _push(), False),  # push: no base
    ],
)
def test_every_filter_of_a_group_must_match(codebuild, group, payload, starts):
    create_project(codebuild, buildspec=SPEC)
    webhook = codebuild.create_webhook(
        projectName="churn-build",
        filterGroups=[[{"type": "EVENT", "pattern": "PUSH"}, *group]],
        manualCreation=True,
    )["webhook"]
    status, answer = _deliver(webhook, payload)
    assert (status == 202) is starts, answer
    for build_id in builds_of(codebuild):
        wait_for_build(codebuild, build_id)


def test_bitbucket_webhooks_refuse_events_bitbucket_does_not_send(codebuild, aws_error):
    create_project(codebuild, source_type="BITBUCKET", location="https://bitbucket.org/acme/churn")
    error = aws_error(
        lambda: codebuild.create_webhook(
            projectName="churn-build",
            filterGroups=[[{"type": "EVENT", "pattern": "PUSH,PULL_REQUEST_REOPENED"}]],
        )
    )["Error"]
    assert error["Code"] == "InvalidInputException"
    assert "PULL_REQUEST_REOPENED" in error["Message"] and "BITBUCKET" in error["Message"]
    created = codebuild.create_webhook(
        projectName="churn-build",
        filterGroups=[[{"type": "EVENT", "pattern": "PUSH,PULL_REQUEST_MERGED"}]],
    )
    assert created["webhook"]["filterGroups"][0][0]["pattern"] == "PUSH,PULL_REQUEST_MERGED"
