"""The validator accepts what the SageMaker Python SDK 3 builds, and catches it when broken.

``Pipeline.definition()`` uploads step code to S3, so the SDK talks to an in-process moto server
on a free loopback port. Role validation is switched off (``SAGEMAKER_VALIDATE_ROLE=false``):
the SDK would call iam:SimulatePrincipalPolicy, which moto does not implement. SDK 3 reads its
telemetry opt-out only from its config file (not ``SAGEMAKER_TELEMETRY_OPT_OUT``), so the
fixture writes one; otherwise the SDK tries to reach sm-pysdk-t-<region>.s3.amazonaws.com.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagestack_pipelines.validation.validator import validate_definition

pytestmark = pytest.mark.slow

BUCKET = "sagestack-artifacts"
ROLE = "arn:aws:iam::123456789012:role/sagestack-churn-execution"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


SDK_CONFIG = (
    "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
)


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory):
    config = tmp_path_factory.mktemp("sagemaker-config") / "config.yaml"
    config.write_text(SDK_CONFIG)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        env.setenv("SAGEMAKER_VALIDATE_ROLE", "false")
        env.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield
    server.stop()


@pytest.fixture(scope="module")
def sdk_definition(local_aws, tmp_path_factory) -> dict:
    code = tmp_path_factory.mktemp("code")
    (code / "step.py").write_text("print('a step')\n")
    return json.loads(_training_pipeline(code).definition())


def _training_pipeline(code):
    """preprocess -> train -> evaluate (property file) -> condition -> register / fail."""
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import ProcessingInput, ProcessingS3Input
    from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.fail_step import FailStep
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep

    session = PipelineSession(boto_session=boto3.Session(), default_bucket=BUCKET)
    count = ParameterInteger("TrainingInstanceCount", default_value=1)
    threshold = ParameterFloat("AucThreshold", default_value=0.75)
    processor = ScriptProcessor(
        role=ROLE,
        image_uri=IMAGE,
        command=["python3"],
        instance_count=1,
        instance_type="ml.m5.xlarge",
        sagemaker_session=session,
    )
    preprocess = ProcessingStep(
        name="Preprocess",
        step_args=processor.run(code=str(code / "step.py"), outputs=[_output("train")]),
    )
    train = TrainingStep(name="Train", step_args=_train_args(session, code, count, preprocess))
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    model_input = ProcessingInput(
        input_name="model",
        s3_input=ProcessingS3Input(
            s3_uri=train.properties.ModelArtifacts.S3ModelArtifacts,
            local_path="/opt/ml/processing/model",
            s3_data_type="S3Prefix",
        ),
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        property_files=[report],
        step_args=processor.run(
            code=str(code / "step.py"), inputs=[model_input], outputs=[_output("evaluation")]
        ),
    )
    auc = JsonGet(step_name="Evaluate", property_file=report, json_path="auc")
    check = ConditionStep(
        name="CheckAuc",
        conditions=[ConditionGreaterThanOrEqualTo(left=auc, right=threshold)],
        if_steps=[_register_step(session, train)],
        else_steps=[FailStep(name="AucTooLow", error_message=Join(on=" ", values=["AUC", auc]))],
    )
    return Pipeline(
        name="sagestack-churn-train",
        parameters=[count, threshold],
        steps=[preprocess, train, evaluate, check],
        sagemaker_session=session,
    )


def _output(name):
    from sagemaker.core.shapes import ProcessingOutput, ProcessingS3Output

    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=f"s3://{BUCKET}/projects/churn/{name}",
            local_path=f"/opt/ml/processing/{name}",
            s3_upload_mode="EndOfJob",
        ),
    )


def _train_args(session, code, count, preprocess):
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, SourceCode

    trainer = ModelTrainer(
        training_image=IMAGE,
        role=ROLE,
        sagemaker_session=session,
        base_job_name="churn-train",
        source_code=SourceCode(source_dir=str(code), entry_script="step.py"),
        compute=Compute(instance_type="ml.m5.xlarge", instance_count=count),
    )
    train_uri = preprocess.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri
    return trainer.train(input_data_config=[InputData(channel_name="train", data_source=train_uri)])


def _register_step(session, train):
    from sagemaker.mlops.workflow.model_step import ModelStep
    from sagemaker.serve import ModelBuilder

    builder = ModelBuilder(
        s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts,
        image_uri=IMAGE,
        role_arn=ROLE,
        sagemaker_session=session,
    )
    return ModelStep(
        name="Register",
        step_args=builder.register(
            model_package_group_name="sagestack-churn",
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.m5.large"],
            transform_instances=["ml.m5.large"],
            approval_status="PendingManualApproval",
        ),
    )


def _steps_by_name(definition: dict) -> dict:
    steps = {step["Name"]: step for step in definition["Steps"]}
    branches = steps["CheckAuc"]["Arguments"]
    steps.update({step["Name"]: step for step in branches["IfSteps"] + branches["ElseSteps"]})
    return steps


def test_definition_built_by_the_sdk_is_valid(sdk_definition):
    steps = _steps_by_name(sdk_definition)

    assert {name: step["Type"] for name, step in steps.items()} == {
        "Preprocess": "Processing",
        "Train": "Training",
        "Evaluate": "Processing",
        "CheckAuc": "Condition",
        "Register": "RegisterModel",
        "AucTooLow": "Fail",
    }
    assert validate_definition(sdk_definition) == []


def test_sdk_definition_with_a_broken_reference_is_caught(sdk_definition):
    broken = json.loads(json.dumps(sdk_definition))
    container = _steps_by_name(broken)["Register"]["Arguments"]["InferenceSpecification"]
    container["Containers"][0]["ModelDataUrl"] = {"Get": "Steps.Training.ModelArtifacts"}

    assert validate_definition(broken) == [
        'step "Register" Arguments.InferenceSpecification.Containers[0].ModelDataUrl: '
        '{"Get": "Steps.Training.ModelArtifacts"}: step "Training" does not exist'
    ]
