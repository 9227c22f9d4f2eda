"""Data capture: the records SageMaker writes (compared with a real one), where it writes them,
how it encodes and samples them, and that the drift engine reads the files an endpoint wrote."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hosting_support import BUCKET, eventually

from sagestack.localcloud import clock
from sagestack.localcloud.executors.endpoints.capture import (
    CaptureConfig,
    CaptureWriter,
    Exchange,
    capture_key,
    capture_record,
)
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.capture import read_capture
from sagestack_pipelines.drift_monitor import capture_gap
from sagestack_pipelines.drift_monitor.step import window_folders

# A record SageMaker wrote (AWS's Model Monitor documentation; its eventId redacted by AWS).
REAL_RECORD = (
    '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT",'
    '"data":"69,0,153.7,109,194.0\\n","encoding":"CSV"},"endpointOutput":{"observedContentType":'
    '"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.0254181120544672","encoding":"CSV"}},'
    '"eventMetadata":{"eventId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",'
    '"inferenceTime":"2022-02-14T17:25:49Z"},"eventVersion":"0"}'
)
CAPTURE_KEY = re.compile(
    r"^capture/e1/AllTraffic/\d{4}/\d{2}/\d{2}/\d{2}/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$"
)


def _config(**changes) -> CaptureConfig:
    api = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://{BUCKET}/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        **changes,
    }
    return CaptureConfig.from_api(api)


def _exchange(
    request=b"1,2\n",
    request_type="text/csv",
    response=b"0.5",
    response_type="text/csv; charset=utf-8",
    inference_id=None,
):
    at = datetime(2022, 2, 14, 17, 25, 49, 123000, tzinfo=UTC)
    return Exchange(request, request_type, response, response_type, inference_id, at)


def _shape(value):
    """The keys of a JSON document, in order, all the way down (values dropped)."""
    if isinstance(value, dict):
        return [(key, _shape(item)) for key, item in value.items()]
    return type(value).__name__


def test_a_record_has_the_shape_sagemaker_writes():
    real = json.loads(REAL_RECORD)

    ours = capture_record(_config(), _exchange())

    assert _shape(ours) == _shape(real)
    assert ours["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "1,2\n",  # the request as sent, its newline kept
        "encoding": "CSV",
    }
    assert ours["eventMetadata"]["inferenceTime"] == "2022-02-14T17:25:49Z"
    assert ours["captureData"]["endpointOutput"]["encoding"] == "CSV"  # the charset is ignored


def test_inference_id_is_kept_and_unlisted_content_types_are_base64():
    config = _config(CaptureContentTypeHeader={"JsonContentTypes": ["application/json"]})

    record = capture_record(
        config, _exchange(b'{"a": 1}', "application/json", inference_id="req-7")
    )
    unlisted = capture_record(_config(CaptureContentTypeHeader=None), _exchange())

    assert record["eventMetadata"]["inferenceId"] == "req-7"
    assert record["captureData"]["endpointInput"]["encoding"] == "JSON"
    assert record["captureData"]["endpointOutput"]["encoding"] == "BASE64"
    assert base64.b64decode(record["captureData"]["endpointOutput"]["data"]) == b"0.5"
    assert {p["encoding"] for p in unlisted["captureData"].values()} == {"BASE64"}


@pytest.mark.parametrize(
    ("mode", "parts"), [("Input", {"endpointInput"}), ("Output", {"endpointOutput"})]
)
def test_capture_options_choose_what_is_kept(mode, parts):
    record = capture_record(_config(CaptureOptions=[{"CaptureMode": mode}]), _exchange())

    assert set(record["captureData"]) == parts


def test_the_sampling_percentage_decides_which_invocations_are_captured():
    written = []

    class FakeS3:
        def put_object(self, **request):
            written.append(request["Body"].decode().splitlines())

    writer = CaptureWriter(
        _config(InitialSamplingPercentage=30),
        "e1",
        "AllTraffic",
        FakeS3,
        iter([0.1, 0.5, 0.29, 0.3]).__next__,
    )
    for _ in range(4):
        writer.record(_exchange())
    writer.close()

    assert [len(lines) for lines in written] == [2]  # the draws below 0.30


def test_the_file_is_named_for_the_hour_and_moment_of_its_first_record():
    key = capture_key("capture", "e1", "AllTraffic", _exchange().at)

    assert key.startswith("capture/e1/AllTraffic/2022/02/14/17/25-49-123-")
    assert CAPTURE_KEY.match(key)


def test_an_endpoint_writes_capture_files_the_drift_engine_reads(hosting, tmp_path):
    key_arn = hosting.client("kms").create_key()["KeyMetadata"]["Arn"]
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://{BUCKET}/capture",
        "KmsKeyId": key_arn,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }
    hosting.endpoint_config("c1", hosting.model("m1"), capture=capture)
    described = hosting.endpoint("e1", "c1")
    for row in ("1,2\n", "3,4\n", "5,6\n"):
        hosting.invoke("e1", row, InferenceId=f"id-{row[0]}")

    s3 = hosting.client("s3")
    listed = eventually(
        lambda: s3.list_objects_v2(Bucket=BUCKET, Prefix="capture/").get("Contents")
    )

    assert described["DataCaptureConfig"] == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://{BUCKET}/capture",
        "KmsKeyId": key_arn,
    }
    keys = [item["Key"] for item in listed]
    assert all(CAPTURE_KEY.match(key) for key in keys), keys
    head = s3.head_object(Bucket=BUCKET, Key=keys[0])
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key_arn)
    local = tmp_path / "capture.jsonl"
    local.write_bytes(b"".join(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys))
    records = [json.loads(line) for line in local.read_text().splitlines()]
    assert [r["eventMetadata"]["inferenceId"] for r in records] == ["id-1", "id-3", "id-5"]
    baseline = build_baseline(pd.DataFrame({"x1": [1.0, 3.0], "x2": [2.0, 4.0]}))
    read = pd.concat(t.to_pandas() for t in read_capture([Path(local)], baseline))
    assert read.to_dict("list") == {"x1": [1.0, 3.0, 5.0], "x2": [2.0, 4.0, 6.0]}


def test_an_endpoint_keeps_capturing_after_its_roles_first_credentials_expire(hosting):
    """The endpoint's role credentials last an hour of the local cloud's clock, which tests and
    the demo move hours ahead; they are renewed by that clock, so capture files keep coming."""
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://{BUCKET}/later",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    s3 = hosting.client("s3")
    with clock.frozen() as frozen:
        hosting.endpoint_config("c-later", hosting.model("m-later"), capture=capture)
        hosting.endpoint("e-later", "c-later")
        frozen.advance(2 * 3600 + 60)
        hosting.invoke("e-later", "1,2\n")
        hour = frozen.now().astimezone(UTC).strftime("%Y/%m/%d/%H")
        prefix = f"later/e-later/AllTraffic/{hour}/"
        listed = eventually(
            lambda: s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents")
        )
    assert len(listed) == 1


def test_the_drift_monitor_counts_what_a_serving_endpoint_did_not_capture(hosting):
    """Requests, variants and capture settings as the endpoint reports them (Invocations,
    DescribeEndpoint), and capture files where it writes them: 12 served with capture off are
    12 records missing; served with capture on, none."""
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://{BUCKET}/gap",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    model = hosting.model("m-gap")
    hosting.endpoint_config("c-off", model, capture={**capture, "EnableCapture": False})
    hosting.endpoint_config("c-on", model, capture=capture)
    hosting.endpoint("e-off", "c-off")
    hosting.endpoint("e-on", "c-on")
    for _ in range(12):
        hosting.invoke("e-off", "1,2\n")
        hosting.invoke("e-on", "1,2\n")
    clients = capture_gap.Clients(
        cloudwatch=hosting.client("cloudwatch"),
        s3=hosting.client("s3"),
        sagemaker=hosting.client("sagemaker"),
    )
    day_to_this_hour = window_folders(
        clock.current().now() + timedelta(hours=1), capture_gap.LOOKBACK_HOURS
    )

    def missing(endpoint: str) -> float:
        return capture_gap.measure_missing_captures(
            clients=clients,
            endpoint=endpoint,
            capture=(BUCKET, f"gap/{endpoint}"),
            hour_folders=day_to_this_hour,
        )

    assert eventually(lambda: missing("e-off") == 12)
    s3 = hosting.client("s3")
    eventually(lambda: s3.list_objects_v2(Bucket=BUCKET, Prefix="gap/e-on/").get("Contents"))
    assert missing("e-on") == 0
