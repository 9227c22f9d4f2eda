"""Moving a job's data between S3 and its folder, as the job's role.

Inputs are copied before the container starts (``File`` mode): an ``S3Prefix`` brings every
object under the prefix, keyed by the rest of its key; a URI naming one object (not ending in
``/``) brings that object alone, under its base name; a ``ManifestFile`` brings the objects it
lists. Outputs go up when the container ends (``EndOfJob``) or, with ``Continuous``, also while
it runs. Every request is signed with the job's credentials, so a grant the role lacks fails
the job as it does on AWS.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from sagestack.localcloud.executors.jobs import failures

CONTINUOUS_POLL_SECONDS = 0.5
CHUNK_BYTES = 1024 * 1024


def split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise failures.client_error(f"S3Uri '{uri}' is not an s3://bucket/key URI")
    return parsed.netloc, parsed.path.lstrip("/")


def download(
    s3: Any, uri: str, destination: Path, data_type: str = "S3Prefix", *, role_arn: str = ""
) -> list[Path]:
    """Copy the objects ``uri`` names into ``destination``; returns the files written."""
    destination.mkdir(parents=True, exist_ok=True)
    try:
        if data_type == "ManifestFile":
            return _download_manifest(s3, uri, destination)
        bucket, prefix = split_uri(uri)
        keys = _keys_under(s3, bucket, prefix)
        if not keys:
            raise failures.no_objects(uri, s3.meta.region_name, role_arn, bucket)
        if not prefix.endswith("/") and prefix in keys:
            return [_get(s3, bucket, prefix, destination / Path(prefix).name)]
        return [
            _get(s3, bucket, key, destination / _relative(key, prefix))
            for key in keys
            if not key.endswith("/")
        ]
    except (ClientError, BotoCoreError) as error:
        raise failures.download_failed(uri, error) from error


def _download_manifest(s3: Any, uri: str, destination: Path) -> list[Path]:
    bucket, key = split_uri(uri)
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    if not isinstance(manifest, list) or not manifest or "prefix" not in manifest[0]:
        raise failures.client_error(
            f'manifest {uri} is not a JSON list starting with {{"prefix": "s3://..."}}'
        )
    base_bucket, base = split_uri(manifest[0]["prefix"])
    return [
        _get(s3, base_bucket, base + entry, destination / entry.lstrip("/"))
        for entry in manifest[1:]
    ]


def _relative(key: str, prefix: str) -> str:
    relative = key[len(prefix) :].lstrip("/")
    if ".." in Path(relative).parts:
        raise failures.client_error(f"object key '{key}' leaves its input folder")
    return relative


def _keys_under(s3: Any, bucket: str, prefix: str) -> list[str]:
    paginator = s3.get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def _get(s3: Any, bucket: str, key: str, path: Path) -> Path:
    """One object to ``path``. GetObject rather than the transfer manager, whose HeadObject
    answers a refusal with a bare 403: GetObject's error names AccessDenied, as SageMaker does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        with path.open("wb") as file:
            shutil.copyfileobj(body, file, CHUNK_BYTES)
    except (ClientError, BotoCoreError) as error:
        raise failures.download_failed(f"s3://{bucket}/{key}", error) from error
    return path


def upload_folder(s3: Any, folder: Path, uri: str, kms_key_id: str | None = None) -> list[str]:
    """Every file under ``folder`` to ``<uri>/<relative path>``; returns the URIs written."""
    return [
        upload_file(s3, path, _join(uri, path.relative_to(folder).as_posix()), kms_key_id)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


def upload_file(s3: Any, path: Path, uri: str, kms_key_id: str | None = None) -> str:
    bucket, key = split_uri(uri)
    extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}
    try:
        s3.upload_file(str(path), bucket, key, ExtraArgs=extra or None)
    except (ClientError, BotoCoreError) as error:
        raise failures.upload_failed(uri, error) from error
    return uri


def _join(uri: str, relative: str) -> str:
    return f"{uri.rstrip('/')}/{relative}"


def pack_model(model_dir: Path, archive: Path) -> Path:
    """``model_dir``'s files at the root of a gzipped tar, as SageMaker packs ``/opt/ml/model``."""
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return archive


class ContinuousUpload:
    """Uploads the files of an output folder while the job runs (``S3UploadMode: Continuous``);
    :meth:`finish` stops watching and uploads what changed since the last pass."""

    def __init__(self, upload: Callable[[Path], None], folder: Path):
        self._upload, self._folder = upload, folder
        self._seen: dict[Path, tuple[float, int]] = {}
        self._done = threading.Event()
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._watch, name="continuous-upload", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(CONTINUOUS_POLL_SECONDS):
            self._pass()

    def _pass(self) -> None:
        for path in sorted(self._folder.rglob("*")):
            if not path.is_file():
                continue
            stat = path.stat()
            if self._seen.get(path) != (stat.st_mtime, stat.st_size):
                try:
                    self._upload(path)
                except failures.JobFailure as error:
                    self.error = error
                    return
                self._seen[path] = (stat.st_mtime, stat.st_size)

    def finish(self) -> None:
        self._done.set()
        self._thread.join()
        self._pass()
        if self.error is not None:
            raise self.error
