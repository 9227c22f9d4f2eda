"""Images decide a job's environment: URIs of SageMaker's framework images map to the catalog,
anything else is refused naming why, and every way a local environment differs from its image is
said."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from pathlib import Path

import pytest

from sagestack.localcloud.executors import images
from sagestack.localcloud.executors.images import environments

US_EAST_1 = "683313688378.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        (f"{US_EAST_1}/sagemaker-scikit-learn:1.2-1-cpu-py3", "sklearn-1.2-1"),
        (f"{US_EAST_1}/sagemaker-scikit-learn:1.4-2-py312-cpu-py3", "sklearn-1.4-2-py312"),
        (f"{US_EAST_1}/sagemaker-xgboost:1.7-1", "xgboost-1.7-1"),
        (f"{US_EAST_1}/sagemaker-xgboost:1.0-1-cpu-py3", "xgboost-1.0-1"),
        (
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
            "xgboost-1.7-1",
        ),
    ],
)
def test_sagemaker_framework_images_map_to_their_environment(uri, name):
    assert images.image_for_uri(uri).name == name


def test_the_sdk_s_own_image_uris_are_understood():
    sdk_table = importlib.metadata.distribution("sagemaker-core").locate_file(
        "sagemaker/core/image_uri_config/sklearn.json"
    )
    table = json.loads(Path(str(sdk_table)).read_text())
    account = table["training"]["versions"]["1.2-1"]["registries"]["eu-west-1"]
    uri = f"{account}.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    assert images.image_for_uri(uri).name == "sklearn-1.2-1"


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("python:3.11", "not an ECR image URI"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "account 123456789012 is not SageMaker's registry in us-east-1",
        ),
        (f"{US_EAST_1}/my-own-image:latest", "repository my-own-image is not a framework image"),
        (f"{US_EAST_1}/sagemaker-xgboost:0.90-1-cpu-py3", "xgboost version 0.90-1 is not one"),
    ],
)
def test_an_image_the_local_cloud_cannot_run_is_refused_naming_why(uri, why):
    with pytest.raises(images.UnknownImageError, match=why) as error:
        images.image_for_uri(uri)
    assert uri in str(error.value) and "sklearn 1.2-1" in str(error.value)


def test_every_difference_from_the_image_is_listed():
    spec = next(spec for spec in images.CATALOG if spec.name == "sklearn-1.2-1")
    differences = spec.differences()
    assert "Python 3.9 in the image, 3.11 here" in differences
    assert any(line.startswith("pandas 1.1.3 in the image, 1.5.3 here") for line in differences)
    assert not any(line.startswith("scikit-learn") for line in differences)


def test_each_image_installs_what_its_container_documents_where_this_python_allows():
    for spec in images.CATALOG:
        for package, version in spec.container.items():
            documented = f"{package} {version} in the image"
            assert spec.installed[package] == version or any(
                line.startswith(documented) for line in spec.differences()
            ), (spec.name, package)


def test_a_missing_environment_names_the_command_that_installs_it(tmp_path, monkeypatch):
    monkeypatch.setenv(environments.ENV_ROOT_VARIABLE, str(tmp_path))
    spec = images.CATALOG[0]
    with pytest.raises(
        images.ImageNotInstalledError, match=f"sagestack local images install {spec.name}"
    ):
        images.environment_python(spec)


def test_an_interrupted_install_is_not_mistaken_for_an_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(environments.ENV_ROOT_VARIABLE, str(tmp_path))
    spec = images.CATALOG[0]
    environments.environment_folder(spec).mkdir(parents=True)  # a venv without its marker
    assert not images.is_installed(spec)


def test_installed_environments_run_the_image_s_libraries():
    """`make` installed them; each imports its framework at the catalog's version."""
    for spec in images.CATALOG:
        framework = {"sklearn": "sklearn", "xgboost": "xgboost"}[spec.framework]
        package = {"sklearn": "scikit-learn", "xgboost": "xgboost"}[spec.framework]
        python = images.environment_python(spec)
        version = subprocess.run(
            [str(python), "-c", f"import {framework}; print({framework}.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert version == spec.installed[package], spec.name
