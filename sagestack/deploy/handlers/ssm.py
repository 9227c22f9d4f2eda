"""SSM: the parameters that tell each project where its resources are."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request, tag_list


def _request(cloud: AwsClients, desired: Desired) -> dict[str, Any]:
    inputs = dict(desired.inputs)
    if "insecureValue" in inputs:  # the provider's plaintext spelling of value
        inputs["value"] = inputs.pop("insecureValue")
    return build_request(cloud.client("ssm"), "PutParameter", inputs, ignore=("tags", "arn"))


def _outputs(cloud: AwsClients, name: str, version: int) -> dict[str, Any]:
    return {"arn": cloud.arn("ssm", f"parameter{name}"), "version": version}


def create_parameter(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    request = _request(cloud, desired)
    version = cloud.client("ssm").put_parameter(**request, Tags=tag_list(desired.get("tags")))
    return Applied(request["Name"], _outputs(cloud, request["Name"], version["Version"]))


def update_parameter(cloud: AwsClients, name: str, desired: Desired) -> Applied:
    ssm = cloud.client("ssm")
    # AWS refuses Tags together with Overwrite: tags go through the tagging call.
    version = ssm.put_parameter(**_request(cloud, desired), Overwrite=True)["Version"]
    if desired.get("tags"):
        ssm.add_tags_to_resource(
            ResourceType="Parameter", ResourceId=name, Tags=tag_list(desired.get("tags"))
        )
    return Applied(name, _outputs(cloud, name, version))


def delete_parameter(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("ssm").delete_parameter(Name=name)


HANDLERS = {
    "aws:ssm/parameter:Parameter": Handler(
        create=create_parameter,
        delete=delete_parameter,
        update=update_parameter,
        replace_on=frozenset({"name", "dataType"}),
    ),
}
