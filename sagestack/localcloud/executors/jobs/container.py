"""A SageMaker container as a local process: its image's environment, its ``/opt/ml``, its
variables.

The job's folder is ``/opt/ml`` for the process (:mod:`..sandbox`), and its working directory is
``/opt/ml`` too, so relative paths land in the job's folder rather than on the host. ``python``
and ``python3`` are the image environment's; ``pip`` is there because SageMaker's launch scripts
check for it, and it says that the local cloud installs nothing at run time (tests never reach
a package registry; an image's libraries are installed once, by ``make``). The framework images
set ``PYTHONUNBUFFERED``, so output reaches the log as it is printed.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sagestack.localcloud.executors import images, runtime, sandbox
from sagestack.localcloud.executors.jobs import failures

CONTAINER_ROOT = "/opt/ml"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_PIP_SHIM = """#!/bin/sh
echo "pip: the sagestack local cloud installs nothing while a job runs; add the package to \
the image's environment (sagestack/localcloud/executors/images/catalog.py)" >&2
exit 1
"""


@dataclass(frozen=True)
class Image:
    """The image a job runs on, as the local cloud runs it."""

    uri: str
    spec: images.ImageSpec
    python: Path  # the environment's interpreter

    def differences(self) -> list[str]:
        return self.spec.differences()


def resolve_image(uri: str | None) -> Image:
    """The local environment of ``uri``; a :class:`JobFailure` when there is none."""
    if not uri:
        raise failures.client_error("the job names no image (AlgorithmName is not run locally)")
    try:
        spec = images.image_for_uri(uri)
        return Image(uri, spec, images.environment_python(spec))
    except images.UnknownImageError as error:
        raise failures.client_error(str(error)) from error
    except images.ImageNotInstalledError as error:
        raise failures.client_error(str(error)) from error


def job_folder(kind: str, name: str) -> Path:
    """A fresh folder for the job, with a home folder beside it (outside ``/opt/ml``)."""
    folder = runtime.current().work_folder(kind, name)
    (folder.parent / f"{name}.home").mkdir()
    return folder


def home_of(folder: Path) -> Path:
    return folder.parent / f"{folder.name}.home"


def container_path(folder: Path, path: str) -> Path:
    """Where a container path (``/opt/ml/...``) of the job is on the host."""
    relative = Path(path).relative_to(CONTAINER_ROOT)
    if ".." in relative.parts:
        raise failures.client_error(f"path {path} leaves {CONTAINER_ROOT}")
    return folder / relative


def argv(folder: Path, command: Sequence[str]) -> list[str]:
    """``command`` run in the job's namespace, from ``/opt/ml``."""
    if not command:
        raise failures.client_error("the container has nothing to run")
    try:
        return sandbox.container_argv(folder, ["env", "-C", CONTAINER_ROOT, *command])
    except sandbox.NoSandboxError as error:
        raise failures.client_error(str(error)) from error


def environment(
    image: Image,
    folder: Path,
    credentials: Mapping[str, str],
    region: str,
    requested: Mapping[str, str] | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The process's variables: the image's, the request's ``Environment``, then what the
    platform sets (it wins: a job cannot point its SDK elsewhere or act as another role)."""
    variables = {
        "PATH": f"{image.python.parent}:{_shims()}:{SYSTEM_PATH}",
        "HOME": str(home_of(folder)),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "TRUE",
        "PYTHONDONTWRITEBYTECODE": "1",
        **(requested or {}),
        **(extra or {}),
        "AWS_ENDPOINT_URL": runtime.current().endpoint_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        **credentials,
    }
    for name in ("TZ", "SAGESTACK_IMAGE_ENVS"):
        if name in os.environ:
            variables.setdefault(name, os.environ[name])
    return variables


def _shims() -> Path:
    folder = runtime.current().work_root / "container-bin"
    if not (folder / "pip3").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("pip", "pip3"):
            path = folder / name
            path.write_text(_PIP_SHIM)
            path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return folder


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(home_of(folder), ignore_errors=True)
