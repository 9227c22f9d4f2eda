"""Where the local command keeps each stack's state: an S3 prefix or a local folder.

The state is the applier's record of what it made (:class:`sagestack.deploy.state.DeployState`),
not Pulumi's checkpoint format, so it lives under ``.sagestack-local/`` beside where the CLI would
write its own (``.pulumi/``): a real CLI pointed at the same backend never reads it by mistake.
"""

from __future__ import annotations

import abc
import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sagestack.deploy.pulumi_cli.exit_codes import AUTH, CliError
from sagestack.deploy.state import state_file

STATE_FOLDER = ".sagestack-local/stacks"


class Backend(abc.ABC):
    """Where stacks' state lives; each backend reads and writes whole files by key."""

    url: str

    @abc.abstractmethod
    def read(self, key: str) -> bytes | None: ...

    @abc.abstractmethod
    def write(self, key: str, data: bytes) -> None: ...

    @staticmethod
    def key(project: str, stack: str) -> str:
        return f"{STATE_FOLDER}/{project}/{stack}.json"

    def exists(self, project: str, stack: str) -> bool:
        return self.read(self.key(project, stack)) is not None

    def create(self, project: str, stack: str) -> None:
        self.write(self.key(project, stack), b"{}")

    @contextlib.contextmanager
    def state_dir(self, project: str, stack: str) -> Iterator[Path]:
        """A local folder holding the stack's state for the applier; written back afterwards
        (also when the deploy failed: what it made is recorded)."""
        folder = Path(tempfile.mkdtemp(prefix="pulumi-state-"))
        local = state_file(folder, stack)
        saved = self.read(self.key(project, stack))
        if saved and saved != b"{}":
            local.write_bytes(saved)
        try:
            yield folder
        finally:
            if local.exists():
                self.write(self.key(project, stack), local.read_bytes())
            shutil.rmtree(folder, ignore_errors=True)


class FileBackend(Backend):
    def __init__(self, url: str, root: Path):
        self.url, self.root = url, root

    def read(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.exists() else None

    def write(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(path)


class S3Backend(Backend):
    def __init__(self, url: str, bucket: str, prefix: str, endpoint: str | None):
        self.url, self.bucket, self.prefix = url, bucket, prefix.strip("/")
        self.s3 = boto3.client("s3", endpoint_url=endpoint)

    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def read(self, key: str) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self._full(key))["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise CliError(f"cannot read the state in {self.url}: {error}", AUTH) from error
        except BotoCoreError as error:
            raise CliError(f"cannot reach the backend {self.url}: {error}", AUTH) from error

    def write(self, key: str, data: bytes) -> None:
        try:
            self.s3.put_object(Bucket=self.bucket, Key=self._full(key), Body=data)
        except (ClientError, BotoCoreError) as error:
            raise CliError(f"cannot write the state to {self.url}: {error}", AUTH) from error


def open_backend(url: str) -> Backend:
    """The backend of a ``pulumi login`` URL: ``s3://bucket/prefix[?endpoint=host:port]``,
    ``file://folder`` (``file://~`` is the home folder)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        query = parse_qs(parsed.query)
        endpoint = query.get("endpoint", [None])[0]
        if endpoint and "://" not in endpoint:
            secure = query.get("disableSSL", ["false"])[0] != "true"
            endpoint = f"{'https' if secure else 'http'}://{endpoint}"
        return S3Backend(url, parsed.netloc, parsed.path, endpoint)
    if parsed.scheme == "file":
        folder = (parsed.netloc + parsed.path) or "~"
        return FileBackend(url, Path(folder).expanduser())
    raise CliError(
        f"backend {url} is not one the local pulumi command keeps state in: use s3://<bucket>/"
        "<prefix> or file://<folder>",
        AUTH,
    )
