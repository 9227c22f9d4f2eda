"""A model's container as SageMaker runs it: its image, its model data, its environment.

A model names its container directly (``PrimaryContainer`` or the first of ``Containers``) or
through an approved model package (``ModelPackageName``), whose inference specification holds it.
The model data (``model.tar.gz`` on S3) is downloaded with the execution role's credentials and
extracted into the container's ``/opt/ml/model``; a script folder on S3
(``SAGEMAKER_SUBMIT_DIRECTORY``) into ``/opt/ml/code``.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors.images import ImageSpec, image_for_uri

SUBMIT_DIRECTORY = "SAGEMAKER_SUBMIT_DIRECTORY"
CONTAINER_CODE = "/opt/ml/code"


class ContainerError(Exception):
    """The container cannot start; the message is the endpoint's (or job's) FailureReason."""


@dataclass(frozen=True)
class ContainerSpec:
    model_name: str
    role_arn: str
    image_uri: str
    image: ImageSpec
    model_data_url: str | None
    environment: dict[str, str] = field(default_factory=dict)
    network_isolation: bool = False


def container_of(account_id: str, region: str, model_name: str) -> ContainerSpec:
    """The container of ``model_name`` as it is now (SageMaker reads it when a fleet starts)."""
    sagemaker = moto_internals.backend("sagemaker", account_id, region)
    model = sagemaker._models.get(model_name)
    if model is None:
        raise ContainerError(f'Could not find model "{_model_arn(sagemaker, model_name)}".')
    container = model.primary_container or (model.containers or [{}])[0]
    if container.get("ModelPackageName"):
        container = {**_package_container(sagemaker, container["ModelPackageName"]), **container}
    image_uri = container.get("Image")
    if not image_uri:
        raise ContainerError(f"Model {model_name} has no container image")
    try:
        image = image_for_uri(image_uri)
    except ValueError as error:
        raise ContainerError(str(error)) from error
    return ContainerSpec(
        model_name=model_name,
        role_arn=model.execution_role_arn,
        image_uri=image_uri,
        image=image,
        model_data_url=container.get("ModelDataUrl"),
        environment=dict(container.get("Environment") or {}),
        network_isolation=bool(getattr(model, "enable_network_isolation", False)),
    )


def _model_arn(sagemaker: Any, name: str) -> str:
    return f"arn:aws:sagemaker:{sagemaker.region_name}:{sagemaker.account_id}:model/{name.lower()}"


def _package_container(sagemaker: Any, package_name: str) -> dict[str, Any]:
    try:
        package = sagemaker.describe_model_package(package_name)
    except Exception as error:  # moto's ValidationError: the package is gone
        raise ContainerError(f"Model package {package_name} not found") from error
    containers = (package.inference_specification or {}).get("Containers") or []
    if not containers:
        raise ContainerError(f"Model package {package_name} has no inference containers")
    return dict(containers[0])


def install_model(spec: ContainerSpec, s3: Any, container_root: Path) -> dict[str, str]:
    """Fill ``container_root`` (the container's ``/opt/ml``) with the model and its code; returns
    the container's environment as the server must see it."""
    model_dir = container_root / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    if spec.model_data_url:
        _extract(_download(spec, s3, spec.model_data_url), model_dir)
    environment = dict(spec.environment)
    submit = environment.get(SUBMIT_DIRECTORY, "")
    if submit.startswith("s3://"):
        code_dir = container_root / "code"
        code_dir.mkdir(exist_ok=True)
        _extract(_download(spec, s3, submit), code_dir)
        environment[SUBMIT_DIRECTORY] = CONTAINER_CODE
    return environment


def _download(spec: ContainerSpec, s3: Any, url: str) -> bytes:
    bucket, _, key = url.removeprefix("s3://").partition("/")
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as error:
        region = s3.meta.region_name
        raise ContainerError(
            f"Could not access model data at {url}. Please ensure that the role "
            f'"{spec.role_arn}" exists and that its trust relationship policy allows the action '
            '"sts:AssumeRole" for the service principal "sagemaker.amazonaws.com". Also ensure '
            f'that the role has "s3:GetObject" permissions and that the object is located in '
            f"{region}."
        ) from error


def _extract(archive: bytes, into: Path) -> None:
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise ContainerError(
            f"the model data is not a tar.gz archive SageMaker can extract: {error}"
        ) from error
