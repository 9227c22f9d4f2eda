"""SageMaker: feature groups and model package groups (both immutable: changes replace them)."""

from __future__ import annotations

from typing import Any

from botocore import xform_name

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request, tag_list


def named_resource(kind: str) -> Handler:
    """A resource created by ``Create<kind>`` and deleted by ``Delete<kind>``, both keyed by
    ``<kind>Name``; ``Create<kind>`` answers its ``<kind>Arn``."""

    def create(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
        sagemaker = cloud.client("sagemaker")
        request = build_request(sagemaker, f"Create{kind}", desired.inputs, ignore=("tags",))
        call = getattr(sagemaker, xform_name(f"Create{kind}"))
        response = call(**request, Tags=tag_list(desired.get("tags")))
        return Applied(request[f"{kind}Name"], {"arn": response[f"{kind}Arn"]})

    def delete(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
        getattr(cloud.client("sagemaker"), xform_name(f"Delete{kind}"))(**{f"{kind}Name": name})

    return Handler(create=create, delete=delete)


def create_pipeline(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    sagemaker = cloud.client("sagemaker")
    request = build_request(sagemaker, "CreatePipeline", desired.inputs, ignore=("tags",))
    response = sagemaker.create_pipeline(**request, Tags=tag_list(desired.get("tags")))
    return Applied(request["PipelineName"], {"arn": response["PipelineArn"]})


def update_pipeline(cloud: AwsClients, name: str, desired: Desired) -> Applied:
    sagemaker = cloud.client("sagemaker")
    request = build_request(sagemaker, "UpdatePipeline", desired.inputs, ignore=("tags",))
    return Applied(name, {"arn": sagemaker.update_pipeline(**request)["PipelineArn"]})


def delete_pipeline(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("sagemaker").delete_pipeline(PipelineName=name)


HANDLERS = {
    "aws:sagemaker/pipeline:Pipeline": Handler(
        create=create_pipeline,
        delete=delete_pipeline,
        update=update_pipeline,
        replace_on=frozenset({"pipelineName"}),
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": named_resource("FeatureGroup"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": named_resource("ModelPackageGroup"),
}
