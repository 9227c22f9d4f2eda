"""CloudWatch: metric alarms."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, put_style
from sagestack.deploy.requests import build_request, tag_list


def put_alarm(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    cloudwatch = cloud.client("cloudwatch")
    inputs = {**desired.inputs, "name": desired.physical_name()}
    # Pulumi holds dimensions as a map; AWS as a list of name/value pairs.
    dimensions = [
        {"Name": k, "Value": v} for k, v in sorted((inputs.pop("dimensions", None) or {}).items())
    ]
    request = build_request(
        cloudwatch, "PutMetricAlarm", inputs, renames={"name": "AlarmName"}, ignore=("tags",)
    )
    if dimensions:
        request["Dimensions"] = dimensions
    cloudwatch.put_metric_alarm(**request, Tags=tag_list(desired.get("tags")))
    name = request["AlarmName"]
    return Applied(name, {"arn": cloud.arn("cloudwatch", f"alarm:{name}"), "name": name})


def delete_alarm(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("cloudwatch").delete_alarms(AlarmNames=[name])


HANDLERS = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": put_style(
        put_alarm, delete_alarm, replace_on=frozenset({"name"})
    ),
}
