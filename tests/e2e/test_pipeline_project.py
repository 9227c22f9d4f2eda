"""Flow 1 to 2: a generated project's push build upserts and starts its training pipeline, and
the local cloud runs it end to end: preprocess, train, evaluate, register the model package
``PendingManualApproval`` with the run's metadata (C7).

The build's command is run as buildspec.yml's build phase runs it (``python -m <package>.run
--on-push`` in the checkout, with the environment the platform's build project and CodeBuild's
webhook set), against the dev stack as the applier deployed it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_stacks import PROJECT, STACK

from sagestack import contract
from sagestack.scenarios.executions import wait_for_execution

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

TEMPLATE_TESTS = Path(__file__).resolve().parents[1] / "template"
COMMIT = "4f2c9d0e1b7a"


@pytest.fixture(scope="module")
def project_checkout(tmp_path_factory) -> Path:
    """The project the dev stack's churn entry describes, as cookiecutter generates it."""
    sys.path.insert(0, str(TEMPLATE_TESTS))
    try:
        from template_matrix import render
    finally:
        sys.path.remove(str(TEMPLATE_TESTS))
    answers = {
        "project_name": PROJECT,
        "problem_type": "binary_classification",
        "model": "xgboost",
        "data_source": "sample",
    }
    return render(tmp_path_factory.mktemp("checkout"), answers)


def _push_build(checkout: Path, endpoint: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "PYTHONPATH": str(checkout),
        # what the platform's build project and CodeBuild's webhook set
        contract.ENV_STACK: STACK,
        contract.ENV_PROJECT: PROJECT,
        contract.ENV_PARAMETER_PATH: contract.parameter_path(STACK, PROJECT),
        contract.ENV_WEBHOOK_EVENT: "PUSH",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT,
        "AWS_MAX_ATTEMPTS": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", f"{PROJECT}.run", "--on-push"],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_push_trains_evaluates_and_registers_a_package_pending_approval(churn, project_checkout):
    build = _push_build(project_checkout, churn.cloud.endpoint)
    assert build.returncode == 0, build.stderr[-3000:]
    execution_arn = build.stdout.strip().rsplit("started ", 1)[-1]
    sagemaker = churn.client("sagemaker")

    described = wait_for_execution(sagemaker, execution_arn)

    steps = {
        s["StepName"]: s
        for s in sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn)[
            "PipelineExecutionSteps"
        ]
    }
    failures = {name: s.get("FailureReason") for name, s in steps.items() if "FailureReason" in s}
    assert described["PipelineExecutionStatus"] == "Succeeded", failures
    assert set(steps) == {"Preprocess", "Train", "Evaluate", "CheckMetric", "RegisterModel"}
    assert steps["CheckMetric"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    package_arn = steps["RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    package = sagemaker.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelPackageGroupName"] == churn.model_package_group
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    metadata = package["CustomerMetadataProperties"]
    assert metadata["git_commit"] == COMMIT
    assert metadata["pipeline_execution"] == execution_arn
    assert metadata["trigger"] == "push"
    assert metadata["data_location"].startswith(churn.s3_uri(""))
    preprocess = steps["Preprocess"]["Metadata"]["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]
    outputs = sagemaker.describe_processing_job(ProcessingJobName=preprocess)[
        "ProcessingOutputConfig"
    ]["Outputs"]
    assert metadata["training_data"] == next(
        o["S3Output"]["S3Uri"] for o in outputs if o["OutputName"] == "train"
    )
    assert package["MetadataProperties"]["CommitId"] == COMMIT
    model = package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]
    bucket, _, key = model.removeprefix("s3://").partition("/")
    assert churn.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
