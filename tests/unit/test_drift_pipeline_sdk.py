"""The hand-written drift-monitor definition has the shape the SageMaker SDK 3 writes for the same
pipeline: every key of ours is a key the SDK's ProcessingStep and parameters produce, with the
same expression forms. The SDK builds against in-process moto (see test_definition_validator_sdk
for why it cannot build offline)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_definition_validator_sdk import local_aws  # noqa: F401 (fixture)
from test_drift_pipeline import SPEC

from sagestack_pipelines.drift_monitor import pipeline as dmp

pytestmark = pytest.mark.slow

BUCKET = "sagestack-artifacts"  # the bucket local_aws creates


@pytest.fixture(scope="module")
def sdk_definition(local_aws, tmp_path_factory) -> dict:  # noqa: F811
    import boto3
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import (
        ProcessingInput,
        ProcessingOutput,
        ProcessingS3Input,
        ProcessingS3Output,
    )
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import ProcessingStep

    code = tmp_path_factory.mktemp("code") / "step.py"
    code.write_text("print('drift')\n")
    session = PipelineSession(boto_session=boto3.Session(), default_bucket=BUCKET)
    endpoint, capture, baseline, report = (
        ParameterString(name)
        for name in ("EndpointName", "CaptureS3Prefix", "BaselineS3Uri", "ReportS3Prefix")
    )
    window = ParameterInteger("WindowHours", default_value=1)
    threshold = ParameterFloat("PsiThreshold", default_value=0.2)
    instance = ParameterString("ProcessingInstanceType", default_value="ml.m5.large")
    min_requests = ParameterInteger("MinRequests", default_value=0)
    processor = ScriptProcessor(
        role=SPEC.role_arn,
        image_uri=dmp.sagemaker_image_uri(
            dmp.SKLEARN_IMAGE_CONFIG, "us-east-1", dmp.SKLEARN_IMAGE_TAG
        ),
        command=["python3"],
        instance_count=1,
        instance_type=instance,
        volume_kms_key=SPEC.kms_key_arn,
        output_kms_key=SPEC.kms_key_arn,
        max_runtime_in_seconds=3600,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PYTHONUNBUFFERED": "1"},
        sagemaker_session=session,
    )
    step_args = processor.run(
        code=str(code),
        inputs=[
            ProcessingInput(
                input_name="baseline",
                s3_input=ProcessingS3Input(
                    s3_uri=baseline, local_path=dmp.BASELINE_PATH, s3_data_type="S3Prefix"
                ),
            )
        ],
        outputs=[
            ProcessingOutput(
                output_name="report",
                s3_output=ProcessingS3Output(
                    s3_uri=report,
                    local_path=dmp.OUTPUT_PATH,
                    s3_upload_mode="EndOfJob",
                ),
            )
        ],
        arguments=[
            "--endpoint-name",
            endpoint,
            "--capture-s3-prefix",
            capture,
            "--window-hours",
            window.to_string(),
            "--window-end",
            ExecutionVariables.START_DATETIME,
            "--psi-threshold",
            threshold.to_string(),
            "--min-requests",
            min_requests.to_string(),
            "--baseline-s3-uri",
            baseline,
        ],
    )
    pipeline = Pipeline(
        name="sagestack-dev-drift-monitor",
        parameters=[endpoint, capture, baseline, report, window, threshold, instance, min_requests],
        steps=[ProcessingStep(name=dmp.STEP_NAME, step_args=step_args)],
        sagemaker_session=session,
    )
    return json.loads(pipeline.definition())


def key_paths(value: Any, path: str = "") -> set[str]:
    """Every key path of a JSON value, list positions collapsed to ``[]``."""
    if isinstance(value, dict):
        paths = {path} if path else set()
        for key, item in value.items():
            paths |= key_paths(item, f"{path}.{key}" if path else key)
        return paths
    if isinstance(value, list):
        return {path} | {p for item in value for p in key_paths(item, f"{path}[]")}
    return {path}


def test_our_step_uses_only_keys_the_sdk_writes_for_a_processing_step(sdk_definition):
    [ours] = dmp.definition(SPEC)["Steps"]
    [theirs] = sdk_definition["Steps"]

    assert key_paths(ours) - key_paths(theirs) == set()
    assert (ours["Type"], theirs["Type"]) == ("Processing", "Processing")


def test_our_parameters_and_expressions_are_written_as_the_sdk_writes_them(sdk_definition):
    ours, theirs = dmp.definition(SPEC), sdk_definition

    assert sorted(ours["Parameters"], key=lambda p: p["Name"]) == sorted(
        theirs["Parameters"], key=lambda p: p["Name"]
    )
    our_args = ours["Steps"][0]["Arguments"]
    their_args = theirs["Steps"][0]["Arguments"]
    assert (
        our_args["AppSpecification"]["ContainerArguments"][:-1]
        == (their_args["AppSpecification"]["ContainerArguments"])
    )
    assert (
        our_args["ProcessingOutputConfig"]["Outputs"]
        == (their_args["ProcessingOutputConfig"]["Outputs"])
    )
    assert our_args["ProcessingResources"] == their_args["ProcessingResources"]
