"""Processing jobs: SageMaker's processing container contract on a local process.

Before the container starts: each ``S3Input`` is copied to its ``LocalPath`` (always under
``/opt/ml/processing/``), each output's ``LocalPath`` exists, and ``/opt/ml/config/`` holds
``processingjobconfig.json`` (the request, with the job's ARN) and ``resourceconfig.json``. The
container runs ``ContainerEntrypoint`` + ``ContainerArguments``. When it exits 0, each output
folder goes to its ``S3Uri`` (``EndOfJob``; ``Continuous`` outputs also while it runs). A
non-zero exit fails the job with SageMaker's ``AlgorithmError``; the first kilobyte of
``/opt/ml/output/message``, if the container wrote one, is its ``ExitMessage``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sagestack.localcloud.executors.jobs import failures, transfer
from sagestack.localcloud.executors.jobs.lifecycle import Job, Launch, Outcome
from sagestack.localcloud.executors.jobs.records import PROCESSING

PROCESSING_ROOT = "/opt/ml/processing/"
MESSAGE_FILE = "/opt/ml/output/message"
MAX_EXIT_MESSAGE = 1024


class ProcessingRunner:
    kind = PROCESSING

    def __init__(self) -> None:
        self._continuous: dict[str, transfer.ContinuousUpload] = {}

    def prepare(self, job: Job) -> Launch:
        for entry in job.request.get("ProcessingInputs") or []:
            _download_input(job, entry)
        for output in _outputs(job):
            folder = job.path(_local_path(output["S3Output"]))
            folder.mkdir(parents=True, exist_ok=True)
            if output["S3Output"].get("S3UploadMode") == "Continuous":
                self._continuous[output["OutputName"]] = transfer.ContinuousUpload(
                    _uploader(job, folder, output), folder
                )
        job.path(MESSAGE_FILE).parent.mkdir(parents=True, exist_ok=True)
        _write_config(job)
        application = job.request.get("AppSpecification") or {}
        entrypoint = list(application.get("ContainerEntrypoint") or [])
        if not entrypoint:
            raise failures.client_error(
                f"image {application.get('ImageUri')} is run locally through the "
                "ContainerEntrypoint of the job (the framework images have no processing "
                "entrypoint of their own): set AppSpecification.ContainerEntrypoint"
            )
        return Launch(entrypoint + list(application.get("ContainerArguments") or []))

    def conclude(self, job: Job, exit_code: int) -> Outcome:
        fields = _exit_message(job)
        if exit_code != 0:
            for upload in self._continuous.values():
                upload.finish()
            return Outcome("Failed", failures.algorithm_error(), fields)
        kms_key = (job.request.get("ProcessingOutputConfig") or {}).get("KmsKeyId")
        for output in _outputs(job):
            upload = self._continuous.get(output["OutputName"])
            if upload is not None:
                upload.finish()
                continue
            folder = job.path(_local_path(output["S3Output"]))
            transfer.upload_folder(job.s3(), folder, output["S3Output"]["S3Uri"], kms_key)
        return Outcome("Completed", None, fields)


def _download_input(job: Job, entry: dict[str, Any]) -> None:
    if "S3Input" not in entry:
        raise failures.client_error(
            f"input {entry.get('InputName')}: only S3Input is run locally (DatasetDefinition "
            "reads Athena or Redshift)"
        )
    source = entry["S3Input"]
    if source.get("S3InputMode") == "Pipe":
        job.say(
            f"sagestack: input {entry.get('InputName')} is copied in File mode (Pipe mode "
            "streams on AWS)"
        )
    transfer.download(
        job.s3(),
        source["S3Uri"],
        job.path(_local_path(source)),
        source.get("S3DataType", "S3Prefix"),
        role_arn=job.request["RoleArn"],
    )


def _local_path(source: dict[str, Any]) -> str:
    path = source.get("LocalPath", "")
    if not path.startswith(PROCESSING_ROOT):
        raise failures.client_error(f"LocalPath '{path}' does not start with {PROCESSING_ROOT}")
    return path


def _outputs(job: Job) -> list[dict[str, Any]]:
    config = job.request.get("ProcessingOutputConfig") or {}
    outputs = [output for output in config.get("Outputs") or [] if "S3Output" in output]
    if len(outputs) != len(config.get("Outputs") or []):
        raise failures.client_error("only S3Output outputs are run locally (FeatureStoreOutput)")
    return outputs


def _uploader(job: Job, folder: Path, output: dict[str, Any]):
    kms_key = (job.request.get("ProcessingOutputConfig") or {}).get("KmsKeyId")
    uri = output["S3Output"]["S3Uri"]

    def upload(path: Path) -> None:
        relative = path.relative_to(folder).as_posix()
        transfer.upload_file(job.s3(), path, f"{uri.rstrip('/')}/{relative}", kms_key)

    return upload


def _write_config(job: Job) -> None:
    config = job.path("/opt/ml/config")
    config.mkdir(parents=True, exist_ok=True)
    resources = (job.request.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    request = {key: value for key, value in job.request.items() if key != "Tags"}
    (config / "processingjobconfig.json").write_text(
        json.dumps({"ProcessingJobArn": job.arn, **request}, default=str)
    )
    (config / "resourceconfig.json").write_text(
        json.dumps(
            {
                "current_host": "algo-1",
                "hosts": ["algo-1"],
                "network_interface_name": "eth0",
                "current_instance_type": resources.get("InstanceType", "local"),
            }
        )
    )


def _exit_message(job: Job) -> dict[str, Any]:
    path = job.path(MESSAGE_FILE)
    if not path.is_file():
        return {}
    raw = path.read_bytes()[:MAX_EXIT_MESSAGE]
    try:
        return {"ExitMessage": raw.decode("utf-8")}
    except UnicodeDecodeError as error:
        raise failures.client_error(f"{MESSAGE_FILE} is not UTF-8 text") from error
