"""moto's CodeBuild responses plus Create/Update/DeleteWebhook, and the webhook on projects.

Routing stays moto's own ``urls.py``: :func:`moto_integration.extend_service` points it here.
"""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto_integration
from sagestack.localcloud.moto_integration import ActionResult, EmptyResult

from .models import CodeBuildWebhooksBackend, codebuild_webhooks_backends

_SETTINGS = (
    "branchFilter",
    "filterGroups",
    "buildType",
    "manualCreation",
    "scopeConfiguration",
    "pullRequestBuildPolicy",
)


class CodeBuildWebhooksResponse(moto_integration.moto_responses_class("codebuild")):  # type: ignore[misc]
    @property
    def webhooks(self) -> CodeBuildWebhooksBackend:
        return codebuild_webhooks_backends[self.current_account][self.region]

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
