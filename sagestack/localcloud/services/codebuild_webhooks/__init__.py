"""CodeBuild webhooks: CreateWebhook, UpdateWebhook, DeleteWebhook, shown on BatchGetProjects."""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals


def _forget_webhook(original: Any, backend: Any, project_name: str) -> Any:
    """A deleted project takes its webhook with it, as in AWS."""
    from .models import codebuild_webhooks_backends

    result = original(project_name)
    codebuild_webhooks_backends[backend.account_id][backend.region_name].forget_project(
        project_name
    )
    return result


def install() -> None:
    from .responses import CodeBuildWebhooksResponse

    moto_internals.extend_service("codebuild", CodeBuildWebhooksResponse)
    moto_internals.wrap_backend_operation("codebuild", "delete_project", _forget_webhook)
