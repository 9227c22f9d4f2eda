"""A project's two CodeBuild projects (the build the webhook starts and the deploy build the
approval rule starts), and waiting for their builds as a developer watches the console."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sagestack import contract
from sagestack.scenarios.project import Project

DEFAULT_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class BuildProjects:
    build: str  # started by the repository's webhook
    deploy: str  # started by the approval rule


def build_projects(project: Project) -> BuildProjects:
    """The CodeBuild projects the platform made for ``project`` (their environment names it;
    the one with a webhook is the build)."""
    codebuild = project.client("codebuild")
    names = [
        n for page in codebuild.get_paginator("list_projects").paginate() for n in page["projects"]
    ]
    found: dict[bool, str] = {}
    for start in range(0, len(names), 100):
        for described in codebuild.batch_get_projects(names=names[start : start + 100])["projects"]:
            variables = described.get("environment", {}).get("environmentVariables", [])
            if any(
                (v["name"], v["value"]) == (contract.ENV_PROJECT, project.name) for v in variables
            ):
                found[bool(described.get("webhook"))] = described["name"]
    if set(found) != {True, False}:
        raise LookupError(f"project '{project.name}' has no build and deploy CodeBuild projects")
    return BuildProjects(build=found[True], deploy=found[False])


def wait_for_build(
    project: Project,
    codebuild_project: str,
    seen: set[str],
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """The first build of ``codebuild_project`` not in ``seen``, once it completed; raises
    TimeoutError if none started or completed within ``timeout`` seconds."""
    codebuild = project.client("codebuild")
    deadline = time.monotonic() + timeout
    build_id = None
    while build_id is None:
        ids = codebuild.list_builds_for_project(projectName=codebuild_project)["ids"]
        build_id = next((i for i in ids if i not in seen), None)
        if build_id is None:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no new build of {codebuild_project} started in {timeout:.0f} s"
                )
            time.sleep(0.2)
    while True:
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        if build["buildComplete"]:
            return build
        if time.monotonic() > deadline:
            raise TimeoutError(f"build {build_id} is still {build.get('currentPhase')}")
        time.sleep(0.3)


def build_ids(project: Project, codebuild_project: str) -> set[str]:
    codebuild = project.client("codebuild")
    return set(codebuild.list_builds_for_project(projectName=codebuild_project)["ids"])


def failed_phase(build: dict[str, Any]) -> str | None:
    """The phase a build failed in (``PRE_BUILD``, ...), None when none failed."""
    for phase in build.get("phases", []):
        if phase.get("phaseStatus") in ("FAILED", "FAULT", "TIMED_OUT"):
            return phase["phaseType"]
    return None


def build_log(project: Project, build: dict[str, Any]) -> list[str]:
    """The build's CloudWatch Logs lines."""
    logs = build.get("logs") or {}
    if not logs.get("groupName") or not logs.get("streamName"):
        return []
    events = (
        project.client("logs")
        .get_paginator("filter_log_events")
        .paginate(logGroupName=logs["groupName"], logStreamNames=[logs["streamName"]])
    )
    return [event["message"].rstrip("\n") for page in events for event in page["events"]]
