"""One project's slice in the dev stack: CI/CD, webhook, registry, approval, alarms, retraining,
the execution role's exact permissions and the SSM parameters."""

from __future__ import annotations

import json

import pytest
from graph_helpers import children_of, policy, project_entry, stack_config, statements_by_action

from sagestack import contract
from sagestack_infra.program_runner import run_program

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "sagestack-dev-artifacts-123456789012-us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/platform-key-key"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:sagestack-dev-oncall"
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
CONNECTION = (
    "arn:aws:codeconnections:us-east-1:123456789012:connection/5c1e9a4e-2f6b-4d8e-9c3a-7b0f1d2e3a4b"
)


def role_permissions(run, role_name: str) -> set[tuple[str, str]]:
    """Every (action, resource) pair the inline policies of ``role_name`` allow."""
    pairs = set()
    for grant in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        if grant.inputs["role"] != role_name:
            continue
        for statement in policy(grant)["Statement"]:
            assert statement["Effect"] == "Allow"
            pairs |= {(a, r) for a in statement["Action"] for r in statement["Resource"]}
    return pairs


def test_dev_project_registers_its_whole_slice(dev_run):
    types = {r.type for r in dev_run.resources if r.name.startswith("churn")}
    assert {
        "aws:codebuild/project:Project",
        "aws:codebuild/webhook:Webhook",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:ssm/parameter:Parameter",
        "aws:iam/role:Role",
    } <= types
    components = {r.type for r in children_of(dev_run, "churn")}
    assert components == {
        "sagestack:training:ExecutionRole",
        "sagestack:registry:ModelRegistry",
        "sagestack:cicd:CiCd",
        "sagestack:source:SourceWebhook",
        "sagestack:monitoring:Monitoring",
        "sagestack:monitoring:LogGroups",
        "sagestack:monitoring:FailurePages",
        "sagestack:monitoring:DriftSchedule",
        "sagestack:monitoring:MonitorHealth",
        "sagestack:feedback:FeedbackLoop",
        "sagestack:discovery:Discovery",
    }


def test_webhook_builds_pushes_to_the_branch_and_pull_requests_into_it(dev_run):
    webhook = dev_run.named("churn-source-webhook").inputs
    assert webhook["projectName"] == "sagestack-dev-churn-build"
    assert webhook["filterGroups"] == [
        {
            "filters": [
                {"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": "^refs/heads/main$"},
            ]
        },
        {
            "filters": [
                {
                    "type": "EVENT",
                    "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED",
                },
                {"type": "BASE_REF", "pattern": "^refs/heads/main$"},
            ]
        },
    ]


def test_webhook_uses_the_configured_branch_escaped(local_run):
    [push, pull] = local_run.named("fraud-source-webhook").inputs["filterGroups"]
    assert push["filters"][1] == {"type": "HEAD_REF", "pattern": "^refs/heads/trunk$"}
    assert pull["filters"][1] == {"type": "BASE_REF", "pattern": "^refs/heads/trunk$"}


@pytest.mark.parametrize(
    ("name", "buildspec"),
    [("churn-cicd-build", "buildspec.yml"), ("churn-cicd-deploy", "buildspec-deploy.yml")],
)
def test_build_projects_are_unprivileged_encrypted_and_use_the_connection(dev_run, name, buildspec):
    project = dev_run.named(name).inputs
    assert project["environment"]["privilegedMode"] is False
    assert project["encryptionKey"] == KEY_ARN
    assert project["source"]["type"] == "GITHUB"
    assert project["source"]["location"] == "https://github.com/acme/churn"
    assert project["source"]["buildspec"] == buildspec
    assert project["source"]["auth"] == {"type": "CODECONNECTIONS", "resource": CONNECTION}
    variables = {v["name"]: v["value"] for v in project["environment"]["environmentVariables"]}
    variables.pop(contract.ENV_POLICY_PACK_URI, None)  # the deploy build's: test_policy_bundle
    assert variables == {
        contract.ENV_STACK: "dev",
        contract.ENV_PROJECT: "churn",
        contract.ENV_PARAMETER_PATH: "/sagestack/dev/churn/",
    }


@pytest.mark.parametrize("kind", ["build", "deploy"])
def test_build_projects_are_created_after_their_roles_policy_not_just_the_role(dev_run, kind):
    # CodeBuild checks at CreateProject that the role may use the connection
    project = dev_run.named(f"churn-cicd-{kind}")
    policy = dev_run.named(f"churn-cicd-{kind}-role-policy")
    assert CONNECTION in json.dumps(policy.inputs["policy"])
    assert policy.urn in project.deps


@pytest.mark.parametrize("kind", ["build", "deploy"])
def test_build_projects_keep_their_cache_in_the_projects_prefix(dev_run, kind):
    # the buildspec's cache.paths (uv's cache) take effect only with a project cache
    project = dev_run.named(f"churn-cicd-{kind}").inputs
    assert project["cache"] == {
        "type": "S3",
        "location": f"{BUCKET}/projects/churn/build-cache/{kind}",
    }
    permissions = role_permissions(dev_run, f"sagestack-dev-churn-{kind}")
    cache_objects = f"arn:aws:s3:::{BUCKET}/projects/churn/*"
    assert {("s3:GetObject", cache_objects), ("s3:PutObject", cache_objects)} <= permissions
    assert ("s3:GetBucketLocation", f"arn:aws:s3:::{BUCKET}") in permissions


def test_gitlab_project_builds_from_gitlab(local_run):
    assert local_run.named("fraud-cicd-build").inputs["source"]["type"] == "GITLAB"


def test_approval_rule_matches_approved_packages_of_the_projects_group(dev_run):
    rule = dev_run.named("churn-cicd-approved")
    assert policy(rule, "eventPattern") == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {
            "ModelPackageGroupName": ["sagestack-dev-churn"],
            "ModelApprovalStatus": ["Approved"],
        },
    }
    group = dev_run.named("churn-registry-group").inputs
    assert group["modelPackageGroupName"] == "sagestack-dev-churn"


def test_approval_target_starts_the_deploy_build_with_the_package_arn(dev_run):
    target = dev_run.named("churn-cicd-approved-target").inputs
    assert target["rule"] == "sagestack-dev-churn-approved"
    assert (
        target["arn"] == f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/sagestack-dev-churn-deploy"
    )
    transformer = target["inputTransformer"]
    assert transformer["inputPaths"] == {"packageArn": "$.detail.ModelPackageArn"}
    # EventBridge substitutes <packageArn> as a quoted JSON string
    rendered = transformer["inputTemplate"].replace(
        "<packageArn>", json.dumps(f"{SAGEMAKER}:model-package/sagestack-dev-churn/3")
    )
    assert json.loads(rendered) == {
        "environmentVariablesOverride": [
            {
                "name": "MODEL_PACKAGE_ARN",
                "value": f"{SAGEMAKER}:model-package/sagestack-dev-churn/3",
                "type": "PLAINTEXT",
            }
        ]
    }


def test_approval_rule_role_may_only_start_the_deploy_build(dev_run):
    target = dev_run.named("churn-cicd-approved-target").inputs
    assert target["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/sagestack-dev-churn-approved"
    assert role_permissions(dev_run, "sagestack-dev-churn-approved") == {
        (
            "codebuild:StartBuild",
            f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/sagestack-dev-churn-deploy",
        )
    }


def test_execution_role_has_exactly_the_projects_permissions(dev_run):
    role = dev_run.named("churn-execution-role").inputs
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"
    }
    pipeline = f"{SAGEMAKER}:pipeline/sagestack-dev-churn-train"
    objects = f"arn:aws:s3:::{BUCKET}/projects/churn/*"
    offline = (
        f"arn:aws:s3:::{BUCKET}/feature-store/*/sagemaker/*/offline-store/sagestack-dev-customers-*"
    )
    group = f"{SAGEMAKER}:model-package-group/sagestack-dev-churn"
    packages = f"{SAGEMAKER}:model-package/sagestack-dev-churn/*"
    jobs = [
        f"{SAGEMAKER}:{kind}/{prefix}*"
        for kind in ("processing-job", "training-job")
        for prefix in ("sagestack-dev-churn-", "pipelines-")
    ]
    expected = (
        {
            (a, j)
            for j in jobs
            for a in (
                "sagemaker:AddTags",
                "sagemaker:CreateProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:StopTrainingJob",
            )
        }
        | {
            (a, r)
            for r in (pipeline, f"{pipeline}/execution/*")
            for a in (
                "sagemaker:DescribePipeline",
                "sagemaker:DescribePipelineExecution",
                "sagemaker:ListPipelineExecutionSteps",
            )
        }
        | {("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/sagestack-dev-churn-exec")}
        | {
            (a, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/{group}{streams}")
            for group in (
                "ProcessingJobs",
                "TrainingJobs",
                "TransformJobs",
                "Endpoints/sagestack-dev-churn",
            )
            for streams in ("", ":*")
            for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
        }
        | {("cloudwatch:PutMetricData", "*"), ("ecr:GetAuthorizationToken", "*")}
        | {
            (
                "cloudwatch:DescribeAlarms",
                f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:sagestack-dev-churn-*",
            )
        }
        | {
            (a, f"arn:aws:ecr:{REGION}:*:repository/sagemaker-*")
            for a in (
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            )
        }
        | {
            (a, KEY_ARN)
            for a in (
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
            )
        }
        | {("s3:ListBucket", f"arn:aws:s3:::{BUCKET}")}
        | {
            (a, objects)
            for a in (
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
            )
        }
        | {(a, offline) for a in ("s3:GetObject", "s3:GetObjectVersion")}
        | {("sagemaker:DescribeModelPackageGroup", group)}
        | {
            (a, r)
            for r in (group, packages)
            for a in (
                "sagemaker:AddTags",
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:UpdateModelPackage",
            )
        }
        | {
            (a, f"{SAGEMAKER}:feature-group/sagestack-dev-customers")
            for a in (
                "sagemaker:BatchGetRecord",
                "sagemaker:DescribeFeatureGroup",
                "sagemaker:GetRecord",
            )
        }
    )
    assert role_permissions(dev_run, "sagestack-dev-churn-exec") == expected


@pytest.mark.parametrize(
    ("role", "service", "source_arn"),
    [
        ("sagestack-dev-churn-exec", "sagemaker.amazonaws.com", None),
        (
            "sagestack-dev-churn-build",
            "codebuild.amazonaws.com",
            f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/sagestack-dev-churn-build",
        ),
        (
            "sagestack-dev-churn-approved",
            "events.amazonaws.com",
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sagestack-dev-churn-approved",
        ),
        (
            "sagestack-dev-churn-retrain",
            "events.amazonaws.com",
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sagestack-dev-churn-retrain",
        ),
    ],
)
def test_service_trust_is_pinned_to_the_account_and_the_acting_resource(
    dev_run, role, service, source_arn
):
    [trust] = [
        json.loads(r.inputs["assumeRolePolicy"])["Statement"]
        for r in dev_run.of_type("aws:iam/role:Role")
        if r.inputs["name"] == role
    ]
    expected = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    if source_arn:
        expected["ArnLike"] = {"aws:SourceArn": source_arn}
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": expected,
        }
    ]


def test_no_role_trusts_a_service_without_pinning_the_account(local_run):
    for role in local_run.of_type("aws:iam/role:Role"):
        [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"], role.name


def test_every_role_has_one_policy_holding_all_its_grants(local_run):
    roles = [r.inputs["name"] for r in local_run.of_type("aws:iam/role:Role")]
    policies = [r.inputs["role"] for r in local_run.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert sorted(policies) == sorted(roles)


def test_execution_role_star_resources_are_pinned_by_conditions_where_aws_allows(dev_run):
    grant = dev_run.named("churn-execution-role-policy")
    [metrics] = [
        s for s in policy(grant)["Statement"] if s["Action"] == ["cloudwatch:PutMetricData"]
    ]
    assert metrics["Condition"] == {
        "StringEquals": {
            "cloudwatch:namespace": [
                "/aws/sagemaker/ProcessingJobs",
                "/aws/sagemaker/TrainingJobs",
                contract.DRIFT_NAMESPACE,
            ]
        }
    }
    [kms_grant] = [s for s in policy(grant)["Statement"] if s["Action"] == ["kms:CreateGrant"]]
    assert kms_grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_s3_grants_list_only_the_projects_prefix(dev_run):
    grant = dev_run.named("churn-cicd-build-role-policy")
    by_action = statements_by_action(policy(grant))
    [listing] = [s for s in policy(grant)["Statement"] if s["Action"] == ["s3:ListBucket"]]
    assert listing["Condition"] == {
        "StringLike": {"s3:prefix": ["projects/churn", "projects/churn/*"]}
    }
    assert by_action[("s3:ListBucket",)] == [f"arn:aws:s3:::{BUCKET}"]


def test_build_role_may_describe_the_projects_feature_groups_to_find_their_offline_store(dev_run):
    permissions = role_permissions(dev_run, "sagestack-dev-churn-build")
    group = f"{SAGEMAKER}:feature-group/sagestack-dev-customers"
    assert {a for a, r in permissions if r == group} == {"sagemaker:DescribeFeatureGroup"}


DATA_KEY = "arn:aws:kms:us-east-1:123456789012:key/0b8c9d6e-1111-2222-3333-444455556666"


@pytest.fixture(scope="module")
def data_source_run():
    entry = project_entry(
        "churn", dataSources={"s3": ["s3://data-lake/churn/", "s3://data-lake/shared/"],
                              "kmsKeys": [DATA_KEY]}
    )  # fmt: skip
    return run_program("dev", stack_config(entry))


@pytest.mark.parametrize("role", ["sagestack-test-churn-exec", "sagestack-test-churn-build"])
def test_pipeline_and_build_may_read_the_projects_data_sources_and_decrypt_them(
    data_source_run, role
):
    permissions = role_permissions(data_source_run, role)
    for prefix in ("churn/", "shared/"):
        assert ("s3:GetObject", f"arn:aws:s3:::data-lake/{prefix}*") in permissions
    assert ("s3:ListBucket", "arn:aws:s3:::data-lake") in permissions
    assert {a for a, r in permissions if r == DATA_KEY} == {"kms:Decrypt", "kms:DescribeKey"}
    assert not [a for a, r in permissions if r.startswith("arn:aws:s3:::data-lake") and "Put" in a]
    listings = [
        s["Condition"]["StringLike"]["s3:prefix"]
        for grant in data_source_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if grant.inputs["role"] == role
        for s in policy(grant)["Statement"]
        if s["Resource"] == ["arn:aws:s3:::data-lake"]
    ]
    assert sorted(listings) == [["churn/", "churn/*"], ["shared/", "shared/*"]]


def test_build_role_may_upsert_and_start_only_the_projects_pipeline(dev_run):
    permissions = role_permissions(dev_run, "sagestack-dev-churn-build")
    pipelines = {r for a, r in permissions if a == "sagemaker:StartPipelineExecution"}
    assert pipelines == {
        f"{SAGEMAKER}:pipeline/sagestack-dev-churn-train",
        f"{SAGEMAKER}:pipeline/sagestack-dev-churn-train/execution/*",
    }
    assert ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/sagestack-dev-churn-exec") in permissions
    assert not any(a.startswith("sagemaker:CreateEndpoint") for a, _ in permissions)


def test_deploy_role_may_touch_only_the_projects_endpoint_and_read_its_packages(dev_run):
    permissions = role_permissions(dev_run, "sagestack-dev-churn-deploy")
    endpoint_resources = {r for a, r in permissions if a == "sagemaker:UpdateEndpoint"}
    assert endpoint_resources == {
        f"{SAGEMAKER}:endpoint/sagestack-dev-churn",
        f"{SAGEMAKER}:endpoint-config/sagestack-dev-churn-*",
        f"{SAGEMAKER}:model/sagestack-dev-churn-*",
    }
    assert (
        "sagemaker:DescribeModelPackage",
        f"{SAGEMAKER}:model-package/sagestack-dev-churn/*",
    ) in permissions
    assert not any(a == "sagemaker:CreateModelPackage" for a, _ in permissions)


def test_deploy_role_may_delete_only_the_models_and_configs_of_its_project(dev_run):
    statements = [
        s
        for grant in dev_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if grant.inputs["role"] == "sagestack-dev-churn-deploy"
        for s in policy(grant)["Statement"]
        if "sagemaker:DeleteModel" in s["Action"]
    ]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel"],
            "Resource": [
                f"{SAGEMAKER}:endpoint-config/sagestack-dev-churn-*",
                f"{SAGEMAKER}:model/sagestack-dev-churn-*",
            ],
            # names alone would also cover a project named churn-v2
            "Condition": {"StringEquals": {"aws:ResourceTag/sagestack:project": "churn"}},
        }
    ]


def test_endpoint_alarms_watch_the_variant_and_page_oncall(dev_run):
    errors = dev_run.named("churn-monitoring-5xx").inputs
    latency = dev_run.named("churn-monitoring-latency-p99").inputs
    dimensions = {"EndpointName": "sagestack-dev-churn", "VariantName": contract.ENDPOINT_VARIANT}
    assert (errors["namespace"], errors["metricName"], errors["statistic"]) == (
        "AWS/SageMaker",
        "Invocation5XXErrors",
        "Sum",
    )
    assert (latency["metricName"], latency["extendedStatistic"]) == ("ModelLatency", "p99")
    assert latency["threshold"] == 1_000_000.0  # 1000 ms in ModelLatency's microseconds
    for alarm in (errors, latency):
        assert alarm["dimensions"] == dimensions
        assert "docs/runbooks/" in alarm["alarmDescription"]


def test_drift_alarms_one_per_feature_plus_max_on_the_contract_metrics(dev_run):
    drift = {
        r.inputs["name"]: r.inputs
        for r in dev_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "-drift-" in r.inputs["name"] and not r.inputs["name"].endswith("-heartbeat")
    }
    assert set(drift) == {
        "sagestack-dev-churn-drift-tenure",
        "sagestack-dev-churn-drift-monthly_charges",
        "sagestack-dev-churn-drift-total_charges",
        "sagestack-dev-churn-drift-max",
    }
    tenure = drift["sagestack-dev-churn-drift-tenure"]
    assert (tenure["namespace"], tenure["metricName"]) == (
        contract.DRIFT_NAMESPACE,
        contract.DRIFT_VIOLATION_METRIC,
    )
    assert tenure["dimensions"] == {
        contract.DIM_ENDPOINT: "sagestack-dev-churn",
        contract.DIM_FEATURE: "tenure",
    }
    # fires when the run's violations file lists the feature (the metric is 1), and only then
    assert (tenure["comparisonOperator"], tenure["threshold"]) == (
        "GreaterThanOrEqualToThreshold",
        1.0,
    )
    assert tenure["period"] == 3600.0
    assert "churn" in tenure["alarmDescription"] and "tenure" in tenure["alarmDescription"]
    maximum = drift["sagestack-dev-churn-drift-max"]
    assert maximum["metricName"] == contract.DRIFT_VIOLATIONS_METRIC
    assert maximum["dimensions"] == {contract.DIM_ENDPOINT: "sagestack-dev-churn"}


def test_every_alarm_notifies_oncall_both_ways(dev_run):
    alarms = dev_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) == 8
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == [TOPIC_ARN]
        assert alarm.inputs["okActions"] == [TOPIC_ARN]


def test_missing_drift_data_keeps_an_alarm_as_it_is_missing_endpoint_data_is_calm(dev_run):
    """A drift window too small to judge publishes nothing: that must neither page nor clear.
    (The monitor's heartbeat alarm is the one whose missing data pages: test_oncall_pages.)"""
    treatment = {
        r.inputs["name"]: r.inputs["treatMissingData"]
        for r in dev_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"] != "sagestack-dev-churn-drift-heartbeat"
    }
    assert {name: t for name, t in treatment.items() if "-drift-" in name} == {
        name: "ignore" for name in treatment if "-drift-" in name
    }
    assert {t for name, t in treatment.items() if "-drift-" not in name} == {"notBreaching"}


def test_drift_alarm_period_follows_the_drift_schedule(local_run):
    churn_max = local_run.named("churn-monitoring-drift-max").inputs  # rate(5 minutes)
    fraud_max = local_run.named("fraud-monitoring-drift-max").inputs  # cron: an hour
    assert (churn_max["period"], fraud_max["period"]) == (300.0, 3600.0)


def test_drift_alarm_entering_alarm_starts_the_training_pipeline(dev_run):
    rule = dev_run.named("churn-retrain-rule")
    assert policy(rule, "eventPattern") == {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": ["sagestack-dev-churn-drift-max"], "state": {"value": ["ALARM"]}},
    }
    target = dev_run.named("churn-retrain-target").inputs
    pipeline = f"{SAGEMAKER}:pipeline/sagestack-dev-churn-train"
    assert target["arn"] == pipeline
    assert target["sagemakerPipelineTarget"] == {
        "pipelineParameterLists": [
            {"name": contract.PIPELINE_PARAM_TRIGGER, "value": contract.PIPELINE_TRIGGER_DRIFT}
        ]
    }
    assert role_permissions(dev_run, "sagestack-dev-churn-retrain") == {
        ("sagemaker:StartPipelineExecution", pipeline)
    }


def test_project_without_auto_retrain_gets_no_retraining_rule(local_run):
    names = {r.name for r in local_run.resources}
    assert "churn-retrain-rule" in names
    assert not any(name.startswith("fraud-retrain") for name in names)


def test_ssm_parameters_tell_the_project_where_everything_is(dev_run):
    parameters = {
        r.inputs["name"]: r.inputs for r in dev_run.of_type("aws:ssm/parameter:Parameter")
    }
    path = contract.parameter_path("dev", "churn")
    assert set(parameters) == {path + key for key in contract.Param.ALL}
    assert all(p["type"] == "String" for p in parameters.values())
    values = {name.removeprefix(path): p["value"] for name, p in parameters.items()}
    assert {k: v for k, v in values.items() if k not in ("settings",)} == {
        contract.Param.ARTIFACT_BUCKET: BUCKET,
        contract.Param.ARTIFACT_PREFIX: "projects/churn",
        contract.Param.KMS_KEY_ARN: KEY_ARN,
        contract.Param.EXECUTION_ROLE_ARN: f"arn:aws:iam::{ACCOUNT}:role/sagestack-dev-churn-exec",
        contract.Param.MODEL_PACKAGE_GROUP: "sagestack-dev-churn",
        contract.Param.PIPELINE_NAME: "sagestack-dev-churn-train",
        contract.Param.ENDPOINT_NAME: "sagestack-dev-churn",
        contract.Param.ONCALL_TOPIC_ARN: TOPIC_ARN,
        contract.Param.FEATURE_GROUPS: '["sagestack-dev-customers"]',
        contract.Param.ALARM_NAMES: json.dumps(
            ["sagestack-dev-churn-5xx", "sagestack-dev-churn-latency-p99"]
        ),
    }
    settings = json.loads(values[contract.Param.SETTINGS])
    assert settings["registration"] == {"metric": "auc", "threshold": 0.75, "higherIsBetter": True}
    assert settings["drift"]["features"] == ["tenure", "monthly_charges", "total_charges"]
    assert settings["instances"]["training"] == "ml.m5.xlarge"
    assert settings["instances"]["endpointCount"] == 1
    assert settings["serving"] == {
        "target": "sagemaker",
        "autoscaling": None,
        "rollout": {
            "type": "ALL_AT_ONCE",
            "stepPercent": 10,
            "waitSeconds": 600,
            "terminationWaitSeconds": 600,
        },
        "networkIsolation": True,
    }
    assert settings["tags"]["sagestack:project"] == "churn"  # with the stack's tags
    assert settings["tags"]["cost-center"] == "cc-1234"


def test_a_project_that_autoscales_lets_its_deploy_register_only_sagemaker_variants():
    scaling = {"minCapacity": 1, "maxCapacity": 3, "targetInvocationsPerInstance": 100}
    run = run_program("dev", stack_config(project_entry("churn", serving={"autoscaling": scaling})))
    permissions = role_permissions(run, "sagestack-test-churn-deploy")
    targets = f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/*"
    assert ("application-autoscaling:RegisterScalableTarget", targets) in permissions
    alarms = (
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
        "TargetTracking-endpoint/sagestack-test-churn/*"
    )
    assert ("cloudwatch:PutMetricAlarm", alarms) in permissions
    [registration] = [
        s
        for grant in run.of_type("aws:iam/rolePolicy:RolePolicy")
        if grant.inputs["role"] == "sagestack-test-churn-deploy"
        for s in policy(grant)["Statement"]
        if "application-autoscaling:RegisterScalableTarget" in s["Action"]
    ]
    assert registration["Condition"]["StringEquals"][
        "application-autoscaling:service-namespace"
    ] == ("sagemaker")


def test_a_prod_projects_serving_settings_reach_its_settings_parameter_for_the_serving_stack():
    entry = project_entry(
        "churn",
        serving={
            "autoscaling": {
                "minCapacity": 2,
                "maxCapacity": 6,
                "targetInvocationsPerInstance": 200,
            },
            "rollout": {"type": "CANARY", "stepPercent": 20, "rollbackAlarms": ["5xx"]},
            "networkIsolation": False,
        },
    )
    run = run_program("prod", stack_config(entry, environment="prod"))
    path = contract.parameter_path("prod", "churn")
    parameters = {
        r.inputs["name"]: r.inputs["value"] for r in run.of_type("aws:ssm/parameter:Parameter")
    }
    settings = json.loads(parameters[path + contract.Param.SETTINGS])
    assert settings["instances"]["endpointCount"] == 2  # prod's default
    assert settings["serving"]["autoscaling"] == {
        "minCapacity": 2, "maxCapacity": 6, "targetInvocationsPerInstance": 200
    }  # fmt: skip
    assert settings["serving"]["rollout"]["type"] == "CANARY"
    assert settings["serving"]["networkIsolation"] is False
    # the deploy rolls back on the alarms named, and on no other
    assert json.loads(parameters[path + contract.Param.ALARM_NAMES]) == ["sagestack-test-churn-5xx"]


def test_builds_may_use_their_connection_under_the_arns_own_service_prefix(dev_run, local_run):
    churn = role_permissions(dev_run, "sagestack-dev-churn-build")
    assert {a for a, r in churn if r == CONNECTION} == {
        "codeconnections:GetConnection",
        "codeconnections:GetConnectionToken",
        "codeconnections:UseConnection",
    }
    legacy = local_run.named("fraud-cicd-build").inputs["source"]["auth"]["resource"]
    assert legacy.startswith("arn:aws:codestar-connections:")
    fraud = role_permissions(local_run, "sagestack-local-fraud-build")
    assert {a for a, r in fraud if r == legacy} == {
        "codestar-connections:GetConnection",
        "codestar-connections:GetConnectionToken",
        "codestar-connections:UseConnection",
    }
