"""Approving a model package deploys it: the generated project's deploy build (buildspec-deploy.yml)
brings its serving stack up through the local ``pulumi`` command, smoke-tests the endpoint and
writes the drift baseline; a second approval updates the same stack blue/green; a model that
cannot serve fails the build while the old one keeps serving."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
import pytest
from deploy_build import SKLEARN_IMAGE, DeployBuild, eventually, pulumi_shim, train_model
from e2e_stacks import PROJECT, STACK, dev_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "template"))
from template_matrix import render  # noqa: E402

from sagestack import contract  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy-build")]
ANSWERS = {
    "project_name": PROJECT,
    "problem_type": "binary_classification",
    "model": "sklearn",
    "data_source": "sample",
    "stack_name": STACK,
}
# The rollout the project's settings ask for: no baking, so the build takes seconds here.
SERVING = {
    "target": "sagemaker",
    "rollout": {"type": "ALL_AT_ONCE", "waitSeconds": 0, "terminationWaitSeconds": 0},
    "autoscaling": {"minCapacity": 1, "maxCapacity": 2, "targetInvocationsPerInstance": 1000},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("project"), ANSWERS)


@pytest.fixture(scope="module")
def model_archive(project, tmp_path_factory) -> bytes:
    return train_model(project, PROJECT, tmp_path_factory.mktemp("training"))


@pytest.fixture
def platform(deployed_stacks, local_cloud, monkeypatch) -> dict[str, str]:
    """The dev stack as deployed, its project's settings asking for a quick rollout."""
    deployed_stacks.fresh("dev", dev_config())
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_cloud.url)
    path = contract.parameter_path(STACK, PROJECT)
    ssm = boto3.client("ssm")
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path)
    values = {
        p["Name"].removeprefix(path): p["Value"] for page in pages for p in page["Parameters"]
    }
    settings = {**json.loads(values["settings"]), "serving": SERVING}
    ssm.put_parameter(Name=path + "settings", Value=json.dumps(settings), Overwrite=True)
    return {**values, "path": path}


@pytest.fixture
def build(project, platform, local_cloud, tmp_path) -> DeployBuild:
    shim, python = pulumi_shim(tmp_path / "bin"), Path(sys.executable).parent
    path = [str(shim), str(python), os.environ["PATH"]]
    environment = {
        **os.environ,
        "PATH": ":".join(path),
        "PYTHONPATH": str(project),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "AWS_ENDPOINT_URL": local_cloud.url,
        contract.ENV_STACK: STACK,
        contract.ENV_PROJECT: PROJECT,
        contract.ENV_PARAMETER_PATH: platform["path"],
        # where the platform published its policy pack, as the deploy project says
        contract.ENV_POLICY_PACK_URI: _deploy_project_variables()[contract.ENV_POLICY_PACK_URI],
    }
    return DeployBuild(project, environment)


def _deploy_project_variables() -> dict[str, str]:
    name = contract.resource_name(f"sagestack-{STACK}", PROJECT, "deploy")
    [project] = boto3.client("codebuild").batch_get_projects(names=[name])["projects"]
    return {v["name"]: v["value"] for v in project["environment"]["environmentVariables"]}


def _register(platform, archive: bytes, version_key: str) -> str:
    """A package as the project's pipeline registers it, then approved."""
    s3, sagemaker = boto3.client("s3"), boto3.client("sagemaker")
    bucket, prefix = platform["artifact-bucket"], platform["artifact-prefix"]
    s3.put_object(Bucket=bucket, Key=f"{prefix}/models/{version_key}/model.tar.gz", Body=archive)
    training = f"s3://{bucket}/{prefix}/pipelines/run/preprocess/train"
    arn = sagemaker.create_model_package(
        ModelPackageGroupName=platform["model-package-group"],
        InferenceSpecification={
            "Containers": [
                {
                    "Image": SKLEARN_IMAGE,
                    "ModelDataUrl": f"s3://{bucket}/{prefix}/models/{version_key}/model.tar.gz",
                    "Environment": {
                        "SAGEMAKER_PROGRAM": "inference.py",
                        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
                    },
                }
            ],
            "SupportedContentTypes": ["text/csv", "application/json"],
            "SupportedResponseMIMETypes": ["application/json", "text/csv"],
        },
        CustomerMetadataProperties={"training_data": training},
    )["ModelPackageArn"]
    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    return arn


def _feature_count(project: Path) -> int:
    sys.path.insert(0, str(project))
    try:
        frame = __import__(f"{PROJECT}.sample_data", fromlist=["x"]).sample_frame()
    finally:
        sys.path.remove(str(project))
    return frame.shape[1] - 1  # the target is last


def _training_table(platform, project: Path) -> None:
    sys.path.insert(0, str(project))
    try:
        frame = __import__(f"{PROJECT}.sample_data", fromlist=["x"]).sample_frame().head(200)
    finally:
        sys.path.remove(str(project))
    key = f"{platform['artifact-prefix']}/pipelines/run/preprocess/train/train.csv"
    boto3.client("s3").put_object(
        Bucket=platform["artifact-bucket"], Key=key, Body=frame.to_csv(index=False).encode()
    )


def test_approvals_deploy_the_serving_stack_blue_green_through_the_local_pulumi(
    build, platform, project, model_archive
):
    sagemaker, endpoint = boto3.client("sagemaker"), platform["endpoint-name"]
    _training_table(platform, project)

    first = build.run(_register(platform, model_archive, "v1"))

    assert first.returncode == 0, first.stdout
    # the platform's published pack, fetched and unzipped, is what `pulumi up` is given
    pack = project / ".sagestack" / "policy-pack"
    assert f"Policy pack {pack}: the platform's policies run in-process" in first.stdout
    assert "+ 5 created" in first.stdout  # model, endpoint config, endpoint, scaling target, policy
    assert f"endpoint {endpoint} serves {endpoint}-v1 (smoke test predicted" in first.stdout
    described = sagemaker.describe_endpoint(EndpointName=endpoint)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == (
        "InService",
        f"{endpoint}-v1",
    )
    s3 = boto3.client("s3")
    baseline = s3.get_object(
        Bucket=platform["artifact-bucket"], Key=contract.drift_baseline_key(PROJECT)
    )
    assert baseline["ServerSideEncryption"] == "aws:kms"
    captured = eventually(
        lambda: s3.list_objects_v2(
            Bucket=platform["artifact-bucket"], Prefix=contract.data_capture_prefix(PROJECT)
        ).get("Contents")
    )
    assert captured[0]["Key"].startswith(  # the smoke test's request, as the drift monitor reads
        f"{contract.data_capture_prefix(PROJECT)}/{endpoint}/{contract.ENDPOINT_VARIANT}/"
    )

    second = build.run(_register(platform, model_archive, "v2"))

    assert second.returncode == 0, second.stdout
    assert "+ 2 created" in second.stdout and "~ 1 updated" in second.stdout
    described = sagemaker.describe_endpoint(EndpointName=endpoint)
    assert described["EndpointConfigName"] == f"{endpoint}-v2"
    assert "BlueGreenUpdatePolicy" in described["LastDeploymentConfig"]
    # v1's model and config are kept: approving it again rolls back without recreating them
    assert sagemaker.describe_model(ModelName=f"{endpoint}-v1")["ModelName"] == f"{endpoint}-v1"
    sagemaker.describe_endpoint_config(EndpointConfigName=f"{endpoint}-v1")

    broken = _register(platform, b"not a tar.gz archive", "v3")
    third = build.run(broken)

    assert third.returncode == 4, third.stdout  # the resource error of `pulumi up`
    assert f"endpoint {endpoint} rolled back to {endpoint}-v2" in third.stdout
    assert sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == (
        f"{endpoint}-v2"
    )
    row = ",".join(["1"] * _feature_count(project))
    answer = boto3.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint, Body=row.encode(), ContentType="text/csv"
    )
    assert len(json.loads(answer["Body"].read())["predictions"]) == 1
