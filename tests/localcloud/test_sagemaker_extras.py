"""SageMaker operations the local cloud adds to moto's: execution steps, monitoring schedules,
and the model package state change event."""

from __future__ import annotations

import json
from datetime import UTC

import boto3
import pytest
from pipeline_runs import execution_role, wait_for_execution

from sagestack.contract import MODEL_PACKAGE_STATE_CHANGE

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
MONITOR_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"


@pytest.fixture
def sagemaker(fresh_local_cloud):
    return boto3.client("sagemaker")


# --- ListPipelineExecutionSteps ------------------------------------------------------------


def _execution(sagemaker) -> str:
    """An execution of a pipeline whose one step, Stop, fails it; returns once it ended."""
    stop = {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "stopped here"}}
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [stop]}
    role = execution_role(boto3.client("iam"), "train", "unused-bucket")  # SageMaker assumes it
    sagemaker.create_pipeline(
        PipelineName="train", PipelineDefinition=json.dumps(definition), RoleArn=role
    )
    arn = sagemaker.start_pipeline_execution(PipelineName="train")["PipelineExecutionArn"]
    wait_for_execution(sagemaker, arn)
    return arn


def test_an_execution_lists_the_steps_that_ran(sagemaker):
    steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=_execution(sagemaker))
    assert [(s["StepName"], s["StepStatus"]) for s in steps["PipelineExecutionSteps"]] == [
        ("Stop", "Failed")
    ]


def test_steps_of_an_unknown_execution_are_resource_not_found(sagemaker, aws_error):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/train/execution/nope"
    error = aws_error(lambda: sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn))[
        "Error"
    ]
    assert error["Code"] == "ResourceNotFound"
    assert arn in error["Message"]


def test_recorded_steps_are_listed_newest_first_and_paginate(sagemaker, fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("records steps through sagestack's backend")
    from sagestack.localcloud import moto as moto_internals

    execution = _execution(sagemaker)
    extras = moto_internals.backend("sagemaker-extras")
    for name in ("Preprocess", "Train", "Evaluate"):
        extras.record_pipeline_execution_step(
            execution, {"StepName": name, "StepStatus": "Succeeded"}
        )
    first = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution, MaxResults=2)
    rest = sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=execution, NextToken=first["NextToken"]
    )
    names = [
        s["StepName"] for s in first["PipelineExecutionSteps"] + rest["PipelineExecutionSteps"]
    ]
    assert names == ["Evaluate", "Train", "Preprocess", "Stop"]
    ascending = sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=execution, SortOrder="Ascending"
    )
    assert [s["StepName"] for s in ascending["PipelineExecutionSteps"]][:2] == [
        "Stop",
        "Preprocess",
    ]


# --- Monitoring schedules ------------------------------------------------------------------


def _inline_schedule(endpoint: str) -> dict:
    return {
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        "MonitoringType": "DataQuality",
        "MonitoringJobDefinition": {
            "MonitoringInputs": [
                {"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/in"}}
            ],
            "MonitoringOutputConfig": {
                "MonitoringOutputs": [
                    {
                        "S3Output": {
                            "S3Uri": "s3://artifacts/monitoring",
                            "LocalPath": "/opt/ml/processing/out",
                        }
                    }
                ]
            },
            "MonitoringResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 20,
                }
            },
            "MonitoringAppSpecification": {"ImageUri": MONITOR_IMAGE},
            "RoleArn": ROLE,
        },
    }


def test_a_created_schedule_is_described_with_its_endpoint(sagemaker):
    arn = sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="churn-data-quality",
        MonitoringScheduleConfig=_inline_schedule("churn"),
    )["MonitoringScheduleArn"]
    assert arn == (
        "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/churn-data-quality"
    )
    described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="churn-data-quality")
    assert described["MonitoringScheduleArn"] == arn
    assert described["EndpointName"] == "churn"
    assert described["MonitoringScheduleStatus"] == "Scheduled"
    assert described["MonitoringType"] == "DataQuality"
    schedule = described["MonitoringScheduleConfig"]["ScheduleConfig"]
    assert schedule == {"ScheduleExpression": "cron(0 * ? * * *)"}


def _job_outputs_and_resources(kind: str) -> dict:
    """The output, resources and role of a ``kind`` (DataQuality, ModelBias...) job definition."""
    return {
        f"{kind}JobOutputConfig": {
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://a/b", "LocalPath": "/opt/ml/processing/out"}}
            ]
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 20,
            }
        },
        "RoleArn": ROLE,
    }


def test_a_schedule_can_use_a_data_quality_job_definition(sagemaker):
    sagemaker.create_data_quality_job_definition(
        JobDefinitionName="churn-dq",
        DataQualityAppSpecification={"ImageUri": MONITOR_IMAGE},
        DataQualityJobInput={
            "EndpointInput": {"EndpointName": "churn", "LocalPath": "/opt/ml/processing/in"}
        },
        **_job_outputs_and_resources("DataQuality"),
    )
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="by-definition",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "churn-dq",
            "MonitoringType": "DataQuality",
        },
    )
    described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="by-definition")
    assert described["EndpointName"] == "churn"
    summaries = sagemaker.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    assert summaries[0]["MonitoringJobDefinitionName"] == "churn-dq"


def test_a_schedule_can_use_a_model_bias_job_definition(sagemaker):
    sagemaker.create_model_bias_job_definition(
        JobDefinitionName="churn-bias",
        ModelBiasAppSpecification={"ImageUri": MONITOR_IMAGE, "ConfigUri": "s3://a/analysis.json"},
        ModelBiasJobInput={
            "EndpointInput": {"EndpointName": "churn", "LocalPath": "/opt/ml/processing/in"},
            "GroundTruthS3Input": {"S3Uri": "s3://a/truth"},
        },
        **_job_outputs_and_resources("ModelBias"),
    )
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="bias",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "churn-bias",
            "MonitoringType": "ModelBias",
        },
    )
    described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="bias")
    assert (described["MonitoringType"], described["EndpointName"]) == ("ModelBias", "churn")


def test_a_schedule_naming_a_missing_job_definition_is_refused(sagemaker, aws_error):
    config = {
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        "MonitoringJobDefinitionName": "nope",
        "MonitoringType": "DataQuality",
    }
    error = aws_error(
        lambda: sagemaker.create_monitoring_schedule(
            MonitoringScheduleName="s", MonitoringScheduleConfig=config
        )
    )["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert "nope" in error["Message"]
    assert sagemaker.list_monitoring_schedules()["MonitoringScheduleSummaries"] == []


def test_a_second_schedule_with_the_same_name_is_resource_in_use(sagemaker, aws_error):
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="dup", MonitoringScheduleConfig=_inline_schedule("a")
    )
    error = aws_error(
        lambda: sagemaker.create_monitoring_schedule(
            MonitoringScheduleName="dup", MonitoringScheduleConfig=_inline_schedule("b")
        )
    )["Error"]
    assert error["Code"] == "ResourceInUse"


def test_schedules_are_listed_by_endpoint_and_paginate(sagemaker):
    for name, endpoint in (("s1", "churn"), ("s2", "churn"), ("s3", "fraud")):
        sagemaker.create_monitoring_schedule(
            MonitoringScheduleName=name, MonitoringScheduleConfig=_inline_schedule(endpoint)
        )
    first = sagemaker.list_monitoring_schedules(
        EndpointName="churn", SortBy="Name", SortOrder="Ascending", MaxResults=1
    )
    rest = sagemaker.list_monitoring_schedules(
        EndpointName="churn",
        SortBy="Name",
        SortOrder="Ascending",
        NextToken=first["NextToken"],
    )
    pages = first["MonitoringScheduleSummaries"] + rest["MonitoringScheduleSummaries"]
    assert [s["MonitoringScheduleName"] for s in pages] == ["s1", "s2"]
    assert "NextToken" not in rest


def test_a_deleted_schedule_is_gone_and_deleting_it_again_is_not_found(sagemaker, aws_error):
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="gone", MonitoringScheduleConfig=_inline_schedule("a")
    )
    sagemaker.delete_monitoring_schedule(MonitoringScheduleName="gone")
    for call in (sagemaker.describe_monitoring_schedule, sagemaker.delete_monitoring_schedule):
        assert aws_error(lambda c=call: c(MonitoringScheduleName="gone"))["Error"]["Code"] == (
            "ResourceNotFound"
        )


# --- Model package state change events ------------------------------------------------------


@pytest.fixture
def state_changes(sagemaker):
    """A queue that receives every model package state change on the default bus."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="package-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    pattern = {"source": ["aws.sagemaker"], "detail-type": [MODEL_PACKAGE_STATE_CHANGE]}
    events.put_rule(Name="packages", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="packages", Targets=[{"Id": "queue", "Arn": queue_arn}])
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")

    def received() -> list[dict]:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in messages]

    return received


def _register(sagemaker) -> str:
    return sagemaker.create_model_package(
        ModelPackageGroupName="churn",
        CustomerMetadataProperties={"git-commit": "abc123"},
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def test_registering_a_package_puts_a_pending_state_change_on_the_bus(sagemaker, state_changes):
    arn = _register(sagemaker)
    (event,) = state_changes()
    assert event["source"] == "aws.sagemaker"
    assert event["detail-type"] == MODEL_PACKAGE_STATE_CHANGE
    assert event["account"] == "123456789012" and event["region"] == "us-east-1"
    assert event["resources"] == [arn]
    assert event["detail"]["ModelPackageGroupName"] == "churn"
    assert event["detail"]["ModelPackageArn"] == arn
    assert event["detail"]["ModelPackageVersion"] == 1
    assert event["detail"]["ModelApprovalStatus"] == "PendingManualApproval"


def test_a_state_change_detail_has_the_keys_of_aws_sample_and_no_others(sagemaker, state_changes):
    _register(sagemaker)
    (event,) = state_changes()
    detail = event["detail"]
    assert detail["LastModifiedTime"] == detail["CreationTime"]  # on creation too
    for absent in ("CreatedBy", "LastModifiedBy"):
        assert absent not in detail
    (container,) = detail["InferenceSpecification"]["Containers"]
    assert container["ImageDigest"].startswith("sha256:") and len(container["ImageDigest"]) == 71


def test_an_empty_customer_metadata_is_left_out_of_the_event():
    from sagestack.localcloud.services.sagemaker_extras.model_package_events import event_detail

    assert "CustomerMetadataProperties" not in event_detail({"CustomerMetadataProperties": {}})
    kept = event_detail({"CustomerMetadataProperties": {"k": "v"}})
    assert kept["CustomerMetadataProperties"] == {"k": "v"}


def test_approving_a_package_puts_an_approved_state_change_on_the_bus(sagemaker, state_changes):
    arn = _register(sagemaker)
    state_changes()
    sagemaker.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="metrics ok"
    )
    (event,) = state_changes()
    assert event["detail"]["ModelApprovalStatus"] == "Approved"
    assert event["detail"]["ModelPackageArn"] == arn
    assert event["detail"]["CustomerMetadataProperties"] == {"git-commit": "abc123"}
    # times as ISO 8601 strings, as in AWS's sample event
    created = sagemaker.describe_model_package(ModelPackageName=arn)["CreationTime"]
    assert event["detail"]["CreationTime"] == created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # a later update that does not name the description keeps it
    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")
    (rejected,) = state_changes()
    assert rejected["detail"]["ApprovalDescription"] == "metrics ok"


def test_an_update_that_keeps_the_approval_status_puts_no_event(sagemaker, state_changes):
    arn = _register(sagemaker)
    state_changes()
    sagemaker.update_model_package(
        ModelPackageArn=arn, CustomerMetadataProperties={"reviewed-by": "ana"}
    )
    assert state_changes() == []
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["CustomerMetadataProperties"] == {"git-commit": "abc123", "reviewed-by": "ana"}


# --- Deletes moto lacks -------------------------------------------------------------------


def test_a_model_package_group_with_packages_cannot_be_deleted_until_they_are(
    sagemaker, state_changes, aws_error
):
    arn = _register(sagemaker)
    error = aws_error(lambda: sagemaker.delete_model_package_group(ModelPackageGroupName="churn"))
    assert error["Error"]["Code"] == "ConflictException"
    assert "delete them first" in error["Error"]["Message"]

    sagemaker.delete_model_package(ModelPackageName=arn)
    sagemaker.delete_model_package_group(ModelPackageGroupName="churn")
    assert sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    gone = aws_error(lambda: sagemaker.describe_model_package(ModelPackageName=arn))
    assert gone["Error"]["Code"] == "ValidationException"


def test_deleting_an_unknown_model_package_group_is_refused(sagemaker, aws_error):
    error = aws_error(lambda: sagemaker.delete_model_package_group(ModelPackageGroupName="nope"))
    assert error["Error"]["Code"] == "ValidationException"
    assert "nope does not exist" in error["Error"]["Message"]


def test_a_feature_group_deleted_and_created_again_has_an_empty_online_store(sagemaker, aws_error):
    definition = {
        "FeatureGroupName": "customers",
        "RecordIdentifierFeatureName": "id",
        "EventTimeFeatureName": "t",
        "FeatureDefinitions": [
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "t", "FeatureType": "Fractional"},
        ],
        "OnlineStoreConfig": {"EnableOnlineStore": True},
        "RoleArn": ROLE,
    }
    runtime = boto3.client("sagemaker-featurestore-runtime")
    sagemaker.create_feature_group(**definition)
    runtime.put_record(
        FeatureGroupName="customers",
        Record=[
            {"FeatureName": "id", "ValueAsString": "a"},
            {"FeatureName": "t", "ValueAsString": "1"},
        ],
    )
    sagemaker.delete_feature_group(FeatureGroupName="customers")
    missing = aws_error(lambda: sagemaker.describe_feature_group(FeatureGroupName="customers"))
    assert missing["Error"]["Code"] == "ResourceNotFound"

    sagemaker.create_feature_group(**definition)
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="a")
    assert "Record" not in got
