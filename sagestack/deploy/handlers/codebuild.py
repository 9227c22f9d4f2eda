"""CodeBuild: build projects and their source webhooks."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request, tag_list

_PROJECT_RENAMES = {"buildTimeout": "timeoutInMinutes", "queuedTimeout": "queuedTimeoutInMinutes"}


def _project_request(cloud: AwsClients, operation: str, desired: Desired) -> dict[str, Any]:
    request = build_request(
        cloud.client("codebuild"),
        operation,
        desired.inputs,
        renames=_PROJECT_RENAMES,
        ignore=("tags",),
    )
    request["tags"] = tag_list(desired.get("tags"), key="key", value="value")
    return request


def _project_outputs(project: dict[str, Any]) -> dict[str, Any]:
    return {"arn": project["arn"], "name": project["name"]}


def create_project(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    request = _project_request(cloud, "CreateProject", desired)
    project = cloud.client("codebuild").create_project(**request)["project"]
    # The provider's id for a project is its ARN.
    return Applied(project["arn"], _project_outputs(project))


def update_project(cloud: AwsClients, arn: str, desired: Desired) -> Applied:
    request = _project_request(cloud, "UpdateProject", desired)
    project = cloud.client("codebuild").update_project(**request)["project"]
    return Applied(arn, _project_outputs(project))


def delete_project(cloud: AwsClients, _arn: str, outputs: dict[str, Any]) -> None:
    cloud.client("codebuild").delete_project(name=outputs["name"])


def _webhook_request(cloud: AwsClients, operation: str, desired: Desired) -> dict[str, Any]:
    # Pulumi wraps each filter group as {"filters": [...]}; AWS takes the bare lists.
    inputs = dict(desired.inputs)
    groups = [group.get("filters", []) for group in inputs.pop("filterGroups", None) or []]
    request = build_request(cloud.client("codebuild"), operation, inputs)
    if groups:
        request["filterGroups"] = build_request(
            cloud.client("codebuild"), operation, {"filterGroups": groups}
        )["filterGroups"]
    return request


def _webhook_outputs(webhook: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": webhook.get("url", ""),
        "payloadUrl": webhook.get("payloadUrl", ""),
        "secret": webhook.get("secret", ""),
    }


def create_webhook(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    request = _webhook_request(cloud, "CreateWebhook", desired)
    webhook = cloud.client("codebuild").create_webhook(**request)["webhook"]
    return Applied(request["projectName"], _webhook_outputs(webhook))


def update_webhook(cloud: AwsClients, project: str, desired: Desired) -> Applied:
    request = _webhook_request(cloud, "UpdateWebhook", desired)
    webhook = cloud.client("codebuild").update_webhook(**request)["webhook"]
    return Applied(project, _webhook_outputs(webhook))


def delete_webhook(cloud: AwsClients, project: str, _outputs: dict[str, Any]) -> None:
    cloud.client("codebuild").delete_webhook(projectName=project)


HANDLERS = {
    "aws:codebuild/project:Project": Handler(
        create=create_project,
        delete=delete_project,
        update=update_project,
        replace_on=frozenset({"name"}),
    ),
    "aws:codebuild/webhook:Webhook": Handler(
        create=create_webhook,
        delete=delete_webhook,
        update=update_webhook,
        replace_on=frozenset({"projectName", "branchFilter"}),
    ),
}
