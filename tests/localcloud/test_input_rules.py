"""Inputs AWS refuses that moto accepts: SSM names and sizes, SQS sizes, S3 bucket names,
SageMaker names, each refused with AWS's code."""

from __future__ import annotations

import boto3
import pytest


def error_of(aws_error, call) -> tuple[str, str]:
    error = aws_error(call)["Error"]
    return error["Code"], error["Message"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/team/../secret", "sub-paths"),
        ("/team/caf\u00e9", "sub-paths"),
        ("/" + "a" * 2048, "less than or equal to 2048"),
        ("team/p", "fully qualified"),
    ],
)
def test_ssm_refuses_names_breaking_its_rules(fresh_local_cloud, aws_error, name, expected):
    ssm = boto3.client("ssm")
    code, message = error_of(
        aws_error, lambda: ssm.put_parameter(Name=name, Value="v", Type="String")
    )
    assert code == "ValidationException"
    assert expected in message


def test_ssm_hierarchies_stop_at_fifteen_levels(fresh_local_cloud, aws_error):
    name = "/" + "/".join(["l"] * 16)
    code, _ = error_of(
        aws_error, lambda: boto3.client("ssm").put_parameter(Name=name, Value="v", Type="String")
    )
    assert code == "HierarchyLevelLimitExceededException"


def test_ssm_values_fit_their_tier(fresh_local_cloud, aws_error):
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/p/standard", Value="x" * 4096, Type="String")
    code, message = error_of(
        aws_error, lambda: ssm.put_parameter(Name="/p/big", Value="x" * 4097, Type="String")
    )
    assert code == "ValidationException"
    assert "advanced-parameter tier" in message
    ssm.put_parameter(Name="/p/advanced", Value="x" * 8192, Type="String", Tier="Advanced")
    code, message = error_of(
        aws_error,
        lambda: ssm.put_parameter(Name="/p/huge", Value="x" * 8193, Type="String", Tier="Advanced"),
    )
    assert "less than or equal to 8192" in message
    assert ssm.describe_parameters()["Parameters"].__len__() == 2


def test_sqs_counts_a_message_in_bytes_with_its_attributes(fresh_local_cloud, aws_error):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="q", Attributes={"MaximumMessageSize": "262144"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 262144)
    two_byte_characters = "\u00e9" * (262144 // 2 + 1)  # fewer characters than the limit
    code, message = error_of(
        aws_error, lambda: sqs.send_message(QueueUrl=url, MessageBody=two_byte_characters)
    )
    assert code == "InvalidParameterValue"
    assert "Message must be shorter than 262144 bytes" in message
    with_attribute = {"a": {"DataType": "String", "StringValue": "v" * 10}}
    code, _ = error_of(
        aws_error,
        lambda: sqs.send_message(
            QueueUrl=url, MessageBody="x" * 262144, MessageAttributes=with_attribute
        ),
    )
    assert code == "InvalidParameterValue"


def test_sqs_default_queues_take_up_to_a_mebibyte(fresh_local_cloud, aws_error):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="default-size")["QueueUrl"]
    code, _ = error_of(
        aws_error, lambda: sqs.send_message(QueueUrl=url, MessageBody="x" * (1048576 + 1))
    )
    assert code == "InvalidParameterValue"


@pytest.mark.parametrize(
    "bucket",
    [
        "Upper",
        "under_score",
        "ab",
        "192.168.5.4",
        "two..dots",
        "-leading",
        "xn--punycode",
        "ends-s3alias",
        "a" * 64,
    ],
)
def test_s3_refuses_bucket_names_breaking_its_rules(fresh_local_cloud, aws_error, bucket):
    code, _ = error_of(aws_error, lambda: boto3.client("s3").create_bucket(Bucket=bucket))
    assert code == "InvalidBucketName"


def test_s3_takes_names_within_its_rules(fresh_local_cloud):
    s3 = boto3.client("s3")
    for bucket in ("abc", "my.bucket-1", "a" * 63):
        s3.create_bucket(Bucket=bucket)
    assert len(s3.list_buckets()["Buckets"]) == 3


@pytest.mark.parametrize("name", ["under_score", "-leading", "trailing-", "a" * 64, "sp ace"])
def test_sagemaker_refuses_names_breaking_its_pattern(fresh_local_cloud, aws_error, name):
    sagemaker = boto3.client("sagemaker")
    code, message = error_of(
        aws_error, lambda: sagemaker.create_model_package_group(ModelPackageGroupName=name)
    )
    assert code == "ValidationException"
    assert "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}" in message
    assert sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
