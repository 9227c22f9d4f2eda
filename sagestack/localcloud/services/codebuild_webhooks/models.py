"""CodeBuild webhooks on moto's build projects.

As in AWS for GitHub and Bitbucket sources, CodeBuild itself holds the webhook: the repository's
hook (``url``) delivers to ``payloadUrl``, signed with a secret CodeBuild generated. The secret is
returned only where the user must configure the repository by hand (``manualCreation`` on GitHub,
and GitHub Enterprise); BatchGetProjects never shows it. The local webhook receiver reads it with
:meth:`CodeBuildWebhooksBackend.webhook_secret` to verify signatures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sagestack import contract
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors import runtime
from sagestack.localcloud.services.exceptions import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)

WEBHOOK_SOURCES = ("GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET", "GITLAB", "GITLAB_SELF_MANAGED")
FILTER_TYPES = (
    "EVENT",
    "BASE_REF",
    "HEAD_REF",
    "ACTOR_ACCOUNT_ID",
    "FILE_PATH",
    "COMMIT_MESSAGE",
    "WORKFLOW_NAME",
    "TAG_NAME",
    "RELEASE_NAME",
    "REPOSITORY_NAME",
    "ORGANIZATION_NAME",
)
EVENTS = (
    "PUSH",
    "PULL_REQUEST_CREATED",
    "PULL_REQUEST_UPDATED",
    "PULL_REQUEST_MERGED",
    "PULL_REQUEST_REOPENED",
    "PULL_REQUEST_CLOSED",
    "WORKFLOW_JOB_QUEUED",
    "RELEASED",
    "PRERELEASED",
)
BUILD_TYPES = ("BUILD", "BUILD_BATCH", "RUNNER_BUILDKITE_BUILD")
# botocore's WebhookFilter documentation: "Types PULL_REQUEST_REOPENED and WORKFLOW_JOB_QUEUED
# work with GitHub and GitHub Enterprise only. Types RELEASED and PRERELEASED work with GitHub
# only."
EVENT_SOURCES = {
    "PULL_REQUEST_REOPENED": ("GITHUB", "GITHUB_ENTERPRISE"),
    "WORKFLOW_JOB_QUEUED": ("GITHUB", "GITHUB_ENTERPRISE"),
    "RELEASED": ("GITHUB",),
    "PRERELEASED": ("GITHUB",),
}


class CodeBuildWebhooksBackend(moto_internals.BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.webhooks: dict[str, dict[str, Any]] = {}  # project name -> Webhook, secret included

    def create_webhook(self, project_name: str, settings: dict[str, Any]) -> dict[str, Any]:
        project = self._project(project_name)
        if project_name in self.webhooks:
            raise ResourceAlreadyExistsException(
                f"Webhook for project {project.arn} already exists; use UpdateWebhook to change it"
            )
        source_type = project.project_metadata["source"]["type"]
        if source_type not in WEBHOOK_SOURCES:
            raise InvalidInputException(
                f"Project {project_name} has source type {source_type}; webhooks need one of "
                + ", ".join(WEBHOOK_SOURCES)
            )
        _validate(settings, source_type)
        hook_id = int(moto_internals.random_hex(8), 16) % 10**9
        webhook = {
            "url": _repository_hook_url(
                project.project_metadata["source"].get("location", ""), hook_id
            ),
            "secret": moto_internals.random_hex(40),
            "buildType": settings.get("buildType") or "BUILD",
            "manualCreation": bool(settings.get("manualCreation")),
            "lastModifiedSecret": datetime.now(UTC),
            "status": "ACTIVE",
            "_source_type": source_type,
            "_token": moto_internals.random_token(24),
            "_hook_id": hook_id,
            "_region": self.region_name,
        }
        _apply(webhook, settings)
        self.webhooks[project_name] = webhook
        return self._shown(webhook, on_create=True)

    def update_webhook(
        self, project_name: str, settings: dict[str, Any], rotate_secret: bool
    ) -> dict[str, Any]:
        webhook = self._webhook(project_name)
        _validate(settings, webhook["_source_type"])
        _apply(webhook, settings)
        if settings.get("buildType"):
            webhook["buildType"] = settings["buildType"]
        if rotate_secret:
            webhook["secret"] = moto_internals.random_hex(40)
            webhook["lastModifiedSecret"] = datetime.now(UTC)
        return self._shown(webhook, on_create=rotate_secret)

    def delete_webhook(self, project_name: str) -> None:
        self._webhook(project_name)
        del self.webhooks[project_name]

    def project_webhook(self, project_name: str) -> dict[str, Any] | None:
        """The webhook as BatchGetProjects shows it (never with its secret)."""
        webhook = self.webhooks.get(project_name)
        return None if webhook is None else self._shown(webhook, on_create=False)

    def webhook_secret(self, project_name: str) -> str:
        return self._webhook(project_name)["secret"]

    def project_with_token(self, token: str) -> str | None:
        """The project whose webhook's ``payloadUrl`` carries ``token``."""
        return next((p for p, w in self.webhooks.items() if w["_token"] == token), None)

    def forget_project(self, project_name: str) -> None:
        self.webhooks.pop(project_name, None)

    def _shown(self, webhook: dict[str, Any], on_create: bool) -> dict[str, Any]:
        shown = {k: v for k, v in webhook.items() if not k.startswith("_") and v is not None}
        shown["payloadUrl"] = payload_url(webhook)
        reveal = webhook["manualCreation"] or webhook["_source_type"] == "GITHUB_ENTERPRISE"
        if not (on_create and reveal):
            shown.pop("secret")
        return shown

    def _project(self, project_name: str) -> Any:
        codebuild = moto_internals.backend("codebuild", self.account_id, self.region_name)
        project = codebuild.codebuild_projects.get(project_name)
        if project is None:
            raise ResourceNotFoundException(
                f"Project cannot be found: arn:{self.partition}:codebuild:{self.region_name}:"
                f"{self.account_id}:project/{project_name}"
            )
        return project

    def _webhook(self, project_name: str) -> dict[str, Any]:
        self._project(project_name)
        if project_name not in self.webhooks:
            raise ResourceNotFoundException(f"Project {project_name} has no webhook")
        return self.webhooks[project_name]


def _apply(webhook: dict[str, Any], settings: dict[str, Any]) -> None:
    for key in ("branchFilter", "filterGroups", "scopeConfiguration", "pullRequestBuildPolicy"):
        if settings.get(key) is not None:
            webhook[key] = settings[key]


def payload_url(webhook: dict[str, Any]) -> str:
    """Where the repository's hook delivers: the running local cloud's webhook path (CodeBuild's
    own host when no local cloud runs, as under moto's in-process mock)."""
    query = f"{contract.CODEBUILD_WEBHOOK_PATH}?t={webhook['_token']}&v=1"
    try:
        return runtime.current().endpoint_url + query
    except runtime.NotRunningError:
        return f"https://codebuild.{webhook['_region']}.amazonaws.com{query}"


def _validate(settings: dict[str, Any], source_type: str) -> None:
    build_type = settings.get("buildType")
    if build_type and build_type not in BUILD_TYPES:
        raise InvalidInputException(
            f"buildType '{build_type}' is invalid: use one of {', '.join(BUILD_TYPES)}"
        )
    for group in settings.get("filterGroups") or []:
        _validate_filter_group(group, source_type)


def _validate_filter_group(group: list[dict[str, Any]], source_type: str) -> None:
    events = [f for f in group if f.get("type") == "EVENT"]
    if len(events) != 1:
        raise InvalidInputException(
            "Each filter group needs exactly one filter of type EVENT, found " + str(len(events))
        )
    for webhook_filter in group:
        if webhook_filter.get("type") not in FILTER_TYPES:
            raise InvalidInputException(
                f"Filter type '{webhook_filter.get('type')}' is invalid: use one of "
                + ", ".join(FILTER_TYPES)
            )
    names = [e.strip() for e in events[0].get("pattern", "").split(",")]
    unknown = [e for e in names if e not in EVENTS]
    if unknown:
        raise InvalidInputException(
            f"EVENT pattern '{events[0].get('pattern')}' names unknown events {unknown}: use "
            + ", ".join(EVENTS)
        )
    for event in names:
        if source_type not in EVENT_SOURCES.get(event, (source_type,)):
            raise InvalidInputException(
                f"Event {event} is not supported for source type {source_type}: it works with "
                + ", ".join(EVENT_SOURCES[event])
                + " only"
            )


def _repository_hook_url(location: str, hook_id: int) -> str:
    """Where the hook lives on the provider, e.g. GitHub's API URL for the repository's hook."""
    prefix = "https://github.com/"
    if location.startswith(prefix):
        repository = location[len(prefix) :].removesuffix(".git")
        return f"https://api.github.com/repos/{repository}/hooks/{hook_id}"
    return location


codebuild_webhooks_backends = moto_internals.addon_backends(
    CodeBuildWebhooksBackend, "codebuild-webhooks", regions_of="codebuild"
)
