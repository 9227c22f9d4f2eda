"""Model steps (CreateModel) and RegisterModel steps (CreateModelPackage), in the shapes both
the SDK v2 step collections and the SDK 3 ``ModelStep`` write: the arguments are the request,
less the model's name, which the pipeline gives (``pipelines-<execution id>-<step>-<random>``).
The properties are DescribeModel's / DescribeModelPackage's answer.
"""

from __future__ import annotations

from sagestack.localcloud.executors.pipelines.job_steps import job_name
from sagestack.localcloud.executors.pipelines.outcome import (
    CALL_ERRORS,
    StepContext,
    StepOutcome,
    invoke_failed,
    request,
)


def run_model_step(context: StepContext) -> StepOutcome:
    name = job_name(context.execution_id, context.step.name)
    arguments = request(context)
    sagemaker = context.client("sagemaker")
    try:
        sagemaker.create_model(ModelName=name, **arguments)
    except (*CALL_ERRORS, ValueError) as error:
        raise invoke_failed("CreateModel", error) from error
    try:
        described = sagemaker.describe_model(ModelName=name)
    except CALL_ERRORS as error:
        raise invoke_failed("DescribeModel", error) from error
    described.pop("ResponseMetadata", None)
    return StepOutcome(
        "Succeeded", properties=described, metadata={"Model": {"Arn": described["ModelArn"]}}
    )


def run_register_model_step(context: StepContext) -> StepOutcome:
    arguments = request(context)
    sagemaker = context.client("sagemaker")
    try:
        arn = sagemaker.create_model_package(**arguments)["ModelPackageArn"]
    except (*CALL_ERRORS, ValueError) as error:
        raise invoke_failed("CreateModelPackage", error) from error
    try:
        described = sagemaker.describe_model_package(ModelPackageName=arn)
    except CALL_ERRORS as error:
        raise invoke_failed("DescribeModelPackage", error) from error
    described.pop("ResponseMetadata", None)
    return StepOutcome("Succeeded", properties=described, metadata={"RegisterModel": {"Arn": arn}})
