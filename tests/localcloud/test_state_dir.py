"""--state-dir: what was acknowledged survives a restart, a crash (kill -9), a torn journal, and
a folder someone else could write to is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.durability import store
from sagestack.localcloud.errors import StatePermissionError
from sagestack.localcloud.executors import runtime
from sagestack.localcloud.server import LocalCloud


def client(name: str, url: str):
    return boto3.client(name, endpoint_url=url)


def test_resources_survive_a_clean_restart(tmp_path, in_process):
    with LocalCloud(port=0, state_dir=tmp_path) as first:
        client("s3", first.url).create_bucket(Bucket="kept-bucket")
        client("ssm", first.url).put_parameter(Name="/kept/p", Value="v", Type="String")
        client("sqs", first.url).create_queue(QueueName="kept-queue")  # holds locks
        client("kms", first.url).create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    moto_internals.reset_state()  # as if the process had ended
    with LocalCloud(port=0, state_dir=tmp_path) as second:
        url = second.url
        assert [b["Name"] for b in client("s3", url).list_buckets()["Buckets"]] == ["kept-bucket"]
        assert client("ssm", url).get_parameter(Name="/kept/p")["Parameter"]["Value"] == "v"
        assert client("sqs", url).list_queues()["QueueUrls"][0].endswith("/kept-queue")
        key_id = client("kms", url).list_keys()["Keys"][0]["KeyId"]  # a private key, restored
        signed = client("kms", url).sign(
            KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256"
        )
        assert signed["Signature"]


def test_a_replayed_journal_gives_the_same_ids_and_times(tmp_path, in_process):
    first = LocalCloud(port=0, state_dir=tmp_path).start()
    sqs = client("sqs", first.url)
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=queue, MessageBody="hello")["MessageId"]
    connection = client("codeconnections", first.url).create_connection(
        ProviderType="GitHub", ConnectionName="c"
    )["ConnectionArn"]
    key = client("kms", first.url).create_key()["KeyMetadata"]
    ciphertext = client("kms", first.url).encrypt(KeyId=key["KeyId"], Plaintext=b"secret")
    _crash(first)  # no clean stop: the journal alone must carry it
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=tmp_path) as second:
        assert second.recovery.replayed >= 5 and second.recovery.problems == []
        received = client("sqs", second.url).receive_message(QueueUrl=queue)["Messages"]
        assert [m["MessageId"] for m in received] == [sent]
        connections = client("codeconnections", second.url).list_connections()["Connections"]
        assert [c["ConnectionArn"] for c in connections] == [connection]
        described = client("kms", second.url).describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        assert described["CreationDate"] == key["CreationDate"]
        decrypted = client("kms", second.url).decrypt(CiphertextBlob=ciphertext["CiphertextBlob"])
        assert decrypted["Plaintext"] == b"secret"


def _crash(cloud: LocalCloud) -> None:
    """What dies with a killed local cloud's process: its server, its journal handle, and its
    executors' runtime (in-process, the session's local cloud is running beside it)."""
    cloud._server.shutdown()
    cloud._server.server_close()
    cloud._store._journal.close()
    runtime.stop(cloud.url)


def _journal_with_parameters(folder: Path, count: int) -> None:
    cloud = LocalCloud(port=0, state_dir=folder).start()
    for index in range(count):
        client("ssm", cloud.url).put_parameter(Name=f"/p/{index}", Value="v", Type="String")
    _crash(cloud)
    moto_internals.reset_state()


def test_a_torn_journal_tail_keeps_the_readable_prefix_and_says_what_was_dropped(
    tmp_path, in_process
):
    _journal_with_parameters(tmp_path, 3)
    journal = tmp_path / store.JOURNAL_FILE
    with journal.open("r+b") as stream:
        stream.truncate(journal.stat().st_size - 7)  # the last record half written
    with LocalCloud(port=0, state_dir=tmp_path) as cloud:
        names = [p["Name"] for p in client("ssm", cloud.url).describe_parameters()["Parameters"]]
        assert sorted(names) == ["/p/0", "/p/1"]
        assert any("torn frame" in problem for problem in cloud.recovery.problems)
        client("ssm", cloud.url).put_parameter(Name="/p/after", Value="v", Type="String")
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=tmp_path) as again:  # appends after the cut were kept
        names = [p["Name"] for p in client("ssm", again.url).describe_parameters()["Parameters"]]
        assert sorted(names) == ["/p/0", "/p/1", "/p/after"]


def test_a_frame_that_does_not_verify_is_never_loaded(tmp_path, in_process):
    _journal_with_parameters(tmp_path, 2)
    journal = tmp_path / store.JOURNAL_FILE
    data = bytearray(journal.read_bytes())
    data[-3] ^= 0xFF  # a changed byte in the last record's payload
    journal.write_bytes(bytes(data))
    with LocalCloud(port=0, state_dir=tmp_path) as cloud:
        names = [p["Name"] for p in client("ssm", cloud.url).describe_parameters()["Parameters"]]
        assert names == ["/p/0"]
        assert any("does not verify" in problem for problem in cloud.recovery.problems)


def test_a_snapshot_from_another_version_restores_what_it_can_and_reports_it(
    tmp_path, in_process, monkeypatch
):
    with LocalCloud(port=0, state_dir=tmp_path) as first:
        client("ssm", first.url).put_parameter(Name="/kept", Value="v", Type="String")
    moto_internals.reset_state()
    monkeypatch.setattr(store, "versions", lambda: {"sagestack": "9.9.9", "moto": "9.0.0"})
    with LocalCloud(port=0, state_dir=tmp_path) as second:
        assert client("ssm", second.url).get_parameter(Name="/kept")["Parameter"]["Value"] == "v"
        assert any("read by sagestack 9.9.9" in p for p in second.recovery.problems)


def test_a_folder_others_can_write_to_is_refused(tmp_path, in_process):
    tmp_path.chmod(0o777)
    with pytest.raises(StatePermissionError, match="chmod 700"):
        LocalCloud(port=0, state_dir=tmp_path).start()


def test_a_new_state_folder_is_private(tmp_path, in_process):
    folder = tmp_path / "state"
    with LocalCloud(port=0, state_dir=folder):
        pass
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / store.KEY_FILE).stat().st_mode & 0o777 == 0o600


# --- a crash of the real command -------------------------------------------------------------


def _start(folder: Path) -> tuple[subprocess.Popen, str]:
    command = [
        str(Path(sys.executable).with_name("sagestack")),
        "local",
        "up",
        "--port",
        "0",
        "--state-dir",
        str(folder),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("export AWS_ENDPOINT_URL="):
            return process, line.strip().split("=", 1)[1]
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("sagestack local up did not start")


def _write_every_kind(url: str) -> dict:
    """The writes the issue lost: parameters, objects, model packages, a topic, an alarm, a
    rule, a feature record, a connection, a webhook; and an SQS message."""
    ssm, s3, sagemaker = client("ssm", url), client("s3", url), client("sagemaker", url)
    for index in range(30):
        ssm.put_parameter(Name=f"/crash/p{index}", Value=str(index), Type="String")
    s3.create_bucket(Bucket="crash-bucket")
    for index in range(30):
        s3.put_object(Bucket="crash-bucket", Key=f"o{index}", Body=f"body {index}".encode())
    sagemaker.create_model_package_group(ModelPackageGroupName="crash-group")
    packages = [
        sagemaker.create_model_package(
            ModelPackageGroupName="crash-group",
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )["ModelPackageArn"]
        for _ in range(5)
    ]
    topic = client("sns", url).create_topic(Name="crash-topic")["TopicArn"]
    client("cloudwatch", url).put_metric_alarm(
        AlarmName="crash-alarm",
        MetricName="m",
        Namespace="n",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    client("events", url).put_rule(Name="crash-rule", EventPattern='{"source": ["x"]}')
    sagemaker.create_feature_group(
        FeatureGroupName="crash-features",
        RecordIdentifierFeatureName="id",
        EventTimeFeatureName="t",
        OnlineStoreConfig={"EnableOnlineStore": True},
        FeatureDefinitions=[
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "t", "FeatureType": "Fractional"},
        ],
        RoleArn="arn:aws:iam::123456789012:role/r",
    )
    client("sagemaker-featurestore-runtime", url).put_record(
        FeatureGroupName="crash-features",
        Record=[
            {"FeatureName": "id", "ValueAsString": "a"},
            {"FeatureName": "t", "ValueAsString": "1"},
        ],
    )
    connection = client("codeconnections", url).create_connection(
        ProviderType="GitHub", ConnectionName="crash"
    )["ConnectionArn"]
    client("codebuild", url).create_project(
        name="crash-build",
        source={"type": "GITHUB", "location": "https://github.com/o/r"},
        artifacts={"type": "NO_ARTIFACTS"},
        serviceRole="arn:aws:iam::123456789012:role/r",
        environment={
            "type": "LINUX_CONTAINER",
            "image": "i",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
    )
    webhook = client("codebuild", url).create_webhook(
        projectName="crash-build", manualCreation=True
    )
    queue = client("sqs", url).create_queue(QueueName="crash-queue")["QueueUrl"]
    message = client("sqs", url).send_message(QueueUrl=queue, MessageBody="m")["MessageId"]
    return {
        "packages": packages,
        "topic": topic,
        "connection": connection,
        "webhook": webhook["webhook"]["url"],
        "queue": queue,
        "message": message,
    }


def _find_every_kind(url: str, written: dict) -> None:
    parameters = client("ssm", url).get_parameters_by_path(Path="/crash", MaxResults=10)
    assert parameters["Parameters"]
    assert client("ssm", url).get_parameter(Name="/crash/p29")["Parameter"]["Value"] == "29"
    body = client("s3", url).get_object(Bucket="crash-bucket", Key="o29")["Body"].read()
    assert body == b"body 29"
    listed = client("s3", url).list_objects_v2(Bucket="crash-bucket")["KeyCount"]
    assert listed == 30
    packages = client("sagemaker", url).list_model_packages(ModelPackageGroupName="crash-group")
    assert sorted(p["ModelPackageArn"] for p in packages["ModelPackageSummaryList"]) == sorted(
        written["packages"]
    )
    assert client("sns", url).get_topic_attributes(TopicArn=written["topic"])["Attributes"]
    alarms = client("cloudwatch", url).describe_alarms(AlarmNames=["crash-alarm"])
    assert len(alarms["MetricAlarms"]) == 1
    assert client("events", url).describe_rule(Name="crash-rule")["Name"] == "crash-rule"
    record = client("sagemaker-featurestore-runtime", url).get_record(
        FeatureGroupName="crash-features", RecordIdentifierValueAsString="a"
    )
    assert {"FeatureName": "t", "ValueAsString": "1"} in record["Record"]
    connection = client("codeconnections", url).get_connection(ConnectionArn=written["connection"])
    assert connection["Connection"]["ConnectionName"] == "crash"
    projects = client("codebuild", url).batch_get_projects(names=["crash-build"])["projects"]
    assert projects[0]["webhook"]["url"] == written["webhook"]
    received = client("sqs", url).receive_message(QueueUrl=written["queue"])["Messages"]
    assert [m["MessageId"] for m in received] == [written["message"]]


@pytest.mark.slow
def test_every_acknowledged_write_survives_kill_9(tmp_path):
    folder = tmp_path / "state"
    process, url = _start(folder)
    try:
        written = _write_every_kind(url)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert not (folder / store.SNAPSHOT_FILE).exists()  # no clean stop happened
    process, url = _start(folder)
    try:
        _find_every_kind(url, written)
    finally:
        process.terminate()
        process.wait(timeout=60)
