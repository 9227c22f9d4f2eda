"""The drift-monitor pipeline in the platform stack: its code object and definition, its role's
exact permissions, and one EventBridge schedule per monitored endpoint with that endpoint's
parameters."""

from __future__ import annotations

import base64
import json
import re

from graph_helpers import policy, project_entry, stack_config
from test_project_graph import ACCOUNT, BUCKET, KEY_ARN, REGION, SAGEMAKER, role_permissions

from sagestack_infra.program_runner import run_program
from sagestack_pipelines.drift_monitor import pipeline as dmp
from sagestack_pipelines.validation.validator import validate_definition

PIPELINE_ARN = f"{SAGEMAKER}:pipeline/sagestack-dev-drift-monitor"
DRIFT_ROLE = "sagestack-dev-drift-monitor"
OBJECTS = f"arn:aws:s3:::{BUCKET}"


def processing_job_permissions(
    image_repository: str, key_arn: str = KEY_ARN
) -> set[tuple[str, str]]:
    """Logs, metrics (namespace pinned separately), the image and KMS grants of a processing
    job's role."""
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs*"
    pull = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    return (
        {(a, logs) for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")}
        | {("cloudwatch:PutMetricData", "*"), ("ecr:GetAuthorizationToken", "*")}
        | {(a, f"arn:aws:ecr:{REGION}:*:repository/{image_repository}") for a in pull}
        | {("kms:CreateGrant", key_arn)}
    )


def pipeline_definition(run) -> dict:
    return json.loads(run.named("platform-drift-monitor-pipeline").inputs["pipelineDefinition"])


def test_pipeline_is_registered_once_with_a_valid_definition_run_as_its_own_role(dev_run):
    [registered] = dev_run.of_type("aws:sagemaker/pipeline:Pipeline")
    inputs = registered.inputs
    assert inputs["pipelineName"] == "sagestack-dev-drift-monitor"
    assert inputs["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{DRIFT_ROLE}"
    definition = pipeline_definition(dev_run)
    assert validate_definition(definition) == []
    [step] = definition["Steps"]
    assert step["Arguments"]["RoleArn"] == inputs["roleArn"]
    assert step["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == KEY_ARN


def test_code_object_is_the_engine_package_under_its_hash_and_the_step_runs_it(dev_run):
    package = dmp.code_package()
    code = dev_run.named("platform-drift-monitor-code").inputs
    key = f"platform/drift-monitor/code/drift-monitor-{package.sha256[:16]}.zip"
    assert code["key"] == key
    assert code["bucket"] == BUCKET
    assert base64.b64decode(code["contentBase64"]) == package.data
    assert (code["serverSideEncryption"], code["kmsKeyId"]) == ("aws:kms", KEY_ARN)
    [step] = pipeline_definition(dev_run)["Steps"]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in step["Arguments"]["ProcessingInputs"]}
    assert inputs["code"] == f"s3://{BUCKET}/{key}"
    entrypoint = step["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    assert entrypoint == ["python3", f"/opt/ml/processing/input/code/{key.rsplit('/', 1)[1]}"]


def test_pipeline_waits_for_its_code_and_its_roles_one_policy(dev_run):
    pipeline = dev_run.named("platform-drift-monitor-pipeline")
    policies = [
        r.urn
        for r in dev_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] == DRIFT_ROLE
    ]
    assert dev_run.named("platform-drift-monitor-code").urn in pipeline.deps
    assert len(policies) == 1 and policies[0] in pipeline.deps


def test_drift_monitor_role_has_exactly_the_monitors_permissions(dev_run):
    role = dev_run.named("platform-drift-monitor-role").inputs
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"
    }
    read = {"s3:GetObject", "s3:GetObjectVersion"}
    write = read | {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}
    objects = {
        "platform/drift-monitor/code/*": read,
        "projects/*/data-capture/*": read,
        "projects/*/drift/*": read,
        "projects/*/drift/reports/*": write,
    }
    kms = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
    expected = (
        {(a, f"{OBJECTS}/{prefix}") for prefix, actions in objects.items() for a in actions}
        | {("s3:ListBucket", OBJECTS)}
        | {(a, KEY_ARN) for a in kms}
        | {
            (a, f"{SAGEMAKER}:processing-job/pipelines-*")
            for a in (
                "sagemaker:AddTags",
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
            )
        }
        | {("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{DRIFT_ROLE}")}
        | processing_job_permissions("sagemaker-scikit-learn")
        # whether an endpoint serves without capturing: its requests, its capture settings
        | {("cloudwatch:GetMetricStatistics", "*")}
        | {("sagemaker:DescribeEndpoint", f"{SAGEMAKER}:endpoint/sagestack-dev-*")}
    )
    assert role_permissions(dev_run, DRIFT_ROLE) == expected


def test_drift_monitor_puts_metrics_only_in_the_drift_namespace(dev_run):
    statements = [
        s
        for grant in dev_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if grant.inputs["role"] == DRIFT_ROLE
        for s in policy(grant)["Statement"]
    ]
    [metrics] = [s for s in statements if s["Action"] == ["cloudwatch:PutMetricData"]]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "sagestack/Drift"}}
    [pass_role] = [s for s in statements if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    listing = [s for s in statements if s["Action"] == ["s3:ListBucket"]]
    assert sorted(p for s in listing for p in s["Condition"]["StringLike"]["s3:prefix"]) == sorted(
        [
            "platform/drift-monitor/code",
            "platform/drift-monitor/code/*",
            "projects/*/data-capture",
            "projects/*/data-capture/*",
            "projects/*/drift",
            "projects/*/drift/*",
            "projects/*/drift/reports",
            "projects/*/drift/reports/*",
        ]
    )


def test_each_monitored_endpoint_gets_a_schedule_on_its_drift_schedule(local_run):
    rules = {
        r.inputs["name"]: r.inputs.get("scheduleExpression")
        for r in local_run.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.inputs["name"].endswith("-drift")
    }
    assert rules == {
        "sagestack-local-churn-drift": "rate(5 minutes)",
        "sagestack-local-fraud-drift": "cron(0 * * * ? *)",
    }


def test_schedule_starts_the_pipeline_with_the_endpoints_parameters(dev_run):
    target = dev_run.named("churn-drift-target").inputs
    assert target["rule"] == "sagestack-dev-churn-drift"
    assert target["arn"] == PIPELINE_ARN
    assert target["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/sagestack-dev-churn-drift"
    parameters = {
        p["name"]: p["value"] for p in target["sagemakerPipelineTarget"]["pipelineParameterLists"]
    }
    assert parameters == {
        "EndpointName": "sagestack-dev-churn",
        "CaptureS3Prefix": f"s3://{BUCKET}/projects/churn/data-capture/sagestack-dev-churn",
        "BaselineS3Uri": f"s3://{BUCKET}/projects/churn/drift/baseline.json",
        "ReportS3Prefix": f"s3://{BUCKET}/projects/churn/drift/reports",
        "WindowHours": "1",
        "PsiThreshold": "0.2",
        "ProcessingInstanceType": "ml.m5.large",
        "MinRequests": "0",  # the project sets none: the engine's own minimum window
    }
    declared = {p["Name"] for p in pipeline_definition(dev_run)["Parameters"]}
    assert set(parameters) == declared


def test_schedule_role_may_only_start_the_drift_monitor_pipeline(dev_run):
    role = dev_run.named("churn-drift-role").inputs
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    assert role_permissions(dev_run, "sagestack-dev-churn-drift") == {
        ("sagemaker:StartPipelineExecution", PIPELINE_ARN)
    }


def test_schedule_window_covers_the_schedule_interval(local_run):
    def window(project: str) -> str:
        target = local_run.named(f"{project}-drift-target").inputs
        lists = target["sagemakerPipelineTarget"]["pipelineParameterLists"]
        return {p["name"]: p["value"] for p in lists}["WindowHours"]

    # rate(5 minutes) and an hourly cron both read the last complete hour
    assert (window("churn"), window("fraud")) == ("1", "1")


IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


def test_every_role_policy_name_is_one_iam_accepts(dev_run):
    # Pulumi names an inline policy after its logical name (plus a suffix) when none is given.
    names = [r.inputs.get("name", r.name) for r in dev_run.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert "platform-drift-monitor-role-policy" in names
    assert [n for n in names if not IAM_NAME.match(n + "-1234567")] == []


def drift_role_policies(run) -> dict[str, str]:
    """The drift role's inline policies by name (mocks register them in no fixed order)."""
    return {
        r.name: r.inputs["policy"]
        for r in run.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] == "sagestack-test-drift-monitor"
    }


def test_drift_monitor_role_does_not_grow_with_projects_and_fits_iams_limit():
    # IAM allows 10,240 characters of inline policy per role, so one grant per project would
    # stop a stack at a few dozen projects.
    one = run_program("dev", stack_config(project_entry("churn")))
    three = run_program("dev", stack_config(*(project_entry(f"m{i}") for i in range(3))))

    assert drift_role_policies(one), "the drift monitor role has no inline policy"
    assert drift_role_policies(one) == drift_role_policies(three)
    policy_text = "".join(drift_role_policies(one).values())
    assert len("".join(policy_text.split())) < 10_240
