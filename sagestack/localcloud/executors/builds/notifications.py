"""CodeBuild's EventBridge events for a build: "CodeBuild Build State Change" when it starts and
ends, "CodeBuild Build Phase Change" when each phase ends, with AWS's detail keys
(/work/notes/codebuild.md §7: contexts as a JSON *string*, ``build-id`` the full build ARN,
times in ``additional-information`` as ``Sep 1, 2017 4:12:29 PM``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sagestack.localcloud.executors.events import put_event

SOURCE = "aws.codebuild"
STATE_CHANGE = "CodeBuild Build State Change"
PHASE_CHANGE = "CodeBuild Build Phase Change"


def publish(build: dict[str, Any], phase: dict[str, Any] | None) -> None:
    """Put the event for a finished ``phase``, or for the build's status when ``phase`` is None."""
    account, region = _account_region(build["arn"])
    if phase is None:
        detail_type, detail = STATE_CHANGE, state_change_detail(build)
    else:
        detail_type, detail = PHASE_CHANGE, phase_change_detail(build, phase)
    put_event(account, region, SOURCE, detail_type, detail, resources=[build["arn"]])


def state_change_detail(build: dict[str, Any]) -> dict[str, Any]:
    return {
        "build-status": build["buildStatus"],
        "project-name": build["projectName"],
        "build-id": build["arn"],
        "additional-information": additional_information(build),
        "current-phase": build["currentPhase"],
        "current-phase-context": "[]",
        "version": "1",
    }


def phase_change_detail(build: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    return {
        "completed-phase": phase["phaseType"],
        "project-name": build["projectName"],
        "build-id": build["arn"],
        "completed-phase-context": json.dumps(_contexts(phase)),
        "additional-information": additional_information(build),
        "completed-phase-status": phase["phaseStatus"],
        "completed-phase-duration-seconds": phase.get("durationInSeconds", 0),
        "version": "1",
        "completed-phase-start": _event_time(phase["startTime"]),
        "completed-phase-end": _event_time(phase.get("endTime")),
    }


def additional_information(build: dict[str, Any]) -> dict[str, Any]:
    environment = build.get("environment") or {}
    logs = build.get("logs") or {}
    source = build.get("source") or {}
    return {
        "artifact": {"location": (build.get("artifacts") or {}).get("location", "")},
        "environment": {
            "image": environment.get("image"),
            "privileged-mode": bool(environment.get("privilegedMode")),
            "compute-type": environment.get("computeType"),
            "type": environment.get("type"),
            "environment-variables": environment.get("environmentVariables") or [],
        },
        "timeout-in-minutes": build.get("timeoutInMinutes"),
        "build-complete": bool(build.get("buildComplete")),
        "initiator": build.get("initiator"),
        "build-start-time": _event_time(build.get("startTime")),
        "source": {"location": source.get("location"), "type": source.get("type")},
        "source-version": build.get("sourceVersion"),
        "logs": {
            "group-name": logs.get("groupName"),
            "stream-name": logs.get("streamName"),
            "deep-link": logs.get("deepLink"),
        },
        "phases": [_event_phase(p) for p in build.get("phases") or []],
    }


def _event_phase(phase: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "start-time": _event_time(phase["startTime"]),
        "phase-type": phase["phaseType"],
    }
    if "phaseStatus" in phase and phase["phaseType"] != "COMPLETED":
        shown.update(
            {
                "phase-context": _contexts(phase),
                "end-time": _event_time(phase.get("endTime")),
                "duration-in-seconds": phase.get("durationInSeconds", 0),
                "phase-status": phase["phaseStatus"],
            }
        )
    return shown


def _contexts(phase: dict[str, Any]) -> list[str]:
    """``["<statusCode>: <message>"]`` for a failed phase, as the real events carry them."""
    return [
        f"{c['statusCode']}: {c['message']}"
        for c in phase.get("contexts") or []
        if c.get("statusCode")
    ]


def _event_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M:%S} {value:%p}"


def _account_region(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[3]
