"""A StartBuild request made into the build it starts: the project's settings with the request's
overrides applied, as BatchGetBuilds then shows them (moto's own StartBuild invents the source,
environment, number and timeout; /work/notes/codebuild.md "moto 5.2.5 behaviour")."""

from __future__ import annotations

import copy
from typing import Any

from sagestack.localcloud.executors.builds import scheduler
from sagestack.localcloud.services.exceptions import ResourceNotFoundException, ServiceException

DEFAULT_TIMEOUT_MINUTES = 60
DEFAULT_QUEUED_TIMEOUT_MINUTES = 480
_ENVIRONMENT_OVERRIDES = {
    "imageOverride": "image",
    "computeTypeOverride": "computeType",
    "environmentTypeOverride": "type",
    "privilegedModeOverride": "privilegedMode",
}


class AccountLimitExceededException(ServiceException):
    code = "AccountLimitExceededException"


def new_build(codebuild: Any, request: dict[str, Any], initiator: str) -> dict[str, Any]:
    name = request["projectName"]
    project = codebuild.codebuild_projects.get(name)
    if project is None:
        raise ResourceNotFoundException(
            f"Project cannot be found: arn:aws:codebuild:{codebuild.region_name}:"
            f"{codebuild.account_id}:project/{name}"
        )
    settings = project.project_metadata
    _check_concurrency(codebuild, name, settings.get("concurrentBuildLimit"))
    build = codebuild.start_build(name, None, None)  # moto's record, filled in below
    build.update(
        buildNumber=len(codebuild.build_history[name]),
        source=_source(settings, request),
        environment=_environment(settings, request),
        artifacts=copy.deepcopy(request.get("artifactsOverride") or settings.get("artifacts")),
        cache=copy.deepcopy(request.get("cacheOverride") or settings.get("cache")),
        serviceRole=request.get("serviceRoleOverride") or settings["serviceRole"],
        timeoutInMinutes=request.get("timeoutInMinutesOverride")
        or settings.get("timeoutInMinutes")
        or DEFAULT_TIMEOUT_MINUTES,
        queuedTimeoutInMinutes=request.get("queuedTimeoutInMinutesOverride")
        or settings.get("queuedTimeoutInMinutes")
        or DEFAULT_QUEUED_TIMEOUT_MINUTES,
        encryptionKey=request.get("encryptionKeyOverride") or settings.get("encryptionKey"),
        initiator=initiator,
        logs=_logs(settings, request, build),
        exportedEnvironmentVariables=[],
    )
    version = request.get("sourceVersion") or settings.get("sourceVersion")
    if version:
        build["sourceVersion"] = version
    else:
        build.pop("sourceVersion", None)
    return build


def _check_concurrency(codebuild: Any, name: str, limit: int | None) -> None:
    if not limit:
        return
    prefix = f"arn:aws:codebuild:{codebuild.region_name}:{codebuild.account_id}:build/{name}:"
    if scheduler.active_in_project(prefix) >= limit:
        raise AccountLimitExceededException(
            f"Project {name} has reached its concurrent build limit of {limit}"
        )


def _source(settings: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    source = copy.deepcopy(settings.get("source") or {"type": "NO_SOURCE"})
    if request.get("sourceTypeOverride"):
        source["type"] = request["sourceTypeOverride"]
    if request.get("sourceLocationOverride"):
        source["location"] = request["sourceLocationOverride"]
    if request.get("buildspecOverride"):
        source["buildspec"] = request["buildspecOverride"]
    return source


def _environment(settings: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    environment = copy.deepcopy(settings.get("environment") or {})
    for member, key in _ENVIRONMENT_OVERRIDES.items():
        if request.get(member) is not None:
            environment[key] = request[member]
    variables = {v["name"]: v for v in environment.get("environmentVariables") or []}
    for override in request.get("environmentVariablesOverride") or []:
        variables[override["name"]] = {"type": "PLAINTEXT", **override}
    environment["environmentVariables"] = list(variables.values())
    return environment


def _logs(settings: dict[str, Any], request: dict[str, Any], build: dict) -> dict[str, Any]:
    config = request.get("logsConfigOverride") or settings.get("logsConfig") or {}
    cloudwatch = {"status": "ENABLED", **(config.get("cloudWatchLogs") or {})}
    uuid = build["id"].split(":", 1)[1]
    group = cloudwatch.get("groupName") or f"/aws/codebuild/{build['projectName']}"
    stream = f"{cloudwatch['streamName']}/{uuid}" if cloudwatch.get("streamName") else uuid
    region, account = build["arn"].split(":")[3:5]
    shown = {
        "cloudWatchLogs": cloudwatch,
        "s3Logs": {"status": "DISABLED", "encryptionDisabled": False},
    }
    if cloudwatch["status"] == "ENABLED":
        shown.update(
            groupName=group,
            streamName=stream,
            deepLink=f"https://console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#logEvent:group={group};stream={stream}",
            cloudWatchLogsArn=f"arn:aws:logs:{region}:{account}:log-group:{group}"
            f":log-stream:{stream}",
        )
    return shown
