"""Enforcement per service: the resource each operation is authorized on, KMS keys behind S3,
and each protocol's shape of the refusal."""

from __future__ import annotations

import json

import boto3
import pytest
from identity_helpers import (
    ACCOUNT,
    REGION,
    allow,
    client,
    credentials_for,
    document,
    grant,
    make_role,
    session_arn,
)

SAGEMAKER = "sagemaker.amazonaws.com"


def _parameter_arn(name: str) -> str:
    return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}"


@pytest.fixture
def parameters(fresh_local_cloud):
    ssm = boto3.client("ssm")
    for name in ("/app/churn/bucket", "/app/churn/topic", "/app/fraud/bucket"):
        ssm.put_parameter(Name=name, Value=name, Type="String")
    return ssm


def test_ssm_get_parameter_is_authorized_on_the_parameter_arn(parameters, aws_error):
    role = make_role(
        "builder",
        "codebuild.amazonaws.com",
        allow("ssm:GetParameter", _parameter_arn("/app/churn/*")),
    )
    ssm = client("ssm", credentials_for(role))

    assert ssm.get_parameter(Name="/app/churn/bucket")["Parameter"]["Value"] == "/app/churn/bucket"
    error = aws_error(lambda: ssm.get_parameter(Name="/app/fraud/bucket"))
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        f"User: {session_arn('builder')} is not authorized to perform: ssm:GetParameter on "
        f"resource: {_parameter_arn('/app/fraud/bucket')} because no identity-based policy "
        "allows the ssm:GetParameter action"
    )


def test_ssm_get_parameters_by_path_is_authorized_on_the_path(parameters, aws_error):
    role = make_role(
        "builder",
        "codebuild.amazonaws.com",
        allow("ssm:GetParametersByPath", _parameter_arn("/app/churn/*")),
    )
    ssm = client("ssm", credentials_for(role))

    names = [p["Name"] for p in ssm.get_parameters_by_path(Path="/app/churn/")["Parameters"]]
    assert sorted(names) == ["/app/churn/bucket", "/app/churn/topic"]
    error = aws_error(lambda: ssm.get_parameters_by_path(Path="/app/"))
    assert f"on resource: {_parameter_arn('/app/')} because" in error["Error"]["Message"]


def test_a_training_job_is_authorized_on_its_name_and_needs_pass_role(fresh_local_cloud, aws_error):
    jobs = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/churn-*"
    role = make_role("exec", SAGEMAKER, allow("sagemaker:CreateTrainingJob", jobs))
    sagemaker = client("sagemaker", credentials_for(role, SAGEMAKER, "SageMaker"))

    def create(name: str):
        return sagemaker.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": "image:1", "TrainingInputMode": "File"},
            RoleArn=role,
            OutputDataConfig={"S3OutputPath": "s3://data/out"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        )

    other = aws_error(lambda: create("fraud-1"))["Error"]["Message"]
    fraud = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/fraud-1"
    assert f"sagemaker:CreateTrainingJob on resource: {fraud} because" in other
    pass_role = aws_error(lambda: create("churn-1"))["Error"]["Message"]
    assert f"iam:PassRole on resource: {role} because" in pass_role

    grant(
        "exec",
        "pass",
        allow("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": SAGEMAKER}}),
    )
    assert create("churn-1")["TrainingJobArn"].endswith(":training-job/churn-1")


@pytest.fixture
def encrypted_bucket(fresh_local_cloud):
    kms, s3 = boto3.client("kms"), boto3.client("s3")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="sealed")
    s3.put_bucket_encryption(
        Bucket="sealed",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key,
                    }
                }
            ]
        },
    )
    s3.put_object(Bucket="sealed", Key="secret.csv", Body=b"1,2")
    return key


def test_an_sse_kms_object_cannot_be_read_without_decrypt_on_its_key(encrypted_bucket, aws_error):
    role = make_role("reader", SAGEMAKER, allow("s3:GetObject", "arn:aws:s3:::sealed/*"))
    s3 = client("s3", credentials_for(role, SAGEMAKER, "SageMaker"))

    error = aws_error(lambda: s3.get_object(Bucket="sealed", Key="secret.csv"))
    assert error["Error"]["Code"] == "AccessDenied"
    assert (
        f"kms:Decrypt on resource: {encrypted_bucket} because no identity-based"
        in (error["Error"]["Message"])
    )

    grant("reader", "decrypt", allow("kms:Decrypt", encrypted_bucket))
    assert s3.get_object(Bucket="sealed", Key="secret.csv")["Body"].read() == b"1,2"


def test_a_key_policy_that_does_not_delegate_to_iam_denies_despite_an_iam_allow(
    encrypted_bucket, aws_error
):
    boto3.client("kms").put_key_policy(
        KeyId=encrypted_bucket,
        PolicyName="default",
        Policy=document(
            allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"})
        ),
    )
    role = make_role(
        "reader",
        SAGEMAKER,
        allow("s3:GetObject", "arn:aws:s3:::sealed/*"),
        allow("kms:Decrypt", encrypted_bucket),
    )
    s3 = client("s3", credentials_for(role, SAGEMAKER, "SageMaker"))

    error = aws_error(lambda: s3.get_object(Bucket="sealed", Key="secret.csv"))

    assert error["Error"]["Message"].endswith(
        "because no resource-based policy allows the kms:Decrypt action"
    )


def test_writing_to_an_sse_kms_bucket_needs_generate_data_key(encrypted_bucket, aws_error):
    role = make_role("writer", SAGEMAKER, allow("s3:PutObject", "arn:aws:s3:::sealed/*"))
    s3 = client("s3", credentials_for(role, SAGEMAKER, "SageMaker"))

    error = aws_error(lambda: s3.put_object(Bucket="sealed", Key="new", Body=b"x"))

    assert f"kms:GenerateDataKey on resource: {encrypted_bucket}" in error["Error"]["Message"]


def test_each_protocol_answers_its_own_error_shape(fresh_local_cloud, aws_error):
    topic = boto3.client("sns").create_topic(Name="oncall")["TopicArn"]
    credentials = credentials_for(make_role("nobody"))

    query = aws_error(lambda: client("sns", credentials).publish(TopicArn=topic, Message="m"))
    iam = aws_error(lambda: client("iam", credentials).get_role(RoleName="nobody"))
    json_error = aws_error(lambda: client("kms", credentials).list_keys())
    rest_json = aws_error(
        lambda: client("sagemaker-featurestore-runtime", credentials).get_record(
            FeatureGroupName="churn", RecordIdentifierValueAsString="1"
        )
    )
    runtime = aws_error(
        lambda: client("sagemaker-runtime", credentials).invoke_endpoint(
            EndpointName="churn", Body=b"1,2", ContentType="text/csv"
        )
    )

    assert (query["Error"]["Code"], query["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AuthorizationError",
        403,
    )
    assert query["Error"]["Message"] == (
        f"User: {session_arn('nobody')} is not authorized to perform: SNS:Publish on resource: "
        f"{topic} because no identity-based policy allows the SNS:Publish action"
    )
    assert (iam["Error"]["Code"], iam["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )
    assert (
        "iam:GetRole on resource: arn:aws:iam::123456789012:role/nobody" in iam["Error"]["Message"]
    )
    assert json_error["Error"]["Code"] == "AccessDeniedException"
    assert "kms:ListKeys on resource: * because" in json_error["Error"]["Message"]
    assert (rest_json["Error"]["Code"], rest_json["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessForbidden",
        403,
    )
    assert (
        "sagemaker:GetRecord on resource: arn:aws:sagemaker:us-east-1:123456789012:"
        "feature-group/churn" in rest_json["Error"]["Message"]
    )
    assert (
        "sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:us-east-1:123456789012:"
        "endpoint/churn" in runtime["Error"]["Message"]
    )


def test_a_topic_policy_naming_the_role_lets_it_publish(fresh_local_cloud, aws_error):
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    role = make_role("alarm")
    publisher = client("sns", credentials_for(role))
    aws_error(lambda: publisher.publish(TopicArn=topic, Message="m"))

    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            json.loads(document(allow("sns:Publish", topic, Principal={"AWS": role})))
        ),
    )

    assert publisher.publish(TopicArn=topic, Message="m")["MessageId"]
