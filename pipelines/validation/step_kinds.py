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
    NAMED = "the names in fixed_properties"
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
    fixed_properties: frozenset[str] = frozenset()  # for PropertySource.NAMED


def _job(operation, job_name, response, extra=frozenset()) -> StepKind:
    return StepKind(
        operation=operation,
        filled_by_pipelines=frozenset({job_name}),
        response_shapes=(response,),
        properties=PropertySource.RESPONSE_SHAPES,
        step_keys=_RETRYABLE | extra,
    )


def _check(extra_keys: set[str], properties: set[str]) -> StepKind:
    """QualityCheck / ClarifyCheck (quality_check_step.py, clarify_check_step.py to_request)."""
    return StepKind(
        operation="CreateProcessingJob",
        filled_by_pipelines=frozenset({"ProcessingJobName"}),
        properties=PropertySource.NAMED,
        fixed_properties=frozenset(properties),
        step_keys=frozenset(
            {
                "CacheConfig",
                "CheckType",
                "ModelPackageGroupName",
                "SkipCheck",
                "FailOnViolation",
                "RegisterNewBaseline",
                "SuppliedBaselineConstraints",
                *extra_keys,
            }
        ),
    )


COMMON_STEP_KEYS = frozenset(
    {"Name", "Type", "Arguments", "DependsOn", "DisplayName", "Description"}
)

STEP_KINDS: dict[str, StepKind] = {
    "Processing": _job(
        "CreateProcessingJob",
        "ProcessingJobName",
        "DescribeProcessingJobResponse",
        extra=frozenset({"PropertyFiles"}),
    ),
    "Training": _job("CreateTrainingJob", "TrainingJobName", "DescribeTrainingJobResponse"),
    "Transform": _job("CreateTransformJob", "TransformJobName", "DescribeTransformJobResponse"),
    # A create-model step's Type is "Model" (StepTypeEnum.CREATE_MODEL); "CreateModel" is not one.
    "Model": _job("CreateModel", "ModelName", "DescribeModelOutput"),
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
    "Condition": StepKind(
        properties=PropertySource.NAMED,
        fixed_properties=frozenset({"Outcome"}),
        step_keys=frozenset(),
    ),
    "Fail": StepKind(properties=PropertySource.NONE, step_keys=frozenset()),
    "Lambda": StepKind(
        properties=PropertySource.OUTPUT_PARAMETERS,
        step_keys=frozenset({"CacheConfig", "FunctionArn", "OutputParameters"}),
    ),
    "Callback": StepKind(
        properties=PropertySource.OUTPUT_PARAMETERS,
        step_keys=frozenset({"CacheConfig", "SqsQueueUrl", "OutputParameters"}),
    ),
    # Model Monitor / Clarify baselining jobs: a processing request plus the check's settings.
    "QualityCheck": _check(
        {"SuppliedBaselineStatistics"},
        {
            "CalculatedBaselineConstraints",
            "CalculatedBaselineStatistics",
            "BaselineUsedForDriftCheckConstraints",
            "BaselineUsedForDriftCheckStatistics",
        },
    ),
    "ClarifyCheck": _check(
        {"ModelName"}, {"CalculatedBaselineConstraints", "BaselineUsedForDriftCheckConstraints"}
    ),
    # Arguments of these are not one sagemaker request (or are built by SDK internals):
    # their references are still checked, their Arguments' shape is not.
    "EMR": StepKind(),
    "EMRServerless": StepKind(),
    "InferenceComponent": StepKind(),
    "Lineage": StepKind(),
    "Job": StepKind(),
    "Cleanup": StepKind(),
    "ForEach": StepKind(),
}
