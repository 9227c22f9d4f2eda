"""CodeBuild webhooks: CreateWebhook, UpdateWebhook, DeleteWebhook, shown on BatchGetProjects;
and the receiver behind their ``payloadUrl`` (:mod:`.receiver`), which verifies GitHub's
deliveries, applies the filter groups (:mod:`.filters`) and starts the builds."""

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
    from sagestack import contract

    from .receiver import app, forget_deliveries
    from .responses import CodeBuildWebhooksResponse

    moto_internals.extend_service("codebuild", CodeBuildWebhooksResponse)
    moto_internals.register_route(contract.CODEBUILD_WEBHOOK_PATH, app)
    moto_internals.on_reset(forget_deliveries)
    moto_internals.wrap_backend_operation("codebuild", "delete_project", _forget_webhook)
