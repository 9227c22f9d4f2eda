"""EventBridge delivery on the local cloud: rules deliver matching events to SQS, SNS, CodeBuild and
SageMaker pipeline targets with Input / InputPath / InputTransformer applied as AWS documents.
"""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from sagestack import contract
from sagestack.localcloud import clock
from sagestack.localcloud.services.events import DELIVERIES
from sagestack_infra.components.ci_cd import approval_event_pattern, deploy_input_template
from sagestack_infra.components.feedback_loop import alarm_event_pattern

ACCOUNT = "123456789012"
REGION = "us-east-1"
DETAIL = {
    "ModelPackageGroupName": "churn",
    "ModelApprovalStatus": "Approved",
    "ModelPackageVersion": 3,
}
PACKAGE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
APPROVAL_PATTERN = {
    "source": ["aws.sagemaker"],
    "detail-type": [contract.MODEL_PACKAGE_STATE_CHANGE],
    "detail": {"ModelApprovalStatus": ["Approved"]},
}


@pytest.fixture
def aws(fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("inspects the delivery record only sagestack's local cloud keeps")
    DELIVERIES.clear()

    def client(name: str):
        return boto3.client(name, endpoint_url=fresh_local_cloud.url)

    return client


def _queue(aws, name: str = "targets") -> tuple[str, str]:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def _bodies(aws, queue_url: str, expected: int = 1) -> list[str]:
    messages = (
        aws("sqs")
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    )
    assert len(messages) == expected, messages
    return [m["Body"] for m in messages]


def _rule(aws, target: dict, pattern: dict = APPROVAL_PATTERN, name: str = "approved") -> str:
    events = aws("events")
    rule_arn = events.put_rule(Name=name, EventPattern=json.dumps(pattern))["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "t1", **target}])
    return rule_arn


def _put(aws, detail: dict = DETAIL, detail_type: str = contract.MODEL_PACKAGE_STATE_CHANGE) -> str:
    answer = aws("events").put_events(
        Entries=[
            {
                "Source": "aws.sagemaker",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "Resources": [PACKAGE_ARN],
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    return answer["Entries"][0]["EventId"]


def test_matching_event_reaches_sqs_target_as_the_whole_event(aws):
    url, arn = _queue(aws)
    _rule(aws, {"Arn": arn})
    event_id = _put(aws)
    [body] = _bodies(aws, url)
    event = json.loads(body)
    assert event["id"] == event_id
    assert event["detail-type"] == contract.MODEL_PACKAGE_STATE_CHANGE
    assert event["source"] == "aws.sagemaker"
    assert event["detail"] == DETAIL
    assert event["region"] == REGION and event["account"] == ACCOUNT
    assert event["time"].endswith("Z") and "T" in event["time"]
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert body == json.dumps(event, separators=(",", ":"))  # minified, as EventBridge sends


def test_event_that_does_not_match_is_not_delivered(aws):
    url, arn = _queue(aws)
    _rule(aws, {"Arn": arn})
    _put(aws, detail={**DETAIL, "ModelApprovalStatus": "Rejected"})
    _bodies(aws, url, expected=0)
    assert DELIVERIES.all() == []


def test_disabled_rule_delivers_nothing(aws):
    url, arn = _queue(aws)
    _rule(aws, {"Arn": arn})
    aws("events").disable_rule(Name="approved")
    _put(aws)
    _bodies(aws, url, expected=0)


def test_scheduled_rule_matches_no_event(aws):
    url, arn = _queue(aws)
    events = aws("events")
    events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn}])
    _put(aws)
    _bodies(aws, url, expected=0)


def test_rate_rule_sends_scheduled_events_on_the_clock(aws):
    url, arn = _queue(aws)
    events = aws("events")
    with clock.frozen() as frozen:
        rule_arn = events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)")["RuleArn"]
        events.put_targets(Rule="every-5", Targets=[{"Id": "q", "Arn": arn}])
        created = frozen.now()
        frozen.advance(299)
        _bodies(aws, url, expected=0)
        frozen.advance(301)
    scheduled = [json.loads(body) for body in _bodies(aws, url, expected=2)]
    assert {e["detail-type"] for e in scheduled} == {"Scheduled Event"}
    assert {e["source"] for e in scheduled} == {"aws.events"}
    assert all(e["resources"] == [rule_arn] and e["detail"] == {} for e in scheduled)
    expected = {(created + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ") for m in (5, 10)}
    assert {e["time"] for e in scheduled} == expected


def test_updating_a_rate_rule_without_changing_its_schedule_keeps_its_rhythm(aws):
    url, arn = _queue(aws)
    events = aws("events")
    with clock.frozen() as frozen:
        events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)")
        events.put_targets(Rule="every-5", Targets=[{"Id": "q", "Arn": arn}])
        frozen.advance(180)
        events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)", Description="edited")
        frozen.advance(120)  # five minutes after creation, two after the update
    _bodies(aws, url, expected=1)


@pytest.mark.parametrize("expression", ["rate(1 hours)", "rate(5 minute)", "rate(0 minutes)"])
def test_put_rule_refuses_a_rate_whose_unit_does_not_fit_its_value(aws, expression):
    events = aws("events")
    with pytest.raises(ClientError) as error:
        events.put_rule(Name="bad-rate", ScheduleExpression=expression)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert f"'{expression}'" in error.value.response["Error"]["Message"]
    assert events.list_rules()["Rules"] == []


def test_disabled_rate_rule_sends_nothing(aws):
    url, arn = _queue(aws)
    events = aws("events")
    with clock.frozen() as frozen:
        events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)", State="DISABLED")
        events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn}])
        frozen.advance(7200)
    _bodies(aws, url, expected=0)


def test_constant_input_replaces_the_event(aws):
    url, arn = _queue(aws)
    _rule(aws, {"Arn": arn, "Input": '{"retrain": true}'})
    _put(aws)
    assert _bodies(aws, url) == ['{"retrain": true}']


def test_input_path_passes_only_that_part_of_the_event(aws):
    url, arn = _queue(aws)
    _rule(aws, {"Arn": arn, "InputPath": "$.detail"})
    _put(aws)
    assert json.loads(_bodies(aws, url)[0]) == DETAIL


def test_input_transformer_fills_json_template_with_quoting_rules(aws):
    url, arn = _queue(aws)
    template = (
        '{"group": <group>, "status": "<status>", "version": <version>, '
        '"text": "package <group> is \\"<status>\\"", "rule": <aws.events.rule-name>, '
        '"event": <aws.events.event.json>, "absent": <absent>, "slashed": <slashed>}'
    )
    paths = {
        "slashed": "$.detail.a/b",
        "group": "$.detail.ModelPackageGroupName",
        "status": "$.detail.ModelApprovalStatus",
        "version": "$.detail.ModelPackageVersion",
        "absent": "$.detail.nothing",
    }
    _rule(
        aws, {"Arn": arn, "InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}
    )
    detail = {**DETAIL, "a/b": "slash"}
    event_id = _put(aws, detail=detail)
    delivered = json.loads(_bodies(aws, url)[0])
    assert delivered["group"] == "churn"
    assert delivered["status"] == "Approved"
    assert delivered["version"] == 3
    assert delivered["text"] == 'package churn is "Approved"'
    assert delivered["rule"] == "approved"
    assert delivered["event"]["id"] == event_id and delivered["event"]["detail"] == detail
    assert delivered["absent"] is None
    assert delivered["slashed"] == "slash"  # EventBridge paths may hold forward slashes


def test_input_transformer_string_template_delivers_text(aws):
    url, arn = _queue(aws)
    transformer = {
        "InputPathsMap": {"group": "$.detail.ModelPackageGroupName"},
        "InputTemplate": '"model <group> approved by <aws.events.rule-name>"',
    }
    _rule(aws, {"Arn": arn, "InputTransformer": transformer})
    _put(aws)
    assert _bodies(aws, url) == ['"model churn approved by approved"']


def test_sns_target_publishes_the_input_to_the_topic(aws):
    url, queue_arn = _queue(aws)
    sns = aws("sns")
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    _rule(aws, {"Arn": topic, "InputPath": "$.detail"})
    _put(aws)
    assert json.loads(_bodies(aws, url)[0]) == DETAIL
    [delivery] = DELIVERIES.all()
    assert delivery.status == "SUCCEEDED" and delivery.response["MessageId"]


def _project(aws, name: str, variables: list[dict] | None = None):
    codebuild = aws("codebuild")
    codebuild.create_project(
        name=name,
        source={"type": "S3", "location": "artifacts/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": variables or [],
        },
        serviceRole=f"arn:aws:iam::{ACCOUNT}:role/deploy",
    )
    return codebuild


def test_codebuild_target_starts_build_with_environment_override_from_transformer(aws):
    codebuild = _project(
        aws, "churn-deploy", [{"name": contract.ENV_PROJECT, "value": "churn", "type": "PLAINTEXT"}]
    )
    project_arn = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/churn-deploy"
    override = f'{{"name": "{contract.ENV_MODEL_PACKAGE_ARN}", "value": <package>}}'
    template = f'{{"environmentVariablesOverride": [{override}]}}'
    transformer = {"InputPathsMap": {"package": "$.resources[0]"}, "InputTemplate": template}
    _rule(aws, {"Arn": project_arn, "InputTransformer": transformer})
    _put(aws)
    [build_id] = codebuild.list_builds_for_project(projectName="churn-deploy")["ids"]
    [build] = codebuild.batch_get_builds(ids=[build_id])["builds"]
    variables = {v["name"]: v["value"] for v in build["environment"]["environmentVariables"]}
    assert variables == {
        contract.ENV_PROJECT: "churn",
        contract.ENV_MODEL_PACKAGE_ARN: PACKAGE_ARN,
    }


def test_codebuild_target_with_invalid_start_build_input_is_a_failed_delivery(aws):
    codebuild = _project(aws, "deploy-p")
    rule_arn = _rule(
        aws,
        {
            "Arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/deploy-p",
            "Input": '{"environmentVariablesOverride": [{"value": "no name"}]}',
        },
    )
    _put(aws)
    [failure] = DELIVERIES.all(rule_arn=rule_arn)
    assert failure.status == "FAILED" and failure.error_code == "InvalidInputException"
    assert "name" in failure.error_message
    assert codebuild.list_builds_for_project(projectName="deploy-p")["ids"] == []


def _training_pipeline(aws):
    """A pipeline declaring the parameters the targets pass; its one step fails at once."""
    sagemaker = aws("sagemaker")
    parameters = [
        {"Name": name, "Type": "String", "DefaultValue": "none"}
        for name in ("Reason", "ModelGroup")
    ]
    stop = {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "nothing to run"}}
    definition = {"Version": "2020-12-01", "Parameters": parameters, "Steps": [stop]}
    sagemaker.create_pipeline(
        PipelineName="churn-train",
        PipelineDefinition=json.dumps(definition),
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/sm",
    )
    return sagemaker


def test_sagemaker_pipeline_target_starts_execution_with_static_and_dynamic_parameters(aws):
    sagemaker = _training_pipeline(aws)
    parameters = {
        "PipelineParameterList": [
            {"Name": "Reason", "Value": "drift"},
            {"Name": "ModelGroup", "Value": "$.detail.ModelPackageGroupName"},
        ]
    }
    _rule(
        aws,
        {
            "Arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn-train",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events",
            "SageMakerPipelineParameters": parameters,
        },
    )
    _put(aws)
    [execution] = sagemaker.list_pipeline_executions(PipelineName="churn-train")[
        "PipelineExecutionSummaries"
    ]
    given = sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=execution["PipelineExecutionArn"]
    )["PipelineParameters"]
    assert {p["Name"]: p["Value"] for p in given} == {"Reason": "drift", "ModelGroup": "churn"}


def test_missing_target_is_recorded_as_failed_and_sent_to_dead_letter_queue(aws):
    dlq_url, dlq_arn = _queue(aws, "dead-letters")
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    rule_arn = _rule(aws, {"Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn}})
    event_id = _put(aws)
    [failure] = DELIVERIES.all(rule_arn=rule_arn, status="FAILED")
    assert failure.target_arn == missing and failure.event_id == event_id
    assert failure.error_code == "AWS.SimpleQueueService.NonExistentQueue"
    message = aws("sqs").receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])[
        "Messages"
    ][0]
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == missing
    assert attributes["ERROR_CODE"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_missing_or_unsupported_targets_fail_alone(aws):
    rule_arn = _rule(aws, {"Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:nope"})
    _url, queue_arn = _queue(aws)
    aws("events").put_targets(
        Rule="approved",
        Targets=[
            {"Id": "t2", "Arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/nope"},
            {"Id": "t3", "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"},
            {"Id": "t4", "Arn": queue_arn},
        ],
    )
    _put(aws)
    failures = {
        d.target_id: d.error_code for d in DELIVERIES.all(rule_arn=rule_arn, status="FAILED")
    }
    assert failures == {"t1": "NotFound", "t2": "ValidationException", "t3": "NotImplemented"}
    [delivered] = DELIVERIES.all(rule_arn=rule_arn, status="SUCCEEDED")
    assert delivered.target_id == "t4"  # the rule's other targets still get the event


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ({"Input": "{}", "InputPath": "$.detail"}, "only one of"),
        ({"Input": "not json"}, "not valid JSON"),
        ({"InputPath": "detail"}, "must start with '$'"),
        (
            {"InputTransformer": {"InputPathsMap": {"aws.x": "$.id"}, "InputTemplate": "<aws.x>"}},
            "reserved",
        ),
        (
            {"InputTransformer": {"InputPathsMap": {"x": "detail.id"}, "InputTemplate": "<x>"}},
            "must start with '$'",
        ),
        (
            {"InputTransformer": {"InputPathsMap": {"x": "$.detail["}, "InputTemplate": "<x>"}},
            "not a valid JSON path",
        ),
    ],
    ids=[
        "two input kinds",
        "input not json",
        "input path without $",
        "reserved variable",
        "path without $",
        "bad path",
    ],
)
def test_put_targets_rejects_invalid_input_settings(aws, target, fragment):
    _url, arn = _queue(aws)
    events = aws("events")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["x"]}))
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": arn, **target}])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert fragment in error.value.response["Error"]["Message"]
    assert events.list_targets_by_rule(Rule="r")["Targets"] == []


def test_a_fifo_queue_target_needs_its_message_group_and_then_gets_the_event(aws):
    sqs, events = aws("sqs"), aws("events")
    # EventBridge sends no deduplication id: the queue must deduplicate by content
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    url = sqs.create_queue(QueueName="ordered.fifo", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["x"]}))
    target = {"Id": "fifo", "Arn": arn["QueueArn"]}
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule="r", Targets=[target])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "SqsParameters must be specified for target: fifo"
        in error.value.response["Error"]["Message"]
    )
    events.put_targets(Rule="r", Targets=[{**target, "SqsParameters": {"MessageGroupId": "g"}}])
    events.put_events(Entries=[{"Source": "x", "DetailType": "t", "Detail": "{}"}])
    assert [d.status for d in DELIVERIES.all()] == ["SUCCEEDED"]


# --- the platform's own rules, as the Pulumi program writes them (design flows 3 and 5) ---


def _package(aws) -> str:
    sagemaker = aws("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    return sagemaker.create_model_package(
        ModelPackageGroupName="churn",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def _deploy_builds(aws) -> list[dict]:
    codebuild = aws("codebuild")
    ids = codebuild.list_builds_for_project(projectName="churn-deploy")["ids"]
    return codebuild.batch_get_builds(ids=ids)["builds"] if ids else []


def test_approving_a_package_starts_the_deploy_build_with_its_arn(aws):
    _project(aws, "churn-deploy")
    project_arn = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/churn-deploy"
    events = aws("events")
    events.put_rule(Name="churn-approved", EventPattern=json.dumps(approval_event_pattern("churn")))
    transformer = {
        "InputPathsMap": {"packageArn": "$.detail.ModelPackageArn"},
        "InputTemplate": deploy_input_template(),
    }
    events.put_targets(
        Rule="churn-approved",
        Targets=[{"Id": "deploy", "Arn": project_arn, "InputTransformer": transformer}],
    )
    package_arn = _package(aws)
    assert _deploy_builds(aws) == []  # created as PendingManualApproval: no deploy yet
    aws("sagemaker").update_model_package(
        ModelPackageArn=package_arn, ModelApprovalStatus="Approved"
    )
    [build] = _deploy_builds(aws)
    variables = {v["name"]: v for v in build["environment"]["environmentVariables"]}
    assert variables[contract.ENV_MODEL_PACKAGE_ARN] == {
        "name": contract.ENV_MODEL_PACKAGE_ARN,
        "value": package_arn,
        "type": "PLAINTEXT",
    }


def test_drift_alarm_entering_alarm_starts_the_training_pipeline(aws):
    sagemaker = _training_pipeline(aws)
    events = aws("events")
    events.put_rule(Name="churn-retrain", EventPattern=json.dumps(alarm_event_pattern("drift")))
    events.put_targets(
        Rule="churn-retrain",
        Targets=[
            {
                "Id": "train",
                "Arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn-train",
                "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events",
                "SageMakerPipelineParameters": {"PipelineParameterList": []},
            }
        ],
    )
    cloudwatch = aws("cloudwatch")
    with clock.frozen() as frozen:
        cloudwatch.put_metric_alarm(
            AlarmName="drift",
            Namespace=contract.DRIFT_NAMESPACE,
            MetricName=contract.DRIFT_MAX_METRIC,
            Dimensions=[{"Name": contract.DIM_ENDPOINT, "Value": "churn"}],
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=0.2,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        )
        frozen.advance(3600)  # no data, not breaching: OK, which starts nothing
        executions = sagemaker.list_pipeline_executions(PipelineName="churn-train")
        assert executions["PipelineExecutionSummaries"] == []
        cloudwatch.put_metric_data(
            Namespace=contract.DRIFT_NAMESPACE,
            MetricData=[
                {
                    "MetricName": contract.DRIFT_MAX_METRIC,
                    "Dimensions": [{"Name": contract.DIM_ENDPOINT, "Value": "churn"}],
                    "Value": 0.35,
                    "Timestamp": frozen.now() - timedelta(seconds=1),
                }
            ],
        )
        frozen.advance(3600)
    executions = sagemaker.list_pipeline_executions(PipelineName="churn-train")
    assert len(executions["PipelineExecutionSummaries"]) == 1
