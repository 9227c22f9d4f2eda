"""The webhook receiver behind ``payloadUrl`` (``POST /webhooks?t=<token>&v=1``).

It does what a GitHub receiver must (GitHub's "Validating webhook deliveries"): refuse a body
over GitHub's 25 MB cap before reading it; find the webhook by its token; verify
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the webhook's secret) in constant time
*before* parsing anything; refuse a delivery id it has seen. Then CodeBuild's part: map the
GitHub event to CodeBuild's, apply the filter groups, and start the build as its project's
webhook build (``sourceVersion`` the pushed commit or ``pr/<n>``, ``initiator`` the delivery's
User-Agent, ``CODEBUILD_WEBHOOK_*`` variables).

Answers are JSON ``{"message": ...}``: 202 with the build id, 200 when nothing was to be built,
4xx for what is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections import OrderedDict
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.codebuild_webhooks import filters, github

MAX_BODY_BYTES = 25 * 1024 * 1024  # "Payloads are capped at 25 MB"
REMEMBERED_DELIVERIES = 10_000


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


_seen: OrderedDict[str, None] = OrderedDict()
_seen_lock = threading.Lock()


def forget_deliveries() -> None:
    with _seen_lock:
        _seen.clear()


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    try:
        status, message, extra = _receive(environ)
    except Refused as refused:
        status, message, extra = refused.status, refused.message, {}
    body = json.dumps({"message": message, **extra}).encode()
    reason = {
        200: "OK",
        202: "Accepted",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        409: "Conflict",
        413: "Payload Too Large",
    }.get(status, "Error")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _receive(environ: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    if environ.get("REQUEST_METHOD") != "POST":
        raise Refused(405, "webhook deliveries are POST requests")
    body = _body(environ)
    account, region, project, webhook = _webhook(environ)
    _verify_signature(webhook["secret"], body, environ.get("HTTP_X_HUB_SIGNATURE_256", ""))
    _remember_delivery(environ.get("HTTP_X_GITHUB_DELIVERY", ""), project)
    payload = _payload(body, environ.get("CONTENT_TYPE", ""))
    github_event = environ.get("HTTP_X_GITHUB_EVENT", "")
    if github_event == "ping":
        return 200, "pong", {}
    trigger = github.read(github_event, payload)
    if trigger is None:
        return 200, f"{github_event} event with action {payload.get('action')!r}: not built", {}
    if trigger.deleted:
        return 200, f"{trigger.event.head_ref} was deleted: nothing to build", {}
    trigger = _with_local_details(trigger, payload)
    if not filters.starts_build(webhook, trigger.event):
        event = trigger.event
        return 200, f"{event.event} on {event.head_ref}: no filter group matched", {}
    build = _start_build(account, region, project, trigger, environ.get("HTTP_USER_AGENT", ""))
    return 202, f"build {build['id']} started", {"build": build["id"]}


def _body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "Content-Length is not a number") from None
    if length > MAX_BODY_BYTES:
        raise Refused(413, f"payload of {length} bytes is over GitHub's 25 MB limit")
    return environ["wsgi.input"].read(length) if length else b""


def _webhook(environ: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    token = (query.get("t") or [""])[0]
    for account, region, webhooks in moto_internals.iter_backends("codebuild-webhooks"):
        project = webhooks.project_with_token(token) if token else None
        if project is not None:
            return account, region, project, webhooks.webhooks[project]
    raise Refused(404, "no webhook has this payload URL")


def _verify_signature(secret: str, body: bytes, header: str) -> None:
    if not header:
        raise Refused(401, "X-Hub-Signature-256 is missing: deliveries must be signed")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.encode()):
        raise Refused(403, "X-Hub-Signature-256 does not match the payload and the secret")


def _remember_delivery(delivery: str, project: str) -> None:
    if not delivery:
        raise Refused(400, "X-GitHub-Delivery is missing")
    key = f"{project}/{delivery}"
    with _seen_lock:
        if key in _seen:
            raise Refused(409, f"delivery {delivery} was received before: replays start nothing")
        _seen[key] = None
        while len(_seen) > REMEMBERED_DELIVERIES:
            _seen.popitem(last=False)


def _payload(body: bytes, content_type: str) -> dict[str, Any]:
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qs(body.decode())
            return json.loads(form["payload"][0])
        document = json.loads(body)
    except (ValueError, KeyError, UnicodeDecodeError):
        raise Refused(400, "the payload is not GitHub's JSON") from None
    if not isinstance(document, dict):
        raise Refused(400, "the payload is not a JSON object")
    return document


def _with_local_details(trigger: github.BuildTrigger, payload: dict) -> github.BuildTrigger:
    """A pull request's changed files and head commit message, which CodeBuild asks GitHub's
    API for, from the local repository when the event comes from one."""
    if trigger.event.event == "PUSH":
        return trigger
    from sagestack.localcloud.repos import git
    from sagestack.localcloud.repos.registry import repositories

    repository = repositories().find_by_url(payload["repository"]["html_url"])
    if repository is None:
        return trigger
    pull = payload["pull_request"]
    base = git.merge_base(repository.path, pull["base"]["sha"], pull["head"]["sha"])
    added, removed, modified = git.changed_files(repository.path, base or "", pull["head"]["sha"])
    event = dataclasses.replace(
        trigger.event,
        file_paths=tuple(sorted({*added, *removed, *modified})),
        commit_message=git.commit(repository.path, pull["head"]["sha"]).message,
    )
    return dataclasses.replace(trigger, event=event)


def _start_build(
    account: str, region: str, project: str, trigger: github.BuildTrigger, user_agent: str
) -> dict[str, Any]:
    from sagestack.localcloud.executors import builds

    return builds.start_build(
        account,
        region,
        {"projectName": project, "sourceVersion": trigger.source_version},
        initiator=user_agent or "GitHub-Hookshot",
        webhook_variables=trigger.variables,
    )
