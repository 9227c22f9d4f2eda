"""Requests AWS refuses before any service reads them get AWS's error, in their protocol's shape,
with a 4xx: never an HTML 500."""

from __future__ import annotations

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def cloud(fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("sagestack's own routes and add-ons")
    return fresh_local_cloud


def signed(url: str, service: str, method: str, path: str, body: bytes, **headers: str):
    request = AWSRequest(method=method, url=url + path, data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(request)
    return requests.request(method, request.url, data=body, headers=dict(request.headers))


def json_error(response) -> tuple[int, str, str]:
    document = response.json()
    return response.status_code, document["__type"], document["message"]


def xml_error(response) -> tuple[int, str]:
    text = response.text
    return response.status_code, text[text.index("<Code>") + 6 : text.index("</Code>")]


@pytest.fixture
def feature_group(cloud):
    import boto3

    boto3.client("sagemaker").create_feature_group(
        FeatureGroupName="fg",
        RecordIdentifierFeatureName="id",
        EventTimeFeatureName="t",
        FeatureDefinitions=[
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "t", "FeatureType": "String"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": True},
        RoleArn="arn:aws:iam::123456789012:role/r",
    )
    return "fg"


def test_put_record_with_a_body_that_is_not_json_is_a_serialization_error(cloud, feature_group):
    response = signed(
        cloud.url,
        "sagemaker",
        "PUT",
        f"/FeatureGroup/{feature_group}",
        b"not json",
        **{"Content-Type": "application/json"},
    )
    status, code, message = json_error(response)
    assert (status, code) == (400, "SerializationException")
    assert "not JSON" in message


def test_put_record_whose_record_is_not_a_list_names_the_member(cloud, feature_group):
    response = signed(
        cloud.url,
        "sagemaker",
        "PUT",
        f"/FeatureGroup/{feature_group}",
        b'{"Record": 5}',
        **{"Content-Type": "application/json"},
    )
    status, code, message = json_error(response)
    assert (status, code) == (400, "ValidationError")
    assert "Value 5 at 'record' failed to satisfy constraint: Member must be a list" in message


@pytest.mark.parametrize("advance", ['"inf"', "1e300", '"nan"', "-5", "true", '"soon"'])
def test_the_clock_refuses_an_advance_it_cannot_make(cloud, advance):
    response = requests.post(f"{cloud.url}/_sagestack/clock", data=f'{{"advance": {advance}}}')
    status, code, message = json_error(response)
    assert (status, code) == (400, "ValidationException")
    assert "advance" in message


@pytest.mark.parametrize(("service", "version"), [("sqs", "2012-11-05"), ("sns", "2010-03-31")])
def test_an_unknown_query_action_is_invalid_action(cloud, service, version):
    body = f"Action=FooBarBaz&Version={version}".encode()
    response = signed(cloud.url, service, "POST", "/", body, **{"Content-Type": FORM})
    assert xml_error(response) == (400, "InvalidAction")
    assert "<ErrorResponse>" in response.text


@pytest.mark.parametrize(
    ("target", "body", "expected"),
    [
        ("AmazonSSM.GetParameter", b"[1, 2]", "Start of list"),
        ("SageMaker.CreateModelPackageGroup", b'{"ModelPackageGroupName": "\xff\xfe"}', "UTF-8"),
        ("AmazonSSM.GetParameter", b'{"Name": ', "not JSON"),
    ],
)
def test_a_json_body_that_cannot_be_read_is_a_serialization_error(cloud, target, body, expected):
    service = target.split(".")[0].lower().replace("amazon", "")
    headers = {"Content-Type": JSON_11, "X-Amz-Target": target}
    status, code, message = json_error(signed(cloud.url, service, "POST", "/", body, **headers))
    assert (status, code) == (400, "SerializationException")
    assert expected in message


def test_an_unsigned_post_to_an_unknown_path_is_an_s3_error(cloud):
    response = requests.post(f"{cloud.url}/some/unknown/path", data=b"x")
    assert xml_error(response) == (405, "MethodNotAllowed")


def test_an_unsigned_json_request_is_refused_not_answered_by_s3(cloud):
    response = requests.post(
        f"{cloud.url}/",
        data=b'{"Name": "x"}',
        headers={"X-Amz-Target": "AmazonSSM.GetParameter", "Content-Type": JSON_11},
    )
    status, code, _message = json_error(response)
    assert (status, code) == (403, "MissingAuthenticationToken")
    assert "ListAllMyBucketsResult" not in response.text


def test_a_bug_inside_a_service_is_an_aws_shaped_500_not_an_html_page(cloud, monkeypatch):
    from sagestack.localcloud.services.featurestore_runtime import models

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(models.FeatureStoreRuntimeBackend, "get_record", broken)
    response = signed(
        cloud.url, "sagemaker", "GET", "/FeatureGroup/fg?RecordIdentifierValueAsString=a", b""
    )
    status, code, _message = json_error(response)
    assert (status, code) == (500, "InternalFailure")
