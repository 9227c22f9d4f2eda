"""Training jobs: SageMaker's training container contract on a local process.

Before the container starts: each channel's objects are in ``/opt/ml/input/data/<channel>``,
``/opt/ml/input/config/`` holds ``hyperparameters.json`` (every value a string),
``inputdataconfig.json`` and ``resourceconfig.json``, and ``TRAINING_JOB_NAME`` /
``TRAINING_JOB_ARN`` are set. What runs is, as in the image:

- the job's ``ContainerEntrypoint`` + ``ContainerArguments`` when it has one (the SageMaker SDK
  3 ``ModelTrainer`` runs ``sm_drivers/sm_train.sh`` this way);
- script mode when the ``sagemaker_program`` hyperparameter names a script (the framework
  images' training toolkit: ``standalone/training_toolkit.py``);
- the built-in XGBoost algorithm for the XGBoost image with neither
  (``standalone/xgboost_algorithm.py``).

When the container exits 0, ``/opt/ml/model`` goes to
``<S3OutputPath>/<job>/output/model.tar.gz`` and ``/opt/ml/output/data`` (if it holds files) to
``output.tar.gz`` beside it. A non-zero exit fails the job with ``AlgorithmError:`` and the text
the container left in ``/opt/ml/output/failure``. Metrics named by ``MetricDefinitions`` (and the
built-in algorithm's ``train:<metric>`` / ``validation:<metric>``) are read from the log into
``FinalMetricDataList``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sagestack.localcloud.executors.jobs import failures, transfer
from sagestack.localcloud.executors.jobs.lifecycle import Job, Launch, Outcome
from sagestack.localcloud.executors.jobs.records import TRAINING
from sagestack.localcloud.moto import sagemaker as moto_sagemaker

STANDALONE = Path(__file__).with_name("standalone")
TOOLKIT = STANDALONE / "training_toolkit.py"
XGBOOST_ALGORITHM = STANDALONE / "xgboost_algorithm.py"
FAILURE_FILE = "/opt/ml/output/failure"
KNOWN_PREFIXES = (failures.CLIENT_ERROR + ":", failures.ALGORITHM_ERROR + ":")
# a built-in algorithm's evaluation line: [12]#011train-rmse:2.1#011validation-rmse:2.3
_EVALUATION = re.compile(r"^\[\d+\]((?:#011[\w-]+:[-+0-9.eE]+)+)")
_METRIC = re.compile(r"#011(?P<channel>train|validation)-(?P<metric>[\w-]+):(?P<value>[-+0-9.eE]+)")


class TrainingRunner:
    kind = TRAINING

    def prepare(self, job: Job) -> Launch:
        job.record.secondary("Downloading", "Downloading input data")
        for channel in job.request.get("InputDataConfig") or []:
            _download_channel(job, channel)
        for folder in ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/code"):
            job.path(folder).mkdir(parents=True, exist_ok=True)
        _write_config(job)
        job.record.secondary("Training", "Training image download completed. Training in progress.")
        environment = {"TRAINING_JOB_NAME": job.name, "TRAINING_JOB_ARN": job.arn}
        return Launch(_command(job), environment)

    def conclude(self, job: Job, exit_code: int) -> Outcome:
        metrics = {"FinalMetricDataList": final_metrics(job)}
        if exit_code != 0:
            return Outcome("Failed", _failure_reason(job), metrics)
        job.record.secondary("Uploading", "Uploading generated training model")
        return Outcome("Completed", None, {**metrics, "ModelArtifacts": _upload_model(job)})


def _download_channel(job: Job, channel: dict[str, Any]) -> None:
    source = (channel.get("DataSource") or {}).get("S3DataSource")
    name = channel["ChannelName"]
    if source is None:
        raise failures.client_error(f"channel {name}: only S3DataSource is run locally")
    if channel.get("InputMode", "File") != "File":
        job.say(f"sagestack: channel {name} is copied in File mode ({channel['InputMode']} on AWS)")
    transfer.download(
        job.s3(),
        source["S3Uri"],
        job.path(f"/opt/ml/input/data/{name}"),
        source.get("S3DataType", "S3Prefix"),
        role_arn=job.request["RoleArn"],
    )


def _write_config(job: Job) -> None:
    config = job.path("/opt/ml/input/config")
    config.mkdir(parents=True, exist_ok=True)
    hyperparameters = {k: str(v) for k, v in (job.request.get("HyperParameters") or {}).items()}
    channels = {
        channel["ChannelName"]: {
            key: value
            for key, value in {
                "ContentType": channel.get("ContentType"),
                "TrainingInputMode": channel.get("InputMode", "File"),
                "S3DistributionType": channel["DataSource"]["S3DataSource"].get(
                    "S3DataDistributionType", "FullyReplicated"
                ),
                "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            }.items()
            if value is not None
        }
        for channel in job.request.get("InputDataConfig") or []
    }
    instance_type = (job.request.get("ResourceConfig") or {}).get("InstanceType", "local")
    resources = {
        "current_host": "algo-1",
        "current_instance_type": instance_type,
        "current_group_name": "homogeneousCluster",
        "hosts": ["algo-1"],
        "instance_groups": [
            {
                "instance_group_name": "homogeneousCluster",
                "instance_type": instance_type,
                "hosts": ["algo-1"],
            }
        ],
        "network_interface_name": "eth0",
    }
    for name, document in (
        ("hyperparameters.json", hyperparameters),
        ("inputdataconfig.json", channels),
        ("resourceconfig.json", resources),
    ):
        (config / name).write_text(json.dumps(document))


def _command(job: Job) -> list[str]:
    assert job.image is not None
    specification = job.request.get("AlgorithmSpecification") or {}
    entrypoint = list(specification.get("ContainerEntrypoint") or [])
    if entrypoint:
        return entrypoint + list(specification.get("ContainerArguments") or [])
    python = str(job.image.python)
    if "sagemaker_program" in (job.request.get("HyperParameters") or {}):
        return [python, str(TOOLKIT)]
    model_format = job.image.spec.xgboost_model_format
    if model_format is not None:
        return [python, str(XGBOOST_ALGORITHM), "--model-format", model_format]
    raise failures.client_error(
        f"image {job.image.uri} has no built-in algorithm: name the script to run with the "
        "sagemaker_program hyperparameter, or set AlgorithmSpecification.ContainerEntrypoint"
    )


def _failure_reason(job: Job) -> str:
    path = job.path(FAILURE_FILE)
    text = path.read_text(errors="replace").strip() if path.is_file() else ""
    if text.startswith(KNOWN_PREFIXES):
        return failures.fit(text)
    return failures.algorithm_error(text)


def _upload_model(job: Job) -> dict[str, str]:
    output = job.request["OutputDataConfig"]
    base = f"{output['S3OutputPath'].rstrip('/')}/{job.name}/output"
    kms_key, s3 = output.get("KmsKeyId"), job.s3()
    model_dir = job.path("/opt/ml/model")
    data_dir = job.path("/opt/ml/output/data")
    if any(data_dir.rglob("*")):
        archive = transfer.pack_model(data_dir, job.path("/opt/ml/output.tar.gz"))
        transfer.upload_file(s3, archive, f"{base}/output.tar.gz", kms_key)
    if output.get("CompressionType") == "NONE":
        transfer.upload_folder(s3, model_dir, f"{base}/model", kms_key)
        return {"S3ModelArtifacts": f"{base}/model/"}
    archive = transfer.pack_model(model_dir, job.path("/opt/ml/model.tar.gz"))
    return {"S3ModelArtifacts": transfer.upload_file(s3, archive, f"{base}/model.tar.gz", kms_key)}


def final_metrics(job: Job) -> list[dict[str, Any]]:
    """The last value of each metric the log shows, as DescribeTrainingJob lists them."""
    definitions = (job.request.get("AlgorithmSpecification") or {}).get("MetricDefinitions") or []
    values: dict[str, float] = {}
    for raw in job.lines:
        line = raw.replace("\t", "#011")  # how CloudWatch shows a tab, and what regexes expect
        for definition in definitions:
            match = re.search(definition["Regex"], line)
            if match and match.groups():
                values[definition["Name"]] = _number(match.group(1), values.get(definition["Name"]))
        if _EVALUATION.match(line):
            for metric in _METRIC.finditer(line):
                values[f"{metric['channel']}:{metric['metric']}"] = float(metric["value"])
    now = moto_sagemaker.now()
    return [
        {"MetricName": name, "Value": value, "Timestamp": now} for name, value in values.items()
    ]


def _number(text: str, previous: float | None) -> float:
    try:
        return float(text)
    except ValueError:
        return previous if previous is not None else float("nan")
