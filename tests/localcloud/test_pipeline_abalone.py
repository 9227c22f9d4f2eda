"""AWS's abalone example pipeline runs from its definition as the SageMaker SDK v2 wrote it
(amazon-sagemaker-examples, sagemaker-pipelines/tabular/abalone_build_train_deploy): scikit-learn
preprocessing, the built-in XGBoost algorithm, evaluation unpickling its model on the XGBoost
image, the MSE condition, then RegisterModel, CreateModel and Transform, or the Fail step.

The definition (pipeline_samples/abalone/definition.json) is the example's, with this account,
region and bucket; the scripts are ours, written to the example's contract, and so is the data.
Both executions run at once: one with the default threshold, one with a threshold no model meets.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from abalone_data import abalone_csv, batch_csv
from pipeline_runs import execution_role, steps_by_name, wait_for_execution

SAMPLE = Path(__file__).with_name("pipeline_samples") / "abalone"
BUCKET = "sagemaker-us-east-1-123456789012"
GROUP = "AbaloneModelPackageGroupName"
# where the SDK uploaded each step's code and writes the evaluation (the definition names them)
PROCESS = "AbaloneProcess-94160e00688e34972e58a18a33ec6342"
EVAL = "AbaloneEval-19b131b63656129c86bfecbee4904927"
REPORT = f"{EVAL}/output/evaluation/evaluation.json"
SCRIPTS = {
    f"{PROCESS}/input/code/preprocessing.py": "preprocessing.py",
    f"{EVAL}/input/code/evaluation.py": "evaluation.py",
}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("abalone")]


@pytest.fixture(scope="session")
def abalone(local_cloud):
    """The example's bucket, data, scripts, role and model package group, and two executions:
    ``passed`` (MseThreshold 6.0, the default) and ``failed`` (MseThreshold 0.01). Run once per
    worker: the tests read what the runs left, so later resets do not matter."""
    local_cloud.reset()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", local_cloud.url)
        sagemaker, s3 = boto3.client("sagemaker"), boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="abalone/abalone-dataset.csv", Body=abalone_csv())
        s3.put_object(Bucket=BUCKET, Key="abalone/abalone-dataset-batch", Body=batch_csv())
        for key, script in SCRIPTS.items():
            s3.put_object(Bucket=BUCKET, Key=key, Body=(SAMPLE / script).read_bytes())
        role = execution_role(
            boto3.client("iam"),
            "AmazonSageMakerServiceCatalogProductsUseRole",
            BUCKET,
            path="/service-role/",
        )
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        definition = (SAMPLE / "definition.json").read_text()
        sagemaker.create_pipeline(
            PipelineName="AbalonePipeline", RoleArn=role, PipelineDefinition=definition
        )
        started = {
            "passed": sagemaker.start_pipeline_execution(PipelineName="AbalonePipeline"),
            "failed": sagemaker.start_pipeline_execution(
                PipelineName="AbalonePipeline",
                PipelineParameters=[{"Name": "MseThreshold", "Value": "0.01"}],
            ),
        }
        runs = {}
        for name, answer in started.items():
            arn = answer["PipelineExecutionArn"]
            runs[name] = (
                wait_for_execution(sagemaker, arn, timeout=300),
                steps_by_name(sagemaker, arn),
            )
        packages = sagemaker.list_model_packages(ModelPackageGroupName=GROUP)[
            "ModelPackageSummaryList"
        ]
        transform = _transform_job(sagemaker, runs["passed"][1])
        report = json.loads(s3.get_object(Bucket=BUCKET, Key=REPORT)["Body"].read())
        predictions = _predictions(s3)
        yield {
            "runs": runs,
            "packages": packages,
            "transform": transform,
            "report": report,
            "predictions": predictions,
        }


def _predictions(s3) -> list[str]:
    """What the batch transform wrote (``<input name>.out`` under the TransformOutput path)."""
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="AbaloneTransform/").get("Contents", [])
    lines = []
    for item in listed:
        lines += s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode().split()
    return lines


def _transform_job(sagemaker, steps: dict) -> dict | None:
    arn = steps.get("AbaloneTransform", {}).get("Metadata", {}).get("TransformJob", {}).get("Arn")
    if arn is None:
        return None
    return sagemaker.describe_transform_job(TransformJobName=arn.rsplit("/", 1)[-1])


def test_the_abalone_pipeline_trains_evaluates_registers_and_transforms(abalone):
    described, steps = abalone["runs"]["passed"]
    failures = {name: s["FailureReason"] for name, s in steps.items() if "FailureReason" in s}
    assert described["PipelineExecutionStatus"] == "Succeeded", failures
    assert set(steps) == {
        "AbaloneProcess",
        "AbaloneTrain",
        "AbaloneEval",
        "AbaloneMSECond",
        "AbaloneRegisterModel-RegisterModel",
        "AbaloneCreateModel",
        "AbaloneTransform",
    }
    assert all(step["StepStatus"] == "Succeeded" for step in steps.values())
    assert steps["AbaloneMSECond"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    [package] = abalone["packages"]
    assert steps["AbaloneRegisterModel-RegisterModel"]["Metadata"] == {
        "RegisterModel": {"Arn": package["ModelPackageArn"]}
    }
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    model_arn = steps["AbaloneCreateModel"]["Metadata"]["Model"]["Arn"]
    transform = abalone["transform"]
    assert transform["ModelName"] == model_arn.rsplit("/", 1)[-1]
    assert transform["TransformJobStatus"] == "Completed"
    assert len(abalone["predictions"]) == len(batch_csv().splitlines())
    experiment = described["PipelineExperimentConfig"]
    assert experiment == {
        "ExperimentName": "AbalonePipeline",
        "TrialName": described["PipelineExecutionArn"].rsplit("/", 1)[-1],
    }


def test_a_threshold_no_model_meets_ends_in_the_fail_step_and_registers_nothing(abalone):
    described, steps = abalone["runs"]["failed"]
    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"] == "Step failure: One or multiple steps failed."
    assert set(steps) == {
        "AbaloneProcess",
        "AbaloneTrain",
        "AbaloneEval",
        "AbaloneMSECond",
        "AbaloneMSEFail",
    }
    assert steps["AbaloneMSECond"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["AbaloneMSEFail"]["FailureReason"] == "Execution failed due to MSE > 0.01"
    registered = [p["ModelPackageArn"] for p in abalone["packages"]]
    passed_steps = abalone["runs"]["passed"][1]
    assert registered == [
        passed_steps["AbaloneRegisterModel-RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    ]


def test_the_report_the_condition_read_holds_the_mse_between_the_two_thresholds(abalone):
    mse = abalone["report"]["regression_metrics"]["mse"]
    assert 0.01 < mse["value"] <= 6.0
    assert mse["standard_deviation"] > 0
