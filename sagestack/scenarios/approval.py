"""Flow 3: the project's pipeline registers a model package, an approver approves it, and the
platform's approval rule starts the deploy build with the package's ARN."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagestack import contract
from sagestack.scenarios.project import Project

PENDING, APPROVED, REJECTED = "PendingManualApproval", "Approved", "Rejected"
# SageMaker's XGBoost image account in us-east-1 (the template's default model).
XGBOOST_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"


@dataclass(frozen=True)
class TrainingRun:
    """What the project's RegisterModel step records about the run that made the model (C7),
    under the CustomerMetadataProperties keys the template's pipeline writes."""

    git_commit: str
    pipeline_execution_arn: str
    data_location: str  # the InputDataUri the run trained on
    training_data: str  # the preprocessed training split, where the deploy finds the baseline data
    trigger: str = "push"

    def customer_metadata(self) -> dict[str, str]:
        return {
            "git_commit": self.git_commit,
            "pipeline_execution": self.pipeline_execution_arn,
            "data_location": self.data_location,
            "trigger": self.trigger,
            "training_data": self.training_data,
        }


def example_run(project: Project, git_commit: str = "0f3c2a1") -> TrainingRun:
    """A plausible run of ``project``'s training pipeline (its locations under its prefix)."""
    prefix = project.parameter(contract.Param.ARTIFACT_PREFIX)
    execution = project.cloud.arn("sagemaker", f"pipeline/{project.pipeline_name}/execution/run1")
    return TrainingRun(
        git_commit=git_commit,
        pipeline_execution_arn=execution,
        data_location=project.s3_uri(f"{prefix}/data/train.csv"),
        training_data=project.s3_uri(f"{prefix}/pipelines/run1/preprocess/train"),
    )


def register_model_package(project: Project, run: TrainingRun) -> str:
    """Register a package in the project's group, pending approval, as its pipeline does."""
    model_data = project.s3_uri(
        f"{project.parameter(contract.Param.ARTIFACT_PREFIX)}/models/model.tar.gz"
    )
    answer = project.client("sagemaker").create_model_package(
        ModelPackageGroupName=project.model_package_group,
        ModelPackageDescription=f"{project.name}: registered by {run.pipeline_execution_arn}",
        ModelApprovalStatus=PENDING,
        InferenceSpecification={
            "Containers": [
                {
                    "Image": XGBOOST_IMAGE.format(region=project.cloud.region),
                    "ModelDataUrl": model_data,
                }
            ],
            "SupportedContentTypes": ["text/csv", "application/json"],
            "SupportedResponseMIMETypes": ["application/json", "text/csv"],
        },
        MetadataProperties={
            "CommitId": run.git_commit,
            "GeneratedBy": run.pipeline_execution_arn,
            "ProjectId": project.name,
        },
        CustomerMetadataProperties=run.customer_metadata(),
    )
    return answer["ModelPackageArn"]


def latest_package(project: Project) -> str:
    """The newest package in the project's group; raises if the group holds none."""
    listed = project.client("sagemaker").list_model_packages(
        ModelPackageGroupName=project.model_package_group,
        SortBy="CreationTime",
        SortOrder="Descending",
    )["ModelPackageSummaryList"]
    if not listed:
        raise LookupError(f"model package group '{project.model_package_group}' holds no package")
    return max(listed, key=lambda p: p["CreationTime"])["ModelPackageArn"]


def decide_latest_package(project: Project, status: str, note: str = "") -> str:
    """Approve or reject the newest package, as an approver does in Studio; returns its ARN."""
    if status not in (APPROVED, REJECTED):
        raise ValueError(f"status '{status}' is invalid: expected {APPROVED} or {REJECTED}")
    arn = latest_package(project)
    project.client("sagemaker").update_model_package(
        ModelPackageArn=arn,
        ModelApprovalStatus=status,
        ApprovalDescription=note or f"{status} by the sagestack demo",
    )
    return arn


def approve_latest_package(project: Project) -> str:
    return decide_latest_package(project, APPROVED)


def reject_latest_package(project: Project) -> str:
    return decide_latest_package(project, REJECTED)


def builds_for_package(project: Project, package_arn: str) -> list[dict[str, Any]]:
    """Every CodeBuild build whose environment names ``package_arn`` as MODEL_PACKAGE_ARN."""
    return [
        build
        for build in all_builds(project)
        if build_environment(build).get(contract.ENV_MODEL_PACKAGE_ARN) == package_arn
    ]


def all_builds(project: Project) -> list[dict[str, Any]]:
    codebuild = project.client("codebuild")
    ids = [
        build_id
        for name in codebuild.list_projects()["projects"]
        for build_id in codebuild.list_builds_for_project(projectName=name)["ids"]
    ]
    return codebuild.batch_get_builds(ids=ids)["builds"] if ids else []


def build_environment(build: dict[str, Any]) -> dict[str, str]:
    variables = build.get("environment", {}).get("environmentVariables") or []
    return {v["name"]: v["value"] for v in variables}
