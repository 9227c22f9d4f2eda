"""Delivering an event of a local repository to every CodeBuild webhook whose project's source
is that repository, as GitHub delivers it: a POST of the JSON payload to the webhook's
``payloadUrl`` with GitHub's headers, signed with the webhook's secret (``X-Hub-Signature-256``,
HMAC-SHA256 of the body; ``X-Hub-Signature``, the legacy SHA-1)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.repos.registry import Repository, normalized_url

USER_AGENT = "GitHub-Hookshot/5a1c0de"  # GitHub's form: the prefix and 7 hex digits
GITHUB_SOURCES = ("GITHUB", "GITHUB_ENTERPRISE")
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Target:
    project: str
    payload_url: str
    secret: str
    hook_id: int


@dataclass(frozen=True)
class Delivery:
    project: str
    status: int
    answer: str

    def describe(self, event: str) -> str:
        return f"{event} delivered to the webhook of {self.project}: {self.status} {self.answer}"


def deliver(repository: Repository, event: str, payload: dict[str, Any]) -> list[Delivery]:
    """POST ``payload`` as GitHub event ``event`` to each webhook of ``repository``'s projects."""
    body = json.dumps(payload).encode()
    return [_post(target, event, body) for target in targets(repository)]


def targets(repository: Repository) -> list[Target]:
    from sagestack.localcloud.services.codebuild_webhooks.models import payload_url

    wanted = normalized_url(repository.url)
    found = []
    for account, region, webhooks in moto_internals.iter_backends("codebuild-webhooks"):
        codebuild = moto_internals.backend("codebuild", account, region)
        for name, webhook in list(webhooks.webhooks.items()):
            project = codebuild.codebuild_projects.get(name)
            source = project.project_metadata["source"] if project else {}
            if normalized_url(source.get("location", "")) != wanted:
                continue
            if source.get("type") not in GITHUB_SOURCES:
                continue  # GitLab and Bitbucket send payloads of their own shapes
            found.append(Target(name, payload_url(webhook), webhook["secret"], webhook["_hook_id"]))
    return found


def signature_headers(secret: str, body: bytes) -> dict[str, str]:
    sha256 = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    sha1 = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={sha256}", "X-Hub-Signature": f"sha1={sha1}"}


def github_headers(event: str, hook_id: int, delivery_id: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": str(hook_id),
        "X-GitHub-Hook-Installation-Target-Type": "repository",
        "X-GitHub-Hook-Installation-Target-ID": str(secrets.randbelow(10**9)),
    }


def _post(target: Target, event: str, body: bytes) -> Delivery:
    headers = {**github_headers(event, target.hook_id), **signature_headers(target.secret, body)}
    request = urllib.request.Request(target.payload_url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Delivery(target.project, response.status, _answer(response.read()))
    except urllib.error.HTTPError as error:
        return Delivery(target.project, error.code, _answer(error.read()))
    except (urllib.error.URLError, OSError) as error:
        return Delivery(target.project, 0, f"not delivered: {error}")


def _answer(body: bytes) -> str:
    try:
        return json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        return body.decode(errors="replace")[:200]
