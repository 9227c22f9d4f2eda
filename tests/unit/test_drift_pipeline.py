"""The drift-monitor pipeline: its definition validates, its code package runs as the step does,
and the step reads exactly the window's captured requests before running the engine."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from sagestack.localcloud.executors.images import CATALOG, environment_python
from sagestack_pipelines.drift.baseline import build_baseline, save
from sagestack_pipelines.drift_monitor import pipeline as dmp
from sagestack_pipelines.drift_monitor.step import main, parse_window_end, window_folders
from sagestack_pipelines.validation.validator import validate_definition

REGION = "us-east-1"
CODE_URI = "s3://artifacts/platform/drift-monitor/code/drift-monitor-0123456789abcdef.zip"
SPEC = dmp.DriftMonitorSpec(
    role_arn="arn:aws:iam::123456789012:role/sagestack-dev-drift-monitor",
    region=REGION,
    code_s3_uri=CODE_URI,
    kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/platform-key",
)


def step_arguments(definition: dict) -> dict:
    [step] = definition["Steps"]
    return step["Arguments"]


def test_definition_is_valid_for_the_pipeline_definition_validator():
    assert validate_definition(dmp.definition_json(SPEC)) == []


def test_validator_catches_a_definition_whose_step_reads_an_undeclared_parameter():
    broken = copy.deepcopy(dmp.definition(SPEC))
    broken["Parameters"] = [p for p in broken["Parameters"] if p["Name"] != dmp.PARAM_BASELINE]

    problems = validate_definition(broken)

    # the baseline's input and the step's --baseline-s3-uri argument both read it
    assert len(problems) == 2 and all('parameter "BaselineS3Uri"' in p for p in problems)
    assert sum("ProcessingInputs[1]" in p for p in problems) == 1


def test_definition_declares_the_endpoint_parameters_and_passes_each_to_the_step():
    definition = dmp.definition(SPEC)
    names = {p["Name"] for p in definition["Parameters"]}
    assert names == {
        "EndpointName",
        "CaptureS3Prefix",
        "BaselineS3Uri",
        "ReportS3Prefix",
        "WindowHours",
        "PsiThreshold",
        "ProcessingInstanceType",
        "MinRequests",
    }
    text = json.dumps(step_arguments(definition))
    assert all(f'"Parameters.{name}"' in text for name in names)


def test_step_runs_the_code_package_in_the_scikit_learn_image_and_writes_the_report():
    arguments = step_arguments(dmp.definition(SPEC))
    app = arguments["AppSpecification"]
    assert app["ImageUri"] == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-py312-cpu-py3"
    )
    assert app["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/drift-monitor-0123456789abcdef.zip",
    ]
    inputs = {i["InputName"]: i["S3Input"] for i in arguments["ProcessingInputs"]}
    assert inputs["code"]["S3Uri"] == CODE_URI
    assert inputs["baseline"]["LocalPath"] == "/opt/ml/processing/baseline"
    [output] = arguments["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
    # the step names the window's folder; an execution id first would not sort by window
    assert output["S3Output"]["S3Uri"] == {"Get": "Parameters.ReportS3Prefix"}
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == SPEC.kms_key_arn
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == SPEC.kms_key_arn


def test_image_lookup_refuses_a_region_without_the_image():
    with pytest.raises(ValueError, match=r"region 'mars-north-1' has no SageMaker sagemaker-sci"):
        dmp.sagemaker_image_uri(dmp.SKLEARN_IMAGE_CONFIG, "mars-north-1", dmp.SKLEARN_IMAGE_TAG)


def test_image_lookup_uses_the_china_partition_domain():
    uri = dmp.sagemaker_image_uri(dmp.MODEL_MONITOR_IMAGE_CONFIG, "cn-north-1")
    assert uri.endswith(".dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer")


def test_code_package_is_reproducible_and_holds_the_engine_and_the_entry():
    first, second = dmp.code_package(), dmp.code_package()
    assert first.data == second.data and first.sha256 == second.sha256
    names = set(zipfile.ZipFile(_bytes_file(first.data)).namelist())
    assert {
        "__main__.py",
        "sagestack_pipelines/drift_monitor/step.py",
        "sagestack_pipelines/drift/__main__.py",
        "sagestack_pipelines/drift/capture.py",
        "sagestack/contract.py",
    } <= names
    assert not any("__pycache__" in name or "tests/" in name for name in names)


def test_code_package_hash_changes_when_the_engine_changes(tmp_path):
    root = tmp_path / "repo"
    for name in dmp._PACKAGED_FILES:
        _copy(Path(dmp._REPO, name), root / name)
    for path in Path(dmp._REPO, "pipelines/drift").glob("*.py"):
        _copy(path, root / "pipelines/drift" / path.name)
    before = dmp.code_package(root)
    (root / "pipelines/drift/statistics.py").write_text("# changed\n", encoding="utf-8")

    assert dmp.code_package(root).sha256 != before.sha256
    assert before.sha256 == dmp.code_package().sha256


def test_code_package_runs_as_a_zip_with_python(tmp_path):
    package = tmp_path / "drift-monitor.zip"
    package.write_bytes(dmp.code_package().data)

    done = subprocess.run(
        [sys.executable, str(package), "--help"], capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert "--capture-s3-prefix" in done.stdout


@pytest.mark.parametrize(
    ("end", "hours", "folders"),
    [
        ("2026-11-26T22:05:00Z", 1, ["2026/11/26/21"]),
        ("2026-11-26T22:00:00+00:00", 2, ["2026/11/26/20", "2026/11/26/21"]),
        ("2026-11-27T00:30:00+01:00", 1, ["2026/11/26/22"]),
        ("2027-01-01T00:10:00Z", 2, ["2026/12/31/22", "2026/12/31/23"]),
    ],
)
def test_window_is_the_complete_hours_before_the_execution_started(end, hours, folders):
    assert window_folders(datetime.fromisoformat(end), hours) == folders


def test_window_end_is_read_as_iso_8601_or_epoch_milliseconds():
    expected = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)
    assert parse_window_end("2026-11-26T22:05:00.000Z") == expected
    assert parse_window_end("2026-11-26T22:05:00") == expected
    assert parse_window_end(str(int(expected.timestamp() * 1000))) == expected


def test_window_end_that_is_no_time_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"--window-end 'yesterday' is invalid: expected an ISO"):
        parse_window_end("yesterday")


def test_window_of_no_hours_is_refused():
    with pytest.raises(ValueError, match=r"--window-hours 0 is invalid: expected a whole number"):
        window_folders(datetime(2026, 11, 26, tzinfo=UTC), 0)


# --- the step end to end, on moto's S3 --------------------------------------------------------

BUCKET = "artifacts"
CAPTURE = "projects/churn/data-capture/sagestack-dev-churn"


def _capture_line(row: dict) -> str:
    data = f"{row['age']},{row['colour']}"
    return json.dumps(
        {
            "captureData": {"endpointInput": {"data": data, "encoding": "CSV", "mode": "INPUT"}},
            "eventMetadata": {"eventId": "e", "inferenceTime": "2026-11-26T21:10:00Z"},
            "eventVersion": "0",
        }
    )


def _frame(rng, rows: int, shift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift, 10, rows),
            "colour": rng.choice(["red", "green", "blue"], rows),
        }
    )


def _write_captures_and_baseline(s3, folder: Path) -> Path:
    """Captures in the window (shifted ages), before it and after it; returns the baseline."""
    rng = np.random.default_rng(7)
    baseline = folder / "baseline" / "baseline.json"
    baseline.parent.mkdir()
    save(build_baseline(_frame(rng, 2000), categorical=["colour"]), baseline)
    s3.create_bucket(Bucket=BUCKET)
    files = {
        # 3,000 requests in the window: more than the smallest the engine judges (2,902)
        f"{CAPTURE}/AllTraffic/2026/11/26/21/a.jsonl": _frame(rng, 1800, shift=15),
        f"{CAPTURE}/AllTraffic/2026/11/26/21/b.jsonl": _frame(rng, 1200, shift=15),
        f"{CAPTURE}/AllTraffic/2026/11/26/20/old.jsonl": _frame(rng, 300),
        f"{CAPTURE}/AllTraffic/2026/11/26/22/new.jsonl": _frame(rng, 300),
    }
    for key, frame in files.items():
        lines = "\n".join(_capture_line(row) for row in frame.to_dict("records"))
        s3.put_object(Bucket=BUCKET, Key=key, Body=lines.encode())
    return baseline


def _step_arguments(folder: Path, baseline: Path) -> list[str]:
    """The step's arguments as the pipeline passes them, for a run started at 22:05."""
    return [
        "--endpoint-name=sagestack-dev-churn",
        f"--capture-s3-prefix=s3://{BUCKET}/{CAPTURE}",
        "--window-hours=1",
        "--window-end=2026-11-26T22:05:00Z",
        "--psi-threshold=0.2",
        f"--capture-dir={folder / 'capture'}",
        f"--baseline={baseline}",
        f"--baseline-s3-uri=s3://{BUCKET}/projects/churn/drift/baseline.json",
        f"--output={folder / 'output'}",
    ]


@pytest.fixture
def step_run(tmp_path):
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        baseline = _write_captures_and_baseline(s3, tmp_path)
        code = main(_step_arguments(tmp_path, baseline), s3=s3)
    return code, tmp_path


def test_step_downloads_only_the_window_and_reports_its_drift(step_run):
    code, folder = step_run

    assert code == 0
    downloaded = sorted(p.relative_to(folder / "capture").as_posix() for p in _files(folder))
    assert downloaded == ["AllTraffic/2026/11/26/21/a.jsonl", "AllTraffic/2026/11/26/21/b.jsonl"]
    # the run started at 22:05 measured 21:00-22:00: its outputs sit in the window end's folder
    assert [p.name for p in (folder / "output").iterdir()] == ["20261126T2200Z"]
    window = folder / "output" / "20261126T2200Z"
    statistics = json.loads((window / "drift_statistics.json").read_text())
    assert statistics["rows"] == 3000
    assert statistics["violating_features"] == ["age"]
    assert {p.name for p in window.iterdir()} >= {
        "constraint_violations.json",
        "drift_statistics.json",
    }
    page = (window / "drift_report.html").read_text()
    assert "<dd id='window'>2026-11-26 21:00 → 22:00 UTC (1 h)</dd>" in page
    assert f"<dd id='baseline'>s3://{BUCKET}/projects/churn/drift/baseline.json, built " in page


def test_a_window_below_the_projects_minimum_is_reported_and_judged_nothing(tmp_path):
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        baseline = _write_captures_and_baseline(s3, tmp_path)
        arguments = [*_step_arguments(tmp_path, baseline), "--min-requests=5000"]
        assert main(arguments, s3=s3) == 0
    window = tmp_path / "output" / "20261126T2200Z"  # the window end's folder, as every run's
    statistics = json.loads((window / "drift_statistics.json").read_text())
    assert (statistics["judged"], statistics["violating_features"]) == (False, [])
    assert statistics["not_judged_because"] == (
        "window too small to judge: 3,000 requests, at least 5,000 needed"
    )


def _image_python() -> Path:
    """The Python of the scikit-learn image the step runs on, with that image's libraries
    (numpy 2.1, pyarrow 17, scipy; installed by make, as for every local job)."""
    [spec] = [
        spec
        for spec in CATALOG
        if spec.framework == "sklearn" and spec.version == dmp.SKLEARN_IMAGE_VERSION
    ]
    return environment_python(spec)


@pytest.mark.slow
def test_code_package_runs_the_step_end_to_end_against_s3(tmp_path):
    """The zip as the container runs it: the image's Python and libraries, S3 over HTTP (moto's
    server)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
        baseline = _write_captures_and_baseline(s3, tmp_path)
        package = tmp_path / "drift-monitor.zip"
        package.write_bytes(dmp.code_package().data)
        environment = {
            **os.environ,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": REGION,
        }
        environment.pop("PYTHONPATH", None)  # the step's own code comes from the zip only
        done = subprocess.run(
            [str(_image_python()), str(package), *_step_arguments(tmp_path, baseline)],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            cwd=tmp_path,
        )
    finally:
        server.stop()

    assert done.returncode == 0, done.stderr
    assert "2 capture files in 2026/11/26/21..2026/11/26/21" in done.stderr
    window = tmp_path / "output" / "20261126T2200Z"
    statistics = json.loads((window / "drift_statistics.json").read_text())
    assert (statistics["rows"], statistics["violating_features"]) == (3000, ["age"])
    assert (window / "drift_report.html").is_file()


def test_step_refuses_a_capture_prefix_that_is_not_an_s3_uri(tmp_path, capsys):
    code = main(["--endpoint-name=e", "--capture-s3-prefix=/local/folder"], s3=object())

    assert code == 2
    assert "--capture-s3-prefix '/local/folder' is invalid: expected s3://bucket/prefix" in (
        capsys.readouterr().err
    )


def _files(folder: Path) -> list[Path]:
    return [p for p in (folder / "capture").rglob("*") if p.is_file()]


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


def _bytes_file(data: bytes):
    import io

    return io.BytesIO(data)
