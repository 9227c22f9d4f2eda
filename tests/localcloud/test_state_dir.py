"""--state-dir: what was created survives a restart of the local cloud."""

from __future__ import annotations

import pickle

import boto3
import pytest

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud import state
from sagestack.localcloud.server import LocalCloud


def _create_addon_resources(url: str) -> str:
    boto3.client("sagemaker", endpoint_url=url).create_feature_group(
        FeatureGroupName="kept-features",
        RecordIdentifierFeatureName="id",
        EventTimeFeatureName="t",
        FeatureDefinitions=[
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "t", "FeatureType": "Fractional"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": True},
        RoleArn="arn:aws:iam::123456789012:role/r",
    )
    boto3.client("sagemaker-featurestore-runtime", endpoint_url=url).put_record(
        FeatureGroupName="kept-features",
        Record=[
            {"FeatureName": "id", "ValueAsString": "a"},
            {"FeatureName": "t", "ValueAsString": "1"},
        ],
    )
    return boto3.client("codeconnections", endpoint_url=url).create_connection(
        ProviderType="GitHub", ConnectionName="kept"
    )["ConnectionArn"]


def test_add_on_state_survives_a_restart_too(tmp_path, local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("state folders are sagestack's")
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=tmp_path) as first:
        connection_arn = _create_addon_resources(first.url)
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=tmp_path) as second:
        runtime = boto3.client("sagemaker-featurestore-runtime", endpoint_url=second.url)
        record = runtime.get_record(
            FeatureGroupName="kept-features", RecordIdentifierValueAsString="a"
        )["Record"]
        assert {"FeatureName": "id", "ValueAsString": "a"} in record
        connections = boto3.client("codeconnections", endpoint_url=second.url)
        assert (
            connections.get_connection(ConnectionArn=connection_arn)["Connection"]["ConnectionName"]
            == "kept"
        )
    moto_internals.reset_state()


def _create_resources(url: str) -> None:
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="kept-bucket")
    boto3.client("ssm", endpoint_url=url).put_parameter(Name="/kept/p", Value="v", Type="String")
    boto3.client("sqs", endpoint_url=url).create_queue(QueueName="kept-queue")  # holds locks
    boto3.client("kms", endpoint_url=url).create_key(  # holds a private key
        KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY"
    )


def test_resources_survive_a_restart_with_a_state_dir(tmp_path, local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("state folders are sagestack's")
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=tmp_path) as first:
        _create_resources(first.url)
    moto_internals.reset_state()  # as if the process had ended
    with LocalCloud(port=0, state_dir=tmp_path) as second:
        url = second.url
        buckets = boto3.client("s3", endpoint_url=url).list_buckets()["Buckets"]
        assert [bucket["Name"] for bucket in buckets] == ["kept-bucket"]
        parameter = boto3.client("ssm", endpoint_url=url).get_parameter(Name="/kept/p")
        assert parameter["Parameter"]["Value"] == "v"
        assert (
            boto3.client("sqs", endpoint_url=url)
            .list_queues()["QueueUrls"][0]
            .endswith("/kept-queue")
        )
        key_id = boto3.client("kms", endpoint_url=url).list_keys()["Keys"][0]["KeyId"]
        signature = boto3.client("kms", endpoint_url=url).sign(
            KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256"
        )
        assert signature["Signature"]
    moto_internals.reset_state()


def test_a_state_file_from_another_moto_version_is_refused_with_what_to_do(tmp_path):
    (tmp_path / state.STATE_FILE).write_bytes(pickle.dumps({"moto": "4.0.0", "state": {}}))
    with pytest.raises(state.StateVersionError, match="delete the folder"):
        state.load(tmp_path)


def test_without_a_state_file_nothing_is_restored(tmp_path):
    assert state.load(tmp_path) == 0
