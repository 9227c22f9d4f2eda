"""SageMaker's framework images the local cloud runs, and what each holds.

``container`` is what the image documents (its Dockerfile and requirements); ``installed`` is
what the local environment gets on this machine's Python. They differ only where the container's
version has no wheel for this Python; :meth:`ImageSpec.differences` says how, and every job that
runs on the image prints it to its log, so a difference is never silent. Sources: the
Dockerfiles of aws/sagemaker-scikit-learn-container and aws/sagemaker-xgboost-container.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass

# What every framework image carries besides its framework (the training toolkit needs boto3).
_COMMON = {"boto3": "1.35.99", "joblib": "1.4.2"}
# How an environment is built; a change rebuilds every environment. 2: bytecode compiled at
# install (a job's Python then never compiles pandas or scikit-learn again: seconds per job).
ENVIRONMENT_LAYOUT = 2


@dataclass(frozen=True)
class ImageSpec:
    framework: str  # "sklearn" or "xgboost", as the SageMaker SDK names them
    version: str  # the image tag's version: "1.2-1"
    python: str  # the container's Python
    container: dict[str, str]  # package -> version the container documents
    installed: dict[str, str]  # package -> version installed locally
    xgboost_model_format: str | None = None  # built-in algorithm: "pickle" or "save_model"

    @property
    def name(self) -> str:
        return f"{self.framework}-{self.version}"

    @property
    def fingerprint(self) -> str:
        """Changes whenever what is installed changes, so the environment is rebuilt."""
        wanted = f"{ENVIRONMENT_LAYOUT}|{sys.version_info[:2]}|" + "|".join(
            f"{package}=={version}" for package, version in sorted(self.installed.items())
        )
        return hashlib.sha256(wanted.encode()).hexdigest()[:12]

    def requirements(self) -> list[str]:
        return [f"{package}=={version}" for package, version in sorted(self.installed.items())]

    def differences(self) -> list[str]:
        """One line per way the local environment differs from the image."""
        lines = []
        local_python = f"{sys.version_info.major}.{sys.version_info.minor}"
        if local_python != self.python:
            lines.append(f"Python {self.python} in the image, {local_python} here")
        for package, version in sorted(self.container.items()):
            local = self.installed.get(package)
            if local != version:
                lines.append(
                    f"{package} {version} in the image, {local} here "
                    f"({package} {version} has no wheel for Python {local_python})"
                )
        return lines


def _spec(
    framework: str,
    version: str,
    python: str,
    container: dict[str, str],
    substitutes: dict[str, str],
    **kwargs: object,
) -> ImageSpec:
    installed = {**_COMMON, **container, **substitutes}
    return ImageSpec(framework, version, python, container, installed, **kwargs)  # type: ignore[arg-type]


CATALOG: tuple[ImageSpec, ...] = (
    # AWS's abalone pipeline example preprocesses on this image; scikit-learn 0.23 and 1.0 have
    # no wheels for Python 3.11: the closest that install are those the XGBoost images get
    _spec(
        "sklearn",
        "0.23-1",
        "3.7",
        {"scikit-learn": "0.23.2", "numpy": "1.19.2", "pandas": "1.1.3", "scipy": "1.5.3"},
        {"scikit-learn": "1.1.3", "numpy": "1.23.5", "pandas": "1.5.3", "scipy": "1.10.1"},
    ),
    _spec(
        "sklearn",
        "1.2-1",
        "3.9",
        {
            "scikit-learn": "1.2.1",
            "numpy": "1.24.1",
            "pandas": "1.1.3",
            "scipy": "1.8.0",
            "pyarrow": "14.0.1",
        },
        {"pandas": "1.5.3", "scipy": "1.10.1"},
    ),
    *(
        _spec(
            "sklearn",
            version,
            python,
            {"scikit-learn": "1.4.2", "numpy": "2.1.0", "pyarrow": "17.0.0"},
            # pandas and scipy are not pinned by the image's Dockerfile: the first releases
            # that support its numpy
            {"pandas": "2.2.3", "scipy": "1.14.1"},
        )
        for version, python in (("1.4-2", "3.10"), ("1.4-2-py312", "3.12"))
    ),
    # The XGBoost images' Dockerfiles pin only XGBoost (and Python); the other libraries are
    # chosen here: the oldest releases with wheels for this Python.
    _spec(
        "xgboost",
        "1.0-1",
        "3.7",
        {"xgboost": "1.0.0"},
        {"scikit-learn": "1.1.3", "pandas": "1.5.3", "numpy": "1.23.5", "scipy": "1.10.1"},
        xgboost_model_format="pickle",
    ),
    _spec(
        "xgboost",
        "1.7-1",
        "3.8",
        {"xgboost": "1.7.4"},
        {"scikit-learn": "1.1.3", "pandas": "1.5.3", "numpy": "1.23.5", "scipy": "1.10.1"},
        xgboost_model_format="save_model",
    ),
)
