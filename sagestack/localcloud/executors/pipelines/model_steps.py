"""Model steps (CreateModel) and RegisterModel steps (CreateModelPackage), in the shapes both
the SDK v2 step collections and the SDK 3 ``ModelStep`` write: the arguments are the request,
less the model's name, which the pipeline gives (``pipelines-<execution id>-<step>-<random>``).
The properties are DescribeModel's / DescribeModelPackage's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    sagemaker = context.client("sagemaker")
    described = _create_then_describe(
        "CreateModel",
        lambda: sagemaker.create_model(ModelName=name, **request(context)),
        "DescribeModel",
        lambda _created: sagemaker.describe_model(ModelName=name),
    )
    return StepOutcome(
        "Succeeded", properties=described, metadata={"Model": {"Arn": described["ModelArn"]}}
    )


def run_register_model_step(context: StepContext) -> StepOutcome:
    sagemaker = context.client("sagemaker")
    described = _create_then_describe(
        "CreateModelPackage",
        lambda: sagemaker.create_model_package(**request(context)),
        "DescribeModelPackage",
        lambda created: sagemaker.describe_model_package(
            ModelPackageName=created["ModelPackageArn"]
        ),
    )
    arn = described["ModelPackageArn"]
    return StepOutcome("Succeeded", properties=described, metadata={"RegisterModel": {"Arn": arn}})


def _create_then_describe(
    create_operation: str,
    create: Callable[[], Any],
    describe_operation: str,
    describe: Callable[[Any], Any],
) -> dict[str, Any]:
    try:
        created = create()
    except (*CALL_ERRORS, ValueError) as error:
        raise invoke_failed(create_operation, error) from error
    try:
        described = describe(created)
    except CALL_ERRORS as error:
        raise invoke_failed(describe_operation, error) from error
    described.pop("ResponseMetadata", None)
    return described
