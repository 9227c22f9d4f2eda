"""From an ECR image URI to the :class:`~.catalog.ImageSpec` the local cloud runs it with.

SageMaker's framework images live in AWS-owned registries, one account per region; the
SageMaker SDK's own image table (``sagemaker/core/image_uri_config``, read as data) says which.
A URI of another registry, repository or version is an image the local cloud cannot run.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
from pathlib import Path

from sagestack.localcloud.executors.images.catalog import CATALOG, ImageSpec

_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+):(?P<tag>[A-Za-z0-9._-]+)$"
)
_REPOSITORIES = {"sagemaker-scikit-learn": "sklearn", "sagemaker-xgboost": "xgboost"}
_TAG_SUFFIX = re.compile(r"-(cpu|gpu)-py3$")
_IMAGE_CONFIG_FOLDER = "sagemaker/core/image_uri_config"


class UnknownImageError(ValueError):
    """An image the local cloud cannot run; the message says which images it can."""

    def __init__(self, uri: str, why: str):
        runnable = ", ".join(f"{spec.framework} {spec.version}" for spec in CATALOG)
        super().__init__(
            f"image {uri} cannot be run by the local cloud: {why} (it runs SageMaker's "
            f"framework images {runnable})"
        )


def image_for_uri(uri: str) -> ImageSpec:
    match = _URI.fullmatch(uri)
    if match is None:
        raise UnknownImageError(uri, "not an ECR image URI")
    framework = _REPOSITORIES.get(match["repository"])
    if framework is None:
        raise UnknownImageError(uri, f"repository {match['repository']} is not a framework image")
    version = _TAG_SUFFIX.sub("", match["tag"])
    if match["account"] != _registry_account(framework, version, match["region"]):
        raise UnknownImageError(
            uri, f"account {match['account']} is not SageMaker's registry in {match['region']}"
        )
    for spec in CATALOG:
        if (spec.framework, spec.version) == (framework, version):
            return spec
    raise UnknownImageError(uri, f"{framework} version {version} is not one of them")


def _registry_account(framework: str, version: str, region: str) -> str | None:
    versions = _image_table(framework)
    registries = versions.get(version, {}).get("registries", {})
    return registries.get(region)


@functools.cache
def _image_table(framework: str) -> dict:
    distribution = importlib.metadata.distribution("sagemaker-core")
    path = Path(str(distribution.locate_file(f"{_IMAGE_CONFIG_FOLDER}/{framework}.json")))
    config = json.loads(path.read_text(encoding="utf-8"))
    versions: dict = {}
    for scope in ("training", "inference"):
        for version, entry in config.get(scope, {}).get("versions", {}).items():
            versions.setdefault(version, entry)
    return versions
