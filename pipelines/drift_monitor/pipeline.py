"""The platform's ``drift-monitor`` SageMaker pipeline: its definition and its code package.

Why not the SageMaker SDK: ``Pipeline.definition()`` needs a session (STS, a default bucket) and
uploads the step code to S3 while it builds, a network side effect ``pulumi preview`` must not
have. The definition is small, so it is written here as the JSON the SDK produces for one
``ProcessingStep`` (schema 2020-12-01, the same keys and ``Get``/``Std:Join`` expressions) and
checked with :mod:`sagestack_pipelines.validation` in the tests. The code goes up as a Pulumi
resource instead: :func:`code_package` is a byte-for-byte reproducible zip of the drift engine
whose S3 key carries its hash, so a changed engine is a new object and a new definition.

The step runs ``python3 <package>.zip`` (Python runs a zip's ``__main__.py``), which is
:mod:`sagestack_pipelines.drift_monitor.step`: fetch the window's captured requests, then run
the engine.
"""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sagestack.contract import PROCESSING_ROOT
from sagestack_pipelines.packaging import CodePackage, reproducible_zip

SCHEMA_VERSION = "2020-12-01"
STEP_NAME = "MeasureDrift"

# Parameters; the per-endpoint schedules set all of them (SageMakerPipelineParameters).
PARAM_ENDPOINT = "EndpointName"
PARAM_CAPTURE = "CaptureS3Prefix"
PARAM_BASELINE = "BaselineS3Uri"
PARAM_REPORT = "ReportS3Prefix"
PARAM_WINDOW_HOURS = "WindowHours"
PARAM_PSI_THRESHOLD = "PsiThreshold"
PARAM_INSTANCE_TYPE = "ProcessingInstanceType"
PARAM_MIN_REQUESTS = "MinRequests"  # 0: the engine's own minimum window

PROCESSING = PROCESSING_ROOT
CODE_PATH = f"{PROCESSING}/input/code"
BASELINE_PATH = f"{PROCESSING}/baseline"
OUTPUT_PATH = f"{PROCESSING}/output"

# SageMaker's scikit-learn image for Python 3.12 (the engine needs 3.11 or later); the account
# per region comes from the SageMaker SDK's own image table, read as data (importing the SDK
# takes seconds and is not needed for a lookup).
SKLEARN_IMAGE_CONFIG = "sklearn.json"
SKLEARN_IMAGE_VERSION = "1.4-2-py312"
SKLEARN_IMAGE_TAG = f"{SKLEARN_IMAGE_VERSION}-cpu-py3"
MODEL_MONITOR_IMAGE_CONFIG = "model-monitor.json"
_IMAGE_CONFIG_FOLDER = "sagemaker/core/image_uri_config"

# What the package holds, relative to the repository root (pipelines/drift/ entirely), and the
# import name each top folder has once installed (the zip must import as the repository does).
_PACKAGED_FILES = (
    "pipelines/__init__.py",
    "pipelines/drift_monitor/__init__.py",
    "pipelines/drift_monitor/capture_gap.py",
    "pipelines/drift_monitor/heartbeat.py",
    "pipelines/drift_monitor/step.py",
    "sagestack/__init__.py",
    "sagestack/contract.py",
)
_PACKAGED_FOLDERS = ("pipelines/drift",)
_IMPORT_NAMES = {"pipelines": "sagestack_pipelines", "sagestack": "sagestack"}
_ZIP_MAIN = (
    "import sys\n\nfrom sagestack_pipelines.drift_monitor.step import main\n\nsys.exit(main())\n"
)
_REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DriftMonitorSpec:
    """What the definition needs from the platform; all plain values (resolve Outputs first)."""

    role_arn: str
    region: str
    code_s3_uri: str
    """``s3://bucket/key`` of the :func:`code_package` zip."""
    kms_key_arn: str
    """Encrypts the job's volume and its outputs."""
    default_instance_type: str = "ml.m5.large"
    volume_size_gb: int = 30
    max_runtime_seconds: int = 3600


def code_package(root: Path = _REPO) -> CodePackage:
    """The drift engine and the step as one zip, identical for identical sources."""
    return reproducible_zip("drift-monitor", _package_members(root))


def _package_members(root: Path) -> dict[str, bytes]:
    members = {"__main__.py": _ZIP_MAIN.encode()}
    paths = [root / name for name in _PACKAGED_FILES]
    for folder in _PACKAGED_FOLDERS:
        paths += sorted((root / folder).glob("*.py"))
    for path in paths:
        members[_member_name(path.relative_to(root).as_posix())] = path.read_bytes()
    return members


def _member_name(repository_path: str) -> str:
    top, _, rest = repository_path.partition("/")
    return f"{_IMPORT_NAMES[top]}/{rest}"


def sagemaker_image_uri(config_name: str, region: str, tag: str | None = None) -> str:
    """The image of a SageMaker-owned repository in ``region``, from the SDK's image table."""
    entry = _image_config(config_name)["versions"][_version_key(config_name)]
    registries = entry["registries"]
    if region not in registries:
        raise ValueError(
            f"region '{region}' has no SageMaker {entry['repository']} image "
            f"(known: {', '.join(sorted(registries))})"
        )
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    uri = f"{registries[region]}.dkr.ecr.{region}{suffix}/{entry['repository']}"
    return f"{uri}:{tag}" if tag else uri


def _version_key(config_name: str) -> str:
    return SKLEARN_IMAGE_VERSION if config_name == SKLEARN_IMAGE_CONFIG else ""


@cache
def _image_config(config_name: str) -> dict[str, Any]:
    distribution = importlib.metadata.distribution("sagemaker-core")
    path = Path(str(distribution.locate_file(f"{_IMAGE_CONFIG_FOLDER}/{config_name}")))
    config = json.loads(path.read_text(encoding="utf-8"))
    # sklearn.json is keyed by scope first ("training", "inference"); processing uses training's.
    return config.get("training", config)


def _get(name: str) -> dict[str, str]:
    return {"Get": f"Parameters.{name}"}


def _as_text(expression: dict) -> dict:
    """A typed expression as a string argument (what the SDK's ``to_string()`` writes)."""
    return {"Std:Join": {"On": "", "Values": [expression]}}


def parameters(default_instance_type: str) -> list[dict[str, Any]]:
    return [
        {"Name": PARAM_ENDPOINT, "Type": "String"},
        {"Name": PARAM_CAPTURE, "Type": "String"},
        {"Name": PARAM_BASELINE, "Type": "String"},
        {"Name": PARAM_REPORT, "Type": "String"},
        {"Name": PARAM_WINDOW_HOURS, "Type": "Integer", "DefaultValue": 1},
        {"Name": PARAM_PSI_THRESHOLD, "Type": "Float", "DefaultValue": 0.2},
        {"Name": PARAM_INSTANCE_TYPE, "Type": "String", "DefaultValue": default_instance_type},
        {"Name": PARAM_MIN_REQUESTS, "Type": "Integer", "DefaultValue": 0},
    ]


def _s3_input(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
        },
    }


def _container_arguments() -> list[Any]:
    return [
        "--endpoint-name",
        _get(PARAM_ENDPOINT),
        "--capture-s3-prefix",
        _get(PARAM_CAPTURE),
        "--window-hours",
        _as_text(_get(PARAM_WINDOW_HOURS)),
        "--window-end",
        {"Get": "Execution.StartDateTime"},
        "--psi-threshold",
        _as_text(_get(PARAM_PSI_THRESHOLD)),
        "--min-requests",
        _as_text(_get(PARAM_MIN_REQUESTS)),
        "--baseline-s3-uri",
        _get(PARAM_BASELINE),
        "--publish-metrics",
    ]


def processing_step(spec: DriftMonitorSpec, code_file: str) -> dict[str, Any]:
    # The step writes into a folder named for the window's end, so the report prefix itself is
    # the output: keys sort by window (a rerun of a window replaces its report; the bucket keeps
    # the old version).
    report_uri = _get(PARAM_REPORT)
    return {
        "Name": STEP_NAME,
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": _get(PARAM_INSTANCE_TYPE),
                    "InstanceCount": 1,
                    "VolumeSizeInGB": spec.volume_size_gb,
                    "VolumeKmsKeyId": spec.kms_key_arn,
                }
            },
            "AppSpecification": {
                "ImageUri": sagemaker_image_uri(
                    SKLEARN_IMAGE_CONFIG, spec.region, SKLEARN_IMAGE_TAG
                ),
                "ContainerEntrypoint": ["python3", f"{CODE_PATH}/{code_file}"],
                "ContainerArguments": _container_arguments(),
            },
            "RoleArn": spec.role_arn,
            "ProcessingInputs": [
                _s3_input("code", spec.code_s3_uri, CODE_PATH),
                _s3_input("baseline", _get(PARAM_BASELINE), BASELINE_PATH),
            ],
            "ProcessingOutputConfig": {
                "KmsKeyId": spec.kms_key_arn,
                "Outputs": [
                    {
                        "OutputName": "report",
                        "S3Output": {
                            "S3Uri": report_uri,
                            "LocalPath": OUTPUT_PATH,
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ],
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": spec.max_runtime_seconds},
            # boto3 in the step (capture listing, metrics) finds its region here.
            "Environment": {"AWS_DEFAULT_REGION": spec.region, "PYTHONUNBUFFERED": "1"},
        },
    }


def definition(spec: DriftMonitorSpec) -> dict[str, Any]:
    """The pipeline definition: the parameters and the one processing step."""
    code_file = spec.code_s3_uri.rsplit("/", 1)[-1]
    return {
        "Version": SCHEMA_VERSION,
        "Metadata": {},
        "Parameters": parameters(spec.default_instance_type),
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [processing_step(spec, code_file)],
    }


def definition_json(spec: DriftMonitorSpec) -> str:
    return json.dumps(definition(spec), sort_keys=True)
