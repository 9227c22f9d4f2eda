"""The training pipeline: preprocess, train, evaluate, then register the model or fail.

Built with the SageMaker Python SDK 3. Building the definition uploads the step code to the
project's artifact prefix; nothing else touches AWS until ``run.py`` upserts and starts it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sagemaker.core import image_uris
from sagemaker.core.metadata_properties import MetadataProperties
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.processing import FrameworkProcessor
from sagemaker.core.shapes import (
    ProcessingInput,
    ProcessingOutput,
    ProcessingS3Input,
    ProcessingS3Output,
)
from sagemaker.core.workflow.conditions import (
    ConditionGreaterThanOrEqualTo,
    ConditionLessThanOrEqualTo,
)
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import (
    ConditionStep,
    FailStep,
    ModelStep,
    Pipeline,
    ProcessingStep,
    TrainingStep,
)
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, OutputDataConfig, SourceCode

from . import settings
from .data_source import TrainingData
from .platform import PlatformConfig

STEPS_DIR = Path(__file__).resolve().parent.parent / "steps"
PROCESSING = "/opt/ml/processing"
EVALUATION_REPORT = "evaluation.json"
TRIGGER_PARAMETER = "Trigger"  # the platform's contract: PIPELINE_PARAM_TRIGGER
REPORT_SECTIONS = {"binary_classification": "binary_classification_metrics",
                   "regression": "regression_metrics"}


def make_session(config: PlatformConfig, boto_session=None) -> PipelineSession:
    # No SDK defaults config on purpose: SDK 3 validates that config against its JSON schema on
    # every lookup (about 50 per build, a second or more each), which makes a build take minutes.
    return PipelineSession(boto_session=boto_session, default_bucket=config.artifact_bucket,
                           default_bucket_prefix=config.artifact_prefix)


class _Builder:
    """Holds what every step needs; one method per step keeps each step readable."""

    def __init__(self, config: PlatformConfig, data: TrainingData, git_commit: str,
                 session: PipelineSession):
        self.config, self.data, self.session = config, data, session
        region = session.boto_region_name
        self.images = {
            name: image_uris.retrieve(framework=name, region=region, version=version)
            for name, version in settings.FRAMEWORK_VERSIONS.items()
        }
        self.input_data = ParameterString("InputDataUri", default_value=data.uri)
        # The platform's feedback loop sets it to "drift-alarm" when drift starts a run.
        self.trigger = ParameterString(TRIGGER_PARAMETER, default_value="push")
        self.git_commit = ParameterString("GitCommit", default_value=git_commit)
        self.threshold = ParameterFloat("MetricThreshold", default_value=config.settings.threshold)
        self.approval = ParameterString("ModelApprovalStatus",
                                        default_value="PendingManualApproval")
        self.processing_type = ParameterString(
            "ProcessingInstanceType", default_value=config.settings.processing_instance_type)
        self.training_type = ParameterString(
            "TrainingInstanceType", default_value=config.settings.training_instance_type)

    @property
    def parameters(self):
        return [self.input_data, self.trigger, self.git_commit, self.threshold, self.approval,
                self.processing_type, self.training_type]

    def run_output(self, *parts: str) -> Join:
        """An S3 prefix of this execution's outputs, so runs never overwrite each other."""
        root = self.config.s3_uri("pipelines", self.config.pipeline_name)
        return Join(on="/", values=[root, ExecutionVariables.PIPELINE_EXECUTION_ID, *parts])

    def processor(self, image: str, job: str) -> FrameworkProcessor:
        return FrameworkProcessor(
            image_uri=image, role=self.config.execution_role_arn, instance_count=1,
            instance_type=self.processing_type, base_job_name=f"{settings.PROJECT}-{job}",
            code_location=self.config.s3_uri("code"), sagemaker_session=self.session,
            volume_kms_key=self.config.kms_key_arn, output_kms_key=self.config.kms_key_arn,
        )

    def preprocess(self) -> ProcessingStep:
        raw = ProcessingInput(input_name="raw", s3_input=ProcessingS3Input(
            s3_uri=self.input_data, local_path=f"{PROCESSING}/input", s3_data_type="S3Prefix",
            s3_input_mode="File"))
        args = self.processor(self.images["sklearn"], "preprocess").run(
            code="preprocess.py", source_dir=str(STEPS_DIR), inputs=[raw],
            outputs=[self.output(name, "preprocess") for name in ("train", "test")],
            arguments=["--target-column", settings.TARGET_COLUMN,
                       "--problem-type", settings.PROBLEM_TYPE,
                       "--drop-columns", ",".join(self.data.drop_columns)],
        )
        return ProcessingStep(name="Preprocess", step_args=args)

    def output(self, name: str, step: str) -> ProcessingOutput:
        return ProcessingOutput(output_name=name, s3_output=ProcessingS3Output(
            s3_uri=self.run_output(step, name), local_path=f"{PROCESSING}/{name}",
            s3_upload_mode="EndOfJob"))

    def train(self, preprocess: ProcessingStep) -> TrainingStep:
        trainer = ModelTrainer(
            training_image=self.images[settings.MODEL], role=self.config.execution_role_arn,
            compute=Compute(instance_type=self.training_type, instance_count=1,
                            volume_kms_key_id=self.config.kms_key_arn),
            base_job_name=f"{settings.PROJECT}-train", sagemaker_session=self.session,
            source_code=SourceCode(source_dir=str(STEPS_DIR), entry_script="train.py"),
            hyperparameters={"target-column": settings.TARGET_COLUMN,
                             "problem-type": settings.PROBLEM_TYPE, "model": settings.MODEL,
                             **settings.HYPERPARAMETERS},
            output_data_config=OutputDataConfig(s3_output_path=self.config.s3_uri("models"),
                                                kms_key_id=self.config.kms_key_arn),
            input_data_config=[InputData(
                channel_name="train", content_type="text/csv",
                data_source=preprocess.properties.ProcessingOutputConfig.Outputs[
                    "train"].S3Output.S3Uri)],
        )
        return TrainingStep(name="Train", step_args=trainer.train())

    def evaluate(self, preprocess: ProcessingStep, train: TrainingStep):
        inputs = [
            ProcessingInput(input_name="model", s3_input=ProcessingS3Input(
                s3_uri=train.properties.ModelArtifacts.S3ModelArtifacts,
                local_path=f"{PROCESSING}/model", s3_data_type="S3Prefix", s3_input_mode="File")),
            ProcessingInput(input_name="test", s3_input=ProcessingS3Input(
                s3_uri=preprocess.properties.ProcessingOutputConfig.Outputs[
                    "test"].S3Output.S3Uri,
                local_path=f"{PROCESSING}/test", s3_data_type="S3Prefix", s3_input_mode="File")),
        ]
        args = self.processor(self.images[settings.MODEL], "evaluate").run(
            code="evaluate.py", source_dir=str(STEPS_DIR), inputs=inputs,
            outputs=[self.output("evaluation", "evaluate")],
            arguments=["--target-column", settings.TARGET_COLUMN],
        )
        report = PropertyFile(name="EvaluationReport", output_name="evaluation",
                              path=EVALUATION_REPORT)
        return ProcessingStep(name="Evaluate", step_args=args, property_files=[report]), report

    def register(self, preprocess, train, evaluate) -> ModelStep:
        report_uri = Join(on="/", values=[
            evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri,
            EVALUATION_REPORT])
        builder = ModelBuilder(
            s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts,
            image_uri=self.images[settings.MODEL], role_arn=self.config.execution_role_arn,
            sagemaker_session=self.session,
            env_vars={"SAGEMAKER_PROGRAM": "inference.py",
                      "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"},
        )
        instances = [self.config.settings.endpoint_instance_type]
        args = builder.register(
            model_package_group_name=self.config.model_package_group,
            content_types=["text/csv", "application/json"],
            response_types=["application/json", "text/csv"],
            inference_instances=instances, transform_instances=instances,
            approval_status=self.approval,
            description=f"{settings.PROJECT}: {settings.MODEL} {settings.PROBLEM_TYPE}",
            model_metrics=ModelMetrics(model_statistics=MetricsSource(
                s3_uri=report_uri, content_type="application/json")),
            metadata_properties=MetadataProperties(
                commit_id=self.git_commit, repository=settings.REPOSITORY_URL,
                generated_by=ExecutionVariables.PIPELINE_EXECUTION_ARN,
                project_id=settings.PROJECT),
            customer_metadata_properties={
                "git_commit": self.git_commit,
                "pipeline_execution": ExecutionVariables.PIPELINE_EXECUTION_ARN,
                "data_location": self.input_data,
                "trigger": self.trigger,
                "training_data": preprocess.properties.ProcessingOutputConfig.Outputs[
                    "train"].S3Output.S3Uri,
            },
        )
        return ModelStep(name="RegisterModel", step_args=args)

    def check_metric(self, evaluate, report, register) -> ConditionStep:
        metric = self.config.settings.metric
        value = JsonGet(step_name=evaluate.name, property_file=report,
                        json_path=metric_json_path(metric))
        compare = (ConditionGreaterThanOrEqualTo if self.config.settings.higher_is_better
                   else ConditionLessThanOrEqualTo)
        fail = FailStep(name="MetricBelowThreshold", error_message=Join(on=" ", values=[
            f"{metric} did not reach the registration threshold", self.threshold]))
        return ConditionStep(name="CheckMetric", conditions=[compare(left=value,
                                                                     right=self.threshold)],
                             if_steps=[register], else_steps=[fail])


def metric_json_path(metric: str) -> str:
    return f"{REPORT_SECTIONS[settings.PROBLEM_TYPE]}.{metric}.value"


def build_pipeline(config: PlatformConfig, data: TrainingData, git_commit: str,
                   session: PipelineSession | None = None) -> Pipeline:
    session = session or make_session(config)
    builder = _Builder(config, data, git_commit, session)
    preprocess = builder.preprocess()
    train = builder.train(preprocess)
    evaluate, report = builder.evaluate(preprocess, train)
    register = builder.register(preprocess, train, evaluate)
    check = builder.check_metric(evaluate, report, register)
    # No experiment config, deliberately: the SDK's default makes each execution create an
    # experiment, a trial and trial components as the pipeline's role, which the platform does
    # not grant (lineage goes in the model package's metadata instead).
    return Pipeline(name=config.pipeline_name, parameters=builder.parameters,
                    steps=[preprocess, train, evaluate, check], sagemaker_session=session,
                    pipeline_experiment_config=None)


# The SDK names each code upload after the time it ran: 2024-05-01-10-00-00-123 or 20240501100000.
_UPLOAD_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}|(?<=-)\d{14}(?=/)")


def normalised(definition: str) -> str:
    """The definition with the SDK's upload timestamps masked, to compare two builds."""
    return _UPLOAD_TIMESTAMP.sub("<timestamp>", definition)
