"""moto's CodeBuild responses plus Create/Update/DeleteWebhook, and the webhook on projects.

Routing stays moto's own ``urls.py``: :func:`moto_internals.extend_service` points it here.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.moto import ActionResult, EmptyResult
from sagestack.localcloud.services.exceptions import ResourceNotFoundException

from .models import CodeBuildWebhooksBackend, codebuild_webhooks_backends

_SETTINGS = (
    "branchFilter",
    "filterGroups",
    "buildType",
    "manualCreation",
    "scopeConfiguration",
    "pullRequestBuildPolicy",
)


# Source types AWS accepts that moto's CreateProject validation predates.
_SOURCE_TYPES_MOTO_LACKS = frozenset({"GITLAB", "GITLAB_SELF_MANAGED"})
# What UpdateProject may change, by request member (moto keeps the same keys in its metadata).
_UPDATABLE = (
    "description",
    "source",
    "artifacts",
    "environment",
    "serviceRole",
    "timeoutInMinutes",
    "queuedTimeoutInMinutes",
    "encryptionKey",
    "tags",
    "cache",
    "sourceVersion",
    "logsConfig",
    "vpcConfig",
    "concurrentBuildLimit",
)


class CodeBuildWebhooksResponse(moto_internals.moto_responses_class("codebuild")):  # type: ignore[misc]
    @property
    def webhooks(self) -> CodeBuildWebhooksBackend:
        return codebuild_webhooks_backends[self.current_account][self.region]

    # --- projects: GitLab sources, the given encryption key, UpdateProject ---

    def create_project(self) -> ActionResult:
        source = self._get_param("source") or {}
        source_type = source.get("type")
        no_location = source_type == "NO_SOURCE" and not source.get("location")
        if source_type in _SOURCE_TYPES_MOTO_LACKS:
            # moto validates the rest of the source as it would a GitHub one
            self._replace_source(type="GITHUB")
        if no_location:  # AWS needs no location without a source; moto asks for one anyway
            self._replace_source(location="-")
        super().create_project()
        name = self._get_param("name")
        metadata = self.codebuild_backend.codebuild_projects[name].project_metadata
        if source_type in _SOURCE_TYPES_MOTO_LACKS:
            metadata["source"]["type"] = source_type
        if no_location:
            metadata["source"].pop("location", None)
        if self._get_param("encryptionKey"):  # moto puts the account's aws/s3 key instead
            metadata["encryptionKey"] = self._get_param("encryptionKey")
        return ActionResult({"project": metadata})

    def _replace_source(self, **changes: str) -> None:
        if self.automated_parameter_parsing:
            self.params["source"] = {**self.params["source"], **changes}
            return
        request = json.loads(self.body)
        request["source"].update(changes)
        self.body = json.dumps(request)

    def update_project(self) -> ActionResult:
        name = self._get_param("name")
        project = self.codebuild_backend.codebuild_projects.get(name)
        if project is None:
            raise ResourceNotFoundException(f"Project cannot be found: {name}")
        for member in _UPDATABLE:
            value = self._get_param(member)
            if value is not None:
                project.project_metadata[member] = value
        project.project_metadata["lastModifiedDate"] = time.time()
        return ActionResult({"project": project.project_metadata})

    # --- webhooks ---

    def create_webhook(self) -> ActionResult:
        webhook = self.webhooks.create_webhook(self._get_param("projectName"), self._settings())
        return ActionResult({"webhook": webhook})

    def update_webhook(self) -> ActionResult:
        webhook = self.webhooks.update_webhook(
            self._get_param("projectName"),
            self._settings(),
            rotate_secret=bool(self._get_param("rotateSecret")),
        )
        return ActionResult({"webhook": webhook})

    def delete_webhook(self) -> ActionResult:
        self.webhooks.delete_webhook(self._get_param("projectName"))
        return EmptyResult()

    def batch_get_projects(self) -> ActionResult:
        names = self._get_param("names")
        projects = self.codebuild_backend.batch_get_projects(names)
        shown = [self._with_webhook(project) for project in projects]
        found = {p["name"] for p in projects} | {p["arn"] for p in projects}
        missing = [name for name in names if name not in found]
        return ActionResult({"projects": shown, "projectsNotFound": missing})

    def _with_webhook(self, project: dict[str, Any]) -> dict[str, Any]:
        webhook = self.webhooks.project_webhook(project["name"])
        return project if webhook is None else {**project, "webhook": webhook}

    def _settings(self) -> dict[str, Any]:
        return {name: self._get_param(name) for name in _SETTINGS}
