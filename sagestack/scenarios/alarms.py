"""Finding a project's alarms by what they watch (namespace, metric, dimensions of the contract),
not by their names, and reading their state."""

from __future__ import annotations

from typing import Any

from sagestack import contract
from sagestack.scenarios.project import Project

SAGEMAKER_NAMESPACE = "AWS/SageMaker"


def alarm_on(
    project: Project, namespace: str, metric: str, dimensions: dict[str, str]
) -> dict[str, Any]:
    """The one alarm on ``metric`` with exactly ``dimensions``; raises if there is none or more."""
    listed = project.client("cloudwatch").describe_alarms_for_metric(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
    )["MetricAlarms"]
    # filtered again here: moto matches on namespace and metric name only
    found = [a for a in listed if {d["Name"]: d["Value"] for d in a["Dimensions"]} == dimensions]
    if len(found) != 1:
        raise LookupError(
            f"expected one alarm on {namespace} {metric} {dimensions}, found "
            f"{[a['AlarmName'] for a in found] or 'none'}"
        )
    return found[0]


def drift_alarm(project: Project, feature: str | None = None) -> dict[str, Any]:
    """The alarm on ``feature``'s drift violations, or with ``feature=None`` on any feature's."""
    endpoint = {contract.DIM_ENDPOINT: project.endpoint_name}
    if feature is None:
        return alarm_on(
            project, contract.DRIFT_NAMESPACE, contract.DRIFT_VIOLATIONS_METRIC, endpoint
        )
    dimensions = {**endpoint, contract.DIM_FEATURE: feature}
    return alarm_on(project, contract.DRIFT_NAMESPACE, contract.DRIFT_VIOLATION_METRIC, dimensions)


def endpoint_dimensions(project: Project) -> dict[str, str]:
    return {"EndpointName": project.endpoint_name, "VariantName": contract.ENDPOINT_VARIANT}


def endpoint_alarm(project: Project, metric: str) -> dict[str, Any]:
    return alarm_on(project, SAGEMAKER_NAMESPACE, metric, endpoint_dimensions(project))


def alarm_states(project: Project, names: list[str]) -> dict[str, str]:
    alarms = project.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    return {alarm["AlarmName"]: alarm["StateValue"] for alarm in alarms}


def heartbeat_alarm(project: Project) -> dict[str, Any]:
    """The alarm that pages when the drift monitor of the project's endpoint stops running."""
    endpoint = {contract.DIM_ENDPOINT: project.endpoint_name}
    return alarm_on(project, contract.DRIFT_NAMESPACE, contract.DRIFT_HEARTBEAT_METRIC, endpoint)


def capture_gap_alarm(project: Project) -> dict[str, Any]:
    """The alarm that pages when the project's endpoint serves without capturing."""
    endpoint = {contract.DIM_ENDPOINT: project.endpoint_name}
    return alarm_on(
        project, contract.DRIFT_NAMESPACE, contract.DRIFT_MISSING_CAPTURE_METRIC, endpoint
    )
