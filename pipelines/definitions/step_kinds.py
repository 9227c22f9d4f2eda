"""What each pipeline step type calls, what SageMaker Pipelines fills in, what it exposes.

Taken from the SageMaker Python SDK 3 (``sagemaker.mlops.workflow``): each step's ``arguments``
is the request of one SageMaker API minus the members ``trim_request_dict`` pops (the job name,
which the pipeline generates per execution), and its ``properties`` are the members of the
matching Describe response shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class PropertySource(Enum):
    """Where the properties a ``{"Get": "Steps.<name>...."}`` may read come from."""

    RESPONSE_SHAPES = "the step's Describe response shapes"
    OUTPUT_PARAMETERS = "the step's OutputParameters"
    OUTCOME = "Outcome only"
    NONE = "nothing: the step ends the execution"
    UNCHECKED = "not checked"


_RETRYABLE = frozenset({"CacheConfig", "RetryPolicies"})


@dataclass(frozen=True)
class StepKind:
    """One step ``Type``: how its ``Arguments`` and properties are checked."""

    operation: str | None = None  # sagemaker API whose request shape the Arguments follow
    filled_by_pipelines: frozenset[str] = frozenset()  # required by the API, absent from steps
    rejected: frozenset[str] = frozenset()  # valid for the API, refused by Pipelines
    response_shapes: tuple[str, ...] = ()
    properties: PropertySource = PropertySource.UNCHECKED
    step_keys: frozenset[str] | None = field(default=None)  # beyond the common keys; None: any


def _job(operation, job_name, response, extra=frozenset()) -> StepKind:
    return StepKind(
        operation=operation,
        filled_by_pipelines=frozenset({job_name}),
        response_shapes=(response,),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=_RETRYABLE | extra,
    )


COMMON_STEP_KEYS = frozenset(
    {"Name", "Type", "Arguments", "DependsOn", "DisplayName", "Description"}
)

_CREATE_MODEL = _job("CreateModel", "ModelName", "DescribeModelOutput")

STEP_KINDS: dict[str, StepKind] = {
    "Processing": _job(
        "CreateProcessingJob",
        "ProcessingJobName",
        "DescribeProcessingJobResponse",
        extra=frozenset({"PropertyFiles"}),
    ),
    "Training": _job("CreateTrainingJob", "TrainingJobName", "DescribeTrainingJobResponse"),
    "Transform": _job("CreateTransformJob", "TransformJobName", "DescribeTransformJobResponse"),
    "Model": _CREATE_MODEL,
    "CreateModel": _CREATE_MODEL,
    "RegisterModel": StepKind(
        operation="CreateModelPackage",
        # model_step.py pops it: "not available in the workflow service, will cause rejection"
        rejected=frozenset({"CertifyForMarketplace"}),
        response_shapes=("DescribeModelPackageOutput",),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=_RETRYABLE,
    ),
    "Tuning": StepKind(
        operation="CreateHyperParameterTuningJob",
        filled_by_pipelines=frozenset({"HyperParameterTuningJobName"}),
        response_shapes=(
            "DescribeHyperParameterTuningJobResponse",
            "ListTrainingJobsForHyperParameterTuningJobResponse",
        ),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=_RETRYABLE,
    ),
    "AutoML": _job("CreateAutoMLJob", "AutoMLJobName", "DescribeAutoMLJobResponse"),
    "EndpointConfig": StepKind(
        operation="CreateEndpointConfig",
        response_shapes=("DescribeEndpointConfigOutput",),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=frozenset({"CacheConfig"}),
    ),
    "Endpoint": StepKind(
        operation="CreateEndpoint",
        response_shapes=("DescribeEndpointOutput",),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=frozenset({"CacheConfig"}),
    ),
    "Condition": StepKind(properties=PropertySource.OUTCOME, step_keys=frozenset()),
    "Fail": StepKind(properties=PropertySource.NONE, step_keys=frozenset()),
    "Lambda": StepKind(
        properties=PropertySource.OUTPUT_PARAMETERS,
        step_keys=frozenset({"CacheConfig", "FunctionArn", "OutputParameters"}),
    ),
    "Callback": StepKind(
        properties=PropertySource.OUTPUT_PARAMETERS,
        step_keys=frozenset({"CacheConfig", "SqsQueueUrl", "OutputParameters"}),
    ),
    # Arguments of these are not one sagemaker request (or are built by SDK internals):
    # their references are still checked, their Arguments' shape is not.
    "QualityCheck": StepKind(),
    "ClarifyCheck": StepKind(),
    "EMR": StepKind(),
    "EMRServerless": StepKind(),
    "InferenceComponent": StepKind(),
    "Lineage": StepKind(),
    "Job": StepKind(),
    "Cleanup": StepKind(),
    "ForEach": StepKind(),
}
