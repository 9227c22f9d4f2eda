"""The endpoint itself: health, routing to moto, errors for what nobody implements, reset."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError


def _get(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_health_answers_in_localstacks_shape(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("LocalStack's own health document is LocalStack's business")
    status, document = _get(f"{local_cloud.url}/_localstack/health")
    assert status == 200
    assert set(document) == {"services", "edition", "version"}
    for service in ("s3", "sagemaker", "codebuild", "events", "sns", "ssm", "codeconnections"):
        assert document["services"][service] == "running", service
    assert "moto5.2.5" in document["version"]


def test_plain_boto3_clients_reach_the_endpoint_through_aws_endpoint_url(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="endpoint-bucket")
    s3.put_object(Bucket="endpoint-bucket", Key="k", Body=b"payload")
    assert s3.get_object(Bucket="endpoint-bucket", Key="k")["Body"].read() == b"payload"


def test_reset_forgets_every_resource(fresh_local_cloud):
    sqs = boto3.client("sqs")
    sqs.create_queue(QueueName="reset-me")
    fresh_local_cloud.reset()
    with pytest.raises(ClientError) as error:
        sqs.get_queue_url(QueueName="reset-me")
    assert error.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_reset_forgets_the_delivery_records_too(fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("the delivery records are sagestack's own")
    from sagestack.localcloud.services.events import DELIVERIES
    from sagestack.localcloud.services.sns import SENDER

    events, sqs = boto3.client("events"), boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="delivered")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    events.put_rule(Name="all-tests", EventPattern='{"source": ["tests"]}')
    events.put_targets(
        Rule="all-tests", Targets=[{"Id": "q", "Arn": queue_arn["Attributes"]["QueueArn"]}]
    )
    events.put_events(Entries=[{"Source": "tests", "DetailType": "t", "Detail": "{}"}])
    SENDER.send("http://127.0.0.1:9/closed", "{}", {})  # port 9: nobody listens
    SENDER.drain()
    assert DELIVERIES.all() and SENDER.records()
    fresh_local_cloud.reset()
    for route in ("events/deliveries", "sns/deliveries"):
        status, listed = _get(f"{fresh_local_cloud.url}/_sagestack/{route}")
        assert (status, listed) == (200, {"Deliveries": []}), route


@pytest.mark.parametrize(
    ("service", "call", "operation"),
    [
        # JSON protocol, a service moto has (ssm would do, but its first call takes seconds)
        ("codebuild", lambda c: c.list_reports(), "ListReports"),
        # a service an add-on extends (its routes are sagestack's, the operation is moto's gap)
        ("sagemaker", lambda c: c.list_edge_packaging_jobs(), "ListEdgePackagingJobs"),
        # an add-on's own service, signed for another one (sagemaker), named as the client's
        (
            "sagemaker-featurestore-runtime",
            lambda c: c.list_records(FeatureGroupName="customers"),
            "ListRecords",
        ),
        # query protocol (XML errors), the action in the form body
        (
            "iam",
            lambda c: c.generate_service_last_accessed_details(
                Arn="arn:aws:iam::123456789012:role/any"
            ),
            "GenerateServiceLastAccessedDetails",
        ),
        # REST-JSON, a service moto does not have at all
        (
            "codeguru-reviewer",
            lambda c: c.list_code_reviews(Type="PullRequest"),
            "GET /codereviews",
        ),
    ],
)
def test_an_operation_nobody_implements_fails_naming_service_and_operation(
    fresh_local_cloud, service, call, operation
):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("the message is sagestack's")
    client = boto3.client(service)
    with pytest.raises(ClientError) as error:
        call(client)
    response = error.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert response["Error"]["Code"] == "NotImplemented"
    expected = f"sagestack local cloud does not implement {service}.{operation}"
    assert response["Error"]["Message"] == expected


def test_an_unsigned_request_to_an_unknown_path_is_not_a_silent_success(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("the status is sagestack's")
    request = urllib.request.Request(
        f"{local_cloud.url}/no/such/api",
        method="POST",
        data=b"{}",
        headers={"Content-Type": "application/json", "X-Amz-Target": "Nothing_1.DoThing"},
    )
    # moto reads an unsigned request it cannot place as S3 (presigned URLs); S3 refuses it
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code >= 400
