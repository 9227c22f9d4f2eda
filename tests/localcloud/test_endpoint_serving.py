"""Endpoints serve: a model server per instance, SageMaker's statuses, InvokeEndpoint's answers
and errors, routing by weight and by TargetVariant."""

from __future__ import annotations

import json
import os
import signal

import pytest
from hosting_support import SKLEARN_IMAGE, VARIANT, eventually

from sagestack.localcloud.executors.endpoints import registry

ACCOUNT = "123456789012"
PING_FAILURE = (
    "The primary container for production variant AllTraffic did not pass the ping health check. "
    "Please check CloudWatch logs for this endpoint."
)


def _predictions(response) -> list[float]:
    return json.loads(response["Body"].read())


def _instances(endpoint: str) -> list:
    live = registry.get(ACCOUNT, "us-east-1", endpoint)
    return [i for fleet in live.fleets() for v in fleet.variants.values() for i in v.instances]


def _state_changes(hosting, queue_url: str) -> list[dict]:
    sqs = hosting.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def _watch_endpoint_events(hosting) -> str:
    sqs, events = hosting.client("sqs"), hosting.client("events")
    url = sqs.create_queue(QueueName="endpoint-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    pattern = {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Endpoint State Change"]}
    events.put_rule(Name="endpoint-states", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="endpoint-states", Targets=[{"Id": "q", "Arn": arn["QueueArn"]}])
    return url


def test_an_endpoint_is_creating_then_in_service_and_answers_csv_and_json(hosting):
    hosting.endpoint_config("c1", hosting.model("m1"))
    created = hosting.endpoint("e1", "c1", wait=False)
    assert created["EndpointStatus"] == "Creating"

    described = hosting.wait("e1")

    assert described["EndpointStatus"] == "InService"
    assert described["EndpointArn"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/e1"
    (variant,) = described["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 1
    assert variant["DeployedImages"][0]["SpecifiedImage"] == SKLEARN_IMAGE
    csv = hosting.invoke("e1", "1,2\n0,0\n")
    assert csv["InvokedProductionVariant"] == VARIANT
    assert csv["ContentType"] == "application/json"
    assert _predictions(csv) == pytest.approx([8.0, 3.0])
    as_json = hosting.invoke("e1", "[[2, 3]]", "application/json", Accept="text/csv")
    assert as_json["ContentType"] == "text/csv"
    assert float(as_json["Body"].read().decode()) == pytest.approx(11.0)


def test_a_model_that_does_not_load_fails_the_endpoint_with_sagemakers_reason(hosting, aws_error):
    queue = _watch_endpoint_events(hosting)
    hosting.endpoint_config("c1", hosting.model("broken", FAIL_TO_LOAD="1"))

    described = hosting.endpoint("e1", "c1")

    assert (described["EndpointStatus"], described["FailureReason"]) == ("Failed", PING_FAILURE)
    error = aws_error(lambda: hosting.invoke("e1", "1,2"))["Error"]
    assert error == {
        "Code": "ValidationError",
        "Message": f"Endpoint e1 of account {ACCOUNT} not found.",
    }
    changes = eventually(lambda: _state_changes(hosting, queue))
    assert [c["detail"]["EndpointStatus"] for c in changes] == ["CREATING", "FAILED"]
    assert changes[-1]["detail"]["FailureReason"] == PING_FAILURE
    assert changes[-1]["resources"] == [described["EndpointArn"]]
    logs = hosting.client("logs").filter_log_events(logGroupName="/aws/sagemaker/Endpoints/e1")
    assert any("this model does not load" in e["message"] for e in logs["events"])


def test_model_errors_answer_model_error_with_the_containers_status_and_body(hosting, aws_error):
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")

    raised = aws_error(lambda: hosting.invoke("e1", "-1,2"))
    unreadable = aws_error(lambda: hosting.invoke("e1", "1,2", "text/plain"))

    logs = (
        "See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#logEventViewer:group=/aws/sagemaker/Endpoints/e1 in account {ACCOUNT} for more "
        "information."
    )
    assert raised["Error"]["Code"] == "ModelError"
    assert raised["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert raised["OriginalStatusCode"] == 500
    assert raised["OriginalMessage"].startswith("<!DOCTYPE HTML")  # the container's Flask page
    assert raised["Error"]["Message"] == (
        f'Received server error (500) from primary with message "{raised["OriginalMessage"]}". '
        + logs
    )
    assert raised["LogStreamArn"].startswith(
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/e1:log-stream:"
        "AllTraffic/i-"
    )
    assert unreadable["OriginalStatusCode"] == 415
    assert unreadable["Error"]["Message"].startswith("Received client error (415) from primary")
    assert json.loads(unreadable["OriginalMessage"])["error"] == "UnsupportedFormatError"


def test_the_built_in_xgboost_serves_csv_and_libsvm_one_prediction_per_row(hosting, aws_error):
    hosting.endpoint_config("c1", hosting.model("xgb", kind="xgboost"))
    hosting.endpoint("e1", "c1")

    csv = hosting.invoke("e1", "3,0,3\n10,1,0").get("Body").read().decode()
    libsvm = hosting.invoke("e1", "0 0:3 2:3\n0 0:10 1:1", "text/libsvm").get("Body").read()
    unparsable = aws_error(lambda: hosting.invoke("e1", "a,b,c"))

    values = [float(v) for v in csv.split(",")]  # one line, one value per row
    assert len(values) == 2 and values[0] < values[1]
    assert [float(v) for v in libsvm.decode().split(",")] == pytest.approx(values)
    assert unparsable["OriginalStatusCode"] == 415
    assert "Loading csv data failed with Exception" in unparsable["OriginalMessage"]


def test_requests_go_by_weight_and_target_variant_reaches_a_variant_by_name(hosting, aws_error):
    variants = [
        {
            "VariantName": name,
            "ModelName": model,
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": weight,
        }
        for name, model, weight in (
            ("main", hosting.model("main"), 1.0),
            ("shadow", hosting.model("offset", MODEL_OFFSET="100"), 0.0),
        )
    ]
    hosting.endpoint_config("c1", "", variants=variants)
    hosting.endpoint("e1", "c1")

    by_weight = {hosting.invoke("e1", "0,0")["InvokedProductionVariant"] for _ in range(8)}
    targeted = hosting.invoke("e1", "0,0", TargetVariant="shadow")
    unknown = aws_error(lambda: hosting.invoke("e1", "0,0", TargetVariant="nope"))

    assert by_weight == {"main"}
    assert targeted["InvokedProductionVariant"] == "shadow"
    assert _predictions(targeted) == pytest.approx([103.0])
    assert unknown["Error"]["Code"] == "ValidationError"
    assert '"nope"' in unknown["Error"]["Message"]


@pytest.mark.parametrize(
    ("extra", "variant_extra", "named"),
    [
        ({}, {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}}, "serverless"),
        (
            {"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/out"}}},
            {},
            "asynchronous",
        ),
    ],
)
def test_serverless_and_async_endpoints_are_refused_as_not_run_locally(
    hosting, aws_error, extra, variant_extra, named
):
    variant = {"VariantName": VARIANT, "ModelName": hosting.model("m1"), **variant_extra}
    if not variant_extra:
        variant.update(InstanceType="ml.m5.large", InitialInstanceCount=1)
    hosting.endpoint_config("c1", "", variants=[variant], **extra)

    error = aws_error(lambda: hosting.endpoint("e1", "c1"))["Error"]

    assert error["Code"] == "ValidationException"
    assert f"{named} inference is not run locally" in error["Message"]
    assert registry.get(ACCOUNT, "us-east-1", "e1") is None


def test_deleting_an_endpoint_stops_its_servers(hosting, aws_error):
    hosting.endpoint_config("c1", hosting.model("m1"), instances=2)
    hosting.endpoint("e1", "c1")
    servers = _instances("e1")
    assert len(servers) == 2

    hosting.client("sagemaker").delete_endpoint(EndpointName="e1")

    eventually(lambda: all(i._running.finished for i in servers))
    error = aws_error(lambda: hosting.describe("e1"))["Error"]
    assert error["Message"] == (
        f'Could not find endpoint "arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/e1".'
    )


def test_a_killed_model_server_is_replaced_and_the_endpoint_logs_it(hosting):
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")
    (instance,) = _instances("e1")
    first = instance._running

    os.killpg(first.pid, signal.SIGKILL)

    eventually(lambda: first.finished)
    assert _predictions(hosting.invoke("e1", "1,1")) == pytest.approx([6.0])  # waits for it
    assert instance._running is not first and instance.healthy
    logs = hosting.client("logs")
    found = eventually(
        lambda: logs.filter_log_events(
            logGroupName="/aws/sagemaker/Endpoints/e1", filterPattern="replacing"
        )["events"]
    )
    assert f"instance {instance.instance_id} stopped" in found[0]["message"]


def test_the_endpoint_acts_as_the_models_execution_role(hosting):
    iam = hosting.client("iam")
    untrusting = iam.create_role(
        RoleName="not-for-sagemaker",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "codebuild.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    iam.delete_role_policy(RoleName="hosting-execution", PolicyName="hosting")  # may read nothing
    sagemaker = hosting.client("sagemaker")
    for name, role in (("unreadable", hosting.role_arn), ("untrusted", untrusting)):
        sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn=role,
            PrimaryContainer={
                "Image": SKLEARN_IMAGE,
                "ModelDataUrl": "s3://hosting-tests/models/sklearn.tar.gz",
            },
        )
        hosting.endpoint_config(name, name)
        hosting.endpoint(name, name, wait=False)

    unreadable, untrusted = hosting.wait("unreadable"), hosting.wait("untrusted")

    assert unreadable["EndpointStatus"] == "Failed"
    assert unreadable["FailureReason"].startswith(
        "Could not access model data at s3://hosting-tests/models/sklearn.tar.gz. Please ensure "
        f'that the role "{hosting.role_arn}" exists'
    )
    assert untrusted["FailureReason"] == (
        f"ClientError: SageMaker was unable to assume the role '{untrusting}'"
    )


def test_resetting_the_local_cloud_stops_every_endpoints_servers(hosting, local_cloud):
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")
    servers = _instances("e1")

    local_cloud.reset()

    assert all(instance._running.finished for instance in servers)  # before reset answered
    assert registry.get(ACCOUNT, "us-east-1", "e1") is None
